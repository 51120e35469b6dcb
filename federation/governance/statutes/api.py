"""API of the statutes settings: read them; propose a change (a poll of the AGE)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.governance.access import access_meeting
from federation.governance.api import GovernanceScopedMixin
from federation.governance.polls.services import statutes_change_propose
from federation.governance.serializers import (
    PollSerializer,
    StatutesChangeSerializer,
    StatutesInitialSerializer,
    StatutesSerializer,
)
from federation.governance.statutes.selectors import statutes_of
from federation.governance.statutes.services import statutes_initialize


class StatutesView(GovernanceScopedMixin, APIView):
    """GET the statutes settings; POST proposes a change, which is a poll of the AGE (201 with it)."""

    @extend_schema(responses=StatutesSerializer)
    def get(self, request, federation_slug):
        return Response(StatutesSerializer(statutes_of(self.federation)).data)

    @extend_schema(request=StatutesChangeSerializer, responses={201: PollSerializer})
    def post(self, request, federation_slug):
        data = StatutesChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        meeting = access_meeting(request.user, self.federation, v["meeting"]) if v["meeting"] else None
        poll = statutes_change_propose(
            actor=request.user,
            federation=self.federation,
            changes=v["changes"],
            title=v["title"],
            meeting=meeting,
            opens_at=v["opens_at"],
            closes_at=v["closes_at"],
        )
        return Response(PollSerializer(poll).data, status=status.HTTP_201_CREATED)


class StatutesInitialView(GovernanceScopedMixin, APIView):
    """Record the statutes adopted at constitution, once (managers); omitted settings keep the model
    statutes' values. 400 `statutes_exist` afterwards: changes are AGE decisions."""

    @extend_schema(request=StatutesInitialSerializer, responses={201: StatutesSerializer})
    def post(self, request, federation_slug):
        data = StatutesInitialSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = statutes_initialize(actor=request.user, federation=self.federation, **data.validated_data)
        return Response(StatutesSerializer(row).data, status=status.HTTP_201_CREATED)
