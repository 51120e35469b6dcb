"""API serializers of the register, the projet de santé and the fiches (output typed for the OpenAPI schema)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from missions.projet.fiches.services import EDITABLE_FIELDS
from missions.projet.models import (
    Acknowledgement,
    ExclusionDecision,
    FicheAction,
    FicheStatus,
    HealthProject,
    MemberCategory,
    MemberStatus,
    Mission,
    ProjectVersion,
    RegisterEvent,
    RegisterMember,
)


# --- register -------------------------------------------------------------------------------------
class CategorySerializer(serializers.ModelSerializer):
    active_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = MemberCategory
        fields = ["id", "code", "label", "votes", "order", "active_count"]
        read_only_fields = ["id", "order", "active_count"]
        # The (cpts, code) uniqueness is the service's rule (its own French message and code).
        validators = []


class ExclusionSerializer(serializers.ModelSerializer):
    body_label = serializers.CharField(source="get_body_display", read_only=True)

    class Meta:
        model = ExclusionDecision
        fields = ["decided_on", "body", "body_label", "reason", "defence_invited_on", "reference"]


class RegisterEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    actor = serializers.CharField(source="actor.display_name", default=None, allow_null=True)

    class Meta:
        model = RegisterEvent
        fields = ["kind", "kind_label", "at", "actor", "from_status", "to_status", "detail"]


class RegisterMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["professional", "structure"])
    cpts = serializers.SlugField(source="cpts.slug")
    profession = serializers.CharField(source="professional.profession.label", default=None, allow_null=True)
    structure_kind = serializers.CharField(source="structure.get_kind_display", default=None, allow_null=True)
    category = serializers.CharField(source="category.code")
    category_label = serializers.CharField(source="category.label")
    status_label = serializers.CharField(source="get_status_display")
    origin_label = serializers.CharField(source="get_origin_display")
    exclusion = serializers.SerializerMethodField()

    class Meta:
        model = RegisterMember
        fields = [
            "id",
            "cpts",
            "name",
            "kind",
            "professional",
            "structure",
            "profession",
            "structure_kind",
            "representative",
            "category",
            "category_label",
            "status",
            "status_label",
            "origin",
            "origin_label",
            "requested_at",
            "message",
            "consented_at",
            "consent_evidence",
            "joined_on",
            "left_on",
            "exclusion",
        ]

    def get_exclusion(self, member) -> ExclusionSerializer(allow_null=True):  # type: ignore[valid-type]
        decision = getattr(member, "exclusion", None) if member.status == MemberStatus.EXCLUDED else None
        return ExclusionSerializer(decision).data if decision else None


class RegisterMemberDetailSerializer(RegisterMemberSerializer):
    history = RegisterEventSerializer(source="events", many=True)

    class Meta(RegisterMemberSerializer.Meta):
        fields = [*RegisterMemberSerializer.Meta.fields, "history"]


class RegisterMemberAddSerializer(serializers.Serializer):
    professional = serializers.IntegerField(required=False, help_text=_("Identifiant de la fiche annuaire."))
    structure = serializers.IntegerField(required=False)
    category = serializers.SlugField(required=False)
    representative = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

    def validate(self, attrs):
        if ("professional" in attrs) == ("structure" in attrs):
            raise serializers.ValidationError(
                _("Choisissez un·e professionnel·le ou une structure."), code="member_kind"
            )
        return attrs


class JoinRequestSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AcceptSerializer(serializers.Serializer):
    category = serializers.SlugField(required=False)
    joined_on = serializers.DateField(required=False)


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ConsentRecordSerializer(serializers.Serializer):
    evidence = serializers.CharField(max_length=300, allow_blank=True)
    consented_on = serializers.DateField(required=False)


class CategorySetSerializer(serializers.Serializer):
    category = serializers.SlugField()


class ResignSerializer(serializers.Serializer):
    on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ExcludeSerializer(serializers.Serializer):
    decided_on = serializers.DateField()
    body = serializers.ChoiceField(choices=ExclusionDecision.Body.choices)
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    defence_invited_on = serializers.DateField()
    reference = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class RegisterActionDocSerializer(serializers.Serializer):
    """The union of the actions' bodies, for the schema (each action reads only its own fields)."""

    category = serializers.SlugField(required=False, help_text="accept, category")
    joined_on = serializers.DateField(required=False, help_text="accept")
    reason = serializers.CharField(required=False, help_text="refuse, exclude")
    evidence = serializers.CharField(required=False, help_text="record-consent")
    consented_on = serializers.DateField(required=False, help_text="record-consent")
    on = serializers.DateField(required=False, help_text="resign")
    note = serializers.CharField(required=False, help_text="resign")
    decided_on = serializers.DateField(required=False, help_text="exclude")
    body = serializers.ChoiceField(
        choices=ExclusionDecision.Body.choices, required=False, help_text="exclude"
    )
    defence_invited_on = serializers.DateField(required=False, help_text="exclude")
    reference = serializers.CharField(required=False, help_text="exclude")


class ConsentSerializer(serializers.Serializer):
    accept = serializers.BooleanField(default=True)


class CountSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ProfessionRatioSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    members = serializers.IntegerField()
    practising = serializers.IntegerField(help_text=_("Professionnels exerçant sur le territoire."))
    ratio = serializers.FloatField(allow_null=True)


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class RegisterStatsSerializer(serializers.Serializer):
    active = serializers.IntegerField()
    pending = serializers.IntegerField()
    professionals = serializers.IntegerField()
    structures = serializers.IntegerField()
    population = serializers.IntegerField()
    size_tier = serializers.IntegerField()
    threshold = serializers.IntegerField()
    threshold_reached = serializers.BooleanField()
    threshold_applies = serializers.BooleanField()
    by_profession = ProfessionRatioSerializer(many=True)
    by_category = serializers.SerializerMethodField()
    by_actor_group = serializers.SerializerMethodField()
    warnings = WarningSerializer(many=True)

    def get_by_category(self, stats) -> CountSerializer(many=True):  # type: ignore[valid-type]
        return [{"code": c, "label": label, "count": n} for c, label, n in stats.by_category]

    def get_by_actor_group(self, stats) -> CountSerializer(many=True):  # type: ignore[valid-type]
        return [{"code": c, "label": label, "count": n} for c, label, n in stats.by_actor_group]


# --- projet de santé ------------------------------------------------------------------------------
class VersionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    is_published = serializers.BooleanField(read_only=True)
    published_by = serializers.CharField(source="published_by.display_name", default=None, read_only=True)
    ack_count = serializers.IntegerField(read_only=True, default=0)
    missions = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=6), required=False)

    class Meta:
        model = ProjectVersion
        fields = [
            "number",
            "kind",
            "kind_label",
            "dated",
            "changes",
            "diagnosis",
            "needs",
            "priorities",
            "missions",
            "coordination",
            "actors",
            "evaluation",
            "is_published",
            "published_at",
            "published_by",
            "ack_count",
        ]
        read_only_fields = ["number", "dated", "published_at"]


class VersionUpdateSerializer(serializers.ModelSerializer):
    missions = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=6), required=False)
    kind = serializers.ChoiceField(choices=ProjectVersion.Kind.choices, required=False)

    class Meta:
        model = ProjectVersion
        fields = [
            "kind",
            "changes",
            "diagnosis",
            "needs",
            "priorities",
            "missions",
            "coordination",
            "actors",
            "evaluation",
        ]
        extra_kwargs = {f: {"required": False} for f in fields}


class DensitySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    practising = serializers.IntegerField()
    per_10000 = serializers.FloatField(allow_null=True)


class DiagnosisSerializer(serializers.Serializer):
    population = serializers.IntegerField()
    communes = serializers.IntegerField()
    size_tier = serializers.IntegerField()
    practising = serializers.IntegerField()
    professions = DensitySerializer(many=True)


class ProjectSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugField(source="cpts.slug")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = HealthProject
        fields = ["cpts", "title", "status", "status_label", "status_changed_at"]


class ProjectOverviewSerializer(serializers.Serializer):
    project = ProjectSerializer()
    draft = VersionSerializer(allow_null=True)
    versions = VersionSerializer(many=True)
    diagnosis = DiagnosisSerializer()
    fiches_count = serializers.IntegerField()
    can_manage = serializers.BooleanField()


class ProjectStartSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class PublishSerializer(serializers.Serializer):
    dated = serializers.DateField(required=False)
    changes = serializers.CharField(required=False, allow_blank=True, max_length=3000)


class NewVersionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[ProjectVersion.Kind.REVISION, ProjectVersion.Kind.AMENDMENT],
        default=ProjectVersion.Kind.AMENDMENT,
    )


class ProjectStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HealthProject.Status.choices)


class AcknowledgementSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="member.name")
    member_id = serializers.IntegerField()
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = Acknowledgement
        fields = ["member_id", "member", "version", "at", "evidence"]


class AcknowledgementRecordSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text=_("Ligne du registre d'une structure membre."))
    evidence = serializers.CharField(max_length=300, allow_blank=True)


# --- fiches action --------------------------------------------------------------------------------
class IndicatorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    mission = serializers.IntegerField(source="mission.number")


class FicheSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugField(source="cpts.slug", read_only=True)
    indicators = IndicatorRefSerializer(many=True, read_only=True)
    mission_label = serializers.CharField(source="get_mission_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_published = serializers.BooleanField(read_only=True)
    copied_from = serializers.IntegerField(source="copied_from_id", read_only=True, allow_null=True)

    class Meta:
        model = FicheAction
        fields = [
            "id",
            "cpts",
            "title",
            "mission",
            "mission_label",
            "problem",
            "objectives",
            "actions",
            "actors",
            "action_lead",
            "calendar",
            "starts_on",
            "ends_on",
            "evaluation_criteria",
            "resources",
            "indicators",
            "status",
            "status_label",
            "is_published",
            "published_at",
            "copied_from",
            "origin_cpts_name",
            "origin_title",
            "copied_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "published_at",
            "origin_cpts_name",
            "origin_title",
            "copied_at",
            "updated_at",
        ]


class FicheWriteSerializer(serializers.ModelSerializer):
    mission = serializers.ChoiceField(choices=Mission.choices)
    indicators = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("Identifiants d'indicateurs du contrat ACI."),
    )

    class Meta:
        model = FicheAction
        fields = list(EDITABLE_FIELDS)


class FicheStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FicheStatus.choices)


class FichePublishSerializer(serializers.Serializer):
    publish = serializers.BooleanField(default=True)


class LibraryFicheSerializer(FicheSerializer):
    cpts_name = serializers.CharField(source="cpts.name", read_only=True)

    class Meta(FicheSerializer.Meta):
        fields = [*FicheSerializer.Meta.fields, "cpts_name"]


class FicheCopySerializer(serializers.Serializer):
    cpts = serializers.SlugField(help_text=_("La CPTS qui copie la fiche dans son projet."))
