"""Writes of membership: delegates (designation, revocation) and fees."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import services as federation_services
from federation.errors import ServiceError
from federation.governance.access import can_manage_governance
from federation.governance.audit import audit_append
from federation.governance.bureau.selectors import president
from federation.governance.common import check_manager
from federation.governance.membership import selectors
from federation.governance.membership.models import Delegate, Fee, MemberProceeding
from federation.models import (
    College,
    Cpts,
    CptsCommune,
    Federation,
    FederationMember,
    FederationRole,
    Membership,
    User,
)


def active_member(federation: Federation, *, cpts: Cpts | None = None, member_id=None) -> FederationMember:
    """The current member of `federation` for a CPTS (or by id), or a `not_a_member` error."""
    members = FederationMember.objects.filter(federation=federation, left_on__isnull=True)
    member = members.filter(cpts=cpts).first() if cpts is not None else members.filter(pk=member_id).first()
    if member is None:
        raise ServiceError(_("Ce membre ne fait pas (ou plus) partie de la fédération."), code="not_a_member")
    return member


@transaction.atomic
def delegate_designate(
    *, actor: User | None, federation: Federation, cpts: Cpts, user: User, kind: str = Delegate.Kind.TITULAR
) -> Delegate:
    """A member CPTS designates a delegate or its substitute among its own members or bureau."""
    if actor is not None and not (
        can_manage_governance(actor, federation) or selectors.may_designate(actor, federation, cpts)
    ):
        raise PermissionDenied
    if kind not in Delegate.Kind.values:
        raise ServiceError(_("Type de délégation inconnu."), code="invalid_kind", field="kind")
    member = active_member(federation, cpts=cpts)
    if not Membership.objects.filter(user=user, cpts=cpts).exists():
        raise ServiceError(
            _(
                "%(user)s n'est pas membre de la CPTS « %(cpts)s » : un·e délégué·e est choisi·e parmi ses membres."
            )
            % {"user": user, "cpts": cpts.name},
            code="not_cpts_member",
            field="user",
        )
    existing = Delegate.objects.filter(member=member, user=user, until__isnull=True).first()
    if existing is not None and existing.kind == kind:
        return existing
    today = timezone.localdate()
    if existing is not None:
        existing.until = today
        existing.save(update_fields=["until"])
    if kind == Delegate.Kind.SUBSTITUTE:
        Delegate.objects.filter(member=member, kind=kind, until__isnull=True).update(until=today)
    delegate = Delegate(federation=federation, member=member, user=user, kind=kind, since=today)
    delegate.full_clean()
    delegate.save()
    audit_append(
        federation=federation,
        event="delegate.designated",
        actor=actor,
        payload={"member": member.pk, "cpts": cpts.name, "user": user.pk, "kind": kind},
    )
    return delegate


@transaction.atomic
def delegate_revoke(*, actor: User | None, delegate: Delegate) -> Delegate:
    """End a delegation today (the governance managers, or the CPTS's coordinators, admins and bureau,
    who designated it). The person keeps their CPTS membership; the CPTS designates someone else."""
    federation = delegate.federation
    if actor is not None and not (
        can_manage_governance(actor, federation)
        or selectors.may_designate(actor, federation, delegate.member.cpts)
    ):
        raise PermissionDenied
    delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
    if delegate.until is not None:
        raise ServiceError(_("Cette délégation a déjà pris fin."), code="already_revoked")
    delegate.until = timezone.localdate()
    delegate.save(update_fields=["until"])
    audit_append(
        federation=federation,
        event="delegate.revoked",
        actor=actor,
        payload={"delegate": delegate.pk, "member": delegate.member_id, "user": delegate.user_id},
    )
    return delegate


@transaction.atomic
def fee_set(
    *, actor: User | None, federation: Federation, member: FederationMember, year: int, amount
) -> Fee:
    """The fee of a member for a year (amounts are set by the AG; recorded here by its managers)."""
    check_manager(actor, federation)
    if member.federation_id != federation.pk:
        raise ServiceError(
            _("Ce membre n'appartient pas à cette fédération."), code="not_a_member", field="member"
        )
    fee = Fee.objects.filter(member=member, year=year).first() or Fee(
        federation=federation, member=member, year=year
    )
    fee.amount = amount
    fee.full_clean()
    fee.save()
    audit_append(
        federation=federation,
        event="fee.set",
        actor=actor,
        payload={"member": member.pk, "year": year, "amount": amount},
    )
    return fee


@transaction.atomic
def fee_mark(*, actor: User | None, fee: Fee, status: str, paid_on: date | None = None) -> Fee:
    check_manager(actor, fee.federation)
    if status not in Fee.Status.values:
        raise ServiceError(_("Statut de paiement inconnu."), code="invalid_status", field="status")
    fee.status = status
    fee.paid_on = (paid_on or timezone.localdate()) if status == Fee.Status.PAID else None
    fee.full_clean()
    fee.save()
    audit_append(
        federation=fee.federation,
        event="fee.status",
        actor=actor,
        payload={"fee": fee.pk, "member": fee.member_id, "year": fee.year, "status": status},
    )
    return fee


@transaction.atomic
def cpts_join_declare(*, actor: User | None, federation: Federation, cpts: Cpts, cross_border: bool = False):
    """A CPTS joins by declaration, without a vote. Seed 004: the member CPTS are "membres de droit" and
    each is free to join or not, whatever its maturity, at the stage the federation set (a statutes
    setting); the inter-CPTS federates the CPTS of its département — a CPTS whose territory lies
    elsewhere declares itself cross-border. Declared by the CPTS's coordinators, admins or bureau (or
    the governance managers)."""
    if actor is not None and not (
        can_manage_governance(actor, federation) or selectors.may_designate(actor, federation, cpts)
    ):
        raise PermissionDenied
    in_departement = CptsCommune.objects.filter(
        cpts=cpts, commune__departement=federation.departement
    ).exists()
    if not in_departement and not cross_border:
        raise ServiceError(
            _(
                "Le territoire de la CPTS « %(cpts)s » n'a aucune commune dans le département %(dep)s : "
                "déclarez-la transfrontalière pour adhérer."
            )
            % {"cpts": cpts.name, "dep": federation.departement_id},
            code="outside_departement",
            field="cross_border",
        )
    member = federation_services.federation_add_cpts(federation=federation, cpts=cpts)
    audit_append(
        federation=federation,
        event="member.joined",
        actor=actor,
        payload={
            "member": member.pk,
            "cpts": cpts.pk,
            "by": "declaration",
            "cross_border": bool(cross_border and not in_departement),
        },
    )
    return member


@transaction.atomic
def member_leave_declare(*, actor: User | None, member: FederationMember) -> FederationMember:
    """A member CPTS leaves by declaration (seed 004: free to join or not), without a vote; its
    delegations end the same day."""
    federation = member.federation
    if member.college != College.CPTS:
        raise ServiceError(_("Seule une CPTS membre déclare son départ."), code="not_a_cpts")
    if actor is not None and not (
        can_manage_governance(actor, federation) or selectors.may_designate(actor, federation, member.cpts)
    ):
        raise PermissionDenied
    if member.left_on is not None:
        raise ServiceError(_("Cette CPTS a déjà quitté la fédération."), code="already_left")
    federation_services.federation_member_leave(member=member)
    ended = Delegate.objects.filter(member=member, until__isnull=True).update(until=timezone.localdate())
    audit_append(
        federation=federation,
        event="member.left",
        actor=actor,
        payload={
            "member": member.pk,
            "cpts": member.cpts_id,
            "by": "declaration",
            "delegations_ended": ended,
        },
    )
    return member


REMINDERS_BEFORE_STRIKE_OFF = 3  # seed 000: "après trois rappels demeurés infructueux"


@transaction.atomic
def fee_remind(*, actor: User | None, fee: Fee) -> Fee:
    """Record a reminder of an unpaid fee, and e-mail it (on commit) to the member's delegates."""
    check_manager(actor, fee.federation)
    fee = (
        Fee.objects.select_for_update(of=("self",))
        .select_related("federation", "member__cpts", "member__partner")
        .get(pk=fee.pk)
    )
    if fee.status != Fee.Status.DUE:
        raise ServiceError(_("Cette cotisation n'est pas à payer."), code="fee_not_due")
    fee.reminders_sent += 1
    fee.last_reminded_on = timezone.localdate()
    fee.save(update_fields=["reminders_sent", "last_reminded_on"])
    audit_append(
        federation=fee.federation,
        event="fee.reminded",
        actor=actor,
        payload={"fee": fee.pk, "member": fee.member_id, "year": fee.year, "reminder": fee.reminders_sent},
    )
    emails = sorted(
        {
            d.user.email
            for d in Delegate.objects.filter(member=fee.member, until__isnull=True).select_related("user")
        }
    )
    if emails:
        from django.core.mail import EmailMessage

        subject = _("[%(federation)s] Rappel n° %(n)d : cotisation %(year)d") % {
            "federation": fee.federation.name,
            "n": fee.reminders_sent,
            "year": fee.year,
        }
        body = _("La cotisation %(year)d de %(member)s (%(amount)s €) reste à payer.") % {
            "year": fee.year,
            "member": selectors.member_label(fee.member),
            "amount": fee.amount,
        }
        transaction.on_commit(lambda: EmailMessage(subject, body, to=emails).send())
    return fee


@transaction.atomic
def member_proceeding_open(
    *, actor: User | None, member: FederationMember, kind: str, reason: str
) -> MemberProceeding:
    """Invite a member to present its defence (exclusion) or its written explanations (strike-off for an
    unpaid fee, only after three unanswered reminders) — the step the model statutes put first."""
    federation = member.federation
    check_manager(actor, federation)
    if kind not in MemberProceeding.Kind.values:
        raise ServiceError(_("Procédure inconnue."), code="invalid_kind", field="kind")
    if member.left_on is not None:
        raise ServiceError(_("Ce membre a déjà quitté la fédération."), code="already_left")
    if not (reason or "").strip():
        raise ServiceError(
            _("Indiquez les motifs, communiqués au membre."), code="reason_required", field="reason"
        )
    if (
        kind == MemberProceeding.Kind.STRIKE_OFF
        and not Fee.objects.filter(
            member=member, status=Fee.Status.DUE, reminders_sent__gte=REMINDERS_BEFORE_STRIKE_OFF
        ).exists()
    ):
        raise ServiceError(
            _(
                "La radiation suppose une cotisation impayée après trois rappels demeurés infructueux (statuts)."
            ),
            code="reminders_missing",
        )
    if MemberProceeding.objects.filter(member=member, outcome=MemberProceeding.Outcome.PENDING).exists():
        raise ServiceError(_("Une procédure est déjà en cours pour ce membre."), code="proceeding_pending")
    proceeding = MemberProceeding(
        federation=federation,
        member=member,
        kind=kind,
        reason=reason.strip(),
        invited_on=timezone.localdate(),
    )
    proceeding.full_clean()
    proceeding.save()
    audit_append(
        federation=federation,
        event="member.defence_invited",
        actor=actor,
        payload={"proceeding": proceeding.pk, "member": member.pk, "kind": kind},
    )
    return proceeding


@transaction.atomic
def member_proceeding_decide(
    *, actor: User | None, proceeding: MemberProceeding, pronounce: bool
) -> MemberProceeding:
    """The president pronounces the exclusion or strike-off (the member leaves, its delegations end), or
    drops it. Only once the member was invited to defend itself — which opening the proceeding recorded."""
    federation = proceeding.federation
    if actor is not None:
        chair = president(federation)
        if chair is None or chair.user_id != actor.pk:
            raise PermissionDenied(_("L'exclusion et la radiation sont prononcées par le/la président·e."))
    proceeding = (
        MemberProceeding.objects.select_for_update(of=("self",))
        .select_related("member")
        .get(pk=proceeding.pk)
    )
    if proceeding.outcome != MemberProceeding.Outcome.PENDING:
        raise ServiceError(_("Cette procédure est close."), code="proceeding_closed")
    proceeding.outcome = (
        MemberProceeding.Outcome.PRONOUNCED if pronounce else MemberProceeding.Outcome.DROPPED
    )
    proceeding.decided_on = timezone.localdate()
    proceeding.decided_by = actor
    proceeding.save(update_fields=["outcome", "decided_on", "decided_by"])
    member = proceeding.member
    if pronounce and member.left_on is None:
        federation_services.federation_member_leave(member=member)
        Delegate.objects.filter(member=member, until__isnull=True).update(until=timezone.localdate())
    audit_append(
        federation=federation,
        event="member.excluded"
        if proceeding.kind == MemberProceeding.Kind.EXCLUSION
        else "member.struck_off",
        actor=actor,
        payload={"proceeding": proceeding.pk, "member": member.pk, "pronounced": pronounce},
    )
    return proceeding


@transaction.atomic
def partner_delegate_designate(*, actor: User | None, federation: Federation, partner, user: User):
    """A partner's delegate (its consultative voice in the AG), designated by the governance managers."""
    check_manager(actor, federation)
    if partner.federation_id != federation.pk:
        raise ServiceError(
            _("Ce partenaire n'appartient pas à cette fédération."), code="not_a_member", field="partner"
        )
    role = federation_services.federation_role_grant(
        federation=federation, user=user, role=FederationRole.Role.PARTNER_DELEGATE, partner=partner
    )
    audit_append(
        federation=federation,
        event="partner.delegate_designated",
        actor=actor,
        payload={"partner": partner.pk, "user": user.pk, "role": role.pk},
    )
    return role
