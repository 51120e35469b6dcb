"""REST API of the messaging app (/api/messaging/): the same services as the websocket, for clients
without one. Thin: validate input (serializers below), resolve objects with an access helper, call a
service or a selector, shape the output with `messaging.serializers`. Errors propagate to the global
handler (`federation.api_base.exception_handler`), which answers `{"detail", "code", "fields"}`."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.api_base import FederationScopedMixin
from federation.errors import ServiceError
from federation.selectors import user_federations
from messaging import selectors, services
from messaging import serializers as out
from messaging.access import (
    access_conversation,
    access_conversation_admin,
    access_joinable_conversation,
    access_message,
    is_conversation_admin,
)
from messaging.integration import patient_data_notice
from messaging.models import Conversation, NotificationPreference


def _valid(serializer_class, request) -> dict:
    """The request body validated (a JSON list or scalar is a 400 like any other invalid body)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


# --- input ----------------------------------------------------------------------------------------
class ConversationCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    topic = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    federation = serializers.SlugField()
    members = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class MemberAddSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    is_admin = serializers.BooleanField(default=False)


class ArchiveSerializer(serializers.Serializer):
    archived = serializers.BooleanField(default=True)


class MessageSendSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)
    client_id = serializers.UUIDField()
    reply_to = serializers.IntegerField(required=False, allow_null=True, default=None)
    attachments = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=50
    )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ReadSerializer(serializers.Serializer):
    seq = serializers.IntegerField(min_value=0)


class MessageEditInSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)


class PreferenceSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=NotificationPreference.Mode.choices)


class RetentionSerializer(serializers.Serializer):
    retention_days = serializers.IntegerField(min_value=1, allow_null=True)


# --- conversations --------------------------------------------------------------------------------
class ConversationListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ConversationCreateSerializer

    @extend_schema(operation_id="messaging_conversations_list", responses=out.ConversationListSerializer)
    def get(self, request):
        return Response(
            {"results": out.conversation_rows(selectors.user_memberships(request.user), request.user)}
        )

    @extend_schema(responses={201: out.ConversationRowSerializer})
    def post(self, request):
        data = _valid(ConversationCreateSerializer, request)
        federation = user_federations(request.user).filter(slug=data["federation"]).first()
        if federation is None:
            raise Http404
        members = selectors.active_users(data["members"])
        if len(members) != len(set(data["members"])):
            raise ServiceError(_("Utilisateur inconnu."), code="unknown_user", field="members")
        conversation = services.conversation_create(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            topic=data["topic"],
            federation=federation,
            members=members,
        )
        member = selectors.user_memberships(request.user).get(conversation=conversation)
        row = out.ConversationRowSerializer(member, context={"user": request.user}).data
        return Response(row, status=status.HTTP_201_CREATED)


class JoinableListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=out.JoinableListSerializer)
    def get(self, request):
        joinable = selectors.joinable_conversations(request.user)
        return Response({"results": out.JoinableSerializer(joinable, many=True).data})


class ConversationDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=out.ConversationDetailSerializer)
    def get(self, request, pk):
        conversation = access_conversation(request.user, pk)
        members = selectors.conversation_members(conversation)
        context = {
            "user": request.user,
            "members": members,
            "is_admin": is_conversation_admin(request.user, conversation, conversation.current_member),
            "notice": patient_data_notice([m.user for m in members], viewer=request.user),
        }
        return Response(out.ConversationDetailSerializer(conversation, context=context).data)


class JoinView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={201: out.CreatedIdSerializer})
    def post(self, request, pk):
        conversation = access_joinable_conversation(request.user, pk)
        services.conversation_join(actor=request.user, conversation=conversation)
        return Response({"id": conversation.pk}, status=status.HTTP_201_CREATED)


class MembersView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MemberAddSerializer

    @extend_schema(responses={201: out.MemberAddedSerializer})
    def post(self, request, pk):
        conversation = access_conversation(request.user, pk, for_write=True)  # 404 before anything else
        data = _valid(MemberAddSerializer, request)
        user = selectors.active_user(data["user"])
        if user is None:
            raise ServiceError(_("Utilisateur inconnu."), code="unknown_user", field="user")
        services.member_add(
            actor=request.user, conversation=conversation, user=user, is_admin=data["is_admin"]
        )
        return Response({"user": user.pk}, status=status.HTTP_201_CREATED)


class MemberDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, pk, user_id):
        if user_id == request.user.pk:
            conversation = access_conversation(request.user, pk)  # leaving
        else:
            conversation = access_conversation_admin(request.user, pk)
        user = selectors.user_by_id(user_id)
        if user is None:
            raise Http404
        services.member_remove(actor=request.user, conversation=conversation, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArchiveView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ArchiveSerializer

    @extend_schema(responses=out.ArchiveStateSerializer)
    def post(self, request, pk):
        conversation = access_conversation_admin(request.user, pk)
        data = _valid(ArchiveSerializer, request)
        conversation = services.conversation_archive(
            actor=request.user, conversation=conversation, archived=data["archived"]
        )
        return Response(out.ArchiveStateSerializer(conversation).data)


# --- messages -------------------------------------------------------------------------------------
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
            raise ServiceError(_("Entier attendu."), code="invalid_cursor", field=name) from None

    @extend_schema(
        parameters=[
            OpenApiParameter("before", int, description="messages dont seq < before (page plus ancienne)"),
            OpenApiParameter("after", int, description="messages dont seq > after (rattrapage)"),
            OpenApiParameter("limit", int),
        ],
        responses=out.MessagePageSerializer,
    )
    def get(self, request, pk):
        conversation = access_conversation(request.user, pk)
        before, after = self._int(request, "before"), self._int(request, "after")
        limit = self._int(request, "limit") or 50
        messages = selectors.history(conversation, before=before, after=after, limit=limit)
        first, last = (messages[0].seq, messages[-1].seq) if messages else (None, None)
        return Response(
            {
                "results": out.MessageSerializer(messages, many=True).data,
                "previous": first if first and first > 1 else None,  # pass as ?before=
                "next": last if last is not None and last < conversation.last_seq else None,  # ?after=
                "last_seq": conversation.last_seq,
            }
        )

    @extend_schema(responses={201: out.MessageSerializer, 200: out.MessageSerializer})
    def post(self, request, pk):
        conversation = access_conversation(request.user, pk)
        data = _valid(MessageSendSerializer, request)
        message, created = services.message_send(
            actor=request.user,
            conversation=conversation,
            body=data["body"],
            client_id=data["client_id"],
            reply_to_id=data["reply_to"],
            attachment_ids=data["attachments"],
        )
        return Response(
            out.MessageSerializer(message).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AttachmentsView(APIView):
    """Upload a file to a conversation (multipart `file`, optional `title`): it becomes a shared document
    visible to the conversation's members only; send its `id` in a message's `attachments`."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = AttachmentUploadSerializer

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: out.AttachmentSerializer},
    )
    def post(self, request, pk):
        conversation = access_conversation(request.user, pk, for_write=True)
        data = _valid(AttachmentUploadSerializer, request)
        document = services.attachment_upload(
            actor=request.user, conversation=conversation, file=data["file"], title=data["title"]
        )
        return Response(out.AttachmentSerializer(document).data, status=status.HTTP_201_CREATED)


class ReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReadSerializer

    @extend_schema(responses=out.ReadStateSerializer)
    def post(self, request, pk):
        conversation = access_conversation(request.user, pk)
        data = _valid(ReadSerializer, request)
        member = services.read_mark(actor=request.user, conversation=conversation, seq=data["seq"])
        return Response(out.ReadStateSerializer(member).data)


class MessageDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MessageEditInSerializer

    @extend_schema(responses=out.MessageSerializer)
    def get(self, request, pk):
        return Response(out.MessageSerializer(access_message(request.user, pk)).data)

    @extend_schema(responses=out.MessageSerializer)
    def patch(self, request, pk):
        message = access_message(request.user, pk, for_write=True)
        data = _valid(MessageEditInSerializer, request)
        message = services.message_edit(actor=request.user, message=message, body=data["body"])
        return Response(out.MessageSerializer(message).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        message = access_message(request.user, pk, for_write=True)
        services.message_delete(actor=request.user, message=message)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageHistoryView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=out.MessageHistorySerializer)
    def get(self, request, pk):
        return Response(out.MessageHistorySerializer(access_message(request.user, pk)).data)


class SearchResultsSerializer(serializers.Serializer):
    results = out.SearchResultSerializer(many=True)


class SearchView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)], responses=SearchResultsSerializer)
    def get(self, request):
        query = request.query_params.get("q", "")
        if len(query.strip()) < 2:
            raise ServiceError(_("Deux caractères au moins."), code="query_too_short", field="q")
        found = selectors.search_messages(request.user, query)
        return Response({"results": out.SearchResultSerializer(found, many=True).data})


class UnreadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=out.UnreadSerializer)
    def get(self, request):
        return Response({"conversations": selectors.unread_counts(request.user)})


# --- preferences and policy -----------------------------------------------------------------------
class PreferenceView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PreferenceSerializer

    @extend_schema(responses=out.PreferenceOutSerializer)
    def get(self, request):
        return Response({"mode": selectors.notification_mode(request.user)})

    @extend_schema(responses=out.PreferenceOutSerializer)
    def put(self, request):
        data = _valid(PreferenceSerializer, request)
        preference = services.notification_preference_set(actor=request.user, mode=data["mode"])
        return Response({"mode": preference.mode})


class RetentionView(FederationScopedMixin, APIView):
    """Per-federation retention (GET: participants; PUT: federation managers)."""

    serializer_class = RetentionSerializer

    @extend_schema(responses=out.RetentionOutSerializer)
    def get(self, request, federation_slug):
        return Response({"retention_days": selectors.federation_retention(self.federation)})

    @extend_schema(responses=out.RetentionOutSerializer)
    def put(self, request, federation_slug):
        data = _valid(RetentionSerializer, request)
        policy = services.retention_set(
            actor=request.user, federation=self.federation, retention_days=data["retention_days"]
        )
        return Response({"retention_days": policy.retention_days})


class PeopleView(FederationScopedMixin, APIView):
    """People of a federation one may start a conversation with (for the autocomplete)."""

    write_requires_manager = False

    @extend_schema(parameters=[OpenApiParameter("q", str)], responses=out.PeopleSerializer)
    def get(self, request, federation_slug):
        people = selectors.federation_people(self.federation, request.query_params.get("q", ""))
        others = [u for u in people if u.pk != request.user.pk]
        return Response({"results": out.PersonSerializer(others, many=True).data})
