"""Websocket authentication: the session cookie (browsers) or `Authorization: Token <key>` on the
handshake (API clients), under the same policy as pages and the API:

- an expired or unknown token, or an inactive account, is anonymous (the consumer refuses the handshake);
- a role that must use a second factor (settings.MFA_REQUIRED_ROLES) and has none is refused at connect:
  the handshake is accepted only to close at once with the protocol's 4401 ("sign in again": the browser
  reloads, and the page sends the person to TOTP set-up), before the consumer subscribes to anything;
- `still_authenticated` is what open sockets re-check when told their access may have ended
  (federation.revocation) or every few seconds of activity.
"""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from federation.security import has_second_factor, mfa_required
from federation.tokens import token_is_expired

# The protocol's "authentication lost / sign in again" close code (messaging/PROTOCOL.md).
CLOSE_AUTH_REQUIRED = 4401


def _token_header(scope) -> str | None:
    headers = dict(scope.get("headers", []))
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if authorization.startswith("Token "):
        return authorization[6:].strip()
    return None


@database_sync_to_async
def _user_for_token(key: str):
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active or token_is_expired(token.created):
        return AnonymousUser()
    return token.user


def second_factor_missing(user) -> bool:
    """The MFA policy of pages and API (federation.middleware, federation.authentication)."""
    return (
        bool(settings.MFA_REQUIRED_ROLES)
        and user is not None
        and user.is_authenticated
        and mfa_required(user)
        and not has_second_factor(user)
    )


def still_authenticated(scope, user_id: int) -> bool:
    """Whether the socket's authentication still holds: active account, token still there and not
    expired (or session still there), second factor set up if the role requires one."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    key = _token_header(scope)
    if key is not None:
        created = Token.objects.filter(key=key, user_id=user_id).values_list("created", flat=True).first()
        if created is None or token_is_expired(created):
            return False
    else:
        session = scope.get("session")
        if session is not None and session.session_key and not session.exists(session.session_key):
            return False
    return not second_factor_missing(user)


class TokenAuthMiddleware(BaseMiddleware):
    """Sets scope["user"] from a token header; leaves the session user otherwise."""

    async def __call__(self, scope, receive, send):
        key = _token_header(scope)
        if key is not None:
            scope = dict(scope, user=await _user_for_token(key))
        return await super().__call__(scope, receive, send)


class SecondFactorPolicyMiddleware(BaseMiddleware):
    """Refuses, at connect, a user whose role requires a second factor they have not set up."""

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "websocket" and settings.MFA_REQUIRED_ROLES:
            user = scope.get("user")
            if await database_sync_to_async(second_factor_missing)(user):
                return await self._refuse(receive, send)
        return await super().__call__(scope, receive, send)

    @staticmethod
    async def _refuse(receive, send):
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": CLOSE_AUTH_REQUIRED})


def TokenOrSessionAuthMiddlewareStack(inner):  # noqa: N802 — mirrors Channels' naming
    return AuthMiddlewareStack(TokenAuthMiddleware(SecondFactorPolicyMiddleware(inner)))
