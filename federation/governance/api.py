"""Governance API (thin): /api/governance/federations/<federation_slug>/...

Reads are open to the federation's participants (another federation → 404); managing is for the
federation's coordinators/admins and the bureau (→ 403 otherwise); voting is for delegates (→ 403).
"""

from functools import cached_property

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.governance import selectors, services
from federation.governance.access import (
    access_governance,
    access_meeting,
    access_poll,
    can_manage_governance,
    require_delegate,
)
from federation.governance.models import AgendaItem, BureauMandate, Proxy
from federation.governance.serializers import (
    AgendaItemSerializer,
    AttendanceRowSerializer,
    AttendanceSignSerializer,
    AuditEntrySerializer,
    BallotSerializer,
    BureauMandateSerializer,
    BureauSetSerializer,
    DelegateDesignateSerializer,
    DelegateSerializer,
    FeeSerializer,
    FeeSetSerializer,
    FeeStatusSerializer,
    MeetingCreateSerializer,
    MeetingSerializer,
    OpinionSerializer,
    PollCloseSerializer,
    PollCreateSerializer,
    PollSerializer,
    ProxySerializer,
    QuorumSerializer,
    StatutesChangeSerializer,
    StatutesSerializer,
    VotingRightSerializer,
)
from federation.models import FederationMember, User

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class GovernanceScopedMixin:
    """`self.federation` from the `federation_slug` URL kwarg, checked for the user; writes need a
    governance manager unless the view says otherwise (`write_requires_manager = False`)."""

    permission_classes = [permissions.IsAuthenticated]
    write_requires_manager = True

    @cached_property
    def federation(self):
        for_write = self.write_requires_manager and self.request.method in WRITE_METHODS
        return access_governance(self.request.user, self.kwargs["federation_slug"], for_write=for_write)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.federation  # noqa: B018 — resolve (404/403) before any handler runs


OverviewSerializer = inline_serializer(
    "GovernanceOverview",
    {
        "federation": serializers.CharField(),
        "statutes": StatutesSerializer(),
        "bureau": BureauMandateSerializer(many=True),
        "delegates": DelegateSerializer(many=True),
        "can_manage": serializers.BooleanField(),
    },
)


class OverviewView(GovernanceScopedMixin, APIView):
    """Statutes settings, bureau in office and delegates of a federation."""

    @extend_schema(responses=OverviewSerializer)
    def get(self, request, federation_slug):
        return Response(
            {
                "federation": self.federation.name,
                "statutes": StatutesSerializer(selectors.statutes_of(self.federation)).data,
                "bureau": BureauMandateSerializer(selectors.bureau(self.federation), many=True).data,
                "delegates": DelegateSerializer(selectors.active_delegates(self.federation), many=True).data,
                "can_manage": can_manage_governance(request.user, self.federation),
            }
        )


class StatutesView(GovernanceScopedMixin, APIView):
    """GET the statutes settings; POST proposes a change, which is a poll of the AGE (201 with it)."""

    @extend_schema(responses=StatutesSerializer)
    def get(self, request, federation_slug):
        return Response(StatutesSerializer(selectors.statutes_of(self.federation)).data)

    @extend_schema(request=StatutesChangeSerializer, responses={201: PollSerializer})
    def post(self, request, federation_slug):
        data = StatutesChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        meeting = access_meeting(request.user, self.federation, v["meeting"]) if v["meeting"] else None
        poll = services.statutes_change_propose(
            actor=request.user,
            federation=self.federation,
            changes=v["changes"],
            title=v["title"],
            meeting=meeting,
            opens_at=v["opens_at"],
            closes_at=v["closes_at"],
        )
        return Response(PollSerializer(poll).data, status=status.HTTP_201_CREATED)


class FeeListView(GovernanceScopedMixin, generics.ListAPIView):
    """Membership fees and their payment status; POST sets a member's fee for a year (managers)."""

    serializer_class = FeeSerializer

    def get_queryset(self):
        return selectors.fees(self.federation)

    @extend_schema(request=FeeSetSerializer, responses={201: FeeSerializer})
    def post(self, request, federation_slug):
        data = FeeSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        member = FederationMember.objects.filter(federation=self.federation, pk=v["member"]).first()
        if member is None:
            raise Http404
        fee = services.fee_set(
            actor=request.user,
            federation=self.federation,
            member=member,
            year=v["year"],
            amount=v["amount"],
        )
        return Response(FeeSerializer(fee).data, status=status.HTTP_201_CREATED)


class FeeStatusView(GovernanceScopedMixin, APIView):
    """Record a fee's payment status (managers)."""

    @extend_schema(request=FeeStatusSerializer, responses=FeeSerializer, operation_id="governance_fee_status")
    def post(self, request, federation_slug, fee_id):
        fee = selectors.fees(self.federation).filter(pk=fee_id).first()
        if fee is None:
            raise Http404
        data = FeeStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fee = services.fee_mark(
            actor=request.user,
            fee=fee,
            status=data.validated_data["status"],
            paid_on=data.validated_data["paid_on"],
        )
        return Response(FeeSerializer(fee).data)


class DelegateView(GovernanceScopedMixin, generics.ListAPIView):
    """Delegates of the member CPTS; POST designates one (the CPTS's coordinators or bureau, or the
    governance managers), chosen among the CPTS's members."""

    serializer_class = DelegateSerializer
    write_requires_manager = False  # the service checks the CPTS's own managers too

    def get_queryset(self):
        return selectors.active_delegates(self.federation)

    @extend_schema(request=DelegateDesignateSerializer, responses={201: DelegateSerializer})
    def post(self, request, federation_slug):
        data = DelegateDesignateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        member = selectors.college_members(self.federation, "cpts").filter(cpts__slug=v["cpts"]).first()
        user = User.objects.filter(pk=v["user"]).first()
        if member is None or user is None:
            raise Http404
        delegate = services.delegate_designate(
            actor=request.user,
            federation=self.federation,
            cpts=member.cpts,
            user=user,
            kind=v["kind"],
        )
        return Response(DelegateSerializer(delegate).data, status=status.HTTP_201_CREATED)


class BureauView(GovernanceScopedMixin, APIView):
    """The bureau in office; POST installs a whole new bureau (delegates of the CPTS college, parity
    between the two CPTS when there are only two)."""

    @extend_schema(responses=BureauMandateSerializer(many=True))
    def get(self, request, federation_slug):
        return Response(BureauMandateSerializer(selectors.bureau(self.federation), many=True).data)

    @extend_schema(request=BureauSetSerializer, responses={201: BureauMandateSerializer(many=True)})
    def post(self, request, federation_slug):
        data = BureauSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        users = {u.pk: u for u in User.objects.filter(pk__in=[seat["user"] for seat in v["seats"]])}
        if len(users) != len({seat["user"] for seat in v["seats"]}):
            raise Http404
        mandates = services.bureau_set(
            actor=request.user,
            federation=self.federation,
            seats=[(users[seat["user"]], seat["role"]) for seat in v["seats"]],
            starts_on=v["starts_on"],
        )
        return Response(BureauMandateSerializer(mandates, many=True).data, status=status.HTTP_201_CREATED)


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
    },
)


class MeetingDetailView(GovernanceScopedMixin, APIView):
    """The assembly room: agenda, attendance sheet, live quorum, polls."""

    @extend_schema(responses=MeetingDetailSerializer)
    def get(self, request, federation_slug, meeting_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        return Response(
            {
                "meeting": MeetingSerializer(meeting).data,
                "agenda": AgendaItemSerializer(AgendaItem.objects.filter(meeting=meeting), many=True).data,
                "attendance": selectors.attendance_sheet(meeting),
                "quorum": selectors.meeting_quorum(meeting).as_dict(),
                "polls": PollSerializer(
                    meeting.polls.prefetch_related("candidates").order_by("created_at", "id"), many=True
                ).data,
            }
        )


class MeetingActionView(GovernanceScopedMixin, APIView):
    """POST convene | open | close."""

    ACTIONS = {
        "convene": services.meeting_convene,
        "open": services.meeting_open,
        "close": services.meeting_close,
    }

    @extend_schema(request=None, responses=MeetingSerializer, operation_id="governance_meeting_action")
    def post(self, request, federation_slug, meeting_id, action):
        if action not in self.ACTIONS:
            raise Http404
        meeting = access_meeting(request.user, self.federation, meeting_id, for_write=True)
        meeting = self.ACTIONS[action](actor=request.user, meeting=meeting)
        return Response(MeetingSerializer(meeting).data)


class AttendanceView(GovernanceScopedMixin, APIView):
    """Sign a member in (present / absent / excused). Delegates sign their own member; managers anyone."""

    write_requires_manager = False

    @extend_schema(request=AttendanceSignSerializer, responses=AttendanceRowSerializer(many=True))
    def post(self, request, federation_slug, meeting_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        data = AttendanceSignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        member = FederationMember.objects.filter(federation=self.federation, pk=v["member"]).first()
        mandate = BureauMandate.objects.filter(federation=self.federation, pk=v["mandate"]).first()
        if (v["member"] and member is None) or (v["mandate"] and mandate is None):
            raise Http404
        services.attendance_sign(
            actor=request.user,
            meeting=meeting,
            status=v["status"],
            member=member,
            mandate=mandate,
        )
        return Response(selectors.attendance_sheet(meeting))


class ProxyView(GovernanceScopedMixin, APIView):
    """A member CPTS gives its vote to another CPTS's delegate (capped by the statutes)."""

    write_requires_manager = False

    @extend_schema(request=ProxySerializer, responses={201: AttendanceRowSerializer(many=True)})
    def post(self, request, federation_slug, meeting_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        data = ProxySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        giver = FederationMember.objects.filter(
            federation=self.federation, pk=data.validated_data["giver"]
        ).first()
        holder = User.objects.filter(pk=data.validated_data["holder"]).first()
        if giver is None or holder is None:
            raise Http404
        services.proxy_give(actor=request.user, meeting=meeting, giver=giver, holder=holder)
        return Response(selectors.attendance_sheet(meeting), status=status.HTTP_201_CREATED)


class ProxyWithdrawView(GovernanceScopedMixin, APIView):
    """Withdraw a proxy before it has been used (the giving CPTS's delegate, or a manager)."""

    write_requires_manager = False

    @extend_schema(
        request=None, responses=AttendanceRowSerializer(many=True), operation_id="governance_proxy_withdraw"
    )
    def post(self, request, federation_slug, meeting_id, proxy_id):
        meeting = access_meeting(request.user, self.federation, meeting_id)
        proxy = (
            Proxy.objects.filter(meeting=meeting, pk=proxy_id)
            .select_related("meeting__federation", "giver")
            .first()
        )
        if proxy is None:
            raise Http404
        services.proxy_withdraw(actor=request.user, proxy=proxy)
        return Response(selectors.attendance_sheet(meeting))


@extend_schema(
    parameters=[OpenApiParameter("status", str, description="draft, open, closed ou published (historique)")]
)
class PollListView(GovernanceScopedMixin, generics.ListAPIView):
    """Polls (motions, elections, written consultations), newest first; `?status=published` is the
    register of decisions. POST creates one."""

    serializer_class = PollSerializer

    def get_queryset(self):
        polls = selectors.polls(self.federation).prefetch_related("candidates")
        status_filter = self.request.query_params.get("status")
        return polls.filter(status=status_filter) if status_filter else polls

    @extend_schema(request=PollCreateSerializer, responses={201: PollSerializer})
    def post(self, request, federation_slug):
        data = PollCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        meeting = access_meeting(request.user, self.federation, v["meeting"]) if v["meeting"] else None
        item = (
            AgendaItem.objects.filter(meeting=meeting, pk=v["agenda_item"]).first()
            if v["agenda_item"]
            else None
        )
        candidates = list(User.objects.filter(pk__in=v["candidates"]))
        poll = services.poll_create(
            actor=request.user,
            federation=self.federation,
            title=v["title"],
            kind=v["kind"],
            decision_kind=v["decision_kind"],
            description=v["description"],
            secret=v["secret"],
            meeting=meeting,
            agenda_item=item,
            body=v["body"],
            opens_at=v["opens_at"],
            closes_at=v["closes_at"],
            candidates=candidates,
            effect=v["effect"],
        )
        return Response(PollSerializer(poll).data, status=status.HTTP_201_CREATED)


PollDetailSerializer = inline_serializer(
    "PollDetail",
    {
        "poll": PollSerializer(),
        "result": serializers.DictField(allow_null=True),
        "live": serializers.DictField(),
        "named_votes": serializers.ListField(child=serializers.DictField()),
        "opinions": OpinionSerializer(many=True),
        "my_rights": VotingRightSerializer(many=True),
    },
)


def _rights_data(user, poll):
    rights = selectors.voting_rights(user, poll)
    voted = selectors.voted_keys(poll, rights)
    return [
        {
            "key": r.key,
            "label": r.label,
            "college": r.college,
            "by_proxy": r.by_proxy,
            "voted": r.key in voted,
        }
        for r in rights
    ]


class PollDetailView(GovernanceScopedMixin, APIView):
    """A poll with its result (both colleges' tallies, divergence flag) once closed, the named votes of
    an open poll, the partners' opinions, and the votes the user may cast."""

    @extend_schema(responses=PollDetailSerializer)
    def get(self, request, federation_slug, poll_id):
        poll = access_poll(request.user, self.federation, poll_id)
        closed = poll.status in ("closed", "published")
        return Response(
            {
                "poll": PollSerializer(poll).data,
                "result": poll.result if closed else None,
                "live": services.poll_live_data(poll),
                "named_votes": selectors.named_votes(poll) if closed else [],
                "opinions": OpinionSerializer(selectors.partner_opinions(poll), many=True).data,
                "my_rights": _rights_data(request.user, poll),
            }
        )


class PollLiveView(GovernanceScopedMixin, APIView):
    """Live participation (and tallies of open polls): the polling fallback of the websocket."""

    @extend_schema(responses=inline_serializer("PollLive", {"status": serializers.CharField()}))
    def get(self, request, federation_slug, poll_id):
        poll = access_poll(request.user, self.federation, poll_id)
        data = services.poll_live_data(poll)
        if poll.meeting_id:
            data["quorum"] = selectors.meeting_quorum(poll.meeting).as_dict()
        return Response(data)


class PollActionView(GovernanceScopedMixin, APIView):
    """POST open | close (optional casting_vote) | publish | second-round."""

    @extend_schema(
        request=PollCloseSerializer, responses=PollSerializer, operation_id="governance_poll_action"
    )
    def post(self, request, federation_slug, poll_id, action):
        poll = access_poll(request.user, self.federation, poll_id, for_write=True)
        if action == "open":
            poll = services.poll_open(actor=request.user, poll=poll)
        elif action == "close":
            data = PollCloseSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            poll = services.poll_close(
                actor=request.user,
                poll=poll,
                casting_vote=data.validated_data["casting_vote"],
            )
        elif action == "publish":
            poll = services.poll_publish(actor=request.user, poll=poll)
        elif action == "second-round":
            poll = services.election_second_round(actor=request.user, poll=poll)
        else:
            raise Http404
        return Response(PollSerializer(poll).data)


class BallotView(GovernanceScopedMixin, APIView):
    """Cast a vote (delegates only). `right` names the member voted for (a proxy holder casts each
    represented vote separately). 400 `already_voted` for a second ballot."""

    write_requires_manager = False

    @extend_schema(request=BallotSerializer, responses={201: VotingRightSerializer(many=True)})
    def post(self, request, federation_slug, poll_id):
        poll = access_poll(request.user, self.federation, poll_id)
        require_delegate(request.user, self.federation)
        data = BallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.ballot_cast(
            actor=request.user,
            poll=poll,
            right_key=v["right"],
            choice=v["choice"],
            candidate_id=v["candidate"],
            blank=v["blank"],
            opinion=v["opinion"],
        )
        return Response(_rights_data(request.user, poll), status=status.HTTP_201_CREATED)


class AuditListView(GovernanceScopedMixin, generics.ListAPIView):
    """The hash-chained audit log (governance managers only)."""

    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        if not can_manage_governance(self.request.user, self.federation):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied
        return selectors.audit_entries(self.federation)
