"""Writes of the base layer: keyword-only, atomic, validated before save."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from federation import territory_services
from federation.errors import ServiceError
from federation.events import send_event_on_commit, send_membership_changed_on_commit, user_group
from federation.models import (
    CPTS_MANAGER_ROLES,
    College,
    Cpts,
    CptsRole,
    Departement,
    Federation,
    FederationMember,
    FederationRole,
    MaturityStage,
    Membership,
    Partner,
    SecurityEvent,
    User,
)


def _check_manager(actor: User | None, cpts: Cpts) -> None:
    """Only coordinators/admins of the CPTS, or staff, change it. `actor=None` is the system."""
    if actor is None or actor.is_staff:
        return
    if not Membership.objects.filter(
        user=actor, cpts=cpts, role__in=[CptsRole.COORDINATOR, CptsRole.ADMIN]
    ).exists():
        raise PermissionDenied


@transaction.atomic
def user_create(*, email: str, password: str | None, display_name: str = "", **extra) -> User:
    user = User(email=User.objects.normalize_email(email).lower(), display_name=display_name, **extra)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def cpts_create(
    *,
    actor: User | None,
    name: str,
    slug: str = "",
    maturity_stage: str = MaturityStage.PROJECT,
    legal_status: str = Cpts.LegalStatus.ASSOCIATION_1901,
    commune_codes: Iterable[str] = (),
) -> Cpts:
    cpts = Cpts(
        name=name,
        slug=slug or slugify(name)[:50],
        maturity_stage=maturity_stage,
        legal_status=legal_status,
    )
    cpts.full_clean()
    cpts.save()
    if commune_codes:
        cpts_add_communes(actor=actor, cpts=cpts, commune_codes=commune_codes)
    return cpts


@transaction.atomic
def cpts_add_communes(*, actor: User | None, cpts: Cpts, commune_codes: Iterable[str]) -> int:
    """Add communes to a CPTS territory (kept in its history): see `territory_services`."""
    return territory_services.cpts_territory_add(actor=actor, cpts=cpts, commune_codes=commune_codes)


@transaction.atomic
def cpts_territory_change(
    *, actor: User | None, cpts: Cpts, add: Iterable[str], remove: Iterable[str]
) -> None:
    """Add and remove communes in one step: all of it applies, or none."""
    territory_services.cpts_territory_edit(actor=actor, cpts=cpts, add=add, remove=remove)


@transaction.atomic
def cpts_remove_communes(*, actor: User | None, cpts: Cpts, commune_codes: Iterable[str]) -> int:
    return territory_services.cpts_territory_remove(actor=actor, cpts=cpts, commune_codes=commune_codes)


def security_event_record(
    *,
    kind: str,
    actor: User | None = None,
    subject: User | None = None,
    email: str = "",
    ip_address: str | None = None,
    detail: dict | None = None,
) -> SecurityEvent:
    """Append an entry to the security audit trail."""
    event = SecurityEvent(
        kind=kind, actor=actor, subject=subject, email=email[:254], ip_address=ip_address, detail=detail or {}
    )
    event.full_clean()
    event.save()
    return event


def _check_not_last_manager(cpts: Cpts, user: User) -> None:
    """A CPTS keeps at least one coordinator or admin: nobody could manage it otherwise."""
    others = Membership.objects.filter(cpts=cpts, role__in=CPTS_MANAGER_ROLES).exclude(user=user)
    if not others.exists():
        raise ServiceError(
            _("La CPTS doit garder au moins un·e coordinateur·rice ou administrateur·rice."),
            code="last_manager",
        )


@transaction.atomic
def membership_set(*, actor: User | None, cpts: Cpts, user: User, role: str = CptsRole.MEMBER) -> Membership:
    """Make `user` a member of `cpts` with `role` (creates or updates the membership)."""
    _check_manager(actor, cpts)
    membership, created = Membership.objects.get_or_create(user=user, cpts=cpts, defaults={"role": role})
    previous = None if created else membership.role
    if previous in CPTS_MANAGER_ROLES and role not in CPTS_MANAGER_ROLES:
        _check_not_last_manager(cpts, user)
    membership.role = role
    membership.full_clean()
    membership.save()
    if created:
        send_membership_changed_on_commit(user=user, cpts=cpts)
    elif previous != role:
        # A lower role may see less (bureau-only channels, governance): sockets re-check at once.
        send_event_on_commit([user_group(user.pk)], {"type": "access.revoked", "user": user.pk})
    if previous != role:
        security_event_record(
            kind=SecurityEvent.Kind.ROLE_CHANGED,
            actor=actor,
            subject=user,
            email=user.email,
            detail={"cpts": cpts.slug, "from": previous, "to": role},
        )
    return membership


@transaction.atomic
def membership_remove(*, actor: User | None, cpts: Cpts, user: User) -> None:
    """Remove `user` from `cpts`; their open websockets lose that CPTS' conversations at once
    (federation.revocation, on the membership's deletion)."""
    _check_manager(actor, cpts)
    if Membership.objects.filter(cpts=cpts, user=user, role__in=CPTS_MANAGER_ROLES).exists():
        _check_not_last_manager(cpts, user)
    deleted, _details = Membership.objects.filter(cpts=cpts, user=user).delete()
    if deleted:
        security_event_record(
            kind=SecurityEvent.Kind.MEMBER_REMOVED,
            actor=actor,
            subject=user,
            email=user.email,
            detail={"cpts": cpts.slug},
        )


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Disable an account: it can no longer sign in, its sessions, API token and websockets end
    (`user_access_end`, run on the save by federation.revocation, as for the admin change form)."""
    if actor is not None and not actor.is_staff:
        raise PermissionDenied
    if not user.is_active:
        return user
    user.is_active = False
    user._deactivated_by = actor
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_access_end(*, user: User, actor: User | None = None) -> None:
    """An account was deactivated, by any path: end its sessions and API tokens (each deletion tells its
    sockets), tell its other sockets, audit."""
    from allauth.usersessions.models import UserSession
    from rest_framework.authtoken.models import Token

    # Sessions allauth did not track are refused anyway: Django's backend rejects inactive users.
    for session in UserSession.objects.filter(user=user):
        session.end()
    for token in Token.objects.filter(user=user):
        token.delete()
    security_event_record(
        kind=SecurityEvent.Kind.ACCOUNT_DISABLED, actor=actor, subject=user, email=user.email
    )
    send_event_on_commit([user_group(user.pk)], {"type": "access.revoked", "user": user.pk})


@transaction.atomic
def federation_create(
    *, actor: User | None, name: str, departement: Departement, slug: str = ""
) -> Federation:
    if actor is not None and not actor.is_staff:
        raise PermissionDenied
    federation = Federation(name=name, slug=slug or slugify(name)[:50], departement=departement)
    federation.full_clean()
    federation.save()
    return federation


@transaction.atomic
def federation_add_cpts(*, federation: Federation, cpts: Cpts, joined_on=None) -> FederationMember:
    """Record that `cpts` joins the CPTS college of `federation`.

    The decision itself (AG or bureau, per statutes) belongs to governance, which calls this.
    """
    if MaturityStage.rank(cpts.maturity_stage) < MaturityStage.rank(federation.min_join_stage):
        raise ValidationError(
            _("La CPTS « %(cpts)s » n'a pas atteint le stade requis pour adhérer (%(stage)s).")
            % {"cpts": cpts.name, "stage": MaturityStage(federation.min_join_stage).label},
            code="stage_too_early",
        )
    current = FederationMember.objects.filter(cpts=cpts, left_on__isnull=True).first()
    if current is not None:
        if current.federation_id == federation.id:
            return current
        raise ValidationError(
            _("La CPTS « %(cpts)s » est déjà membre de « %(federation)s ».")
            % {"cpts": cpts.name, "federation": current.federation.name},
            code="already_member",
        )
    member = FederationMember(
        federation=federation,
        college=College.CPTS,
        cpts=cpts,
        joined_on=joined_on or timezone.localdate(),
    )
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def partner_create(*, federation: Federation, name: str, kind: str, slug: str = "") -> Partner:
    partner = Partner(federation=federation, name=name, kind=kind, slug=slug or slugify(name)[:50])
    partner.full_clean()
    partner.save()
    member = FederationMember(federation=federation, college=College.PARTNERS, partner=partner)
    member.full_clean()
    member.save()
    return partner


@transaction.atomic
def federation_member_leave(*, member: FederationMember, left_on=None) -> FederationMember:
    member.left_on = left_on or timezone.localdate()
    member.full_clean()
    member.save(update_fields=["left_on"])
    return member


@transaction.atomic
def federation_role_grant(
    *, federation: Federation, user: User, role: str, partner: Partner | None = None
) -> FederationRole:
    if partner is not None and partner.federation_id != federation.id:
        raise ValidationError(_("Ce partenaire n'appartient pas à cette fédération."))
    grant, _created = FederationRole.objects.get_or_create(
        federation=federation, user=user, role=role, partner=partner
    )
    return grant
