"""API input and output of prevention campaigns."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from federation.models import Cpts
from shared_actions.campaigns.models import (
    ActionTask,
    Campaign,
    CampaignAction,
    CampaignTheme,
    Indicator,
    IndicatorValue,
)


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


class SeriesPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.CharField(help_text=_("Total départemental cumulé (nombre décimal)."))


class IndicatorProgressSerializer(serializers.Serializer):
    indicator = IndicatorSerializer()
    per_cpts = CptsProgressSerializer(many=True)
    overall = CptsProgressSerializer()
    series = serializers.SerializerMethodField()

    @extend_schema_field(SeriesPointSerializer(many=True))
    def get_series(self, obj) -> list[dict]:
        return [{"date": d.isoformat(), "value": str(v)} for d, v in obj.series]


class CampaignMaterialSerializer(serializers.Serializer):
    document = serializers.IntegerField()
