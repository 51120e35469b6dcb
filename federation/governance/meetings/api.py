"""API of meetings: list and prepare, the assembly room, convene / open / close, attendance, proxies."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.governance.access import access_meeting
from federation.governance.api import GovernanceScopedMixin
from federation.governance.bureau.selectors import mandate_of
from federation.governance.meetings import selectors, services
from federation.governance.meetings.downloads import pack_document_response
from federation.governance.membership.selectors import member_of, participant_user
from federation.governance.polls.selectors import meeting_polls
from federation.governance.serializers import (
    AgendaItemSerializer,
    AttendanceRowSerializer,
    AttendanceSignSerializer,
    MeetingActionSerializer,
    MeetingCreateSerializer,
    MeetingDocumentUploadSerializer,
    MeetingPackSerializer,
    MeetingSerializer,
    PollSerializer,
    ProxySerializer,
    QuorumSerializer,
)


class MeetingListView(GovernanceScopedMixin, generics.ListAPIView):
    """Meetings of the bodies (AGO, AGE, bureau); POST prepares one with its agenda."""

    serializer_class = MeetingSerializer

    def get_queryset(self):
        return selectors.meetings(self.federation)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def post(self, request, federation_slug):
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        first = (
            access_meeting(request.user, self.federation, v["first_meeting"]) if v["first_meeting"] else None
        )
        meeting = services.meeting_create(
            actor=request.user,
            federation=self.federation,
            body=v["body"],
            title=v["title"],
            starts_at=v["starts_at"],
            location=v["location"],
            agenda=v["agenda"],
            first_meeting=first,
        )
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


MeetingDetailSerializer = inline_serializer(
    "MeetingDetail",
    {
        "meeting": MeetingSerializer(),
        "agenda": AgendaItemSerializer(many=True),
        "attendance": AttendanceRowSerializer(many=True),
        "quorum": QuorumSerializer(),
        "polls": PollSerializer(many=True),
        "pack": MeetingPackSerializer(),
    },
)


def pack_data(meeting) -> dict:
    pack = selectors.pack_summary(meeting)
    api_urls = {
        d.pk: reverse(
            "api-governance-meeting-pack-document",
            kwargs={
                "federation_slug": meeting.federation.slug,
                "meeting_id": meeting.pk,
                "document_id": d.pk,
            },
        )
        for d in pack["documents"]
    }
    return MeetingPackSerializer(pack, context={"urls": pack["urls"], "api_urls": api_urls}).data


class MeetingDetailView(GovernanceScopedMixin, APIView):
    """The assembly room: agenda, attendance sheet, live quorum, polls."""

    @extend_schema(responses=MeetingDetailSerializer)
    def get(self, request, federation_slug, meeting_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        return Response(
            {
                "meeting": MeetingSerializer(meeting).data,
                "agenda": AgendaItemSerializer(selectors.agenda(meeting), many=True).data,
                "attendance": AttendanceRowSerializer(selectors.attendance_sheet(meeting), many=True).data,
                "quorum": selectors.meeting_quorum(meeting).as_dict(),
                "polls": PollSerializer(meeting_polls(meeting), many=True).data,
                "pack": pack_data(meeting),
            }
        )


class MeetingActionView(GovernanceScopedMixin, APIView):
    """POST convene | open | close."""

    ACTIONS = {
        "convene": services.meeting_convene,
        "open": services.meeting_open,
        "close": services.meeting_close,
    }

    @extend_schema(
        request=MeetingActionSerializer, responses=MeetingSerializer, operation_id="governance_meeting_action"
    )
    def post(self, request, federation_slug, meeting_id, action):
        if action not in self.ACTIONS:
            raise Http404
        meeting = access_meeting(request.user, self.federation, meeting_id, for_write=True)
        if action == "convene":
            data = MeetingActionSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            # An AGO with an incomplete pack answers 400 "ag_pack_incomplete" until the caller confirms.
            meeting = services.meeting_convene(
                actor=request.user,
                meeting=meeting,
                allow_incomplete_pack=data.validated_data["allow_incomplete_pack"],
            )
        else:
            meeting = self.ACTIONS[action](actor=request.user, meeting=meeting)
        return Response(MeetingSerializer(meeting).data)


class MeetingPackView(GovernanceScopedMixin, APIView):
    """The AGO's pack (budget, annual accounts, activity and financial report): GET for the members,
    POST (multipart: kind, file) for the coordinators — a new file of a kind replaces the old one."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=MeetingPackSerializer)
    def get(self, request, federation_slug, meeting_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        return Response(pack_data(meeting))

    @extend_schema(
        request={"multipart/form-data": MeetingDocumentUploadSerializer},
        responses={201: MeetingPackSerializer},
    )
    def post(self, request, federation_slug, meeting_id):
        meeting = access_meeting(request.user, self.federation, meeting_id, for_write=True)
        data = MeetingDocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.meeting_document_upload(
            actor=request.user,
            meeting=meeting,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
        )
        return Response(pack_data(meeting), status=status.HTTP_201_CREATED)


class MeetingPackDocumentView(GovernanceScopedMixin, APIView):
    """Download a document of the pack (token or session): the federation's governance participants, as
    the page (`api_url` in the pack)."""

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        operation_id="governance_meeting_pack_document_download",
    )
    def get(self, request, federation_slug, meeting_id, document_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        document = selectors.pack_document_of(meeting, document_id)
        if document is None:
            raise Http404
        return pack_document_response(document)


class AttendanceView(GovernanceScopedMixin, APIView):
    """Sign a member in (present / absent / excused). Delegates sign their own member; managers anyone."""

    write_requires_manager = False

    @extend_schema(request=AttendanceSignSerializer, responses=AttendanceRowSerializer(many=True))
    def post(self, request, federation_slug, meeting_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        data = AttendanceSignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        member = member_of(self.federation, v["member"]) if v["member"] else None
        mandate = mandate_of(self.federation, v["mandate"]) if v["mandate"] else None
        if (v["member"] and member is None) or (v["mandate"] and mandate is None):
            raise Http404
        services.attendance_sign(
            actor=request.user, meeting=meeting, status=v["status"], member=member, mandate=mandate
        )
        return Response(AttendanceRowSerializer(selectors.attendance_sheet(meeting), many=True).data)


class ProxyView(GovernanceScopedMixin, APIView):
    """A member CPTS gives its vote to another CPTS's delegate (capped by the statutes)."""

    write_requires_manager = False

    @extend_schema(request=ProxySerializer, responses={201: AttendanceRowSerializer(many=True)})
    def post(self, request, federation_slug, meeting_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        data = ProxySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        giver = member_of(self.federation, data.validated_data["giver"])
        holder = participant_user(self.federation, data.validated_data["holder"])
        if giver is None or holder is None:
            raise Http404
        services.proxy_give(actor=request.user, meeting=meeting, giver=giver, holder=holder)
        return Response(
            AttendanceRowSerializer(selectors.attendance_sheet(meeting), many=True).data,
            status=status.HTTP_201_CREATED,
        )


class ProxyWithdrawView(GovernanceScopedMixin, APIView):
    """Withdraw a proxy before it has been used (the giving CPTS's delegate, or a manager)."""

    write_requires_manager = False

    @extend_schema(
        request=None, responses=AttendanceRowSerializer(many=True), operation_id="governance_proxy_withdraw"
    )
    def post(self, request, federation_slug, meeting_id, proxy_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        proxy = selectors.proxy_of(meeting, proxy_id)
        if proxy is None:
            raise Http404
        services.proxy_withdraw(actor=request.user, proxy=proxy)
        return Response(AttendanceRowSerializer(selectors.attendance_sheet(meeting), many=True).data)
