"""Invitations to a CPTS, with the invited person's consent (issue 17, item 4).

A coordinator invites an e-mail address with a role. Nothing changes in the CPTS until the person accepts,
from the e-mail's link (a signed token) or from their account page; the invitation expires after
`settings.INVITATION_TTL_DAYS`, and a coordinator may withdraw it. The coordinator's answer is the same
whether or not an account has that address: no account id, no name. Inviting again while an invitation is
pending sends it again (and says so). Role changes and removals are `federation.services.membership_set`
and `membership_remove` (audited).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Cpts, CptsRole, Invitation, Membership, SecurityEvent, User

_SALT = "federation.invitation"
MAX_SENDS = 5  # sends of one pending invitation (first one included)


# --- links ----------------------------------------------------------------------------------------
def invitation_token(invitation: Invitation) -> str:
    """The signed token of the e-mail's link (the invitation's id and address, signed with SECRET_KEY)."""
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    """The link, on the address the site is served on (settings.SITE_URL)."""
    return settings.SITE_URL + reverse("invitation-respond", kwargs={"token": invitation_token(invitation)})


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link designates; ServiceError `invitation_invalid` for a forged or damaged link."""
    try:
        data = signing.loads(
            token, salt=_SALT, max_age=timedelta(days=max(settings.INVITATION_TTL_DAYS, 1) * 2)
        )
    except signing.BadSignature:
        raise ServiceError(_("Ce lien d'invitation n'est pas valide."), code="invitation_invalid") from None
    invitation = Invitation.objects.select_related("cpts", "invited_by").filter(pk=data.get("i")).first()
    if invitation is None or invitation.email != data.get("e"):
        raise ServiceError(_("Ce lien d'invitation n'est pas valide."), code="invitation_invalid")
    return invitation


# --- reads ----------------------------------------------------------------------------------------
def cpts_invitations(cpts: Cpts) -> QuerySet[Invitation]:
    """A CPTS's pending invitations (expired ones included, marked so), newest first."""
    return cpts.invitations.filter(status=Invitation.Status.PENDING).select_related("invited_by")


def user_invitations(user: User) -> QuerySet[Invitation]:
    """Invitations waiting for this person (their account's address), still open."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            email=user.email.lower(), status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
        )
        .select_related("cpts", "invited_by")
        .order_by("-created_at")
    )


def access_invitation(user: User, invitation_id: int) -> Invitation:
    """An open invitation addressed to `user`; Http404 otherwise (someone else's looks like none)."""
    from django.http import Http404

    invitation = user_invitations(user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def access_cpts_invitation(cpts: Cpts, invitation_id: int) -> Invitation:
    """A pending invitation of `cpts` (the CPTS already checked for write); Http404 otherwise."""
    from django.http import Http404

    invitation = cpts_invitations(cpts).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def pending_counts_by_cpts(cpts_ids: list[int]) -> dict[int, int]:
    """Open invitations per CPTS, in one query (the cockpit panel)."""
    rows = (
        Invitation.objects.filter(
            cpts_id__in=cpts_ids, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
        )
        .values("cpts_id")
        .annotate(n=Count("id"))
    )
    return {row["cpts_id"]: row["n"] for row in rows}


# --- writes ---------------------------------------------------------------------------------------
def _check_manager(actor: User | None, cpts: Cpts) -> None:
    from federation.services import _check_manager as check

    check(actor, cpts)


def _audit(kind: str, *, actor: User | None, invitation: Invitation, subject: User | None = None) -> None:
    from federation.services import security_event_record

    security_event_record(
        kind=kind,
        actor=actor,
        subject=subject,
        email=invitation.email,
        detail={"cpts": invitation.cpts.slug, "role": invitation.role, "invitation": invitation.pk},
    )


@transaction.atomic
def invitation_send(
    *, actor: User | None, cpts: Cpts, email: str, role: str = CptsRole.MEMBER, display_name: str = ""
) -> tuple[Invitation, bool]:
    """Invite `email` into `cpts` with `role`. Returns (invitation, resent): an invitation already pending
    for that address is sent again with a fresh expiry instead of a second one.

    The answer does not depend on whether an account has the address.
    """
    _check_manager(actor, cpts)
    email = User.objects.normalize_email(email).strip().lower()
    if role not in CptsRole.values:
        raise ServiceError(_("Rôle inconnu."), code="invalid_choice", field="role")
    if Membership.objects.filter(cpts=cpts, user__email__iexact=email).exists():
        # The coordinator sees the member list anyway: this reveals nothing they cannot see.
        raise ServiceError(
            _("Cette personne est déjà membre de la CPTS : changez son rôle dans la liste des membres."),
            code="already_member",
            field="email",
        )
    expires = timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS)
    invitation = (
        Invitation.objects.select_for_update()
        .filter(cpts=cpts, email=email, status=Invitation.Status.PENDING)
        .first()
    )
    resent = invitation is not None
    if resent and invitation.sent_count >= MAX_SENDS:
        # The address's owner should not be flooded: after a few sends, withdraw and think again.
        raise ServiceError(
            _("Cette invitation a déjà été envoyée %(n)d fois : retirez-la avant d'inviter à nouveau.")
            % {"n": invitation.sent_count},
            code="too_many_sends",
            field="email",
        )
    if resent:
        invitation.role, invitation.expires_at = role, expires
        invitation.display_name = display_name or invitation.display_name
        invitation.sent_count += 1
        invitation.invited_by = actor or invitation.invited_by
    else:
        invitation = Invitation(
            cpts=cpts, email=email, role=role, display_name=display_name, invited_by=actor, expires_at=expires
        )
    invitation.full_clean()
    invitation.save()
    _audit(SecurityEvent.Kind.INVITATION_SENT, actor=actor, invitation=invitation)
    transaction.on_commit(lambda: _send_invitation_mail(invitation))
    return invitation, resent


def _send_invitation_mail(invitation: Invitation) -> None:
    inviter = invitation.invited_by.get_full_name() if invitation.invited_by else _("La coordination")
    send_mail(
        _("Invitation à rejoindre %(cpts)s sur Maillage") % {"cpts": invitation.cpts.name},
        _(
            "%(inviter)s vous invite à rejoindre l'espace de « %(cpts)s » sur Maillage, "
            "avec le rôle « %(role)s ».\n\n"
            "Rien ne change tant que vous n'avez pas accepté. Pour accepter ou décliner :\n%(url)s\n\n"
            "Cette invitation expire le %(expires)s. Si vous ne l'attendiez pas, ignorez ce message."
        )
        % {
            "inviter": inviter,
            "cpts": invitation.cpts.name,
            "role": invitation.get_role_display(),
            "url": invitation_url(invitation),
            "expires": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y"),
        },
        None,
        [invitation.email],
    )


def _check_open(invitation: Invitation) -> None:
    if invitation.status != Invitation.Status.PENDING:
        raise ServiceError(
            _("Cette invitation n'est plus valable (%(status)s).")
            % {"status": invitation.get_status_display().lower()},
            code="invitation_closed",
        )
    if invitation.is_expired:
        raise ServiceError(
            _("Cette invitation a expiré : demandez à la coordination de la CPTS de vous inviter à nouveau."),
            code="invitation_expired",
        )


def _check_addressee(actor: User, invitation: Invitation) -> None:
    if actor.email.lower() != invitation.email:
        raise ServiceError(
            _("Cette invitation est adressée à une autre adresse e-mail que celle de votre compte."),
            code="invitation_other_address",
        )


@transaction.atomic
def invitation_accept(*, actor: User, invitation: Invitation) -> Membership:
    """The invited person (signed in with the invited address) joins the CPTS with the invited role."""
    from federation.services import membership_set

    invitation = Invitation.objects.select_for_update().select_related("cpts").get(pk=invitation.pk)
    _check_open(invitation)
    _check_addressee(actor, invitation)
    membership = membership_set(actor=None, cpts=invitation.cpts, user=actor, role=invitation.role)
    invitation.status, invitation.responded_at = Invitation.Status.ACCEPTED, timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _audit(SecurityEvent.Kind.INVITATION_ACCEPTED, actor=actor, invitation=invitation, subject=actor)
    return membership


@transaction.atomic
def invitation_accept_new_account(*, invitation: Invitation, password: str, display_name: str = "") -> User:
    """From the e-mail's link, with no account yet: the account is created with the invited address
    (the link proves the mailbox) and joins the CPTS."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.password_validation import validate_password

    from federation.services import user_create

    invitation = Invitation.objects.select_for_update().select_related("cpts").get(pk=invitation.pk)
    _check_open(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ServiceError(
            _("Un compte existe déjà pour cette adresse : connectez-vous pour accepter."),
            code="account_exists",
        )
    try:
        validate_password(password)
    except Exception as exc:  # Django's ValidationError: shown on the password field
        raise ServiceError(
            " ".join(getattr(exc, "messages", [str(exc)])), code="password_too_weak", field="password"
        ) from None
    user = user_create(
        email=invitation.email, password=password, display_name=display_name or invitation.display_name
    )
    # The link proved the mailbox: the address is verified for allauth too.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation_accept(actor=user, invitation=invitation)
    return user


@transaction.atomic
def invitation_decline(*, actor: User, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("cpts").get(pk=invitation.pk)
    _check_open(invitation)
    _check_addressee(actor, invitation)
    invitation.status, invitation.responded_at = Invitation.Status.DECLINED, timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _audit(SecurityEvent.Kind.INVITATION_DECLINED, actor=actor, invitation=invitation, subject=actor)
    return invitation


@transaction.atomic
def invitation_withdraw(*, actor: User | None, invitation: Invitation) -> Invitation:
    """A coordinator withdraws a pending invitation: its link no longer works."""
    _check_manager(actor, invitation.cpts)
    invitation = Invitation.objects.select_for_update().select_related("cpts").get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ServiceError(_("Cette invitation n'est plus en attente."), code="invitation_closed")
    invitation.status, invitation.responded_at = Invitation.Status.WITHDRAWN, timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _audit(SecurityEvent.Kind.INVITATION_WITHDRAWN, actor=actor, invitation=invitation)
    return invitation
