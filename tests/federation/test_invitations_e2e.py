"""Issue 17, item 4, in a browser on a phone (390×844): a coordinator invites a colleague of another CPTS;
nothing changes until she accepts from her account page; the coordinator changes a role, removes a member
after confirming; the member revokes her API token. Screenshots under tests/e2e/screenshots (17-*)."""

import shutil
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from federation.models import Invitation, Membership
from tests.browser import axe_violations, off_loop, screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
NOTES = Path("/work/notes/screenshots")


def shot(page, name: str) -> None:
    path = screenshot(page, f"17-{name}")
    if NOTES.is_dir():
        shutil.copy(path, NOTES / path.name)


def test_invitation_with_consent_roles_and_tokens_on_a_phone(world, server, new_page):
    coordinator = new_page(bypass_csp=True)
    sign_in(coordinator, server, world.coordinator_a.email, PASSWORD)
    coordinator.goto(f"{server}/cpts/alpha/membres/")
    coordinator.fill("#invite-email", world.member_b.email)
    coordinator.select_option("#invite-role", "bureau")
    coordinator.click("text=Envoyer l'invitation")
    coordinator.wait_for_selector("text=Invitation envoyée à")
    assert "Invitations en attente (1)" in coordinator.inner_text("main").replace("\n", " ")
    assert not Membership.objects.filter(cpts=world.cpts_a, user=world.member_b).exists()
    assert axe_violations(coordinator) == []
    shot(coordinator, "members-page-phone")
    # Overflow check: nothing wider than the phone.
    assert coordinator.evaluate("document.documentElement.scrollWidth") <= 390

    invited = new_page()
    sign_in(invited, server, world.member_b.email, PASSWORD)
    invited.goto(f"{server}/compte/")
    invited.wait_for_selector("text=CPTS Alpha")
    shot(invited, "account-invitation-phone")
    invited.click("#invitations button[value=accept]")
    invited.wait_for_url(f"{server}/cpts/alpha/")
    assert Membership.objects.get(cpts=world.cpts_a, user=world.member_b).role == "bureau"
    assert Invitation.objects.get(email=world.member_b.email).status == "accepted"

    # Role change and removal, the removal behind a confirmation.
    coordinator.goto(f"{server}/cpts/alpha/membres/")
    row = coordinator.locator(f"#member-{world.member_a.pk}")
    row.locator("select").select_option("bureau")
    row.locator("text=Changer le rôle").click()
    coordinator.wait_for_selector("text=Rôle de")
    assert Membership.objects.get(cpts=world.cpts_a, user=world.member_a).role == "bureau"
    row = coordinator.locator(f"#member-{world.member_a.pk}")
    row.locator("summary").click()
    shot(coordinator, "remove-confirmation-phone")
    row.locator("text=Confirmer le retrait").click()
    coordinator.wait_for_selector("text=ne fait plus partie de la CPTS")
    assert not Membership.objects.filter(cpts=world.cpts_a, user=world.member_a).exists()

    # Tokens: seen (never the key) and revoked from the account page.
    token = off_loop(Token.objects.create, user=world.member_b)
    invited.goto(f"{server}/compte/")
    assert token.key[:8] in invited.inner_text("#tokens") and token.key not in invited.content()
    invited.click("#tokens summary")
    shot(invited, "account-tokens-phone")
    invited.click("#tokens button.danger")
    invited.wait_for_selector("text=Jeton révoqué")
    assert not Token.objects.filter(pk=token.pk).exists()
