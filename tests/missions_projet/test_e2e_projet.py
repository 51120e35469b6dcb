"""Browser journeys of issue 20 (PostgreSQL + daphne + Chromium): a professional asks to join, the coordinator
accepts, the register's export lists them; a coordinator copies a published fiche of another CPTS of the
federation into their projet. Screenshots at 1280×800 and 390×844 go to /work/notes/screenshots/20-*.png."""

import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from missions.projet.fiches import services as fiches
from missions.projet.models import FicheAction, MemberStatus, RegisterMember
from tests.browser import off_loop, screenshot, sign_in
from tests.directory.factories import ProfessionalFactory
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

NOTES = Path("/work/notes/screenshots")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    # Nothing wider than the screen: a phone never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
    path = screenshot(page, name)
    if NOTES.parent.exists():
        NOTES.mkdir(exist_ok=True)
        shutil.copy(path, NOTES / f"{name}.png")


def test_a_professional_asks_to_join_and_the_coordinator_accepts(server, new_page, world, professions):
    user = UserFactory(email="sage-femme.roussel@example.org", display_name="Inès Roussel")
    pro = ProfessionalFactory(
        profession=professions["10"],
        user=user,
        first_name="Inès",
        last_name="Roussel",
        national_id="810009876543",
    )

    phone = new_page(**PHONE)
    sign_in(phone, server, user.email, PASSWORD)
    phone.goto(server + "/mes-adhesions/")
    phone.select_option("#id_cpts", "alpha")
    phone.fill("#id_message", "Installée à Lunel depuis septembre, je souhaite rejoindre la CPTS.")
    phone.click("text=Envoyer ma demande")
    phone.wait_for_url(server + "/mes-adhesions/")
    assert "Demande en attente" in phone.content()
    shot(phone, "20-join-request-390")
    assert phone.csp_violations == []

    desk = new_page(**DESKTOP)
    sign_in(desk, server, world.coordinator_a.email, PASSWORD)
    desk.goto(server + "/cpts/alpha/registre/")
    shot(desk, "20-register-request-1280")
    desk.click("text=Accepter Inès Roussel")
    desk.wait_for_url("**/registre/*/")
    assert "Registre mis à jour" in desk.content()
    member = RegisterMember.objects.get(professional=pro, cpts=world.cpts_a)
    assert member.status == MemberStatus.ACTIVE
    desk.goto(server + "/cpts/alpha/registre/")
    assert desk.locator("#members-title").is_visible()
    assert desk.locator("table >> text=Inès Roussel").count() == 1
    shot(desk, "20-register-1280")

    with desk.expect_download() as info:
        desk.click("text=Liste des membres (tableur)")
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    names = [row[0].value for row in sheet.iter_rows(min_row=5)]
    statuses = [row[5].value for row in sheet.iter_rows(min_row=5)]
    assert names == ["Inès Roussel"] and statuses == ["Membre"]
    pdf = desk.request.get(server + "/cpts/alpha/registre/membres.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    phone.goto(server + "/mes-adhesions/")
    assert "CPTS Alpha" in phone.content() and "Membre fondateur" not in phone.content()
    shot(phone, "20-my-adhesions-390")
    assert desk.csp_violations == []


def test_a_coordinator_copies_a_published_fiche_into_their_projet(server, new_page, world):
    source = fiches.fiche_create(
        actor=None,
        cpts=world.cpts_a,
        data={
            "title": "Organiser les soins non programmés en journée",
            "mission": 1,
            "problem": "Passages aux urgences évitables en journée.",
            "objectives": "Un créneau de soins non programmés par cabinet et par jour.",
            "actions": "Tableau de créneaux partagé ; participation au SAS.",
            "actors": "Médecins généralistes, infirmiers ; SAS 34.",
            "action_lead": "Dr Julien Marchand",
            "calendar": "Premier trimestre.",
            "evaluation_criteria": "Créneaux proposés et pourvus.",
            "resources": "Temps de coordination, outil de planning.",
        },
    )
    fiches.fiche_set_status(actor=None, fiche=source, status="validated")
    fiches.fiche_publish(actor=None, fiche=source)

    desk = new_page(**DESKTOP)
    sign_in(desk, server, world.coordinator_b.email, PASSWORD)
    phone_library = new_page(**PHONE)
    sign_in(phone_library, server, world.member_b.email, PASSWORD)
    phone_library.goto(server + "/fiches-action/bibliotheque/")
    shot(phone_library, "20-library-390")
    desk.goto(server + "/cpts/bravo/fiches-action/")
    desk.click("text=Parcourir la bibliothèque de la fédération")
    desk.wait_for_url(server + "/fiches-action/bibliotheque/")
    shot(desk, "20-library-1280")
    desk.click("text=Organiser les soins non programmés en journée")
    desk.select_option("#id_cpts", "bravo")
    desk.click("text=Copier la fiche")
    desk.wait_for_url("**/cpts/bravo/fiches-action/*/")
    assert "Copiée le" in desk.content() and "CPTS Alpha" in desk.content()
    shot(desk, "20-fiche-copied-1280")
    copy = FicheAction.objects.get(cpts=world.cpts_b)
    assert copy.copied_from == source and copy.origin_cpts_name == "CPTS Alpha"

    phone = new_page(**PHONE)
    sign_in(phone, server, world.coordinator_b.email, PASSWORD)
    phone.goto(server + f"/cpts/bravo/fiches-action/{copy.pk}/")
    shot(phone, "20-fiche-copied-390")
    phone.goto(server + "/cpts/bravo/projet-de-sante/")
    shot(phone, "20-projet-empty-390")
    assert phone.csp_violations == []


def test_a_member_acknowledges_the_published_projet(server, new_page, world, professions, make_structure):
    from missions.projet.health_project import services as projects
    from missions.projet.models import Acknowledgement
    from missions.projet.register import services as register

    user = UserFactory(email="kine.lefevre@example.org", display_name="Hélène Lefèvre")
    pro = ProfessionalFactory(
        profession=professions["70"], user=user, first_name="Hélène", last_name="Lefèvre"
    )
    request = register.member_request(actor=user, cpts=world.cpts_a)
    # Accepting opens the CPTS space to the member, which sends a real-time event: off Playwright's loop.
    member = off_loop(register.member_accept, actor=None, member=request)
    ehpad = register.member_add(
        actor=None, cpts=world.cpts_a, structure=make_structure("ehpad", name="EHPAD Les Oliviers")
    )
    register.member_consent_record(actor=None, member=ehpad, evidence="Délibération du conseil")
    project = projects.project_start(actor=None, cpts=world.cpts_a)
    projects.version_update(
        actor=None,
        version=project.versions.get(),
        data={
            "diagnosis": "Territoire périurbain, population vieillissante.",
            "needs": "Soins non programmés ; sorties d'hospitalisation.",
            "priorities": "1. Soins non programmés. 2. Parcours des personnes âgées.",
            "missions": [1, 2, 3],
            "actors": "Professionnels de ville, centre hospitalier, EHPAD.",
            "evaluation": "Bilan annuel en assemblée générale.",
        },
    )
    projects.version_publish(actor=None, project=project)

    phone = new_page(**PHONE)
    sign_in(phone, server, user.email, PASSWORD)
    phone.goto(server + "/cpts/alpha/projet-de-sante/")
    phone.click("text=J'ai pris connaissance de cette version et j'y adhère")
    phone.wait_for_url(server + "/cpts/alpha/projet-de-sante/")
    assert "Vous en avez pris connaissance" in phone.content()
    ack = Acknowledgement.objects.get()
    assert (ack.member, ack.user) == (member, user)
    shot(phone, "20-projet-acknowledged-390")

    desk = new_page(**DESKTOP)
    sign_in(desk, server, world.coordinator_a.email, PASSWORD)
    desk.goto(server + "/cpts/alpha/projet-de-sante/")
    shot(desk, "20-projet-1280")
    desk.goto(server + "/cpts/alpha/projet-de-sante/v1/")
    assert desk.locator("table >> text=Hélène Lefèvre").count() == 1
    shot(desk, "20-projet-version-1280")
    assert pro.full_name in desk.content()
    assert desk.csp_violations == [] and phone.csp_violations == []


def test_pages_have_no_serious_accessibility_violations(server, new_page, world, professions, make_structure):
    from missions.projet.fiches import services as fiche_services
    from missions.projet.health_project import services as projects
    from missions.projet.register import services as register
    from tests.browser import axe_violations

    structure = register.member_add(actor=None, cpts=world.cpts_a, structure=make_structure("ssiad"))
    register.member_consent_record(actor=None, member=structure, evidence="Courrier signé")
    project = projects.project_start(actor=None, cpts=world.cpts_a)
    projects.version_update(actor=None, version=project.versions.get(), data={"missions": [1]})
    projects.version_publish(actor=None, project=project)
    fiche = fiche_services.fiche_create(
        actor=None,
        cpts=world.cpts_a,
        data={
            "title": "Fiche",
            "mission": 3,
            "problem": "P",
            "objectives": "O",
            "action_lead": "L",
            "evaluation_criteria": "E",
        },
    )
    page = new_page(width=1280, height=800, bypass_csp=True)
    sign_in(page, server, world.coordinator_a.email, PASSWORD)
    for path in (
        "/cpts/alpha/registre/",
        f"/cpts/alpha/registre/{structure.pk}/",
        "/cpts/alpha/projet-de-sante/",
        "/cpts/alpha/projet-de-sante/v1/",
        "/cpts/alpha/fiches-action/",
        f"/cpts/alpha/fiches-action/{fiche.pk}/",
        "/fiches-action/bibliotheque/",
        "/mes-adhesions/",
    ):
        page.goto(server + path)
        assert axe_violations(page) == [], path
    # With a draft under way, the page shows the draft's form and the publication form.
    projects.version_new_draft(actor=None, project=project)
    page.goto(server + "/cpts/alpha/projet-de-sante/")
    assert axe_violations(page) == []
