"""The agenda and the library read governance through `federation.governance.selectors`
(`body_meetings`, `minutes_for_federation`)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from federation.governance import services as governance_services
from federation.governance.models import Body
from federation.governance.models import Meeting as BodyMeeting
from shared_actions.documents import library
from shared_actions.meetings import agenda

pytestmark = pytest.mark.django_db


@pytest.fixture
def ago(world):
    starts_at = timezone.now() + dt.timedelta(days=10)
    meeting = governance_services.meeting_create(
        actor=None,
        federation=world.fed,
        body=Body.AGO,
        title="AGO 2026",
        starts_at=starts_at,
        location="Sète",
    )
    governance_services.meeting_convene(actor=None, meeting=meeting, send_emails=False)
    return meeting


def test_body_meetings_appear_in_the_department_agenda(world, web, api, ago):
    month = timezone.localtime(ago.starts_at).strftime("%Y-%m")
    agenda_url = reverse("api-actions-agenda", args=[world.fed.slug])
    entries = api(world.member_b).get(agenda_url, {"month": month, "kind": "governance"}).json()
    assert [(e["title"], e["location"]) for e in entries] == [("AGO 2026", "Sète")]
    assert entries[0]["url"].endswith(f"/{ago.pk}/")
    assert web(world.member_b).get(entries[0]["url"]).status_code == 200
    assert (
        api(world.partner_delegate).get(agenda_url, {"month": month, "kind": "governance"}).json() == entries
    )
    assert api(world.member_c).get(agenda_url).status_code == 404
    html = web(world.member_b).get(reverse("actions-agenda", args=[world.fed.slug]), {"month": month})
    assert "AGO 2026" in html.content.decode()
    ics = web(world.member_a).get(reverse("actions-agenda-ics", args=[world.fed.slug]), {"month": month})
    assert "AGO 2026" in [str(e["SUMMARY"]) for e in Calendar.from_ical(ics.content).walk("VEVENT")]
    # Filtering on one CPTS keeps only that CPTS's entries (the bodies belong to the whole federation).
    only_a = agenda.department_agenda(
        world.member_a, world.fed, dt.date(2000, 1, 1), dt.date(2100, 1, 1), cpts_id=world.cpts_a.pk
    )
    assert all(e.kind != "governance" for e in only_a)


def test_minutes_are_listed_in_the_library(world, web, ago):
    BodyMeeting.objects.filter(pk=ago.pk).update(status=BodyMeeting.Status.CLOSED)
    html = (
        web(world.member_a).get(reverse("actions-documents"), {"category": "proces_verbal"}).content.decode()
    )
    assert "Procès-verbal — AGO 2026" in html
    assert (
        "Procès-verbal — AGO 2026"
        not in web(world.member_c).get(reverse("actions-documents")).content.decode()
    )
    assert library.governance_minutes(world.member_a, "", "statuts") == []
    assert library.governance_minutes(world.member_a, "budget", "") == []
    assert [e.title for e in library.governance_minutes(world.member_a, "ago", "")] == [
        "Procès-verbal — AGO 2026"
    ]
    assert library.governance_minutes(world.member_c, "", "") == []  # another federation
