"""Websocket authentication: the session cookie (browsers) or `Authorization: Token <key>` on the
handshake (API clients), under the same policy as pages and the API:

- an expired or unknown token, or an inactive account, is anonymous (the consumer refuses the handshake);
- a role that must use a second factor (settings.MFA_REQUIRED_ROLES) and has none is refused at connect:
  the handshake is accepted only to close at once with the protocol's 4401 ("sign in again": the browser
  reloads, and the page sends the person to TOTP set-up), before the consumer subscribes to anything;
- `still_authenticated` is what open sockets re-check when told their access may have ended
  (federation.revocation) or every few seconds of activity.
"""

import asyncio
import threading
import time
import weakref
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

from federation.compiled_sql import CompiledQuery, any_of
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


def _token_users_rows(keys):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(any_of("auth_token__key", keys))
        .annotate(token_created=F("auth_token__created"), token_key=F("auth_token__key"))
    )


# Compiled once per process: building the queryset took ~2 of its ~2.5 ms of Python, 1,000 times over in a
# reconnect storm; on PostgreSQL one statement serves any number of keys. No key contains a NUL character.
_token_users_query = CompiledQuery(_token_users_rows, marker=["\x00token-key"])


def _users_for_tokens(keys: list[str]) -> dict:
    """{key: its user}, for the keys of a known token, not expired, of an active account (one statement)."""
    from django.contrib.auth import get_user_model

    if settings.IS_POSTGRES:
        users = get_user_model().objects.raw(*_token_users_query.sql(keys))
    else:  # the embedded SQLite: no array parameter, and no storm to serve
        users = _token_users_rows(keys)
    return {
        user.token_key: user
        for user in users
        if user.is_active and not token_is_expired(_aware(user.token_created))
    }


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


def authenticate_sockets(scopes: list[dict]) -> list[tuple[object, bool]]:
    """At the handshake, for a batch of sockets in one database call: each socket's user (token header,
    else session; anonymous if unknown, expired or inactive) and whether the MFA policy refuses them.
    The tokens are looked up together (one statement)."""
    keys = [_token_header(scope) for scope in scopes]
    wanted = sorted({key for key in keys if key})
    by_key = _users_for_tokens(wanted) if wanted else {}
    checked = []
    for scope, key in zip(scopes, keys, strict=True):
        user = by_key.get(key, AnonymousUser()) if key is not None else _session_user(scope)
        if not user.is_active:
            user = AnonymousUser()
        checked.append((user, second_factor_missing(user)))
    return checked


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


class _Batches:
    """Handshakes share their database call when they wait for one: while `lanes` calls are under way,
    the handshakes that arrive queue, and the next call takes up to `size` of them, with one statement per
    kind for all (tokens, then the upper layer's connect state). A handshake alone goes at once.

    Why: in a reconnect storm (tests/perf/chat.py --storm) each handshake made three round trips from a
    database thread, and their Python ran under the interpreter lock the event loop needs: skipping the
    database entirely (a measurement, not a fix) took the handshake p99 from ~950 to ~135 ms and the
    server CPU per reconnect from 1.5 to 0.85 ms."""

    def __init__(self, work, lanes: int, size: int = 200):
        self._work, self._lanes, self._size = work, lanes, size
        self._waiting: list[tuple[dict, asyncio.Future]] = []
        self._running = 0  # drains under way (counted down by the drain itself, in the same step)
        self._tasks: set[asyncio.Task] = set()  # referenced here: the loop keeps only weak references

    async def run(self, scope):
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((scope, future))
        if self._running < self._lanes:
            self._running += 1
            task = asyncio.ensure_future(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _call(self, scopes: list[dict]) -> list:
        return await socket_db(self._work)(scopes)

    async def _drain(self) -> None:
        # Counted down here, not in a done callback: a handshake arriving after the last batch but
        # before such a callback ran would find every lane busy and wait for ever.
        try:
            while self._waiting:
                waiting = [(scope, future) for scope, future in self._waiting if not future.done()]
                batch, self._waiting = waiting[: self._size], waiting[self._size :]
                if batch:  # else every one waiting went away
                    await self._answer(batch)
        finally:
            self._running -= 1

    async def _answer(self, batch: list[tuple[dict, asyncio.Future]]) -> None:
        try:
            results = await self._call([scope for scope, _ in batch])
        except Exception as error:  # the database is down: every handshake of the batch fails
            results = [error] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():  # the client went away meanwhile
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)


class SocketAuthMiddleware(BaseMiddleware):
    """Sets scope["user"] from a token header, else from the session, and refuses at connect a user whose
    role requires a second factor they have not set up: one database call per handshake (it was three
    thread-sensitive ones, queued behind each other during a reconnect storm), shared by the handshakes
    that wait for it (`_Batches`).

    `on_connect(users)`, if given, is the sockets' own first database work (an upper layer's: the chat's
    conversations and unread counts), run in the same call for the accepted users: {user id: state}; a
    socket's state is its scope["connect_state"]. A storm's handshakes then make one trip to the
    database threads, not two."""

    def __init__(self, inner, on_connect=None):
        super().__init__(inner)
        self.on_connect = on_connect
        self._batches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one per event loop

    def _authenticate_all(self, scopes: list[dict]) -> list[tuple]:
        checked = authenticate_sockets(scopes)
        accepted = [user for user, refused in checked if user.is_authenticated and not refused]
        states = self.on_connect(accepted) if self.on_connect is not None and accepted else {}
        return [(user, refused, states.get(user.pk)) for user, refused in checked]

    async def __call__(self, scope, receive, send):
        global _last_handshake
        _last_handshake = time.monotonic()
        loop = asyncio.get_running_loop()
        batches = self._batches.get(loop)
        if batches is None:
            lanes = getattr(settings, "MESSAGING_DB_THREADS", 8) if settings.IS_POSTGRES else 1
            batches = self._batches[loop] = _Batches(self._authenticate_all, lanes)
        user, refused, state = await batches.run(scope)
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
