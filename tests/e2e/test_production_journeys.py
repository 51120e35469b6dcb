"""Browser journeys across the apps (issue 7): Playwright drives Debian's Chromium, headless, against a
real daphne on the PostgreSQL test database (Redis channel layer), so the instant search, the live chat
and the voting pages are exercised as a person would use them. Every journey leaves a screenshot in
tests/e2e/screenshots/ and checks that the strict Content Security Policy blocked nothing."""

import uuid

import pytest

from directory import search_index
from federation.governance import services as governance
from messaging import services as messaging
from messaging.models import Conversation
from messaging.serializers import display_name
from tests.browser import axe_violations, off_loop, screenshot, sign_in
from tests.directory.factories import ProfessionalFactory, ProfessionFactory
from tests.factories import PASSWORD
from tests.governance.conftest import build_assembly, open_meeting

pytestmark = pytest.mark.e2e


def test_search_the_directory_with_a_typo_and_open_the_result(server, new_page, world):
    kine = ProfessionFactory(code="70", label="Masseur-Kinésithérapeute")
    midwife = ProfessionFactory(code="50", label="Sage-Femme")
    helene = ProfessionalFactory(first_name="Hélène", last_name="Lefèvre", profession=kine)
    others = [
        ProfessionalFactory(first_name="Paul", last_name="Martin", profession=kine),
        ProfessionalFactory(first_name="Camille", last_name="Estève", profession=midwife),
    ]
    search_index.schedule_professionals([helene.pk, *(p.pk for p in others)])

    page = new_page()
    sign_in(page, server, world.member_a.email, PASSWORD)
    page.goto(server + "/annuaire/")
    page.evaluate("window.sameDocument = true")  # gone if the page were reloaded
    # No accents, last letter missing: typed key by key, results come without submitting the form.
    page.locator("#id_q").press_sequentially("helene lefevr", delay=20)
    # The answer is rendered and the address follows the query (shareable) in the same callback.
    page.wait_for_function("() => location.search.includes('q=helene+lefevr')")
    assert page.evaluate("window.sameDocument") is True
    assert page.locator("#directory-total").inner_text() == "1"
    first = page.locator("#directory-results li").first
    assert first.locator("a").inner_text() == "Hélène Lefèvre"
    screenshot(page, "directory-instant-search")

    first.get_by_role("link").click()
    page.wait_for_url(f"{server}/annuaire/professionnels/{helene.pk}/")
    assert "Hélène Lefèvre" in page.locator("h1").inner_text()
    assert "Masseur-Kinésithérapeute" in page.locator("p.meta").first.inner_text()
    screenshot(page, "directory-professional")
    assert page.csp_violations == []


def test_two_people_of_two_cpts_chat_live(server, new_page, world):
    channel = off_loop(
        messaging.conversation_create,
        actor=world.fed_coordinator,
        kind=Conversation.Kind.FEDERATION,
        title="Toute la fédération",
        federation=world.fed,
        members=[world.member_a, world.member_b],
    )
    pages = {}
    for who in (world.member_a, world.member_b):
        page = new_page(width=1280, height=800)
        sign_in(page, server, who.email, PASSWORD)
        page.goto(server + "/messagerie/")
        page.locator("#chat-status[data-state=open]").wait_for()
        page.click(f"[data-conversation='{channel.pk}']")
        page.locator("#chat-title", has_text="Toute la fédération").wait_for()
        pages[who.email] = page
    alice, bob = pages[world.member_a.email], pages[world.member_b.email]
    bob.evaluate("window.sameDocument = true")

    text = "Bonjour Bravo, qui prend la garde SNP de samedi ?"
    alice.fill("#chat-input", text)
    alice.press("#chat-input", "Enter")
    # Alice's copy is confirmed by the server's echo (it carries a sequence number)...
    alice.locator("#chat-messages li:not(.pending)", has_text=text).wait_for()
    # ...and Bob, in another browser, sees it arrive without reloading.
    received = bob.locator("#chat-messages li", has_text=text)
    received.wait_for(timeout=5000)
    assert bob.evaluate("window.sameDocument") is True
    assert received.locator(".chat-author").inner_text() == display_name(world.member_a)
    assert "mine" not in (received.get_attribute("class") or "")
    assert channel.messages.get().body == text
    screenshot(alice, "messaging-live-sender")
    screenshot(bob, "messaging-live-receiver")
    assert alice.csp_violations == [] and bob.csp_violations == []


def test_a_delegate_votes_and_sees_the_published_result(server, new_page, world):
    def motion_in_session():
        a = build_assembly(world, n_cpts=3, n_partners=1)
        meeting = open_meeting(a)
        for member in a.members:
            governance.attendance_sign(actor=a.coordinator, meeting=meeting, member=member, status="present")
        poll = governance.poll_create(
            actor=a.coordinator, federation=a.fed, meeting=meeting, title="Approbation du budget 2027"
        )
        governance.poll_open(actor=a.coordinator, poll=poll)
        governance.ballot_cast(actor=a.delegates[1], poll=poll, choice="yes")
        governance.ballot_cast(actor=a.delegates[2], poll=poll, choice="no")
        return a, poll

    a, poll = off_loop(motion_in_session)
    poll_url = f"{server}/gouvernance/{a.fed.slug}/scrutins/{poll.pk}/"

    voter = new_page()  # a delegate, on a phone
    sign_in(voter, server, a.delegates[0].email, PASSWORD)
    voter.goto(poll_url)
    voter.get_by_role("button", name="Pour", exact=True).click()
    voter.get_by_role("heading", name="Confirmez votre vote").wait_for()
    assert not poll.participations.filter(
        member=a.members[0]
    ).exists()  # nothing is recorded before the confirmation
    voter.get_by_role("button", name="Confirmer mon vote").click()
    voter.get_by_text("Vote enregistré.").wait_for()
    assert poll.participations.filter(member=a.members[0], open_choice="yes").exists()
    screenshot(voter, "governance-vote-cast")

    manager = new_page(width=1280, height=900)
    sign_in(manager, server, a.coordinator.email, PASSWORD)
    manager.goto(poll_url)
    manager.get_by_text("Clore le vote…").click()  # irreversible: a second, explicit confirmation
    manager.get_by_role("button", name="Confirmer la clôture du vote").click()
    manager.get_by_text("Résultat non publié").wait_for()
    manager.get_by_text("Publier le résultat…").click()
    manager.get_by_role("button", name="Confirmer la publication").click()
    manager.get_by_role("heading", name="Résultat").wait_for()
    poll.refresh_from_db()
    assert poll.status == "published"

    voter.goto(poll_url)
    row = voter.locator("tbody tr").first
    assert [c.inner_text() for c in row.locator("td").all()][:3] == ["2", "1", "0"]
    assert "non publié" not in voter.locator("main").inner_text()
    # On a phone the tallies scroll inside their card; the page itself does not scroll sideways.
    assert voter.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(voter, "governance-result")
    assert voter.csp_violations == [] and manager.csp_violations == []

    scan = new_page(bypass_csp=True)  # the result and the meeting room, on a phone, through axe-core
    sign_in(scan, server, a.delegates[0].email, PASSWORD)
    for url in (poll_url, f"{server}/gouvernance/{a.fed.slug}/seances/{poll.meeting_id}/"):
        scan.goto(url)
        assert axe_violations(scan) == [], url


def test_main_pages_of_each_app_have_no_serious_accessibility_violations(server, new_page, world):
    helene = ProfessionalFactory(first_name="Hélène", last_name="Lefèvre")
    search_index.schedule_professionals([helene.pk])
    channel = off_loop(
        messaging.conversation_create,
        actor=world.fed_coordinator,
        kind=Conversation.Kind.FEDERATION,
        title="Toute la fédération",
        federation=world.fed,
        members=[world.member_a, world.coordinator_a],
    )
    off_loop(
        messaging.message_send,
        actor=world.member_a,
        conversation=channel,
        body="Bonjour à toutes et tous",
        client_id=uuid.uuid4(),
    )
    off_loop(governance.statutes_initialize, actor=None, federation=world.fed)

    page = new_page(width=1280, height=900, bypass_csp=True)
    sign_in(page, server, world.coordinator_a.email, PASSWORD)
    for path in (
        "/annuaire/",
        "/annuaire/?q=lefevre",
        f"/annuaire/professionnels/{helene.pk}/",
        "/messagerie/",
        "/actions/",
        "/gouvernance/",
        f"/gouvernance/{world.fed.slug}/",
    ):
        page.goto(server + path)
        if path == "/messagerie/":  # with a conversation open, as people use it
            page.click(f"[data-conversation='{channel.pk}']")
            page.locator("#chat-messages li").first.wait_for()
        assert axe_violations(page) == [], path
