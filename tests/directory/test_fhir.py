import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from directory import fhir
from directory.models import Professional

pytestmark = pytest.mark.django_db


def fhir_json(response) -> dict:
    """The API streams its Bundles (issue 15: large exports paginated and streamed)."""
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(b"".join(response.streaming_content))


def test_api_bundle_validates_with_fhir_resources(world, api, imported):
    body = fhir_json(api(world.member_a).get(reverse("api-directory-fhir")))
    bundle = Bundle.model_validate(body)  # R4B: the R4-compatible package of fhir.resources 8 (default is R5)
    assert bundle.type == "searchset" and bundle.total == 3
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds.count("Practitioner") == 3 and kinds.count("PractitionerRole") == 4
    assert kinds.count("Organization") == 4 and kinds.count("Location") == 4
    helene = next(
        e.resource
        for e in bundle.entry
        if e.resource.get_resource_type() == "Practitioner" and e.resource.name[0].family == "LEFÈVRE"
    )
    systems = {i.system: i.value for i in helene.identifier}
    assert systems == {fhir.RPPS_SYSTEM: "10001234567", fhir.IDNATPS_SYSTEM: "810001234567"}
    # identifier.type per the French profiles (issue 15, finding 12).
    assert [i.type.coding[0].code for i in helene.identifier] == ["RPPS", "IDNPS"]
    assert helene.identifier[0].type.coding[0].system == fhir.IDENTIFIER_TYPE_SYSTEM
    nurse = next(
        e.resource
        for e in bundle.entry
        if e.resource.get_resource_type() == "Practitioner" and e.resource.name[0].family == "Nguyễn"
    )
    assert [(i.system, i.value) for i in nurse.identifier] == [(fhir.IDNATPS_SYSTEM, "0349912345")]
    assert nurse.identifier[0].type.coding[0].code == "IDNPS"
    msp = next(
        e.resource
        for e in bundle.entry
        if e.resource.get_resource_type() == "Organization" and e.resource.name.startswith("Maison")
    )
    assert [(i.system, i.value, i.type.coding[0].code) for i in msp.identifier] == [
        (fhir.FINESS_SYSTEM, "340012345", "FINEG")
    ]


def test_every_practitioner_role_has_its_location_and_organization(world, api, imported):
    """Issue 15, finding 12: a Location per practice site (address, position), referenced by the
    PractitionerRole with its Organization."""
    bundle = Bundle.model_validate(fhir_json(api(world.member_a).get(reverse("api-directory-fhir"))))
    by_id = {(e.resource.get_resource_type(), e.resource.id): e.resource for e in bundle.entry}
    roles = [r for (kind, _id), r in by_id.items() if kind == "PractitionerRole"]
    assert roles
    for role in roles:
        location = by_id[("Location", role.location[0].reference.split("/")[1])]
        assert location.address.city and location.address.district
        assert location.position.latitude is not None
        organization = by_id[("Organization", role.organization.reference.split("/")[1])]
        assert location.managingOrganization.reference == role.organization.reference
        assert organization.name
    lunel = next(r for (kind, _id), r in by_id.items() if kind == "Location" and r.address.city == "Lunel")
    assert lunel.address.postalCode == "34400" and lunel.address.line == ["Rue de la Libération"]


def test_api_bundle_pages(world, api, imported):
    body = fhir_json(api(world.member_a).get(reverse("api-directory-fhir"), {"_count": 2}))
    Bundle.model_validate(body)
    assert body["total"] == 3
    assert any(link["relation"] == "next" for link in body["link"])


def test_fhir_respects_visibility(world, api, imported):
    pro = Professional.objects.get(national_id="810001234567")
    Professional.objects.filter(pk=pro.pk).update(mssante="h@kine.mssante.fr", visibility={"mssante": "cpts"})
    text = json.dumps(fhir_json(api(world.member_b).get(reverse("api-directory-fhir"))), ensure_ascii=False)
    assert "h@kine.mssante.fr" not in text


def test_export_command_writes_a_valid_bundle(imported, tmp_path):
    pro = Professional.objects.get(national_id="810001234567")
    Professional.objects.filter(pk=pro.pk).update(
        mssante="h@kine.mssante.fr", email="secret@example.org", visibility={"email": "hidden"}
    )
    path = tmp_path / "annuaire.json"
    call_command("export_fhir", "--output", str(path), "--no-progress", stdout=io.StringIO())
    body = json.loads(path.read_text(encoding="utf-8"))
    bundle = Bundle.model_validate(body)
    assert (
        bundle.type == "collection" and len(bundle.entry) == 15
    )  # 3 people, 4 roles, 4 places, 4 structures
    text = path.read_text(encoding="utf-8")
    assert "h@kine.mssante.fr" in text and "secret@example.org" not in text
