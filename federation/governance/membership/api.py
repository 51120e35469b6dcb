"""API of membership: delegates (list, designate, revoke) and fees (list, set, payment status)."""

from functools import cached_property

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.governance.access import can_manage_governance
from federation.governance.api import GovernanceScopedMixin
from federation.governance.membership import selectors, services
from federation.governance.serializers import (
    DelegateDesignateSerializer,
    DelegateSerializer,
    FeeSerializer,
    FeeSetSerializer,
    FeeStatusSerializer,
    MemberJoinSerializer,
    MemberSerializer,
    MembershipOverviewSerializer,
    PartnerDelegateDesignateSerializer,
    PartnerDelegateSerializer,
    ProceedingDecideSerializer,
    ProceedingOpenSerializer,
    ProceedingSerializer,
)


class FeeListView(GovernanceScopedMixin, generics.ListAPIView):
    """Membership fees and their payment status (managers: every member's; others: their own CPTS's or
    partner's); POST sets a member's fee for a year (managers)."""

    serializer_class = FeeSerializer

    def get_queryset(self):
        manager = can_manage_governance(self.request.user, self.federation)
        return selectors.fees_visible_to(self.federation, self.request.user, manager=manager)

    @extend_schema(request=FeeSetSerializer, responses={201: FeeSerializer})
    def post(self, request, federation_slug):
        data = FeeSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        member = selectors.member_of(self.federation, v["member"])
        if member is None:
            raise Http404
        fee = services.fee_set(
            actor=request.user, federation=self.federation, member=member, year=v["year"], amount=v["amount"]
        )
        return Response(FeeSerializer(fee).data, status=status.HTTP_201_CREATED)


class FeeStatusView(GovernanceScopedMixin, APIView):
    """Record a fee's payment status (managers)."""

    @extend_schema(request=FeeStatusSerializer, responses=FeeSerializer, operation_id="governance_fee_status")
    def post(self, request, federation_slug, fee_id):
        fee = selectors.fee_of(self.federation, fee_id)
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
        member = selectors.cpts_member_by_slug(self.federation, v["cpts"])
        user = selectors.participant_user(self.federation, v["user"])
        if member is None or user is None:
            raise Http404
        delegate = services.delegate_designate(
            actor=request.user, federation=self.federation, cpts=member.cpts, user=user, kind=v["kind"]
        )
        return Response(DelegateSerializer(delegate).data, status=status.HTTP_201_CREATED)


class DelegateRevokeView(GovernanceScopedMixin, APIView):
    """End a delegation today (governance managers, or the CPTS's coordinators, admins and bureau).
    Recorded in the audit log; the CPTS then designates someone else."""

    write_requires_manager = False  # the service checks the CPTS's own managers too

    @extend_schema(request=None, responses=DelegateSerializer, operation_id="governance_delegate_revoke")
    def post(self, request, federation_slug, delegate_id):
        delegate = selectors.delegate_of(self.federation, delegate_id)
        if delegate is None:
            raise Http404
        delegate = services.delegate_revoke(actor=request.user, delegate=delegate)
        return Response(DelegateSerializer(delegate).data)


class MembershipOverviewView(GovernanceScopedMixin, APIView):
    """The federation's members (both colleges), the CPTS delegates and the partners' delegates, with
    their ids (what setting up the federation and its votes needs)."""

    @extend_schema(responses=MembershipOverviewSerializer)
    def get(self, request, federation_slug):
        body = {
            "members": list(selectors.active_members(self.federation)),
            "delegates": list(selectors.active_delegates(self.federation)),
            "partner_delegates": list(selectors.partner_delegates(self.federation)),
        }
        return Response(MembershipOverviewSerializer(body).data)


class MemberJoinView(GovernanceScopedMixin, APIView):
    """A CPTS joins by declaration (its coordinators, admins or bureau; or the governance managers):
    no vote (seed 004). 400 `stage_too_early`, `outside_departement`, `already_member`."""

    write_requires_manager = False  # the service checks the CPTS's own managers too

    @cached_property
    def federation(self):
        # A CPTS that is not a member yet takes no part in the federation: the federation is found by
        # its slug alone (its existence is public); the service decides who may declare.
        federation = selectors.federation_by_slug(self.kwargs["federation_slug"])
        if federation is None:
            raise Http404
        return federation

    @extend_schema(request=MemberJoinSerializer, responses={201: MemberSerializer})
    def post(self, request, federation_slug):
        data = MemberJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cpts = selectors.cpts_by_slug(data.validated_data["cpts"])
        if cpts is None:
            raise Http404
        member = services.cpts_join_declare(
            actor=request.user,
            federation=self.federation,
            cpts=cpts,
            cross_border=data.validated_data["cross_border"],
        )
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class MemberLeaveView(GovernanceScopedMixin, APIView):
    """A member CPTS leaves by declaration; its delegations end the same day."""

    write_requires_manager = False

    @extend_schema(request=None, responses=MemberSerializer, operation_id="governance_member_leave")
    def post(self, request, federation_slug, member_id):
        member = selectors.member_of(self.federation, member_id)
        if member is None:
            raise Http404
        member = services.member_leave_declare(actor=request.user, member=member)
        return Response(MemberSerializer(member).data)


class FeeRemindView(GovernanceScopedMixin, APIView):
    """Send (and record) a reminder of an unpaid fee (managers)."""

    @extend_schema(request=None, responses=FeeSerializer, operation_id="governance_fee_remind")
    def post(self, request, federation_slug, fee_id):
        fee = selectors.fee_of(self.federation, fee_id)
        if fee is None:
            raise Http404
        return Response(FeeSerializer(services.fee_remind(actor=request.user, fee=fee)).data)


class ProceedingOpenView(GovernanceScopedMixin, APIView):
    """Invite a member to present its defence (exclusion) or written explanations (strike-off, after three
    reminders of an unpaid fee): the model statutes' first step (managers)."""

    @extend_schema(request=ProceedingOpenSerializer, responses={201: ProceedingSerializer})
    def post(self, request, federation_slug, member_id):
        member = selectors.member_of(self.federation, member_id)
        if member is None:
            raise Http404
        data = ProceedingOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proceeding = services.member_proceeding_open(actor=request.user, member=member, **data.validated_data)
        return Response(ProceedingSerializer(proceeding).data, status=status.HTTP_201_CREATED)


class ProceedingDecideView(GovernanceScopedMixin, APIView):
    """The president pronounces the exclusion or strike-off, or drops it."""

    write_requires_manager = False  # the service checks it is the president

    @extend_schema(request=ProceedingDecideSerializer, responses=ProceedingSerializer)
    def post(self, request, federation_slug, proceeding_id):
        proceeding = selectors.proceeding_of(self.federation, proceeding_id)
        if proceeding is None:
            raise Http404
        data = ProceedingDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proceeding = services.member_proceeding_decide(
            actor=request.user, proceeding=proceeding, pronounce=data.validated_data["pronounce"]
        )
        return Response(ProceedingSerializer(proceeding).data)


class PartnerDelegateView(GovernanceScopedMixin, APIView):
    """Designate a partner's delegate (managers): the person who carries its consultative vote."""

    @extend_schema(request=PartnerDelegateDesignateSerializer, responses={201: PartnerDelegateSerializer})
    def post(self, request, federation_slug, partner_slug):
        partner = selectors.partner_of(self.federation, partner_slug)
        data = PartnerDelegateDesignateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = selectors.user_by_id(data.validated_data["user"])
        if partner is None or user is None:
            raise Http404
        role = services.partner_delegate_designate(
            actor=request.user, federation=self.federation, partner=partner, user=user
        )
        return Response(PartnerDelegateSerializer(role).data, status=status.HTTP_201_CREATED)
