"""The federation cockpit (issue 18): its page and API, who may open it, the federation's view of a member
CPTS, its query budget, and the panels the apps register."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from federation import cockpit
from federation.cockpit import CptsFacts, Panel, PanelData, PanelItem
from federation.models import CptsRole, FederationRole, MaturityStage
from tests import factories


@pytest.fixture
def other_fed_coordinator(world):
    user = factories.UserFactory(email="coordination@inter30.example.org")
    factories.FederationRoleFactory(
        user=user, federation=world.other_fed, role=FederationRole.Role.COORDINATOR
    )
    return user


@pytest.fixture
def territories(world):
    """Alpha holds Lunel (26,000) and Marsillargues; Bravo holds Mauguio; Saint-Just is uncovered."""
    communes = {
        name: factories.CommuneFactory(name=name, insee_code=code, population=population)
        for name, code, population in [
            ("Lunel", "34145", 26_000),
            ("Marsillargues", "34151", 6_500),
            ("Mauguio", "34154", 17_000),
            ("Saint-Just", "34279", 3_300),
        ]
    }
    for name, cpts in (("Lunel", world.cpts_a), ("Marsillargues", world.cpts_a), ("Mauguio", world.cpts_b)):
        factories.CptsCommuneFactory(cpts=cpts, commune=communes[name])
    return communes


@pytest.fixture
def only_panels(monkeypatch):
    """Run with exactly the panels and columns given (none by default), whatever the apps registered."""

    def use(*panels, facts=()):
        monkeypatch.setattr(cockpit, "_PANELS", {p.key: p for p in panels})
        monkeypatch.setattr(cockpit, "_FACTS", {f.key: f for f in facts})

    use()
    return use


def test_the_cockpit_lists_every_member_cpts_with_its_figures(world, web, territories):
    response = web(world.fed_coordinator).get(reverse("federation-cockpit", args=[world.fed.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "CPTS Alpha" in page and "CPTS Bravo" in page
    assert "CPTS Charlie" not in page  # another federation's
    assert reverse("federation-cpts", args=[world.fed.slug, "alpha"]) in page
    assert "32 500" in page.replace("\u202f", " ").replace("\xa0", " ")  # Alpha's population
    assert world.coordinator_a.email in page  # coordinator contact
    assert "ACI signé" in page


def test_the_cockpit_api_returns_the_same_data(world, api, territories):
    body = api(world.fed_coordinator).get(reverse("api-federation-cockpit", args=[world.fed.slug])).json()
    assert body["federation"]["slug"] == world.fed.slug
    alpha = next(c for c in body["cpts"] if c["slug"] == "alpha")
    assert alpha["population"] == 32_500 and alpha["size_tier"] == 1 and alpha["communes"] == 2
    assert alpha["coordinators"] == [
        {"display_name": str(world.coordinator_a), "email": world.coordinator_a.email}
    ]
    assert alpha["federation_view"] == reverse("federation-cpts", args=[world.fed.slug, "alpha"])
    assert {c["slug"] for c in body["cpts"]} == {"alpha", "bravo"}
    assert body["coverage"]["uncovered_communes"] == 1
    assert body["coverage"]["covered_population"] == 49_500
    assert isinstance(body["panels"], list)


def test_who_may_open_the_cockpit(world, web, api, other_fed_coordinator):
    page = reverse("federation-cockpit", args=[world.fed.slug])
    endpoint = reverse("api-federation-cockpit", args=[world.fed.slug])
    for user in (world.fed_coordinator, world.staff):
        assert web(user).get(page).status_code == 200, user
        assert api(user).get(endpoint).status_code == 200, user
    # participants of the federation who do not run it: 403
    for user in (world.member_a, world.coordinator_a, world.partner_delegate):
        assert web(user).get(page).status_code == 403, user
        assert api(user).get(endpoint).json()["code"] == "permission_denied", user
    # another federation's coordinator, or anyone outside: 404, as for a federation that does not exist
    for user in (other_fed_coordinator, world.member_c, world.outsider):
        assert web(user).get(page).status_code == 404, user
        assert api(user).get(endpoint).json()["code"] == "not_found", user
    assert web().get(page).status_code == 302  # to the sign-in page


def test_the_bureau_opens_the_cockpit(world, web):
    from django.apps import apps
    from django.utils import timezone

    mandate = apps.get_model("governance", "BureauMandate")
    member = world.cpts_a.federation_memberships.get()
    today = timezone.localdate()
    mandate.objects.create(
        federation=world.fed,
        user=world.bureau_a,
        member=member,
        role="treasurer",
        starts_on=today.replace(year=today.year - 1),
        ends_on=today.replace(year=today.year + 2),
    )
    assert web(world.bureau_a).get(reverse("federation-cockpit", args=[world.fed.slug])).status_code == 200
    home = web(world.bureau_a).get(reverse("home")).content.decode()
    assert reverse("federation-cockpit", args=[world.fed.slug]) in home


def test_registered_panels_are_rendered_with_links_and_empty_texts(world, web, api, only_panels):
    def alerts(federation, user):
        return PanelData(
            items=[
                PanelItem(label="Garde du 12 : non couverte", url="/actions/plannings/1/", level="danger")
            ],
            count=3,
        )

    def calm(federation, user):
        return PanelData(empty="Aucun scrutin ouvert.")

    only_panels(
        Panel(key="test.alerts", title="Gardes non couvertes", build=alerts, order=1),
        Panel(key="test.calm", title="Scrutins ouverts", build=calm, order=2),
        Panel(key="test.hidden", title="Panneau masqué", build=lambda f, u: None),
        Panel(key="test.cpts", title="Vue CPTS", build=calm, scope=Panel.CPTS),
    )
    page = (
        web(world.fed_coordinator).get(reverse("federation-cockpit", args=[world.fed.slug])).content.decode()
    )
    assert 'href="/actions/plannings/1/"' in page and "Garde du 12 : non couverte" in page
    assert "Aucun scrutin ouvert." in page
    assert "Vue CPTS" not in page and "Panneau masqué" not in page
    body = api(world.fed_coordinator).get(reverse("api-federation-cockpit", args=[world.fed.slug])).json()
    assert body["panels"] == [
        {
            "key": "test.alerts",
            "title": "Gardes non couvertes",
            "count": 3,
            "empty": "",
            "items": [
                {
                    "label": "Garde du 12 : non couverte",
                    "url": "/actions/plannings/1/",
                    "detail": "",
                    "level": "danger",
                }
            ],
        },
        {
            "key": "test.calm",
            "title": "Scrutins ouverts",
            "count": 0,
            "empty": "Aucun scrutin ouvert.",
            "items": [],
        },
    ]


def _add_cpts(world, n):
    from tests.directory.factories import ProfessionalCptsFactory

    for i in range(n):
        cpts = factories.CptsFactory(name=f"CPTS Ajout {i}", slug=f"ajout-{i}")
        factories.FederationMemberFactory(federation=world.fed, cpts=cpts)
        factories.CptsCommuneFactory(cpts=cpts)
        for role in (CptsRole.COORDINATOR, CptsRole.MEMBER):
            factories.MembershipFactory(cpts=cpts, role=role)
        ProfessionalCptsFactory(cpts=cpts)


def test_the_cockpit_shows_members_by_profession(world, web, api):
    from tests.directory.factories import ProfessionalCptsFactory, ProfessionalFactory, ProfessionFactory

    gp = ProfessionFactory(code="10", label="Médecin")
    for profession in (gp, gp, ProfessionFactory()):
        ProfessionalCptsFactory(cpts=world.cpts_a, professional=ProfessionalFactory(profession=profession))
    page = (
        web(world.fed_coordinator).get(reverse("federation-cockpit", args=[world.fed.slug])).content.decode()
    )
    assert "Médecin : 2" in page and "Masseur-Kinésithérapeute : 1" in page
    body = api(world.fed_coordinator).get(reverse("api-federation-cockpit", args=[world.fed.slug])).json()
    alpha = next(c for c in body["cpts"] if c["slug"] == "alpha")
    professions = next(f for f in alpha["facts"] if f["key"] == "directory.professions")
    assert professions["values"] == [
        {"label": "Médecin", "count": 2},
        {"label": "Masseur-Kinésithérapeute", "count": 1},
    ]


def test_the_cockpit_query_count_is_pinned_and_flat(
    world, territories, only_panels, django_assert_num_queries
):
    from federation import cockpit_selectors, territory_selectors
    from federation.territory_map import summary

    def professions(cpts_ids):
        return {cpts_id: [("Médecin", 1)] for cpts_id in cpts_ids}

    only_panels(facts=[CptsFacts(key="test.professions", title="Professions", build=professions)])

    def read():
        # member CPTS (population, communes, accounts, joining date in one), their coordinators, the map
        # (départements of member CPTS, communes, CPTS); each registered panel and column adds its own
        data = cockpit_selectors.cockpit(world.fed, world.fed_coordinator)
        return data, summary(territory_selectors.federation_map(world.fed))

    with django_assert_num_queries(5):
        data, coverage = read()
    assert len(data.cpts) == 2
    _add_cpts(world, 5)
    with django_assert_num_queries(5):
        data, coverage = read()
    assert len(data.cpts) == 7 and data.cpts[0].fact_list == [("Professions", [("Médecin", 1)])]


def test_the_cockpit_stays_flat_with_every_registered_panel(world, web, api, territories):
    client, url = web(world.fed_coordinator), reverse("federation-cockpit", args=[world.fed.slug])
    endpoint = reverse("api-federation-cockpit", args=[world.fed.slug])
    client.get(url)

    def count(fetch):
        with CaptureQueriesContext(connection) as queries:
            assert fetch().status_code == 200
        return len(queries)

    before = count(lambda: client.get(url)), count(lambda: api(world.fed_coordinator).get(endpoint))
    _add_cpts(world, 4)
    assert (count(lambda: client.get(url)), count(lambda: api(world.fed_coordinator).get(endpoint))) == before


# --- the federation's view of a member CPTS -------------------------------------------------------------
def test_the_federation_view_of_a_member_cpts(world, web, territories):
    url = reverse("federation-cpts", args=[world.fed.slug, "alpha"])
    response = web(world.fed_coordinator).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "CPTS Alpha" in page and 'id="territory-map"' in page
    assert reverse("api-cpts-map", args=["alpha"]) in page
    assert world.coordinator_a.email in page


def test_the_federation_view_shows_nothing_private(world, web, territories):
    from shared_actions.documents.models import Document

    Document.objects.create(
        cpts=world.cpts_a, federation=world.fed, title="Budget interne confidentiel", category="compte_rendu"
    )
    page = (
        web(world.fed_coordinator)
        .get(reverse("federation-cpts", args=[world.fed.slug, "alpha"]))
        .content.decode()
    )
    assert "Budget interne confidentiel" not in page
    assert world.member_a.email not in page  # the CPTS's member list stays in its own space
    # and its own space stays closed to the federation: it leads to the federation's view
    response = web(world.fed_coordinator).get(reverse("cpts-home", args=["alpha"]))
    assert response.status_code == 302
    assert response.url == reverse("federation-cpts", args=[world.fed.slug, "alpha"])


def test_another_federations_coordinator_gets_404(world, web, api, other_fed_coordinator):
    for url in (
        reverse("federation-cpts", args=[world.fed.slug, "alpha"]),
        reverse("federation-cpts", args=[world.other_fed.slug, "alpha"]),  # Alpha is not theirs
        reverse("cpts-home", args=["alpha"]),
        reverse("cpts-territory", args=["alpha"]),
    ):
        response = web(other_fed_coordinator).get(url)
        assert response.status_code == 404, url
        assert "Page introuvable" in response.content.decode(), url  # the French page, not the debug one
    assert api(other_fed_coordinator).get(reverse("api-cpts-map", args=["alpha"])).status_code == 404
    # a CPTS of no federation, seen from a federation: 404 too
    assert (
        web(world.fed_coordinator).get(reverse("federation-cpts", args=[world.fed.slug, "delta"])).status_code
        == 404
    )


def test_members_keep_their_own_space(world, web):
    response = web(world.member_a).get(reverse("cpts-home", args=["alpha"]))
    assert response.status_code == 200
    assert (
        web(world.member_a).get(reverse("federation-cpts", args=[world.fed.slug, "alpha"])).status_code == 403
    )


# --- home pages and guidance -----------------------------------------------------------------------------
def test_a_federation_coordinators_home_leads_to_the_cockpit(world, web):
    page = web(world.fed_coordinator).get(reverse("home")).content.decode()
    assert reverse("federation-cockpit", args=[world.fed.slug]) in page
    assert "Ouvrir le tableau de pilotage" in page


def test_staff_sees_every_federation(world, web):
    page = web(world.staff).get(reverse("home")).content.decode()
    assert world.fed.name in page and world.other_fed.name in page
    assert reverse("federation-cockpit", args=[world.fed.slug]) in page


def test_guidance_where_pages_are_empty(world, web):
    project = factories.CptsFactory(
        name="CPTS Naissante", slug="naissante", maturity_stage=MaturityStage.PROJECT
    )
    factories.MembershipFactory(cpts=project, user=world.outsider, role=CptsRole.COORDINATOR)
    page = web(world.outsider).get(reverse("cpts-home", args=["naissante"])).content.decode()
    assert "Une CPTS en projet" in page and "Première étape : définir le territoire" in page
    page = web(world.partner_delegate).get(reverse("home")).content.decode()
    assert "Vous représentez un partenaire" in page
    newcomer = factories.UserFactory(email="nouveau@example.org")
    page = web(newcomer).get(reverse("home")).content.decode()
    assert "Demandez à la coordination de votre CPTS de vous inviter" in page
    page = web(world.member_a).get(reverse("cpts-home", args=["alpha"])).content.decode()
    assert "Première chose à faire" in page


def test_the_welcome_page_lists_the_demo_accounts_in_demo_mode(db, client, settings):
    from federation.demo import EMAIL_DOMAIN, GP_EMAIL

    factories.UserFactory(email=f"admin@{EMAIL_DOMAIN}", is_staff=True)
    gp = factories.UserFactory(email=GP_EMAIL)
    factories.MembershipFactory(user=gp, cpts=factories.CptsFactory(name="CPTS du Pays de Lunel"))
    settings.DEMO_MODE = True
    page = client.get(reverse("home")).content.decode()
    assert "Démonstration : comptes par rôle" in page
    assert GP_EMAIL in page and "Médecin généraliste" in page
    assert "maillage-demo-2026" in page
    settings.DEMO_MODE = False
    page = client.get(reverse("home")).content.decode()
    assert GP_EMAIL not in page and "maillage-demo-2026" not in page


def test_the_demo_shows_the_french_404_page_even_with_debug(world, web, settings):
    settings.DEBUG = True
    settings.DEMO_MODE = True
    response = web(world.member_c).get(reverse("cpts-home", args=["alpha"]))
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "Using the URLconf" not in response.content.decode()
    settings.DEMO_MODE = False  # a developer's DEBUG keeps Django's technical page
    assert (
        "Page introuvable"
        not in web(world.member_c).get(reverse("cpts-home", args=["alpha"])).content.decode()
    )


def test_the_cpts_home_links_to_what_the_apps_above_offer(world, web):
    """The base page knows no feature: the contract year and the register come through SPACE panels."""
    page = web(world.member_a).get(reverse("cpts-home", kwargs={"cpts_slug": world.cpts_a.slug}))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("projet-register", kwargs={"cpts_slug": world.cpts_a.slug}) in html
    assert reverse("projet-fiches", kwargs={"cpts_slug": world.cpts_a.slug}) in html
    assert (
        reverse("missions-contract", kwargs={"cpts_slug": world.cpts_a.slug}) not in html
    )  # no contract yet
    manager = web(world.coordinator_a).get(reverse("cpts-home", kwargs={"cpts_slug": world.cpts_a.slug}))
    assert "Enregistrer le contrat ACI" in manager.content.decode()
