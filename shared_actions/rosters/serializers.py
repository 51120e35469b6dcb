"""API input and output of SNP rosters."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from federation.models import Cpts
from shared_actions.rosters.models import (
    CalendarFeed,
    Roster,
    RosterSite,
    Shift,
    ShiftAssignment,
    SwapRequest,
)
from shared_actions.rosters.selectors import coverage_status
from shared_actions.serializers import SharedPersonSerializer


class RosterSiteSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cpts.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = RosterSite
        fields = ["id", "name", "address", "commune", "cpts"]


class RosterSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cpts.objects.all(), required=False, allow_null=True
    )
    federation = serializers.SlugField(source="federation.slug", required=False, allow_null=True)
    participants = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cpts.objects.all(), many=True, required=False
    )
    sites = RosterSiteSerializer(many=True, read_only=True)

    class Meta:
        model = Roster
        fields = [
            "id",
            "name",
            "description",
            "cpts",
            "federation",
            "participants",
            "swap_requires_approval",
            "sites",
            "created_at",
        ]


class AssignmentSerializer(serializers.ModelSerializer):
    user = SharedPersonSerializer(read_only=True)
    cpts = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ShiftAssignment
        fields = ["id", "shift", "user", "cpts", "profession", "created_at"]


class ShiftSerializer(serializers.ModelSerializer):
    site = serializers.IntegerField(source="site_id")
    assigned_count = serializers.IntegerField(read_only=True)
    status = serializers.SerializerMethodField()
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "roster",
            "site",
            "start",
            "end",
            "required_count",
            "required_profession",
            "required_competence",
            "notes",
            "assigned_count",
            "status",
            "assignments",
        ]
        read_only_fields = ["roster"]

    def get_status(self, obj) -> str:
        return coverage_status(getattr(obj, "assigned_count", 0), obj.required_count)


class SignUpSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        required=False, help_text=_("Personne affectée (coordinateur) ; vous par défaut.")
    )
    cpts = serializers.SlugRelatedField(slug_field="slug", queryset=Cpts.objects.all(), required=False)
    profession = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)


class CoverageRowSerializer(serializers.Serializer):
    shift = serializers.IntegerField(source="shift.pk")
    start = serializers.DateTimeField(source="shift.start")
    end = serializers.DateTimeField(source="shift.end")
    assigned = serializers.IntegerField()
    required = serializers.IntegerField()
    missing = serializers.IntegerField()
    status = serializers.CharField()


class SiteCoverageSerializer(serializers.Serializer):
    site_id = serializers.IntegerField()
    site_name = serializers.CharField()
    missing = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = CoverageRowSerializer(many=True)


class SwapRequestSerializer(serializers.ModelSerializer):
    requester = SharedPersonSerializer(read_only=True)
    target = SharedPersonSerializer(read_only=True)
    accepted_by = SharedPersonSerializer(read_only=True)
    shift = serializers.IntegerField(source="assignment.shift_id", read_only=True)

    class Meta:
        model = SwapRequest
        fields = [
            "id",
            "kind",
            "status",
            "assignment",
            "shift",
            "counterpart",
            "requester",
            "target",
            "accepted_by",
            "message",
            "created_at",
        ]


class SwapCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SwapRequest.Kind.choices)
    assignment = serializers.IntegerField()
    counterpart = serializers.IntegerField(required=False)
    target = serializers.IntegerField(required=False)
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CalendarFeedSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CalendarFeed
        fields = ["id", "roster", "url", "created_at", "revoked_at"]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = reverse("actions-ical-feed", args=[obj.token])
        return request.build_absolute_uri(path) if request else path


class FeedCreateSerializer(serializers.Serializer):
    roster = serializers.IntegerField(required=False)
