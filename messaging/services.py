"""Writes of the messaging app. Persist first, publish on commit (federation.events).

Errors: `Http404` (not a member / does not exist), `PermissionDenied` (not allowed, archived),
`ValidationError` with a `code` (bad input). The websocket consumer and the API map them to their frames
and status codes.
"""

import json
import logging
import re
import uuid
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.access import can_manage_federation, is_federation_participant
from federation.events import send_event_on_commit, user_group
from federation.models import CPTS_MANAGER_ROLES, Cpts, Federation, Membership, User
from federation.selectors import cpts_federation
from messaging import selectors
from messaging.access import (
    access_conversation,
    access_conversation_admin,
    is_conversation_admin,
    may_be_invited,
    may_join,
)
from messaging.models import (
    Conversation,
    ConversationAttachment,
    ConversationMember,
    Message,
    MessageEdit,
    NotificationPreference,
    RetentionPolicy,
    conversation_group,
)
from shared_actions import services as documents
from shared_actions.access import access_document
from shared_actions.models import Document, DocumentCategory, Visibility
from shared_actions.selectors import sharing_people_q

logger = logging.getLogger(__name__)

MENTION_RE = re.compile(r"@\*\*([^*\n]{1,150})\*\*")


# --- frames ---------------------------------------------------------------------------------------
def display_name(user: User | None) -> str:
    if user is None:
        return _("Compte supprimé")
    return user.display_name or user.email


def attachment_payload(document: Document) -> dict | None:
    """An attachment in a message: its latest version, downloaded through shared_actions' checked view
    (`access_document_version`: only the people it is shared with; logged; `nosniff` attachment)."""
    versions = list(document.versions.all())  # prefetched by the selectors
    if not versions:
        return None
    version = max(versions, key=lambda v: v.number)
    return {
        "id": document.pk,
        "title": document.title,
        "name": version.original_name,
        "size": version.size,
        "content_type": version.content_type,
        "url": reverse(
            "actions-document-download", kwargs={"document_id": document.pk, "number": version.number}
        ),
    }


def message_payload(
    message: Message,
    mention_ids: Iterable[int] | None = None,
    attachments: Iterable[Document] | None = None,
) -> dict:
    """The JSON shape of a message in frames and in the API."""
    deleted = message.deleted_at is not None
    if mention_ids is None:
        mention_ids = [u.pk for u in message.mentions.all()]
    if deleted:
        attachments = []
    elif attachments is None:
        attachments = sorted(message.attachments.all(), key=lambda d: d.pk)
    shown = [attachment_payload(d) for d in attachments]
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "author": {"id": message.author_id, "name": display_name(message.author)},
        "body": "" if deleted else message.body,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
        "client_id": str(message.client_id),
        "reply_to": message.reply_to_id,
        "mentions": [] if deleted else sorted(mention_ids),
        "attachments": [a for a in shown if a is not None],
    }


def conversation_payload(conversation: Conversation) -> dict:
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "title": str(conversation),
        "archived": conversation.is_archived,
        "last_seq": conversation.last_seq,
        "federation": conversation.federation.slug if conversation.federation_id else None,
    }


def _publish_to_conversation(conversation_id: int, frame: dict, **extra) -> None:
    event = {"type": "chat.forward", "conversation": conversation_id, "text": json.dumps(frame), **extra}
    send_event_on_commit([conversation_group(conversation_id)], event)


def _publish_to_user(user_id: int, frame: dict) -> None:
    send_event_on_commit([user_group(user_id)], {"type": "chat.user", "text": json.dumps(frame)})


def _publish_membership(user_id: int, conversation: Conversation, action: str) -> None:
    frame = (
        {"type": "conversation.added", "conversation": conversation_payload(conversation)}
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


# --- conversations --------------------------------------------------------------------------------
def _add_member(conversation: Conversation, user: User, *, is_admin: bool = False) -> ConversationMember:
    member, created = ConversationMember.objects.get_or_create(
        conversation=conversation,
        user=user,
        # A newcomer starts at the present: earlier history is readable but not "unread".
        defaults={
            "is_admin": is_admin,
            "last_read_seq": conversation.last_seq,
            "notified_seq": conversation.last_seq,
        },
    )
    if not created and is_admin and not member.is_admin:
        member.is_admin = True
        member.save(update_fields=["is_admin"])
    if created:
        _attachments_follow_members(conversation, added=user)
        _publish_membership(user.pk, conversation, "added")
    return member


@transaction.atomic
def conversation_create(
    *,
    actor: User | None,
    kind: str,
    title: str = "",
    topic: str = "",
    federation: Federation | None = None,
    cpts: Cpts | None = None,
    members: Iterable[User] = (),
    is_open: bool | None = None,
) -> Conversation:
    """Create a conversation; the actor becomes its admin. `actor=None` is the system (demo, sync).

    CPTS channels: by the CPTS's managers; federation channels: by federation managers; working groups
    and direct conversations: by any participant of the federation, with participants only.
    """
    members = [m for m in members if actor is None or m.pk != actor.pk]
    if kind == Conversation.Kind.CPTS:
        if cpts is None:
            raise ValidationError(_("Une CPTS est requise."), code="cpts_required")
        if actor is not None and not actor.is_staff:
            if not Membership.objects.filter(user=actor, cpts=cpts, role__in=CPTS_MANAGER_ROLES).exists():
                raise PermissionDenied
        federation = federation or cpts_federation(cpts)
    elif federation is None:
        raise ValidationError(_("Une fédération est requise."), code="federation_required")
    elif kind == Conversation.Kind.FEDERATION:
        if actor is not None and not can_manage_federation(actor, federation):
            raise PermissionDenied
    elif actor is not None and not is_federation_participant(actor, federation):
        raise Http404
    if kind == Conversation.Kind.DIRECT:
        is_open = False
        if not members:
            raise ValidationError(_("Choisissez au moins une personne."), code="members_required")
        if len(members) + 1 > settings.MESSAGING_DIRECT_MAX_MEMBERS:
            raise ValidationError(
                _("Une conversation directe compte au plus %(n)d personnes.")
                % {"n": settings.MESSAGING_DIRECT_MAX_MEMBERS},
                code="too_many_members",
            )
    elif not title.strip():
        raise ValidationError(_("Donnez un titre à la conversation."), code="title_required")
    conversation = Conversation(
        kind=kind,
        title=title.strip(),
        topic=topic.strip(),
        federation=federation,
        cpts=cpts if kind == Conversation.Kind.CPTS else None,
        is_open=(kind != Conversation.Kind.GROUP) if is_open is None else is_open,
        created_by=actor,
    )
    conversation.full_clean()
    conversation.save()
    if actor is not None:
        _add_member(conversation, actor, is_admin=True)
    for user in members:
        if not may_be_invited(user, conversation):
            raise ValidationError(
                _("%(name)s ne peut pas rejoindre cette conversation.") % {"name": display_name(user)},
                code="not_eligible",
            )
        _add_member(conversation, user)
    return conversation


@transaction.atomic
def cpts_channel_sync(*, cpts: Cpts) -> Conversation:
    """The general channel of `cpts`, created if missing, with every member of the CPTS in it (its
    managers as admins). Idempotent: call it when CPTS memberships change."""
    conversation = Conversation.objects.filter(kind=Conversation.Kind.CPTS, cpts=cpts).first()
    if conversation is None:
        conversation = conversation_create(
            actor=None,
            kind=Conversation.Kind.CPTS,
            cpts=cpts,
            title=_("Général — %(cpts)s") % {"cpts": cpts.name},
        )
    present = set(conversation.memberships.values_list("user_id", flat=True))
    for membership in Membership.objects.filter(cpts=cpts).select_related("user"):
        if membership.user_id not in present:
            _add_member(conversation, membership.user, is_admin=membership.role in CPTS_MANAGER_ROLES)
    return conversation


@transaction.atomic
def conversation_join(*, actor: User, conversation: Conversation) -> ConversationMember:
    if not may_join(actor, conversation):
        raise Http404
    return _add_member(conversation, actor)


@transaction.atomic
def member_add(
    *, actor: User, conversation_id: int, user: User, is_admin: bool = False
) -> ConversationMember:
    """Invite `user` (admins only; in a direct conversation, any member, within the size limit)."""
    conversation = access_conversation(actor, conversation_id, for_write=True)
    if conversation.kind == Conversation.Kind.DIRECT:
        if conversation.memberships.count() + 1 > settings.MESSAGING_DIRECT_MAX_MEMBERS:
            raise ValidationError(_("Cette conversation directe est complète."), code="too_many_members")
    elif not is_conversation_admin(actor, conversation, conversation.current_member):
        raise PermissionDenied
    if not may_be_invited(user, conversation):
        raise ValidationError(
            _("%(name)s ne peut pas rejoindre cette conversation.") % {"name": display_name(user)},
            code="not_eligible",
        )
    return _add_member(conversation, user, is_admin=is_admin)


@transaction.atomic
def member_remove(*, actor: User, conversation_id: int, user: User) -> None:
    """Remove `user` (themself: leaving; someone else: admins only). Their sockets stop receiving the
    conversation at once (the consumer leaves the group and drops its frames)."""
    if user.pk == actor.pk:
        conversation = access_conversation(actor, conversation_id)
    else:
        conversation = access_conversation_admin(actor, conversation_id)
    if (
        conversation.kind == Conversation.Kind.CPTS
        and Membership.objects.filter(user=user, cpts_id=conversation.cpts_id).exists()
    ):
        raise ValidationError(
            _("Le canal général d'une CPTS réunit tous ses membres : on le quitte en quittant la CPTS."),
            code="cpts_channel",
        )
    deleted, _details = ConversationMember.objects.filter(conversation=conversation, user=user).delete()
    if not deleted:
        raise Http404
    _attachments_follow_members(conversation, removed=user)
    _publish_membership(user.pk, conversation, "removed")


@transaction.atomic
def memberships_revalidate(*, user: User) -> list[int]:
    """Bring the user's conversations in line with their memberships: join the general channel of each
    CPTS they belong to; leave the general channel of a CPTS they left and the conversations of a
    federation they no longer take part in. Returns the removed conversation ids (their sockets are told
    at once). Idempotent; four queries when nothing changes. Called when a socket connects, when the chat
    page opens and when the base layer sends `access.revoked`."""
    from federation.selectors import user_federations

    cpts_ids = set(Membership.objects.filter(user=user).values_list("cpts_id", flat=True))
    rows = list(ConversationMember.objects.filter(user=user).select_related("conversation"))
    present = {member.conversation_id for member in rows}
    if cpts_ids:
        for channel in Conversation.objects.filter(kind=Conversation.Kind.CPTS, cpts_id__in=cpts_ids).exclude(
            pk__in=present
        ):
            _add_member(channel, user)
    if not rows:
        return []
    federation_ids = set(user_federations(user).values_list("pk", flat=True))
    removed = []
    for member in rows:
        conversation = member.conversation
        if conversation.kind == Conversation.Kind.CPTS:
            allowed = conversation.cpts_id in cpts_ids
        else:
            allowed = conversation.federation_id in federation_ids
        if not allowed:
            member.delete()
            _attachments_follow_members(conversation, removed=user)
            _publish_membership(user.pk, conversation, "removed")
            removed.append(conversation.pk)
    return removed


@transaction.atomic
def conversation_archive(*, actor: User, conversation_id: int, archived: bool = True) -> Conversation:
    conversation = access_conversation_admin(actor, conversation_id)
    conversation.archived_at = timezone.now() if archived else None
    conversation.save(update_fields=["archived_at"])
    _publish_to_conversation(
        conversation.pk, {"type": "conversation.updated", "conversation": conversation_payload(conversation)}
    )
    return conversation


# --- attachments (shared documents) ---------------------------------------------------------------
# Shared documents need a category; none of shared_actions' fits a chat file better than this one.
ATTACHMENT_CATEGORY = DocumentCategory.ATTACHMENT


def max_attachments() -> int:
    return getattr(settings, "MESSAGING_MAX_ATTACHMENTS", 10)


def _attachment_owner(actor: User, conversation: Conversation) -> dict:
    """Who owns the document, as shared_actions requires (`document_create`: any member of the owning
    CPTS, or the staff of the owning federation): the conversation's CPTS for a CPTS channel; otherwise
    the actor's CPTS in the conversation's federation (lowest id), or the federation for its staff."""
    if conversation.cpts_id and Membership.objects.filter(user=actor, cpts_id=conversation.cpts_id).exists():
        return {"cpts": conversation.cpts}
    federation = conversation.federation
    if federation is not None:
        cpts = (
            Cpts.objects.filter(
                memberships__user=actor,
                federation_memberships__federation=federation,
                federation_memberships__left_on__isnull=True,
            )
            .order_by("pk")
            .first()
        )
        if cpts is not None:
            return {"cpts": cpts}
        if can_manage_federation(actor, federation):
            return {"federation": federation}
    raise PermissionDenied(
        _(
            "Seuls les membres d'une CPTS de la fédération et l'équipe de la fédération peuvent joindre "
            "un fichier."
        )
    )


def _eligible_people(
    user_ids: Iterable[int], *, cpts: Cpts | None, federation: Federation | None
) -> list[User]:
    """The given people a document of that owner may be shared with (shared_actions' rule): a member
    whose CPTS just left the federation, not yet removed from the conversation, gets nothing."""
    return list(
        User.objects.filter(pk__in=list(user_ids))
        .filter(sharing_people_q(cpts=cpts, federation=federation))
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def attachment_upload(*, actor: User, conversation_id: int, file, title: str = "") -> Document:
    """Upload a file to a conversation: a shared document with the "people" visibility, shared with the
    conversation's members (shared_actions validates the file first: size limit, type detected on the
    content; nothing is stored when it is refused). Send it with `message_send(attachment_ids=[...])`."""
    conversation = access_conversation(actor, conversation_id, for_write=True)
    owner = _attachment_owner(actor, conversation)
    federation = owner.get("federation") or cpts_federation(owner["cpts"])
    member_ids = set(conversation.memberships.values_list("user_id", flat=True)) | {actor.pk}
    people = _eligible_people(member_ids, cpts=owner.get("cpts"), federation=federation)
    title = (title or "").strip() or PurePath(getattr(file, "name", "") or "").stem.strip()
    document = documents.document_create(
        actor=actor,
        title=title[:200] or _("Pièce jointe"),
        category=ATTACHMENT_CATEGORY,
        file=file,
        description=_("Pièce jointe de la conversation « %(title)s ».") % {"title": str(conversation)},
        visibility=Visibility.PEOPLE,
        shared_with_users=people,
        **owner,
    )
    ConversationAttachment.objects.create(conversation=conversation, document=document, uploaded_by=actor)
    prefetch_related_objects([document], "versions")
    return document


def _attachments_follow_members(
    conversation: Conversation, *, added: User | None = None, removed: User | None = None
) -> None:
    """Keep the people of the conversation's attachments equal to its members (plus the person who
    shared each one, whom shared_actions always lets see it). Only the documents that need it are
    touched: one query when there is nothing to do. Changes go through `document_update`, on behalf of
    the person who shared the document (the only one shared_actions lets change a "people" document)."""
    rows = ConversationAttachment.objects.filter(conversation=conversation)
    if added is not None:
        rows = rows.exclude(document__shared_with_users=added).exclude(document__created_by=added)
    if removed is not None:
        rows = rows.filter(document__shared_with_users=removed)
    rows = list(rows.select_related("document__cpts", "document__federation", "document__created_by"))
    if not rows:
        return
    member_ids = set(conversation.memberships.values_list("user_id", flat=True))
    for row in rows:
        document = row.document
        sharer = document.created_by
        if sharer is None:
            # The sharer's account was deleted: nobody may change the sharing any more. Keep it as it
            # is (a removed member keeps access to what was shared while they were in; see PROTOCOL.md).
            logger.warning("attachment %s: sharer deleted, people not updated", document.pk)
            continue
        people = _eligible_people(
            member_ids | {sharer.pk}, cpts=document.cpts, federation=document.federation
        )
        if not people:
            logger.warning("attachment %s: nobody left to share it with", document.pk)
            continue
        documents.document_update(actor=sharer, document=document, shared_with_users=people)


def _clean_attachments(actor: User, conversation_id: int, attachment_ids) -> list[Document]:
    """The documents a message carries: each one uploaded to this conversation and visible to the
    sender (`access_document`). Anything else is refused as a whole (code `invalid_attachment`)."""
    if attachment_ids is None or attachment_ids == []:
        return []
    if not isinstance(attachment_ids, list | tuple) or any(
        isinstance(i, bool) or not isinstance(i, int) for i in attachment_ids
    ):
        raise ValidationError(
            _("attachments doit être une liste d'identifiants de documents."), code="invalid_attachments"
        )
    ids = list(dict.fromkeys(attachment_ids))
    if len(ids) > max_attachments():
        raise ValidationError(
            _("Trop de pièces jointes (%(max)d au plus).") % {"max": max_attachments()},
            code="too_many_attachments",
        )
    refused = ValidationError(_("Pièce jointe introuvable ou inaccessible."), code="invalid_attachment")
    found = []
    for document_id in ids:
        try:
            found.append(access_document(actor, document_id))
        except Http404:
            raise refused from None
    here = set(
        ConversationAttachment.objects.filter(
            conversation_id=conversation_id, document_id__in=ids
        ).values_list("document_id", flat=True)
    )
    if here != set(ids):
        raise refused
    prefetch_related_objects(found, "versions")
    return found


# --- messages -------------------------------------------------------------------------------------
def _clean_body(body, *, allow_empty: bool = False) -> str:
    if allow_empty and (body is None or (isinstance(body, str) and not body.strip())):
        return ""  # a message made of attachments only
    if not isinstance(body, str) or not body.strip():
        raise ValidationError(_("Le message est vide."), code="empty_body")
    body = body.strip()
    if len(body) > settings.MESSAGING_MAX_BODY:
        raise ValidationError(
            _("Le message est trop long (%(max)d caractères au plus).")
            % {"max": settings.MESSAGING_MAX_BODY},
            code="body_too_long",
        )
    return body


def _clean_client_id(client_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_id))
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(_("client_id doit être un UUID."), code="invalid_client_id") from None


def _mentioned_users(conversation: Conversation, body: str, actor: User) -> list[int]:
    """Members named as `@**Display name**` (or `@**e-mail**`) in the body."""
    names = {name.strip().lower() for name in MENTION_RE.findall(body)}
    if not names:
        return []
    ids = []
    for user_id, name, email in conversation.memberships.values_list(
        "user_id", "user__display_name", "user__email"
    ):
        if user_id != actor.pk and (name.lower() in names or email.lower() in names):
            ids.append(user_id)
    return ids


def message_send(
    *,
    actor: User,
    conversation_id: int,
    body: str,
    client_id,
    reply_to_id: int | None = None,
    attachment_ids=(),
) -> tuple[Message, bool]:
    """Persist a message, then publish it on commit. Returns (message, created).

    `attachment_ids`: documents uploaded to this conversation (`attachment_upload`) that the sender may
    see; with attachments, the body may be empty.

    The sequence number comes from the conversation row, updated under its lock, so concurrent senders
    get consecutive numbers. A resend with a known `client_id` returns the first message unchanged (the
    unique constraint backs this up against concurrent resends).
    """
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


def _allocate_seq(actor: User, conversation_id: int) -> int | None:
    """One statement: check membership and archive state, lock the conversation row and take the next
    sequence number (UPDATE ... RETURNING: PostgreSQL, SQLite >= 3.35). None if refused."""
    sql = _ALLOCATE_SEQ.format(
        conversation=connection.ops.quote_name(Conversation._meta.db_table),
        member=connection.ops.quote_name(ConversationMember._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [conversation_id, conversation_id, actor.pk])
        row = cursor.fetchone()
    return row[0] if row else None


def _message_send(
    actor, conversation_id, body, client_id, reply_to_id, attachment_ids=()
) -> tuple[Message, bool]:
    if not actor.is_active:
        raise Http404
    body = _clean_body(body, allow_empty=bool(attachment_ids))
    seq = _allocate_seq(actor, conversation_id)
    if seq is None:
        conversation = access_conversation(actor, conversation_id)  # 404 for a non-member
        existing = Message.objects.filter(
            conversation=conversation, author=actor, client_id=client_id
        ).first()
        if existing is not None:
            return existing, False
        raise PermissionDenied(_("Cette conversation est archivée : lecture seule."))
    if reply_to_id is not None:
        if not Message.objects.filter(conversation_id=conversation_id, pk=reply_to_id).exists():
            raise ValidationError(
                _("Le message cité n'existe pas dans cette conversation."), code="invalid_reply_to"
            )
    attached = _clean_attachments(actor, conversation_id, attachment_ids)
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
        conversation = Conversation(pk=conversation_id)
        mention_ids = _mentioned_users(conversation, body, actor)
        if mention_ids:
            message.mentions.set(mention_ids)
    if attached:
        message.attachments.set(attached)
    # Writing a message means having read the conversation up to it.
    ConversationMember.objects.filter(
        conversation_id=conversation_id, user=actor, last_read_seq__lt=seq
    ).update(last_read_seq=seq)
    payload = message_payload(message, mention_ids, sorted(attached, key=lambda d: d.pk))
    _publish_to_conversation(conversation_id, {"type": "message.new", "message": payload}, seq=seq)
    return message, True


def _message_for_change(actor: User, message_id: int) -> tuple[Message, Conversation]:
    message = (
        Message.objects.select_for_update(of=("self",)).select_related("author").filter(pk=message_id).first()
    )
    if message is None:
        raise Http404
    conversation = access_conversation(actor, message.conversation_id, for_write=True)
    message.conversation = conversation
    return message, conversation


@transaction.atomic
def message_edit(*, actor: User, message_id: int, body: str) -> Message:
    """The author edits their message; the previous text goes to the edit history."""
    message, conversation = _message_for_change(actor, message_id)
    if message.author_id != actor.pk:
        raise PermissionDenied(_("Seul·e l'auteur·rice peut modifier ce message."))
    if message.is_deleted:
        raise ValidationError(_("Ce message a été supprimé."), code="deleted")
    body = _clean_body(body)
    if body == message.body:
        return message
    MessageEdit.objects.create(message=message, body=message.body, editor=actor)
    message.body = body
    message.edited_at = timezone.now()
    message.full_clean(exclude=["conversation", "author", "reply_to"], validate_constraints=False)
    message.save(update_fields=["body", "edited_at"])
    mention_ids = _mentioned_users(conversation, body, actor)
    message.mentions.set(mention_ids)
    _publish_to_conversation(
        conversation.pk, {"type": "message.updated", "message": message_payload(message, mention_ids)}
    )
    return message


@transaction.atomic
def message_delete(*, actor: User, message_id: int) -> Message:
    """Soft delete by the author, or removal by a conversation admin. The row stays as a tombstone (its
    sequence number keeps `sync` exact); its text and edit history are erased."""
    message, conversation = _message_for_change(actor, message_id)
    if message.author_id != actor.pk and not is_conversation_admin(
        actor, conversation, conversation.current_member
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
    _publish_to_conversation(
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


# --- read state, typing ---------------------------------------------------------------------------
@transaction.atomic
def read_mark(*, actor: User, conversation_id: int, seq: int) -> ConversationMember:
    """Move the user's read marker forward to `seq` (never back, never past the last message), then tell
    every device of the user (`read.updated` and fresh `unread` counts)."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValidationError(_("seq doit être un entier positif."), code="invalid_seq")
    conversation = access_conversation(actor, conversation_id)
    member = conversation.current_member
    seq = min(seq, conversation.last_seq)
    if seq > member.last_read_seq:
        ConversationMember.objects.filter(pk=member.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
        member.last_read_seq = seq
    _publish_to_user(
        actor.pk, {"type": "read.updated", "conversation": conversation.pk, "seq": member.last_read_seq}
    )
    _publish_to_user(
        actor.pk, {"type": "unread", "conversations": selectors.unread_counts(actor, [conversation.pk])}
    )
    return member


def typing_notify(*, actor: User, conversation_id: int) -> None:
    """Tell the other members that the actor is typing (not persisted)."""
    conversation = access_conversation(actor, conversation_id, for_write=True)
    _publish_to_conversation(
        conversation.pk,
        {
            "type": "typing",
            "conversation": conversation.pk,
            "user": {"id": actor.pk, "name": display_name(actor)},
        },
        exclude_user=actor.pk,
    )


# --- preferences and policy -----------------------------------------------------------------------
@transaction.atomic
def notification_preference_set(*, actor: User, mode: str) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=actor)
    preference.mode = mode
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def retention_set(
    *, actor: User | None, federation: Federation, retention_days: int | None
) -> RetentionPolicy:
    """Federation managers set how long messages are kept (None: keep)."""
    if actor is not None and not can_manage_federation(actor, federation):
        raise PermissionDenied
    policy, _created = RetentionPolicy.objects.get_or_create(federation=federation)
    policy.retention_days = retention_days
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def purge_expired(*, now=None) -> int:
    """Delete the messages older than their federation's retention. Returns how many were purged."""
    now = now or timezone.now()
    purged = 0
    for policy in RetentionPolicy.objects.filter(retention_days__isnull=False):
        cutoff = now - timezone.timedelta(days=policy.retention_days)
        old = Message.objects.filter(conversation__federation=policy.federation, created_at__lt=cutoff)
        # Replies keep existing; their quote becomes empty (SET_NULL).
        count, _details = Message.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
        purged += _details.get("messaging.Message", 0) if count else 0
    return purged
