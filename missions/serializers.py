"""Serializers of the contract year's API: inputs checked with French messages, outputs typed for the
OpenAPI schema (money as numbers in euros)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from missions.autofill import AUTO_SOURCES
from missions.models import (
    CONTRACT_YEARS,
    Avenant,
    ContractMission,
    Indicator,
    IndicatorValueChange,
    ReviewPack,
)
from missions.rules import MISSION_NUMBERS, get_rule_set, rule_sets


def _rule_set_id(value: str) -> str:
    if get_rule_set(value) is None:
        raise serializers.ValidationError(
            _("Règles ACI inconnues : « %(id)s ». Règles disponibles : %(ids)s.")
            % {"id": value, "ids": ", ".join(rule_sets())},
            code="unknown_rule_set",
        )
    return value


def _mission_number(value: int) -> int:
    if value not in MISSION_NUMBERS:
        raise serializers.ValidationError(
            _("La mission %(number)s n'existe pas : les missions vont de 1 à 6.") % {"number": value},
            code="unknown_mission",
        )
    return value


# --- simulator ------------------------------------------------------------------------------------
# JSON types only: a number sent as text ("60000"), a boolean as a number (true → 1) or a number as a boolean
# (1 → true) is a client's mistake, refused rather than guessed.
class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": _("Un nombre entier est attendu (un nombre JSON, pas un texte).")}

    def to_internal_value(self, data):
        if isinstance(data, (bool, str)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    default_error_messages = {"invalid": _("Un nombre est attendu (un nombre JSON, pas un texte).")}

    def to_internal_value(self, data):
        if isinstance(data, (bool, str)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": _("Un booléen est attendu (true ou false).")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class SimulationMissionSerializer(serializers.Serializer):
    mission = StrictIntegerField(help_text="Numéro de mission (1 à 6).")
    achievement = StrictFloatField(
        required=False,
        default=1.0,
        help_text="Taux d'atteinte des indicateurs de résultats, de 0 à 1 (1 = 100 %).",
    )
    crisis_plan = serializers.ChoiceField(
        choices=[("first", "1re rédaction du plan"), ("update", "mise à jour du plan")],
        required=False,
        allow_null=True,
        help_text="Mission 4 seulement : l'année de la 1re rédaction du plan (défaut), ou une année de mise à jour.",
    )
    crisis_occurred = StrictBooleanField(
        required=False,
        allow_null=True,
        help_text="Mission 4 seulement : survenue d'une crise sanitaire grave (défaut : non).",
    )

    def validate_mission(self, value):
        return _mission_number(value)

    def validate(self, attrs):
        # The crisis plan and the crisis concern mission 4 only (seed 003: « Mission dédiée à la réponse aux
        # crises sanitaires graves »): saying them of another mission is a mistake, not something to ignore.
        # false / null say nothing and are accepted anywhere.
        if attrs["mission"] != 4:
            for name in ("crisis_plan", "crisis_occurred"):
                if attrs.get(name) not in (None, False):
                    raise serializers.ValidationError(
                        {
                            name: [
                                _(
                                    "Le plan de crise et la survenue d'une crise sanitaire grave ne concernent "
                                    "que la mission 4 (pas la mission %(number)d)."
                                )
                                % {"number": attrs["mission"]}
                            ]
                        },
                        code="crisis_fields_mission_4_only",
                    )
        # null or absent means "not said": the first drafting, no crisis.
        attrs["crisis_plan"] = attrs.get("crisis_plan") or "first"
        attrs["crisis_occurred"] = bool(attrs.get("crisis_occurred"))
        return attrs

    def validate_achievement(self, value):
        if not 0 <= value <= 1:
            raise serializers.ValidationError(
                _("Le taux d'atteinte est une fraction entre 0 et 1 (1 = 100 %)."), code="invalid_achievement"
            )
        return Decimal(str(value))


class SimulationInputSerializer(serializers.Serializer):
    rule_set = serializers.CharField(
        help_text="Identifiant des règles ACI (voir /api/missions/aci/rule-sets/)."
    )
    population = StrictIntegerField(help_text="Population du territoire (habitants).")
    members = StrictIntegerField(
        required=False, default=0, help_text="Membres ayant expressément adhéré (majoration de 10 %)."
    )
    missions_started = StrictBooleanField(
        required=False, default=True, help_text="Faux : avant le démarrage des missions, fonctionnement seul."
    )
    missions = SimulationMissionSerializer(
        many=True,
        required=False,
        default=list,
        error_messages={
            "not_a_list": _(
                # DRF formats this message: braces doubled.
                '« missions » est une liste, par exemple [{{"mission": 1, "achievement": 0.8}}].'
            )
        },
    )

    def validate_rule_set(self, value):
        return _rule_set_id(value)

    def validate_population(self, value):
        if value < 0:
            raise serializers.ValidationError(
                _("La population ne peut être négative."), code="negative_population"
            )
        return value

    def validate_members(self, value):
        if value < 0:
            raise serializers.ValidationError(
                _("Le nombre de membres ne peut être négatif."), code="negative_members"
            )
        return value

    def validate_missions(self, value):
        seen = set()
        for item in value:
            if item["mission"] in seen:
                raise serializers.ValidationError(
                    _("La mission %(number)d figure deux fois.") % {"number": item["mission"]},
                    code="duplicate_mission",
                )
            seen.add(item["mission"])
        return value

    def validate(self, attrs):
        rule_set = get_rule_set(attrs["rule_set"])
        for item in attrs.get("missions", []):
            if rule_set.mission(item["mission"]) is None:
                raise serializers.ValidationError(
                    {
                        "missions": [
                            _("La mission %(number)d n'existe pas dans les règles « %(rules)s ».")
                            % {"number": item["mission"], "rules": rule_set.label}
                        ]
                    },
                    code="mission_not_in_rule_set",
                )
        return attrs


class FundingLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    mission = serializers.IntegerField(allow_null=True, help_text="null : ligne du fonctionnement.")
    fixed = serializers.FloatField()
    variable = serializers.FloatField()
    increase = serializers.FloatField()
    total = serializers.FloatField()
    achievement = serializers.FloatField(allow_null=True)
    explanations = serializers.ListField(child=serializers.CharField())


class FundingSerializer(serializers.Serializer):
    rule_set = serializers.CharField()
    rule_set_label = serializers.CharField()
    tier = serializers.IntegerField()
    members = serializers.IntegerField()
    missions_started = serializers.BooleanField()
    increase_applies = serializers.BooleanField()
    total = serializers.FloatField()
    total_possible = serializers.FloatField(
        help_text="« Financement total possible » de la taille (table des règles)."
    )
    max_possible = serializers.FloatField(help_text="Maximum possible majoration comprise.")
    lines = FundingLineSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


def funding_data(funding, **extra) -> dict:
    return {
        "rule_set": funding.rule_set.id,
        "rule_set_label": funding.rule_set.label,
        "tier": funding.tier,
        "members": funding.members,
        "missions_started": funding.missions_started,
        "increase_applies": funding.increase_applies,
        "total": float(funding.total),
        "total_possible": float(funding.total_possible),
        "max_possible": float(funding.max_possible),
        "lines": [
            {
                "label": line.label,
                "mission": line.mission,
                "fixed": float(line.fixed),
                "variable": float(line.variable),
                "increase": float(line.increase),
                "total": float(line.total),
                "achievement": None if line.achievement is None else float(line.achievement),
                "explanations": line.explanations,
            }
            for line in funding.lines
        ],
        "notes": funding.notes,
        **extra,
    }


class SimulationResultSerializer(FundingSerializer):
    population = serializers.IntegerField()


class RuleSetSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    signed_on = serializers.CharField()
    source = serializers.CharField()
    missions = serializers.ListField(child=serializers.IntegerField())
    operating = serializers.ListField(child=serializers.FloatField())
    total_possible = serializers.ListField(child=serializers.FloatField())


# --- contract -------------------------------------------------------------------------------------
class AvenantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Avenant
        fields = ["id", "number", "signed_on", "effective_from", "summary", "rule_set", "population"]
        read_only_fields = ["id", "number"]

    def validate_rule_set(self, value):
        return _rule_set_id(value) if value else value


class ContractMissionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_number_display", read_only=True)

    class Meta:
        model = ContractMission
        fields = ["id", "number", "label", "start_year", "crisis_plan_year"]
        read_only_fields = ["id"]


class YearRulesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    rule_set = serializers.CharField()
    population = serializers.IntegerField()
    tier = serializers.IntegerField()
    review_from = serializers.DateField()
    review_until = serializers.DateField()
    review_on = serializers.DateField(allow_null=True)


class ContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cpts = serializers.CharField(source="cpts.slug")
    signed_on = serializers.DateField()
    ends_on = serializers.DateField()
    rule_set = serializers.CharField()
    parties = serializers.DictField(child=serializers.CharField())
    population = serializers.IntegerField()
    current_year = serializers.IntegerField()
    avenants = AvenantSerializer(many=True)
    missions = ContractMissionSerializer(many=True)
    years = YearRulesSerializer(many=True)


class ContractCreateSerializer(serializers.Serializer):
    signed_on = serializers.DateField()
    rule_set = serializers.CharField()
    ars_name = serializers.CharField(max_length=200)
    cpam_name = serializers.CharField(max_length=200)
    population = serializers.IntegerField(min_value=0)
    missions = ContractMissionSerializer(many=True, required=False, default=list)

    def validate_rule_set(self, value):
        return _rule_set_id(value)


class MissionYearSerializer(serializers.Serializer):
    crisis_occurred = serializers.BooleanField(required=False)
    agreed_achievement = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        min_value=Decimal(0),
        max_value=Decimal(1),
        allow_null=True,
        required=False,
    )


class ReviewScheduleSerializer(serializers.Serializer):
    scheduled_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


# --- indicators -----------------------------------------------------------------------------------
class ContractIndicatorValueSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    measured_on = serializers.DateField()
    origin = serializers.CharField()
    source_detail = serializers.CharField()
    comment = serializers.CharField()
    entered_by = serializers.CharField(allow_null=True)


class ContractIndicatorSerializer(serializers.ModelSerializer):
    mission_number = serializers.IntegerField(source="mission.number", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "mission_number",
            "name",
            "kind",
            "national",
            "unit",
            "target",
            "direction",
            "weight",
            "data_source",
            "auto_source",
        ]
        read_only_fields = ["id", "national"]


class ContractIndicatorCreateSerializer(ContractIndicatorSerializer):
    mission = serializers.IntegerField(write_only=True)
    auto_source = serializers.ChoiceField(choices=["", *AUTO_SOURCES], required=False, default="")

    class Meta(ContractIndicatorSerializer.Meta):
        fields = [*ContractIndicatorSerializer.Meta.fields, "mission"]

    def validate_mission(self, value):
        return _mission_number(value)


class ContractIndicatorUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["name", "kind", "unit", "target", "direction", "weight", "data_source"]


class IndicatorRowSerializer(serializers.Serializer):
    indicator = ContractIndicatorSerializer()
    value = ContractIndicatorValueSerializer(allow_null=True)
    achievement = serializers.FloatField(allow_null=True)


class IndicatorValueInSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1, max_value=CONTRACT_YEARS)
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    measured_on = serializers.DateField(required=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class IndicatorChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.StringRelatedField()
    old_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    new_value = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = IndicatorValueChange
        fields = [
            "year",
            "old_value",
            "new_value",
            "measured_on",
            "origin",
            "source_detail",
            "comment",
            "changed_by",
            "changed_at",
        ]


class ReviewPackSerializer(serializers.ModelSerializer):
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = ReviewPack
        fields = ["id", "year", "status", "progress", "error", "created_at", "finished_at", "downloads"]

    def get_downloads(self, pack) -> dict[str, str]:
        from django.urls import reverse

        if pack.status != ReviewPack.Status.DONE:
            return {}
        return {fmt: reverse("missions-pack-download", args=[pack.pk, fmt]) for fmt in ("pdf", "xlsx", "csv")}


# --- roll-up --------------------------------------------------------------------------------------
class RollupRowSerializer(serializers.Serializer):
    cpts = serializers.CharField()
    cpts_name = serializers.CharField()
    status = serializers.CharField()
    has_contract = serializers.BooleanField()
    year = serializers.IntegerField(allow_null=True)
    next_review = serializers.DateField(allow_null=True)
    funding_expected = serializers.FloatField(allow_null=True)
    max_possible = serializers.FloatField(allow_null=True)
    achievements = serializers.DictField(child=serializers.FloatField())
    indicators_behind = serializers.ListField(child=serializers.CharField())
