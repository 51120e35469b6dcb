"""API of the bureau: the seats in office; installing a whole elected bureau."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.governance.api import GovernanceScopedMixin
from federation.governance.bureau import selectors, services
from federation.governance.membership.selectors import participant_users
from federation.governance.serializers import (
    BureauMandateSerializer,
    BureauSetSerializer,
    PartnerAdmissionAnswerInputSerializer,
    PartnerAdmissionProposeSerializer,
    PartnerAdmissionSerializer,
)


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
        users = participant_users(self.federation, [seat["user"] for seat in v["seats"]])
        if len(users) != len({seat["user"] for seat in v["seats"]}):
            raise Http404
        mandates = services.bureau_set(
            actor=request.user,
            federation=self.federation,
            seats=[(users[seat["user"]], seat["role"]) for seat in v["seats"]],
            starts_on=v["starts_on"],
        )
        return Response(BureauMandateSerializer(mandates, many=True).data, status=status.HTTP_201_CREATED)


class PartnerAdmissionListView(GovernanceScopedMixin, APIView):
    """Partners proposed to the bureau (statutes option: admission by the bureau, unanimously); POST
    proposes one (coordinators or a member of the bureau)."""

    write_requires_manager = False

    @extend_schema(responses=PartnerAdmissionSerializer(many=True))
    def get(self, request, federation_slug):
        rows = selectors.partner_admissions(self.federation)
        return Response(PartnerAdmissionSerializer(rows, many=True).data)

    @extend_schema(request=PartnerAdmissionProposeSerializer, responses={201: PartnerAdmissionSerializer})
    def post(self, request, federation_slug):
        data = PartnerAdmissionProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        admission = services.partner_admission_propose(
            actor=request.user, federation=self.federation, **data.validated_data
        )
        admission = selectors.partner_admission_of(self.federation, admission.pk)
        return Response(PartnerAdmissionSerializer(admission).data, status=status.HTTP_201_CREATED)


class PartnerAdmissionAnswerView(GovernanceScopedMixin, APIView):
    """A member of the bureau in office agrees (or not) to admit the partner."""

    write_requires_manager = False

    @extend_schema(request=PartnerAdmissionAnswerInputSerializer, responses=PartnerAdmissionSerializer)
    def post(self, request, federation_slug, admission_id):
        admission = selectors.partner_admission_of(self.federation, admission_id)
        if admission is None:
            raise Http404
        data = PartnerAdmissionAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.partner_admission_answer(
            actor=request.user, admission=admission, agrees=data.validated_data["agrees"]
        )
        admission = selectors.partner_admission_of(self.federation, admission.pk)
        return Response(PartnerAdmissionSerializer(admission).data)
