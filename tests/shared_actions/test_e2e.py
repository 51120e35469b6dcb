"""Browser journeys of the shared actions (Playwright + Chromium against a real daphne, PostgreSQL):
a professional signs up for a pooled SNP shift from a phone, and the main pages pass axe-core
(serious/critical) with no Content Security Policy violation."""

import datetime as dt

import pytest

from shared_actions.campaigns import services as campaign_services
from shared_actions.meetings import services as meeting_services
from tests.browser import axe_violations, screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_professional_signs_up_from_a_phone(server, new_page, world, pooled_roster, next_saturday):
    page = new_page()  # phone-sized
    sign_in(page, server, world.member_b.email, PASSWORD)
    page.goto(f"{server}/actions/plannings/{pooled_roster.pk}/?week={next_saturday.isoformat()}")
    page.get_by_role("button", name="M'inscrire").first.click()
    page.wait_for_load_state()
    assert "Inscription enregistrée" in page.content()
    assert world.member_b.shift_assignments.count() == 1
    screenshot(page, "shared-actions-roster-phone")
    assert page.csp_violations == []


def test_shared_actions_pages_are_accessible(server, new_page, world, pooled_roster, next_saturday):
    today = dt.date.today()
    campaign = campaign_services.campaign_create(
        actor=world.fed_coordinator,
        federation=world.fed,
        title="Vaccination antigrippale",
        theme="vaccination_grippe",
        start_date=today,
        end_date=today + dt.timedelta(days=60),
        lead_cpts=world.cpts_a,
        participants=[world.cpts_a, world.cpts_b],
    )
    indicator = campaign_services.indicator_create(
        actor=world.fed_coordinator, campaign=campaign, name="Vaccinés", target=100
    )
    campaign_services.indicator_value_report(
        actor=world.coordinator_a, indicator=indicator, cpts=world.cpts_a, date=today, value=40
    )
    page = new_page(width=1280, height=900, bypass_csp=True)
    sign_in(page, server, world.coordinator_a.email, PASSWORD)
    for path in (
        "/actions/",
        "/actions/documents/",
        "/actions/plannings/",
        f"/actions/plannings/{pooled_roster.pk}/?week={next_saturday.isoformat()}",
        "/actions/campagnes/",
        f"/actions/campagnes/{campaign.pk}/",
        f"/actions/agenda/{world.fed.slug}/",
        "/actions/reunions/",
    ):
        page.goto(server + path)
        assert axe_violations(page) == [], path
    strict = new_page(width=1280, height=900)
    sign_in(strict, server, world.coordinator_a.email, PASSWORD)
    strict.goto(f"{server}/actions/campagnes/{campaign.pk}/")
    screenshot(strict, "shared-actions-campaign-dashboard")
    start = dt.datetime.now().astimezone() + dt.timedelta(days=3)
    meeting = meeting_services.meeting_create(
        actor=world.coordinator_a,
        title="Bureau",
        cpts=world.cpts_a,
        start=start,
        end=start + dt.timedelta(hours=1),
        place="Lunel",
    )
    strict.goto(f"{server}/actions/reunions/{meeting.pk}/emargement/")
    assert strict.get_by_role("button", name="Imprimer").is_visible()
    strict.goto(f"{server}/actions/reunions/{meeting.pk}/")
    assert strict.csp_violations == []
    for path in (f"/actions/reunions/{meeting.pk}/", f"/actions/reunions/{meeting.pk}/emargement/"):
        page.goto(server + path)
        assert axe_violations(page) == [], path


def test_coordinator_follows_an_uncovered_shift_alert(server, new_page, world, next_saturday):
    """The cockpit's uncovered-shift line (built by the panel) opens the CPTS roster's week at the shift,
    for the federation coordinator, on a phone."""
    from shared_actions.cockpit import PANELS
    from shared_actions.rosters import services as roster_services
    from tests.shared_actions.conftest import at

    roster = roster_services.roster_create(actor=world.coordinator_a, name="Gardes Alpha", cpts=world.cpts_a)
    site = roster_services.site_create(actor=world.coordinator_a, roster=roster, name="Cabinet de Lunel")
    shift = roster_services.shift_create(
        actor=world.coordinator_a,
        roster=roster,
        site=site,
        start=at(next_saturday, 20),
        end=at(next_saturday, 23),
    )
    panel = next(p for p in PANELS if p.key == "shared_actions.uncovered_shifts")
    item = panel.build(world.fed, world.fed_coordinator).items[0]
    page = new_page()  # phone-sized
    sign_in(page, server, world.fed_coordinator.email, PASSWORD)
    page.goto(server + item.url)
    row = page.locator(f"#shift-{shift.pk}")
    assert row.is_visible() and "0/1" in row.inner_text()
    assert page.get_by_role("button", name="M'inscrire").count() == 0  # only the CPTS's members sign up
    screenshot(page, "shared-actions-uncovered-shift-phone")
    assert page.csp_violations == []
