from django.urls import reverse
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
    structure = serializers.IntegerField(source="structure_id")

    def get_commune(self, site):
        return {"code": site.commune_id, "name": site.commune.name} if site.commune_id else None


def professional_data(pro: Professional, viewer) -> dict:
    """An entry as `viewer` may see it: hidden optional fields are null."""
    data = {
        "id": pro.pk,
        "national_id": pro.national_id,
        "id_type": pro.get_id_type_display(),
        "civility": pro.civility,
        "first_name": pro.first_name,
        "last_name": pro.last_name,
        "profession": {"code": pro.profession_id, "label": pro.profession.label},
        "specialties": [{"code": s.code, "label": s.label} for s in pro.specialties.all()],
        "sites": SiteSerializer(pro.sites.all(), many=True).data,
        "cpts": [link.cpts.slug for link in pro.cpts_links.all()],
        "can_edit": viewer.can_edit(pro),
        "url": reverse("directory-professional", args=[pro.pk]),
    }
    for name in Professional.OPTIONAL_FIELDS:
        data[name] = getattr(pro, name) if viewer.can_see(pro, name) else None
    if data["can_edit"]:
        data["visibility"] = {name: pro.visibility_of(name) for name in Professional.OPTIONAL_FIELDS}
    return data


def structure_data(structure: Structure, viewer) -> dict:
    data = {
        "id": structure.pk,
        "kind": structure.kind,
        "kind_label": structure.get_kind_display(),
        "name": structure.name,
        "trade_name": structure.trade_name,
        "finess": structure.finess,
        "siret": structure.siret,
        "address": structure.address,
        "postal_code": structure.postal_code,
        "commune": {"code": structure.commune_id, "name": structure.commune.name}
        if structure.commune_id
        else None,
        "latitude": structure.latitude,
        "longitude": structure.longitude,
        "phone": structure.phone,
        "website": structure.website,
        "services": structure.services,
        "public_served": structure.public_served,
        "coverage": structure.coverage,
        "care_modalities": structure.care_modalities,
        "cpts": [link.cpts.slug for link in structure.cpts_links.all()],
        "can_edit": viewer.can_edit(structure),
        "url": reverse("directory-structure", args=[structure.pk]),
    }
    for name in Structure.OPTIONAL_FIELDS:
        data[name] = getattr(structure, name) if viewer.can_see(structure, name) else None
    return data


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
