"""API of polls: list and create, detail with result and the user's votes, live participation, the
managers' actions, casting a ballot."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.errors import ServiceError
from federation.governance.access import access_meeting, access_poll, can_manage_governance
from federation.governance.api import GovernanceScopedMixin
from federation.governance.meetings.selectors import agenda_item_of, meeting_quorum
from federation.governance.membership.selectors import delegate_users
from federation.governance.minutes import result_label
from federation.governance.polls import selectors, services
from federation.governance.serializers import (
    BallotCastSerializer,
    BallotSerializer,
    CountedBallotSerializer,
    OpinionSerializer,
    PollCloseSerializer,
    PollCreateSerializer,
    PollSerializer,
    ReceiptCheckSerializer,
    VotingRightSerializer,
)


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
        item = agenda_item_of(meeting, v["agenda_item"])
        if v["agenda_item"] and item is None:
            raise Http404
        candidates, unknown = delegate_users(self.federation, v["candidates"])
        if unknown:
            raise ServiceError(
                _(
                    "Candidat·e(s) inconnu·e(s) : %(ids)s (seul·es les délégué·es des CPTS membres sont éligibles)."
                )
                % {"ids": ", ".join(str(u) for u in unknown)},
                code="unknown_candidate",
                field="candidates",
            )
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
        "result_label": serializers.CharField(),
        "warnings": serializers.ListField(child=serializers.CharField()),
    },
)


def _rights_data(user, poll) -> list[dict]:
    return VotingRightSerializer(
        [
            {"key": r.key, "label": r.label, "college": r.college, "by_proxy": r.by_proxy, "voted": voted}
            for r, voted in selectors.rights_status(user, poll)
        ],
        many=True,
    ).data


class PollDetailView(GovernanceScopedMixin, APIView):
    """A poll with its result (both colleges' tallies, divergence flag) once closed, the named votes of
    an open poll, the partners' opinions, and the votes the user may cast."""

    @extend_schema(responses=PollDetailSerializer)
    def get(self, request, federation_slug, poll_id):
        poll = access_poll(request.user, self.federation, poll_id)
        closed = poll.status in selectors.CLOSED_STATUSES
        return Response(
            {
                "poll": PollSerializer(poll).data,
                "result": poll.result if closed else None,
                "live": selectors.poll_live_data(poll),
                "named_votes": selectors.named_votes(poll) if closed else [],
                "opinions": OpinionSerializer(selectors.partner_opinions(poll), many=True).data,
                "my_rights": _rights_data(request.user, poll),
                "result_label": result_label(poll) if closed else "",
                "warnings": selectors.election_warnings(poll) if poll.status != "published" else [],
            }
        )


class PollLiveView(GovernanceScopedMixin, APIView):
    """Live participation (and tallies of open polls): the polling fallback of the websocket."""

    @extend_schema(responses=inline_serializer("PollLive", {"status": serializers.CharField()}))
    def get(self, request, federation_slug, poll_id):
        poll = access_poll(request.user, self.federation, poll_id)
        data = selectors.poll_live_data(poll)
        if poll.meeting_id:
            data["quorum"] = meeting_quorum(poll.meeting).as_dict()
        if poll.status == "open" and can_manage_governance(request.user, self.federation):
            # The chair sees who has voted and who has not (never how).
            data["turnout"] = selectors.poll_turnout(poll)
        return Response(data)


class PollActionView(GovernanceScopedMixin, APIView):
    """POST open | close (optional casting_vote) | publish | second-round."""

    @extend_schema(
        request=PollCloseSerializer, responses=PollSerializer, operation_id="governance_poll_action"
    )
    def post(self, request, federation_slug, poll_id, action):
        poll = access_poll(request.user, self.federation, poll_id, for_write=True)
        data = PollCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if action == "open":
            poll = services.poll_open(
                actor=request.user, poll=poll, without_quorum=data.validated_data["without_quorum"]
            )
        elif action == "close":
            poll = services.poll_close(
                actor=request.user, poll=poll, casting_vote=data.validated_data["casting_vote"]
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

    @extend_schema(request=BallotSerializer, responses={201: BallotCastSerializer})
    def post(self, request, federation_slug, poll_id):
        poll = access_poll(request.user, self.federation, poll_id)
        data = BallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        cast = services.ballot_cast(
            actor=request.user,
            poll=poll,
            right_key=v["right"],
            choice=v["choice"],
            candidate_id=v["candidate"],
            blank=v["blank"],
            opinion=v["opinion"],
        )
        body = {"receipt": cast.receipt, "my_rights": _rights_data(request.user, poll)}
        return Response(BallotCastSerializer(body).data, status=status.HTTP_201_CREATED)


class CountedBallotListView(GovernanceScopedMixin, generics.ListAPIView):
    """The counted ballots of a closed secret poll: receipt and content, nothing linking them to a voter
    (empty before the close)."""

    serializer_class = CountedBallotSerializer

    def get_queryset(self):
        poll = access_poll(self.request.user, self.federation, self.kwargs["poll_id"])
        return selectors.counted_ballots(poll)


class ReceiptCheckView(GovernanceScopedMixin, APIView):
    """Whether a voter's receipt is among the counted ballots of a closed secret poll."""

    @extend_schema(
        parameters=[OpenApiParameter("code", str, description="le reçu donné au moment du vote")],
        responses=ReceiptCheckSerializer,
    )
    def get(self, request, federation_slug, poll_id):
        poll = access_poll(request.user, self.federation, poll_id)
        return Response(
            ReceiptCheckSerializer(selectors.receipt_check(poll, request.query_params.get("code", ""))).data
        )
