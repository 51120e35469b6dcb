"""The French pages: every page renders for the CPTS's members, is a 404 for outsiders, and a member without
rights who posts gets a 403 with nothing written."""

import pytest

from missions.projet.fiches import services as fiches
from missions.projet.health_project import services as projects
from missions.projet.models import FicheAction, MemberStatus, RegisterMember
from tests.factories import UserFactory

FICHE = {
    "title": "Parcours sortie d'hospitalisation",
    "mission": 2,
    "problem": "Ruptures de parcours.",
    "objectives": "Un relais de ville pour chaque sortie.",
    "action_lead": "Coordination",
    "evaluation_criteria": "Part des sorties avec relais.",
}


@pytest.fixture
def filled(world, make_pro, join, make_structure):
    member = join(world.cpts_a, pro=make_pro("10"))
    join(world.cpts_a, structure=make_structure("ehpad"))
    project = projects.project_start(actor=None, cpts=world.cpts_a)
    projects.version_update(
        actor=None, version=project.versions.get(), data={"missions": [1, 2], "needs": "Besoins"}
    )
    projects.version_publish(actor=None, project=project)
    fiche = fiches.fiche_create(actor=None, cpts=world.cpts_a, data=FICHE)
    return member, fiche


def urls(world, member, fiche):
    return [
        "/cpts/alpha/registre/",
        f"/cpts/alpha/registre/{member.pk}/",
        "/cpts/alpha/registre/membres.pdf",
        "/cpts/alpha/registre/membres.xlsx",
        "/cpts/alpha/projet-de-sante/",
        "/cpts/alpha/projet-de-sante/v1/",
        "/cpts/alpha/projet-de-sante/v1.pdf",
        "/cpts/alpha/fiches-action/",
        f"/cpts/alpha/fiches-action/{fiche.pk}/",
    ]


def test_pages_render_for_members_and_404_for_outsiders(world, web, filled):
    member, fiche = filled
    for url in urls(world, member, fiche):
        for user in (world.coordinator_a, world.member_a):
            assert web(user).get(url).status_code == 200, (url, user)
        for user in (world.member_b, world.outsider):
            assert web(user).get(url).status_code == 404, (url, user)
    page = web(world.coordinator_a).get("/cpts/alpha/registre/").content.decode()
    assert "Registre des adhérents" in page and member.name in page
    assert "Demandes d'adhésion" in page  # managers only
    assert "Demandes d'adhésion" not in web(world.member_a).get("/cpts/alpha/registre/").content.decode()
    for url in ("/mes-adhesions/", "/fiches-action/bibliotheque/"):
        assert web(world.outsider).get(url).status_code == 200


def test_forbidden_posts_leave_rows_unchanged(world, web, filled, make_pro):
    member, fiche = filled
    client = web(world.member_a)
    r = client.post(f"/cpts/alpha/registre/{member.pk}/", {"action": "resign", "confirm": "on"})
    assert r.status_code == 403
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    r = client.post(f"/cpts/alpha/fiches-action/{fiche.pk}/", {**FICHE, "title": "Changé"})
    assert r.status_code == 403
    fiche.refresh_from_db()
    assert fiche.title == FICHE["title"]
    r = client.post("/cpts/alpha/fiches-action/", FICHE)
    assert r.status_code == 403
    assert FicheAction.objects.count() == 1
    r = client.post("/cpts/alpha/projet-de-sante/action/", {"action": "status", "status": "ready"})
    assert r.status_code == 403
    r = client.post(
        "/cpts/alpha/registre/", {"kind": "professional", "identifier": "10000000001", "category": "active"}
    )
    assert r.status_code == 403
    assert RegisterMember.objects.filter(cpts=world.cpts_a).count() == 2
    # Outsiders: 404 on the same posts.
    assert (
        web(world.outsider).post(f"/cpts/alpha/registre/{member.pk}/", {"action": "resign"}).status_code
        == 404
    )


def test_coordinator_adds_by_rpps_and_the_person_consents_on_my_adhesions(world, web, make_pro):
    user = UserFactory()
    pro = make_pro("70", user=user)
    r = web(world.coordinator_a).post(
        "/cpts/alpha/registre/", {"kind": "professional", "identifier": pro.identifier, "category": "active"}
    )
    assert r.status_code == 302
    line = RegisterMember.objects.get(professional=pro)
    assert line.status == MemberStatus.AWAITING_CONSENT
    # Unknown identifier: a French error on the field, nothing written.
    r = web(world.coordinator_a).post(
        "/cpts/alpha/registre/", {"kind": "professional", "identifier": "99999999999", "category": "active"}
    )
    assert r.status_code == 200 and "Aucune fiche de l" in r.content.decode()
    page = web(user).get("/mes-adhesions/").content.decode()
    assert "J&#x27;accepte d&#x27;adhérer" in page or "J'accepte d'adhérer" in page
    web(user).post(f"/mes-adhesions/{line.pk}/", {"action": "consent"})
    line.refresh_from_db()
    assert line.status == MemberStatus.ACTIVE
    # Resigning needs the confirmation box.
    web(user).post(f"/mes-adhesions/{line.pk}/", {"action": "resign"})
    line.refresh_from_db()
    assert line.status == MemberStatus.ACTIVE
    web(user).post(f"/mes-adhesions/{line.pk}/", {"action": "resign", "confirm": "on"})
    line.refresh_from_db()
    assert line.status == MemberStatus.RESIGNED


def test_join_request_from_my_adhesions(world, web, make_pro):
    user = UserFactory()
    make_pro("10", user=user)
    r = web(user).post("/mes-adhesions/", {"cpts": "bravo", "message": "Bonjour"})
    assert r.status_code == 302
    assert RegisterMember.objects.get(cpts=world.cpts_b).status == MemberStatus.REQUESTED
    # No directory entry: a clear message, no form.
    page = web(world.outsider).get("/mes-adhesions/").content.decode()
    assert "n&#x27;est relié à aucune fiche" in page or "n'est relié à aucune fiche" in page


def test_cockpit_panel_shows_the_register_and_the_projet(world, filled):
    from federation.cockpit import Panel, build_panels

    built = dict(
        (panel.key, data) for panel, data in build_panels(Panel.CPTS, world.cpts_a, world.fed_coordinator)
    )
    data = built["projet.register"]
    assert data.count == 2
    labels = [item.label for item in data.items]
    assert labels[0] == "2 membre(s) ayant expressément adhéré"
    assert any(label.startswith("Projet de santé : En rédaction") for label in labels)
    assert "1 fiche(s) action" in labels
    assert data.extra["stats"].by_category == [("active", "Membre actif", 2)]


def test_demo_builds_registers_explicitly(world, settings):
    """The demo's registers are explicit (no territory attachment) and the demo is idempotent."""
    import io

    from missions.projet import demo
    from tests.directory.factories import PracticeSiteFactory, ProfessionalFactory
    from tests.factories import CommuneFactory, CptsCommuneFactory

    commune = CommuneFactory()
    CptsCommuneFactory(cpts=world.cpts_a, commune=commune)
    CptsCommuneFactory(cpts=world.cpts_b, commune=CommuneFactory())
    for _ in range(30):
        PracticeSiteFactory(professional=ProfessionalFactory(), commune=commune)
    out = io.StringIO()
    demo.seed(out)
    demo.seed(out)
    active = RegisterMember.objects.filter(cpts=world.cpts_a, status=MemberStatus.ACTIVE).count()
    assert 5 < active < 31  # a share of those practising, plus structures: not everyone on the territory
    assert "registre déjà rempli" in out.getvalue()
    copy = FicheAction.objects.filter(copied_from__isnull=False).first()
    assert copy is None or copy.origin_cpts_name
    # The partner structures of the registers are in the directory, where they are, not nameless and
    # nowhere (searching "ehpad" found none of them).
    from directory.models import Structure
    from search.models import SearchDocument

    partners = Structure.objects.filter(source_id__startswith="DEMO-PROJET-")
    assert partners.exists()
    for structure in partners:
        assert structure.commune_id and structure.latitude is not None and structure.phone
        assert SearchDocument.objects.filter(kind="structure", object_id=structure.pk).exists()


def test_federation_view_of_a_cpts_shows_the_panel(world, web, filled):
    r = web(world.fed_coordinator).get(f"/federation/{world.fed.slug}/cpts/alpha/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "Adhérents et projet de santé" in page
    assert "2 membre(s) ayant expressément adhéré" in page
    # Aggregates only: the register's names stay private to the CPTS.
    assert filled[0].name not in page


def test_statutes_categories_and_draft_deletion_from_the_pages(world, web, filled):
    from missions.projet.models import MemberCategory

    member, fiche = filled
    coord = web(world.coordinator_a)
    r = coord.post(
        "/cpts/alpha/registre/",
        {"action": "category", "code": "usagers", "label": "Représentant·e d'usagers"},
    )
    assert r.status_code == 302
    assert MemberCategory.objects.get(cpts=world.cpts_a, code="usagers").votes is False  # unchecked box
    r = coord.post("/cpts/alpha/registre/", {"action": "category", "code": "usagers", "label": "Doublon"})
    assert r.status_code == 200 and "Cette catégorie existe déjà." in r.content.decode()
    assert (
        web(world.member_a)
        .post("/cpts/alpha/registre/", {"action": "category", "code": "x", "label": "X"})
        .status_code
        == 403
    )
    assert not MemberCategory.objects.filter(code="x").exists()
    # Deleting a draft asks for confirmation.
    coord.post(f"/cpts/alpha/fiches-action/{fiche.pk}/action/", {"action": "delete"})
    assert FicheAction.objects.filter(pk=fiche.pk).exists()
    coord.post(f"/cpts/alpha/fiches-action/{fiche.pk}/action/", {"action": "delete", "confirm": "on"})
    assert not FicheAction.objects.filter(pk=fiche.pk).exists()
    page = coord.get("/cpts/alpha/projet-de-sante/v1/").content.decode()
    assert "1. Accès aux soins" in page and "2. Parcours pluriprofessionnels" in page


def test_admin_lists_render_for_staff(world, web, filled):
    world.staff.is_superuser = True
    world.staff.save()
    for url in (
        "/admin/projet/registermember/",
        f"/admin/projet/registermember/{filled[0].pk}/change/",
        "/admin/projet/ficheaction/",
        "/admin/projet/healthproject/",
    ):
        assert web(world.staff).get(url).status_code == 200, url
