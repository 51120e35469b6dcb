"""Benchmark: casting ballots in an assembly (participation row + anonymous ballot + audit link +
event), closing a secret poll (shuffle + result) and rendering the minutes PDF.

Runs on a throw-away test database (SQLite by default, PostgreSQL with DATABASE_URL). Prints JSON.
Usage: .venv/bin/python tests/perf/governance_votes.py [n_cpts]
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main(n_cpts: int) -> dict:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from federation.governance import services
        from federation.governance.audit import verify_chain
        from federation.governance.minutes import minutes_pdf
        from tests.conftest import make_world
        from tests.governance.conftest import build_assembly, open_meeting

        a = build_assembly(make_world(), n_cpts=n_cpts, n_partners=10)
        a.meeting = open_meeting(a)
        for m in a.members + a.partner_members:
            services.attendance_sign(actor=None, meeting=a.meeting, member=m, status="present")
        poll = services.poll_create(
            actor=None, federation=a.fed, meeting=a.meeting, title="Bench", secret=True
        )
        services.poll_open(actor=None, poll=poll)
        voters = [(u, f"member-{m.pk}") for u, m in zip(a.delegates, a.members, strict=True)]
        voters += [(u, None) for u in a.partner_delegates]
        start = time.perf_counter()
        for i, (user, key) in enumerate(voters):
            services.ballot_cast(actor=user, poll=poll, right_key=key, choice=["yes", "no", "abstain"][i % 3])
        cast_seconds = time.perf_counter() - start
        start = time.perf_counter()
        services.poll_close(actor=None, poll=poll)
        close_seconds = time.perf_counter() - start
        services.poll_publish(actor=None, poll=poll)
        services.meeting_close(actor=None, meeting=a.meeting)
        start = time.perf_counter()
        pdf = minutes_pdf(a.meeting)
        pdf_seconds = time.perf_counter() - start
        start = time.perf_counter()
        checked, broken = verify_chain()
        verify_seconds = time.perf_counter() - start
        return {
            "database": connection.vendor,
            "ballots": len(voters),
            "ballot_cast_ms_mean": round(cast_seconds / len(voters) * 1000, 2),
            "ballots_per_second": round(len(voters) / cast_seconds, 1),
            "close_secret_poll_ms": round(close_seconds * 1000, 1),
            "minutes_pdf_ms": round(pdf_seconds * 1000, 1),
            "minutes_pdf_bytes": len(pdf),
            "audit_entries_verified": checked,
            "verify_audit_ms": round(verify_seconds * 1000, 1),
            "audit_ok": broken is None,
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)))
