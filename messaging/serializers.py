"""Output shapes of the messaging app: the websocket frames (messaging/PROTOCOL.md) and the API answers.

Each serializer declares its fields (they type the OpenAPI schema) and builds its dict by hand in
`to_representation`: a message is serialised on every send and up to 500 times per `sync`, and DRF's
generic field walk costs several times more for the same JSON. Input serializers live in `messaging/api.py`.
"""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from federation.models import User
from messaging.models import Conversation, ConversationMember, Message, NotificationPreference
from shared_actions.models import Document


def display_name(user: User | None) -> str:
    if user is None:
        return _("Compte supprimé")
    return user.display_name or user.email


class AttachmentSerializer(serializers.Serializer):
    """An attachment: a shared document; `url` is shared_actions' permission-checked download
    (`access_document_version`: only the people it is shared with; logged; `nosniff` attachment)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    url = serializers.CharField()

    def to_representation(self, document: Document) -> dict | None:
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


def attachment_data(document: Document) -> dict | None:
    return AttachmentSerializer().to_representation(document)


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    """A message, in frames and in the API. Context (optional, to spare queries): `mention_ids`,
    `attachments` (documents with their versions prefetched)."""

    id = serializers.IntegerField()
    conversation = serializers.IntegerField()
    seq = serializers.IntegerField()
    author = AuthorSerializer()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()
    client_id = serializers.UUIDField()
    reply_to = serializers.IntegerField(allow_null=True)
    mentions = serializers.ListField(child=serializers.IntegerField())
    attachments = AttachmentSerializer(many=True)

    def to_representation(self, message: Message) -> dict:
        return message_data(message, self.context.get("mention_ids"), self.context.get("attachments"))


def message_data(
    message: Message,
    mention_ids: Iterable[int] | None = None,
    attachments: Iterable[Document] | None = None,
) -> dict:
    """`MessageSerializer`'s output without the serializer instance (the hot path of frames)."""
    deleted = message.deleted_at is not None
    if mention_ids is None:
        mention_ids = [u.pk for u in message.mentions.all()]
    if deleted:
        attachments = []
    elif attachments is None:
        attachments = sorted(message.attachments.all(), key=lambda d: d.pk)
    shown = [attachment_data(d) for d in attachments]
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


class SearchResultSerializer(MessageSerializer):
    conversation_title = serializers.CharField()

    def to_representation(self, message: Message) -> dict:
        return {**message_data(message, []), "conversation_title": str(message.conversation)}


class MessagePageSerializer(serializers.Serializer):
    """A page of history; `previous` is passed back as `?before=`, `next` as `?after=`."""

    results = MessageSerializer(many=True)
    previous = serializers.IntegerField(allow_null=True)
    next = serializers.IntegerField(allow_null=True)
    last_seq = serializers.IntegerField()


class MessageEditSerializer(serializers.Serializer):
    body = serializers.CharField()
    edited_at = serializers.DateTimeField()


class MessageHistorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    edits = MessageEditSerializer(many=True)

    def to_representation(self, message: Message) -> dict:
        return {
            "id": message.pk,
            "body": "" if message.is_deleted else message.body,
            "edits": [{"body": e.body, "edited_at": e.edited_at.isoformat()} for e in message.edits.all()],
        }


class ConversationFrameSerializer(serializers.Serializer):
    """A conversation in `conversation.added` / `conversation.updated` frames."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
    title = serializers.CharField()
    archived = serializers.BooleanField()
    last_seq = serializers.IntegerField()
    federation = serializers.CharField(allow_null=True)

    def to_representation(self, conversation: Conversation) -> dict:
        return {
            "id": conversation.pk,
            "kind": conversation.kind,
            "title": str(conversation),
            "archived": conversation.is_archived,
            "last_seq": conversation.last_seq,
            "federation": conversation.federation.slug if conversation.federation_id else None,
        }


def conversation_frame_data(conversation: Conversation) -> dict:
    return ConversationFrameSerializer().to_representation(conversation)


def conversation_title(conversation: Conversation, user: User, members: Iterable[ConversationMember]) -> str:
    """Direct conversations are named after the other people in them (`members`: prefetched rows)."""
    if conversation.kind == Conversation.Kind.DIRECT:
        others = [display_name(m.user) for m in members if m.user_id != user.pk]
        return ", ".join(others) or str(conversation)
    return str(conversation)


class ConversationRowSerializer(serializers.Serializer):
    """One of the user's conversations (a membership row from `selectors.user_memberships`). Context:
    `user`."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
    title = serializers.CharField()
    topic = serializers.CharField()
    archived = serializers.BooleanField()
    cpts = serializers.CharField(allow_null=True)
    federation = serializers.CharField(allow_null=True)
    last_seq = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()
    unread = serializers.IntegerField()
    mentions = serializers.IntegerField()
    is_admin = serializers.BooleanField()

    def to_representation(self, member: ConversationMember) -> dict:
        conversation = member.conversation
        return {
            "id": conversation.pk,
            "kind": conversation.kind,
            "title": conversation_title(conversation, self.context["user"], conversation.memberships.all()),
            "topic": conversation.topic,
            "archived": conversation.is_archived,
            "cpts": conversation.cpts.slug if conversation.cpts else None,
            "federation": conversation.federation.slug if conversation.federation else None,
            "last_seq": conversation.last_seq,
            "last_read_seq": member.last_read_seq,
            "unread": member.unread,
            "mentions": member.mention_count,
            "is_admin": member.is_admin,
        }


def conversation_rows(members: Iterable[ConversationMember], user: User) -> list[dict]:
    return ConversationRowSerializer(list(members), many=True, context={"user": user}).data


class ConversationListSerializer(serializers.Serializer):
    results = ConversationRowSerializer(many=True)


class JoinableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
    title = serializers.CharField(source="__str__")
    topic = serializers.CharField()


class JoinableListSerializer(serializers.Serializer):
    results = JoinableSerializer(many=True)


class ConversationMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    name = serializers.SerializerMethodField()
    is_admin = serializers.BooleanField()

    def get_name(self, member: ConversationMember) -> str:
        return display_name(member.user)


class MssanteAddressSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()


class NoticeSerializer(serializers.Serializer):
    """The patient-data notice (null when the deployment declares HDS hosting)."""

    text = serializers.CharField()
    mssante = MssanteAddressSerializer(many=True)


class ConversationDetailSerializer(serializers.Serializer):
    """Context: `user`, `members` (rows with their user), `is_admin`, `notice`."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
    title = serializers.CharField()
    topic = serializers.CharField()
    archived = serializers.BooleanField()
    last_seq = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()
    is_admin = serializers.BooleanField()
    members = ConversationMemberSerializer(many=True)
    notice = NoticeSerializer(allow_null=True)

    def to_representation(self, conversation: Conversation) -> dict:
        members = self.context["members"]
        return {
            "id": conversation.pk,
            "kind": conversation.kind,
            "title": conversation_title(conversation, self.context["user"], members),
            "topic": conversation.topic,
            "archived": conversation.is_archived,
            "last_seq": conversation.last_seq,
            "last_read_seq": conversation.current_member.last_read_seq,
            "is_admin": self.context["is_admin"],
            "members": ConversationMemberSerializer(members, many=True).data,
            "notice": self.context["notice"],
        }


class CreatedIdSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class MemberAddedSerializer(serializers.Serializer):
    user = serializers.IntegerField()


class ArchiveStateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    archived = serializers.BooleanField(source="is_archived")


class ReadStateSerializer(serializers.Serializer):
    conversation = serializers.IntegerField(source="conversation_id")
    last_read_seq = serializers.IntegerField()


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    mentions = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()


class UnreadSerializer(serializers.Serializer):
    """`{"conversations": {"<id>": {"unread", "mentions", "last_read_seq"}}}` (as the `unread` frame)."""

    conversations = serializers.DictField(child=UnreadCountSerializer())


class PreferenceOutSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=NotificationPreference.Mode.choices)


class RetentionOutSerializer(serializers.Serializer):
    retention_days = serializers.IntegerField(allow_null=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user: User) -> str:
        return display_name(user)


class PeopleSerializer(serializers.Serializer):
    results = PersonSerializer(many=True)
