"""The agenda and the library read governance through `federation.governance.selectors`
(`body_meetings`, `minutes_for_federation`): with stand-ins (the mapping), without the module (both
sources empty), and against the real governance app."""

import datetime as dt
import sys
import types

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from federation.governance import selectors as _real_selectors  # noqa: F401 — loaded before the stand-ins
from federation.governance import services as governance_services
from federation.governance.models import Body
from federation.governance.models import Meeting as BodyMeeting
from shared_actions import agenda, library

pytestmark = pytest.mark.django_db


@pytest.fixture
def governance(monkeypatch, world):
    start = timezone.localtime().replace(day=10, hour=18, minute=0, second=0, microsecond=0)
    meeting = types.SimpleNamespace(
        pk=7,
        title="Assemblée générale ordinaire",
        starts_at=start,
        location="Montpellier",
        get_body_display=lambda: "Assemblée générale ordinaire (AGO)",
    )
    calls = []

    def body_meetings(federation, start=None, end=None):
        calls.append((federation, start, end))
        return [meeting] if federation == world.fed and start <= meeting.starts_at < end else []

    def minutes_for_federation(federation):
        if federation != world.fed:
            return []
        ref = types.SimpleNamespace(
            meeting_id=7, title="AGO du 10", body="ago", held_on=start, url="/pv/7.pdf"
        )
        return [ref]

    module = types.ModuleType("federation.governance.selectors")
    module.body_meetings = body_meetings
    module.minutes_for_federation = minutes_for_federation
    monkeypatch.setitem(sys.modules, "federation.governance.selectors", module)
    return types.SimpleNamespace(meeting=meeting, calls=calls)


def test_body_meetings_appear_in_the_department_agenda(world, web, api, governance):
    month = governance.meeting.starts_at.strftime("%Y-%m")
    html = (
        web(world.member_b)
        .get(reverse("actions-agenda", args=[world.fed.slug]), {"month": month})
        .content.decode()
    )
    assert "Assemblée générale ordinaire" in html
    entries = (
        api(world.partner_delegate)
        .get(reverse("api-actions-agenda", args=[world.fed.slug]), {"month": month, "kind": "governance"})
        .json()
    )
    assert [(e["kind"], e["title"]) for e in entries] == [("governance", "Assemblée générale ordinaire")]
    ics = web(world.member_a).get(reverse("actions-agenda-ics", args=[world.fed.slug]), {"month": month})
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(ics.content).walk("VEVENT")]
    assert "Assemblée générale ordinaire" in summaries
    # Filtering on one CPTS keeps only that CPTS's entries (the bodies belong to the whole federation).
    other = agenda.department_agenda(
        world.member_a, world.fed, dt.date(2000, 1, 1), dt.date(2100, 1, 1), cpts_id=world.cpts_a.pk
    )
    assert all(e.kind != "governance" for e in other)


def test_minutes_are_listed_in_the_library(world, web, governance):
    html = web(world.member_a).get(reverse("actions-documents")).content.decode()
    assert "Procès-verbal — AGO du 10" in html and "/pv/7.pdf" in html
    assert library.governance_minutes(world.member_a, "", "statuts") == []
    assert library.governance_minutes(world.member_a, "budget", "") == []
    assert [e.title for e in library.governance_minutes(world.member_a, "ago", "")] == [
        "Procès-verbal — AGO du 10"
    ]
    assert library.governance_minutes(world.member_c, "", "") == []  # another federation


def test_without_governance_the_sources_are_empty(world, monkeypatch):
    monkeypatch.setitem(sys.modules, "federation.governance.selectors", None)  # import fails
    assert (
        agenda.governance_entries(world.member_a, world.fed, dt.date(2000, 1, 1), dt.date(2100, 1, 1)) == []
    )
    assert library.governance_minutes(world.member_a, "", "") == []


def test_real_governance_meetings_and_minutes(world, web, api):
    """Against the merged governance app: a convened AGO is in the agenda, its minutes in the library."""
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
    month = timezone.localtime(starts_at).strftime("%Y-%m")
    entries = (
        api(world.member_b)
        .get(reverse("api-actions-agenda", args=[world.fed.slug]), {"month": month, "kind": "governance"})
        .json()
    )
    assert [(e["title"], e["location"]) for e in entries] == [("AGO 2026", "Sète")]
    assert entries[0]["url"].endswith(f"/{meeting.pk}/")
    assert web(world.member_b).get(entries[0]["url"]).status_code == 200
    assert api(world.member_c).get(reverse("api-actions-agenda", args=[world.fed.slug])).status_code == 404
    BodyMeeting.objects.filter(pk=meeting.pk).update(status=BodyMeeting.Status.CLOSED)
    html = (
        web(world.member_a).get(reverse("actions-documents"), {"category": "proces_verbal"}).content.decode()
    )
    assert "Procès-verbal — AGO 2026" in html
    assert (
        "Procès-verbal — AGO 2026"
        not in web(world.member_c).get(reverse("actions-documents")).content.decode()
    )
