"""How the messaging services publish frames: on commit (federation.events), already serialised, so the
consumer only forwards text (messaging/consumers.py)."""

import json

from federation.events import send_event_on_commit, user_group
from messaging.models import Conversation, conversation_group
from messaging.serializers import conversation_frame_data


def to_conversation(conversation_id: int, frame: dict, **extra) -> None:
    """To every socket subscribed to the conversation (`chat.forward`; `seq` orders new messages,
    `exclude_user` skips the sender's own sockets)."""
    event = {"type": "chat.forward", "conversation": conversation_id, "text": json.dumps(frame), **extra}
    send_event_on_commit([conversation_group(conversation_id)], event)


def to_user(user_id: int, frame: dict) -> None:
    """To every socket of one user (all devices, all tabs)."""
    send_event_on_commit([user_group(user_id)], {"type": "chat.user", "text": json.dumps(frame)})


def membership(user_id: int, conversation: Conversation, action: str) -> None:
    """The user joined (`added`) or left (`removed`): their sockets subscribe or drop it at once."""
    frame = (
        {"type": "conversation.added", "conversation": conversation_frame_data(conversation)}
        if action == "added"
        else {"type": "conversation.removed", "conversation": conversation.pk}
    )
    send_event_on_commit(
        [user_group(user_id)],
        {
            "type": "chat.membership",
            "conversation": conversation.pk,
            "action": action,
            "text": json.dumps(frame),
        },
    )
