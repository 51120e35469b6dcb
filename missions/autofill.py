"""Indicator values the platform computes itself, each with its source shown to the reader.

`AUTO_SOURCES[key]` is a function `(contract, year) -> Measure | None` reading the data the platform already
holds for the contract year window (signature anniversary to anniversary): SNP rosters (mission 1),
prevention campaigns (mission 3), the crisis plan document (mission 4), meetings and attendance, member counts
by profession (the members' register).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from missions.integration import express_member_count, members_by_profession
from missions.models import Contract
from shared_actions.models import (
    CampaignAction,
    Document,
    DocumentVersion,
    Invitation,
    Meeting,
    Shift,
    ShiftAssignment,
)
from shared_actions.models import IndicatorValue as CampaignValue


@dataclass
class Measure:
    value: Decimal
    detail: str  # where the figure comes from, in French


def _bounds(contract: Contract, year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(contract.year_start(year), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(contract.year_end(year) + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _window(contract: Contract, year: int) -> str:
    return _("du %(start)s au %(end)s") % {
        "start": contract.year_start(year).strftime("%d/%m/%Y"),
        "end": contract.year_end(year).strftime("%d/%m/%Y"),
    }


def _pct(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def snp_hours(contract: Contract, year: int) -> Measure:
    start, end = _bounds(contract, year)
    assignments = ShiftAssignment.objects.filter(
        cpts_id=contract.cpts_id, shift__start__gte=start, shift__start__lt=end
    ).select_related("shift")
    hours = sum((Decimal(str(a.shift.hours)) for a in assignments), Decimal(0))
    count = len(assignments)
    return Measure(
        value=hours.quantize(Decimal("0.01")),
        detail=_("Plannings SNP de la plateforme : %(count)d créneau(x) tenus par des membres, %(window)s")
        % {"count": count, "window": _window(contract, year)},
    )


def snp_coverage(contract: Contract, year: int) -> Measure:
    start, end = _bounds(contract, year)
    shifts = (
        Shift.objects.filter(start__gte=start, start__lt=end)
        .filter(Q(roster__cpts_id=contract.cpts_id) | Q(roster__participants=contract.cpts_id))
        .distinct()
        .annotate(assigned=Count("assignments", distinct=True))
        .values_list("assigned", "required_count")
    )
    rows = list(shifts)
    filled = sum(1 for assigned, required in rows if assigned >= required)
    return Measure(
        value=_pct(filled, len(rows)),
        detail=_("Plannings SNP de la plateforme : %(filled)d créneau(x) pourvus sur %(total)d, %(window)s")
        % {"filled": filled, "total": len(rows), "window": _window(contract, year)},
    )


def prevention_actions(contract: Contract, year: int) -> Measure:
    first, last = contract.year_start(year), contract.year_end(year)
    actions = CampaignAction.objects.filter(cpts_id=contract.cpts_id, date__gte=first, date__lte=last)
    count = actions.count()
    campaigns = actions.values("campaign").distinct().count()
    return Measure(
        value=Decimal(count),
        detail=_(
            "Campagnes de prévention : %(count)d action(s) menées dans %(campaigns)d campagne(s), %(window)s"
        )
        % {"count": count, "campaigns": campaigns, "window": _window(contract, year)},
    )


def campaign_values(contract: Contract, year: int) -> Measure:
    """The latest value this CPTS reported for each campaign indicator in the year, added up."""
    first, last = contract.year_start(year), contract.year_end(year)
    values = CampaignValue.objects.filter(cpts_id=contract.cpts_id, date__gte=first, date__lte=last).order_by(
        "indicator_id", "date"
    )
    latest: dict[int, Decimal] = {}
    for value in values:
        latest[value.indicator_id] = value.value
    total = sum(latest.values(), Decimal(0))
    return Measure(
        value=total,
        detail=_(
            "Campagnes de prévention : dernières valeurs déclarées par la CPTS sur %(count)d indicateur(s), %(window)s"
        )
        % {"count": len(latest), "window": _window(contract, year)},
    )


def meetings_held(contract: Contract, year: int) -> Measure:
    start, end = _bounds(contract, year)
    count = Meeting.objects.filter(cpts_id=contract.cpts_id, start__gte=start, start__lt=end).count()
    return Measure(
        value=Decimal(count),
        detail=_("Réunions de la CPTS dans l'agenda de la plateforme, %(window)s")
        % {"window": _window(contract, year)},
    )


def attendance_rate(contract: Contract, year: int) -> Measure:
    start, end = _bounds(contract, year)
    marks = Invitation.objects.filter(
        meeting__cpts_id=contract.cpts_id,
        meeting__start__gte=start,
        meeting__start__lt=end,
        attended__isnull=False,
    ).aggregate(total=Count("id"), present=Count("id", filter=Q(attended=True)))
    return Measure(
        value=_pct(marks["present"], marks["total"]),
        detail=_(
            "Listes d'émargement des réunions de la CPTS : %(present)d présence(s) sur %(total)d, %(window)s"
        )
        % {"present": marks["present"], "total": marks["total"], "window": _window(contract, year)},
    )


def crisis_plan(contract: Contract, year: int) -> Measure:
    """1 when the crisis plan (the contract's document, else the CPTS's document titled « plan de crise »)
    got a version in the year: drafted the first year, updated the following ones."""
    document = contract.crisis_plan_document
    if document is None:
        document = (
            Document.objects.filter(cpts_id=contract.cpts_id, title__icontains="plan de crise")
            .order_by("-updated_at")
            .first()
        )
    if document is None:
        return Measure(
            value=Decimal(0), detail=_("Aucun plan de crise dans les documents partagés de la CPTS.")
        )
    start, end = _bounds(contract, year)
    versions = DocumentVersion.objects.filter(document=document, uploaded_at__gte=start, uploaded_at__lt=end)
    last = versions.aggregate(last=Max("uploaded_at"))["last"]
    if last is None:
        return Measure(
            value=Decimal(0),
            detail=_("Documents partagés : « %(title)s » sans version déposée %(window)s")
            % {"title": document.title, "window": _window(contract, year)},
        )
    return Measure(
        value=Decimal(1),
        detail=_("Documents partagés : « %(title)s », version du %(date)s")
        % {"title": document.title, "date": timezone.localtime(last).strftime("%d/%m/%Y")},
    )


def members_total(contract: Contract, year: int) -> Measure:
    return Measure(
        value=Decimal(express_member_count(contract.cpts)),
        detail=_("Registre des adhérents : membres actifs ayant expressément adhéré"),
    )


def member_professions(contract: Contract, year: int) -> Measure:
    """How many professions the register's active members exercise (directory professions)."""
    lines = members_by_profession(contract.cpts)
    detail = ", ".join(f"{label} : {count}" for label, count in lines) or _("aucune")
    return Measure(
        value=Decimal(len(lines)),
        detail=_("Registre des adhérents, membres par profession — %(detail)s") % {"detail": detail},
    )


AUTO_SOURCES = {
    "snp_hours": (gettext_lazy("Heures de SNP assurées (plannings)"), snp_hours),
    "snp_coverage": (gettext_lazy("Taux de créneaux SNP pourvus (%)"), snp_coverage),
    "prevention_actions": (gettext_lazy("Actions de prévention menées (campagnes)"), prevention_actions),
    "campaign_values": (gettext_lazy("Valeurs déclarées aux campagnes de prévention"), campaign_values),
    "meetings": (gettext_lazy("Réunions tenues (agenda)"), meetings_held),
    "attendance": (gettext_lazy("Taux de présence aux réunions (%)"), attendance_rate),
    "crisis_plan": (gettext_lazy("Plan de crise rédigé ou mis à jour (1 = oui)"), crisis_plan),
    "members": (gettext_lazy("Nombre d'adhérents"), members_total),
    "member_professions": (gettext_lazy("Professions représentées parmi les membres"), member_professions),
}


def auto_source_choices() -> list[tuple[str, str]]:
    return [("", _("Saisie manuelle"))] + [(key, str(label)) for key, (label, _f) in AUTO_SOURCES.items()]


def measure(key: str, contract: Contract, year: int) -> Measure | None:
    entry = AUTO_SOURCES.get(key)
    return entry[1](contract, year) if entry else None
