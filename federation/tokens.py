"""API tokens: issuance, expiry, listing and revocation.

A token is DRF's `authtoken` row (one per user: the key the API client holds). It expires
`settings.API_TOKEN_TTL_DAYS` days after it was issued: expired tokens are refused by the API and the
websocket at once, and a periodic task deletes them, which (like any deletion: the user's own
revocation, an admin's, a deactivation) closes the sockets opened with them (`federation.revocation`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from federation.errors import ServiceError
from federation.models import SecurityEvent, User


def token_ttl() -> timedelta | None:
    """How long a token lives; None when `API_TOKEN_TTL_DAYS` is 0 (never expires)."""
    days = settings.API_TOKEN_TTL_DAYS
    return timedelta(days=days) if days else None


def token_expires_at(created: datetime) -> datetime | None:
    ttl = token_ttl()
    return created + ttl if ttl else None


def token_is_expired(created: datetime, now: datetime | None = None) -> bool:
    expires = token_expires_at(created)
    return expires is not None and expires <= (now or timezone.now())


# --- reads ----------------------------------------------------------------------------------------
def user_api_tokens(user: User) -> QuerySet[Token]:
    """The user's tokens (at most one with DRF's model), newest first."""
    return Token.objects.filter(user=user).order_by("-created")


def access_api_token(user: User, token_id: str) -> Token:
    """The user's token whose public id (first 8 characters of the key) is `token_id`.

    The full key is never shown again after issuance; other users' tokens are "not found" (404).
    """
    from django.http import Http404

    if not user.is_authenticated or len(token_id) != 8:
        raise Http404
    token = Token.objects.filter(user=user, key__startswith=token_id).first()
    if token is None:
        raise Http404
    return token


def token_public_id(token: Token) -> str:
    return token.key[:8]


# --- writes ---------------------------------------------------------------------------------------
@transaction.atomic
def api_token_issue(*, user: User, ip_address: str | None = None) -> Token:
    """The user's API token, created on first use or when the previous one expired; audited."""
    from federation.services import security_event_record

    token = Token.objects.filter(user=user).first()
    if token is not None and token_is_expired(token.created):
        token.delete()  # post_delete: sockets opened with it close
        token = None
    if token is None:
        token = Token.objects.create(user=user)
    security_event_record(
        kind=SecurityEvent.Kind.TOKEN_ISSUED, subject=user, email=user.email, ip_address=ip_address
    )
    return token


@transaction.atomic
def api_token_revoke(*, actor: User, token: Token) -> None:
    """Delete a token: the API refuses it and the sockets opened with it close within a second."""
    from federation.services import security_event_record

    if token.user_id != actor.pk and not actor.is_staff:
        raise ServiceError(_("Ce jeton ne vous appartient pas."), code="permission_denied")
    subject, public_id = token.user, token_public_id(token)
    token.delete()  # the key is the primary key: None afterwards
    security_event_record(
        kind=SecurityEvent.Kind.TOKEN_REVOKED,
        actor=actor,
        subject=subject,
        email=subject.email,
        detail={"token": public_id},
    )


def api_tokens_delete_expired() -> int:
    """Delete every expired token (periodic task). Each deletion closes the sockets opened with it."""
    ttl = token_ttl()
    if ttl is None:
        return 0
    expired = list(Token.objects.filter(created__lte=timezone.now() - ttl))
    for token in expired:
        token.delete()  # one by one, so post_delete tells each user's sockets
    return len(expired)


def api_token_obtain(*, request, email: str, password: str, code: str = "", ip_address: str | None = None):
    """The token endpoint: e-mail + password (+ TOTP code when the account has one) → token.

    One answer for every failing factor (`authorization`), so the endpoint confirms no password. A wrong
    or missing code is a failed sign-in for django-axes (Django's `user_login_failed`, which axes records)
    like a wrong password: repeated, it locks the (account, address) pair out. The failure counter is reset
    only once every factor passed. A role that must use a second factor and has none gets no token
    (`mfa_required`), as it gets no page and no API answer.
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth import authenticate
    from django.contrib.auth.signals import user_login_failed
    from rest_framework.exceptions import PermissionDenied

    from federation.security import has_second_factor, mfa_required

    refused = ServiceError(
        _("Identifiants incorrects : adresse e-mail, mot de passe ou code de double authentification."),
        code="authorization",
    )
    email = email.strip().lower()
    user = authenticate(request, email=email, password=password)
    if user is None or not user.is_active:
        raise refused  # Django already sent user_login_failed (axes counted it)
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None and not (code and TOTP(totp).validate_code(code)):
        user_login_failed.send(
            sender=__name__, credentials={"email": email, "username": email}, request=request
        )
        raise refused
    if mfa_required(user) and not has_second_factor(user):
        # The same 403 `mfa_required` as the API's authentication (federation.authentication).
        raise PermissionDenied(
            _("Votre rôle exige la double authentification : activez-la pour continuer."), code="mfa_required"
        )
    _axes_reset(request, email)
    return api_token_issue(user=user, ip_address=ip_address)


def _axes_reset(request, email: str) -> None:
    """Every factor passed: forget this (account, address) pair's failures, as axes does on a sign-in."""
    if not settings.AXES_RESET_ON_SUCCESS:
        return
    from axes.utils import reset

    from federation.security import client_ip

    reset(ip=client_ip(request), username=email)
