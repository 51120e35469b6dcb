"""How the messaging services publish frames: on commit (federation.events), already serialised, so the
consumer only forwards text (messaging/consumers.py).

`deferred()`: the `/ws/` consumer's database work collects the events its services publish (still on
commit: a rolled-back write publishes nothing) and the consumer sends them from its event loop. Sent from
the database thread, each publish went back to the event loop through `async_to_sync` and held the
thread until the loop had run it: under load the socket's database threads spent three quarters of their
time waiting for the loop (py-spy, tests/perf/chat.py), sends queued behind them, and a loop busy for a
moment stalled every send for seconds."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from federation.events import send_event_on_commit, user_group
from messaging.models import Conversation, conversation_group
from messaging.serializers import conversation_frame_data

# (groups, event) in commit order, while `deferred()` is active in this thread; None otherwise.
_deferred: ContextVar[list[tuple[list[str], dict]] | None] = ContextVar("messaging_deferred", default=None)


@contextmanager
def deferred() -> Iterator[list[tuple[list[str], dict]]]:
    """Within the block, events are not sent: they are appended on commit to the list yielded, for the
    caller to send (`federation.events.send_event` from a thread, `group_send` on an event loop)."""
    events: list[tuple[list[str], dict]] = []
    token = _deferred.set(events)
    try:
        yield events
    finally:
        _deferred.reset(token)


def _on_commit(groups: list[str], event: dict) -> None:
    events = _deferred.get()
    if events is None:
        send_event_on_commit(groups, event)
    else:
        transaction.on_commit(lambda: events.append((groups, event)))


def to_conversation(conversation_id: int, frame: dict, **extra) -> None:
    """To every socket subscribed to the conversation (`chat.forward`; `seq` orders new messages,
    `exclude_user` skips the sender's own sockets)."""
    event = {"type": "chat.forward", "conversation": conversation_id, "text": json.dumps(frame), **extra}
    _on_commit([conversation_group(conversation_id)], event)


def to_user(user_id: int, frame: dict) -> None:
    """To every socket of one user (all devices, all tabs)."""
    _on_commit([user_group(user_id)], {"type": "chat.user", "text": json.dumps(frame)})


def membership(user_id: int, conversation: Conversation, action: str) -> None:
    """The user joined (`added`) or left (`removed`): their sockets subscribe or drop it at once."""
    frame = (
        {"type": "conversation.added", "conversation": conversation_frame_data(conversation)}
        if action == "added"
        else {"type": "conversation.removed", "conversation": conversation.pk}
    )
    _on_commit(
        [user_group(user_id)],
        {
            "type": "chat.membership",
            "conversation": conversation.pk,
            "action": action,
            "text": json.dumps(frame),
        },
    )
