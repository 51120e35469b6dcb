"""Messages (send, edit, delete), read state and typing."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import User
from messaging import selectors
from messaging.access import current_member, is_conversation_admin
from messaging.models import Conversation, ConversationMember, Message, MessageEdit
from messaging.serializers import display_name, message_data
from messaging.services import publish
from messaging.services.attachments import clean_attachments

MENTION_RE = re.compile(r"@\*\*([^*\n]{1,150})\*\*")


def _clean_body(body, *, allow_empty: bool = False) -> str:
    if allow_empty and (body is None or (isinstance(body, str) and not body.strip())):
        return ""  # a message made of attachments only
    if not isinstance(body, str) or not body.strip():
        raise ServiceError(_("Le message est vide."), code="empty_body", field="body")
    body = body.strip()
    if len(body) > settings.MESSAGING_MAX_BODY:
        raise ServiceError(
            _("Le message est trop long (%(max)d caractères au plus).")
            % {"max": settings.MESSAGING_MAX_BODY},
            code="body_too_long",
            field="body",
        )
    return body


def _clean_client_id(client_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_id))
    except (TypeError, ValueError, AttributeError):
        raise ServiceError(
            _("client_id doit être un UUID."), code="invalid_client_id", field="client_id"
        ) from None


def _mentioned_users(conversation_id: int, body: str, actor: User) -> list[int]:
    """Members named as `@**Display name**` (or `@**e-mail**`) in the body."""
    names = {name.strip().lower() for name in MENTION_RE.findall(body)}
    if not names:
        return []
    return [
        user_id
        for user_id, name, email in selectors.member_names(conversation_id)
        if user_id != actor.pk and (name.lower() in names or email.lower() in names)
    ]


def message_send(
    *,
    actor: User,
    conversation: Conversation | None = None,
    conversation_id: int | None = None,
    body: str,
    client_id,
    reply_to_id: int | None = None,
    attachment_ids=(),
) -> tuple[Message, bool]:
    """Persist a message, then publish it on commit. Returns (message, created).

    `conversation`: from `access_conversation`; or `conversation_id` alone (the `/ws/` path, one query
    fewer per message): membership and archive state are checked in any case in the statement that
    allocates the sequence number, with the access helper's answers (404 for a non-member or a missing
    conversation, 403 if archived). `attachment_ids`: documents uploaded to this conversation
    (`attachment_upload`) that the sender may see; with attachments, the body may be empty.

    The sequence number comes from the conversation row, updated under its lock, so concurrent senders
    get consecutive numbers. A resend with a known `client_id` returns the first message unchanged (the
    unique constraint backs this up against concurrent resends).
    """
    if conversation is not None:
        conversation_id = conversation.pk
    if conversation_id is None:
        raise TypeError("message_send needs conversation or conversation_id")
    client_id = _clean_client_id(client_id)
    try:
        with transaction.atomic():
            return _message_send(actor, conversation_id, body, client_id, reply_to_id, attachment_ids)
    except IntegrityError:
        existing = Message.objects.filter(
            conversation_id=conversation_id, author=actor, client_id=client_id
        ).first()
        if existing is None:
            raise
        return existing, False


_ALLOCATE_SEQ = (
    "UPDATE {conversation} SET last_seq = last_seq + 1 "
    "WHERE id = %s AND archived_at IS NULL "
    "AND EXISTS (SELECT 1 FROM {member} WHERE conversation_id = %s AND user_id = %s) "
    "RETURNING last_seq"
)
# PostgreSQL: the sender's read marker moves to the new seq in the same statement (writing a message
# means having read the conversation up to it); a data-modifying CTE runs even though nothing reads it.
_ALLOCATE_SEQ_AND_READ = (
    "WITH allocated AS (" + _ALLOCATE_SEQ + "), "
    "marked AS (UPDATE {member} SET last_read_seq = allocated.last_seq FROM allocated "
    "WHERE conversation_id = %s AND user_id = %s AND last_read_seq < allocated.last_seq) "
    "SELECT last_seq FROM allocated"
)


def _allocate_seq(actor: User, conversation_id: int) -> tuple[int | None, bool]:
    """One statement: check membership and archive state, lock the conversation row and take the next
    sequence number (UPDATE ... RETURNING: PostgreSQL, SQLite >= 3.35); on PostgreSQL, the sender's read
    marker moved too. Returns (seq, None if refused; whether the read marker was moved)."""
    postgres = connection.vendor == "postgresql"
    sql = (_ALLOCATE_SEQ_AND_READ if postgres else _ALLOCATE_SEQ).format(
        conversation=connection.ops.quote_name(Conversation._meta.db_table),
        member=connection.ops.quote_name(ConversationMember._meta.db_table),
    )
    params = [conversation_id, conversation_id, actor.pk] + ([conversation_id, actor.pk] if postgres else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (row[0] if row else None), postgres


def _message_send(
    actor, conversation_id, body, client_id, reply_to_id, attachment_ids=()
) -> tuple[Message, bool]:
    if not actor.is_active:
        raise Http404
    body = _clean_body(body, allow_empty=bool(attachment_ids))
    seq, read_marked = _allocate_seq(actor, conversation_id)
    if seq is None:
        # Membership first: a non-member learns nothing, not even about their own former messages.
        if not ConversationMember.objects.filter(conversation_id=conversation_id, user=actor).exists():
            raise Http404  # not a member (or no such conversation), or removed since the access check
        existing = Message.objects.filter(
            conversation_id=conversation_id, author=actor, client_id=client_id
        ).first()
        if existing is not None:
            return existing, False  # a resend into a conversation archived since
        raise PermissionDenied(_("Cette conversation est archivée : lecture seule."))
    if reply_to_id is not None:
        if not Message.objects.filter(conversation_id=conversation_id, pk=reply_to_id).exists():
            raise ServiceError(
                _("Le message cité n'existe pas dans cette conversation."),
                code="invalid_reply_to",
                field="reply_to",
            )
    attached = clean_attachments(actor, conversation_id, attachment_ids)
    message = Message(
        conversation_id=conversation_id,
        seq=seq,
        author=actor,
        client_id=client_id,
        body=body,
        reply_to_id=reply_to_id,
    )
    # An empty body (attachments only) was allowed by _clean_body; the field itself is not blank.
    exclude = ["conversation", "author", "reply_to"] + ([] if body else ["body"])
    message.full_clean(exclude=exclude, validate_constraints=False)
    # A resend (same client_id) fails here on the unique constraint: message_send rolls everything back,
    # the sequence number included, and returns the first message.
    message.save(force_insert=True)
    mention_ids = []
    if "@**" in body:
        mention_ids = _mentioned_users(conversation_id, body, actor)
        if mention_ids:
            message.mentions.add(*mention_ids)  # a new message: nothing to compare with (no SELECT)
    if attached:
        message.attachments.add(*attached)
    if not read_marked:  # writing a message means having read the conversation up to it
        ConversationMember.objects.filter(
            conversation_id=conversation_id, user=actor, last_read_seq__lt=seq
        ).update(last_read_seq=seq)
    payload = message_data(message, mention_ids, sorted(attached, key=lambda d: d.pk))
    publish.to_conversation(conversation_id, {"type": "message.new", "message": payload}, seq=seq)
    return message, True


def _locked(message: Message) -> Message:
    """The message row again, locked (an edit and a deletion never interleave), with the conversation
    the access helper resolved."""
    locked = (
        Message.objects.select_for_update(of=("self",)).select_related("author").filter(pk=message.pk).first()
    )
    if locked is None:
        raise Http404
    locked.conversation = message.conversation
    return locked


@transaction.atomic
def message_edit(*, actor: User, message: Message, body: str) -> Message:
    """The author edits their message; the previous text goes to the edit history.
    `message`: from `access_message(..., for_write=True)`."""
    message = _locked(message)
    conversation = message.conversation
    if message.author_id != actor.pk:
        raise PermissionDenied(_("Seul·e l'auteur·rice peut modifier ce message."))
    if message.is_deleted:
        raise ServiceError(_("Ce message a été supprimé."), code="deleted")
    body = _clean_body(body)
    if body == message.body:
        return message
    MessageEdit.objects.create(message=message, body=message.body, editor=actor)
    message.body = body
    message.edited_at = timezone.now()
    message.full_clean(exclude=["conversation", "author", "reply_to"], validate_constraints=False)
    message.save(update_fields=["body", "edited_at"])
    mention_ids = _mentioned_users(conversation.pk, body, actor)
    message.mentions.set(mention_ids)
    publish.to_conversation(
        conversation.pk, {"type": "message.updated", "message": message_data(message, mention_ids)}
    )
    return message


@transaction.atomic
def message_delete(*, actor: User, message: Message) -> Message:
    """Soft delete by the author, or removal by a conversation admin. The row stays as a tombstone (its
    sequence number keeps `sync` exact); its text and edit history are erased.
    `message`: from `access_message(..., for_write=True)`."""
    message = _locked(message)
    conversation = message.conversation
    if message.author_id != actor.pk and not is_conversation_admin(
        actor, conversation, current_member(actor, conversation)
    ):
        raise PermissionDenied(
            _("Seul·e l'auteur·rice ou un·e administrateur·rice peut supprimer ce message.")
        )
    if message.is_deleted:
        return message
    message.deleted_at = timezone.now()
    message.deleted_by = actor
    message.body = ""
    message.save(update_fields=["deleted_at", "deleted_by", "body"])
    message.edits.all().delete()
    message.mentions.clear()
    # The documents stay (shared with the members, in their library); the message no longer shows them.
    message.attachments.clear()
    publish.to_conversation(
        conversation.pk,
        {
            "type": "message.deleted",
            "message": {
                "id": message.pk,
                "conversation": conversation.pk,
                "seq": message.seq,
                "by": actor.pk,
            },
        },
    )
    return message


def clean_seq(seq) -> int:
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ServiceError(_("seq doit être un entier positif."), code="invalid_seq", field="seq")
    return seq


@transaction.atomic
def read_mark(*, actor: User, conversation: Conversation, seq: int) -> ConversationMember:
    """Move the user's read marker forward to `seq` (never back, never past the last message), then tell
    every device of the user (`read.updated` and fresh `unread` counts). `conversation`: from
    `access_conversation` (with its `current_member`)."""
    seq = min(clean_seq(seq), conversation.last_seq)
    member = current_member(actor, conversation)
    if member is None:
        raise Http404
    if seq > member.last_read_seq:
        ConversationMember.objects.filter(pk=member.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
        member.last_read_seq = seq
    publish.to_user(
        actor.pk, {"type": "read.updated", "conversation": conversation.pk, "seq": member.last_read_seq}
    )
    publish.to_user(
        actor.pk, {"type": "unread", "conversations": selectors.unread_counts(actor, [conversation.pk])}
    )
    return member


def typing_notify(*, actor: User, conversation: Conversation) -> None:
    """Tell the other members that the actor is typing (not persisted). `conversation`: from
    `access_conversation(..., for_write=True)`."""
    publish.to_conversation(
        conversation.pk,
        {
            "type": "typing",
            "conversation": conversation.pk,
            "user": {"id": actor.pk, "name": display_name(actor)},
        },
        exclude_user=actor.pk,
    )
