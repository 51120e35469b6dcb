"""Real-time events, sent only from services and only once the transaction commits.

Persist first, then publish (Zulip's send_event_on_commit): a rolled-back write never reaches a
socket. The `/ws/` consumer (messaging) joins the groups and forwards the events to the browser.
"""

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.dispatch import Signal

# In-process notice for the apps above the base layer (which the base cannot import), sent once the
# transaction commits, with `user` and `cpts`, when someone joins or leaves a CPTS (messaging keeps the
# CPTS general channel in step).
cpts_membership_changed = Signal()


def send_membership_changed_on_commit(*, user, cpts) -> None:
    transaction.on_commit(lambda: cpts_membership_changed.send(sender=None, user=user, cpts=cpts))


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
