from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from federation import selectors, services
from federation.api_base import CptsScopedMixin, FederationScopedMixin
from federation.models import Commune
from federation.security import client_ip
from federation.serializers import (
    CommuneSerializer,
    CptsSerializer,
    FederationMemberSerializer,
    FederationSerializer,
    MemberInviteSerializer,
    MemberRoleSerializer,
    MembershipSerializer,
    TerritoryChangeSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserSerializer,
)


class ObtainTokenView(APIView):
    """Exchange e-mail + password for an API token (`Authorization: Token <key>`)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token = services.api_token_issue(
            user=serializer.validated_data["user"], ip_address=client_ip(request._request)
        )
        return Response({"token": token.key})


class MeView(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request):
        data = UserSerializer(request.user).data
        data["memberships"] = MembershipSerializer(selectors.user_memberships(request.user), many=True).data
        data["federations"] = FederationSerializer(selectors.user_federations(request.user), many=True).data
        return Response(data)


class CptsListView(generics.ListAPIView):
    """The CPTS the user belongs to."""

    serializer_class = CptsSerializer

    def get_queryset(self):
        return (
            selectors.cpts_with_population()
            .filter(pk__in=selectors.user_cpts(self.request.user).values("pk"))
            .order_by("name")
        )


class CptsDetailView(CptsScopedMixin, APIView):
    @extend_schema(responses=CptsSerializer)
    def get(self, request, cpts_slug):
        cpts = selectors.cpts_with_population().get(pk=self.cpts.pk)
        return Response(CptsSerializer(cpts).data)


class CptsTerritoryView(CptsScopedMixin, generics.ListAPIView):
    """Communes of the CPTS territory; coordinators add or remove communes."""

    serializer_class = CommuneSerializer

    def get_queryset(self):
        return selectors.cpts_communes(self.cpts).order_by("insee_code")

    @extend_schema(request=TerritoryChangeSerializer, responses=CptsSerializer)
    def post(self, request, cpts_slug):
        change = TerritoryChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        services.cpts_territory_change(
            actor=request.user,
            cpts=self.cpts,
            add=change.validated_data["add"],
            remove=change.validated_data["remove"],
        )
        cpts = selectors.cpts_with_population().get(pk=self.cpts.pk)
        return Response(CptsSerializer(cpts).data, status=status.HTTP_200_OK)


class CptsMembersView(CptsScopedMixin, generics.ListAPIView):
    """Members of the CPTS; coordinators invite people by e-mail."""

    serializer_class = MembershipSerializer

    def get_queryset(self):
        return selectors.cpts_members(self.cpts)

    @extend_schema(request=MemberInviteSerializer, responses=MembershipSerializer)
    def post(self, request, cpts_slug):
        invite = MemberInviteSerializer(data=request.data)
        invite.is_valid(raise_exception=True)
        membership = services.member_invite(actor=request.user, cpts=self.cpts, **invite.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class CptsMemberDetailView(CptsScopedMixin, generics.GenericAPIView):
    """Change a member's role or remove them (coordinators and admins)."""

    serializer_class = MembershipSerializer

    def _membership(self, user_id):
        membership = selectors.cpts_members(self.cpts).filter(user_id=user_id).first()
        if membership is None:
            raise Http404
        return membership

    @extend_schema(request=MemberRoleSerializer, responses=MembershipSerializer)
    def patch(self, request, cpts_slug, user_id):
        membership = self._membership(user_id)
        change = MemberRoleSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        membership = services.membership_set(
            actor=request.user, cpts=self.cpts, user=membership.user, role=change.validated_data["role"]
        )
        return Response(MembershipSerializer(membership).data)

    def delete(self, request, cpts_slug, user_id):
        membership = self._membership(user_id)
        services.membership_remove(actor=request.user, cpts=self.cpts, user=membership.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FederationListView(generics.ListAPIView):
    serializer_class = FederationSerializer

    def get_queryset(self):
        return selectors.user_federations(self.request.user).order_by("name")


class FederationDetailView(FederationScopedMixin, APIView):
    @extend_schema(responses=FederationSerializer)
    def get(self, request, federation_slug):
        data = FederationSerializer(self.federation).data
        data["members"] = FederationMemberSerializer(
            selectors.active_members(self.federation), many=True
        ).data
        return Response(data)


@extend_schema(
    parameters=[
        OpenApiParameter("departement", str, description="Code du département"),
        OpenApiParameter("q", str, description="Début du nom ou code INSEE / postal"),
    ]
)
class CommuneListView(generics.ListAPIView):
    """INSEE reference communes (public reference data)."""

    serializer_class = CommuneSerializer

    def get_queryset(self):
        queryset = Commune.objects.select_related("departement").order_by("name")
        departement = self.request.query_params.get("departement")
        if departement:
            queryset = queryset.filter(departement_id=departement)
        q = (self.request.query_params.get("q") or "").strip()
        if q:
            queryset = queryset.filter(Q(name__istartswith=q) | Q(insee_code=q) | Q(postal_codes__contains=q))
        return queryset
