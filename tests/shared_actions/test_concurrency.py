"""Double booking under concurrency (PostgreSQL): two sign-ups of one person, at the same moment, on
overlapping shifts of rosters of two different CPTS. The person's row is locked, so exactly one wins."""

import threading
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from federation.models import CptsRole
from shared_actions.rosters import services as roster_services
from tests import factories
from tests.shared_actions.conftest import at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="row locks need PostgreSQL"),
]


def test_simultaneous_overlapping_sign_ups_in_two_cpts(world, next_saturday, monkeypatch):
    person = factories.UserFactory(email="both@example.org")
    factories.MembershipFactory(cpts=world.cpts_a, user=person)
    factories.MembershipFactory(cpts=world.cpts_b, user=person, role=CptsRole.MEMBER)
    shifts = []
    for cpts, coordinator in ((world.cpts_a, world.coordinator_a), (world.cpts_b, world.coordinator_b)):
        roster = roster_services.roster_create(actor=coordinator, name=f"SNP {cpts.name}", cpts=cpts)
        site = roster_services.site_create(actor=coordinator, roster=roster, name=f"Site {cpts.name}")
        shifts.append(
            roster_services.shift_create(
                actor=coordinator,
                roster=roster,
                site=site,
                start=at(next_saturday, 8),
                end=at(next_saturday, 14),
            )
        )

    # Widen the window between the lock and the overlap check so both requests are in flight.
    original = roster_services.check_profession

    def slow_check(**kwargs):
        time.sleep(0.4)
        return original(**kwargs)

    monkeypatch.setattr(roster_services, "check_profession", slow_check)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign_up(shift):
        try:
            barrier.wait()
            roster_services.shift_sign_up(actor=person, shift=shift)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.error_list[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(shift,)) for shift in shifts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "shift_overlap"]
    assert person.shift_assignments.count() == 1
