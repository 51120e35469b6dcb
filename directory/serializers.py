from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.models import ExerciseMode, Professional, Structure, Visibility
from directory.services import PROFESSIONAL_EDITABLE, STRUCTURE_EDITABLE


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    profession = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, default=list
    )
    specialty = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list
    )
    cpts = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    commune = serializers.ListField(child=serializers.CharField(max_length=5), required=False, default=list)
    mode = serializers.ListField(
        child=serializers.ChoiceField(choices=ExerciseMode.values), required=False, default=list
    )
    kind = serializers.ChoiceField(choices=["professional", "structure"], required=False, allow_blank=True)
    accepts_new_patients = serializers.BooleanField(required=False, default=False)
    snp = serializers.BooleanField(required=False, default=False)
    near = serializers.CharField(
        required=False, max_length=150, allow_blank=True, help_text="commune de référence (code INSEE ou nom)"
    )
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    radius = serializers.FloatField(required=False, min_value=0.1, max_value=500, help_text="rayon en km")
    page = serializers.IntegerField(required=False, min_value=1, max_value=500, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)

    def validate(self, attrs):
        if ("lat" in attrs) != ("lon" in attrs):
            raise serializers.ValidationError({"lat": "lat et lon vont ensemble."}, code="incomplete_point")
        return attrs


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class CommuneRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    mode = serializers.CharField()
    address = serializers.CharField()
    postal_code = serializers.CharField()
    commune = serializers.SerializerMethodField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    phone = serializers.CharField()
    email = serializers.CharField()
    structure = serializers.IntegerField(source="structure_id", allow_null=True)

    @extend_schema_field(CommuneRefSerializer(allow_null=True))
    def get_commune(self, site):
        return {"code": site.commune_id, "name": site.commune.name} if site.commune_id else None


class VisibilityField(serializers.DictField):
    child = serializers.ChoiceField(choices=Visibility.values)


class ProfessionalUpdateSerializer(serializers.Serializer):
    mobile_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    email = serializers.EmailField(required=False, allow_blank=True)
    mssante = serializers.EmailField(required=False, allow_blank=True)
    languages = serializers.CharField(required=False, allow_blank=True, max_length=200)
    skills = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    interests = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    accepts_new_patients = serializers.BooleanField(required=False, allow_null=True)
    takes_part_in_snp = serializers.BooleanField(required=False)
    takes_part_in_sas = serializers.BooleanField(required=False)
    hosts_trainees = serializers.BooleanField(required=False)
    visibility = VisibilityField(required=False)

    def validate_visibility(self, value):
        unknown = set(value) - set(Professional.OPTIONAL_FIELDS)
        if unknown:
            raise serializers.ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}")
        return value


assert set(ProfessionalUpdateSerializer().fields) - {"visibility"} == set(PROFESSIONAL_EDITABLE)


class StructureUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Structure.Kind.choices, required=False)
    website = serializers.URLField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    mssante = serializers.EmailField(required=False, allow_blank=True)
    referent_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    referent_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    services = serializers.CharField(required=False, allow_blank=True)
    public_served = serializers.CharField(required=False, allow_blank=True)
    coverage = serializers.CharField(required=False, allow_blank=True)
    care_modalities = serializers.CharField(required=False, allow_blank=True)
    visibility = VisibilityField(required=False)


assert set(StructureUpdateSerializer().fields) - {"visibility"} == set(STRUCTURE_EDITABLE)


class ErrorReportSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, trim_whitespace=True)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    department = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, default=list
    )


class CptsAttachSerializer(serializers.Serializer):
    professional = serializers.IntegerField()


# --- output (the API's answers, typed in the OpenAPI schema) ---------------------------------------
class ProfessionalSerializer(serializers.Serializer):
    """An entry as the viewer (`context["viewer"]`) may see it: hidden optional fields are null;
    `visibility` only for its editors."""

    id = serializers.IntegerField(source="pk")
    national_id = serializers.CharField()
    id_type = serializers.CharField(source="get_id_type_display")
    civility = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    profession = serializers.SerializerMethodField()
    specialties = serializers.SerializerMethodField()
    sites = SiteSerializer(many=True, source="sites.all")
    cpts = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    mobile_phone = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    mssante = serializers.CharField(allow_null=True)
    languages = serializers.CharField(allow_null=True)
    skills = serializers.CharField(allow_null=True)
    interests = serializers.CharField(allow_null=True)
    accepts_new_patients = serializers.BooleanField(allow_null=True)
    takes_part_in_snp = serializers.BooleanField(allow_null=True)
    takes_part_in_sas = serializers.BooleanField(allow_null=True)
    hosts_trainees = serializers.BooleanField(allow_null=True)
    visibility = serializers.DictField(
        child=serializers.ChoiceField(choices=Visibility.values),
        required=False,
        help_text="Visibilité de chaque champ facultatif (pour qui peut modifier la fiche).",
    )

    @extend_schema_field(CodeLabelSerializer)
    def get_profession(self, pro):
        return {"code": pro.profession_id, "label": pro.profession.label}

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_specialties(self, pro):
        return [{"code": s.code, "label": s.label} for s in pro.specialties.all()]

    def get_cpts(self, entry) -> list[str]:
        return [link.cpts.slug for link in entry.cpts_links.all()]

    def get_can_edit(self, entry) -> bool:
        return self.context["viewer"].can_edit(entry)

    def get_url(self, pro) -> str:
        return reverse("directory-professional", args=[pro.pk])

    def to_representation(self, pro):
        data = super().to_representation(pro)
        viewer = self.context["viewer"]
        for name in Professional.OPTIONAL_FIELDS:
            if not viewer.can_see(pro, name):
                data[name] = None
        if data["can_edit"]:
            data["visibility"] = {name: pro.visibility_of(name) for name in Professional.OPTIONAL_FIELDS}
        else:
            data.pop("visibility", None)
        return data


class ProfessionalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StructureSerializer(serializers.Serializer):
    """A structure as the viewer (`context["viewer"]`) may see it, with its professionals."""

    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField()
    trade_name = serializers.CharField()
    finess = serializers.CharField()
    finess_legal = serializers.CharField()
    siret = serializers.CharField()
    siren = serializers.CharField()
    legal_entity = serializers.IntegerField(
        source="legal_entity_id",
        allow_null=True,
        help_text="structure de l'entité juridique (FINESS juridique)",
    )
    address = serializers.CharField()
    postal_code = serializers.CharField()
    commune = serializers.SerializerMethodField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    phone = serializers.CharField()
    website = serializers.CharField()
    services = serializers.CharField()
    public_served = serializers.CharField()
    coverage = serializers.CharField()
    care_modalities = serializers.CharField()
    cpts = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    referent_name = serializers.CharField(allow_null=True)
    referent_phone = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    mssante = serializers.CharField(allow_null=True)
    professionals = serializers.SerializerMethodField()

    @extend_schema_field(CommuneRefSerializer(allow_null=True))
    def get_commune(self, structure):
        return (
            {"code": structure.commune_id, "name": structure.commune.name} if structure.commune_id else None
        )

    def get_cpts(self, entry) -> list[str]:
        return [link.cpts.slug for link in entry.cpts_links.all()]

    def get_can_edit(self, entry) -> bool:
        return self.context["viewer"].can_edit(entry)

    def get_url(self, structure) -> str:
        return reverse("directory-structure", args=[structure.pk])

    @extend_schema_field(ProfessionalRefSerializer(many=True))
    def get_professionals(self, structure):
        return [
            {"id": site.professional_id, "name": site.professional.full_name}
            for site in structure.sites.all()
        ]

    def to_representation(self, structure):
        data = super().to_representation(structure)
        viewer = self.context["viewer"]
        for name in Structure.OPTIONAL_FIELDS:
            if not viewer.can_see(structure, name):
                data[name] = None
        return data


class EntryChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    source = serializers.CharField()
    changes = serializers.DictField(help_text="champ → [ancienne valeur, nouvelle valeur]")

    def get_actor(self, change) -> str | None:
        return str(change.actor) if change.actor_id else None


class CreatedReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()


class CptsProfessionalSerializer(serializers.Serializer):
    """A professional of a CPTS's list (`context["viewer"]` for the visibility of the flag)."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    national_id = serializers.CharField()
    profession = serializers.CharField(source="profession.label")
    communes = serializers.SerializerMethodField()
    accepts_new_patients = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_communes(self, pro) -> list[str]:
        return sorted({s.commune.name for s in pro.sites.all() if s.commune_id})

    def get_accepts_new_patients(self, pro) -> bool | None:
        viewer = self.context["viewer"]
        return pro.accepts_new_patients if viewer.can_see(pro, "accepts_new_patients") else None

    def get_url(self, pro) -> str:
        return reverse("api-directory-professional", args=[pro.pk])


class CptsProfessionalPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CptsProfessionalSerializer(many=True)


class CptsAttachedSerializer(serializers.Serializer):
    professional = serializers.IntegerField()
    cpts = serializers.SlugField()


class ImportRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    file = serializers.CharField(source="file_name")
    status = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    started_at = serializers.DateTimeField()


class RejectedLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    national_id = serializers.CharField()
    reason = serializers.CharField()


class ImportRunDetailSerializer(ImportRunSerializer):
    rejected = RejectedLineSerializer(many=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class ImportScheduledSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()


class AutocompleteSerializer(serializers.Serializer):
    suggestions = serializers.ListField(child=serializers.CharField())


class HitDetailsSerializer(serializers.Serializer):
    """What a result line shows without a click (imported, public fields; absent keys are unknown)."""

    national_id = serializers.CharField(required=False)
    profession = serializers.CharField(required=False)
    specialty = serializers.CharField(required=False)
    commune = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    sites = serializers.IntegerField(required=False, help_text="nombre de lieux d'exercice")
    kind = serializers.CharField(required=False, help_text="type de structure")
    finess = serializers.CharField(required=False)
    finess_legal = serializers.CharField(required=False)
    siret = serializers.CharField(required=False)
    siren = serializers.CharField(required=False)


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["professional", "structure"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    subtitle = serializers.CharField(allow_blank=True)
    distance_km = serializers.FloatField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    url = serializers.CharField()
    national_id = serializers.CharField(
        allow_null=True, help_text="identifiant national (8 + RPPS, 0 + ADELI) ; null pour une structure"
    )
    details = HitDetailsSerializer()


class SearchPlaceSerializer(serializers.Serializer):
    label = serializers.CharField()
    code = serializers.CharField(allow_blank=True)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    communes = serializers.ListField(
        child=serializers.CharField(), help_text="code postal : codes INSEE des communes desservies"
    )


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchAnswerSerializer(serializers.Serializer):
    """The search's answer. Built as a dict by `selectors.search.directory_search` (the hot path: no
    serializer pass per hit); this serializer documents it, and a test checks that they agree."""

    index = serializers.CharField()
    total = serializers.IntegerField()
    total_is_exact = serializers.BooleanField(help_text="faux : `total` est un minimum (« plus de N »)")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    fuzzy = serializers.BooleanField(help_text="vrai : résultats par correction de fautes de frappe")
    approximate = serializers.BooleanField(
        help_text="vrai : résultats approchants (tous les mots ne sont pas trouvés ; classés par nombre de mots)"
    )
    place = SearchPlaceSerializer(allow_null=True)
    radius_km = serializers.FloatField(allow_null=True)
    facet_order = serializers.ListField(child=serializers.CharField())
    facet_titles = serializers.DictField(child=serializers.CharField())
    results = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True))


class FhirBundleSerializer(serializers.Serializer):
    """A FHIR R4 Bundle (searchset): Practitioner, PractitionerRole and Organization resources."""

    resourceType = serializers.CharField()  # noqa: N815 — FHIR's own field names
    type = serializers.CharField()
    total = serializers.IntegerField(required=False)
    link = serializers.ListField(child=serializers.DictField(), required=False)
    entry = serializers.ListField(child=serializers.DictField(), required=False)


class FeatureCollectionSerializer(serializers.Serializer):
    """GeoJSON FeatureCollection of commune outlines (properties: code, name)."""

    type = serializers.CharField()
    features = serializers.ListField(child=serializers.DictField())
