"""Prevention campaign panels of the federation cockpit: campaigns behind their target (with their
achievement against the share of the campaign's time elapsed), and a member CPTS's campaigns with its own
achievement. Four queries each (campaigns, participants, indicators, values), whatever their number."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from federation.cockpit import PanelData, PanelItem
from shared_actions.campaigns import selectors

# Campaigns ended this many days ago still show (their last results come in late).
RECENT_DAYS = 30


def _num(value: Decimal) -> str:
    return number_format(value, decimal_pos=0 if value == value.to_integral() else 2)


def _period(campaign) -> str:
    return _("du %(start)s au %(end)s") % {
        "start": date_format(campaign.start_date, "j F"),
        "end": date_format(campaign.end_date, "j F Y"),
    }


def campaigns_behind_panel(federation, user) -> PanelData:
    """The federation's running (or just ended) campaigns whose weakest indicator is behind the share of
    the campaign's time elapsed."""
    today = timezone.localdate()
    campaigns = selectors.federation_campaigns(
        federation, ended_since=today - dt.timedelta(days=RECENT_DAYS), started_by=today
    )
    behind = [p for p in selectors.campaigns_progress(campaigns, today=today) if p.behind]
    items = []
    for progress in behind:
        weakest = progress.weakest
        items.append(
            PanelItem(
                label=progress.campaign.title,
                url=reverse("actions-campaign", args=[progress.campaign.pk]),
                detail=_(
                    "Atteinte %(achieved)s %% pour %(expected)s %% attendus à ce jour — %(indicator)s : "
                    "%(value)s / %(target)s (%(period)s)"
                )
                % {
                    "achieved": round(progress.achievement * 100),
                    "expected": round(progress.expected * 100),
                    "indicator": weakest.indicator.name,
                    "value": _num(weakest.overall.value),
                    "target": _num(weakest.overall.target),
                    "period": _period(progress.campaign),
                },
                level="danger" if progress.achievement < progress.expected / 2 else "warning",
            )
        )
    return PanelData(
        items=items,
        count=len(behind),
        empty=_("Aucune campagne en retard sur son objectif."),
    )


def cpts_campaigns_panel(cpts, user) -> PanelData:
    """The campaigns the CPTS takes part in (running, to come, or just ended) with the CPTS's own
    achievement on each indicator's weakest line."""
    today = timezone.localdate()
    campaigns = selectors.cpts_campaigns(cpts, ended_since=today - dt.timedelta(days=RECENT_DAYS))
    items = []
    for progress in selectors.campaigns_progress(campaigns, today=today):
        mine = [
            (item.indicator, row)
            for item in progress.indicators
            for row, participant in zip(item.per_cpts, progress.participants, strict=True)
            if participant.pk == cpts.pk
        ]
        if mine:
            indicator, row = min(mine, key=lambda pair: pair[1].ratio)
            detail = _("%(indicator)s : %(value)s / %(target)s pour la CPTS (%(percent)s %%), %(period)s") % {
                "indicator": indicator.name,
                "value": _num(row.value),
                "target": _num(row.target),
                "percent": row.percent,
                "period": _period(progress.campaign),
            }
            behind = row.ratio < progress.expected
        else:
            detail = _("Pas encore d'indicateur, %(period)s") % {"period": _period(progress.campaign)}
            behind = False
        items.append(
            PanelItem(
                label=progress.campaign.title,
                url=reverse("actions-campaign", args=[progress.campaign.pk]),
                detail=detail,
                level="warning" if behind else "info",
            )
        )
    return PanelData(
        items=items,
        count=len(items),
        empty=_("La CPTS ne participe à aucune campagne de prévention en cours."),
    )
