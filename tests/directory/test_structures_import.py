"""Issue 15, finding 11: a site known only by its FINESS (or SIRET) number becomes a structure, linked to
the professionals' activities, searchable by that number, the same on every re-import."""

import io

import pytest
from django.urls import reverse

from directory.extraction import header_line, person_line
from directory.importing import import_file
from directory.models import PracticeSite, Professional, Structure

pytestmark = pytest.mark.django_db


def extraction() -> bytes:
    lines = [header_line()]
    for identifier, last, first in (("10001111111", "Martin", "Anne"), ("10002222222", "Roche", "Luc")):
        lines.append(
            person_line(
                id_type="8",
                identifier=identifier,
                last_name=last,
                first_name=first,
                profession="21",
                company="Pharmacie de la Mairie",
                street="Place de la Mairie",
                postal_code="34400",
                commune_code="34145",
                commune_name="LUNEL",
                finess="340000016",
                phone="0467990000",
            )
        )
    lines.append(
        person_line(
            id_type="8",
            identifier="10003333333",
            last_name="Garcia",
            first_name="Paula",
            profession="10",
            company="Cabinet Garcia",
            postal_code="34200",
            commune_code="34301",
            commune_name="SÈTE",
            siret="34000001600006",
        )
    )
    return ("\n".join(lines) + "\n").encode()


def test_finess_and_siret_sites_become_structures_idempotently(world, api, communes):
    report = import_file(io.BytesIO(extraction()))
    assert report.counts["professionals_created"] == 3
    pharmacy = Structure.objects.get(finess="340000016")
    assert pharmacy.kind == Structure.Kind.PHARMACY and pharmacy.name == "Pharmacie de la Mairie"
    assert pharmacy.source_id == "FINESS-340000016" and pharmacy.commune_id == "34145"
    assert set(pharmacy.sites.values_list("professional__last_name", flat=True)) == {"Martin", "Roche"}
    practice = Structure.objects.get(siret="34000001600006")
    assert practice.sites.get().professional.last_name == "Garcia"

    again = import_file(io.BytesIO(extraction()))
    assert again.counts["professionals_unchanged"] == 3 and again.counts["professionals_created"] == 0
    assert Structure.objects.count() == 2 and PracticeSite.objects.count() == 3

    # Found by its number and by its kind, with the people who practise there.
    found = api(world.member_a).get(reverse("api-directory-search"), {"q": "340000016"}).json()
    assert [(r["kind"], r["id"]) for r in found["results"]] == [("structure", pharmacy.pk)]
    assert found["results"][0]["details"]["finess"] == "340000016"
    first = (
        api(world.member_a)
        .get(reverse("api-directory-search"), {"q": "pharmacie lunel"})
        .json()["results"][0]
    )
    assert (first["kind"], first["id"]) == ("structure", pharmacy.pk)
    detail = api(world.member_a).get(reverse("api-directory-structure", args=[pharmacy.pk])).json()
    assert {p["name"] for p in detail["professionals"]} == {"Anne Martin", "Luc Roche"}
    assert Professional.objects.get(last_name="Martin").sites.get().structure_id == pharmacy.pk


def test_the_demo_extraction_has_pharmacies_known_by_their_finess(communes, tmp_path):
    from directory import demo, fhir, selectors

    path = tmp_path / "demo.txt"
    assert demo.generate(str(path), size=150) > 150
    import_file(str(path))
    pharmacies = Structure.objects.filter(kind=Structure.Kind.PHARMACY)
    assert pharmacies.exists() and all(p.finess and p.source_id.startswith("FINESS-") for p in pharmacies)
    # Only pharmacists practise in a pharmacy (a dermatologist "at Pharmacie Lemoine" matched "pharmacie
    # lunel" in the demo), and pharmacists only there.
    from directory.models import PracticeSite

    in_pharmacies = PracticeSite.objects.filter(structure__kind=Structure.Kind.PHARMACY)
    assert set(in_pharmacies.values_list("professional__profession__code", flat=True)) == {"21"}
    # One MSP per commune ("msp lunel" listed three MSP of the same name).
    msp = Structure.objects.filter(kind=Structure.Kind.MSP)
    assert msp.count() == msp.values("commune").distinct().count()
    roles = [
        r for r in fhir.resources(selectors.fhir_professionals()) if r["resourceType"] == "PractitionerRole"
    ]
    assert roles and all("organization" in r and r["location"] for r in roles)


def test_legal_entities_are_structures_their_establishments_point_at(world, api, communes):
    """FINESS établissement juridique: the legal entity is a structure of its own, linked to each of its
    establishments (a hospital group with two sites), the same on every re-import."""
    lines = [header_line()]
    for identifier, last, site, finess, commune, name in (
        ("10004444444", "Blanc", "H1", "340780477", "34145", "LUNEL"),
        ("10005555555", "Noir", "H2", "340780493", "34301", "SÈTE"),
    ):
        lines.append(
            person_line(
                id_type="8",
                identifier=identifier,
                last_name=last,
                first_name="Jean",
                profession="10",
                structure_id=site,
                company="Centre hospitalier du bassin de Thau",
                commune_code=commune,
                commune_name=name,
                finess=finess,
                finess_legal="340780055",
            )
        )
    text = ("\n".join(lines) + "\n").encode()
    import_file(io.BytesIO(text))
    legal = Structure.objects.get(source_id="FINESSEJ-340780055")
    assert legal.finess_legal == "340780055" and legal.kind == Structure.Kind.HOSPITAL
    assert set(legal.establishments.values_list("finess", flat=True)) == {"340780477", "340780493"}
    import_file(io.BytesIO(text))
    assert Structure.objects.count() == 3
    assert Structure.objects.get(finess="340780477").legal_entity_id == legal.pk
    establishment = Structure.objects.get(finess="340780477")
    detail = api(world.member_a).get(reverse("api-directory-structure", args=[establishment.pk])).json()
    assert detail["legal_entity"] == legal.pk
    # FHIR: the establishment is part of its legal entity.
    from directory import fhir

    organization = fhir.organization(Structure.objects.get(finess="340780477"))
    assert organization["partOf"] == {"reference": f"Organization/org-{legal.pk}"}
    assert [i["type"]["coding"][0]["code"] for i in organization["identifier"]] == ["FINEG", "FINEJ"]


def test_a_structure_changed_in_the_extraction_is_updated_and_indexed_again(communes):
    from search.models import SearchDocument

    import_file(io.BytesIO(extraction()))
    pharmacy = Structure.objects.get(finess="340000016")
    updated_at = pharmacy.updated_at
    import_file(io.BytesIO(extraction()))
    pharmacy.refresh_from_db()
    assert pharmacy.updated_at == updated_at  # unchanged: not written again
    changed = extraction().replace(b"0467990000", b"0467990001")
    import_file(io.BytesIO(changed))
    pharmacy.refresh_from_db()
    assert pharmacy.phone == "0467990001" and Structure.objects.count() == 2
    document = SearchDocument.objects.get(kind="structure", object_id=pharmacy.pk)
    assert document.display["phone"] == "0467990001"


@pytest.mark.django_db(transaction=True)
def test_a_structure_created_by_another_process_meanwhile_is_upserted(communes, monkeypatch):
    """PostgreSQL copies the structures it did not find; one created by someone else between the look-up
    and the copy makes the copy fail, and the batch's new structures are upserted instead."""
    import threading

    from django.db import connection

    from directory.importing import structures

    if connection.vendor != "postgresql":
        pytest.skip("new structures are copied on PostgreSQL only")
    real_copy = structures.copy_text

    def rival():  # another process: its own connection, committed at once
        try:
            Structure.objects.get_or_create(
                source_id="FINESS-340000016", defaults={"name": "Créée ailleurs", "finess": "340000016"}
            )
        finally:
            connection.close()

    def copy_after_a_rival(table, columns, lines):
        if table == Structure._meta.db_table:
            thread = threading.Thread(target=rival)
            thread.start()
            thread.join()
        return real_copy(table, columns, lines)

    monkeypatch.setattr(structures, "copy_text", copy_after_a_rival)
    report = import_file(io.BytesIO(extraction()))
    assert report.counts["professionals_created"] == 3
    pharmacy = Structure.objects.get(source_id="FINESS-340000016")
    assert pharmacy.name == "Pharmacie de la Mairie"
    assert set(pharmacy.sites.values_list("professional__last_name", flat=True)) == {"Martin", "Roche"}
    assert Structure.objects.get(siret="34000001600006").sites.count() == 1
