"""REST API of the messaging app (/api/messaging/): the same services as the websocket, for clients
without one. Thin: validate input, call a service or a selector, shape the output."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.api_base import FederationScopedMixin
from federation.models import User
from federation.selectors import user_federations
from messaging import selectors, services
from messaging.access import (
    access_conversation,
    access_joinable_conversation,
    access_message,
    is_conversation_admin,
)
from messaging.integration import patient_data_notice
from messaging.models import Conversation, NotificationPreference


def api_error(exc: DjangoValidationError):
    """A service's ValidationError as a structured 400 (French messages, stable codes)."""
    errors = (
        [e for field in exc.error_dict.values() for e in field]
        if hasattr(exc, "error_dict")
        else exc.error_list
    )
    raise ValidationError({"detail": exc.messages, "code": [e.code or "invalid" for e in errors]}) from exc


def conversation_title(conversation: Conversation, user: User, members=None) -> str:
    if conversation.kind == Conversation.Kind.DIRECT:
        members = members if members is not None else conversation.memberships.select_related("user")
        others = [services.display_name(m.user) for m in members if m.user_id != user.pk]
        return ", ".join(others) or str(conversation)
    return str(conversation)


def conversation_row(member, user: User) -> dict:
    conversation = member.conversation
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "title": conversation_title(conversation, user, conversation.memberships.all()),
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


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class MessageOutSerializer(serializers.Serializer):
    """The message shape of the API and of the websocket frames (messaging/PROTOCOL.md)."""

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
    attachments = serializers.ListField(child=serializers.DictField(), required=False)


class AttachmentOutSerializer(serializers.Serializer):
    """An attachment: a shared document; `url` is shared_actions' permission-checked download."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    url = serializers.CharField()


class ConversationRowSerializer(serializers.Serializer):
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


def _results(name, child):
    return inline_serializer(name, {"results": child(many=True)})


class ConversationCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    topic = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    federation = serializers.SlugField()
    members = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class ConversationListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ConversationCreateSerializer

    @extend_schema(
        operation_id="messaging_conversations_list",
        responses=_results("ConversationList", ConversationRowSerializer),
    )
    def get(self, request):
        rows = [conversation_row(m, request.user) for m in selectors.user_memberships(request.user)]
        return Response({"results": rows})

    @extend_schema(responses={201: ConversationRowSerializer})
    def post(self, request):
        data = ConversationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        federation = user_federations(request.user).filter(slug=data.validated_data["federation"]).first()
        if federation is None:
            raise Http404
        members = list(User.objects.filter(pk__in=data.validated_data["members"], is_active=True))
        if len(members) != len(set(data.validated_data["members"])):
            raise ValidationError({"members": ["Utilisateur inconnu."], "code": ["unknown_user"]})
        try:
            conversation = services.conversation_create(
                actor=request.user,
                kind=data.validated_data["kind"],
                title=data.validated_data["title"],
                topic=data.validated_data["topic"],
                federation=federation,
                members=members,
            )
        except DjangoValidationError as exc:
            api_error(exc)
        member = selectors.user_memberships(request.user).get(conversation=conversation)
        return Response(conversation_row(member, request.user), status=status.HTTP_201_CREATED)


@extend_schema(responses=OpenApiTypes.OBJECT)
class JoinableListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        rows = [
            {"id": c.pk, "kind": c.kind, "title": str(c), "topic": c.topic}
            for c in selectors.joinable_conversations(request.user)
        ]
        return Response({"results": rows})


@extend_schema(responses=OpenApiTypes.OBJECT)
class ConversationDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        conversation = access_conversation(request.user, pk)
        members = list(conversation.memberships.select_related("user").order_by("user__display_name"))
        return Response(
            {
                "id": conversation.pk,
                "kind": conversation.kind,
                "title": conversation_title(conversation, request.user, members),
                "topic": conversation.topic,
                "archived": conversation.is_archived,
                "last_seq": conversation.last_seq,
                "last_read_seq": conversation.current_member.last_read_seq,
                "is_admin": is_conversation_admin(request.user, conversation, conversation.current_member),
                "members": [
                    {"id": m.user_id, "name": services.display_name(m.user), "is_admin": m.is_admin}
                    for m in members
                ],
                "notice": patient_data_notice([m.user for m in members], viewer=request.user),
            }
        )


@extend_schema(request=None, responses=OpenApiTypes.OBJECT)
class JoinView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        conversation = access_joinable_conversation(request.user, pk)
        services.conversation_join(actor=request.user, conversation=conversation)
        return Response({"id": conversation.pk}, status=status.HTTP_201_CREATED)


class MemberAddSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    is_admin = serializers.BooleanField(default=False)


class MembersView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MemberAddSerializer

    def post(self, request, pk):
        access_conversation(request.user, pk)  # 404 before anything else
        data = MemberAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(pk=data.validated_data["user"], is_active=True).first()
        if user is None:
            raise ValidationError({"user": ["Utilisateur inconnu."], "code": ["unknown_user"]})
        try:
            services.member_add(
                actor=request.user, conversation_id=pk, user=user, is_admin=data.validated_data["is_admin"]
            )
        except DjangoValidationError as exc:
            api_error(exc)
        return Response({"user": user.pk}, status=status.HTTP_201_CREATED)


@extend_schema(responses=OpenApiTypes.OBJECT)
class MemberDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def delete(self, request, pk, user_id):
        access_conversation(request.user, pk)
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise Http404
        try:
            services.member_remove(actor=request.user, conversation_id=pk, user=user)
        except DjangoValidationError as exc:
            api_error(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    request=inline_serializer("ArchiveRequest", {"archived": serializers.BooleanField(default=True)}),
    responses=OpenApiTypes.OBJECT,
)
class ArchiveView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        archived = request.data.get("archived", True) not in (False, "false", "0", 0)
        conversation = services.conversation_archive(
            actor=request.user, conversation_id=pk, archived=archived
        )
        return Response({"id": conversation.pk, "archived": conversation.is_archived})


class MessageSendSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)
    client_id = serializers.UUIDField()
    reply_to = serializers.IntegerField(required=False, allow_null=True, default=None)
    attachments = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=50
    )


class MessagesView(APIView):
    """History with cursor pagination on `seq`, and sending (idempotent on `client_id`)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MessageSendSerializer

    @staticmethod
    def _int(request, name):
        value = request.query_params.get(name)
        if value in (None, ""):
            return None
        try:
            return int(value)
        except ValueError:
            raise ValidationError({name: ["Entier attendu."], "code": ["invalid_cursor"]}) from None

    @extend_schema(
        parameters=[
            OpenApiParameter("before", int, description="messages dont seq < before (page plus ancienne)"),
            OpenApiParameter("after", int, description="messages dont seq > after (rattrapage)"),
            OpenApiParameter("limit", int),
        ]
    )
    def get(self, request, pk):
        conversation = access_conversation(request.user, pk)
        before, after = self._int(request, "before"), self._int(request, "after")
        limit = self._int(request, "limit") or 50
        messages = selectors.history(conversation, before=before, after=after, limit=limit)
        results = [services.message_payload(m) for m in messages]
        first, last = (messages[0].seq, messages[-1].seq) if messages else (None, None)
        return Response(
            {
                "results": results,
                "previous": first if first and first > 1 else None,  # pass as ?before=
                "next": last
                if last is not None and last < conversation.last_seq
                else None,  # pass as ?after=
                "last_seq": conversation.last_seq,
            }
        )

    @extend_schema(responses={201: MessageOutSerializer, 200: MessageOutSerializer})
    def post(self, request, pk):
        access_conversation(request.user, pk)
        data = MessageSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            message, created = services.message_send(
                actor=request.user,
                conversation_id=pk,
                body=data.validated_data["body"],
                client_id=data.validated_data["client_id"],
                reply_to_id=data.validated_data["reply_to"],
                attachment_ids=data.validated_data["attachments"],
            )
        except DjangoValidationError as exc:
            api_error(exc)
        return Response(
            services.message_payload(message),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class AttachmentsView(APIView):
    """Upload a file to a conversation (multipart `file`, optional `title`): it becomes a shared document
    visible to the conversation's members only; send its `id` in a message's `attachments`."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = AttachmentUploadSerializer

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentOutSerializer},
    )
    def post(self, request, pk):
        access_conversation(request.user, pk)
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            document = services.attachment_upload(
                actor=request.user,
                conversation_id=pk,
                file=data.validated_data["file"],
                title=data.validated_data["title"],
            )
        except DjangoValidationError as exc:
            api_error(exc)
        return Response(services.attachment_payload(document), status=status.HTTP_201_CREATED)


class ReadSerializer(serializers.Serializer):
    seq = serializers.IntegerField(min_value=0)


class ReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReadSerializer

    def post(self, request, pk):
        access_conversation(request.user, pk)
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.read_mark(actor=request.user, conversation_id=pk, seq=data.validated_data["seq"])
        return Response({"conversation": pk, "last_read_seq": member.last_read_seq})


class MessageEditSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)


class MessageDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MessageEditSerializer

    def get(self, request, pk):
        return Response(services.message_payload(access_message(request.user, pk)))

    def patch(self, request, pk):
        access_message(request.user, pk)
        data = MessageEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            message = services.message_edit(
                actor=request.user, message_id=pk, body=data.validated_data["body"]
            )
        except DjangoValidationError as exc:
            api_error(exc)
        return Response(services.message_payload(message))

    def delete(self, request, pk):
        access_message(request.user, pk)
        services.message_delete(actor=request.user, message_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(responses=OpenApiTypes.OBJECT)
class MessageHistoryView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        message = access_message(request.user, pk)
        return Response(
            {
                "id": message.pk,
                "body": "" if message.is_deleted else message.body,
                "edits": [
                    {"body": e.body, "edited_at": e.edited_at.isoformat()} for e in message.edits.all()
                ],
            }
        )


@extend_schema(responses=OpenApiTypes.OBJECT)
class SearchView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)])
    def get(self, request):
        query = request.query_params.get("q", "")
        if len(query.strip()) < 2:
            raise ValidationError({"q": ["Deux caractères au moins."], "code": ["query_too_short"]})
        results = [
            {**services.message_payload(m, []), "conversation_title": str(m.conversation)}
            for m in selectors.search_messages(request.user, query)
        ]
        return Response({"results": results})


@extend_schema(responses=OpenApiTypes.OBJECT)
class UnreadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request):
        return Response({"conversations": selectors.unread_counts(request.user)})


class PreferenceSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=NotificationPreference.Mode.choices)


class PreferenceView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PreferenceSerializer

    def get(self, request):
        preference = NotificationPreference.objects.filter(user=request.user).first()
        return Response({"mode": preference.mode if preference else NotificationPreference.Mode.IMMEDIATE})

    def put(self, request):
        data = PreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference = services.notification_preference_set(
            actor=request.user, mode=data.validated_data["mode"]
        )
        return Response({"mode": preference.mode})


class RetentionSerializer(serializers.Serializer):
    retention_days = serializers.IntegerField(min_value=1, allow_null=True)


class RetentionView(FederationScopedMixin, APIView):
    """Per-federation retention (GET: participants; PUT: federation managers)."""

    serializer_class = RetentionSerializer

    def get(self, request, federation_slug):
        return Response({"retention_days": selectors.federation_retention(self.federation)})

    def put(self, request, federation_slug):
        data = RetentionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = services.retention_set(
            actor=request.user,
            federation=self.federation,
            retention_days=data.validated_data["retention_days"],
        )
        return Response({"retention_days": policy.retention_days})


@extend_schema(responses=OpenApiTypes.OBJECT)
class PeopleView(FederationScopedMixin, APIView):
    """People of a federation one may start a conversation with (for the autocomplete)."""

    write_requires_manager = False

    @extend_schema(parameters=[OpenApiParameter("q", str)])
    def get(self, request, federation_slug):
        people = selectors.federation_people(self.federation, request.query_params.get("q", ""))
        return Response(
            {
                "results": [
                    {"id": u.pk, "name": services.display_name(u)} for u in people if u.pk != request.user.pk
                ]
            }
        )
