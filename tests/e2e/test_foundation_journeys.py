import pytest

from tests.browser import axe_violations, screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_sign_in_and_reach_my_cpts(server, new_page, world):
    page = new_page()
    sign_in(page, server, world.coordinator_a.email, PASSWORD)
    assert "CPTS Alpha" in page.content()
    page.click("main >> text=CPTS Alpha")
    page.wait_for_url(server + "/cpts/alpha/")
    assert page.locator("h1").inner_text() == "CPTS Alpha"
    page.select_option("#lang", "en")  # the language selector submits itself (static script, CSP-safe)
    # Wait for the new page itself: right after the change the old one is still "loaded".
    page.locator("html[lang=en]").wait_for(state="attached")
    assert page.locator("h1").inner_text() == "CPTS Alpha"
    page.select_option("#lang", "fr")
    page.locator("html[lang=fr]").wait_for(state="attached")
    screenshot(page, "foundation-cpts-home")
    assert page.csp_violations == []


def test_wrong_password_is_refused_in_french(server, new_page, world):
    page = new_page()
    page.goto(server + "/accounts/login/")
    page.fill("input[name=login]", world.member_a.email)
    page.fill("input[name=password]", "mauvais mot de passe")
    page.click("button[type=submit]")
    assert "adresse e-mail et/ou le mot de passe" in page.content() or "incorrect" in page.content()
    screenshot(page, "foundation-login-refused")


def test_main_pages_have_no_serious_accessibility_violations(server, new_page, world):
    page = new_page(width=1280, height=900, bypass_csp=True)
    page.goto(server + "/")
    assert axe_violations(page) == []
    page.goto(server + "/accounts/login/")
    assert axe_violations(page) == []
    sign_in(page, server, world.coordinator_a.email, PASSWORD)
    for path in ("/", "/cpts/alpha/", f"/federation/{world.fed.slug}/"):
        page.goto(server + path)
        assert axe_violations(page) == [], path
