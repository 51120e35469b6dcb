"""REST API of SNP rosters (/api/shared-actions/rosters/, shifts/, assignments/, swaps/, feeds/).
Thin: access helpers resolve, services write, selectors read; errors propagate to the global handler."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.access import access_cpts
from federation.errors import ServiceError
from shared_actions import params
from shared_actions.rosters import selectors, services, swaps
from shared_actions.rosters.access import (
    access_assignment,
    access_feed,
    access_roster,
    access_shift,
    access_swap_request,
)
from shared_actions.rosters.exports import hours_csv_response
from shared_actions.rosters.serializers import (
    AssignmentSerializer,
    CalendarFeedSerializer,
    FeedCreateSerializer,
    RosterSerializer,
    RosterSiteSerializer,
    ShiftSerializer,
    SignUpSerializer,
    SiteCoverageSerializer,
    SwapCreateSerializer,
    SwapRequestSerializer,
)

WEEK = OpenApiParameter("week", str, description="Un jour de la semaine (AAAA-MM-JJ)")


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
        roster = services.roster_create(
            actor=request.user,
            name=values["name"],
            description=values.get("description", ""),
            cpts=cpts,
            federation=params.federation_or_none(request.user, (values.get("federation") or {}).get("slug")),
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


@extend_schema(parameters=[WEEK])
class RosterShiftsView(generics.ListCreateAPIView):
    serializer_class = ShiftSerializer

    def get_queryset(self):
        roster = access_roster(self.request.user, self.kwargs["roster_id"])
        week = self.request.query_params.get("week")
        return selectors.roster_shifts(roster, first_day=params.week_param(self.request) if week else None)

    def create(self, request, *args, **kwargs):
        roster = access_roster(request.user, self.kwargs["roster_id"], for_write=True)
        data = ShiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        site = selectors.roster_site(roster, values.pop("site_id"))
        if site is None:
            raise ServiceError(_("Site inconnu dans ce planning."), code="unknown_site", field="site")
        shift = services.shift_create(actor=request.user, roster=roster, site=site, **values)
        shift.assigned_count = 0
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[WEEK])
class RosterCoverageView(APIView):
    """Coverage per site for one week: filled / short / empty shifts and missing head-count."""

    @extend_schema(responses=SiteCoverageSerializer(many=True))
    def get(self, request, roster_id):
        roster = access_roster(request.user, roster_id)
        coverage = selectors.roster_coverage(roster, params.week_param(request))
        return Response(SiteCoverageSerializer(coverage, many=True).data)


class ShiftDetailView(APIView):
    @extend_schema(responses=ShiftSerializer)
    def get(self, request, shift_id):
        shift = access_shift(request.user, shift_id)
        return Response(ShiftSerializer(selectors.roster_shift(shift.roster, shift.pk)).data)

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
            user=params.person(data.validated_data.get("user")),
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
        swap = swaps.swap_request_create(
            actor=request.user,
            assignment=assignment,
            kind=values["kind"],
            target=params.person(values.get("target"), field="target"),
            counterpart=counterpart,
            message=values["message"],
        )
        return Response(SwapRequestSerializer(swap).data, status=status.HTTP_201_CREATED)


class SwapActionView(APIView):
    """POST .../accept | approve | refuse | cancel."""

    actions = {
        "accept": swaps.swap_request_accept,
        "approve": swaps.swap_request_approve,
        "refuse": swaps.swap_request_refuse,
        "cancel": swaps.swap_request_cancel,
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
        feed = services.calendar_feed_revoke(actor=request.user, feed=access_feed(request.user, feed_id))
        return Response(CalendarFeedSerializer(feed, context={"request": request}).data)


@extend_schema(
    parameters=[OpenApiParameter("month", str, description="Mois (AAAA-MM)")],
    responses={(200, "text/csv"): OpenApiTypes.STR},
)
class RosterHoursView(APIView):
    """Monthly CSV of hours per professional and per CPTS (roster managers)."""

    def get(self, request, roster_id):
        roster = access_roster(request.user, roster_id, for_write=True)
        return hours_csv_response(request, month=params.month_param(request), roster=roster)
