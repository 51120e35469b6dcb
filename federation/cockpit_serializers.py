"""Serializers of the cockpit, the territory map and territory editing (typed for the OpenAPI schema)."""

from django.urls import reverse
from rest_framework import serializers

from federation.models import Commune, MaturityStage, TerritoryChange


class PanelItemSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField(help_text="Où la chose se traite (chemin de la page).")
    detail = serializers.CharField()
    level = serializers.ChoiceField(choices=["info", "warning", "danger"])


class PanelSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)
    empty = serializers.CharField(help_text="Ce que dit un panneau vide.")
    items = PanelItemSerializer(many=True)


def panels_data(panels) -> list[dict]:
    return [
        {
            "key": panel.key,
            "title": str(panel.title),
            "count": data.count if data.count is not None else len(data.items),
            "empty": str(data.empty),
            "items": [
                {"label": str(i.label), "url": i.url, "detail": str(i.detail), "level": i.level}
                for i in data.items
            ],
        }
        for panel, data in panels
    ]


class ContactSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    email = serializers.EmailField()


class FactValueSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class FactSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    values = FactValueSerializer(many=True)


class CockpitCptsSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    maturity_stage = serializers.ChoiceField(choices=MaturityStage.choices)
    maturity_stage_label = serializers.CharField()
    population = serializers.IntegerField()
    size_tier = serializers.IntegerField(min_value=1, max_value=4)
    communes = serializers.IntegerField()
    accounts = serializers.IntegerField(help_text="Comptes de la CPTS sur la plateforme.")
    joined_on = serializers.DateField(allow_null=True)
    coordinators = ContactSerializer(many=True)
    facts = FactSerializer(many=True, help_text="Colonnes fournies par les applications (ex. professions).")
    federation_view = serializers.CharField(help_text="Vue de la CPTS par la fédération (chemin).")


class CoverageSerializer(serializers.Serializer):
    total_population = serializers.IntegerField()
    covered_population = serializers.IntegerField()
    coverage = serializers.FloatField(help_text="Part de la population couverte (0 à 1).")
    uncovered_communes = serializers.IntegerField()


class CockpitFederationSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    departement = serializers.CharField()


class CockpitSerializer(serializers.Serializer):
    federation = CockpitFederationSerializer()
    coverage = CoverageSerializer()
    cpts = CockpitCptsSerializer(many=True)
    panels = PanelSerializer(many=True)


def cockpit_data(cockpit, coverage: dict) -> dict:
    federation = cockpit.federation
    titles = dict(cockpit.facts_titles)
    return {
        "federation": {
            "slug": federation.slug,
            "name": federation.name,
            "departement": federation.departement_id,
        },
        "coverage": {k: coverage[k] for k in CoverageSerializer().fields},
        "cpts": [
            {
                "slug": row.cpts.slug,
                "name": row.cpts.name,
                "maturity_stage": row.cpts.maturity_stage,
                "maturity_stage_label": str(row.cpts.get_maturity_stage_display()),
                "population": row.population,
                "size_tier": row.size_tier,
                "communes": row.communes,
                "accounts": row.accounts,
                "joined_on": row.joined_on,
                "coordinators": [{"display_name": str(u), "email": u.email} for u in row.coordinators],
                "facts": [
                    {
                        "key": key,
                        "title": str(titles[key]),
                        "values": [{"label": str(label), "count": n} for label, n in values],
                    }
                    for key, values in row.facts.items()
                ],
                "federation_view": reverse(
                    "federation-cpts", kwargs={"federation_slug": federation.slug, "cpts_slug": row.cpts.slug}
                ),
            }
            for row in cockpit.cpts
        ],
        "panels": panels_data(cockpit.panels),
    }


# --- the territory map (documents the GeoJSON the endpoint sends as is) -------------------------------
class MapCptsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    member = serializers.BooleanField(help_text="Membre de la fédération de la carte.")
    colour = serializers.CharField()
    population = serializers.IntegerField()
    communes = serializers.IntegerField()
    size_tier = serializers.IntegerField()


class MapSummarySerializer(CoverageSerializer):
    cpts = MapCptsSerializer(many=True)


class MapFeaturePropertiesSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code INSEE.")
    name = serializers.CharField()
    population = serializers.IntegerField()
    cpts = serializers.IntegerField(allow_null=True, help_text="La CPTS qui couvre la commune, ou null.")
    cpts_name = serializers.CharField()


class MapFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.CharField()
    properties = MapFeaturePropertiesSerializer()
    geometry = serializers.JSONField(help_text="Géométrie GeoJSON (Polygon ou MultiPolygon, WGS 84).")


class TerritoryMapSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    departements = serializers.ListField(child=serializers.CharField())
    highlight = serializers.IntegerField(allow_null=True)
    summary = MapSummarySerializer()
    features = MapFeatureSerializer(many=True)


# --- territory editing --------------------------------------------------------------------------------
class CommuneCandidateSerializer(serializers.Serializer):
    insee_code = serializers.CharField()
    name = serializers.CharField()
    postal_code = serializers.CharField()
    population = serializers.IntegerField()
    departement = serializers.CharField()
    holder_slug = serializers.CharField(help_text="La CPTS qui détient déjà la commune (vide sinon).")
    holder_name = serializers.CharField()


class TerritoryEditSerializer(serializers.Serializer):
    add = serializers.ListField(child=serializers.CharField(max_length=5), required=False, default=list)
    remove = serializers.ListField(child=serializers.CharField(max_length=5), required=False, default=list)


class PreviewCommuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ["insee_code", "name", "population"]


class RefusedCommuneSerializer(serializers.Serializer):
    insee_code = serializers.CharField()
    name = serializers.CharField()
    holder_name = serializers.CharField()


class TerritoryPreviewSerializer(serializers.Serializer):
    population = serializers.IntegerField()
    size_tier = serializers.IntegerField()
    new_population = serializers.IntegerField()
    new_size_tier = serializers.IntegerField()
    to_add = PreviewCommuneSerializer(many=True)
    to_remove = PreviewCommuneSerializer(many=True)
    already_held = PreviewCommuneSerializer(many=True)
    refused = RefusedCommuneSerializer(many=True, source="refused_rows")
    unknown = serializers.ListField(child=serializers.CharField())
    not_in_territory = PreviewCommuneSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    can_confirm = serializers.BooleanField()


class TerritoryChangeEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TerritoryChange
        fields = [
            "id",
            "created_at",
            "action",
            "commune",
            "commune_name",
            "commune_population",
            "population_after",
            "actor",
        ]

    def get_actor(self, obj) -> str:
        return str(obj.actor) if obj.actor else ""


class TerritoryResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    population = serializers.IntegerField()
    size_tier = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())
