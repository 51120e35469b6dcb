"""Issue 15, finding 9, in a browser (1280×800 and 390×844): the first result above the fold, lines that say
who, what, where and how to call, the map folded on a phone and drawing commune outlines when no tile server
is configured. Screenshots in /work/notes/screenshots/15-*.png."""

import shutil
from pathlib import Path

import pytest

from tests.browser import screenshot, sign_in
from tests.directory.test_search_understanding import people  # noqa: F401 — the fixture
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

NOTES = Path("/work/notes/screenshots")


def shot(page, name: str) -> None:
    """The screen as seen (not the full page): what is above the fold."""
    path = screenshot(page, f"15-{name}-full")
    if NOTES.is_dir():
        shutil.copy(path, NOTES / path.name)
        page.screenshot(path=str(NOTES / f"15-{name}.png"), full_page=False)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_results_above_the_fold_with_useful_lines(server, new_page, world, people, size):  # noqa: F811
    width, height = (1280, 800) if size == "desktop" else (390, 844)
    page = new_page(width=width, height=height)
    sign_in(page, server, world.member_a.email, PASSWORD)
    page.goto(server + "/annuaire/?q=kin%C3%A9+%C3%A0+Lunel")
    first = page.locator("#directory-results li").first
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= height, box  # above the fold
    assert "Masseur-Kinésithérapeute" in first.inner_text() and "Lunel" in first.inner_text()
    assert "autour de Lunel (10 km)" in page.locator("#directory-place").inner_text()
    map_box = page.locator("#directory-map-box")
    if size == "phone":
        assert map_box.evaluate("el => el.open") is False  # folded: results first
        shot(page, "directory-phone")
        page.locator("#directory-map-box summary").click()
    else:
        assert map_box.evaluate("el => el.open") is True
    # No tile server in the tests: the communes of the results are drawn instead of a grey box.
    page.locator("#directory-map path.directory-outline").first.wait_for(timeout=60_000)
    assert (
        page.locator("#directory-map path.directory-outline").count() == 3
    )  # Lunel, Lunel-Viel, Marsillargues
    if size == "desktop":
        shot(page, "directory-desktop")
    else:
        shot(page, "directory-phone-map")
    # Typing: approximate results are said.
    page.locator("#id_q").fill("")
    page.locator("#id_q").press_sequentially("kiné à domicile lunel", delay=10)
    page.wait_for_function("() => !document.getElementById('directory-approximate').hidden")
    assert "Résultats approchants" in page.locator("#directory-approximate").inner_text()
    if size == "desktop":
        shot(page, "directory-approximate")
    assert page.csp_violations == []
