"""The scripted AG of the acceptance list: 5 CPTS (one by proxy), 3 partners, a motion adopted by the
CPTS college and rejected by the partners."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from federation.governance import selectors, services
from federation.governance.minutes import minutes_pdf, minutes_story_text
from federation.governance.models import Ballot, Participation, Poll

pytestmark = pytest.mark.django_db


def vote_motion(a, poll, cpts_choices, partner_choices, opinions=None):
    for i, choice in enumerate(cpts_choices[:4]):
        services.ballot_cast(
            actor=a.delegates[i], poll=poll, right_key=f"member-{a.members[i].pk}", choice=choice
        )
    # CPTS 4 is represented: its proxy holder (delegate of CPTS 0) casts that vote separately
    services.ballot_cast(
        actor=a.delegates[0], poll=poll, right_key=f"member-{a.members[4].pk}", choice=cpts_choices[4]
    )
    for i, choice in enumerate(partner_choices):
        services.ballot_cast(
            actor=a.partner_delegates[i], poll=poll, choice=choice, opinion=(opinions or {}).get(i, "")
        )


@pytest.fixture
def divergent(ago):
    a = ago
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Budget 2027")
    services.poll_open(actor=a.coordinator, poll=poll)
    vote_motion(
        a,
        poll,
        ["yes", "yes", "yes", "no", "yes"],
        ["no", "no", "abstain"],
        opinions={0: "Le budget ne prévoit rien pour la coordination ville-hôpital."},
    )
    services.poll_close(actor=a.coordinator, poll=poll)
    services.poll_publish(actor=a.coordinator, poll=poll)
    poll.refresh_from_db()
    a.extra["poll"] = poll
    return a


def test_quorum_counts_the_proxy(ago):
    q = selectors.meeting_quorum(ago.meeting)
    assert (q.members, q.present_or_represented, q.threshold, q.met) == (5, 5, 3, True)


def test_divergent_motion_in_the_result(divergent):
    poll = divergent.extra["poll"]
    r = poll.result
    assert r["outcome"] == "adopted"
    assert r["tally"] == {"yes": 4, "no": 1, "abstain": 0}
    assert r["advisory_tally"] == {"yes": 0, "no": 2, "abstain": 1}
    assert r["advisory_outcome"] == "rejected"
    assert r["divergence"] is True
    assert r["participation"]["cpts"] == 5 and r["participation"]["partners"] == 3
    proxy_votes = [v for v in selectors.named_votes(poll) if v["by_proxy"]]
    assert len(proxy_votes) == 1 and proxy_votes[0]["voter"] == divergent.cpts[4].name


def test_divergent_motion_in_the_api(divergent, api):
    a = divergent
    poll = a.extra["poll"]
    url = reverse("api-governance-poll", kwargs={"federation_slug": a.fed.slug, "poll_id": poll.pk})
    body = api(a.plain_member).get(url).json()
    assert body["result"]["tally"]["yes"] == 4
    assert body["result"]["advisory_tally"]["no"] == 2
    assert body["result"]["divergence"] is True
    assert body["opinions"][0]["text"].startswith("Le budget")


def test_divergent_motion_in_the_page(divergent, web):
    a = divergent
    poll = a.extra["poll"]
    url = reverse("governance-poll", kwargs={"federation_slug": a.fed.slug, "poll_id": poll.pk})
    html = web(a.plain_member).get(url).content.decode()
    assert "Divergence entre les collèges" in html
    assert "Adoptée" in html and "Rejetée" in html
    assert "coordination ville-hôpital" in html


def test_divergent_motion_in_the_pdf(divergent):
    a = divergent
    services.meeting_close(actor=a.coordinator, meeting=a.meeting)
    text = minutes_story_text(a.meeting)
    assert "Budget 2027" in text
    assert "Collège des CPTS" in text and "pour 4, contre 1, abstention 0" in text
    assert "Collège des partenaires" in text and "pour 0, contre 2, abstention 1" in text
    assert "Divergence entre les collèges" in text
    assert "coordination ville-hôpital" in text
    assert "Le/la président·e" in text
    pdf = minutes_pdf(a.meeting)
    assert pdf.startswith(b"%PDF") and b"Divergence" in pdf  # uncompressed text stream


def test_results_are_immutable_once_published(divergent):
    a = divergent
    poll = a.extra["poll"]
    with pytest.raises(ValidationError):
        services.poll_publish(actor=a.coordinator, poll=poll)
    with pytest.raises(ValidationError):
        services.poll_close(actor=a.coordinator, poll=poll)
    with pytest.raises(ValidationError):
        services.ballot_cast(actor=a.delegates[1], poll=poll, choice="no")


def test_second_ballot_for_the_same_member_is_refused(ago):
    a = ago
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Motion")
    services.poll_open(actor=a.coordinator, poll=poll)
    services.ballot_cast(actor=a.delegates[1], poll=poll, choice="yes")
    with pytest.raises(ValidationError) as exc:
        services.ballot_cast(actor=a.delegates[1], poll=poll, choice="no")
    assert exc.value.code == "already_voted"
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert Participation.objects.filter(poll=poll).count() == 1


def test_non_delegate_cannot_vote(ago):
    a = ago
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Motion")
    services.poll_open(actor=a.coordinator, poll=poll)
    with pytest.raises(PermissionDenied):
        services.ballot_cast(actor=a.plain_member, poll=poll, choice="yes")
    # the represented CPTS's own delegate no longer votes for it in this meeting
    with pytest.raises(PermissionDenied):
        services.ballot_cast(actor=a.delegates[4], poll=poll, choice="yes")


def test_proxy_cap(ago):
    a = ago
    # default statutes: 2 proxies per holder; CPTS 0's delegate already holds one
    services.attendance_sign(actor=a.coordinator, meeting=a.meeting, member=a.members[3], status="absent")
    services.proxy_give(actor=a.coordinator, meeting=a.meeting, giver=a.members[3], holder=a.delegates[0])
    services.attendance_sign(actor=a.coordinator, meeting=a.meeting, member=a.members[2], status="absent")
    with pytest.raises(ValidationError) as exc:
        services.proxy_give(actor=a.coordinator, meeting=a.meeting, giver=a.members[2], holder=a.delegates[0])
    assert exc.value.code == "proxy_cap"
    assert "maximum" in exc.value.messages[0]


def test_secret_poll_hides_choices_until_closed(ago):
    a = ago
    poll = services.poll_create(
        actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="S", secret=True
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    services.ballot_cast(actor=a.delegates[1], poll=poll, choice="no")
    live = services.poll_live_data(poll)
    assert "tallies" not in live and live["participation"] == {"total": 1, "eligible": 8}
    assert Participation.objects.get(poll=poll).open_choice == ""
    services.poll_close(actor=a.coordinator, poll=poll)
    poll.refresh_from_db()
    assert "tallies" in services.poll_live_data(poll)
    assert poll.result["tally"]["no"] == 1


def test_written_consultation_and_election_two_rounds(assembly):
    from datetime import timedelta

    from django.utils import timezone

    a = assembly
    now = timezone.now()
    poll = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        title="Élection du/de la trésorier·ère",
        kind=Poll.Kind.ELECTION,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
        candidates=[a.delegates[0], a.delegates[1], a.delegates[2]],
        secret=True,
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    cands = {c.user_id: c.pk for c in poll.candidates.all()}
    votes = [a.delegates[0], a.delegates[0], a.delegates[1], a.delegates[2], None]
    for i, target in enumerate(votes):
        services.ballot_cast(
            actor=a.delegates[i],
            poll=poll,
            candidate_id=cands[target.pk] if target else None,
            blank=target is None,
        )
    services.poll_close(actor=a.coordinator, poll=poll)
    services.poll_publish(actor=a.coordinator, poll=poll)
    poll.refresh_from_db()
    assert poll.result["elected"] is None and poll.result["needs_second_round"] is True
    second = services.election_second_round(actor=a.coordinator, poll=poll)
    services.poll_open(actor=a.coordinator, poll=second)
    cands = {c.user_id: c.pk for c in second.candidates.all()}
    for i, target in enumerate(votes):
        services.ballot_cast(
            actor=a.delegates[i],
            poll=second,
            candidate_id=cands[target.pk] if target else None,
            blank=target is None,
        )
    services.poll_close(actor=a.coordinator, poll=second)
    second.refresh_from_db()
    assert second.result["elected"] == str(cands[a.delegates[0].pk])
    assert a.delegates[0].display_name in second.result["elected_label"]


def test_voting_page_one_tap_then_confirmation(ago, web):
    a = ago
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Motion")
    services.poll_open(actor=a.coordinator, poll=poll)
    url = reverse("governance-poll", kwargs={"federation_slug": a.fed.slug, "poll_id": poll.pk})
    browser = web(a.delegates[0])
    page = browser.get(url).content.decode()
    # the proxy holder sees two votes to cast: its own CPTS and the represented one
    assert a.cpts[0].name in page and a.cpts[4].name in page and "par pouvoir" in page
    key = f"member-{a.members[4].pk}"
    confirm = browser.post(url, {"right": key, "choice": "no"}).content.decode()
    assert "Confirmez votre vote" in confirm and "Contre" in confirm
    assert not Participation.objects.filter(poll=poll).exists()  # nothing recorded before confirming
    done = browser.post(url, {"right": key, "choice": "no", "confirm": "1"}, follow=True).content.decode()
    assert "Votre vote est enregistré" in done
    row = Participation.objects.get(poll=poll)
    assert (row.member_id, row.by_proxy, row.cast_by_id) == (a.members[4].pk, True, a.delegates[0].pk)
    again = browser.post(url, {"right": key, "choice": "yes", "confirm": "1"}, follow=True).content.decode()
    assert "Un vote a déjà été enregistré" in again
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_statutes_change_is_described_in_words(assembly):
    a = assembly
    now = timezone.now()
    poll = services.statutes_change_propose(
        actor=a.coordinator,
        federation=a.fed,
        changes={"quorum_ago": "1/3", "min_join_stage": "aci_signed"},
        opens_at=now,
        closes_at=now + timedelta(days=8),
    )
    assert "Quorum de l'AGO : La moitié → Un tiers" in poll.description
    assert "ACI signé" in poll.description


def test_pages_create_a_consultation_and_an_election(ago, web):
    a = ago
    browser = web(a.coordinator)
    fed_url = reverse("governance-federation", kwargs={"federation_slug": a.fed.slug})
    assert "Lancer une consultation écrite" in browser.get(fed_url).content.decode()
    response = browser.post(
        fed_url,
        {
            "form": "consultation",
            "title": "Calendrier 2027",
            "body": "ago",
            "opens_at": "2020-01-01T09:00",
            "closes_at": "2099-01-01T09:00",
            "kind": "motion",
        },
        follow=True,
    )
    assert "Consultation écrite ouverte" in response.content.decode()
    consultation = Poll.objects.get(title="Calendrier 2027")
    assert consultation.status == "open" and consultation.meeting_id is None
    bad = browser.post(
        fed_url,
        {"form": "consultation", "title": "Sans dates", "body": "ago", "kind": "motion"},
        follow=True,
    ).content.decode()
    assert "date limite" in bad
    room = reverse(
        "governance-meeting-action", kwargs={"federation_slug": a.fed.slug, "meeting_id": a.meeting.pk}
    )
    browser.post(
        room,
        {
            "action": "poll",
            "title": "Élection du/de la secrétaire",
            "kind": "election",
            "candidates": [a.delegates[1].pk, a.delegates[2].pk],
            "secret": "on",
        },
    )
    election = Poll.objects.get(title="Élection du/de la secrétaire")
    assert election.kind == "election" and election.secret and election.candidates.count() == 2
    refused = browser.post(
        room,
        {"action": "poll", "title": "Élection", "kind": "election", "candidates": [a.plain_member.pk]},
        follow=True,
    ).content.decode()
    assert "seul le collège des CPTS est éligible" in refused


def test_assembly_room_has_no_inline_script(ago, web):
    a = ago
    url = reverse("governance-meeting", kwargs={"federation_slug": a.fed.slug, "meeting_id": a.meeting.pk})
    html = web(a.coordinator).get(url).content.decode()
    assert "governance/room.js" in html
    assert "<script>" not in html.replace(" ", "")
    assert "onclick=" not in html.split("<main")[1]


def test_withdraw_a_proxy_from_the_room(ago, web):
    a = ago
    action = reverse(
        "governance-meeting-action", kwargs={"federation_slug": a.fed.slug, "meeting_id": a.meeting.pk}
    )
    proxy = a.meeting.proxies.get()
    page = web(a.delegates[4]).post(action, {"action": "withdraw_proxy", "proxy": proxy.pk}, follow=True)
    assert "Pouvoir retiré" in page.content.decode()
    assert not a.meeting.proxies.exists()
    assert selectors.meeting_quorum(a.meeting).present_or_represented == 4


def test_published_results_are_immutable_in_the_database(divergent):
    from django.db import IntegrityError, transaction

    poll = divergent.extra["poll"]
    refused = IntegrityError  # raised by the triggers of migration 0003 (SQLite and PostgreSQL)
    with pytest.raises(refused), transaction.atomic():
        Poll.objects.filter(pk=poll.pk).update(result={"outcome": "rejected"})
    with pytest.raises(refused), transaction.atomic():
        Ballot.objects.filter(poll=poll).update(choice="no")
    with pytest.raises(refused), transaction.atomic():
        Ballot.objects.create(poll=poll, college="cpts", choice="yes")
    poll.refresh_from_db()
    assert poll.result["outcome"] == "adopted"


def test_register_of_decisions(divergent, api, web):
    a = divergent
    url = reverse("api-governance-polls", kwargs={"federation_slug": a.fed.slug})
    published = api(a.plain_member).get(url, {"status": "published"}).json()["results"]
    assert [p["title"] for p in published] == ["Budget 2027"]
    assert published[0]["result"]["divergence"] is True
    assert api(a.plain_member).get(url, {"status": "open"}).json()["results"] == []
    page = web(a.plain_member).get(reverse("governance-federation", kwargs={"federation_slug": a.fed.slug}))
    html = page.content.decode()
    assert "Registre des délibérations" in html and "Budget 2027" in html and "divergence" in html
