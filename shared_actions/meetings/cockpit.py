"""Meeting panels of the federation cockpit: the federation's shared meetings coming up (with their
invitations: sent, and how many said they come), and a member CPTS's meetings. One query each."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from federation.cockpit import PanelData, PanelItem
from shared_actions.meetings import selectors

HORIZON_DAYS = 30
LIMIT = 10


def _when(meeting) -> str:
    return date_format(timezone.localtime(meeting.start), "l j F H:i")


def _window() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.now()
    return start, start + dt.timedelta(days=HORIZON_DAYS)


def upcoming_meetings_panel(federation, user) -> PanelData:
    """The federation's working groups, campaign meetings and trainings of the next 30 days."""
    start, end = _window()
    meetings = list(selectors.federation_meetings(federation, start=start, end=end))
    items = []
    for meeting in meetings[:LIMIT]:
        if meeting.invited_count:
            invitations = _("invitations : %(invited)s, présences annoncées : %(yes)s") % {
                "invited": meeting.invited_count,
                "yes": meeting.yes_count,
            }
        else:
            invitations = _("aucune invitation envoyée")
        items.append(
            PanelItem(
                label=meeting.title,
                url=reverse("actions-meeting", args=[meeting.pk]),
                detail=f"{_when(meeting)} · {invitations}",
                level="info" if meeting.invited_count else "warning",
            )
        )
    return PanelData(
        items=items,
        count=len(meetings),
        empty=_("Aucune réunion partagée dans les 30 prochains jours."),
    )


def cpts_meetings_panel(cpts, user) -> PanelData:
    """The CPTS's meetings of the next 30 days: dates and titles only (their pages stay the CPTS's)."""
    start, end = _window()
    meetings = list(selectors.cpts_meetings(cpts, start=start, end=end))
    return PanelData(
        items=[
            PanelItem(label=meeting.title, detail=f"{_when(meeting)} · {meeting.get_kind_display()}")
            for meeting in meetings[:LIMIT]
        ],
        count=len(meetings),
        empty=_("Aucune réunion de la CPTS prévue dans les 30 prochains jours."),
    )
