"""Reads of the contract year: contracts with what they carry, the rule set and population in force each
year, indicators' achievement, the funding of a contract year, the next review, the federation roll-up.

Computations read prefetched relations only (`with_details`), so a page or the roll-up costs a fixed number
of queries whatever the number of contracts, missions or indicators.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.models import Cpts, Federation
from federation.selectors import member_cpts
from missions.funding import Funding, MissionInput, compute_funding, percent
from missions.integration import express_member_count, express_member_counts
from missions.models import (
    CONTRACT_YEARS,
    Contract,
    ContractMission,
    Indicator,
    IndicatorValue,
    IndicatorValueChange,
    ReviewPack,
)
from missions.rules import RuleSet, get_rule_set

RATE = Decimal("0.0001")


def with_details(queryset: QuerySet[Contract]) -> QuerySet[Contract]:
    """Contracts with their avenants, missions, mission years, indicators and values prefetched."""
    return queryset.select_related("cpts", "crisis_plan_document").prefetch_related(
        "avenants",
        "reviews",
        Prefetch(
            "missions",
            queryset=ContractMission.objects.order_by("number").prefetch_related(
                "years",
                Prefetch(
                    "indicators",
                    queryset=Indicator.objects.order_by("kind", "id").prefetch_related(
                        Prefetch("values", queryset=IndicatorValue.objects.select_related("entered_by"))
                    ),
                ),
            ),
        ),
    )


def contract_of(cpts: Cpts) -> Contract | None:
    """The CPTS's current contract (latest signature), with its details."""
    return with_details(Contract.objects.filter(cpts=cpts)).order_by("-signed_on").first()


def contract_detail(contract: Contract) -> Contract:
    return with_details(Contract.objects.filter(pk=contract.pk)).get()


def current_year(contract: Contract, today: dt.date | None = None) -> int:
    """The contract year running today (1 before the signature, 5 after the end)."""
    today = today or timezone.localdate()
    if today < contract.signed_on:
        return 1
    return contract.year_of(today) or CONTRACT_YEARS


def _avenants_by_year_end(contract: Contract, year: int) -> list:
    end = contract.year_end(year)
    return [
        a
        for a in sorted(contract.avenants.all(), key=lambda a: (a.effective_from, a.number))
        if a.effective_from <= end
    ]


def rule_set_in_force(contract: Contract, year: int) -> RuleSet:
    """The rule set of contract year `year`: the signature's, or the latest avenant's applicable by the
    end of that year (an avenant effective during a year sets that year's amounts)."""
    rule_set_id = contract.rule_set
    for avenant in _avenants_by_year_end(contract, year):
        if avenant.rule_set:
            rule_set_id = avenant.rule_set
    return get_rule_set(rule_set_id)


def population_in_force(contract: Contract, year: int) -> int:
    population = contract.population
    for avenant in _avenants_by_year_end(contract, year):
        if avenant.population is not None:
            population = avenant.population
    return population


def value_for(indicator: Indicator, year: int) -> IndicatorValue | None:
    return next((v for v in indicator.values.all() if v.year == year), None)


def indicator_achievement(indicator: Indicator, value: Decimal | None) -> Decimal | None:
    """Achievement rate of a measured value against the target, between 0 and 1 (None: not measured).

    "Up" indicators: value / target. "Down" ones (a rate to reduce): target / value, 100 % at or below it."""
    if value is None:
        return None
    target, value = Decimal(indicator.target), Decimal(value)
    if indicator.direction == Indicator.Direction.DOWN:
        if value <= target:
            return Decimal(1)
        return (target / value).quantize(RATE, rounding=ROUND_HALF_UP) if value > 0 else Decimal(0)
    if target <= 0:
        return Decimal(1)
    return min(Decimal(1), max(Decimal(0), (value / target).quantize(RATE, rounding=ROUND_HALF_UP)))


@dataclass
class MissionAchievement:
    mission: ContractMission
    rate: Decimal
    explanation: str
    measured: int  # result indicators with a value
    expected: int  # result indicators


def mission_achievement(mission: ContractMission, year: int) -> MissionAchievement:
    """The achievement of a mission in a year: the rate agreed at the review if any, else the weighted
    mean of its result indicators' rates (an indicator without a value counts 0 %)."""
    results = [i for i in mission.indicators.all() if i.kind == Indicator.Kind.RESULT]
    mission_year = next((y for y in mission.years.all() if y.year == year), None)
    measured = 0
    weighted, weights = Decimal(0), Decimal(0)
    for indicator in results:
        value = value_for(indicator, year)
        rate = indicator_achievement(indicator, value.value if value else None)
        if rate is not None:
            measured += 1
        weighted += (rate or Decimal(0)) * indicator.weight
        weights += indicator.weight
    computed = (weighted / weights).quantize(RATE, rounding=ROUND_HALF_UP) if weights else Decimal(0)
    if mission_year is not None and mission_year.agreed_achievement is not None:
        rate = Decimal(mission_year.agreed_achievement)
        explanation = _("taux retenu à la revue annuelle : %(rate)s") % {"rate": percent(rate)}
    elif not results:
        rate, explanation = Decimal(0), _("aucun indicateur de résultats : 0 %")
    else:
        rate = computed
        explanation = _(
            "moyenne pondérée de %(measured)d indicateur(s) de résultats mesuré(s) sur %(total)d : %(rate)s"
        ) % {
            "measured": measured,
            "total": len(results),
            "rate": percent(rate),
        }
    return MissionAchievement(mission, rate, explanation, measured, len(results))


@dataclass
class YearFunding:
    contract: Contract
    year: int
    population: int
    members: int
    funding: Funding
    achievements: dict[int, MissionAchievement] = field(default_factory=dict)
    not_started: list[ContractMission] = field(default_factory=list)
    not_in_rules: list[ContractMission] = field(default_factory=list)

    @property
    def rule_set(self) -> RuleSet:
        return self.funding.rule_set


def contract_year_funding(contract: Contract, year: int, *, members: int | None = None) -> YearFunding:
    """The funding of contract year `year` (contract loaded `with_details`): operating, then each mission
    started by that year at its achievement rate; operating only before the first mission starts."""
    rule_set = rule_set_in_force(contract, year)
    population = population_in_force(contract, year)
    members = express_member_count(contract.cpts) if members is None else members
    tier = rule_set.tier_for(population)
    inputs, achievements, not_started, not_in_rules = [], {}, [], []
    for mission in contract.missions.all():
        if mission.start_year > year:
            not_started.append(mission)
            continue
        if rule_set.mission(mission.number) is None:
            not_in_rules.append(mission)
            continue
        achievement = mission_achievement(mission, year)
        achievements[mission.number] = achievement
        mission_year = next((y for y in mission.years.all() if y.year == year), None)
        inputs.append(
            MissionInput(
                number=mission.number,
                achievement=achievement.rate,
                crisis_plan=mission.crisis_plan_state(year),
                crisis_occurred=bool(mission_year and mission_year.crisis_occurred),
            )
        )
    funding = compute_funding(
        rule_set, tier=tier, members=members, missions_started=bool(inputs), missions=inputs
    )
    for mission in not_started:
        funding.notes.append(
            _("%(mission)s : démarre l'année %(year)d du contrat, pas de financement cette année.")
            % {"mission": mission.get_number_display(), "year": mission.start_year}
        )
    for mission in not_in_rules:
        funding.notes.append(
            _("%(mission)s : absente des règles « %(rules)s », non financée.")
            % {"mission": mission.get_number_display(), "rules": rule_set.label}
        )
    return YearFunding(contract, year, population, members, funding, achievements, not_started, not_in_rules)


@dataclass
class IndicatorRow:
    indicator: Indicator
    value: IndicatorValue | None
    achievement: Decimal | None

    @property
    def behind(self) -> bool:
        return self.achievement is not None and self.achievement < 1


def indicator_rows(contract: Contract, year: int) -> list[IndicatorRow]:
    rows = []
    for mission in contract.missions.all():
        for indicator in mission.indicators.all():
            value = value_for(indicator, year)
            rows.append(
                IndicatorRow(
                    indicator, value, indicator_achievement(indicator, value.value if value else None)
                )
            )
    return rows


def indicator_history(indicator: Indicator) -> QuerySet[IndicatorValueChange]:
    return indicator.changes.select_related("changed_by").order_by("-changed_at", "-id")


def contract_indicators(contract: Contract) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(mission__contract=contract)
        .select_related("mission")
        .order_by("mission__number", "kind", "id")
    )


@dataclass
class NextReview:
    year: int
    window_start: dt.date
    window_end: dt.date
    scheduled_on: dt.date | None

    @property
    def date(self) -> dt.date:
        return self.scheduled_on or self.window_end


def next_review(contract: Contract, today: dt.date | None = None) -> NextReview | None:
    """The next annual review not yet past (its window ends within two months of the anniversary)."""
    today = today or timezone.localdate()
    reviews = {r.year: r for r in contract.reviews.all()}
    for year in range(1, CONTRACT_YEARS + 1):
        start, end = contract.review_window(year)
        review = reviews.get(year)
        last_day = review.scheduled_on if review and review.scheduled_on else end
        if last_day >= today:
            return NextReview(year, start, end, review.scheduled_on if review else None)
    return None


def review_packs(contract: Contract) -> QuerySet[ReviewPack]:
    return contract.review_packs.select_related("requested_by").order_by("-created_at")


def contracts_due_for_reminder(today: dt.date, days_ahead: int) -> list[tuple[Contract, int]]:
    """(contract, year) whose review window opens within `days_ahead` days or is open, not reminded yet."""
    due = []
    contracts = Contract.objects.select_related("cpts").prefetch_related("reviews")
    for contract in contracts:
        for year in range(1, CONTRACT_YEARS + 1):
            start, end = contract.review_window(year)
            if start - dt.timedelta(days=days_ahead) <= today <= end:
                review = next((r for r in contract.reviews.all() if r.year == year), None)
                if review is None or review.reminder_sent_at is None:
                    due.append((contract, year))
    return due


# --- federation roll-up ---------------------------------------------------------------------------
@dataclass
class RollupRow:
    cpts: Cpts
    contract: Contract | None
    year: int | None = None
    status: str = ""
    next_review: NextReview | None = None
    funding: YearFunding | None = None
    behind: list[IndicatorRow] = field(default_factory=list)
    achievements: dict[int, Decimal] = field(default_factory=dict)


def contract_status(contract: Contract | None, today: dt.date) -> str:
    if contract is None:
        return _("Pas de contrat ACI")
    if today > contract.ends_on:
        return _("Contrat échu le %(date)s") % {"date": contract.ends_on.strftime("%d/%m/%Y")}
    if today < contract.signed_on:
        return _("Signature prévue le %(date)s") % {"date": contract.signed_on.strftime("%d/%m/%Y")}
    return _("En cours, année %(year)d sur %(total)d") % {
        "year": contract.year_of(today),
        "total": CONTRACT_YEARS,
    }


def federation_rollup(federation: Federation, today: dt.date | None = None) -> list[RollupRow]:
    """Every member CPTS of the federation with its current contract, in a fixed number of queries."""
    today = today or timezone.localdate()
    cpts_list = list(member_cpts(federation).order_by("name"))
    contracts: dict[int, Contract] = {}
    for contract in with_details(Contract.objects.filter(cpts__in=[c.pk for c in cpts_list])).order_by(
        "signed_on"
    ):
        contracts[contract.cpts_id] = contract  # the latest signature wins
    members = express_member_counts([c.pk for c in cpts_list])
    rows = []
    for cpts in cpts_list:
        contract = contracts.get(cpts.pk)
        row = RollupRow(cpts=cpts, contract=contract, status=contract_status(contract, today))
        if contract is not None:
            row.year = current_year(contract, today)
            row.next_review = next_review(contract, today)
            row.funding = contract_year_funding(contract, row.year, members=members.get(cpts.pk, 0))
            row.behind = [r for r in indicator_rows(contract, row.year) if r.behind]
            row.achievements = {n: a.rate for n, a in row.funding.achievements.items()}
        rows.append(row)
    return rows


def contract_years(contract: Contract) -> list[dict]:
    """Each contract year with its dates, the rule set and population in force, and its review window."""
    reviews = {r.year: r for r in contract.reviews.all()}
    years = []
    for year in range(1, CONTRACT_YEARS + 1):
        rule_set = rule_set_in_force(contract, year)
        population = population_in_force(contract, year)
        review_from, review_until = contract.review_window(year)
        review = reviews.get(year)
        years.append(
            {
                "year": year,
                "starts_on": contract.year_start(year),
                "ends_on": contract.year_end(year),
                "rule_set": rule_set.id,
                "rule_set_label": rule_set.label,
                "population": population,
                "tier": rule_set.tier_for(population),
                "review_from": review_from,
                "review_until": review_until,
                "review_on": review.scheduled_on if review else None,
            }
        )
    return years


def contract_mission(contract: Contract, number: int) -> ContractMission | None:
    return next((m for m in contract.missions.all() if m.number == number), None)


def contract_data(contract: Contract, today: dt.date | None = None) -> dict:
    """The contract as the API and pages show it."""
    return {
        "id": contract.pk,
        "cpts": contract.cpts,
        "signed_on": contract.signed_on,
        "ends_on": contract.ends_on,
        "rule_set": contract.rule_set,
        "parties": {"ars": contract.ars_name, "cpam": contract.cpam_name, "cpts": contract.cpts.name},
        "population": contract.population,
        "current_year": current_year(contract, today),
        "avenants": list(contract.avenants.all()),
        "missions": list(contract.missions.all()),
        "years": contract_years(contract),
    }


def review_pack(pack_id: int) -> ReviewPack | None:
    return ReviewPack.objects.filter(pk=pack_id).first()
