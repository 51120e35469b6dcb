"""REST API of the pooled resources, under /api/shared-actions/. Thin: objects come from the access
helpers, writes from the services; a service's ValidationError becomes a structured 400."""

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.access import access_cpts
from federation.api_base import FederationScopedMixin
from federation.models import Cpts, Federation, User
from shared_actions import agenda, selectors, services
from shared_actions.access import (
    access_action_task,
    access_assignment,
    access_campaign,
    access_campaign_action,
    access_document,
    access_document_version,
    access_meeting,
    access_roster,
    access_shift,
    access_swap_request,
)
from shared_actions.serializers import (
    ActionTaskSerializer,
    AgendaEntrySerializer,
    AssignmentSerializer,
    CalendarFeedSerializer,
    CampaignActionSerializer,
    CampaignMaterialSerializer,
    CampaignSerializer,
    DocumentCreateSerializer,
    DocumentDetailSerializer,
    DocumentDownloadSerializer,
    DocumentSerializer,
    DocumentUpdateSerializer,
    DocumentVersionSerializer,
    FeedCreateSerializer,
    IndicatorProgressSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
    MeetingAttendanceSerializer,
    MeetingInvitationSerializer,
    MeetingInviteSerializer,
    MeetingMinutesSerializer,
    MeetingReplySerializer,
    RosterSerializer,
    RosterSiteSerializer,
    SharedMeetingDetailSerializer,
    SharedMeetingSerializer,
    ShiftSerializer,
    SignUpSerializer,
    SiteCoverageSerializer,
    SwapCreateSerializer,
    SwapRequestSerializer,
    VersionUploadSerializer,
)
from shared_actions.views import file_response, hours_csv_response


def _user(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError({"detail": [_("Personne inconnue.")], "code": ["unknown_user"]})
    return user


def _users(ids) -> list[User]:
    """Users by id; the services check they belong to the space (unknown ids are refused too)."""
    ids = set(ids or [])
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(ids):
        raise ValidationError({"detail": [_("Personne inconnue.")], "code": ["unknown_user"]})
    return users


def _cpts_list(slugs_or_objects) -> list[Cpts]:
    return list(slugs_or_objects or [])


def _federation(user: User, slug: str | None) -> Federation | None:
    if not slug:
        return None
    from federation.access import access_federation

    return access_federation(user, slug)


# --- documents ------------------------------------------------------------------------------------
@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Recherche : titre, description, catégorie"),
        OpenApiParameter("category", str, description="Catégorie"),
    ]
)
class DocumentListView(generics.ListCreateAPIView):
    """Shared documents visible to the user; POST (multipart) creates a document and its version 1."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = DocumentSerializer

    def get_queryset(self):
        return selectors.visible_documents(
            self.request.user,
            query=self.request.query_params.get("q", ""),
            category=self.request.query_params.get("category", ""),
        ).prefetch_related("shared_with")

    @extend_schema(request=DocumentCreateSerializer, responses={201: DocumentDetailSerializer})
    def post(self, request):
        data = DocumentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cpts = values.get("cpts")
        if cpts is not None:
            cpts = access_cpts(request.user, cpts.slug)
        document = services.document_create(
            actor=request.user,
            title=values["title"],
            description=values["description"],
            category=values["category"],
            visibility=values["visibility"],
            cpts=cpts,
            federation=_federation(request.user, values.get("federation")),
            shared_with=_cpts_list(values.get("shared_with")),
            shared_with_users=_users(values.get("shared_with_users")),
            file=values["file"],
            comment=values["comment"],
        )
        return Response(DocumentDetailSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    @extend_schema(responses=DocumentDetailSerializer)
    def get(self, request, document_id):
        document = access_document(request.user, document_id)
        return Response(DocumentDetailSerializer(document).data)

    @extend_schema(request=DocumentUpdateSerializer, responses=DocumentDetailSerializer)
    def patch(self, request, document_id):
        document = access_document(request.user, document_id, for_write=True)
        data = DocumentUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "shared_with_users" in values:
            values["shared_with_users"] = _users(values["shared_with_users"])
        document = services.document_update(actor=request.user, document=document, **values)
        return Response(DocumentDetailSerializer(document).data)


class DocumentVersionsView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=DocumentVersionSerializer(many=True))
    def get(self, request, document_id):
        document = access_document(request.user, document_id)
        return Response(DocumentVersionSerializer(selectors.document_versions(document), many=True).data)

    @extend_schema(request=VersionUploadSerializer, responses={201: DocumentVersionSerializer})
    def post(self, request, document_id):
        document = access_document(request.user, document_id, for_write=True)
        data = VersionUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.document_add_version(
            actor=request.user,
            document=document,
            file=data.validated_data["file"],
            comment=data.validated_data["comment"],
        )
        return Response(DocumentVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class DocumentDownloadView(APIView):
    """The file of one version, as an attachment (`nosniff`); the download is logged."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, document_id, number):
        version = access_document_version(request.user, document_id, number)
        services.document_record_download(user=request.user, version=version)
        return file_response(version)


class DocumentAccessLogView(generics.ListAPIView):
    """Who downloaded which version, when (for those who may change the document)."""

    serializer_class = DocumentDownloadSerializer

    def get_queryset(self):
        document = access_document(self.request.user, self.kwargs["document_id"], for_write=True)
        return selectors.document_downloads(document)


# --- rosters --------------------------------------------------------------------------------------
class RosterListView(generics.ListCreateAPIView):
    serializer_class = RosterSerializer

    def get_queryset(self):
        return selectors.visible_rosters(self.request.user).prefetch_related("sites")

    def create(self, request, *args, **kwargs):
        data = RosterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cpts = values.get("cpts")
        if cpts is not None:
            cpts = access_cpts(request.user, cpts.slug)
        federation = _federation(request.user, (values.get("federation") or {}).get("slug"))
        roster = services.roster_create(
            actor=request.user,
            name=values["name"],
            description=values.get("description", ""),
            cpts=cpts,
            federation=federation,
            participants=values.get("participants", []),
            swap_requires_approval=values.get("swap_requires_approval", True),
        )
        return Response(RosterSerializer(roster).data, status=status.HTTP_201_CREATED)


class RosterDetailView(APIView):
    @extend_schema(responses=RosterSerializer)
    def get(self, request, roster_id):
        return Response(RosterSerializer(access_roster(request.user, roster_id)).data)


class RosterSitesView(APIView):
    @extend_schema(request=RosterSiteSerializer, responses={201: RosterSiteSerializer})
    def post(self, request, roster_id):
        roster = access_roster(request.user, roster_id, for_write=True)
        data = RosterSiteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site = services.site_create(actor=request.user, roster=roster, **data.validated_data)
        return Response(RosterSiteSerializer(site).data, status=status.HTTP_201_CREATED)


def _week(request) -> dt.date:
    raw = request.query_params.get("week") if hasattr(request, "query_params") else request.GET.get("week")
    try:
        day = dt.date.fromisoformat(raw) if raw else dt.date.today()
    except ValueError as exc:
        raise ValidationError({"week": [_("Date invalide (AAAA-MM-JJ).")]}) from exc
    return selectors.week_start(day)


@extend_schema(parameters=[OpenApiParameter("week", str, description="Un jour de la semaine (AAAA-MM-JJ)")])
class RosterShiftsView(generics.ListCreateAPIView):
    serializer_class = ShiftSerializer

    def get_queryset(self):
        roster = access_roster(self.request.user, self.kwargs["roster_id"])
        week = self.request.query_params.get("week")
        return selectors.roster_shifts(roster, first_day=_week(self.request) if week else None)

    def create(self, request, *args, **kwargs):
        roster = access_roster(request.user, self.kwargs["roster_id"], for_write=True)
        data = ShiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        site = roster.sites.filter(pk=values.pop("site_id")).first()
        if site is None:
            raise ValidationError({"site": [_("Site inconnu dans ce planning.")]})
        shift = services.shift_create(actor=request.user, roster=roster, site=site, **values)
        shift.assigned_count = 0
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[OpenApiParameter("week", str, description="Un jour de la semaine (AAAA-MM-JJ)")])
class RosterCoverageView(APIView):
    """Coverage per site for one week: filled / short / empty shifts and missing head-count."""

    @extend_schema(responses=SiteCoverageSerializer(many=True))
    def get(self, request, roster_id):
        roster = access_roster(request.user, roster_id)
        coverage = selectors.roster_coverage(roster, _week(request))
        return Response(SiteCoverageSerializer(coverage, many=True).data)


class ShiftDetailView(APIView):
    @extend_schema(responses=ShiftSerializer)
    def get(self, request, shift_id):
        shift = access_shift(request.user, shift_id)
        return Response(ShiftSerializer(selectors.roster_shifts(shift.roster).get(pk=shift.pk)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, shift_id):
        shift = access_shift(request.user, shift_id, for_write=True)
        services.shift_delete(actor=request.user, shift=shift)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShiftAssignmentsView(APIView):
    """POST: volunteer for the shift (or, for a roster manager, assign `user`)."""

    @extend_schema(request=SignUpSerializer, responses={201: AssignmentSerializer})
    def post(self, request, shift_id):
        shift = access_shift(request.user, shift_id)
        data = SignUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.shift_sign_up(
            actor=request.user,
            shift=shift,
            user=_user(data.validated_data.get("user")),
            cpts=data.validated_data.get("cpts"),
            profession=data.validated_data["profession"],
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentDetailView(APIView):
    """DELETE: withdraw from a shift (yourself, or a roster manager removes someone)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, assignment_id):
        assignment = access_assignment(request.user, assignment_id)
        services.shift_withdraw(actor=request.user, assignment=assignment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyShiftsView(generics.ListAPIView):
    """The user's upcoming shifts, across every roster."""

    serializer_class = AssignmentSerializer

    def get_queryset(self):
        return selectors.user_assignments(self.request.user)


class SwapListView(generics.ListCreateAPIView):
    serializer_class = SwapRequestSerializer

    def get_queryset(self):
        return selectors.user_swap_requests(self.request.user)

    @extend_schema(request=SwapCreateSerializer, responses={201: SwapRequestSerializer})
    def post(self, request):
        data = SwapCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assignment = access_assignment(request.user, values["assignment"])
        counterpart = (
            access_assignment(request.user, values["counterpart"]) if values.get("counterpart") else None
        )
        swap = services.swap_request_create(
            actor=request.user,
            assignment=assignment,
            kind=values["kind"],
            target=_user(values.get("target")),
            counterpart=counterpart,
            message=values["message"],
        )
        return Response(SwapRequestSerializer(swap).data, status=status.HTTP_201_CREATED)


class SwapActionView(APIView):
    """POST .../accept | approve | refuse | cancel."""

    actions = {
        "accept": services.swap_request_accept,
        "approve": services.swap_request_approve,
        "refuse": services.swap_request_refuse,
        "cancel": services.swap_request_cancel,
    }

    @extend_schema(request=None, responses=SwapRequestSerializer, operation_id="shared_actions_swaps_decide")
    def post(self, request, swap_id, action):
        if action not in self.actions:
            raise Http404
        swap = access_swap_request(request.user, swap_id)
        swap = self.actions[action](actor=request.user, swap=swap)
        return Response(SwapRequestSerializer(swap).data)


class FeedListView(generics.ListCreateAPIView):
    """Secret iCalendar URLs: POST without `roster` for your own shifts, with it for a roster."""

    serializer_class = CalendarFeedSerializer

    def get_queryset(self):
        return selectors.active_feeds(self.request.user)

    @extend_schema(request=FeedCreateSerializer, responses={201: CalendarFeedSerializer})
    def post(self, request):
        data = FeedCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roster_id = data.validated_data.get("roster")
        roster = access_roster(request.user, roster_id, for_write=True) if roster_id else None
        feed = services.calendar_feed_create(actor=request.user, roster=roster)
        return Response(CalendarFeedSerializer(feed, context={"request": request}).data, status=201)


class FeedRevokeView(APIView):
    @extend_schema(request=None, responses=CalendarFeedSerializer)
    def post(self, request, feed_id):
        feed = selectors.active_feeds(request.user).filter(pk=feed_id).first()
        if feed is None:
            raise Http404
        feed = services.calendar_feed_revoke(actor=request.user, feed=feed)
        return Response(CalendarFeedSerializer(feed, context={"request": request}).data)


@extend_schema(
    parameters=[OpenApiParameter("month", str, description="Mois (AAAA-MM)")],
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class RosterHoursView(APIView):
    """Monthly CSV of hours per professional and per CPTS (roster managers)."""

    def get(self, request, roster_id):
        roster = access_roster(request.user, roster_id, for_write=True)
        return hours_csv_response(request, roster=roster)


# --- campaigns ------------------------------------------------------------------------------------
class CampaignListView(generics.ListCreateAPIView):
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return selectors.visible_campaigns(self.request.user).prefetch_related("materials")

    def create(self, request, *args, **kwargs):
        data = CampaignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        federation = _federation(request.user, values["federation"]["slug"])
        campaign = services.campaign_create(
            actor=request.user,
            federation=federation,
            title=values["title"],
            theme=values["theme"],
            start_date=values["start_date"],
            end_date=values["end_date"],
            lead_cpts=values["lead_cpts"],
            participants=values["participants"],
            target_population=values.get("target_population", ""),
            objectives=values.get("objectives", ""),
        )
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailView(APIView):
    @extend_schema(responses=CampaignSerializer)
    def get(self, request, campaign_id):
        return Response(CampaignSerializer(access_campaign(request.user, campaign_id)).data)


class CampaignActionsView(generics.ListCreateAPIView):
    serializer_class = CampaignActionSerializer

    def get_queryset(self):
        return selectors.campaign_actions(access_campaign(self.request.user, self.kwargs["campaign_id"]))

    def create(self, request, *args, **kwargs):
        campaign = access_campaign(request.user, self.kwargs["campaign_id"])
        data = CampaignActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        action = services.campaign_action_create(
            actor=request.user,
            campaign=campaign,
            title=values["title"],
            date=values["date"],
            cpts=values["cpts"],
            commune=values.get("commune"),
            place=values.get("place", ""),
            person_in_charge=_user(values.get("person_in_charge_id")),
            resources=values.get("resources", ""),
            tasks=values.get("task_labels", []),
        )
        return Response(CampaignActionSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionTasksView(APIView):
    @extend_schema(request=ActionTaskSerializer, responses={201: ActionTaskSerializer})
    def post(self, request, action_id):
        action = access_campaign_action(request.user, action_id)
        data = ActionTaskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.action_task_add(actor=request.user, action=action, label=data.validated_data["label"])
        return Response(ActionTaskSerializer(task).data, status=status.HTTP_201_CREATED)


class ActionTaskDetailView(APIView):
    @extend_schema(request=ActionTaskSerializer, responses=ActionTaskSerializer)
    def patch(self, request, task_id):
        task = access_action_task(request.user, task_id)
        data = ActionTaskSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        task = services.action_task_set_done(
            actor=request.user, task=task, done=data.validated_data.get("done", False)
        )
        return Response(ActionTaskSerializer(task).data)


class CampaignIndicatorsView(generics.ListCreateAPIView):
    serializer_class = IndicatorSerializer

    def get_queryset(self):
        return access_campaign(self.request.user, self.kwargs["campaign_id"]).indicators.all()

    def create(self, request, *args, **kwargs):
        campaign = access_campaign(request.user, self.kwargs["campaign_id"], for_write=True)
        data = IndicatorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        indicator = services.indicator_create(actor=request.user, campaign=campaign, **data.validated_data)
        return Response(IndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED)


class IndicatorValuesView(generics.ListCreateAPIView):
    """Values reported per CPTS over time; POST reports (or corrects) the value of one CPTS at a date."""

    serializer_class = IndicatorValueSerializer

    def _indicator(self):
        campaign = access_campaign(self.request.user, self.kwargs["campaign_id"])
        indicator = campaign.indicators.filter(pk=self.kwargs["indicator_id"]).first()
        if indicator is None:
            raise Http404
        return indicator

    def get_queryset(self):
        return self._indicator().values.select_related("cpts").order_by("date", "cpts__name")

    def create(self, request, *args, **kwargs):
        indicator = self._indicator()
        data = IndicatorValueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.indicator_value_report(actor=request.user, indicator=indicator, **data.validated_data)
        return Response(IndicatorValueSerializer(row).data, status=status.HTTP_201_CREATED)


class CampaignDashboardView(APIView):
    """Progress of each indicator against its target, per CPTS and overall (the chart data)."""

    @extend_schema(responses=IndicatorProgressSerializer(many=True))
    def get(self, request, campaign_id):
        campaign = access_campaign(request.user, campaign_id)
        return Response(IndicatorProgressSerializer(selectors.campaign_dashboard(campaign), many=True).data)


class CampaignMaterialsView(APIView):
    @extend_schema(request=CampaignMaterialSerializer, responses={201: CampaignSerializer})
    def post(self, request, campaign_id):
        campaign = access_campaign(request.user, campaign_id)
        data = CampaignMaterialSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = access_document(request.user, data.validated_data["document"])
        services.campaign_add_material(actor=request.user, campaign=campaign, document=document)
        return Response(CampaignSerializer(access_campaign(request.user, campaign.pk)).data, status=201)


def _agenda_params(request, federation):
    month_raw = request.query_params.get("month") or dt.date.today().strftime("%Y-%m")
    try:
        month = dt.date.fromisoformat(f"{month_raw}-01")
    except ValueError as exc:
        raise ValidationError({"month": [_("Mois invalide (AAAA-MM).")]}) from exc
    first, last = selectors.month_bounds(month)
    cpts_slug = request.query_params.get("cpts")
    cpts_id = None
    if cpts_slug:
        cpts_id = Cpts.objects.filter(slug=cpts_slug).values_list("pk", flat=True).first() or -1
    kinds = {k for k in (request.query_params.get("kind") or "").split(",") if k}
    return agenda.department_agenda(
        request.user,
        federation,
        first,
        last,
        cpts_id=cpts_id,
        theme=request.query_params.get("theme", ""),
        kinds=kinds or None,
    )


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
        entries = _agenda_params(request, self.federation)
        return Response(AgendaEntrySerializer(entries, many=True).data)


# --- meetings -------------------------------------------------------------------------------------
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
        campaign = access_campaign(request.user, campaign_id) if campaign_id else None
        federation = _federation(request.user, (values.get("federation") or {}).get("slug"))
        invitees = list(User.objects.filter(pk__in=values.get("invitees", [])))
        meeting = services.meeting_create(
            actor=request.user,
            title=values["title"],
            start=values["start"],
            end=values["end"],
            kind=values.get("kind", "cpts"),
            cpts=cpts,
            federation=federation,
            campaign=campaign,
            place=values.get("place", ""),
            video_url=values.get("video_url", ""),
            agenda=values.get("agenda", ""),
            invitees=invitees,
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
        users = list(User.objects.filter(pk__in=data.validated_data["users"]))
        if len(users) != len(set(data.validated_data["users"])):
            raise ValidationError({"detail": [_("Personne inconnue.")], "code": ["unknown_user"]})
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
