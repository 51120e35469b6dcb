"""Real-time events, sent only from services and only once the transaction commits.

Persist first, then publish (Zulip's send_event_on_commit): a rolled-back write never reaches a
socket. The `/ws/` consumer (messaging) joins the groups and forwards the events to the browser.
"""

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id: int) -> str:
    """Group every socket of one user joins (all devices, all tabs)."""
    return f"user.{user_id}"


def send_event(groups: Iterable[str], event: dict) -> None:
    """Send `event` now to each group. `event["type"]` names the consumer handler."""
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for group in groups:
        send(group, event)


def send_event_on_commit(groups: Iterable[str], event: dict) -> None:
    """Send `event` to `groups` after the current transaction commits (now if there is none)."""
    groups = list(groups)
    transaction.on_commit(lambda: send_event(groups, event))
