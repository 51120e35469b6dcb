"""The read interface other apps use (shared agenda, document library)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from federation.governance import selectors, services
from federation.governance.models import Body
from tests.governance.conftest import other_assembly

pytestmark = pytest.mark.django_db


def test_body_meetings_and_minutes(ago):
    a = ago
    draft = services.meeting_create(
        actor=None, federation=a.fed, body=Body.BUREAU, title="Bureau (brouillon)", starts_at=timezone.now()
    )
    now = timezone.now()
    found = list(selectors.body_meetings(a.fed, now, now + timedelta(days=30)))
    assert [m.title for m in found] == ["AGO 2026"]
    assert draft not in found  # drafts are not in the agenda
    assert (
        found[0].location == "Montpellier" and found[0].get_body_display() == "Assemblée générale ordinaire"
    )
    assert selectors.body_meetings(a.fed, now + timedelta(days=9)).count() == 0
    assert selectors.minutes_for_federation(a.fed) == []
    services.meeting_close(actor=None, meeting=a.meeting)
    minutes = selectors.minutes_for_federation(a.fed)
    assert len(minutes) == 1 and minutes[0].url.endswith("/proces-verbal.pdf")
    other = other_assembly(a.world).fed
    assert selectors.minutes_for_federation(other) == []
