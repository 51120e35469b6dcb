"""SNP roster panels of the federation cockpit: shifts uncovered in the next 14 days (each linking to its
roster's week, where someone signs up or is assigned), and a member CPTS's rosters. One or two queries
each, whatever the number of CPTS, rosters or shifts."""

import datetime as dt
from collections import Counter

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federation.cockpit import PanelData, PanelItem
from shared_actions.rosters import selectors

HORIZON_DAYS = 14
LIMIT = 10  # lines shown; `count` gives the whole number


def _window() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.now()
    return start, start + dt.timedelta(days=HORIZON_DAYS)


def shift_url(shift) -> str:
    """The roster's week of the shift, scrolled to its line."""
    week = selectors.week_start(timezone.localtime(shift.start).date())
    return f"{reverse('actions-roster', args=[shift.roster_id])}?week={week.isoformat()}#shift-{shift.pk}"


def _shift_item(shift) -> PanelItem:
    missing = shift.required_count - shift.assigned_count
    return PanelItem(
        label=_("%(when)s — %(site)s")
        % {"when": date_format(timezone.localtime(shift.start), "D j F H:i"), "site": shift.site.name},
        url=shift_url(shift),
        detail=ngettext(
            "%(roster)s : %(missing)s place à pourvoir (%(assigned)s/%(required)s)",
            "%(roster)s : %(missing)s places à pourvoir (%(assigned)s/%(required)s)",
            missing,
        )
        % {
            "roster": shift.roster.name,
            "missing": missing,
            "assigned": shift.assigned_count,
            "required": shift.required_count,
        },
        level="danger" if shift.assigned_count == 0 else "warning",
    )


def uncovered_shifts_panel(federation, user) -> PanelData:
    """Shifts of the federation's rosters (pooled, or of a member CPTS) starting in the next 14 days with
    fewer people than required, soonest first. One query."""
    start, end = _window()
    shifts = list(
        selectors.uncovered_shifts(start=start, end=end, rosters=selectors.federation_rosters(federation))
    )
    return PanelData(
        items=[_shift_item(shift) for shift in shifts[:LIMIT]],
        count=len(shifts),
        empty=_("Toutes les gardes des 14 prochains jours sont couvertes."),
    )


def cpts_rosters_panel(cpts, user) -> PanelData:
    """The CPTS's rosters (its own and the pooled ones it takes part in) with their shifts uncovered in
    the next 14 days. Two queries."""
    rosters = list(selectors.cpts_rosters(cpts))
    start, end = _window()
    uncovered = Counter(
        shift.roster_id
        for shift in selectors.uncovered_shifts(start=start, end=end, rosters=[r.pk for r in rosters])
    )
    items = []
    for roster in rosters:
        missing = uncovered[roster.pk]
        items.append(
            PanelItem(
                label=_("%(name)s (mutualisé)") % {"name": roster.name} if roster.is_pooled else roster.name,
                url=reverse("actions-roster", args=[roster.pk]),
                detail=ngettext(
                    "%(n)s créneau non couvert dans les 14 jours",
                    "%(n)s créneaux non couverts dans les 14 jours",
                    missing,
                )
                % {"n": missing}
                if missing
                else _("Gardes des 14 prochains jours couvertes."),
                level="warning" if missing else "info",
            )
        )
    return PanelData(
        items=items,
        count=len(rosters),
        empty=_("Aucun planning SNP : la CPTS n'organise pas encore ses gardes sur la plateforme."),
    )
