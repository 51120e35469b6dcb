"""Browser journeys of the assembly room on a phone (390×844, issue 16): a delegate signs their CPTS in,
votes in a secret poll and keeps the receipt; the chair sees who has not voted, is warned, confirms
the closing and the publication; the delegate finds their receipt among the counted ballots."""

import pytest

from federation.governance import services as governance
from federation.governance.models import CountedBallot
from tests.browser import axe_violations, off_loop, screenshot, sign_in
from tests.factories import PASSWORD
from tests.governance.conftest import build_assembly, open_meeting

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_attendance_secret_vote_confirmations_and_receipt_on_a_phone(server, new_page, world):
    def assembly_in_session():
        a = build_assembly(world, n_cpts=3, n_partners=1)
        meeting = open_meeting(a, title="AGO 2027")
        for member in a.members[1:]:
            governance.attendance_sign(actor=a.coordinator, meeting=meeting, member=member, status="present")
        poll = governance.poll_create(
            actor=a.coordinator, federation=a.fed, meeting=meeting, title="Élection du trésorier", secret=True
        )
        governance.poll_open(actor=a.coordinator, poll=poll)
        governance.ballot_cast(actor=a.delegates[1], poll=poll, choice="yes")
        return a, meeting, poll

    a, meeting, poll = off_loop(assembly_in_session)
    room_url = f"{server}/gouvernance/{a.fed.slug}/seances/{meeting.pk}/"
    poll_url = f"{server}/gouvernance/{a.fed.slug}/scrutins/{poll.pk}/"

    # 1. The delegate of CPTS Alpha, on a phone: not signed in yet, the room says how to vote.
    delegate = new_page()
    sign_in(delegate, server, a.delegates[0].email, PASSWORD)
    delegate.goto(room_url)
    delegate.get_by_text("Votre CPTS n'est pas émargée présente").wait_for()
    assert delegate.get_by_role("link", name="Voter").count() == 0
    button = delegate.get_by_role("button", name=f"{a.cpts[0].name} : présent")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # big enough to tap
    assert _no_sideways_scroll(delegate)
    screenshot(delegate, "16-attendance-phone")
    button.click()
    delegate.get_by_role("link", name="Voter").first.wait_for()
    assert _no_sideways_scroll(delegate)

    # 2. One tap, a confirmation, and the receipt.
    delegate.get_by_role("link", name="Voter").first.click()
    delegate.get_by_role("button", name="Contre", exact=True).click()
    delegate.get_by_role("heading", name="Confirmez votre vote").wait_for()
    delegate.get_by_role("button", name="Confirmer mon vote").click()
    delegate.get_by_role("heading", name="Votre vote secret est enregistré").wait_for()
    receipt = delegate.locator("[data-receipt]").inner_text()
    assert len(receipt) == 24
    assert _no_sideways_scroll(delegate)
    screenshot(delegate, "16-secret-vote-receipt-phone")

    # 3. The chair, on a phone too: who has not voted, then the confirmations.
    chair = new_page()
    sign_in(chair, server, a.coordinator.email, PASSWORD)
    chair.goto(poll_url)
    chair.get_by_text("Qui a voté (jamais comment)").wait_for()
    chair.get_by_text(f"… {a.cpts[2].name} — n’a pas encore voté").wait_for()
    chair.get_by_text("Clore le vote…").click()
    warning = chair.locator("[data-missing]")
    assert "n'a pas encore voté" in warning.inner_text() and a.cpts[2].name in warning.inner_text()
    confirm = chair.get_by_role("button", name="Confirmer la clôture du vote")
    color = confirm.evaluate("b => getComputedStyle(b).backgroundColor")
    assert color == "rgb(180, 35, 24)"  # the irreversible action looks different
    assert _no_sideways_scroll(chair)
    screenshot(chair, "16-chair-close-confirmation-phone")
    confirm.click()
    chair.get_by_text("Vote clos : le résultat est calculé").wait_for()
    chair.get_by_text("Publier le résultat…").click()
    chair.get_by_role("button", name="Confirmer la publication").click()
    chair.get_by_text("Résultat publié : il ne peut plus être modifié.").wait_for()
    screenshot(chair, "16-chair-published-phone")
    assert CountedBallot.objects.filter(poll=poll).count() == 2

    # 4. The delegate checks the receipt in the counted ballots.
    delegate.goto(poll_url)
    delegate.fill("#recu", receipt.lower())
    delegate.get_by_role("button", name="Vérifier").click()
    delegate.get_by_text("votre vote a été compté").wait_for()
    assert _no_sideways_scroll(delegate)
    screenshot(delegate, "16-receipt-checked-phone")
    assert delegate.csp_violations == [] and chair.csp_violations == []


def test_the_room_passes_axe_on_a_phone(server, new_page, world):
    def assembly_in_session():
        a = build_assembly(world, n_cpts=3, n_partners=1)
        meeting = open_meeting(a)
        poll = governance.poll_create(actor=a.coordinator, federation=a.fed, meeting=meeting, title="Budget")
        return a, meeting, poll

    a, meeting, _poll = off_loop(assembly_in_session)
    page = new_page(bypass_csp=True)
    sign_in(page, server, a.coordinator.email, PASSWORD)
    page.goto(f"{server}/gouvernance/{a.fed.slug}/seances/{meeting.pk}/")
    page.get_by_role("heading", name="Pupitre de la présidence").wait_for()
    assert axe_violations(page) == []
    assert _no_sideways_scroll(page)
