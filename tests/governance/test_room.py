"""The assembly room (issue 16): the chair sees who has voted (never how) and is warned before closing;
irreversible actions ask for confirmation and look different; "Voter" only for those with a vote."""

import pytest
from django.urls import reverse

from federation.governance import services

pytestmark = pytest.mark.django_db


def kw(a, **extra):
    return {"federation_slug": a.fed.slug, **extra}


@pytest.fixture
def voting(ago):
    poll = services.poll_create(
        actor=ago.coordinator, federation=ago.fed, meeting=ago.meeting, title="Budget", secret=True
    )
    services.poll_open(actor=ago.coordinator, poll=poll)
    services.ballot_cast(actor=ago.delegates[1], poll=poll, choice="no")
    ago.extra["poll"] = poll
    return ago


def test_the_chair_sees_who_has_voted_never_how(voting, api, web):
    a = voting
    poll = a.extra["poll"]
    live = reverse("api-governance-live", kwargs=kw(a, poll_id=poll.pk))
    turnout = api(a.coordinator).get(live).json()["turnout"]
    rows = {row["label"]: row["voted"] for row in turnout}
    assert rows[a.cpts[1].name] is True and rows[a.cpts[0].name] is False
    assert rows[a.cpts[4].name] is False  # represented by a proxy: expected to vote
    assert all(set(row) == {"label", "college", "voted"} for row in turnout)  # nothing about the choice
    assert "turnout" not in api(a.delegates[2]).get(live).json()  # the chair's view only
    room = (
        web(a.coordinator)
        .get(reverse("governance-meeting", kwargs=kw(a, meeting_id=a.meeting.pk)))
        .content.decode()
    )
    assert "Qui a voté (jamais comment)" in room and f"✓ {a.cpts[1].name} — a voté" in room
    # Before closing: how many present members have not voted, and who.
    # Four CPTS present, one represented, three partners: seven have not voted yet.
    assert "7 membres présents n'ont pas encore voté" in room and a.partners[0].name in room
    assert (
        "Qui a voté"
        not in web(a.delegates[2])
        .get(reverse("governance-meeting", kwargs=kw(a, meeting_id=a.meeting.pk)))
        .content.decode()
    )


def test_irreversible_actions_ask_for_confirmation_and_look_different(voting, web):
    a = voting
    room = (
        web(a.coordinator)
        .get(reverse("governance-meeting", kwargs=kw(a, meeting_id=a.meeting.pk)))
        .content.decode()
    )
    for summary, button in (
        ("Clore la séance…", "Confirmer la clôture de la séance"),
        ("Clore le vote…", "Confirmer la clôture du vote"),
    ):
        assert f"<summary>{summary}</summary>" in room
        assert f'class="danger">{button}' in room
    poll = a.extra["poll"]
    services.poll_close(actor=a.coordinator, poll=poll)
    page = web(a.coordinator).get(reverse("governance-poll", kwargs=kw(a, poll_id=poll.pk))).content.decode()
    assert (
        "<summary>Publier le résultat…</summary>" in page
        and 'class="danger">Confirmer la publication' in page
    )
    # After the action, the page says what happened.
    action = reverse("governance-poll-action", kwargs=kw(a, poll_id=poll.pk))
    answer = web(a.coordinator).post(action, {"action": "publish"}, follow=True).content.decode()
    assert "Résultat publié : il ne peut plus être modifié." in answer


def test_vote_is_offered_only_to_those_with_a_vote(voting, web):
    a = voting
    room_url = reverse("governance-meeting", kwargs=kw(a, meeting_id=a.meeting.pk))
    poll_url = reverse("governance-poll", kwargs=kw(a, poll_id=a.extra["poll"].pk))
    assert f'href="{poll_url}">Voter</a>' in web(a.delegates[2]).get(room_url).content.decode()
    assert "Vous avez voté." in web(a.delegates[1]).get(room_url).content.decode()
    for user in (a.plain_member, a.coordinator):
        assert f'href="{poll_url}">Voter</a>' not in web(user).get(room_url).content.decode()
    # A delegate whose CPTS is not signed in present is told how to vote, not "no vote".
    services.attendance_sign(actor=a.coordinator, meeting=a.meeting, member=a.members[3], status="absent")
    room = web(a.delegates[3]).get(room_url).content.decode()
    assert "Votre CPTS n'est pas émargée présente" in room and 'href="#emargement"' in room
    page = web(a.delegates[3]).get(poll_url).content.decode()
    assert "émargez-la dans la salle de séance" in page and "#emargement" in page


def test_attendance_is_made_for_a_phone(ago, web):
    a = ago
    room = (
        web(a.coordinator)
        .get(reverse("governance-meeting", kwargs=kw(a, meeting_id=a.meeting.pk)))
        .content.decode()
    )
    assert '<table class="attendance">' in room and 'class="sign-buttons"' in room
    assert f'aria-label="{a.cpts[0].name} : présent"' in room  # each button says whom it signs in
