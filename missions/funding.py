"""The funding of one ACI year, computed from a rule set (pure: no database).

operating funding + for each started mission: its fixed components + its variable components × the
achievement rate (variable amounts are for 100 %), + the increase on each mission line where it applies
(size-4 CPTS with at least 100 express members under avenant 2). Before the chosen missions start, the
CPTS receives the operating funding only (seed 003: « Avant le démarrage des missions choisies par la
communauté professionnelle » → « Financement du fonctionnement »). Money is Decimal throughout; every line
carries its explanation in French ("Mission 1 — volet variable : 35 000 € × 80 % = 28 000 €").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from federation.errors import ServiceError
from missions.rules import RuleSet

CENT = Decimal("0.01")
ONE = Decimal(1)


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _group(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return " ".join(groups)


def euros(value: Decimal) -> str:
    """French money: "35 000 €", "12 345,67 €" (thousands by spaces, decimal comma, cents only if any)."""
    value = money(value)
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(value):.2f}".split(".")
    text = _group(units) + ("" if cents == "00" else f",{cents}")
    return f"{sign}{text} €"


def percent(rate: Decimal) -> str:
    """A fraction as a French percentage: 0.8 → "80 %", 0.855 → "85,5 %", 0.1234 → "12,34 %" (two decimals
    at most: enough for the explanation "45 000 € × 12,34 % = 5 553 €" to show the rate actually used)."""
    value = (Decimal(rate) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    text = f"{value:f}".replace(".", ",")
    return f"{text} %"


@dataclass
class MissionInput:
    """One contracted mission of a year: its achievement rate (0 to 1) and, for mission 4, the state
    of the crisis plan ("first" drafting or "update"; "none" in a contract year before the drafting year,
    never from the simulator) and whether a serious crisis occurred."""

    number: int
    achievement: Decimal = ONE
    crisis_plan: str = "first"
    crisis_occurred: bool = False


@dataclass
class FundingLine:
    label: str
    mission: int | None
    fixed: Decimal = Decimal(0)
    variable: Decimal = Decimal(0)
    increase: Decimal = Decimal(0)
    achievement: Decimal | None = None
    explanations: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.fixed + self.variable + self.increase


@dataclass
class Funding:
    rule_set: RuleSet
    tier: int
    members: int
    missions_started: bool
    increase_applies: bool
    lines: list[FundingLine]
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))

    @property
    def total_possible(self) -> Decimal:
        return self.rule_set.total_possible_for(self.tier)

    @property
    def max_possible(self) -> Decimal:
        return self.rule_set.max_with_increase(self.tier, self.members)

    def line(self, mission: int | None) -> FundingLine | None:
        return next((line for line in self.lines if line.mission == mission), None)


def _condition_holds(when: str, item: MissionInput) -> bool:
    if not when:
        return True
    if when == "crisis_plan_first":
        return item.crisis_plan == "first"
    if when == "crisis_plan_update":
        return item.crisis_plan == "update"
    if when == "crisis_occurred":
        return bool(item.crisis_occurred)
    return False


def validate_missions(rule_set: RuleSet, missions: list[MissionInput]) -> None:
    """Refuse repeated missions, missions the rule set does not have, rates outside 0–100 %."""
    seen: set[int] = set()
    for item in missions:
        if item.number in seen:
            raise ServiceError(
                _("La mission %(number)d figure deux fois.") % {"number": item.number},
                code="duplicate_mission",
                field="missions",
            )
        seen.add(item.number)
        if rule_set.mission(item.number) is None:
            raise ServiceError(
                _("La mission %(number)d n'existe pas dans les règles « %(rules)s ».")
                % {"number": item.number, "rules": rule_set.label},
                code="unknown_mission",
                field="missions",
            )
        if not (0 <= Decimal(item.achievement) <= 1):
            raise ServiceError(
                _("Le taux d'atteinte doit être compris entre 0 et 1 (100 %)."),
                code="invalid_achievement",
                field="missions",
            )
        if item.crisis_plan not in ("first", "update", "none"):
            raise ServiceError(
                _("Le plan de crise est « first » (1re rédaction) ou « update » (mise à jour)."),
                code="invalid_crisis_plan",
                field="missions",
            )


def compute_funding(
    rule_set: RuleSet,
    *,
    tier: int,
    members: int,
    missions_started: bool,
    missions: list[MissionInput],
) -> Funding:
    """The funding of one year under `rule_set`, line by line (the operating line first, then each
    contracted mission in number order)."""
    validate_missions(rule_set, missions)
    increase_applies = rule_set.increase_applies(tier, members)
    operating = money(rule_set.operating[tier - 1])
    operating_line = FundingLine(
        label=_("Financement du fonctionnement"),
        mission=None,
        fixed=operating,
        explanations=[
            _("Fonctionnement (taille %(tier)d) : %(amount)s") % {"tier": tier, "amount": euros(operating)}
        ],
    )
    funding = Funding(
        rule_set=rule_set,
        tier=tier,
        members=members,
        missions_started=missions_started,
        increase_applies=increase_applies,
        lines=[operating_line],
    )
    if not missions_started:
        if missions:
            funding.notes.append(
                _("Les missions choisies n'ont pas démarré : seul le financement du fonctionnement est dû.")
            )
        return funding
    for item in sorted(missions, key=lambda m: m.number):
        rule = rule_set.mission(item.number)
        achievement = Decimal(item.achievement)
        line = FundingLine(
            label=_("Mission %(number)d — %(label)s") % {"number": rule.number, "label": rule.short_label},
            mission=rule.number,
            achievement=achievement,
        )
        prefix = _("Mission %(number)d") % {"number": rule.number}
        for component in rule.components:
            if not _condition_holds(component.when, item):
                continue
            base = money(component.amount(tier))
            if component.kind == "fixed":
                line.fixed += base
                line.explanations.append(f"{prefix} — {component.label} : {euros(base)}")
            else:
                amount = money(base * achievement)
                line.variable += amount
                line.explanations.append(
                    f"{prefix} — {component.label} : {euros(base)} × {percent(achievement)} = {euros(amount)}"
                )
        if item.number == 4 and item.crisis_plan == "none":
            line.explanations.append(
                _("%(prefix)s — plan de crise pas encore rédigé cette année : pas de volet fixe")
                % {"prefix": prefix}
            )
        if (
            item.number == 4
            and not item.crisis_occurred
            and any(c.kind == "variable" for c in rule.components)
        ):
            line.explanations.append(
                _("%(prefix)s — volet variable : aucune crise sanitaire grave survenue, 0 €")
                % {"prefix": prefix}
            )
        if increase_applies:
            base = line.fixed + line.variable
            line.increase = money(base * rule_set.increase.rate)
            line.explanations.append(
                _(
                    "%(prefix)s — majoration de %(rate)s (taille 4, %(members)d membres) : %(base)s × %(rate)s = %(amount)s"
                )
                % {
                    "prefix": prefix,
                    "rate": percent(rule_set.increase.rate),
                    "members": members,
                    "base": euros(base),
                    "amount": euros(line.increase),
                }
            )
        funding.lines.append(line)
    return funding


def simulate(
    *, rule_set: RuleSet, population: int, members: int, missions_started: bool, missions: list[MissionInput]
) -> Funding:
    """The simulator: a year's funding from a population (its size tier) and the missions one would sign."""
    if population < 0:
        raise ServiceError(
            _("La population ne peut être négative."), code="negative_population", field="population"
        )
    return compute_funding(
        rule_set,
        tier=rule_set.tier_for(population),
        members=members,
        missions_started=missions_started,
        missions=missions,
    )
