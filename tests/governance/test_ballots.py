"""One ballot per member per poll (database constraint, concurrent submissions), secret ballots
cannot be joined to voters, and the audit log never reveals a secret choice."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from federation.governance import services
from federation.governance.models import AuditEntry, Ballot, Participation
from tests.governance.conftest import build_assembly, error_code, open_meeting


@pytest.mark.django_db
def test_secret_ballots_cannot_be_joined_to_voters(ago):
    a = ago
    poll = services.poll_create(
        actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Secret", secret=True
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    for i, choice in enumerate(["yes", "no", "yes", "abstain"]):
        services.ballot_cast(
            actor=a.delegates[i], poll=poll, right_key=f"member-{a.members[i].pk}", choice=choice
        )
    services.ballot_cast(actor=a.delegates[0], poll=poll, right_key=f"member-{a.members[4].pk}", choice="no")

    # The ballot table has no column that could point to a voter or to a moment.
    with connection.cursor() as cursor:
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)
        }
        relations = connection.introspection.get_relations(cursor, Ballot._meta.db_table)
    assert columns == {"id", "poll_id", "college", "choice", "candidate_id", "blank"}
    assert {target for _col, (_f, target) in relations.items()} <= {"governance_poll", "governance_candidate"}
    # Keys are random UUIDs (no sequence to line up with participations).
    assert all(b.id.version == 4 for b in Ballot.objects.filter(poll=poll))
    # The participation rows know who voted, never what.
    assert set(Participation.objects.filter(poll=poll).values_list("open_choice", flat=True)) == {""}
    assert not Participation.objects.filter(poll=poll, open_candidate__isnull=False).exists()
    # The audit log records the participations without any choice.
    for entry in AuditEntry.objects.filter(event="ballot.cast", payload__poll=poll.pk):
        assert "choice" not in entry.payload and "candidate" not in entry.payload

    before = [b.pk for b in Ballot.objects.filter(poll=poll)]
    services.poll_close(actor=a.coordinator, poll=poll)
    after = list(Ballot.objects.filter(poll=poll))
    # Closing rewrote every ballot with a fresh key (same contents, no trace of the casting order).
    assert not set(before) & {b.pk for b in after}
    assert sorted(b.choice for b in after) == ["abstain", "no", "no", "yes", "yes"]


@pytest.mark.django_db
def test_open_ballots_are_named(ago):
    a = ago
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Nominal")
    services.poll_open(actor=a.coordinator, poll=poll)
    services.ballot_cast(actor=a.delegates[2], poll=poll, choice="no")
    row = Participation.objects.get(poll=poll)
    assert (row.member_id, row.open_choice) == (a.members[2].pk, "no")
    entry = AuditEntry.objects.filter(event="ballot.cast").latest("seq")
    assert entry.payload["choice"] == "no"


@pytest.mark.skipif(
    not settings.IS_POSTGRES, reason="concurrency needs PostgreSQL (SQLite serialises writers)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_give_exactly_one_ballot(world):
    a = build_assembly(world)
    a.meeting = open_meeting(a)
    services.attendance_sign(actor=a.coordinator, meeting=a.meeting, member=a.members[1], status="present")
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Course")
    services.poll_open(actor=a.coordinator, poll=poll)
    barrier = threading.Barrier(8)
    outcomes = []

    def submit(choice):
        try:
            barrier.wait()
            services.ballot_cast(actor=a.delegates[1], poll=poll, choice=choice)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(error_code(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(["yes", "no"][i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert outcomes.count("already_voted") == 7
    assert Participation.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1


@pytest.mark.django_db
@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attempts=st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["yes", "no", "abstain"])), max_size=15)
)
def test_no_member_ever_has_two_ballots(ago, attempts):
    a = ago
    poll = services.poll_create(
        actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="P", secret=True
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    accepted = set()
    for who, choice in attempts:
        # delegate 0 holds CPTS 4's proxy: it names which vote it casts
        actor = a.delegates[0] if who == 4 else a.delegates[who]
        try:
            services.ballot_cast(
                actor=actor, poll=poll, right_key=f"member-{a.members[who].pk}", choice=choice
            )
            accepted.add(who)
        except ValidationError as exc:
            assert error_code(exc) == "already_voted" and who in accepted
    assert Participation.objects.filter(poll=poll).count() == len(accepted)
    assert Ballot.objects.filter(poll=poll).count() == len(accepted)


@pytest.mark.skipif(
    not settings.IS_POSTGRES, reason="concurrency needs PostgreSQL (SQLite serialises writers)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_proxies_respect_the_cap(world):
    a = build_assembly(world)
    a.meeting = open_meeting(a)
    barrier = threading.Barrier(4)
    outcomes = []

    def give(i):
        try:
            barrier.wait()
            services.proxy_give(actor=None, meeting=a.meeting, giver=a.members[i], holder=a.delegates[0])
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(error_code(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=give, args=(i,)) for i in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "ok", "proxy_cap", "proxy_cap"]
    assert a.meeting.proxies.count() == 2
