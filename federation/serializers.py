from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from federation.models import (
    Commune,
    Cpts,
    CptsRole,
    Federation,
    FederationMember,
    Invitation,
    Membership,
    Partner,
    User,
)
from federation.territory import aci_size_tier


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True)
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        default="",
        help_text=_("Code à usage unique (TOTP), obligatoire si la double authentification est activée."),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True, help_text=_("Fin de validité du jeton."))


class ApiTokenSerializer(serializers.Serializer):
    """A token as its owner sees it later: never the full key."""

    id = serializers.CharField(help_text=_("Identifiant public : les 8 premiers caractères de la clé."))
    created = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    expired = serializers.BooleanField()


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name"]


class CommuneSerializer(serializers.ModelSerializer):
    departement = serializers.CharField(source="departement_id")

    class Meta:
        model = Commune
        fields = ["insee_code", "name", "departement", "population", "postal_codes", "latitude", "longitude"]


class CptsSerializer(serializers.ModelSerializer):
    """Expects a queryset from `selectors.cpts_with_population()`."""

    population = serializers.IntegerField(read_only=True)
    size_tier = serializers.SerializerMethodField()

    class Meta:
        model = Cpts
        fields = ["id", "slug", "name", "legal_status", "maturity_stage", "population", "size_tier"]

    def get_size_tier(self, obj) -> int:
        return aci_size_tier(obj.population)


class MembershipSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    user = UserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["cpts", "user", "role"]


class MemberInviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=CptsRole.choices, default=CptsRole.MEMBER)
    display_name = serializers.CharField(max_length=150, required=False, default="")


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=CptsRole.choices)


class TerritoryChangeSerializer(serializers.Serializer):
    add = serializers.ListField(child=serializers.CharField(max_length=5), required=False, default=list)
    remove = serializers.ListField(child=serializers.CharField(max_length=5), required=False, default=list)


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "slug", "name", "kind"]


class FederationMemberSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    partner = PartnerSerializer(read_only=True)

    class Meta:
        model = FederationMember
        fields = ["id", "college", "cpts", "partner", "joined_on", "left_on"]


class FederationSerializer(serializers.ModelSerializer):
    departement = serializers.CharField(source="departement_id")

    class Meta:
        model = Federation
        fields = ["id", "slug", "name", "departement", "min_join_stage"]


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as the CPTS' coordinators see it: never an account id or name."""

    cpts = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    expired = serializers.BooleanField(source="is_expired", read_only=True)
    resent = serializers.SerializerMethodField(
        help_text=_("Vrai quand une invitation en attente a été renvoyée.")
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "cpts",
            "email",
            "role",
            "status",
            "created_at",
            "expires_at",
            "expired",
            "sent_count",
            "resent",
        ]

    def get_resent(self, obj) -> bool:
        return bool(self.context.get("resent"))


class MyInvitationSerializer(serializers.ModelSerializer):
    """An invitation as the invited person sees it."""

    cpts = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cpts_name = serializers.CharField(source="cpts.name", read_only=True)
    invited_by = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "cpts", "cpts_name", "role", "invited_by", "created_at", "expires_at"]

    def get_invited_by(self, obj) -> str:
        return obj.invited_by.get_full_name() if obj.invited_by else ""
