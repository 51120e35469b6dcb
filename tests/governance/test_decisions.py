"""Statutes changes, membership decisions, bureau rules, convocations, second meetings, events."""

from datetime import date, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from federation import events
from federation.governance import realtime, selectors, services
from federation.governance.models import AuditEntry, Body, DecisionKind, Delegate, Poll
from federation.models import CptsRole, MaturityStage
from tests import factories
from tests.governance.conftest import build_assembly, error_code, open_meeting, other_assembly

pytestmark = pytest.mark.django_db


def adopt(a, poll, voters=range(5)):
    services.poll_open(actor=a.coordinator, poll=poll)
    for i in voters:
        services.ballot_cast(
            actor=a.delegates[i], poll=poll, right_key=f"member-{a.members[i].pk}", choice="yes"
        )
    services.poll_close(actor=a.coordinator, poll=poll)
    services.poll_publish(actor=a.coordinator, poll=poll)
    poll.refresh_from_db()
    return poll


def present_all(a):
    for m in a.members:
        services.attendance_sign(actor=a.coordinator, meeting=a.meeting, member=m, status="present")


def test_statutes_change_is_a_voted_decision(assembly):
    a = assembly
    with pytest.raises(ValidationError) as exc:
        services.statutes_initialize(actor=None, federation=a.fed)
    assert exc.value.code == "statutes_exist"
    a.meeting = open_meeting(a, body=Body.AGE, title="AGE")
    present_all(a)
    poll = services.statutes_change_propose(
        actor=a.coordinator,
        federation=a.fed,
        meeting=a.meeting,
        changes={
            "max_proxies_per_holder": 1,
            "quorum_ago": "1/3",
            "min_join_stage": MaturityStage.ACI_SIGNED,
        },
    )
    assert poll.decision_kind == DecisionKind.STATUTES
    assert selectors.statutes_of(a.fed).max_proxies_per_holder == 2  # not before the vote
    poll = adopt(a, poll)
    assert poll.result["majority"] == "two_thirds" and poll.result["outcome"] == "adopted"
    statutes = selectors.statutes_of(a.fed)
    a.fed.refresh_from_db()
    assert (statutes.max_proxies_per_holder, statutes.quorum_ago, statutes.adopted_by_id) == (
        1,
        "1/3",
        poll.pk,
    )
    assert a.fed.min_join_stage == MaturityStage.ACI_SIGNED


def test_statutes_change_needs_an_age(ago):
    a = ago
    with pytest.raises(ValidationError) as exc:
        services.statutes_change_propose(
            actor=a.coordinator, federation=a.fed, meeting=a.meeting, changes={"convocation_days": 10}
        )
    assert exc.value.code == "wrong_body"
    with pytest.raises(ValidationError):
        services.statutes_change_propose(
            actor=a.coordinator,
            federation=a.fed,
            changes={"quorum_ago": "7/8"},
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=5),
        )


def test_a_cpts_joins_and_another_leaves_by_decision_of_the_ag(ago):
    a = ago
    newcomer = factories.CptsFactory(name="CPTS Nouvelle", maturity_stage=MaturityStage.ACI_SIGNED)
    join = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        meeting=a.meeting,
        title="Adhésion de la CPTS Nouvelle",
        decision_kind=DecisionKind.MEMBERSHIP,
        effect={"type": "cpts_join", "cpts": newcomer.pk},
    )
    adopt(a, join, voters=range(4))
    assert selectors.college_members(a.fed, "cpts").filter(cpts=newcomer).exists()
    leave = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        meeting=a.meeting,
        title="Départ",
        decision_kind=DecisionKind.MEMBERSHIP,
        effect={"type": "member_leave", "member": a.members[3].pk},
    )
    adopt(a, leave, voters=range(4))
    a.members[3].refresh_from_db()
    assert a.members[3].left_on is not None
    assert not Delegate.objects.filter(member=a.members[3], until__isnull=True).exists()
    partner = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        meeting=a.meeting,
        title="Nouveau partenaire",
        decision_kind=DecisionKind.MEMBERSHIP,
        effect={"type": "partner_join", "name": "GRADeS e-santé Occitanie", "kind": "grades"},
    )
    adopt(a, partner, voters=range(3))
    assert (
        selectors.college_members(a.fed, "partners").filter(partner__name="GRADeS e-santé Occitanie").exists()
    )


def test_membership_needs_the_body_of_the_statutes_and_the_stage(ago):
    a = ago
    early = factories.CptsFactory(name="CPTS en projet", maturity_stage=MaturityStage.PROJECT)
    with pytest.raises(ValidationError) as exc:
        services.poll_create(
            actor=a.coordinator,
            federation=a.fed,
            meeting=a.meeting,
            title="Adhésion",
            decision_kind=DecisionKind.MEMBERSHIP,
            effect={"type": "cpts_join", "cpts": early.pk},
        )
    assert exc.value.code == "stage_too_early"
    settings_row = selectors.statutes_of(a.fed)
    settings_row.membership_decided_by = "bureau"
    settings_row.save()
    ok = factories.CptsFactory(name="CPTS prête", maturity_stage=MaturityStage.ACI_SIGNED)
    with pytest.raises(ValidationError) as exc:
        services.poll_create(
            actor=a.coordinator,
            federation=a.fed,
            meeting=a.meeting,
            title="Adhésion",
            decision_kind=DecisionKind.MEMBERSHIP,
            effect={"type": "cpts_join", "cpts": ok.pk},
        )
    assert exc.value.code == "wrong_body"
    assert "le bureau" in exc.value.messages[0]


def test_bureau_rules_and_bureau_vote(assembly):
    a = assembly
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.bureau_set(
            actor=a.coordinator,
            federation=a.fed,
            seats=[(a.delegates[0], "president"), (a.plain_member, "treasurer")],
            starts_on=today,
        )
    text = " ".join(exc.value.messages)
    assert "vice-président" in text.lower() and "n'est pas délégué" in text
    seats = [
        (a.delegates[0], "president"),
        (a.delegates[1], "vice_president"),
        (a.delegates[2], "treasurer"),
        (a.delegates[3], "secretary"),
    ]
    mandates = services.bureau_set(actor=a.coordinator, federation=a.fed, seats=seats, starts_on=today)
    assert mandates[0].ends_on == date(today.year + 3, today.month, today.day) - timedelta(days=1)
    # a bureau member manages governance; a bureau meeting votes one seat, one vote
    meeting = services.meeting_create(
        actor=a.delegates[0],
        federation=a.fed,
        body=Body.BUREAU,
        title="Bureau",
        starts_at=timezone.now() + timedelta(days=8),
    )
    services.meeting_convene(actor=a.delegates[0], meeting=meeting)
    services.meeting_open(actor=a.delegates[0], meeting=meeting, now=meeting.starts_at)
    for m in mandates[:3]:
        services.attendance_sign(actor=m.user, meeting=meeting, mandate=m, status="present")
    assert selectors.meeting_quorum(meeting).met  # 3 of 4 seats
    poll = services.poll_create(actor=a.delegates[0], federation=a.fed, meeting=meeting, title="Devis")
    assert poll.decision_kind == DecisionKind.BUREAU
    services.poll_open(actor=a.delegates[0], poll=poll)
    services.ballot_cast(actor=a.delegates[0], poll=poll, choice="yes")
    services.ballot_cast(actor=a.delegates[1], poll=poll, choice="no")
    with pytest.raises(Exception):  # noqa: B017 — seat 4 is not signed in... and CPTS delegate 4 has no seat
        services.ballot_cast(actor=a.delegates[4], poll=poll, choice="yes")
    services.poll_close(actor=a.delegates[0], poll=poll)
    poll.refresh_from_db()
    # 1-1 tie: the president's (open) vote is the casting vote
    assert poll.result["tie"] is True and poll.result["casting_vote_used"] is True
    assert poll.result["outcome"] == "adopted"


def test_bureau_parity_with_two_cpts(world):
    a = build_assembly(world, n_cpts=2, n_partners=0)
    extra = factories.MembershipFactory(cpts=a.cpts[0], role=CptsRole.BUREAU).user
    services.delegate_designate(actor=None, federation=a.fed, cpts=a.cpts[0], user=extra)
    extra2 = factories.MembershipFactory(cpts=a.cpts[0], role=CptsRole.MEMBER).user
    services.delegate_designate(actor=None, federation=a.fed, cpts=a.cpts[0], user=extra2, kind="substitute")
    other = factories.MembershipFactory(cpts=a.cpts[1], role=CptsRole.BUREAU).user
    services.delegate_designate(actor=None, federation=a.fed, cpts=a.cpts[1], user=other)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.bureau_set(
            actor=None,
            federation=a.fed,
            seats=[
                (a.delegates[0], "president"),
                (extra, "vice_president"),
                (extra2, "treasurer"),
                (a.delegates[1], "secretary"),
            ],
            starts_on=today,
        )
    assert "parité" in exc.value.messages[0] and "3 poste(s)" in exc.value.messages[0]
    services.bureau_set(
        actor=None,
        federation=a.fed,
        seats=[
            (a.delegates[0], "president"),
            (a.delegates[1], "vice_president"),
            (extra, "treasurer"),
            (other, "secretary"),
        ],
        starts_on=today,
    )
    assert len(selectors.bureau(a.fed)) == 4


def test_delegates_are_chosen_among_the_cpts_members(assembly):
    a = assembly
    stranger = factories.UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.delegate_designate(actor=None, federation=a.fed, cpts=a.cpts[1], user=stranger)
    assert error_code(exc.value) == "not_cpts_member"
    sub = factories.MembershipFactory(cpts=a.cpts[1]).user
    d = services.delegate_designate(actor=None, federation=a.fed, cpts=a.cpts[1], user=sub, kind="substitute")
    sub2 = factories.MembershipFactory(cpts=a.cpts[1]).user
    services.delegate_designate(actor=None, federation=a.fed, cpts=a.cpts[1], user=sub2, kind="substitute")
    d.refresh_from_db()
    assert d.until is not None  # one substitute at a time


def test_fees(assembly):
    a = assembly
    fee = services.fee_set(actor=a.coordinator, federation=a.fed, member=a.members[0], year=2026, amount=300)
    services.fee_mark(actor=a.coordinator, fee=fee, status="paid")
    fee.refresh_from_db()
    assert fee.status == "paid" and fee.paid_on == timezone.localdate()


def test_convocation_delay_and_email(assembly, django_capture_on_commit_callbacks):
    a = assembly
    late = services.meeting_create(
        actor=a.coordinator,
        federation=a.fed,
        body=Body.AGO,
        title="Trop tard",
        starts_at=timezone.now() + timedelta(days=3),
    )
    with pytest.raises(ValidationError) as exc:
        services.meeting_convene(actor=a.coordinator, meeting=late)
    assert exc.value.code == "convocation_too_late" and "7 jours" in exc.value.messages[0]
    ok = services.meeting_create(
        actor=a.coordinator,
        federation=a.fed,
        body=Body.AGO,
        title="AGO annuelle",
        starts_at=timezone.now() + timedelta(days=10),
        agenda=["Approbation des comptes"],
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(actor=a.coordinator, meeting=ok)
    recipients = {m.to[0] for m in mail.outbox}
    assert set(a_.email for a_ in a.delegates) <= recipients
    assert set(p.email for p in a.partner_delegates) <= recipients
    assert "Approbation des comptes" in mail.outbox[0].body


def test_second_meeting_without_quorum(assembly):
    """Seed 000, model statutes art. 13.2: "Dans l'hypothèse où le quorum ne serait pas atteint sur la base
    de la première convocation, le Président [...] s'engage à convoquer et à tenir une nouvelle séance dans
    les 15 jours. A défaut d'obtention du quorum lors de cette seconde séance, les délibérations feront
    l'objet d'un vote à la majorité relative des membres de l'association présents ou représentés." """
    a = assembly
    first = open_meeting(a, title="AGO (1re convocation)")
    services.attendance_sign(actor=a.coordinator, meeting=first, member=a.members[0], status="present")
    assert not selectors.meeting_quorum(first).met
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=first, title="Budget")
    # Without its quorum, the first session cannot put anything to the vote.
    with pytest.raises(ValidationError) as exc:
        services.poll_open(actor=a.coordinator, poll=poll)
    assert error_code(exc.value) == "quorum_not_met"
    poll.refresh_from_db()
    assert poll.status == "draft" and poll.quorum_override == {}
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=a.coordinator,
            federation=a.fed,
            body=Body.AGO,
            title="Trop tard",
            starts_at=first.starts_at + timedelta(days=16),
            first_meeting=first,
        )
    assert error_code(exc.value) == "second_meeting_too_late"
    second = services.meeting_create(
        actor=a.coordinator,
        federation=a.fed,
        body=Body.AGO,
        title="AGO (2e convocation)",
        starts_at=first.starts_at + timedelta(days=10),
        first_meeting=first,
    )
    services.meeting_convene(actor=a.coordinator, meeting=second)
    services.meeting_open(actor=a.coordinator, meeting=second, now=second.starts_at)
    services.attendance_sign(actor=a.coordinator, meeting=second, member=a.members[0], status="present")
    services.attendance_sign(actor=a.coordinator, meeting=second, member=a.members[1], status="present")
    poll2 = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=second, title="Budget")
    # The quorum failed again: the chair must say the session deliberates without it (recorded).
    with pytest.raises(ValidationError) as exc:
        services.poll_open(actor=a.coordinator, poll=poll2)
    assert error_code(exc.value) == "quorum_override_required"
    services.poll_open(actor=a.coordinator, poll=poll2, without_quorum=True)
    poll2.refresh_from_db()
    assert (
        poll2.quorum_override["reason"] == "second_session"
        and poll2.quorum_override["by"] == a.coordinator.pk
    )
    opened = AuditEntry.objects.filter(event="poll.opened", payload__poll=poll2.pk).get()
    assert opened.payload["quorum_override"]["quorum"]["met"] is False
    services.ballot_cast(actor=a.delegates[0], poll=poll2, choice="yes")
    services.ballot_cast(actor=a.delegates[1], poll=poll2, choice="abstain")
    services.poll_close(actor=a.coordinator, poll=poll2)
    poll2.refresh_from_db()
    assert poll2.result["outcome"] == "adopted" and poll2.result["majority"] == "relative"
    assert poll2.result["quorum"]["required"] is False and poll2.result["quorum"]["met"] is False

    # With its quorum, the second session follows the ordinary rules: absolute majority.
    services.attendance_sign(actor=a.coordinator, meeting=second, member=a.members[2], status="present")
    poll3 = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=second, title="Cotisations")
    services.poll_open(actor=a.coordinator, poll=poll3)
    services.ballot_cast(actor=a.delegates[0], poll=poll3, choice="yes")
    services.ballot_cast(actor=a.delegates[1], poll=poll3, choice="no")
    services.ballot_cast(actor=a.delegates[2], poll=poll3, choice="no")
    services.poll_close(actor=a.coordinator, poll=poll3)
    poll3.refresh_from_db()
    assert poll3.quorum_override == {} and poll3.result["majority"] == "absolute"
    assert poll3.result["outcome"] == "rejected"


def test_a_second_age_session_needs_its_quorum(assembly):
    """Seed 000, art. 13.3: the AGE "peut valablement délibérer, à la condition de réunir un quorum
    représentant au minimum la moitié des membres [...]" — no second-session clause."""
    a = assembly
    first = open_meeting(a, body=Body.AGE, title="AGE (1re convocation)")
    second = services.meeting_create(
        actor=a.coordinator,
        federation=a.fed,
        body=Body.AGE,
        title="AGE (2e convocation)",
        starts_at=first.starts_at + timedelta(days=10),
        first_meeting=first,
    )
    services.meeting_convene(actor=a.coordinator, meeting=second)
    services.meeting_open(actor=a.coordinator, meeting=second, now=second.starts_at)
    for member in a.members[:2]:
        services.attendance_sign(actor=a.coordinator, meeting=second, member=member, status="present")
    poll = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        meeting=second,
        title="Dissolution",
        decision_kind="dissolution",
    )
    for override in (False, True):
        with pytest.raises(ValidationError) as exc:
            services.poll_open(actor=a.coordinator, poll=poll, without_quorum=override)
        assert error_code(exc.value) == "quorum_not_met"
    poll.refresh_from_db()
    assert poll.status == "draft"


def test_a_meeting_cannot_open_before_its_time(assembly):
    """The convocation announced a date (seed 000: convocation at least 7 days ahead); opening earlier
    would let a vote bypass that notice."""
    a = assembly
    starts_at = timezone.now() + timedelta(days=8)
    meeting = services.meeting_create(
        actor=a.coordinator, federation=a.fed, body=Body.AGO, title="AGO du 10", starts_at=starts_at
    )
    services.meeting_convene(actor=a.coordinator, meeting=meeting)
    with pytest.raises(ValidationError) as exc:
        services.meeting_open(actor=a.coordinator, meeting=meeting)
    assert error_code(exc.value) == "too_early"
    meeting.refresh_from_db()
    assert meeting.status == "convened" and meeting.opened_at is None
    services.meeting_open(actor=a.coordinator, meeting=meeting, now=starts_at)
    assert meeting.status == "open"


def test_written_consultation_period(assembly):
    a = assembly
    now = timezone.now()
    poll = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        title="Consultation",
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=2),
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    with pytest.raises(ValidationError) as exc:
        services.ballot_cast(actor=a.delegates[0], poll=poll, choice="yes")
    assert exc.value.code == "outside_period"
    services.ballot_cast(actor=a.delegates[0], poll=poll, choice="yes", now=now + timedelta(hours=2))
    with pytest.raises(ValidationError):
        services.ballot_cast(actor=a.delegates[1], poll=poll, choice="yes", now=now + timedelta(days=3))
    Poll.objects.filter(pk=poll.pk).update(
        closes_at=now - timedelta(minutes=1), opens_at=now - timedelta(days=1)
    )
    from federation.governance.tasks import close_due_consultations

    assert close_due_consultations() == 1
    poll.refresh_from_db()
    assert poll.status == "closed" and poll.result["participation"]["cpts"] == 1


def test_live_events_hide_secret_choices(ago, monkeypatch, django_capture_on_commit_callbacks):
    a = ago
    sent = []
    monkeypatch.setattr(events, "send_event", lambda groups, event: sent.append((groups, event)))
    poll = services.poll_create(
        actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="S", secret=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_open(actor=a.coordinator, poll=poll)
        services.ballot_cast(actor=a.delegates[1], poll=poll, choice="no")
    groups = [realtime.poll_group(poll.pk), realtime.federation_group(a.fed.pk)]
    assert [g for g, _e in sent] == [groups, groups]
    opened, cast = (e for _g, e in sent)
    assert opened["name"] == "poll.opened"
    assert cast["type"] == "governance.event" and cast["name"] == "poll.participation"
    assert cast["data"]["participation"] == {"total": 1, "eligible": 8}
    assert "tallies" not in cast["data"]
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_close(actor=a.coordinator, poll=poll)
    closed = sent[0][1]
    assert closed["name"] == "poll.closed" and closed["data"]["tallies"]["cpts"] == {"no": 1}
    assert closed["data"]["participation"]["cpts"] == 1


def test_events_reach_the_channel_layer(ago, django_capture_on_commit_callbacks, settings):
    """End to end through a real (in-memory) channel layer: a socket in the poll group gets the event."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    a = ago
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Ouvert")
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.poll_group(poll.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_open(actor=a.coordinator, poll=poll)
        services.ballot_cast(actor=a.delegates[1], poll=poll, choice="yes")
    async_to_sync(layer.receive)(channel)
    cast = async_to_sync(layer.receive)(channel)
    assert cast["data"]["tallies"]["cpts"] == {"yes": 1}  # open (named) poll: live tallies
    channel_layers.backends.clear()


def test_websocket_group_membership(ago):
    a = ago
    other = other_assembly(a.world)
    poll = services.poll_create(actor=None, federation=a.fed, meeting=a.meeting, title="P")
    assert realtime.groups_for(a.delegates[0]) == [realtime.federation_group(a.fed.pk)]
    assert realtime.may_join(a.plain_member, realtime.poll_group(poll.pk))
    assert realtime.may_join(a.partner_delegates[0], realtime.federation_group(a.fed.pk))
    assert not realtime.may_join(other.delegates[0], realtime.poll_group(poll.pk))
    assert not realtime.may_join(other.delegates[0], realtime.federation_group(a.fed.pk))
    assert not realtime.may_join(a.delegates[0], "governance.poll.999999")
    assert not realtime.may_join(a.delegates[0], "user.1")


def test_secret_tie_settled_by_the_declared_casting_vote(ago):
    a = ago
    poll = services.poll_create(
        actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="T", secret=True
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    for i, choice in enumerate(["yes", "no", "yes", "no"]):
        services.ballot_cast(
            actor=a.delegates[i], poll=poll, right_key=f"member-{a.members[i].pk}", choice=choice
        )
    services.poll_close(actor=a.coordinator, poll=poll, casting_vote="no")
    poll.refresh_from_db()
    assert poll.result["tie"] and poll.result["casting_vote_used"] and poll.result["outcome"] == "rejected"


def test_delegates_sign_only_their_own_member(ago, web):
    from django.urls import reverse

    a = ago
    url = reverse("governance-meeting", kwargs={"federation_slug": a.fed.slug, "meeting_id": a.meeting.pk})
    response = web(a.delegates[1]).get(url)
    rows = {row["label"]: row["can_sign"] for row in response.context["sheet"]}
    assert rows[a.cpts[1].name] is True and rows[a.cpts[2].name] is False
    assert all(web(a.coordinator).get(url).context["sheet"][i]["can_sign"] for i in range(3))
    action = reverse(
        "governance-meeting-action", kwargs={"federation_slug": a.fed.slug, "meeting_id": a.meeting.pk}
    )
    assert (
        web(a.delegates[1])
        .post(action, {"action": "attendance", "member": a.members[2].pk, "status": "absent"})
        .status_code
        == 403
    )


def test_governance_page_forms(assembly, web):
    from django.urls import reverse

    a = assembly
    url = reverse("governance-federation", kwargs={"federation_slug": a.fed.slug})
    coordinator = web(a.coordinator)
    seats = {
        "form": "bureau",
        "president": a.delegates[0].pk,
        "vice_president": a.delegates[1].pk,
        "treasurer": a.delegates[2].pk,
        "starts_on": "2026-06-01",
    }
    page = coordinator.post(url, seats, follow=True).content.decode()
    assert "Le bureau doit compter un·e Secrétaire" in page
    page = coordinator.post(url, {**seats, "secretary": a.delegates[3].pk}, follow=True).content.decode()
    assert "Nouveau bureau installé" in page and len(selectors.bureau(a.fed)) == 4
    fee = services.fee_set(actor=None, federation=a.fed, member=a.members[0], year=2026, amount=300)
    coordinator.post(url, {"form": "fee", "fee": fee.pk, "status": "paid"})
    fee.refresh_from_db()
    assert fee.status == "paid"
    # the delegate of CPTS 4 (a bureau member of that CPTS, not of the federation's bureau) designates
    # its substitute among its own members...
    delegate = web(a.delegates[4])
    assert a.cpts[4].name in delegate.get(url).content.decode()
    delegate.post(
        url, {"form": "delegate", "choice": f"{a.members[4].pk}:{a.delegates[4].pk}", "kind": "substitute"}
    )
    assert Delegate.objects.get(member=a.members[4], until__isnull=True).kind == "substitute"
    # ... but not for another CPTS, and plain members manage nothing
    forbidden = {"form": "delegate", "choice": f"{a.members[2].pk}:{a.delegates[2].pk}"}
    assert delegate.post(url, forbidden).status_code == 403
    assert web(a.plain_member).post(url, {"form": "fee", "fee": fee.pk, "status": "due"}).status_code == 403


def test_statutes_change_from_the_page(assembly, web):
    from django.urls import reverse

    from federation.governance.statutes.forms import StatutesChangeForm

    a = assembly
    url = reverse("governance-federation", kwargs={"federation_slug": a.fed.slug})
    current = StatutesChangeForm(instance=selectors.statutes_of(a.fed), federation=a.fed)
    data = {
        name: field.initial if field.initial is not None else current.initial.get(name)
        for name, field in current.fields.items()
    }
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    data.update(
        form="statutes",
        convocation_days=10,
        opens_at="2020-01-01T08:00",
        closes_at="2099-01-01T08:00",
    )
    page = web(a.coordinator).post(url, data, follow=True).content.decode()
    assert "soumise au vote de l&#x27;AGE" in page  # escaped apostrophe
    poll = Poll.objects.get(decision_kind="statutes")
    assert poll.effect["changes"] == {"convocation_days": 10} and poll.body == "age" and poll.status == "open"
    assert "Délai de convocation (jours) : 7 → 10" in poll.description
    assert web(a.plain_member).post(url, data).status_code == 403


def test_electing_the_president_installs_the_mandate(ago):
    a = ago
    today = timezone.localdate()
    seats = [
        (a.delegates[0], "president"),
        (a.delegates[1], "vice_president"),
        (a.delegates[2], "treasurer"),
        (a.delegates[3], "secretary"),
    ]
    services.bureau_set(actor=None, federation=a.fed, seats=seats, starts_on=today - timedelta(days=400))
    poll = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        meeting=a.meeting,
        title="Élection du/de la président·e",
        kind=Poll.Kind.ELECTION,
        candidates=[a.delegates[1], a.delegates[2]],
        secret=True,
        effect={"type": "bureau_seat", "role": "president"},
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    cands = {c.user_id: c.pk for c in poll.candidates.all()}
    picks = [a.delegates[1], a.delegates[1], a.delegates[2], a.delegates[1]]
    for i, user in enumerate(picks):
        services.ballot_cast(
            actor=a.delegates[i],
            poll=poll,
            right_key=f"member-{a.members[i].pk}",
            candidate_id=cands[user.pk],
        )
    services.poll_close(actor=a.coordinator, poll=poll)
    services.poll_publish(actor=a.coordinator, poll=poll)
    president = selectors.president(a.fed)
    assert president.user == a.delegates[1] and president.elected_by_id == poll.pk
    assert president.starts_on == today
    roles = {m.user_id: m.role for m in selectors.bureau(a.fed)}
    # the old president left; the new one gave up the vice-presidency
    assert a.delegates[0].pk not in roles and roles[a.delegates[1].pk] == "president"
    assert "bureau.elected" in AuditEntry.objects.filter(federation=a.fed).values_list("event", flat=True)


def test_membership_decided_by_the_bureau_when_the_statutes_say_so(assembly):
    a = assembly
    row = selectors.statutes_of(a.fed)
    row.membership_decided_by = "bureau"
    row.save()
    seats = [
        (a.delegates[0], "president"),
        (a.delegates[1], "vice_president"),
        (a.delegates[2], "treasurer"),
        (a.delegates[3], "secretary"),
    ]
    mandates = services.bureau_set(actor=None, federation=a.fed, seats=seats, starts_on=timezone.localdate())
    meeting = services.meeting_create(
        actor=a.delegates[0],
        federation=a.fed,
        body=Body.BUREAU,
        title="Bureau",
        starts_at=timezone.now() + timedelta(days=8),
    )
    services.meeting_convene(actor=a.delegates[0], meeting=meeting)
    services.meeting_open(actor=a.delegates[0], meeting=meeting, now=meeting.starts_at)
    for m in mandates:
        services.attendance_sign(actor=m.user, meeting=meeting, mandate=m, status="present")
    newcomer = factories.CptsFactory(name="CPTS Arrivante", maturity_stage=MaturityStage.ACI_SIGNED)
    poll = services.poll_create(
        actor=a.delegates[0],
        federation=a.fed,
        meeting=meeting,
        title="Adhésion de la CPTS Arrivante",
        decision_kind=DecisionKind.MEMBERSHIP,
        effect={"type": "cpts_join", "cpts": newcomer.pk},
    )
    services.poll_open(actor=a.delegates[0], poll=poll)
    for user in a.delegates[:3]:
        services.ballot_cast(actor=user, poll=poll, choice="yes")
    services.ballot_cast(actor=a.delegates[3], poll=poll, choice="no")
    services.poll_close(actor=a.delegates[0], poll=poll)
    services.poll_publish(actor=a.delegates[0], poll=poll)
    poll.refresh_from_db()
    assert poll.result["tally"] == {"yes": 3, "no": 1, "abstain": 0}
    assert poll.result["participation"] == {"bureau": 4, "eligible_bureau": 4}
    assert selectors.college_members(a.fed, "cpts").filter(cpts=newcomer).exists()
