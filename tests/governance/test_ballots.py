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
from federation.governance.models import AuditEntry, Ballot, CountedBallot, Participation, SealedBallot
from tests.governance.conftest import build_assembly, error_code, open_meeting


@pytest.mark.django_db
def test_secret_ballots_are_sealed_and_cannot_be_joined_to_voters(ago):
    a = ago
    poll = services.poll_create(
        actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Secret", secret=True
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    poll.refresh_from_db()
    assert len(bytes.fromhex(poll.public_key)) == 32  # the public key only; the private one is derived
    receipts = []
    for i, choice in enumerate(["yes", "no", "yes", "abstain"]):
        cast = services.ballot_cast(
            actor=a.delegates[i], poll=poll, right_key=f"member-{a.members[i].pk}", choice=choice
        )
        receipts.append((cast.receipt, choice))
    cast = services.ballot_cast(
        actor=a.delegates[0], poll=poll, right_key=f"member-{a.members[4].pk}", choice="no"
    )
    receipts.append((cast.receipt, "no"))

    # The sealed ballot table has no column that could point to a voter, a moment or a choice.
    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, SealedBallot._meta.db_table)
        }
        relations = connection.introspection.get_relations(cursor, SealedBallot._meta.db_table)
    assert columns == {"id", "poll_id", "ciphertext"}
    assert {target for _col, (_f, target) in relations.items()} == {"governance_poll"}
    sealed = list(SealedBallot.objects.filter(poll=poll))
    assert all(b.id.version == 4 for b in sealed)  # random keys, no sequence
    assert len({len(bytes(b.ciphertext)) for b in sealed}) == 1  # sizes say nothing about the choice
    assert not Ballot.objects.filter(poll=poll).exists()  # no plain ballot for a secret poll
    for b in sealed:
        assert b"yes" not in bytes(b.ciphertext) and b"abstain" not in bytes(b.ciphertext)
    # The participation rows know who voted, never what nor when (all carry the opening time).
    rows = Participation.objects.filter(poll=poll)
    assert set(rows.values_list("open_choice", flat=True)) == {""}
    assert not rows.filter(open_candidate__isnull=False).exists()
    assert set(rows.values_list("created_at", flat=True)) == {poll.opened_at}
    # The audit log records the participations without any choice.
    for entry in AuditEntry.objects.filter(event="ballot.cast", payload__poll=poll.pk):
        assert "choice" not in entry.payload and "candidate" not in entry.payload

    services.poll_close(actor=a.coordinator, poll=poll)
    poll.refresh_from_db()
    # Closing opened every sealed ballot, kept the counted (receipt, choice) list, deleted the sealed rows.
    assert not SealedBallot.objects.filter(poll=poll).exists()
    counted = sorted(CountedBallot.objects.filter(poll=poll).values_list("receipt", "choice"))
    assert counted == sorted(receipts)
    # The tally is the sum of the opened ballots.
    assert poll.result["tally"] == {"yes": 2, "no": 2, "abstain": 1}
    assert poll.result["ballots_counted"] == 5 and poll.result["ballots_missing"] == 0


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
    for member in a.members[:3]:  # the quorum (3 of 5), or the poll would not open
        services.attendance_sign(actor=a.coordinator, meeting=a.meeting, member=member, status="present")
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
    assert SealedBallot.objects.filter(poll=poll).count() == len(accepted)


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
