"""Websocket authentication: the session cookie (browsers) or `Authorization: Token <key>` on the
handshake (API clients), under the same policy as pages and the API:

- an expired or unknown token, or an inactive account, is anonymous (the consumer refuses the handshake);
- a role that must use a second factor (settings.MFA_REQUIRED_ROLES) and has none is refused at connect:
  the handshake is accepted only to close at once with the protocol's 4401 ("sign in again": the browser
  reloads, and the page sends the person to TOTP set-up), before the consumer subscribes to anything;
- `still_authenticated` is what open sockets re-check when told their access may have ended
  (federation.revocation) or every few seconds of activity.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from types import SimpleNamespace

from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from federation.compiled_sql import CompiledQuery
from federation.security import has_second_factor, mfa_required
from federation.tokens import token_is_expired

# The protocol's "authentication lost / sign in again" close code (messaging/PROTOCOL.md).
CLOSE_AUTH_REQUIRED = 4401


# --- the socket path's database calls -----------------------------------------------------------------
# A reconnect storm (a deploy closes every socket with 4012) is 1,000 handshakes at once, each needing
# the database (authentication, then the consumer's state). Measured (tests/perf/chat.py --storm):
# Channels' `database_sync_to_async` sent them all through ONE thread (thread-sensitive), and each call
# closed its connection (CONN_MAX_AGE 0 with the psycopg pool), so the next one borrowed it again with
# the pool's health-check round trip: a third of the database threads' time went into those checks.
_executor: ThreadPoolExecutor | None = None
_background_executor: ThreadPoolExecutor | None = None  # one thread: work that may wait its turn
_executor_lock = threading.Lock()
_kept = threading.local()  # .at: when this thread last kept its connection for a queued call
KEEP_IDLE_SECONDS = 5.0

# Background work (`background=True`) waits until handshakes have been quiet this long, at most
# BACKGROUND_MAX_WAIT: in a storm, 1,000 membership revalidations queued behind the handshakes took the
# interpreter lock from them (60 % of the server's samples, tests/perf/chat.py --storm under py-spy).
HANDSHAKES_QUIET_SECONDS = 0.5
BACKGROUND_MAX_WAIT_SECONDS = 30.0
_last_handshake: float | None = None  # time.monotonic() of the latest handshake; None: none yet


def _wait_for_quiet_handshakes() -> None:
    waited_since = time.monotonic()
    while (
        _last_handshake is not None
        and time.monotonic() - _last_handshake < HANDSHAKES_QUIET_SECONDS
        and time.monotonic() - waited_since < BACKGROUND_MAX_WAIT_SECONDS
    ):
        time.sleep(0.1)


def _socket_executor(background: bool = False) -> ThreadPoolExecutor:
    global _executor, _background_executor
    with _executor_lock:
        if background:
            if _background_executor is None:
                _background_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="socket-db-bg")
            return _background_executor
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=getattr(settings, "MESSAGING_DB_THREADS", 8), thread_name_prefix="socket-db"
            )
        return _executor


def _release_connections(keep: bool) -> None:
    """After a call: keep the thread's connection for the next queued call while there is one (and the
    connection is clean), otherwise give it back as Django would (`close_if_unusable_or_obsolete`:
    back to the pool, or closed)."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if (
            keep
            and not conn.errors_occurred
            and not conn.in_atomic_block
            and conn.get_autocommit() == conn.settings_dict["AUTOCOMMIT"]
        ):
            continue
        conn.close_if_unusable_or_obsolete()


class _SocketDatabaseCall(SyncToAsync):
    """`database_sync_to_async` on the socket pool of threads, with connections kept across calls while
    work is queued (a burst pays one pool loan per thread, not one per call)."""

    def __init__(self, func, background: bool = False):
        super().__init__(func, thread_sensitive=False, executor=_socket_executor(background))
        self.background = background

    def thread_handler(self, loop, *args, **kwargs):
        if self.background:
            _wait_for_quiet_handshakes()
        kept_at = getattr(_kept, "at", None)
        if kept_at is not None and time.monotonic() - kept_at > KEEP_IDLE_SECONDS:
            _release_connections(keep=False)  # kept, then idle: checked again by the next loan
        _kept.at = None
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            queue = getattr(self._executor, "_work_queue", None)
            keep = queue is not None and not queue.empty()
            _release_connections(keep=keep)
            _kept.at = time.monotonic() if keep else None


def socket_db(function, *, background: bool = False):
    """Run an ORM function of the websocket path off the event loop. PostgreSQL: on a pool of
    `MESSAGING_DB_THREADS` threads (one connection each, kept during bursts), so handshakes and frames
    run their round trips in parallel; `background=True`: on one thread of its own, for work that can
    wait its turn, and for handshakes to go quiet (a storm's 1,000 membership revalidations then never
    compete with the handshakes).
    SQLite (the embedded default): in Django's single thread-sensitive thread, like the HTTP views
    (concurrent SQLite writers fail with "database is locked")."""
    if not settings.IS_POSTGRES:
        return database_sync_to_async(function)
    return _SocketDatabaseCall(function, background=background)


def _token_header(scope) -> str | None:
    headers = dict(scope.get("headers", []))
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if authorization.startswith("Token "):
        return authorization[6:].strip()
    return None


def _token_user_rows(key: str):
    from django.contrib.auth import get_user_model

    return (
        get_user_model().objects.filter(auth_token__key=key).annotate(token_created=F("auth_token__created"))
    )


# Compiled once per process: building `Token.objects.select_related("user")` took ~2 of its ~2.5 ms of
# Python, 1,000 times over in a reconnect storm. The marker: no key contains a NUL character.
_token_user_query = CompiledQuery(_token_user_rows, marker="\x00token-key")


def _user_for_token(key: str):
    """The token's user, or anonymous for an unknown or expired token or an inactive account."""
    from django.contrib.auth import get_user_model

    sql, params = _token_user_query.sql(key)
    user = next(iter(get_user_model().objects.raw(sql, params)), None)
    if user is None or not user.is_active or token_is_expired(_aware(user.token_created)):
        return AnonymousUser()
    return user


def _aware(value) -> datetime:
    """A raw query's annotation gets no field converter: SQLite gives text in UTC, naive."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _session_user(scope):
    """The session's user under Django's own rules (backend still configured, session hash verified,
    `SECRET_KEY_FALLBACKS` honoured; a stale session is flushed), as for pages."""
    session = scope.get("session")
    if session is None:
        return AnonymousUser()
    return auth.get_user(SimpleNamespace(session=session))


def authenticate_socket(scope) -> tuple[object, bool]:
    """At the handshake, in one database call: the socket's user (token header, else session) and
    whether the MFA policy refuses them."""
    key = _token_header(scope)
    user = _user_for_token(key) if key is not None else _session_user(scope)
    if not user.is_active:
        user = AnonymousUser()
    return user, second_factor_missing(user)


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


class SocketAuthMiddleware(BaseMiddleware):
    """Sets scope["user"] from a token header, else from the session, and refuses at connect a user whose
    role requires a second factor they have not set up: one database call per handshake (it was three
    thread-sensitive ones, queued behind each other during a reconnect storm).

    `on_connect(user)`, if given, is the socket's own first database work (an upper layer's: the chat's
    conversations and unread counts), run in the same call for an accepted user; its result is
    scope["connect_state"]. A storm's handshakes then make one trip to the database threads, not two."""

    def __init__(self, inner, on_connect=None):
        super().__init__(inner)
        self.on_connect = on_connect

    def _authenticate(self, scope):
        user, refused = authenticate_socket(scope)
        state = None
        if self.on_connect is not None and user.is_authenticated and not refused:
            state = self.on_connect(user)
        return user, refused, state

    async def __call__(self, scope, receive, send):
        global _last_handshake
        _last_handshake = time.monotonic()
        user, refused, state = await socket_db(self._authenticate)(scope)
        scope = dict(scope, user=user)
        if state is not None:
            scope["connect_state"] = state
        if refused and scope.get("type") == "websocket":
            return await self._refuse(receive, send)
        return await super().__call__(scope, receive, send)

    @staticmethod
    async def _refuse(receive, send):
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": CLOSE_AUTH_REQUIRED})


def TokenOrSessionAuthMiddlewareStack(inner, on_connect=None):  # noqa: N802 — mirrors Channels' naming
    return CookieMiddleware(SessionMiddleware(SocketAuthMiddleware(inner, on_connect)))
