"""Attachments: files uploaded to a conversation become shared documents of `shared_actions` (visibility
"designated people"), whose people follow the conversation's members."""

import logging
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _

from federation.access import can_manage_federation
from federation.errors import ServiceError
from federation.models import Cpts, Federation, Membership, User
from federation.selectors import cpts_federation
from messaging.models import Conversation, ConversationAttachment
from shared_actions.documents import services as documents
from shared_actions.documents.access import access_document
from shared_actions.documents.models import Document, DocumentCategory, Visibility
from shared_actions.documents.selectors import sharing_people_q

logger = logging.getLogger(__name__)

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
def attachment_upload(*, actor: User, conversation: Conversation, file, title: str = "") -> Document:
    """Upload a file to a conversation: a shared document with the "people" visibility, shared with the
    conversation's members (shared_actions validates the file first: size limit, type detected on the
    content; nothing is stored when it is refused). Send it with `message_send(attachment_ids=[...])`.
    `conversation`: from `access_conversation(..., for_write=True)`."""
    if conversation.is_archived:
        raise PermissionDenied
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


def attachments_follow_members(
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


def clean_attachments(actor: User, conversation_id: int, attachment_ids) -> list[Document]:
    """The documents a message carries: each one uploaded to this conversation and visible to the
    sender (`access_document`). Anything else is refused as a whole (code `invalid_attachment`)."""
    if attachment_ids is None or attachment_ids == []:
        return []
    if not isinstance(attachment_ids, list | tuple) or any(
        isinstance(i, bool) or not isinstance(i, int) for i in attachment_ids
    ):
        raise ServiceError(
            _("attachments doit être une liste d'identifiants de documents."),
            code="invalid_attachments",
            field="attachments",
        )
    ids = list(dict.fromkeys(attachment_ids))
    if len(ids) > max_attachments():
        raise ServiceError(
            _("Trop de pièces jointes (%(max)d au plus).") % {"max": max_attachments()},
            code="too_many_attachments",
            field="attachments",
        )
    refused = ServiceError(
        _("Pièce jointe introuvable ou inaccessible."), code="invalid_attachment", field="attachments"
    )
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
