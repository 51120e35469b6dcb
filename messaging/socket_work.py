"""The `/ws/` consumer's database work (messaging/consumers.py): each function is one trip to the
database threads (`federation.ws_auth.socket_db`): access helper, then service or selector. Frames are
serialised here, off the event loop. The events a service publishes (on commit) are returned to the
consumer, which sends them from its event loop (`messaging.services.publish.deferred`): a database
thread never waits for the loop."""

import json
import time

from django.conf import settings

from federation.governance import realtime as governance_realtime
from messaging import selectors, services
from messaging.access import access_conversation
from messaging.serializers import message_data
from messaging.services import publish

Events = list[tuple[list[str], dict]]  # (groups, event) to send, in commit order


def connect_states(users) -> dict[int, tuple[dict[int, int], list[str], dict]]:
    """On connect, for a batch of handshakes (federation.ws_auth's `on_connect`): {user id: (the last seq
    of each conversation, the governance groups to follow, the unread counts)}, in two statements
    whatever the number of users."""
    user_ids = sorted({user.pk for user in users})
    states = selectors.connect_states(user_ids)
    groups = governance_realtime.groups_for_users(user_ids)
    return {user_id: (seqs, groups[user_id], counts) for user_id, (seqs, counts) in states.items()}


def connect_state(user) -> tuple[dict[int, int], list[str], dict]:
    return connect_states([user])[user.pk]


# user id -> when this process last brought their conversations in line with their memberships.
_revalidated: dict[int, float] = {}


def revalidate_if_due(user) -> None:
    """`memberships_revalidate` at most every `MESSAGING_REVALIDATE_SECONDS` per user and process: the
    CPTS membership signal and `access.revoked` keep conversations in step as things change; this is the
    safety net, and a reconnect storm should not pay it 1,000 times."""
    if not revalidation_due(user.pk):
        return
    _revalidated[user.pk] = time.monotonic()
    services.memberships_revalidate(user=user)


def revalidation_due(user_id: int) -> bool:
    last = _revalidated.get(user_id)  # None: not yet in this process (never a clock value of 0)
    return last is None or time.monotonic() - last >= getattr(settings, "MESSAGING_REVALIDATE_SECONDS", 300)


def send(user, conversation_id: int, frame: dict, reply_to: int | None) -> tuple[str | None, Events]:
    """Send a message: (for a resend, the stored message as a `duplicate` frame, else None; the events
    to publish)."""
    with publish.deferred() as events:
        # No access helper: message_send checks membership and archive state in the statement that
        # allocates the seq (one query fewer per message), with the same 404 and 403.
        message, created = services.message_send(
            actor=user,
            conversation_id=conversation_id,
            body=frame.get("body"),
            client_id=frame.get("client_id"),
            reply_to_id=reply_to,
            attachment_ids=frame.get("attachments") or [],
        )
    if created:
        return None, events
    return json.dumps({"type": "message.new", "message": message_data(message), "duplicate": True}), events


def read(user, conversation_id: int, seq: int) -> Events:
    with publish.deferred() as events:
        services.read_mark(actor=user, conversation=access_conversation(user, conversation_id), seq=seq)
    return events


def typing(user, conversation_id: int) -> Events:
    with publish.deferred() as events:
        conversation = access_conversation(user, conversation_id, for_write=True)
        services.typing_notify(actor=user, conversation=conversation)
    return events


def frames_between(conversation_id: int, after: int, upto: int) -> list[tuple[int, str]]:
    messages = selectors.messages_since(conversation_id, after, upto - after)
    return [
        (m.seq, json.dumps({"type": "message.new", "message": message_data(m)}))
        for m in messages
        if m.seq <= upto
    ]


def sync_batch(user, wanted: dict[int, int], limit: int) -> dict:
    """A `sync`'s replay as frames (serialised here, in the database thread, off the event loop)."""
    result = selectors.sync_messages(user, wanted, limit)
    frames = {
        conversation_id: [
            json.dumps({"type": "message.new", "message": message_data(m), "replay": True}) for m in messages
        ]
        for conversation_id, messages in result["messages"].items()
    }
    last = {
        conversation_id: messages[-1].seq if messages else wanted[conversation_id]
        for conversation_id, messages in result["messages"].items()
    }
    return {**result, "frames": frames, "last": last}
