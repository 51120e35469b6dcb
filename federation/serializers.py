from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from federation.models import Commune, Cpts, CptsRole, Federation, FederationMember, Membership, Partner, User
from federation.territory import aci_size_tier


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True)
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text=_("Code à usage unique (TOTP), obligatoire si la double authentification est activée."),
    )

    def validate(self, attrs):
        request = self.context.get("request")
        # django-axes marks the underlying HttpRequest when the account is locked out.
        http_request = getattr(request, "_request", request)
        user = authenticate(http_request, email=attrs["email"].lower(), password=attrs["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Adresse e-mail ou mot de passe incorrect."), code="authorization"
            )
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is not None and not TOTP(totp).validate_code(attrs.get("code", "")):
            raise serializers.ValidationError(
                {"code": [_("Code de double authentification manquant ou invalide.")]}, code="mfa"
            )
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


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
