from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from federation import invitations, selectors, services, tokens
from federation.access import access_cpts
from federation.api_base import CptsScopedMixin, FederationScopedMixin
from federation.models import Commune
from federation.security import client_ip
from federation.serializers import (
    ApiTokenSerializer,
    CommuneSerializer,
    CptsSerializer,
    FederationMemberSerializer,
    FederationSerializer,
    InvitationSerializer,
    MemberInviteSerializer,
    MemberRoleSerializer,
    MembershipSerializer,
    MyInvitationSerializer,
    TerritoryChangeSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserSerializer,
)
from federation.throttling import AnonRateThrottle


class ObtainTokenView(APIView):
    """Exchange e-mail + password (+ TOTP code) for an API token (`Authorization: Token <key>`).

    The token expires after `API_TOKEN_TTL_DAYS` days. Every failing factor gets the same 400
    (`authorization`); repeated failures (wrong codes included) lock out with a 429 (`locked_out`); a role
    that must use a second factor and has none gets a 403 (`mfa_required`).
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # django-axes works on (and marks, when locked out) the underlying HttpRequest.
        http_request = request._request
        token = tokens.api_token_obtain(
            request=http_request, **serializer.validated_data, ip_address=client_ip(http_request)
        )
        return Response({"token": token.key, "expires_at": tokens.token_expires_at(token.created)})


def _token_data(token) -> dict:
    expires = tokens.token_expires_at(token.created)
    return {
        "id": tokens.token_public_id(token),
        "created": token.created,
        "expires_at": expires,
        "expired": tokens.token_is_expired(token.created),
    }


class MyTokensView(APIView):
    """The signed-in user's API tokens (never the full key)."""

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        return Response(
            ApiTokenSerializer([_token_data(t) for t in tokens.user_api_tokens(request.user)], many=True).data
        )


class MyTokenDetailView(APIView):
    """Revoke one of your tokens: the API refuses it and the sockets opened with it close."""

    @extend_schema(responses={204: None})
    def delete(self, request, token_id):
        token = tokens.access_api_token(request.user, token_id)
        tokens.api_token_revoke(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
    """Members of the CPTS; coordinators invite people by e-mail.

    An invitation changes nothing until the person accepts it (e-mail link, or their account). The answer
    is the same whether or not an account has the address; inviting an address already invited sends the
    invitation again (200, `resent: true`) instead of creating a second one (201).
    """

    serializer_class = MembershipSerializer

    def get_queryset(self):
        return selectors.cpts_members(self.cpts)

    @extend_schema(
        request=MemberInviteSerializer, responses={201: InvitationSerializer, 200: InvitationSerializer}
    )
    def post(self, request, cpts_slug):
        invite = MemberInviteSerializer(data=request.data)
        invite.is_valid(raise_exception=True)
        invitation, resent = invitations.invitation_send(
            actor=request.user, cpts=self.cpts, **invite.validated_data
        )
        data = InvitationSerializer(invitation, context={"resent": resent}).data
        return Response(data, status=status.HTTP_200_OK if resent else status.HTTP_201_CREATED)


class CptsInvitationsView(CptsScopedMixin, generics.ListAPIView):
    """Pending invitations of the CPTS (coordinators and admins; expired ones are marked `expired`)."""

    serializer_class = InvitationSerializer
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        access_cpts(request.user, self.kwargs["cpts_slug"], for_write=True)  # 403 for plain members

    def get_queryset(self):
        return invitations.cpts_invitations(self.cpts)


class CptsInvitationDetailView(CptsScopedMixin, APIView):
    """Withdraw a pending invitation: its link stops working."""

    @extend_schema(responses={204: None})
    def delete(self, request, cpts_slug, invitation_id):
        invitation = invitations.access_cpts_invitation(self.cpts, invitation_id)
        invitations.invitation_withdraw(actor=request.user, invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyInvitationsView(generics.ListAPIView):
    """Invitations waiting for the signed-in person's answer."""

    serializer_class = MyInvitationSerializer
    pagination_class = None

    def get_queryset(self):
        return invitations.user_invitations(self.request.user)


class MyInvitationAnswerView(APIView):
    """Accept (`accept`) or decline (`decline`) an invitation addressed to you."""

    answer = "accept"

    @extend_schema(request=None, responses={200: MembershipSerializer, 204: None})
    def post(self, request, invitation_id):
        invitation = invitations.access_invitation(request.user, invitation_id)
        if self.answer == "decline":
            invitations.invitation_decline(actor=request.user, invitation=invitation)
            return Response(status=status.HTTP_204_NO_CONTENT)
        membership = invitations.invitation_accept(actor=request.user, invitation=invitation)
        return Response(MembershipSerializer(membership).data)


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
