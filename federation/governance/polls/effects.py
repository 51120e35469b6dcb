"""What an adopted decision does: validated when the poll is created, applied when it is published
(membership changes call the foundation's services, statutes changes update the settings, an election
to a bureau seat installs the elected delegate)."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from federation import services as federation_services
from federation.errors import ServiceError
from federation.governance.bureau.models import BureauRole
from federation.governance.bureau.services import bureau_seat_elected
from federation.governance.membership.models import Delegate
from federation.governance.membership.selectors import active_members, member_label
from federation.governance.membership.services import active_member, fee_set
from federation.governance.polls.models import Candidate, Poll
from federation.governance.statutes.models import Body, DecisionKind, StatutesSettings
from federation.governance.statutes.selectors import statutes_of
from federation.governance.statutes.services import statutes_apply_change, validated_changes
from federation.models import Cpts, Federation, FederationMember, MaturityStage, Partner, User
from federation.selectors import cpts_size_tier

MEMBERSHIP_EFFECTS = ("cpts_join", "member_leave", "partner_join")


def validate_effect(federation: Federation, body: str, decision_kind: str, effect: dict) -> dict:
    """The effect of a poll as stored: checked against the statutes, with a `label` for the pages."""
    if not effect:
        return {}
    kind = effect.get("type")
    statutes = statutes_of(federation)
    if kind in MEMBERSHIP_EFFECTS:
        if decision_kind != DecisionKind.MEMBERSHIP:
            raise ServiceError(
                _("Une adhésion ou un départ est une décision de type « adhésion »."),
                code="wrong_decision_kind",
            )
        wanted_bureau = statutes.membership_decided_by == StatutesSettings.MembershipBody.BUREAU
        if wanted_bureau != (body == Body.BUREAU):
            raise ServiceError(
                _("Selon les statuts, les adhésions et départs sont décidés par %(body)s.")
                % {"body": statutes.get_membership_decided_by_display().lower()},
                code="wrong_body",
            )
        if kind == "cpts_join":
            cpts = Cpts.objects.filter(pk=effect.get("cpts")).first()
            if cpts is None:
                raise ServiceError(_("CPTS inconnue."), code="unknown_cpts", field="effect")
            if MaturityStage.rank(cpts.maturity_stage) < MaturityStage.rank(federation.min_join_stage):
                raise ServiceError(
                    _("La CPTS « %(cpts)s » n'a pas atteint le stade requis pour adhérer (%(stage)s).")
                    % {"cpts": cpts.name, "stage": MaturityStage(federation.min_join_stage).label},
                    code="stage_too_early",
                )
            return {"type": kind, "cpts": cpts.pk, "label": cpts.name}
        if kind == "member_leave":
            member = active_member(federation, member_id=effect.get("member"))
            return {"type": kind, "member": member.pk, "label": member_label(member)}
        if statutes.partners_admitted_by_bureau_unanimity:
            raise ServiceError(
                _("Selon les statuts, les partenaires sont admis par le bureau à l'unanimité."),
                code="admission_by_bureau",
            )
        name = (effect.get("name") or "").strip()
        if not name:
            raise ServiceError(_("Nom du partenaire requis."), code="partner_name_required", field="effect")
        return {"type": kind, "name": name, "kind": effect.get("kind") or Partner.Kind.OTHER, "label": name}
    if kind == "bureau_seat":
        role = effect.get("role")
        if role not in BureauRole.values:
            raise ServiceError(_("Fonction du bureau inconnue."), code="invalid_role", field="effect")
        if body not in (Body.AGO, Body.AGE):
            raise ServiceError(_("Le bureau est élu par l'assemblée générale."), code="wrong_body")
        return {"type": kind, "role": role, "label": str(BureauRole(role).label)}
    if kind == "statutes_change":
        if decision_kind != DecisionKind.STATUTES:
            raise ServiceError(
                _("Une modification des statuts est une décision de type « statuts »."),
                code="wrong_decision_kind",
            )
        if body != Body.AGE:
            raise ServiceError(
                _("Les statuts ne se modifient qu'en assemblée générale extraordinaire."), code="wrong_body"
            )
        return {"type": kind, "changes": validated_changes(federation, effect.get("changes") or {})}
    if kind == "fee_scale":
        return _validated_fee_scale(body, decision_kind, effect)
    raise ServiceError(_("Effet de décision inconnu."), code="unknown_effect", field="effect")


FEE_SCALE_KEYS = ("1", "2", "3", "4", "partner")


def _validated_fee_scale(body: str, decision_kind: str, effect: dict) -> dict:
    """Seed 004: the AG sets the membership fees, accounting for "les moyens différents des CPTS" — one
    amount per ACI size tier (1 to 4, by the population of the territory), and one for partners."""
    if body not in (Body.AGO, Body.AGE) or decision_kind != DecisionKind.ORDINARY:
        raise ServiceError(
            _("Le barème des cotisations est une décision ordinaire de l'assemblée générale."),
            code="wrong_body",
        )
    try:
        year = int(effect.get("year"))
        amounts = {key: Decimal(str(effect.get("amounts", {})[key])) for key in FEE_SCALE_KEYS}
    except (TypeError, ValueError, KeyError, ArithmeticError) as exc:
        raise ServiceError(
            _("Le barème donne une année et un montant par taille de CPTS (1 à 4) et pour les partenaires."),
            code="invalid_fee_scale",
            field="effect",
        ) from exc
    if not 2000 <= year <= 2100 or any(amount < 0 for amount in amounts.values()):
        raise ServiceError(_("Année ou montant hors des limites."), code="invalid_fee_scale", field="effect")
    label = _("Barème %(year)d : %(tiers)s ; partenaires %(partner)s €") % {
        "year": year,
        "tiers": ", ".join(
            _("taille %(t)s : %(a)s €") % {"t": t, "a": amounts[t]} for t in FEE_SCALE_KEYS[:4]
        ),
        "partner": amounts["partner"],
    }
    return {
        "type": "fee_scale",
        "year": year,
        "amounts": {k: str(v) for k, v in amounts.items()},
        "label": label,
    }


def _apply_fee_scale(poll: Poll, effect: dict) -> None:
    """Each current member's fee for the year, from its size tier (CPTS) or the partners' amount."""
    federation = poll.federation
    amounts = effect["amounts"]
    for member in active_members(federation):
        key = str(cpts_size_tier(member.cpts)) if member.cpts_id else "partner"
        fee_set(
            actor=None,
            federation=federation,
            member=member,
            year=effect["year"],
            amount=Decimal(amounts[key]),
        )


def apply_effect(poll: Poll, actor: User | None) -> None:
    """Apply an adopted motion's effect (inside the publishing transaction)."""
    effect = poll.effect or {}
    kind = effect.get("type")
    federation = poll.federation
    if kind == "cpts_join":
        federation_services.federation_add_cpts(
            federation=federation, cpts=Cpts.objects.get(pk=effect["cpts"])
        )
    elif kind == "member_leave":
        member = FederationMember.objects.get(pk=effect["member"], federation=federation)
        if member.left_on is None:
            federation_services.federation_member_leave(member=member)
            Delegate.objects.filter(member=member, until__isnull=True).update(until=timezone.localdate())
    elif kind == "partner_join":
        federation_services.partner_create(federation=federation, name=effect["name"], kind=effect["kind"])
    elif kind == "statutes_change":
        statutes_apply_change(poll=poll, changes=effect["changes"])
    elif kind == "fee_scale":
        _apply_fee_scale(poll, effect)


def apply_election(poll: Poll, actor: User | None) -> None:
    """An election to a bureau seat with a winner installs them."""
    if poll.result.get("elected") and (poll.effect or {}).get("type") == "bureau_seat":
        candidate = Candidate.objects.select_related("user", "member").get(pk=int(poll.result["elected"]))
        bureau_seat_elected(actor=actor, poll=poll, candidate=candidate)
