"""The statutes' rules in the assembly room (issue 16), each with the seed's words it follows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from federation.governance import selectors, services
from federation.governance.minutes import decision_lines, minutes_story_text
from federation.governance.models import BureauMandate, Candidate, Poll
from tests.governance.conftest import governance_rows

pytestmark = pytest.mark.django_db


def kw(a, **extra):
    return {"federation_slug": a.fed.slug, **extra}


def _bureau(a, day=None):
    seats = list(zip(a.delegates, ["president", "vice_president", "treasurer", "secretary"], strict=False))
    return services.bureau_set(
        actor=None, federation=a.fed, seats=seats, starts_on=day or timezone.localdate()
    )


def test_unknown_candidate_ids_are_refused(ago, api):
    """An election's candidates are delegates of the CPTS college (seed 004: the bureau's "membres
    choisis parmi le collège des CPTS"): an unknown id is a 400, not silently dropped."""
    a = ago
    url = reverse("api-governance-polls", kwargs=kw(a))
    before = governance_rows(a.fed)
    body = {
        "title": "Présidence",
        "kind": "election",
        "meeting": a.meeting.pk,
        "candidates": [a.delegates[0].pk, 999999],
    }
    response = api(a.coordinator).post(url, body, format="json")
    assert response.status_code == 400
    assert (
        response.json()["code"] == "unknown_candidate"
        and "999999" in response.json()["fields"]["candidates"][0]
    )
    # A partner's delegate is no candidate either (only the CPTS college is eligible).
    body["candidates"] = [a.delegates[0].pk, a.partner_delegates[0].pk]
    assert api(a.coordinator).post(url, body, format="json").json()["code"] == "unknown_candidate"
    assert governance_rows(a.fed) == before


def test_the_casting_vote_accepts_only_its_choices(ago, api):
    """Seed 000, art. 13.2: "En cas de partage des voix, celle du Président de l'Association est
    prépondérante" — for or against a motion, or one of the candidates; nothing else."""
    a = ago
    poll = services.poll_create(
        actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Motion", secret=True
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    url = reverse("api-governance-poll-action", kwargs=kw(a, poll_id=poll.pk, action="close"))
    before = governance_rows(a.fed)
    for wrong in ("peut-être", "abstain", "12"):
        response = api(a.coordinator).post(url, {"casting_vote": wrong}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_casting_vote" and response.json()["fields"]["casting_vote"]
    assert governance_rows(a.fed) == before
    assert api(a.coordinator).post(url, {"casting_vote": "yes"}, format="json").status_code == 200
    election = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        meeting=a.meeting,
        title="Élection",
        kind="election",
        secret=True,
        candidates=[a.delegates[0], a.delegates[1]],
    )
    services.poll_open(actor=a.coordinator, poll=election)
    url = reverse("api-governance-poll-action", kwargs=kw(a, poll_id=election.pk, action="close"))
    assert api(a.coordinator).post(url, {"casting_vote": "yes"}, format="json").status_code == 400
    candidate = Candidate.objects.filter(poll=election).first()
    assert api(a.coordinator).post(url, {"casting_vote": str(candidate.pk)}, format="json").status_code == 200


def test_a_first_round_without_winner_reads_second_round_needed(ago, api, web):
    """Seed 000, art. 8 (bureau election): "A défaut d'obtention d'une majorité simple lors d'un premier
    vote, l'Assemblée Générale ordinaire soumet la ou les candidature(s) à un second vote à la majorité
    relative." A first round without a winner is not "rejected"."""
    a = ago
    poll = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        meeting=a.meeting,
        title="Présidence",
        kind="election",
        candidates=[a.delegates[0], a.delegates[1], a.delegates[2]],
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    ids = [c.pk for c in Candidate.objects.filter(poll=poll).order_by("pk")]
    for i, pick in enumerate([0, 1, 2, 0]):
        services.ballot_cast(
            actor=a.delegates[i], poll=poll, right_key=f"member-{a.members[i].pk}", candidate_id=ids[pick]
        )
    services.poll_close(actor=a.coordinator, poll=poll)
    services.poll_publish(actor=a.coordinator, poll=poll)
    poll.refresh_from_db()
    assert poll.result["needs_second_round"] is True
    detail = api(a.plain_member).get(reverse("api-governance-poll", kwargs=kw(a, poll_id=poll.pk))).json()
    assert detail["result_label"] == "Second tour nécessaire (aucune majorité absolue)"
    page = web(a.plain_member).get(reverse("governance-poll", kwargs=kw(a, poll_id=poll.pk))).content.decode()
    assert "Second tour nécessaire" in page and "Rejetée" not in page
    register = web(a.plain_member).get(reverse("governance-federation", kwargs=kw(a))).content.decode()
    assert "Second tour nécessaire" in register
    assert any("second tour nécessaire" in line for line in decision_lines(poll))


def test_electing_the_vice_president_as_president_warns_that_the_seat_falls_vacant(ago, web):
    """Seed 004: the bureau has "a minima un président, un ou plusieurs vice-président(s), un trésorier et
    un secrétaire": electing the vice-president to the presidency leaves the vice-presidency empty."""
    a = ago
    _bureau(a)
    poll = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        meeting=a.meeting,
        title="Présidence",
        kind="election",
        candidates=[a.delegates[1], a.delegates[4]],
        effect={"type": "bureau_seat", "role": "president"},
    )
    page_url = reverse("governance-poll", kwargs=kw(a, poll_id=poll.pk))
    warning = "son poste de vice-président·e deviendra vacant"
    assert warning in web(a.plain_member).get(page_url).content.decode()
    services.poll_open(actor=a.coordinator, poll=poll)
    vp = ids = [c.pk for c in Candidate.objects.filter(poll=poll, user=a.delegates[1])]
    for i in range(4):
        services.ballot_cast(
            actor=a.delegates[i], poll=poll, right_key=f"member-{a.members[i].pk}", candidate_id=vp[0]
        )
    services.poll_close(actor=a.coordinator, poll=poll)
    action = reverse("governance-poll-action", kwargs=kw(a, poll_id=poll.pk))
    answer = web(a.coordinator).post(action, {"action": "publish"}, follow=True).content.decode()
    assert "Résultat publié" in answer and warning in answer
    seats = {m.role: m.user_id for m in selectors.bureau(a.fed)}
    assert seats["president"] == a.delegates[1].pk and "vice_president" not in seats
    assert ids


def test_the_minutes_print_the_bureau_as_it_was_on_the_meeting_date(ago):
    """Seed 000, art. 8.3: minutes "signés par le Président et un membre du Bureau" — those of the day of
    the meeting, even when the PDF is printed after a new bureau was installed."""
    a = ago
    held_on = timezone.localtime(a.meeting.starts_at).date()
    _bureau(a, day=held_on - timedelta(days=30))
    later = held_on + timedelta(days=40)
    seats = [
        (a.delegates[2], "president"),
        (a.delegates[3], "vice_president"),
        (a.delegates[0], "treasurer"),
        (a.delegates[1], "secretary"),
    ]
    services.bureau_set(actor=None, federation=a.fed, seats=seats, starts_on=later)
    assert BureauMandate.objects.filter(federation=a.fed, ended_early_on=later).count() == 4
    text = minutes_story_text(a.meeting)
    assert f"Président·e : {a.delegates[0]}" in text
    assert f"Président·e : {a.delegates[2]}" not in text


def test_delegate_of_another_cpts_is_told_whose_vote_it_is(ago, api):
    """Seed 004: "1 voix délibérative par CPTS" carried by its delegate: voting with another CPTS's right
    says so (and writes nothing)."""
    a = ago
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Budget")
    services.poll_open(actor=a.coordinator, poll=poll)
    url = reverse("api-governance-ballots", kwargs=kw(a, poll_id=poll.pk))
    before = governance_rows(a.fed)
    answer = api(a.delegates[2]).post(
        url, {"choice": "yes", "right": f"member-{a.members[3].pk}"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "not_your_vote" and a.cpts[3].name in answer.json()["detail"]
    assert governance_rows(a.fed) == before
    assert Poll.objects.get(pk=poll.pk).participations.count() == 0
