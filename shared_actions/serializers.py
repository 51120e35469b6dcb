from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from federation.models import Cpts
from shared_actions.models import (
    ActionTask,
    CalendarFeed,
    Campaign,
    CampaignAction,
    CampaignTheme,
    Document,
    DocumentCategory,
    DocumentDownload,
    DocumentVersion,
    Indicator,
    IndicatorValue,
    Invitation,
    Meeting,
    Roster,
    RosterSite,
    Shift,
    ShiftAssignment,
    SwapRequest,
    Visibility,
)

CptsSlug = serializers.SlugRelatedField


class SharedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="__str__")


# --- documents ------------------------------------------------------------------------------------
class DocumentVersionSerializer(serializers.ModelSerializer):
    uploaded_by = SharedPersonSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "comment",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, obj) -> str:
        return reverse("api-actions-document-download", args=[obj.document_id, obj.number])


class DocumentSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    federation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    shared_with = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    latest_version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "description",
            "category",
            "visibility",
            "cpts",
            "federation",
            "shared_with",
            "latest_version",
            "created_at",
            "updated_at",
        ]


class DocumentDetailSerializer(DocumentSerializer):
    versions = DocumentVersionSerializer(many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "versions"]


class DocumentCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=DocumentCategory.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.OWNER)
    cpts = serializers.SlugRelatedField(slug_field="slug", queryset=Cpts.objects.all(), required=False)
    federation = serializers.SlugField(required=False, help_text=_("Document de la fédération (son équipe)."))
    shared_with = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cpts.objects.all(), many=True, required=False, default=list
    )
    shared_with_users = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text=_("Visibilité « people ».")
    )
    file = serializers.FileField(allow_empty_file=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    def validate(self, attrs):
        if bool(attrs.get("cpts")) == bool(attrs.get("federation")):
            raise serializers.ValidationError(_("Indiquez soit une CPTS, soit une fédération."), code="owner")
        return attrs


class DocumentUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=DocumentCategory.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    shared_with = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cpts.objects.all(), many=True, required=False
    )
    shared_with_users = serializers.ListField(child=serializers.IntegerField(), required=False)


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class DocumentDownloadSerializer(serializers.ModelSerializer):
    user = SharedPersonSerializer(read_only=True)
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = DocumentDownload
        fields = ["version", "user", "downloaded_at"]


# --- rosters --------------------------------------------------------------------------------------
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
        from shared_actions.selectors import coverage_status

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


# --- campaigns ------------------------------------------------------------------------------------
class ActionTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionTask
        fields = ["id", "label", "done", "done_at"]
        read_only_fields = ["done_at"]


class CampaignActionSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(slug_field="slug", queryset=Cpts.objects.all())
    tasks = ActionTaskSerializer(many=True, read_only=True)
    task_labels = serializers.ListField(
        child=serializers.CharField(max_length=200), write_only=True, required=False
    )
    person_in_charge = serializers.IntegerField(source="person_in_charge_id", required=False, allow_null=True)

    class Meta:
        model = CampaignAction
        fields = [
            "id",
            "title",
            "date",
            "commune",
            "place",
            "cpts",
            "person_in_charge",
            "resources",
            "tasks",
            "task_labels",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "name", "unit", "target", "target_per_cpts"]


class IndicatorValueSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(slug_field="slug", queryset=Cpts.objects.all())

    class Meta:
        model = IndicatorValue
        fields = ["id", "cpts", "date", "value", "reported_at"]
        read_only_fields = ["reported_at"]
        validators: list = []


class CampaignSerializer(serializers.ModelSerializer):
    federation = serializers.SlugField(source="federation.slug")
    lead_cpts = serializers.SlugRelatedField(slug_field="slug", queryset=Cpts.objects.all())
    participants = serializers.SlugRelatedField(slug_field="slug", queryset=Cpts.objects.all(), many=True)
    theme = serializers.ChoiceField(choices=CampaignTheme.choices)
    materials = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "federation",
            "title",
            "theme",
            "start_date",
            "end_date",
            "lead_cpts",
            "participants",
            "target_population",
            "objectives",
            "materials",
        ]


class CptsProgressSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    target = serializers.DecimalField(max_digits=12, decimal_places=2)
    percent = serializers.IntegerField()


class IndicatorProgressSerializer(serializers.Serializer):
    indicator = IndicatorSerializer()
    per_cpts = CptsProgressSerializer(many=True)
    overall = CptsProgressSerializer()
    series = serializers.SerializerMethodField()

    def get_series(self, obj) -> list[dict]:
        return [{"date": d.isoformat(), "value": str(v)} for d, v in obj.series]


class CampaignMaterialSerializer(serializers.Serializer):
    document = serializers.IntegerField()


class AgendaEntrySerializer(serializers.Serializer):
    uid = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField(allow_null=True)
    location = serializers.CharField()
    url = serializers.CharField()
    owner = serializers.CharField()
    theme = serializers.CharField()


# --- meetings -------------------------------------------------------------------------------------
class MeetingInvitationSerializer(serializers.ModelSerializer):
    user = SharedPersonSerializer(read_only=True)

    class Meta:
        model = Invitation
        fields = ["user", "reply", "replied_at", "attended"]


class SharedMeetingSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cpts.objects.all(), required=False, allow_null=True
    )
    federation = serializers.SlugField(source="federation.slug", required=False, allow_null=True)
    invitees = serializers.ListField(child=serializers.IntegerField(), write_only=True, required=False)
    minutes = serializers.PrimaryKeyRelatedField(read_only=True)
    campaign = serializers.IntegerField(source="campaign_id", required=False, allow_null=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "start",
            "end",
            "place",
            "video_url",
            "agenda",
            "cpts",
            "federation",
            "campaign",
            "minutes",
            "invitees",
        ]


class SharedMeetingDetailSerializer(SharedMeetingSerializer):
    invitations = MeetingInvitationSerializer(many=True, read_only=True)

    class Meta(SharedMeetingSerializer.Meta):
        fields = [*SharedMeetingSerializer.Meta.fields, "invitations"]


class MeetingInviteSerializer(serializers.Serializer):
    users = serializers.ListField(child=serializers.IntegerField(), min_length=1)


class MeetingReplySerializer(serializers.Serializer):
    reply = serializers.ChoiceField(choices=[c for c in Invitation.Reply.choices if c[0] != "pending"])


class MeetingAttendanceSerializer(serializers.Serializer):
    present = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class MeetingMinutesSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, allow_empty_file=True)
    document = serializers.IntegerField(required=False)
