"""Tenancy of the directory: private fields, edit rights, history, CPTS-scoped endpoints."""

import pytest
from django.urls import reverse

from directory import services
from directory.models import EntryChange, ErrorReport, Professional
from tests.directory.factories import PracticeSiteFactory, ProfessionalCptsFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world, communes):
    """A professional of CPTS A with one field per visibility level."""
    pro = ProfessionalFactory(
        first_name="Hélène",
        last_name="Lefèvre",
        mobile_phone="0611111111",  # federation
        mssante="helene@kine.mssante.fr",  # own CPTS only
        email="perso@example.org",  # hidden
        accepts_new_patients=True,
        visibility={"mssante": "cpts", "email": "hidden", "accepts_new_patients": "cpts"},
    )
    PracticeSiteFactory(professional=pro, commune=communes["Lunel"], phone="0467000001")
    ProfessionalCptsFactory(professional=pro, cpts=world.cpts_a)
    return pro


def detail(api, user, pro):
    return api(user).get(reverse("api-directory-professional", args=[pro.pk]))


def test_private_fields_of_cpts_a_are_invisible_to_cpts_b_on_the_api(world, api, entry):
    own = detail(api, world.member_a, entry).json()
    assert own["mssante"] == "helene@kine.mssante.fr" and own["accepts_new_patients"] is True
    assert own["email"] is None  # hidden even to members of her CPTS
    assert own["mobile_phone"] == "0611111111"
    other = detail(api, world.member_b, entry)
    assert other.status_code == 200  # the directory is shared…
    body = other.json()
    assert body["last_name"] == "Lefèvre" and body["sites"][0]["phone"] == "0467000001"
    assert (
        body["mssante"] is None and body["accepts_new_patients"] is None and body["email"] is None
    )  # …not its private fields
    assert body["mobile_phone"] == "0611111111"  # federation-wide
    assert "helene@kine.mssante.fr" not in other.content.decode()
    # Another federation does not see federation-wide fields either.
    assert detail(api, world.member_c, entry).json()["mobile_phone"] is None
    # Editors see everything.
    assert detail(api, world.coordinator_a, entry).json()["email"] == "perso@example.org"
    assert detail(api, world.coordinator_b, entry).json()["email"] is None


def test_private_fields_of_cpts_a_are_invisible_to_cpts_b_on_pages(world, web, entry):
    url = reverse("directory-professional", args=[entry.pk])
    own = web(world.member_a).get(url).content.decode()
    assert "helene@kine.mssante.fr" in own
    other = web(world.member_b).get(url)
    assert other.status_code == 200
    page = other.content.decode()
    assert "Lefèvre" in page and "helene@kine.mssante.fr" not in page and "perso@example.org" not in page
    vcard = web(world.member_b).get(reverse("directory-professional-vcard", args=[entry.pk])).content.decode()
    assert "BEGIN:VCARD" in vcard and "mssante" not in vcard.lower() and "0611111111" in vcard
    own_vcard = (
        web(world.member_a).get(reverse("directory-professional-vcard", args=[entry.pk])).content.decode()
    )
    assert "EMAIL;TYPE=MSSANTE:helene@kine.mssante.fr" in own_vcard


def test_private_fields_never_reach_the_search_index(world, api, entry):
    from directory import search_index

    search_index.schedule_professionals([entry.pk])
    answer = api(world.member_b).get(reverse("api-directory-search"), {"q": "mssante"}).json()
    assert answer["total"] == 0
    flagged = (
        api(world.member_b).get(reverse("api-directory-search"), {"accepts_new_patients": "true"}).json()
    )
    assert flagged["total"] == 0


def _row(instance) -> dict:
    """Every column of a row as stored: a forbidden write must leave it as it was."""
    return type(instance).objects.filter(pk=instance.pk).values().get()


def test_edit_rights(world, api, entry):
    url = reverse("api-directory-professional", args=[entry.pk])
    payload = {"skills": "Rééducation respiratoire", "visibility": {"skills": "cpts"}}
    before = _row(entry)
    for user in (world.member_a, world.coordinator_b, world.member_c):
        response = api(user).patch(url, payload, format="json")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert _row(entry) == before and not EntryChange.objects.exists()
    response = api(world.coordinator_a).patch(url, payload, format="json")
    assert response.status_code == 200 and response.json()["skills"] == "Rééducation respiratoire"
    # The professional's own account edits their entry.
    Professional.objects.filter(pk=entry.pk).update(user=world.outsider)
    response = api(world.outsider).patch(url, {"takes_part_in_snp": True}, format="json")
    assert response.status_code == 200 and response.json()["takes_part_in_snp"] is True
    history = api(world.outsider).get(reverse("api-directory-professional-history", args=[entry.pk])).json()
    # The history list stays flat as changes accumulate (the actors come with the changes).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        api(world.coordinator_a).get(reverse("api-directory-professional-history", args=[entry.pk]))
    for _ in range(5):
        services.professional_update(
            actor=world.coordinator_a, professional=entry, data={"languages": f"l{_}"}
        )
    with CaptureQueriesContext(connection) as more:
        api(world.coordinator_a).get(reverse("api-directory-professional-history", args=[entry.pk]))
    assert len(more) == len(first)  # flat: the actors come with the changes
    assert [h["actor"] for h in history] == [str(world.outsider), str(world.coordinator_a)]
    assert history[1]["changes"]["skills"] == ["", "Rééducation respiratoire"]
    assert (
        api(world.member_a).get(reverse("api-directory-professional-history", args=[entry.pk])).status_code
        == 403
    )


def test_bad_edit_is_a_structured_error_and_writes_nothing(world, api, entry):
    url = reverse("api-directory-professional", args=[entry.pk])
    response = api(world.coordinator_a).patch(
        url, {"mssante": "pas-une-adresse", "skills": "x", "visibility": {"skills": "partout"}}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    # A field error, in the one shape: several fields, so the general message.
    assert body["detail"] == "Certaines données sont invalides."
    assert set(body["fields"]) == {"mssante", "visibility.skills"} and body["code"] == "invalid"
    entry.refresh_from_db()
    assert entry.skills == "" and not EntryChange.objects.exists()


def test_edit_page(world, web, entry):
    url = reverse("directory-professional-edit", args=[entry.pk])
    assert web(world.member_a).get(url).status_code == 403
    assert web(world.member_b).get(url).status_code == 403
    page = web(world.coordinator_a).get(url)
    assert page.status_code == 200 and "Ma CPTS seulement" in page.content.decode()
    data = {
        "mobile_phone": "0622222222",
        "email": "",
        "mssante": "helene@kine.mssante.fr",
        "languages": "occitan",
        "skills": "",
        "interests": "",
        "accepts_new_patients": "true",
        **{f"visibility_{name}": "federation" for name in Professional.OPTIONAL_FIELDS},
    }
    response = web(world.coordinator_a).post(url, data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.languages == "occitan" and entry.visibility_of("mssante") == "federation"
    assert EntryChange.objects.filter(professional=entry, actor=world.coordinator_a).exists()


def test_missing_entry_is_404(world, api, web):
    assert api(world.member_a).get(reverse("api-directory-professional", args=[999999])).status_code == 404
    assert web(world.member_a).get(reverse("directory-professional", args=[999999])).status_code == 404
    assert web(world.member_a).get(reverse("directory-structure", args=[999999])).status_code == 404


def test_error_report(world, api, web, entry):
    url = reverse("api-directory-professional-report", args=[entry.pk])
    blank = api(world.member_b).post(url, {"message": ""}, format="json")
    assert blank.status_code == 400 and blank.json()["code"] == "blank"
    assert list(blank.json()["fields"]) == ["message"] and not ErrorReport.objects.exists()
    assert (
        api(world.member_b).post(url, {"message": "Le cabinet a déménagé."}, format="json").status_code == 201
    )
    page = reverse("directory-professional-report", args=[entry.pk])
    assert web(world.member_c).post(page, {"message": "Téléphone erroné"}).status_code == 302
    assert ErrorReport.objects.filter(professional=entry).count() == 2


def test_cpts_professionals_endpoint_is_private(world, api, entry, django_assert_num_queries):
    url = reverse("api-directory-cpts-professionals", kwargs={"cpts_slug": world.cpts_a.slug})
    assert api(world.member_b).get(url).status_code == 404
    assert api(world.member_c).get(url).status_code == 404
    assert api(world.outsider).get(url).status_code == 404
    for _ in range(5):
        ProfessionalCptsFactory(cpts=world.cpts_a)
    # The CPTS and the membership check, the viewer (4), the count, the page and its two prefetches
    # (sites with their communes, CPTS links): the same with 6 entries as with 16.
    with django_assert_num_queries(10):
        response = api(world.member_a).get(url)
    assert response.status_code == 200 and response.json()["count"] == 6
    for _ in range(10):
        PracticeSiteFactory(professional=ProfessionalCptsFactory(cpts=world.cpts_a).professional)
    with django_assert_num_queries(10):
        assert api(world.member_a).get(url).json()["count"] == 16
    first = next(r for r in response.json()["results"] if r["id"] == entry.pk)
    assert first["accepts_new_patients"] is True


def test_coordinators_attach_professionals_to_their_cpts(world, api, entry):
    other = ProfessionalFactory()
    url = reverse("api-directory-cpts-professionals", kwargs={"cpts_slug": world.cpts_a.slug})
    assert api(world.member_a).post(url, {"professional": other.pk}, format="json").status_code == 403
    assert api(world.coordinator_b).post(url, {"professional": other.pk}, format="json").status_code == 404
    assert not other.cpts_links.exists()
    missing = api(world.coordinator_a).post(url, {"professional": 999999}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "not_found"
    assert missing.json()["fields"] == {"professional": ["Professionnel·le introuvable."]}
    assert api(world.coordinator_a).post(url, {"professional": other.pk}, format="json").status_code == 201
    assert other.cpts_links.filter(cpts=world.cpts_a).exists()
    # The coordinator of A may now edit that entry.
    assert (
        services.professional_update(
            actor=world.coordinator_a, professional=other, data={"languages": "espagnol"}
        ).languages
        == "espagnol"
    )


def test_structure_page_and_api(world, api, web, imported):
    from directory.models import Structure

    structure = Structure.objects.get(source_id="S002")
    response = api(world.member_b).get(reverse("api-directory-structure", args=[structure.pk]))
    assert response.status_code == 200 and response.json()["finess"] == "340012345"
    assert response.json()["professionals"][0]["name"] == "Hélène LEFÈVRE"
    before = _row(structure)
    patch = api(world.member_a).patch(
        reverse("api-directory-structure", args=[structure.pk]), {"services": "x"}, format="json"
    )
    assert patch.status_code == 403 and _row(structure) == before
    page = web(world.member_b).get(reverse("directory-structure", args=[structure.pk]))
    assert page.status_code == 200 and "Lunel-Viel" in page.content.decode()


def test_coordinator_edits_a_structure_of_their_cpts(world, api, imported):
    from directory.models import Structure, StructureCpts

    structure = Structure.objects.get(source_id="S002")
    StructureCpts.objects.create(structure=structure, cpts=world.cpts_a)
    url = reverse("api-directory-structure", args=[structure.pk])
    payload = {
        "services": "Soins non programmés le samedi",
        "referent_name": "Dr Martin",
        "visibility": {"referent_name": "cpts"},
    }
    before = _row(structure)
    assert api(world.coordinator_b).patch(url, payload, format="json").status_code == 403
    assert _row(structure) == before and not EntryChange.objects.exists()
    response = api(world.coordinator_a).patch(url, payload, format="json")
    assert response.status_code == 200 and response.json()["services"] == "Soins non programmés le samedi"
    assert api(world.member_b).get(url).json()["referent_name"] is None
    assert api(world.member_a).get(url).json()["referent_name"] == "Dr Martin"
    change = EntryChange.objects.get(structure=structure)
    assert change.actor == world.coordinator_a and "services" in change.changes
    found = api(world.member_b).get(reverse("api-directory-search"), {"q": "samedi"}).json()
    assert [r["id"] for r in found["results"]] == [structure.pk]


def test_error_reports_reach_the_coordinators_of_the_entry(world, web, entry):
    from directory.models import ErrorReport

    ErrorReport.objects.create(
        professional=entry, reporter=world.member_b, message="Numéro de téléphone erroné"
    )
    url = reverse("directory-reports")
    assert "Numéro de téléphone erroné" in web(world.coordinator_a).get(url).content.decode()
    assert "Numéro de téléphone erroné" not in web(world.coordinator_b).get(url).content.decode()
    assert web(world.member_a).get(url).status_code == 403
    report = ErrorReport.objects.get()
    assert web(world.coordinator_b).post(url, {"report": report.pk}).status_code == 404
    report.refresh_from_db()
    assert report.status == ErrorReport.Status.OPEN
    assert web(world.coordinator_a).post(url, {"report": report.pk}).status_code == 302
    report.refresh_from_db()
    assert report.status == ErrorReport.Status.RESOLVED


def test_federation_visible_flags_cannot_be_probed_from_another_federation(world, api, communes):
    """SNP participation visible to the federation: members of the federation filter on it, a user of
    another federation gets no hit through the filter (the flag is not theirs to learn)."""
    from directory import search_index

    pro = ProfessionalFactory(last_name="Garde", takes_part_in_snp=True)
    PracticeSiteFactory(professional=pro, commune=communes["Lunel"])
    ProfessionalCptsFactory(professional=pro, cpts=world.cpts_a)
    search_index.schedule_professionals([pro.pk])
    url = reverse("api-directory-search")

    def hits(user):
        return [r["id"] for r in api(user).get(url, {"q": "garde", "snp": "true"}).json()["results"]]

    assert hits(world.member_b) == [pro.pk]  # CPTS B: same federation
    assert hits(world.staff) == [pro.pk]
    assert hits(world.member_c) == []  # CPTS C: another federation
    assert [r["id"] for r in api(world.member_c).get(url, {"q": "garde"}).json()["results"]] == [pro.pk]


def test_coordinators_detach_professionals_from_their_cpts(world, api, entry):
    """Issue 14: `professional_leave_cpts` was unreachable; DELETE on the CPTS's entry detaches it."""
    url = reverse("api-directory-cpts-professional", kwargs={"cpts_slug": world.cpts_a.slug, "pk": entry.pk})
    assert api(world.member_a).delete(url).status_code == 403
    assert api(world.coordinator_b).delete(url).status_code == 404
    assert entry.cpts_links.filter(cpts=world.cpts_a).exists()  # unchanged
    assert api(world.coordinator_a).delete(url).status_code == 204
    assert not entry.cpts_links.exists()
    change = EntryChange.objects.get(professional=entry)
    assert change.actor == world.coordinator_a and change.changes == {"cpts": [world.cpts_a.slug, None]}
    assert api(world.coordinator_a).delete(url).status_code == 404  # no longer attached


def test_detaching_from_the_entry_page_asks_for_confirmation(world, web, entry):
    page = web(world.coordinator_a).get(reverse("directory-professional", args=[entry.pk])).content.decode()
    leave = reverse("directory-professional-leave", args=[entry.pk, world.cpts_a.slug])
    assert leave in page
    assert (
        leave
        not in web(world.member_a).get(reverse("directory-professional", args=[entry.pk])).content.decode()
    )
    assert web(world.member_a).post(leave).status_code == 403 and entry.cpts_links.exists()
    confirm = web(world.coordinator_a).get(leave)
    assert confirm.status_code == 200 and "Oui, retirer de la CPTS" in confirm.content.decode()
    assert entry.cpts_links.exists()  # the confirmation page writes nothing
    assert web(world.coordinator_a).post(leave).status_code == 302
    assert not entry.cpts_links.exists()
