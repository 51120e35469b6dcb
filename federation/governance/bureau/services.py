"""Writes of the bureau: installing a whole bureau, seating the winner of an election."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import services as federation_services
from federation.errors import ServiceError
from federation.governance.audit import audit_append
from federation.governance.bureau.models import (
    REQUIRED_BUREAU_ROLES,
    BureauMandate,
    BureauRole,
    PartnerAdmission,
    PartnerAdmissionAnswer,
)
from federation.governance.bureau.selectors import active_mandates
from federation.governance.common import check_manager, several_errors
from federation.governance.membership.selectors import active_delegates, college_members
from federation.governance.statutes.selectors import statutes_of
from federation.models import College, Federation, Partner, User


def _term_end(starts_on: date, years: int) -> date:
    try:
        return starts_on.replace(year=starts_on.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return starts_on.replace(month=2, day=28, year=starts_on.year + years)


def _parity_error(federation: Federation, seats_per_member: dict[int, int]) -> str | None:
    """Seed 004: with exactly two member CPTS, both hold as many seats. The message, or None."""
    member_cpts = list(college_members(federation, College.CPTS))
    if len(member_cpts) != 2:
        return None
    counts = [seats_per_member.get(m.pk, 0) for m in member_cpts]
    if counts[0] == counts[1]:
        return None
    return _(
        "La fédération ne compte que deux CPTS : le bureau doit respecter la parité entre elles "
        "(%(a)s : %(na)d poste(s), %(b)s : %(nb)d poste(s))."
    ) % {"a": member_cpts[0].cpts.name, "na": counts[0], "b": member_cpts[1].cpts.name, "nb": counts[1]}


@transaction.atomic
def bureau_set(
    *,
    actor: User | None,
    federation: Federation,
    seats: list[tuple[User, str]],
    starts_on: date,
    elected_by: dict | None = None,
) -> list[BureauMandate]:
    """Install a whole bureau (the previous one ends the day before). Candidates must be delegates of
    the CPTS college; president, vice-president(s), treasurer and secretary are required; with exactly
    two member CPTS, both have the same number of seats (seed 004)."""
    check_manager(actor, federation)
    statutes = statutes_of(federation)
    errors = []
    roles = [role for _user, role in seats]
    unknown = [role for role in roles if role not in BureauRole.values]
    if unknown:
        raise ServiceError(_("Fonction du bureau inconnue."), code="invalid_role", field="seats")
    for role in REQUIRED_BUREAU_ROLES:
        count = roles.count(role)
        if count == 0:
            errors.append(_("Le bureau doit compter un·e %(role)s.") % {"role": BureauRole(role).label})
        elif count > 1 and role != BureauRole.VICE_PRESIDENT:
            errors.append(_("Un seul poste de %(role)s.") % {"role": BureauRole(role).label})
    if roles.count(BureauRole.VICE_PRESIDENT) > statutes.vice_presidents_max:
        errors.append(
            _("Les statuts prévoient au plus %(n)d vice-président·e(s).")
            % {"n": statutes.vice_presidents_max}
        )
    if not statutes.deputies_allowed and any(
        r in (BureauRole.DEPUTY_SECRETARY, BureauRole.DEPUTY_TREASURER) for r in roles
    ):
        errors.append(_("Les statuts ne prévoient pas de postes d'adjoints."))
    users = [user for user, _role in seats]
    if len({u.pk for u in users}) != len(users):
        errors.append(_("Une même personne ne peut occuper deux postes du bureau."))
    delegations = {
        d.user_id: d
        for d in active_delegates(federation).filter(user__in=users, member__college=College.CPTS)
    }
    for user in users:
        if user.pk not in delegations:
            errors.append(
                _(
                    "%(user)s n'est pas délégué·e d'une CPTS membre : le bureau est choisi dans le collège des CPTS."
                )
                % {"user": user}
            )
    if not errors:
        per_member: dict[int, int] = {}
        for user in users:
            member_id = delegations[user.pk].member_id
            per_member[member_id] = per_member.get(member_id, 0) + 1
        parity = _parity_error(federation, per_member)
        if parity:
            errors.append(parity)
    if errors:
        raise several_errors(errors, "invalid_bureau")
    for mandate in active_mandates(federation, starts_on):
        mandate.ended_early_on = starts_on
        mandate.save(update_fields=["ended_early_on"])
    ends_on = _term_end(starts_on, statutes.bureau_term_years)
    created = []
    for user, role in seats:
        mandate = BureauMandate(
            federation=federation,
            user=user,
            member=delegations[user.pk].member,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            elected_by_id=(elected_by or {}).get(role),
        )
        mandate.full_clean()
        mandate.save()
        created.append(mandate)
    audit_append(
        federation=federation,
        event="bureau.installed",
        actor=actor,
        payload={
            "starts_on": starts_on.isoformat(),
            "seats": [{"user": m.user_id, "role": m.role, "member": m.member_id} for m in created],
        },
    )
    return created


def bureau_seat_elected(*, actor: User | None, poll, candidate) -> BureauMandate:
    """An election to a bureau seat installs the elected delegate for a full term; the previous holder
    of a single seat (president, treasurer, secretary, deputies) ends that day, and so does the elected
    person's other seat. With exactly two member CPTS, a complete bureau must keep parity between them.
    Runs inside the publishing transaction of the poll."""
    federation = poll.federation
    role = poll.effect["role"]
    statutes = statutes_of(federation)
    today = timezone.localdate()
    current = list(active_mandates(federation, today))
    leaving = [m for m in current if m.user_id == candidate.user_id]
    if role != BureauRole.VICE_PRESIDENT:
        leaving += [m for m in current if m.role == role and m not in leaving]
    elif len([m for m in current if m.role == role and m not in leaving]) >= statutes.vice_presidents_max:
        raise ServiceError(
            _("Les statuts prévoient au plus %(n)d vice-président·e(s).")
            % {"n": statutes.vice_presidents_max},
            code="invalid_bureau",
        )
    staying = [m for m in current if m not in leaving]
    roles_after = {m.role for m in staying} | {role}
    if all(r in roles_after for r in REQUIRED_BUREAU_ROLES):
        per_member: dict[int, int] = {}
        for m in staying:
            per_member[m.member_id] = per_member.get(m.member_id, 0) + 1
        per_member[candidate.member_id] = per_member.get(candidate.member_id, 0) + 1
        parity = _parity_error(federation, per_member)
        if parity:
            raise ServiceError(parity, code="invalid_bureau")
    for mandate in leaving:
        mandate.ended_early_on = today
        mandate.save(update_fields=["ended_early_on"])
    mandate = BureauMandate(
        federation=federation,
        user=candidate.user,
        member=candidate.member,
        role=role,
        starts_on=today,
        ends_on=_term_end(today, statutes.bureau_term_years),
        elected_by=poll,
    )
    mandate.full_clean()
    mandate.save()
    audit_append(
        federation=federation,
        event="bureau.elected",
        actor=actor,
        payload={
            "poll": poll.pk,
            "user": candidate.user_id,
            "role": role,
            "member": candidate.member_id,
            "vacated": [m.role for m in leaving if m.user_id == candidate.user_id],
        },
    )
    return mandate


# --- partners admitted by the bureau, unanimously (statutes option) ----------------------------------
def _check_bureau_admits(federation: Federation) -> None:
    if not statutes_of(federation).partners_admitted_by_bureau_unanimity:
        raise ServiceError(
            _("Selon les statuts, les partenaires sont admis par l'assemblée générale."),
            code="admission_by_ag",
        )


@transaction.atomic
def partner_admission_propose(
    *, actor: User | None, federation: Federation, name: str, kind: str = ""
) -> PartnerAdmission:
    """Propose a partner to the bureau (coordinators, or a member of the bureau in office)."""
    if actor is not None and not active_mandates(federation).filter(user=actor).exists():
        check_manager(actor, federation)
    _check_bureau_admits(federation)
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Nom du partenaire requis."), code="partner_name_required", field="name")
    kind = kind or Partner.Kind.OTHER
    if kind not in Partner.Kind.values:
        raise ServiceError(_("Type de partenaire inconnu."), code="invalid_kind", field="kind")
    if not active_mandates(federation).exists():
        raise ServiceError(_("Aucun bureau en fonction pour décider."), code="no_bureau")
    admission = PartnerAdmission(federation=federation, name=name, kind=kind, proposed_by=actor)
    admission.full_clean()
    admission.save()
    audit_append(
        federation=federation,
        event="partner_admission.proposed",
        actor=actor,
        payload={"admission": admission.pk, "name": name, "kind": kind},
    )
    return admission


@transaction.atomic
def partner_admission_answer(*, actor: User, admission: PartnerAdmission, agrees: bool) -> PartnerAdmission:
    """A member of the bureau in office agrees or not (for each seat they hold). One refusal refuses
    the admission; the agreement of every seat in office admits the partner."""
    federation = admission.federation
    # Two answers at once: the second waits here, then counts the first.
    PartnerAdmission.objects.select_for_update().filter(pk=admission.pk).first()
    admission.refresh_from_db(fields=["status"])
    if admission.status != PartnerAdmission.Status.PENDING:
        raise ServiceError(_("Cette admission est déjà décidée."), code="admission_decided")
    _check_bureau_admits(federation)
    seats = list(active_mandates(federation))
    mine = [m for m in seats if m.user_id == actor.pk]
    if not mine:
        raise PermissionDenied
    answered = set(admission.answers.values_list("mandate_id", flat=True))
    if all(m.pk in answered for m in mine):
        raise ServiceError(_("Vous avez déjà répondu."), code="already_answered")
    for mandate in mine:
        if mandate.pk not in answered:
            PartnerAdmissionAnswer.objects.create(
                admission=admission, mandate=mandate, user=actor, agrees=agrees
            )
    audit_append(
        federation=federation,
        event="partner_admission.answered",
        actor=actor,
        payload={"admission": admission.pk, "agrees": agrees, "seats": [m.pk for m in mine]},
    )
    agreed = set(admission.answers.filter(agrees=True).values_list("mandate_id", flat=True))
    if not agrees:
        admission.status = PartnerAdmission.Status.REFUSED
    elif all(m.pk in agreed for m in seats):
        admission.partner = federation_services.partner_create(
            federation=federation, name=admission.name, kind=admission.kind
        )
        admission.status = PartnerAdmission.Status.ADMITTED
    else:
        return admission
    admission.decided_at = timezone.now()
    admission.save(update_fields=["status", "partner", "decided_at"])
    audit_append(
        federation=federation,
        event=f"partner_admission.{admission.status}",
        actor=actor,
        payload={"admission": admission.pk, "name": admission.name, "seats": [m.pk for m in seats]},
    )
    return admission
