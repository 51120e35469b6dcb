"""Writes of the messaging app, one module per sub-domain. Persist first, publish on commit (`publish`).

Convention (docs/architecture.md): `<entity>_<verb>(*, actor, ...)`, keyword-only, taking the objects an
access helper of `messaging.access` already resolved (a conversation with its `current_member`, a message).
Refusals: `federation.errors.ServiceError` (bad input, a rule: French message, stable code, the input field
when there is one), `PermissionDenied` (not allowed, archived), `Http404` (not a member). The API's global
handler and the websocket consumer turn them into their answers.
"""

from messaging.services.attachments import ATTACHMENT_CATEGORY, attachment_upload, max_attachments
from messaging.services.conversations import (
    conversation_archive,
    conversation_create,
    conversation_join,
    cpts_channel_sync,
    member_add,
    member_remove,
    memberships_revalidate,
)
from messaging.services.messages import (
    message_delete,
    message_edit,
    message_send,
    read_mark,
    typing_notify,
)
from messaging.services.policy import notification_preference_set, purge_expired, retention_set

__all__ = [
    "ATTACHMENT_CATEGORY",
    "attachment_upload",
    "conversation_archive",
    "conversation_create",
    "conversation_join",
    "cpts_channel_sync",
    "max_attachments",
    "member_add",
    "member_remove",
    "memberships_revalidate",
    "message_delete",
    "message_edit",
    "message_send",
    "notification_preference_set",
    "purge_expired",
    "read_mark",
    "retention_set",
    "typing_notify",
]
