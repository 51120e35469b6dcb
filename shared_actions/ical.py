"""iCalendar (RFC 5545) output built with the `icalendar` library.

Feeds hold nothing sensitive: shifts carry the roster, the site and the times (no names, no e-mail,
no phone); a roster feed says how many places are filled, not by whom.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Maillage//Actions partagées//FR"
UID_DOMAIN = "maillage.invalid"


def _calendar(name: str, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    if method:
        cal.add("method", method)
    return cal


def _event(
    uid: str, summary: str, start, end, *, location: str = "", description: str = "", url: str = ""
) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    return event


def shifts_calendar(name: str, shifts: Iterable, *, with_coverage: bool = False) -> bytes:
    """A calendar of SNP shifts. `shifts` carry `assigned_count` when `with_coverage` is set."""
    cal = _calendar(name)
    for shift in shifts:
        description = ""
        if with_coverage:
            description = _("%(filled)s / %(required)s places pourvues") % {
                "filled": shift.assigned_count,
                "required": shift.required_count,
            }
        cal.add_component(
            _event(
                f"shift-{shift.pk}",
                _("Garde SNP — %(site)s") % {"site": shift.site.name},
                shift.start,
                shift.end,
                location=", ".join(p for p in (shift.site.name, shift.site.address) if p),
                description=description,
                url=f"{settings.SITE_URL}/actions/plannings/{shift.roster_id}/",
            )
        )
    return cal.to_ical()


def meeting_event(meeting) -> Event:
    where = meeting.place or meeting.video_url
    description = meeting.agenda
    if meeting.video_url:
        description = f"{description}\n\n{_('Visioconférence')} : {meeting.video_url}".strip()
    event = _event(
        f"meeting-{meeting.uid}",
        meeting.title,
        meeting.start,
        meeting.end,
        location=where,
        description=description,
        url=f"{settings.SITE_URL}/actions/reunions/{meeting.pk}/",
    )
    event.add("sequence", meeting.sequence)
    return event


def meeting_invitation(meeting, attendee) -> bytes:
    """A METHOD:REQUEST invitation calendar clients offer to accept."""
    cal = _calendar(meeting.title, method="REQUEST")
    event = meeting_event(meeting)
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    organizer.params["cn"] = vText(str(meeting.cpts or meeting.federation))
    event["organizer"] = organizer
    person = vCalAddress(f"mailto:{attendee.email}")
    person.params["cn"] = vText(str(attendee))
    person.params["role"] = vText("REQ-PARTICIPANT")
    person.params["partstat"] = vText("NEEDS-ACTION")
    person.params["rsvp"] = vText("TRUE")
    event.add("attendee", person, encode=0)
    cal.add_component(event)
    return cal.to_ical()


def agenda_calendar(name: str, entries: Iterable) -> bytes:
    """A calendar of agenda entries (see `agenda.AgendaEntry`)."""
    cal = _calendar(name)
    for entry in entries:
        start, end = entry.start, entry.end
        if isinstance(start, dt.datetime):
            pass
        elif end is None or end == start:
            end = start + dt.timedelta(days=1)  # all-day: DTEND is exclusive
        else:
            end = end + dt.timedelta(days=1)
        cal.add_component(
            _event(
                entry.uid,
                entry.title,
                start,
                end,
                location=entry.location,
                description=entry.description,
                url=f"{settings.SITE_URL}{entry.url}" if entry.url else "",
            )
        )
    return cal.to_ical()
