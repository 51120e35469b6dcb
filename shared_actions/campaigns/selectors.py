"""Reads of prevention campaigns: scoped QuerySets and the progress of their indicators."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from federation.models import User
from shared_actions.access import visible_to
from shared_actions.campaigns.access import campaigns_visible_q
from shared_actions.campaigns.models import Campaign, CampaignAction, Indicator, IndicatorValue


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    return (
        visible_to(user, Campaign.objects.all(), campaigns_visible_q)
        .select_related("federation", "lead_cpts")
        .prefetch_related("participants")
        .order_by("-start_date")
    )


def federation_campaigns(federation, *, ended_since: dt.date, started_by: dt.date) -> QuerySet[Campaign]:
    """The federation's campaigns that have started by `started_by` and not ended before `ended_since`."""
    return Campaign.objects.filter(
        federation=federation, start_date__lte=started_by, end_date__gte=ended_since
    ).order_by("end_date", "title")


def cpts_campaigns(cpts, *, ended_since: dt.date) -> QuerySet[Campaign]:
    """The campaigns a CPTS takes part in, current or to come (and those ended since `ended_since`)."""
    return Campaign.objects.filter(participants=cpts, end_date__gte=ended_since).order_by(
        "start_date", "title"
    )


def current_campaigns(user: User) -> QuerySet[Campaign]:
    """Visible campaigns not ended yet."""
    return visible_campaigns(user).filter(end_date__gte=timezone.localdate())


def reportable_cpts(campaign: Campaign, scope, *, can_manage: bool) -> QuerySet:
    """The participating CPTS the user reports values and actions for (all of them for its managers)."""
    participants = campaign_participants(campaign)
    return participants if can_manage else participants.filter(pk__in=scope.managed_cpts_ids)


def campaign_actions(campaign: Campaign) -> QuerySet[CampaignAction]:
    return campaign.actions.select_related("cpts", "commune", "person_in_charge").prefetch_related("tasks")


def campaign_indicators(campaign: Campaign) -> QuerySet[Indicator]:
    return campaign.indicators.order_by("id")


def campaign_indicator(campaign: Campaign, indicator_id) -> Indicator | None:
    return campaign.indicators.filter(pk=indicator_id).first()


def indicator_values(indicator: Indicator) -> QuerySet[IndicatorValue]:
    return indicator.values.select_related("cpts").order_by("date", "cpts__name")


def campaign_participants(campaign: Campaign) -> QuerySet:
    return campaign.participants.order_by("name")


@dataclass
class Progress:
    label: str
    value: Decimal
    target: Decimal

    @property
    def ratio(self) -> float:
        return float(self.value / self.target) if self.target else 0.0

    @property
    def percent(self) -> int:
        return round(self.ratio * 100)


@dataclass
class IndicatorProgress:
    indicator: Indicator
    per_cpts: list[Progress]
    overall: Progress
    series: list[tuple[dt.date, Decimal]]  # overall cumulative value over time


def _progress(indicator: Indicator, participants: list, values: list[IndicatorValue]) -> IndicatorProgress:
    """One indicator's progress from its values (ordered by date) and the campaign's participants."""
    share = indicator.target_per_cpts or (
        (indicator.target / len(participants)).quantize(Decimal("0.01")) if participants else indicator.target
    )
    latest: dict[int, Decimal] = {}
    series: list[tuple[dt.date, Decimal]] = []
    for value in values:
        latest[value.cpts_id] = value.value
        total = sum(latest.values(), Decimal(0))
        if series and series[-1][0] == value.date:
            series[-1] = (value.date, total)
        else:
            series.append((value.date, total))
    per_cpts = [Progress(c.name, latest.get(c.pk, Decimal(0)), share) for c in participants]
    overall = Progress("Total", sum(latest.values(), Decimal(0)), indicator.target)
    return IndicatorProgress(indicator=indicator, per_cpts=per_cpts, overall=overall, series=series)


def campaign_dashboard(campaign: Campaign) -> list[IndicatorProgress]:
    """For each indicator: the latest value of each participating CPTS against its target, the total
    against the département target, and the total over time (latest known value of each CPTS)."""
    participants = sorted(campaign.participants.all(), key=lambda c: c.name)
    indicators = list(campaign.indicators.all())
    values = IndicatorValue.objects.filter(indicator__in=indicators).order_by("date")
    by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in values:
        by_indicator[value.indicator_id].append(value)
    return [_progress(indicator, participants, by_indicator[indicator.pk]) for indicator in indicators]


@dataclass
class CampaignProgress:
    campaign: Campaign
    participants: list  # sorted by name, in the order of each indicator's `per_cpts`
    indicators: list[IndicatorProgress]
    expected: float  # share of the campaign's time elapsed (0 to 1)

    @property
    def weakest(self) -> IndicatorProgress | None:
        return min(self.indicators, key=lambda i: i.overall.ratio, default=None)

    @property
    def achievement(self) -> float:
        """The lowest achievement among the indicators (0 to 1 and beyond)."""
        return self.weakest.overall.ratio if self.indicators else 0.0

    @property
    def behind(self) -> bool:
        return bool(self.indicators) and self.achievement < self.expected


def campaigns_progress(campaigns: QuerySet[Campaign], *, today: dt.date) -> list[CampaignProgress]:
    """Progress of several campaigns in a fixed number of queries (campaigns, participants,
    indicators, values), whatever their number: the cockpit's read."""
    campaigns = list(campaigns.select_related("lead_cpts", "federation").prefetch_related("participants"))
    indicators = list(Indicator.objects.filter(campaign__in=campaigns).order_by("id"))
    values = IndicatorValue.objects.filter(indicator__in=indicators).order_by("date")
    by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in values:
        by_indicator[value.indicator_id].append(value)
    by_campaign: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        by_campaign[indicator.campaign_id].append(indicator)
    result = []
    for campaign in campaigns:
        participants = sorted(campaign.participants.all(), key=lambda c: c.name)
        span = max((campaign.end_date - campaign.start_date).days, 1)
        elapsed = min(max((today - campaign.start_date).days, 0), span)
        result.append(
            CampaignProgress(
                campaign=campaign,
                participants=participants,
                indicators=[_progress(i, participants, by_indicator[i.pk]) for i in by_campaign[campaign.pk]],
                expected=elapsed / span,
            )
        )
    return result
