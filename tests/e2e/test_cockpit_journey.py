"""Issue 18's acceptance journey, on a desktop (1280×800) and a phone (390×844): the federation coordinator
opens the cockpit, follows an alert to an uncovered shift, opens a member CPTS's federation view, sees the map
with an uncovered commune, adds a commune with the preview and removes it again."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from federation import territory_services
from federation.models import Commune, CptsCommune, TerritoryChange
from tests.browser import off_loop, screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

NOTES = Path("/work/notes/screenshots")


def shot(page, name: str) -> None:
    path = screenshot(page, f"18-{name}")
    if NOTES.is_dir():
        shutil.copy(path, NOTES / path.name)


@pytest.fixture
def herault(world):
    """Real Hérault: Alpha holds the Lunel agglomeration, Bravo holds Mauguio; Mudaison, between them, is
    covered by no CPTS."""
    call_command("load_territories", "--department", "34", verbosity=0)
    lunel = list(Commune.objects.filter(epci__name__icontains="Lunel").values_list("insee_code", flat=True))
    territory_services.cpts_territory_add(actor=None, cpts=world.cpts_a, commune_codes=lunel)
    territory_services.cpts_territory_add(actor=None, cpts=world.cpts_b, commune_codes=["34154"])


@pytest.fixture
def uncovered_shift(world):
    """A pooled SNP roster of Alpha and Bravo with a shift in three days nobody has signed up for."""
    from shared_actions.rosters import services as roster_services

    roster = off_loop(
        roster_services.roster_create,
        actor=world.fed_coordinator,
        name="SNP Est-Hérault",
        federation=world.fed,
        participants=[world.cpts_a, world.cpts_b],
    )
    site = off_loop(roster_services.site_create, actor=world.fed_coordinator, roster=roster, name="MSP Lunel")
    day = timezone.localdate() + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(8), tzinfo=timezone.get_current_timezone())
    off_loop(
        roster_services.shift_create,
        actor=world.fed_coordinator,
        roster=roster,
        site=site,
        start=start,
        end=start + dt.timedelta(hours=12),
    )
    return roster


def _wait_for_map(page):
    # every commune of Hérault is drawn (341 outlines), then the legend is filled
    page.locator("[data-map-legend] li").first.wait_for(timeout=20_000)
    assert page.locator("#territory-map path.leaflet-interactive").count() >= 341


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_coordinators_journey(server, new_page, world, herault, uncovered_shift, size):
    width, height = (1280, 800) if size == "desktop" else (390, 844)
    page = new_page(width=width, height=height)
    sign_in(page, server, world.fed_coordinator.email, PASSWORD)

    # 1. Her home leads to the cockpit.
    page.get_by_role("link", name="Ouvrir le tableau de pilotage").click()
    page.wait_for_url(f"{server}/federation/{world.fed.slug}/pilotage/")
    assert page.locator("h1").inner_text() == "Pilotage de la fédération"
    assert page.locator("table.cockpit-cpts").get_by_role("link", name="CPTS Alpha", exact=True).is_visible()
    _wait_for_map(page)
    # Nothing wider than the screen: on a phone the CPTS table reads row by row, each cell labelled.
    table = page.locator("table.cockpit-cpts").bounding_box()
    assert table["x"] + table["width"] <= width
    if size == "phone":
        assert page.locator("table.cockpit-cpts td[data-label='Population']").first.is_visible()
    shot(page, f"cockpit-{size}")

    # 2. She follows an alert to the uncovered shift.
    alert = page.locator(f"main .panel a[href*='/actions/plannings/{uncovered_shift.pk}/']").first
    alert.click()
    page.wait_for_url(f"**/actions/plannings/{uncovered_shift.pk}/**")
    assert "SNP Est-Hérault" in page.content()
    shot(page, f"alert-shift-{size}")

    # 3. She opens a member CPTS's federation view: its map, nothing private.
    page.goto(f"{server}/federation/{world.fed.slug}/pilotage/")
    page.locator("table.cockpit-cpts").get_by_role("link", name="CPTS Alpha", exact=True).click()
    page.wait_for_url(f"{server}/federation/{world.fed.slug}/cpts/alpha/")
    assert "Ses documents internes et ses conversations restent privés" in page.content()
    _wait_for_map(page)
    shot(page, f"federation-view-{size}")

    # 4. The territory page: the map marks the communes no CPTS covers (red dashed outline).
    page.get_by_role("link", name="Voir et modifier le territoire").click()
    page.wait_for_url(f"{server}/cpts/alpha/territoire/")
    _wait_for_map(page)
    uncovered = page.locator("#territory-map path.leaflet-interactive[stroke='#b3261e']")
    assert uncovered.count() > 300
    assert "commune(s) sans CPTS" in page.locator("[data-map-status]").inner_text()
    shot(page, f"map-uncovered-{size}")

    # 5. A commune another CPTS holds is shown with its name and cannot be chosen.
    search = page.locator("#commune-search")
    search.fill("Maugu")
    held = page.get_by_role("option", name="Mauguio")
    held.wait_for()
    assert "tenue par CPTS Bravo" in held.inner_text()
    assert held.get_attribute("aria-disabled") == "true"
    shot(page, f"autocomplete-refused-{size}")

    # 6. She adds Mudaison, by name (autocomplete) or by clicking it on the map; the preview shows the new
    # population and size tier before she confirms.
    if size == "desktop":
        page.locator("#territory-map path.commune-34176").click()
        page.get_by_role("button", name="Ajouter à la sélection").click()
    else:
        search.fill("Mudai")
        page.get_by_role("option", name="Mudaison").click()
    assert "Mudaison (34176)" in page.locator("[data-selection]").inner_text()
    page.get_by_role("button", name="Voir l'effet avant de confirmer").click()
    page.wait_for_url("**/territoire/apercu/**")
    assert "+ Mudaison" in page.content()
    assert page.locator("[data-new-tier]").inner_text().startswith("2")
    shot(page, f"preview-add-{size}")
    assert not CptsCommune.objects.filter(commune_id="34176").exists()  # nothing written before confirming
    page.get_by_role("button", name="Confirmer la modification").click()
    page.wait_for_url(f"{server}/cpts/alpha/territoire/")
    assert "1 commune(s) ajoutée(s) au territoire." in page.content()
    assert CptsCommune.objects.get(commune_id="34176").cpts == world.cpts_a
    _wait_for_map(page)
    shot(page, f"added-{size}")

    # 7. And removes it again, through the same preview; the history says who did what.
    page.get_by_role("link", name="Retirer Mudaison").click()
    page.wait_for_url("**/territoire/apercu/?remove=34176")
    shot(page, f"preview-remove-{size}")
    page.get_by_role("button", name="Confirmer la modification").click()
    page.wait_for_url(f"{server}/cpts/alpha/territoire/")
    assert "1 commune(s) retirée(s) du territoire." in page.content()
    assert not CptsCommune.objects.filter(commune_id="34176").exists()
    history = page.locator("#history-title + div table").inner_text()
    assert "Retrait : Mudaison" in history and "Ajout : Mudaison" in history
    assert list(TerritoryChange.objects.filter(commune_id="34176").values_list("actor", flat=True)) == [
        world.fed_coordinator.pk,
        world.fed_coordinator.pk,
    ]
    _wait_for_map(page)
    shot(page, f"removed-{size}")
    assert page.csp_violations == []


def test_cockpit_pages_are_accessible(server, new_page, world, herault):
    from tests.browser import axe_violations

    page = new_page(width=1280, height=800, bypass_csp=True)
    sign_in(page, server, world.fed_coordinator.email, PASSWORD)
    for path in (
        "/",
        f"/federation/{world.fed.slug}/pilotage/",
        f"/federation/{world.fed.slug}/cpts/alpha/",
        "/cpts/alpha/territoire/",
        "/cpts/alpha/territoire/apercu/?add=34176&add=34154",
    ):
        page.goto(server + path)
        if "apercu" not in path and path != "/":
            _wait_for_map(page)
        assert axe_violations(page) == [], path
