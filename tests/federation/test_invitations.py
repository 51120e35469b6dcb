"""Issue 17, item 4: invitations with consent, the same answer whether an account has the address, a
list of pending invitations, withdrawal, expiry, re-inviting; role changes and removals through the UI
and the API, audited; links on the address the site is served on (SITE_URL)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from federation import invitations
from federation.models import Invitation, Membership, SecurityEvent, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(api, django_capture_on_commit_callbacks):
    """`send(actor, email, role)` posts an invitation through the API (e-mails sent)."""

    def post(actor, email, role="member", cpts="alpha"):
        with django_capture_on_commit_callbacks(execute=True):
            return api(actor).post(
                reverse("api-cpts-members", kwargs={"cpts_slug": cpts}),
                {"email": email, "role": role},
                format="json",
            )

    return post


def _link(mail) -> str:
    return re.search(r"https?://\S+/invitation/\S+/", mail.body).group(0)


def test_the_answer_is_the_same_whether_an_account_has_the_address(world, send, mailoutbox):
    """The issue: inviting any account of any federation added it silently and revealed its id and name."""
    existing = send(world.coordinator_a, world.member_c.email)  # an account of the other federation
    unknown = send(world.coordinator_a, "inconnue@example.org")
    assert existing.status_code == unknown.status_code == 201
    keys = {k for k in existing.json() if k not in {"id", "email", "created_at", "expires_at"}}
    assert {k: existing.json()[k] for k in keys} == {k: unknown.json()[k] for k in keys}
    body = existing.content.decode()
    assert str(world.member_c.display_name) not in body and '"user"' not in body
    # Nobody joined: consent first.
    assert not Membership.objects.filter(cpts=world.cpts_a, user=world.member_c).exists()
    assert len(mailoutbox) == 2 and mailoutbox[0].to == [world.member_c.email]


def test_links_use_the_address_the_site_is_served_on(world, send, mailoutbox, settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    send(world.coordinator_a, "ide@example.org")
    assert _link(mailoutbox[0]).startswith("http://127.0.0.1:8123/invitation/")


def test_an_existing_account_accepts_from_the_link(world, send, mailoutbox, web):
    send(world.coordinator_a, world.member_c.email, role="bureau")
    path = _link(mailoutbox[0]).split("8000", 1)[-1] if ":8000" in _link(mailoutbox[0]) else None
    path = path or re.sub(r"^https?://[^/]+", "", _link(mailoutbox[0]))
    anonymous = web().get(path)
    assert anonymous.status_code == 200 and "Se connecter pour répondre" in anonymous.content.decode()
    # Someone else signed in with the link: refused, nothing changes.
    assert web(world.member_b).get(path).status_code == 403
    page = web(world.member_c).get(path)
    assert "CPTS Alpha" in page.content.decode()
    invitation = Invitation.objects.get(email=world.member_c.email)
    answered = web(world.member_c).post(
        reverse("account-invitation", args=[invitation.pk]), {"answer": "accept"}
    )
    assert answered.status_code == 302
    membership = Membership.objects.get(cpts=world.cpts_a, user=world.member_c)
    assert membership.role == "bureau"
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert SecurityEvent.objects.filter(kind="invitation_accepted", subject=world.member_c).exists()
    # The link is spent.
    assert web(world.member_c).get(path).status_code == 410


def test_a_new_person_creates_the_account_from_the_link(world, send, mailoutbox, client):
    send(world.coordinator_a, "nouvelle@example.org")
    path = re.sub(r"^https?://[^/]+", "", _link(mailoutbox[0]))
    page = client.get(path)
    assert "Créez votre compte" in page.content.decode()
    weak = client.post(path, {"display_name": "Inès", "password": "123"})
    assert (
        weak.status_code == 200 and not Membership.objects.filter(user__email="nouvelle@example.org").exists()
    )
    done = client.post(path, {"display_name": "Inès Durand", "password": "Un-mot-de-passe-solide-42"})
    assert done.status_code == 302
    membership = Membership.objects.get(user__email="nouvelle@example.org")
    assert membership.cpts == world.cpts_a and membership.user.display_name == "Inès Durand"
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(user=membership.user).verified


def test_forged_links_are_refused(client):
    assert client.get("/invitation/pas-un-jeton/").status_code == 404


def test_invitations_wait_in_the_account_page_and_the_api(world, send, web, api):
    send(world.coordinator_a, world.member_b.email, role="member")
    page = web(world.member_b).get(reverse("account-home")).content.decode()
    assert "CPTS Alpha" in page and "Accepter" in page
    mine = api(world.member_b).get(reverse("api-my-invitations")).json()
    assert [i["cpts"] for i in mine] == ["alpha"]
    # Someone else cannot answer it (404, unchanged).
    other = api(world.member_c).post(reverse("api-my-invitation-accept", args=[mine[0]["id"]]))
    assert other.status_code == 404
    assert Invitation.objects.get(pk=mine[0]["id"]).status == "pending"
    declined = api(world.member_b).post(reverse("api-my-invitation-decline", args=[mine[0]["id"]]))
    assert declined.status_code == 204
    assert not Membership.objects.filter(cpts=world.cpts_a, user=world.member_b).exists()
    assert api(world.member_b).get(reverse("api-my-invitations")).json() == []


def test_accept_through_the_api(world, send, api):
    send(world.coordinator_a, world.member_b.email, role="bureau")
    invitation = Invitation.objects.get(email=world.member_b.email)
    accepted = api(world.member_b).post(reverse("api-my-invitation-accept", args=[invitation.pk]))
    assert accepted.status_code == 200 and accepted.json()["role"] == "bureau"
    assert Membership.objects.filter(cpts=world.cpts_a, user=world.member_b, role="bureau").exists()


def test_re_inviting_says_so_and_the_pending_list_shows_one(world, send, api, web, mailoutbox):
    first = send(world.coordinator_a, "kine@example.org")
    again = send(world.coordinator_a, "KINE@example.org", role="bureau")
    assert first.status_code == 201 and again.status_code == 200 and again.json()["resent"] is True
    assert again.json()["sent_count"] == 2 and again.json()["role"] == "bureau"
    assert len(mailoutbox) == 2
    listed = api(world.coordinator_a).get(reverse("api-cpts-invitations", kwargs={"cpts_slug": "alpha"}))
    assert [i["email"] for i in listed.json()] == ["kine@example.org"]
    # Members may not see the list; another CPTS's coordinator does not see the CPTS at all.
    assert (
        api(world.member_a).get(reverse("api-cpts-invitations", kwargs={"cpts_slug": "alpha"})).status_code
        == 403
    )
    assert (
        api(world.coordinator_b)
        .get(reverse("api-cpts-invitations", kwargs={"cpts_slug": "alpha"}))
        .status_code
        == 404
    )
    page = web(world.coordinator_a).post(
        reverse("cpts-members", kwargs={"cpts_slug": "alpha"}),
        {"email": "kine@example.org", "role": "member"},
        follow=True,
    )
    assert "déjà en attente pour kine@example.org : elle a été renvoyée" in page.content.decode()
    assert "Invitations en attente" in page.content.decode()


def test_withdrawal_and_expiry(world, send, api, web, mailoutbox, client):
    send(world.coordinator_a, "retrait@example.org")
    invitation = Invitation.objects.get(email="retrait@example.org")
    path = re.sub(r"^https?://[^/]+", "", _link(mailoutbox[0]))
    url = reverse("api-cpts-invitation", kwargs={"cpts_slug": "alpha", "invitation_id": invitation.pk})
    assert api(world.member_a).delete(url).status_code == 403
    assert api(world.coordinator_b).delete(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert api(world.coordinator_a).delete(url).status_code == 204
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"
    assert client.get(path).status_code == 410
    assert SecurityEvent.objects.filter(kind="invitation_withdrawn", actor=world.coordinator_a).exists()
    # Expiry: past its date the link and the account page no longer offer it.
    send(world.coordinator_a, world.member_b.email)
    late = Invitation.objects.get(email=world.member_b.email)
    Invitation.objects.filter(pk=late.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert invitations.user_invitations(world.member_b).count() == 0
    assert api(world.member_b).post(reverse("api-my-invitation-accept", args=[late.pk])).status_code == 404
    with pytest.raises(Exception, match="expiré"):
        invitations.invitation_accept(actor=world.member_b, invitation=late)
    assert not Membership.objects.filter(cpts=world.cpts_a, user=world.member_b).exists()


def test_withdraw_from_the_members_page(world, send, web):
    send(world.coordinator_a, "page@example.org")
    invitation = Invitation.objects.get(email="page@example.org")
    page = (
        web(world.coordinator_a).get(reverse("cpts-members", kwargs={"cpts_slug": "alpha"})).content.decode()
    )
    assert "page@example.org" in page and "Retirer l" in page and "Confirmer le retrait" in page
    url = reverse("cpts-invitation-withdraw", kwargs={"cpts_slug": "alpha", "invitation_id": invitation.pk})
    assert web(world.member_a).post(url).status_code == 403
    web(world.coordinator_a).post(url)
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"


def test_inviting_a_member_says_they_already_are(world, send):
    response = send(world.coordinator_a, world.member_a.email)
    assert response.status_code == 400 and response.json()["code"] == "already_member"
    assert response.json()["fields"]["email"]


# --- roles and removals through the UI, audited ------------------------------------------------------
def test_role_change_and_removal_through_the_members_page(world, web):
    browser = web(world.coordinator_a)
    role_url = reverse("cpts-member-role", kwargs={"cpts_slug": "alpha", "user_id": world.member_a.pk})
    remove_url = reverse("cpts-member-remove", kwargs={"cpts_slug": "alpha", "user_id": world.member_a.pk})
    assert web(world.member_a).post(role_url, {"role": "admin"}).status_code == 403
    assert Membership.objects.get(cpts=world.cpts_a, user=world.member_a).role == "member"
    browser.post(role_url, {"role": "bureau"})
    assert Membership.objects.get(cpts=world.cpts_a, user=world.member_a).role == "bureau"
    page = browser.post(remove_url, follow=True).content.decode()
    assert "ne fait plus partie de la CPTS" in page
    assert not Membership.objects.filter(cpts=world.cpts_a, user=world.member_a).exists()
    kinds = list(
        SecurityEvent.objects.filter(subject=world.member_a, actor=world.coordinator_a).values_list(
            "kind", flat=True
        )
    )
    assert sorted(kinds) == ["member_removed", "role_changed"]


def test_the_last_coordinator_cannot_leave_the_cpts_unmanaged(world, web, api):
    url = reverse("api-cpts-member-detail", kwargs={"cpts_slug": "alpha", "user_id": world.coordinator_a.pk})
    refused = api(world.coordinator_a).patch(url, {"role": "member"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "last_manager"
    assert api(world.coordinator_a).delete(url).status_code == 400
    assert Membership.objects.get(cpts=world.cpts_a, user=world.coordinator_a).role == "coordinator"


def test_invitation_demo_like_panel_counts_pending_invitations(world, send):
    from federation.cockpit import build_panels

    send(world.coordinator_a, "a@example.org")
    send(world.coordinator_b, "b@example.org", cpts="bravo")
    panels = dict((p.key, d) for p, d in build_panels("federation", world.fed, world.fed_coordinator))
    data = panels["federation.invitations"]
    assert data.count == 2
    assert {item.label for item in data.items} == {"CPTS Alpha", "CPTS Bravo"}


def test_new_account_already_existing_is_told_to_sign_in(world, send, mailoutbox, client):
    send(world.coordinator_a, "tardive@example.org")
    UserFactory(email="tardive@example.org")
    path = re.sub(r"^https?://[^/]+", "", _link(mailoutbox[0]))
    assert "Se connecter pour répondre" in client.get(path).content.decode()


def test_the_demo_has_pending_invitations_and_is_idempotent():
    import io

    from django.core.management import call_command

    from federation import demo

    call_command("load_territories", "--department", "34", stdout=io.StringIO())
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    pending = Invitation.objects.filter(status="pending")
    assert pending.count() == 2 and all(i.sent_count == 1 for i in pending)
    gp = pending.get(email=demo.GP_EMAIL)
    gp_user = User.objects.get(email=demo.GP_EMAIL)
    assert invitations.user_invitations(gp_user).count() == 1
    assert gp.cpts.slug != "pays-de-lunel" and gp_user.is_active


def test_make_run_serves_links_on_the_port_it_serves():
    """The issue: in the demo, links pointed to port 8000 whatever `make run PORT=…` said."""
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parents[2]
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=root, capture_output=True, text=True, timeout=60
    ).stdout
    daphne = next(line for line in dry.splitlines() if "daphne" in line)
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:8123}" in daphne


def test_the_invitations_panel_costs_two_queries_whatever_the_number_of_cpts(
    world, send, django_assert_num_queries
):
    from federation.invitation_panel import pending_invitations_panel

    send(world.coordinator_a, "a@example.org")
    send(world.coordinator_b, "b@example.org", cpts="bravo")
    with django_assert_num_queries(2):
        data = pending_invitations_panel(world.fed, world.fed_coordinator)
    assert data.count == 2


def test_an_invitation_is_not_sent_more_than_five_times(world, send, mailoutbox):
    statuses = [send(world.coordinator_a, "insistant@example.org").status_code for _ in range(6)]
    assert statuses == [201, 200, 200, 200, 200, 400]
    assert len(mailoutbox) == 5


def test_the_cockpit_page_shows_the_invitations_panel(world, send, web):
    send(world.coordinator_a, "attente@example.org")
    page = web(world.fed_coordinator).get(
        reverse("federation-cockpit", kwargs={"federation_slug": world.fed.slug})
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Invitations en attente" in html
    assert "1 invitation(s) en attente de réponse" in html


def test_the_account_and_members_pages_are_available_in_english(world, web):
    from django.conf import settings

    browser = web(world.coordinator_a)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    account = browser.get(reverse("account-home")).content.decode()
    assert "My account" in account and "API tokens" in account and "Jetons d" not in account
    members = browser.get(reverse("cpts-members", kwargs={"cpts_slug": "alpha"})).content.decode()
    assert "Members and invitations" in members and "Send the invitation" in members
