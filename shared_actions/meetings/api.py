"""REST API of meetings and of the department agenda (/api/shared-actions/meetings/, federations/…/agenda/).
Thin: access helpers resolve, services write, selectors read; errors propagate to the global handler."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.access import access_cpts
from federation.api_base import FederationScopedMixin
from shared_actions import params
from shared_actions.campaigns.access import access_campaign
from shared_actions.common import month_bounds
from shared_actions.documents.access import access_document
from shared_actions.documents.serializers import DocumentDetailSerializer
from shared_actions.meetings import agenda, selectors, services
from shared_actions.meetings.access import access_meeting
from shared_actions.meetings.serializers import (
    AgendaEntrySerializer,
    MeetingAttendanceSerializer,
    MeetingInvitationSerializer,
    MeetingInviteSerializer,
    MeetingMinutesSerializer,
    MeetingReplySerializer,
    SharedMeetingDetailSerializer,
    SharedMeetingSerializer,
)
from shared_actions.selectors import cpts_id_by_slug


@extend_schema(
    parameters=[
        OpenApiParameter("month", str, description="Mois (AAAA-MM)"),
        OpenApiParameter("cpts", str, description="Identifiant (slug) d'une CPTS"),
        OpenApiParameter("theme", str, description="Thème de campagne"),
        OpenApiParameter("kind", str, description="campaign,action,meeting,governance"),
    ]
)
class FederationAgendaView(FederationScopedMixin, APIView):
    """The department agenda: campaigns, actions, meetings and the federation's bodies, for a month."""

    @extend_schema(responses=AgendaEntrySerializer(many=True))
    def get(self, request, federation_slug):
        first, last = month_bounds(params.month_param(request))
        cpts_slug = request.query_params.get("cpts")
        cpts_id = (cpts_id_by_slug(cpts_slug) or -1) if cpts_slug else None
        kinds = {k for k in (request.query_params.get("kind") or "").split(",") if k}
        entries = agenda.department_agenda(
            request.user,
            self.federation,
            first,
            last,
            cpts_id=cpts_id,
            theme=request.query_params.get("theme", ""),
            kinds=kinds or None,
        )
        return Response(AgendaEntrySerializer(entries, many=True).data)


class MeetingListView(generics.ListCreateAPIView):
    serializer_class = SharedMeetingSerializer

    def get_queryset(self):
        return selectors.visible_meetings(self.request.user)

    def create(self, request, *args, **kwargs):
        data = SharedMeetingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        cpts = values.get("cpts")
        if cpts is not None:
            cpts = access_cpts(request.user, cpts.slug)
        campaign_id = values.get("campaign_id")
        meeting = services.meeting_create(
            actor=request.user,
            title=values["title"],
            start=values["start"],
            end=values["end"],
            kind=values.get("kind", "cpts"),
            cpts=cpts,
            federation=params.federation_or_none(request.user, (values.get("federation") or {}).get("slug")),
            campaign=access_campaign(request.user, campaign_id) if campaign_id else None,
            place=values.get("place", ""),
            video_url=values.get("video_url", ""),
            agenda=values.get("agenda", ""),
            invitees=params.people(values.get("invitees", []), field="invitees"),
        )
        return Response(SharedMeetingDetailSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetailView(APIView):
    @extend_schema(responses=SharedMeetingDetailSerializer)
    def get(self, request, meeting_id):
        meeting = access_meeting(request.user, meeting_id)
        return Response(SharedMeetingDetailSerializer(meeting).data)


class MeetingInviteView(APIView):
    @extend_schema(request=MeetingInviteSerializer, responses={201: MeetingInvitationSerializer(many=True)})
    def post(self, request, meeting_id):
        meeting = access_meeting(request.user, meeting_id, for_write=True)
        data = MeetingInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        users = params.people(data.validated_data["users"])
        services.meeting_invite(actor=request.user, meeting=meeting, users=users)
        return Response(
            MeetingInvitationSerializer(selectors.meeting_invitations(meeting), many=True).data, status=201
        )


class MeetingReplyView(APIView):
    @extend_schema(request=MeetingReplySerializer, responses=MeetingInvitationSerializer)
    def post(self, request, meeting_id):
        meeting = access_meeting(request.user, meeting_id)
        data = MeetingReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_reply(
            actor=request.user, meeting=meeting, reply=data.validated_data["reply"]
        )
        return Response(MeetingInvitationSerializer(invitation).data)


class MeetingAttendanceView(APIView):
    """The attendance list (liste d'émargement)."""

    @extend_schema(responses=MeetingInvitationSerializer(many=True))
    def get(self, request, meeting_id):
        meeting = access_meeting(request.user, meeting_id, for_write=True)
        return Response(MeetingInvitationSerializer(selectors.meeting_invitations(meeting), many=True).data)

    @extend_schema(request=MeetingAttendanceSerializer, responses=MeetingInvitationSerializer(many=True))
    def post(self, request, meeting_id):
        meeting = access_meeting(request.user, meeting_id, for_write=True)
        data = MeetingAttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.attendance_record(
            actor=request.user, meeting=meeting, present_user_ids=data.validated_data["present"]
        )
        return Response(MeetingInvitationSerializer(selectors.meeting_invitations(meeting), many=True).data)


class MeetingMinutesView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=MeetingMinutesSerializer, responses={201: DocumentDetailSerializer})
    def post(self, request, meeting_id):
        meeting = access_meeting(request.user, meeting_id, for_write=True)
        data = MeetingMinutesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document_id = data.validated_data.get("document")
        document = access_document(request.user, document_id) if document_id else None
        document = services.meeting_attach_minutes(
            actor=request.user, meeting=meeting, file=data.validated_data.get("file"), document=document
        )
        return Response(DocumentDetailSerializer(access_document(request.user, document.pk)).data, status=201)
