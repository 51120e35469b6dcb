"""Issue 16, secrecy: a database administrator tries to find who voted what in a secret poll, during the
vote and after it, on PostgreSQL (the database the platform runs on). Every ballot is sealed with the
poll's public key when cast, in a transaction of its own; the private key is derived from a server
secret the database never holds (federation/governance/polls/sealing.py).

The administrator's tools: joins on the transaction ids (`xmin`), the physical order of the rows
(`ctid`) and of the transaction ids, the timestamps, a `pg_dump` taken in the middle of the vote (a
full read of the tables when pg_dump is not installed), then the published list of counted ballots.
"""

import hashlib
import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import connection
from nacl.encoding import RawEncoder
from nacl.hash import blake2b

from federation.governance import services
from federation.governance.models import CountedBallot, Participation, SealedBallot
from federation.governance.polls import sealing
from tests.governance.conftest import build_assembly, open_meeting

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="plays the PostgreSQL administrator"),
]

CHOICES = ["yes", "no", "yes", "abstain", "no"]  # CPTS 0..4 (4 through its proxy, held by delegate 0)


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _dump() -> str:
    """What a backup taken now holds: pg_dump's data, or a read of every governance table."""
    db = connection.settings_dict
    if shutil.which("pg_dump"):
        command = ["pg_dump", "--data-only", "--table=governance_*", "-h", db["HOST"] or "127.0.0.1"]
        command += ["-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres", db["NAME"]]
        env = {"PGPASSWORD": db["PASSWORD"] or "", "PATH": "/usr/bin:/bin"}
        return subprocess.run(command, capture_output=True, text=True, env=env, check=True, timeout=60).stdout
    tables = [t for (t,) in _rows("SELECT tablename FROM pg_tables WHERE tablename LIKE 'governance_%%'")]
    return "\n".join(repr(_rows(f'SELECT * FROM "{table}"')) for table in tables)


def _unkeyed_digests(ciphertext: bytes) -> set[str]:
    """What an administrator can compute from a captured sealed ballot, in the receipts' format."""
    raw = [
        blake2b(ciphertext, digest_size=10, encoder=RawEncoder),
        hashlib.sha256(ciphertext).digest()[:10],
        hashlib.blake2b(ciphertext, digest_size=10).digest(),
        hashlib.sha1(ciphertext).digest()[:10],
    ]
    return {sealing.normalise_receipt(d.hex()) for d in raw}


def test_the_database_administrator_recovers_nothing(world):
    a = build_assembly(world)
    a.meeting = open_meeting(a)
    for member in a.members[:4] + a.partner_members[:1]:
        services.attendance_sign(actor=a.coordinator, meeting=a.meeting, member=member, status="present")
    services.proxy_give(actor=a.delegates[4], meeting=a.meeting, giver=a.members[4], holder=a.delegates[0])
    poll = services.poll_create(
        actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Dissolution", secret=True
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    truth, receipts = {}, {}
    for i, choice in enumerate(CHOICES):
        voter = a.delegates[0] if i == 4 else a.delegates[i]
        cast = services.ballot_cast(
            actor=voter, poll=poll, right_key=f"member-{a.members[i].pk}", choice=choice
        )
        truth[a.members[i].pk] = choice
        receipts[a.members[i].pk] = cast.receipt
    # The partner joins a signed opinion: hidden until the close (with one partner, it is its vote).
    services.ballot_cast(
        actor=a.partner_delegates[0], poll=poll, choice="yes", opinion="Avis favorable du DAC"
    )

    # --- during the vote ---------------------------------------------------------------------------------
    participation = Participation._meta.db_table
    sealed = SealedBallot._meta.db_table
    # 1. Same transaction? Each sealed ballot was written in a transaction of its own.
    assert _rows(f"SELECT p.id FROM {participation} p JOIN {sealed} s ON p.xmin = s.xmin") == []
    # 2. Timestamps: sealed ballots have none; participations all carry the opening time.
    assert {c.name for c in connection.introspection.get_table_description(connection.cursor(), sealed)} == {
        "id",
        "poll_id",
        "ciphertext",
    }
    assert (
        len({t for (t,) in _rows(f"SELECT created_at FROM {participation} WHERE poll_id = %s", [poll.pk])})
        == 1
    )
    # 3. Order: by ctid or by transaction id, the administrator may pair voters with ciphertexts...
    voters_in_order = [
        m
        for (m,) in _rows(
            f"SELECT member_id FROM {participation} WHERE poll_id = %s ORDER BY ctid", [poll.pk]
        )
    ]
    by_ctid = [
        bytes(c)
        for (c,) in _rows(f"SELECT ciphertext FROM {sealed} WHERE poll_id = %s ORDER BY ctid", [poll.pk])
    ]
    by_xmin = [
        bytes(c)
        for (c,) in _rows(
            f"SELECT ciphertext FROM {sealed} WHERE poll_id = %s ORDER BY xmin::text::bigint", [poll.pk]
        )
    ]
    assert len(voters_in_order) == len(by_ctid) == len(by_xmin) == 6
    # ...but a ciphertext says nothing: no choice in clear, one size for all, no key to open it.
    dump = _dump()
    key = sealing.private_key(poll.pk)
    assert bytes(key).hex() not in dump and bytes(key.public_key).hex() in dump  # public key only
    assert settings.BALLOT_SECRET_KEY not in dump
    assert len({len(c) for c in by_ctid}) == 1
    assert "Avis favorable du DAC" in dump  # the opinion is stored, signed (shown after the close only)
    for ciphertext in by_ctid:
        assert b'"choice"' not in ciphertext and b"yes" not in ciphertext
    # No receipt is anywhere yet: the voters hold them, the database does not.
    for code in receipts.values():
        assert code not in dump and code.replace("-", "") not in dump.upper()
    # The pages and the API show neither the tallies nor the partner's opinion while the vote is open.
    from federation.governance import selectors

    poll.refresh_from_db()
    assert "tallies" not in selectors.poll_live_data(poll)
    assert list(selectors.partner_opinions(poll)) == []

    # --- after the close -----------------------------------------------------------------------------------
    services.poll_close(actor=a.coordinator, poll=poll)
    poll.refresh_from_db()
    counted = CountedBallot._meta.db_table
    assert _rows(f"SELECT count(*) FROM {sealed} WHERE poll_id = %s", [poll.pk]) == [(0,)]
    published = _rows(
        f"SELECT receipt, choice, xmin::text FROM {counted} WHERE poll_id = %s ORDER BY ctid", [poll.pk]
    )
    # One transaction wrote them all (one xmin), with no timestamp column, in shuffled order.
    assert len({x for _r, _c, x in published}) == 1
    assert {c.name for c in connection.introspection.get_table_description(connection.cursor(), counted)} == {
        "id",
        "poll_id",
        "receipt",
        "college",
        "choice",
        "candidate_id",
        "blank",
    }
    # 4. The administrator holds each voter's ciphertext (step 3) and the published (receipt, choice)
    #    list: hashing a captured ciphertext does not give its receipt (it is keyed by the server secret).
    published_receipts = {r for r, _c, _x in published}
    for ciphertext in by_ctid:
        assert not (_unkeyed_digests(ciphertext) & published_receipts)
    # Each voter finds their own receipt, with their choice, in the published list.
    listed = {r: c for r, c, _x in published}
    for member_id, code in receipts.items():
        assert listed[code] == truth[member_id]
    # 5. The tally equals the sum of the opened ballots (the deciding college; the partner advises).
    cpts = [c for r, c, _x in published if r in set(receipts.values())]
    assert poll.result["tally"] == {k: cpts.count(k) for k in ("yes", "no", "abstain")}
    assert poll.result["advisory_tally"] == {"yes": 1, "no": 0, "abstain": 0}
    assert sum(poll.result["tally"].values()) + 1 == len(published) == poll.result["ballots_counted"]
    assert [o.text for o in selectors.partner_opinions(poll)] == ["Avis favorable du DAC"]
