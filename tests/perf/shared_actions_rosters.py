"""SNP roster benchmark: sign-up latency (with the cross-roster overlap check and the person lock),
weekly coverage, iCalendar feeds and the monthly hours export on a year-long pooled roster. Prints JSON.

    .venv/bin/python tests/perf/shared_actions_rosters.py [--people 400] [--sites 5] [--weeks 52]

With DATABASE_URL (PostgreSQL), a separate database `<name>_bench_shared_actions` is created on that
server, migrated, filled and dropped at the end. Without it, a temporary SQLite file is used.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--sites", type=int, default=5)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--signups", type=int, default=2000)
    return parser.parse_args()


def setup_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        handle, path = tempfile.mkstemp(prefix="bench-shared-actions-", suffix=".sqlite3")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return lambda: os.path.exists(path) and os.unlink(path)
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_bench_shared_actions"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return drop


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def main() -> None:
    args = parse_args()
    cleanup = setup_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from federation.models import (
        Cpts,
        CptsRole,
        Departement,
        Federation,
        FederationMember,
        FederationRole,
        Membership,
        User,
    )
    from shared_actions.models import ShiftAssignment
    from shared_actions.rosters import selectors
    from shared_actions.rosters import services as roster_services

    try:
        call_command("migrate", verbosity=0)
        random.seed(5)
        started = time.perf_counter()
        dep = Departement.objects.create(code="34", name="Hérault")
        fed = Federation.objects.create(name="Bench", slug="bench", departement=dep)
        cpts = [Cpts.objects.create(name=f"CPTS {i}", slug=f"cpts-{i}") for i in range(5)]
        for c in cpts:
            FederationMember.objects.create(federation=fed, college="cpts", cpts=c)
        coordinator = User.objects.create_user("coord@bench.example", "x")
        FederationRole.objects.create(user=coordinator, federation=fed, role=FederationRole.Role.COORDINATOR)
        people = User.objects.bulk_create([User(email=f"p{i}@bench.example") for i in range(args.people)])
        Membership.objects.bulk_create(
            [Membership(user=p, cpts=cpts[i % len(cpts)], role=CptsRole.MEMBER) for i, p in enumerate(people)]
        )
        roster = roster_services.roster_create(
            actor=coordinator, name="Pooled", federation=fed, participants=cpts
        )
        second = roster_services.roster_create(
            actor=coordinator, name="Other", federation=fed, participants=cpts
        )
        first_day = timezone.localdate() + dt.timedelta(days=1)
        for index in range(args.sites):
            for target in (roster, second):
                site = roster_services.site_create(actor=coordinator, roster=target, name=f"Site {index}")
                roster_services.shifts_create_recurring(
                    actor=coordinator,
                    roster=target,
                    site=site,
                    first_day=first_day,
                    last_day=first_day + dt.timedelta(weeks=args.weeks),
                    weekdays=[5, 6],
                    start_time=dt.time(8),
                    end_time=dt.time(20),
                    required_count=3,
                )
        shifts = list(roster.shifts.all()) + list(second.shifts.all())
        setup_seconds = time.perf_counter() - started

        signup, refused = [], {"shift_overlap": 0, "shift_full": 0, "already_assigned": 0}
        for _ in range(args.signups):
            person, shift = random.choice(people), random.choice(shifts)
            t0 = time.perf_counter()
            try:
                roster_services.shift_sign_up(actor=person, shift=shift)
            except ValidationError as exc:
                refused[exc.error_list[0].code] = refused.get(exc.error_list[0].code, 0) + 1
            signup.append(time.perf_counter() - t0)

        coverage = []
        for week in range(min(args.weeks, 20)):
            t0 = time.perf_counter()
            selectors.roster_coverage(roster, selectors.week_start(first_day + dt.timedelta(weeks=week)))
            coverage.append(time.perf_counter() - t0)

        client = Client()
        busy = ShiftAssignment.objects.values("user").order_by().annotate(n=django.db.models.Count("id"))
        busiest = max(busy, key=lambda row: row["n"])
        person_feed = roster_services.calendar_feed_create(actor=User.objects.get(pk=busiest["user"]))
        roster_feed = roster_services.calendar_feed_create(actor=coordinator, roster=roster)
        feeds = {}
        for label, feed in (("person", person_feed), ("roster", roster_feed)):
            samples = []
            for _ in range(5):
                t0 = time.perf_counter()
                response = client.get(f"/actions/ical/{feed.token}.ics", HTTP_HOST="127.0.0.1")
                samples.append(time.perf_counter() - t0)
            feeds[label] = {**percentiles(samples), "bytes": len(response.content)}
        client.force_login(coordinator)
        month = (first_day + dt.timedelta(days=40)).strftime("%Y-%m")
        t0 = time.perf_counter()
        csv_response = client.get(
            f"/actions/plannings/{roster.pk}/heures.csv?month={month}", HTTP_HOST="127.0.0.1"
        )
        csv_seconds = time.perf_counter() - t0

        print(
            json.dumps(
                {
                    "benchmark": "shared_actions_rosters",
                    "database": django.db.connection.vendor,
                    "people": args.people,
                    "shifts": len(shifts),
                    "assignments": ShiftAssignment.objects.count(),
                    "setup_s": round(setup_seconds, 2),
                    "signup": {**percentiles(signup), "refused": refused},
                    "coverage_week": percentiles(coverage),
                    "ical_feed": feeds,
                    "hours_csv_month": {
                        "ms": round(csv_seconds * 1000, 2),
                        "status": csv_response.status_code,
                        "rows": csv_response.content.count(b"\n"),
                    },
                },
                indent=2,
            )
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
