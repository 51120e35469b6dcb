"""Browser journey (PostgreSQL, real daphne, Chromium): a coordinator enters a manual indicator value, sees
the funding line change, generates and downloads the annual review pack; desktop (1280×800) and phone
(390×844) screenshots, copied to /work/notes/screenshots/19-*.png when that folder exists."""

import shutil
from pathlib import Path

import pytest

from missions.models import Indicator
from tests import processes
from tests.browser import off_loop, screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

NOTES = Path("/work/notes/screenshots")


@pytest.fixture
def server(transactional_db, tmp_path):
    """The browser plugin's server, with its own media folder (the review packs are files)."""
    processes.require_postgres()
    media = tmp_path / "media"
    media.mkdir()
    with processes.daphne(tmp_path, MEDIA_ROOT=str(media)) as base:
        yield base


def keep(page, name):
    path = screenshot(page, f"19-{name}")
    if NOTES.is_dir():
        shutil.copy(path, NOTES / f"19-{name}.png")


def test_coordinator_enters_a_value_sees_the_funding_change_and_downloads_the_pack(server, new_page, world):
    from tests.missions.conftest import contract_a as make_contract

    contract = off_loop(make_contract.__wrapped__, world)
    indicator = Indicator.objects.get(mission__contract=contract, mission__number=3, kind="result")
    page = new_page(width=1280, height=800)
    sign_in(page, server, world.coordinator_a.email, PASSWORD)
    page.goto(server + "/cpts/alpha/contrat/?annee=1")
    line = page.locator("#funding-line-3")
    assert "15 000 € × 0 % = 0 €" in line.inner_text()
    total_before = page.locator("#funding-total").inner_text()
    keep(page, "contract-desktop")

    form = page.locator(f"#indicator-{indicator.pk} form")
    form.locator("input[name=value]").fill("3")
    form.locator("input[name=comment]").fill("Bilan des actions de prévention")
    form.get_by_role("button").click()
    page.wait_for_url("**/cpts/alpha/contrat/?annee=1*")
    line = page.locator("#funding-line-3")
    assert "Mission 3 — volet variable : 15 000 € × 75 % = 11 250 €" in line.inner_text()
    assert page.locator("#funding-total").inner_text() != total_before
    assert "Valeur enregistrée" in page.locator(".messages").inner_text()
    page.locator(f"#indicator-{indicator.pk}").scroll_into_view_if_needed()
    keep(page, "value-entered-desktop")

    page.click("#pack-request")
    page.wait_for_selector("#pack[data-status=done]", timeout=30_000)
    keep(page, "review-pack-desktop")
    with page.expect_download() as download_info:
        page.click("#download-pdf")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes()[:4] == b"%PDF"
    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    assert download_info.value.suggested_filename.endswith(".xlsx")
    assert page.csp_violations == []

    phone = new_page(width=390, height=844)
    sign_in(phone, server, world.coordinator_a.email, PASSWORD)
    phone.goto(server + "/cpts/alpha/contrat/?annee=1")
    assert "11 250 €" in phone.locator("#funding-line-3").inner_text()
    # Nothing wider than the phone's screen (tables scroll inside their card).
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    keep(phone, "contract-phone")
    phone.goto(
        server + "/missions/simulateur/?rule_set=avenant-2-2021&population=60000&members=40"
        "&missions_started=on&m1=on&m1_rate=80&m2=on&m2_rate=100&m3=on&m3_rate=100"
    )
    assert "254 000 €" in phone.locator("#simulator-total").inner_text()
    keep(phone, "simulator-phone")
    assert phone.csp_violations == []

    # The federation's coordinator sees the roll-up of its member CPTS (Charlie, of another federation, is not there).
    federation = new_page(width=1280, height=800)
    sign_in(federation, server, world.fed_coordinator.email, PASSWORD)
    federation.goto(server + "/missions/federation/inter-cpts-34/")
    rollup = federation.locator("#rollup").inner_text()
    assert "CPTS Alpha" in rollup and "CPTS Bravo" in rollup and "Charlie" not in rollup
    assert federation.locator("svg.chart").count() == 2
    keep(federation, "rollup-desktop")
    federation.goto(server + "/federation/inter-cpts-34/pilotage/")
    federation.locator("#panel-missionscontracts").scroll_into_view_if_needed()
    assert "CPTS Alpha" in federation.locator("#panel-missionscontracts").inner_text()
    keep(federation, "cockpit-desktop")
    assert federation.csp_violations == []
