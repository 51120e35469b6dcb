"""The `/ws/` consumer: one socket per browser tab, subscribed to all the user's conversations.

Protocol: messaging/PROTOCOL.md. Design notes (measured, see tests/perf/chat.py and PERF-NOTES.md):
- one channel-layer group per conversation (`conv.<id>`): a message costs one publish, fanned out inside
  each daphne process, instead of one publish per member;
- services publish the frame already serialised (`event["text"]`): forwarding is a dictionary lookup and
  a send, with no database and no JSON work;
- forwarding handlers skip Channels' per-message `close_old_connections` thread hop: they touch no
  database (every ORM call here goes through `database_sync_to_async`, which closes old connections
  itself);
- membership is checked in the database on every client frame (save a `sync` asking for nothing newer
  than the connect state, answered from it: it sends nothing the socket did not already have); the
  forwarder also checks the socket's own set of conversations, which a removal updates at once
  (`chat.membership` on the user group).
"""

import asyncio
import json
import logging
import time
import weakref

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from federation.errors import ServiceError, service_error_body
from federation.events import user_group
from federation.governance import realtime as governance_realtime
from federation.ws_auth import socket_db
from messaging import selectors, services
from messaging import socket_work as work
from messaging.models import conversation_group
from messaging.services.messages import clean_seq

logger = logging.getLogger(__name__)

FORWARD_HANDLERS = {"chat.forward", "chat.user", "chat.membership", "chat.resync"}

# Close code sent to every open socket when the server process stops: "service restart", the
# application-range twin of RFC 6455's 1012 (autobahn, under daphne, only lets an application send 1000
# or 3000-4999). The client reconnects (then `sync`) instead of seeing a dropped TCP connection (1006).
CLOSE_SERVICE_RESTART = 4012
_open_consumers: "weakref.WeakSet[ChatConsumer]" = weakref.WeakSet()


async def close_all_for_restart(flush_seconds: float = 0.5) -> int:
    """Process shutdown (daphne, SIGTERM): tell every open socket to reconnect. Returns how many."""
    consumers = list(_open_consumers)
    for consumer in consumers:
        try:
            await consumer.close(code=CLOSE_SERVICE_RESTART)
        except Exception:  # a socket already gone: nothing to tell
            logger.debug("close on shutdown failed", exc_info=True)
    if consumers:
        await asyncio.sleep(flush_seconds)  # let the close frames reach the clients before exit
    return len(consumers)


def db(function):
    """Run an ORM function off the event loop (`federation.ws_auth.socket_db`: PostgreSQL, a pool of
    threads whose connections are kept during bursts; SQLite, Django's thread-sensitive thread)."""
    return socket_db(function)


def _error_frame(code: str, detail: str, **extra) -> str:
    return json.dumps({"type": "error", "code": code, "detail": detail, **extra})


_UNREADABLE = object()
_PONG = json.dumps({"type": "pong"})


class AuthLostError(Exception):
    pass


class ChatConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message):
        # Forwarding handlers touch no database: skip the per-message close_old_connections hop.
        kind = message.get("type")
        if kind == "chat.forward":
            return await self.chat_forward(message)
        if kind in FORWARD_HANDLERS:
            return await getattr(self, kind.replace(".", "_"))(message)
        if kind == "access.revoked":  # sent by the base layer (role removed, account disabled, ...)
            return await self.access_revoked(message)
        if kind == "governance.event":  # live assembly: quorum, participation, results
            return await self.governance_event(message)
        if kind in ("websocket.connect", "websocket.receive", "websocket.disconnect"):
            # No per-frame close_old_connections hop either: every ORM call here goes through `db()`,
            # which closes old connections itself. The hop ran in the thread-sensitive thread, so on
            # SQLite a frame waited for any database write in progress (read markers could not be
            # coalesced) and every handshake paid one more thread round trip.
            return await getattr(self, kind.replace(".", "_"))(message)
        if kind and kind.startswith("websocket."):
            return await super().dispatch(message)
        # Events of other apps on the user group that this socket does not know: ignore, never crash.
        logger.debug("ignored event %s", kind)

    # --- connection ---------------------------------------------------------------------------
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.user = user
        # Everything the connection needs, loaded with the authentication (config/routing.py) in one trip
        # to the database threads (a reconnect storm after a deploy is 1,000 of these at once).
        state = self.scope.get("connect_state") or await db(work.connect_state)(user)
        delivered, governance_groups, counts = state
        self.delivered = dict(delivered)  # a copy: two sockets of a user in one batch share the state
        # `delivered`: highest seq delivered on this socket per conversation (starts at the
        # conversation's last seq: anything older is the client's to ask with `sync`).
        self.conversations: set[int] = set(self.delivered)
        self.pending: dict[int, dict[int, str]] = {}  # conversation -> {seq: frame} waiting for a gap
        self.gap_tasks: dict[int, asyncio.Task] = {}
        self.tokens = float(settings.MESSAGING_WS_BURST)
        self.token_time = time.monotonic()
        self.auth_checked = time.monotonic()
        self.read_wanted: dict[int, int] = {}  # conversation -> highest seq the client said it read
        self.read_done: dict[int, int] = {}  # conversation -> highest seq written (or being written)
        self.read_task: asyncio.Task | None = None
        self.unpublished: set[int] = set()  # conversations whose last publish failed (layer down)
        self.recovery_task: asyncio.Task | None = None
        self.governance_groups: set[str] = set(governance_groups)
        groups = [user_group(user.pk), *map(conversation_group, self.conversations), *self.governance_groups]
        await self._join(groups)
        await self.accept()
        _open_consumers.add(self)
        await self.send(text_data=json.dumps({"type": "unread", "conversations": counts}))
        # The counts just sent stay exact until this socket forwards or reads anything: a `sync` that
        # asks for nothing newer before then is answered without the database (`_on_sync`).
        self.connect_counts: dict | None = counts
        # After the handshake, in the background lane (frames are not held behind it): what it changes
        # reaches this socket as `chat.membership` events (the user group is joined above).
        self.revalidate_task = asyncio.ensure_future(self._revalidate())

    async def _join(self, groups: list[str]) -> None:
        # config.channel_layer's: the groups already subscribed in this process are joined without
        # yielding to the loop, the others subscribed together. gather() made a task per group: two more
        # loop iterations per handshake, and each is long in a reconnect storm.
        join_many = getattr(self.channel_layer, "group_add_many", None)
        if join_many is not None:
            return await join_many(groups, self.channel_name)
        await asyncio.gather(*(self.channel_layer.group_add(g, self.channel_name) for g in groups))

    async def _revalidate(self) -> None:
        if not work.revalidation_due(self.user.pk):  # no trip to the database threads for nothing
            return
        try:
            await socket_db(work.revalidate_if_due, background=True)(self.user)
        except Exception:  # the safety net failed this time: the next connect (or signal) catches up
            logger.exception("membership revalidation of user %s failed", self.user.pk)

    async def disconnect(self, code):
        _open_consumers.discard(self)
        if not hasattr(self, "user"):
            return
        for task in self.gap_tasks.values():
            task.cancel()
        if self.read_task is not None:
            self.read_task.cancel()
        if self.recovery_task is not None:
            self.recovery_task.cancel()
        await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
        for conversation_id in self.conversations:
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)
        for group in self.governance_groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    # --- client frames ------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if len(raw.encode("utf-8")) > settings.MESSAGING_MAX_FRAME_BYTES:
            return await self._error("frame_too_large", _("Trame trop volumineuse."))
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = _UNREADABLE
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind == "ping":  # the client's heartbeat: no database, no limit (PROTOCOL.md)
            return await self.send(text_data=_PONG)
        # Read markers are coalesced (`_on_read`), never counted against the sending limit.
        if kind != "read" and not self._take_token():
            return await self._error(
                "rate_limited", _("Trop de messages envoyés : patientez quelques secondes.")
            )
        if frame is _UNREADABLE:
            return await self._error("invalid_json", _("Trame illisible (JSON attendu)."))
        if not isinstance(frame, dict):
            return await self._error("invalid_frame", _("Trame invalide : un objet JSON est attendu."))
        handler = {
            "message.send": self._on_send,
            "read": self._on_read,
            "typing": self._on_typing,
            "sync": self._on_sync,
            "governance.subscribe": self._on_governance_subscribe,
            "governance.unsubscribe": self._on_governance_unsubscribe,
        }.get(kind)
        if handler is None:
            return await self._error("unknown_type", _("Type de trame inconnu."))
        try:
            await self._check_auth()
            await handler(frame)
        except AuthLostError:
            await self.close(code=4401)
        except Http404:
            await self._error(
                "not_member",
                _("Vous n'êtes pas membre de cette conversation."),
                conversation=frame.get("conversation"),
            )
        except PermissionDenied as exc:
            detail = str(exc) or _("Action non autorisée.")
            await self._error("forbidden", detail, conversation=frame.get("conversation"))
        except ValidationError as exc:
            body = service_error_body(exc)
            await self._error(body["code"], body["detail"], conversation=frame.get("conversation"))
        except Exception:
            # E.g. the channel layer is down while publishing: the message may be stored already; the
            # client resends with the same client_id (no duplicate) and `sync` fills any gap.
            logger.exception("websocket frame %s failed", kind)
            if kind == "message.send" and isinstance(frame.get("conversation"), int):
                self._recover_later(frame["conversation"])
            extra = {"client_id": frame["client_id"]} if isinstance(frame.get("client_id"), str) else {}
            await self._error(
                "server_error",
                _("Erreur temporaire du serveur : renvoyez le message (il ne sera pas dupliqué)."),
                conversation=frame.get("conversation"),
                **extra,
            )

    async def _on_governance_subscribe(self, frame: dict) -> None:
        """Follow one poll's live participation (`governance.poll.<id>`) or a federation's assembly."""
        group = frame.get("group")
        if not isinstance(group, str) or not await db(governance_realtime.may_join)(self.user, group):
            raise PermissionDenied(_("Vous ne pouvez pas suivre cette instance de gouvernance."))
        self.governance_groups.add(group)
        await self.channel_layer.group_add(group, self.channel_name)

    async def _on_governance_unsubscribe(self, frame: dict) -> None:
        group = frame.get("group")
        if group in self.governance_groups:
            self.governance_groups.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def governance_event(self, event):
        await self.send(text_data=json.dumps(event))

    async def _error(self, code: str, detail: str, **extra) -> None:
        await self.send(text_data=_error_frame(code, detail, **extra))

    def _take_token(self) -> bool:
        now = time.monotonic()
        self.tokens = min(
            float(settings.MESSAGING_WS_BURST),
            self.tokens + (now - self.token_time) * settings.MESSAGING_WS_RATE,
        )
        self.token_time = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def _check_auth(self) -> None:
        """Re-check, every few seconds of activity, that the account is active and the session or token
        still exists: a lost authentication closes the socket (code 4401)."""
        now = time.monotonic()
        if now - self.auth_checked < settings.MESSAGING_AUTH_RECHECK_SECONDS:
            return
        self.auth_checked = now
        if not await db(selectors.socket_still_authenticated)(self.scope, self.user.pk):
            raise AuthLostError

    @staticmethod
    def _conversation_id(frame: dict) -> int:
        value = frame.get("conversation")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ServiceError(
                _("Conversation manquante ou invalide."), code="invalid_conversation", field="conversation"
            )
        try:
            return int(value)
        except ValueError:
            raise ServiceError(
                _("Conversation manquante ou invalide."), code="invalid_conversation", field="conversation"
            ) from None

    async def _on_send(self, frame: dict) -> None:
        conversation_id = self._conversation_id(frame)
        reply_to = frame.get("reply_to")
        if reply_to is not None and (isinstance(reply_to, bool) or not isinstance(reply_to, int)):
            raise ServiceError(
                _("reply_to doit être un identifiant de message."), code="invalid_reply_to", field="reply_to"
            )
        duplicate, events = await db(work.send)(self.user, conversation_id, frame, reply_to)
        await self._publish(events)
        if duplicate is not None:
            # A resend: the client may have missed the first delivery; give it the stored message again.
            await self.send(text_data=duplicate)

    async def _on_read(self, frame: dict) -> None:
        """Read markers are coalesced per conversation (the highest seq wins) and written one at a time:
        a client that reads 80 messages after a reconnect costs at most a few writes, and reading is
        never counted against the sending rate limit (PROTOCOL.md)."""
        conversation_id = self._conversation_id(frame)
        seq = clean_seq(frame.get("seq"))
        if seq <= self.read_wanted.get(conversation_id, -1):
            return
        self.connect_counts = None
        self.read_wanted[conversation_id] = seq
        if self.read_task is None:
            self.read_task = asyncio.ensure_future(self._write_reads())

    async def _write_reads(self) -> None:
        try:
            while True:
                todo = {c: s for c, s in self.read_wanted.items() if s > self.read_done.get(c, -1)}
                if not todo:
                    return
                for conversation_id, seq in todo.items():
                    self.read_done[conversation_id] = seq
                    try:
                        await self._publish(await db(work.read)(self.user, conversation_id, seq))
                    except Http404:
                        await self._error(
                            "not_member",
                            _("Vous n'êtes pas membre de cette conversation."),
                            conversation=conversation_id,
                        )
                    except Exception:
                        logger.exception("read marker of %s failed", conversation_id)
                        self.read_done.pop(conversation_id, None)  # the next `read` frame retries
                        return
        finally:
            self.read_task = None

    async def _on_typing(self, frame: dict) -> None:
        await self._publish(await db(work.typing)(self.user, self._conversation_id(frame)))

    async def _publish(self, events: work.Events) -> None:
        """The events of this socket's database work, sent once it has committed (`socket_work`): from
        the event loop, in commit order. A failure (layer down) reaches `receive`'s handlers as a failed
        publish did from the database thread (`server_error`, then `_recover_later` for a send)."""
        for groups, event in events:
            for group in groups:
                await self.channel_layer.group_send(group, event)

    async def _on_sync(self, frame: dict) -> None:
        since = frame.get("since")
        if not isinstance(since, dict):
            raise ServiceError(_("sync attend un objet « since »."), code="invalid_sync", field="since")
        wanted: dict[int, int] = {}
        for key, value in since.items():
            try:
                wanted[int(key)] = max(0, int(value))
            except (TypeError, ValueError):
                raise ServiceError(
                    _("sync : numéros invalides."), code="invalid_sync", field="since"
                ) from None
        if self._nothing_to_replay(wanted):
            # Right after a reconnect (a deploy's storm: 1,000 of these at once) the client usually has
            # everything: the answer is what this socket read at connect, the same a replay would give.
            await self.send(
                text_data=json.dumps(
                    {"type": "sync.done", "last_seq": {str(k): v for k, v in wanted.items()}, "more": []}
                )
            )
            await self.send(text_data=json.dumps({"type": "unread", "conversations": self.connect_counts}))
            return
        await self._replay(wanted)

    def _nothing_to_replay(self, wanted: dict[int, int]) -> bool:
        """Whether a `sync` can be answered from the connect state: nothing forwarded or read on this
        socket since connect (its counts are still exact) and every conversation asked is one of the
        socket's (memberships read at connect, removals applied at once) with no seq after `since`."""
        return (
            getattr(self, "connect_counts", None) is not None
            and bool(wanted)
            and all(c in self.conversations and s >= self.delivered.get(c, 0) for c, s in wanted.items())
        )

    async def _replay(self, wanted: dict[int, int]) -> None:
        """Send every message after `wanted[conversation]`, then `sync.done` and fresh unread counts."""
        self.connect_counts = None
        result = await db(work.sync_batch)(self.user, wanted, settings.MESSAGING_SYNC_LIMIT)
        for conversation_id in result["not_member"]:
            await self._error(
                "not_member", _("Vous n'êtes pas membre de cette conversation."), conversation=conversation_id
            )
        for conversation_id, frames in result["frames"].items():
            if frames:
                # Live frames up to the replayed ones are now duplicates: never forward them.
                last = result["last"][conversation_id]
                self.delivered[conversation_id] = max(self.delivered.get(conversation_id, 0), last)
            for text in frames:
                await self.send(text_data=text)
            if frames:
                await self._flush(conversation_id)
        await self.send(
            text_data=json.dumps(
                {
                    "type": "sync.done",
                    "last_seq": {str(k): v for k, v in result["last"].items()},
                    "more": [str(k) for k in result["more"]],
                }
            )
        )
        await self.send(text_data=json.dumps({"type": "unread", "conversations": result["unread"]}))

    # --- events from the channel layer --------------------------------------------------------
    async def chat_forward(self, event):
        self.connect_counts = None
        conversation_id = event["conversation"]
        if conversation_id not in self.conversations:
            return  # removed (or never a member): never forward
        if event.get("exclude_user") == self.user.pk:
            return
        seq = event.get("seq")
        if seq is None:  # edits, deletions, typing: not numbered
            await self.send(text_data=event["text"])
            return
        # New messages go out in seq order, once: publishes of concurrent senders (worker threads, other
        # daphne processes) may arrive out of order, and a lost publish (Redis restart) leaves a gap
        # that is filled from the database.
        last = self.delivered.get(conversation_id, 0)
        if seq <= last:
            return  # already delivered, live or by a `sync`
        if seq == last + 1:
            self.delivered[conversation_id] = seq  # before awaiting: no double delivery
            await self.send(text_data=event["text"])
            if conversation_id in self.pending:
                await self._flush(conversation_id)
            return
        self.pending.setdefault(conversation_id, {})[seq] = event["text"]
        if conversation_id not in self.gap_tasks:
            self.gap_tasks[conversation_id] = asyncio.ensure_future(self._fill_gap(conversation_id))

    async def _flush(self, conversation_id: int) -> None:
        pending = self.pending.get(conversation_id, {})
        for seq in [s for s in pending if s <= self.delivered.get(conversation_id, 0)]:
            del pending[seq]
        while pending and self.delivered.get(conversation_id, 0) + 1 in pending:
            seq = self.delivered[conversation_id] + 1
            self.delivered[conversation_id] = seq
            await self.send(text_data=pending.pop(seq))
        if not pending:
            self.pending.pop(conversation_id, None)

    async def _fill_gap(self, conversation_id: int) -> None:
        """A later message arrived before an earlier one: wait a little for the earlier publish, then
        read the missing messages from the database (they are committed: seq is allocated in order)."""
        try:
            await asyncio.sleep(settings.MESSAGING_GAP_WAIT_MS / 1000)
            pending = self.pending.get(conversation_id)
            if not pending or conversation_id not in self.conversations:
                return
            upto = max(pending)
            after = self.delivered.get(conversation_id, 0)
            frames = await db(work.frames_between)(conversation_id, after, upto)
            for seq, text in frames:
                if seq > self.delivered.get(conversation_id, 0):
                    self.delivered[conversation_id] = seq
                    await self.send(text_data=text)
            await self._flush(conversation_id)
            pending = self.pending.pop(conversation_id, {})
            for seq in sorted(pending):  # still missing (e.g. purged by retention): go on in order
                if seq > self.delivered.get(conversation_id, 0):
                    self.delivered[conversation_id] = seq
                    await self.send(text_data=pending[seq])
        finally:
            self.gap_tasks.pop(conversation_id, None)

    async def access_revoked(self, event):
        """Re-check what the user may see: close if signed out (4401), otherwise leave the conversations
        they may no longer be in (at once, on this socket; the others get `chat.membership`)."""
        self.connect_counts = None
        if not await db(selectors.socket_still_authenticated)(self.scope, self.user.pk):
            await self.close(code=4401)
            return
        await db(services.memberships_revalidate)(user=self.user)
        still = set(await db(selectors.user_conversation_ids)(self.user))
        for conversation_id in self.conversations - still:
            self.conversations.discard(conversation_id)
            self.delivered.pop(conversation_id, None)
            self.pending.pop(conversation_id, None)
            await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)
        for group in list(self.governance_groups):
            if not await db(governance_realtime.may_join)(self.user, group):
                self.governance_groups.discard(group)
                await self.channel_layer.group_discard(group, self.channel_name)

    # --- a channel layer outage (Redis restarted): what was stored meanwhile still reaches everyone ---
    def _recover_later(self, conversation_id: int) -> None:
        """A message may be stored although its publish failed: once the layer answers again, tell the
        conversation's sockets (this one included) to catch up from the database (`chat.resync`)."""
        self.unpublished.add(conversation_id)
        if self.recovery_task is None:
            self.recovery_task = asyncio.ensure_future(self._recover())

    async def _recover(self) -> None:
        delay = 0.25
        try:
            while self.unpublished:
                await asyncio.sleep(delay)
                for conversation_id in sorted(self.unpublished):
                    try:
                        last_seq = await db(selectors.conversation_last_seq)(conversation_id)
                        await self.channel_layer.group_send(
                            conversation_group(conversation_id),
                            {"type": "chat.resync", "conversation": conversation_id, "seq": last_seq},
                        )
                    except Exception:
                        logger.info("channel layer still unavailable", exc_info=True)
                        delay = min(delay * 2, 2.0)
                        break
                    self.unpublished.discard(conversation_id)
                    # This socket at once (the sender's acknowledgement); the others again over the
                    # next seconds: Redis pub/sub keeps nothing, and a process's subscriber may
                    # reconnect a moment after this publish went through (a repeat costs nothing:
                    # sockets skip what they already delivered).
                    await self.chat_resync({"conversation": conversation_id, "seq": last_seq})
                    for wait in (1.0, 2.0, 4.0):
                        await asyncio.sleep(wait)
                        try:
                            await self.channel_layer.group_send(
                                conversation_group(conversation_id),
                                {"type": "chat.resync", "conversation": conversation_id, "seq": last_seq},
                            )
                        except Exception:
                            logger.info("resync repeat failed", exc_info=True)
        finally:
            self.recovery_task = None

    async def chat_resync(self, event):
        """Deliver, in order, the messages up to `seq` this socket has not had (read from the database)."""
        self.connect_counts = None
        conversation_id, upto = event["conversation"], event["seq"]
        if conversation_id not in self.conversations or upto <= self.delivered.get(conversation_id, 0):
            return
        frames = await db(work.frames_between)(conversation_id, self.delivered.get(conversation_id, 0), upto)
        for seq, text in frames:
            if seq > self.delivered.get(conversation_id, 0):
                self.delivered[conversation_id] = seq
                await self.send(text_data=text)
        await self._flush(conversation_id)

    async def chat_user(self, event):
        self.connect_counts = None
        await self.send(text_data=event["text"])

    async def chat_membership(self, event):
        self.connect_counts = None
        conversation_id = event["conversation"]
        group = conversation_group(conversation_id)
        if event["action"] == "removed":
            self.conversations.discard(conversation_id)
            self.delivered.pop(conversation_id, None)
            self.pending.pop(conversation_id, None)
            await self.channel_layer.group_discard(group, self.channel_name)
        else:
            payload = json.loads(event["text"])["conversation"]
            self.delivered.setdefault(conversation_id, payload.get("last_seq", 0))
            self.conversations.add(conversation_id)
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send(text_data=event["text"])
