"""Register API: /api/projet/cpts/<cpts_slug>/register/…, /api/projet/me/adhesions/…, /api/projet/cpts/<slug>/join/.

The register is private to its CPTS (outsider → 404); managing it is for its coordinators and admins (→ 403).
A professional asks to join any CPTS, and sees and resigns their own memberships wherever they are.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.selectors import access_professional, access_structure
from federation.api_base import CptsScopedMixin
from missions.projet.access import access_own_adhesion, access_register_member, join_target_cpts
from missions.projet.models import MemberCategory, MemberStatus
from missions.projet.register import exports, selectors, services
from missions.projet.serializers import (
    AcceptSerializer,
    CategorySerializer,
    CategorySetSerializer,
    ConsentRecordSerializer,
    ConsentSerializer,
    ExcludeSerializer,
    JoinRequestSerializer,
    RefuseSerializer,
    RegisterActionDocSerializer,
    RegisterMemberAddSerializer,
    RegisterMemberDetailSerializer,
    RegisterMemberSerializer,
    RegisterStatsSerializer,
    ResignSerializer,
)


def _category(cpts, code: str | None) -> MemberCategory | None:
    if not code:
        return None
    services.categories_ensure_defaults(cpts=cpts)
    category = selectors.member_categories(cpts).filter(code=code).first()
    if category is None:
        raise Http404
    return category


class RegisterListView(CptsScopedMixin, generics.ListAPIView):
    """The register's lines (all statuses; `?status=active` to filter); POST adds a professional or a structure,
    pending until they consent (managers)."""

    serializer_class = RegisterMemberSerializer
    pagination_class = None

    def get_queryset(self):
        wanted = self.request.query_params.getlist("status")
        statuses = [s for s in wanted if s in MemberStatus.values]
        return selectors.register_members(self.cpts, statuses=statuses or None)

    @extend_schema(
        parameters=[OpenApiParameter("status", str, many=True, enum=MemberStatus.values)],
        responses=RegisterMemberSerializer(many=True),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=RegisterMemberAddSerializer, responses={201: RegisterMemberSerializer})
    def post(self, request, cpts_slug):
        data = RegisterMemberAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        professional = access_professional(request.user, v["professional"]) if "professional" in v else None
        structure = access_structure(request.user, v["structure"]) if "structure" in v else None
        member = services.member_add(
            actor=request.user,
            cpts=self.cpts,
            professional=professional,
            structure=structure,
            category=_category(self.cpts, v.get("category")),
            representative=v["representative"],
        )
        return Response(RegisterMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class RegisterMemberView(CptsScopedMixin, APIView):
    """One line of the register with its history."""

    @extend_schema(responses=RegisterMemberDetailSerializer)
    def get(self, request, cpts_slug, member_id):
        member = access_register_member(request.user, self.cpts, member_id)
        return Response(RegisterMemberDetailSerializer(member).data)


ACTIONS = {
    "accept": AcceptSerializer,
    "refuse": RefuseSerializer,
    "record-consent": ConsentRecordSerializer,
    "category": CategorySetSerializer,
    "resign": ResignSerializer,
    "exclude": ExcludeSerializer,
}


class RegisterActionView(CptsScopedMixin, APIView):
    """Managers' actions on a line: accept / refuse a request, record a written consent, change the category,
    record a resignation, exclude by a recorded decision (date, body, reason, defence invitation)."""

    @extend_schema(
        request=RegisterActionDocSerializer,
        responses=RegisterMemberSerializer,
        operation_id="projet_register_member_action",
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(ACTIONS))],
        description="Le corps dépend de l'action : accept {category, joined_on}, refuse {reason}, "
        "record-consent {evidence, consented_on}, category {category}, resign {on, note}, "
        "exclude {decided_on, body, reason, defence_invited_on, reference}.",
    )
    def post(self, request, cpts_slug, member_id, action):
        if action not in ACTIONS:
            raise Http404
        member = access_register_member(request.user, self.cpts, member_id, for_write=True)
        data = ACTIONS[action](data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        actor = request.user
        if action == "accept":
            member = services.member_accept(
                actor=actor,
                member=member,
                category=_category(self.cpts, v.get("category")),
                joined_on=v.get("joined_on"),
            )
        elif action == "refuse":
            member = services.member_refuse(actor=actor, member=member, reason=v["reason"])
        elif action == "record-consent":
            member = services.member_consent_record(
                actor=actor, member=member, evidence=v["evidence"], consented_on=v.get("consented_on")
            )
        elif action == "category":
            member = services.member_set_category(
                actor=actor, member=member, category=_category(self.cpts, v["category"])
            )
        elif action == "resign":
            member = services.member_resign(actor=actor, member=member, on=v.get("on"), note=v["note"])
        else:
            member = services.member_exclude(actor=actor, member=member, **v)
        return Response(RegisterMemberSerializer(member).data)


class RegisterStatsView(CptsScopedMixin, APIView):
    """Counts by profession, category and actor group; members / professionals practising on the territory per
    profession; the 100-member threshold (tier 4: +10 %); warnings (single category of actors, seed 001)."""

    @extend_schema(responses=RegisterStatsSerializer)
    def get(self, request, cpts_slug):
        return Response(RegisterStatsSerializer(selectors.register_stats(self.cpts)).data)


class CategoryListView(CptsScopedMixin, APIView):
    """The statutes' categories of members of the CPTS (defaults: founding, active, honorary, benefactor)."""

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request, cpts_slug):
        return Response(CategorySerializer(selectors.member_categories(self.cpts), many=True).data)

    @extend_schema(request=CategorySerializer, responses={201: CategorySerializer})
    def post(self, request, cpts_slug):
        data = CategorySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_create(actor=request.user, cpts=self.cpts, **data.validated_data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class RegisterExportView(CptsScopedMixin, APIView):
    """The member list with statuses for the ACI request, as PDF or XLSX."""

    @extend_schema(
        parameters=[OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["pdf", "xlsx"])],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, cpts_slug, fmt):
        return exports.register_response(self.cpts, fmt)


class JoinView(APIView):
    """A professional (their account linked to their directory entry) asks to join a CPTS."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=JoinRequestSerializer, responses={201: RegisterMemberSerializer})
    def post(self, request, cpts_slug):
        cpts = join_target_cpts(cpts_slug)
        data = JoinRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_request(
            actor=request.user, cpts=cpts, message=data.validated_data["message"]
        )
        return Response(RegisterMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class MyAdhesionsView(generics.ListAPIView):
    """The user's own memberships in every CPTS, with their history."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RegisterMemberDetailSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.user_adhesions(self.request.user)


class MyAdhesionConsentView(APIView):
    """Consent (or decline) to being added to a CPTS's register by its coordination."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ConsentSerializer, responses=RegisterMemberSerializer)
    def post(self, request, member_id):
        member = access_own_adhesion(request.user, member_id)
        data = ConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_consent(
            actor=request.user, member=member, accept=data.validated_data["accept"]
        )
        return Response(RegisterMemberSerializer(member).data)


class MyAdhesionResignView(APIView):
    """Resign from a CPTS (or withdraw a pending request)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=ResignSerializer, responses=RegisterMemberSerializer, operation_id="projet_my_adhesion_resign"
    )
    def post(self, request, member_id):
        member = access_own_adhesion(request.user, member_id)
        data = ResignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_resign(actor=request.user, member=member, note=data.validated_data["note"])
        return Response(RegisterMemberSerializer(member).data)
