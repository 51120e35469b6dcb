"""ACI rule sets: versioned data files in `missions/rule_sets/*.json`, loaded and checked here.

A rule set holds, per ACI size tier (1 to 4), the operating funding and, per mission, its components
(fixed or variable amounts; variable amounts are for 100 % achievement), the +10 % increase rule and the
"financement total possible" the source table prints. A new avenant is a new data file: no code change.
The loader refuses a file whose printed totals do not add up (a typo in an amount is caught at start-up).

Missions keep the numbering of avenant 2 in every rule set (1 accès aux soins, 2 parcours, 3 prévention,
4 crises sanitaires graves, 5 qualité et pertinence, 6 accompagnement des professionnels): the 2019 ACI had
no mission 4, so its file simply has none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

RULE_SETS_DIR = Path(__file__).parent / "rule_sets"
TIERS = (1, 2, 3, 4)
MISSION_NUMBERS = (1, 2, 3, 4, 5, 6)
COMPONENT_KINDS = ("fixed", "variable")
# Conditions a component may carry ("when"); absent = always due once the mission has started.
CONDITIONS = ("crisis_plan_first", "crisis_plan_update", "crisis_occurred")
# Conditions that never hold together (the crisis plan is either drafted or updated in a year).
EXCLUSIVE = (("crisis_plan_first", "crisis_plan_update"),)


class RuleSetError(ValueError):
    """A rule set file is malformed or its totals do not add up."""


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    kind: str  # "fixed" | "variable"
    amounts: tuple[Decimal, Decimal, Decimal, Decimal]
    when: str = ""

    def amount(self, tier: int) -> Decimal:
        return self.amounts[tier - 1]


@dataclass(frozen=True)
class NationalIndicator:
    name: str
    direction: str  # "up" | "down": which way is better
    unit: str = ""
    data_source: str = "Assurance maladie (données transmises par la CPAM)"


@dataclass(frozen=True)
class MissionRule:
    number: int
    label: str
    short_label: str
    kind: str  # "core" | "optional"
    components: tuple[Component, ...]
    printed_total: tuple[Decimal, Decimal, Decimal, Decimal]
    # Indicators every contract must carry for this mission (mission 1: set nationally by the ACI).
    national_indicators: tuple[NationalIndicator, ...] = ()

    def max_amount(self, tier: int) -> Decimal:
        """The most the mission can bring in a year (before the increase): what the table's total says."""
        excluded: set[str] = set()
        total = Decimal(0)
        for group in EXCLUSIVE:
            amounts = {c.when: c.amount(tier) for c in self.components if c.when in group}
            if amounts:
                best = max(amounts, key=lambda w: amounts[w])
                excluded |= set(group) - {best}
        for component in self.components:
            if component.when not in excluded:
                total += component.amount(tier)
        return total


@dataclass(frozen=True)
class IncreaseRule:
    min_tier: int
    min_members: int
    rate: Decimal
    basis: str = ""

    def applies(self, tier: int, members: int) -> bool:
        return tier >= self.min_tier and members >= self.min_members


@dataclass(frozen=True)
class RuleSet:
    id: str
    label: str
    signed_on: str
    source: str
    tier_thresholds: tuple[int, int, int]
    operating: tuple[Decimal, Decimal, Decimal, Decimal]
    missions: dict[int, MissionRule]
    increase: IncreaseRule | None
    total_possible: tuple[Decimal, Decimal, Decimal, Decimal]

    def tier_for(self, population: int) -> int:
        """ACI size tier: 1 < 40 000 ≤ 2 < 80 000 ≤ 3 < 175 000 ≤ 4 inhabitants (thresholds from the file)."""
        return 1 + sum(population >= bound for bound in self.tier_thresholds)

    def mission(self, number: int) -> MissionRule | None:
        return self.missions.get(number)

    def increase_applies(self, tier: int, members: int) -> bool:
        return self.increase is not None and self.increase.applies(tier, members)

    def total_possible_for(self, tier: int) -> Decimal:
        return self.total_possible[tier - 1]

    def max_with_increase(self, tier: int, members: int) -> Decimal:
        """The total possible plus the increase on every mission's maximum, where the increase applies."""
        total = self.total_possible_for(tier)
        if self.increase_applies(tier, members):
            missions = total - self.operating[tier - 1]
            total += (missions * self.increase.rate).quantize(Decimal("0.01"))
        return total


def _amounts(value, where: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    if not isinstance(value, list) or len(value) != len(TIERS):
        raise RuleSetError(f"{where}: four amounts expected (tiers 1 to 4)")
    try:
        amounts = tuple(Decimal(str(v)) for v in value)
    except (InvalidOperation, TypeError) as exc:
        raise RuleSetError(f"{where}: amounts must be numbers") from exc
    if any(a < 0 or not a.is_finite() for a in amounts):
        raise RuleSetError(f"{where}: amounts must be positive")
    return amounts  # type: ignore[return-value]


def parse_rule_set(data: dict) -> RuleSet:
    """A rule set from its JSON data, checked: shapes, known kinds and conditions, and every printed total."""
    try:
        rule_id = str(data["id"])
        thresholds = tuple(int(t) for t in data["tier_thresholds"])
        if len(thresholds) != 3 or list(thresholds) != sorted(set(thresholds)):
            raise RuleSetError(f"{rule_id}: three increasing tier thresholds expected")
        missions: dict[int, MissionRule] = {}
        for raw in data["missions"]:
            number = int(raw["number"])
            where = f"{rule_id} mission {number}"
            if number not in MISSION_NUMBERS or number in missions:
                raise RuleSetError(f"{where}: unknown or repeated mission number")
            if raw["kind"] not in ("core", "optional"):
                raise RuleSetError(f"{where}: kind must be core or optional")
            components = []
            for comp in raw["components"]:
                if comp["kind"] not in COMPONENT_KINDS:
                    raise RuleSetError(f"{where} {comp['key']}: kind must be fixed or variable")
                when = comp.get("when", "")
                if when and when not in CONDITIONS:
                    raise RuleSetError(f"{where} {comp['key']}: unknown condition {when!r}")
                components.append(
                    Component(
                        key=str(comp["key"]),
                        label=str(comp["label"]),
                        kind=comp["kind"],
                        amounts=_amounts(comp["amounts"], f"{where} {comp['key']}"),
                        when=when,
                    )
                )
            mission = MissionRule(
                number=number,
                label=str(raw["label"]),
                short_label=str(raw.get("short_label") or raw["label"]),
                kind=raw["kind"],
                components=tuple(components),
                printed_total=_amounts(raw["printed_total"], f"{where} total"),
                national_indicators=tuple(
                    NationalIndicator(**item) for item in raw.get("national_indicators", [])
                ),
            )
            if any(i.direction not in ("up", "down") for i in mission.national_indicators):
                raise RuleSetError(f"{where}: an indicator's direction must be up or down")
            for tier in TIERS:
                if mission.max_amount(tier) != mission.printed_total[tier - 1]:
                    raise RuleSetError(
                        f"{where}: components add up to {mission.max_amount(tier)} for tier {tier}, "
                        f"the table prints {mission.printed_total[tier - 1]}"
                    )
            missions[number] = mission
        increase = None
        if data.get("increase"):
            inc = data["increase"]
            increase = IncreaseRule(
                min_tier=int(inc["min_tier"]),
                min_members=int(inc["min_members"]),
                rate=Decimal(str(inc["rate"])),
                basis=str(inc.get("basis", "")),
            )
            if not (0 < increase.rate < 1) or increase.min_tier not in TIERS:
                raise RuleSetError(f"{rule_id}: increase rate must be a fraction, min_tier a tier")
        rule_set = RuleSet(
            id=rule_id,
            label=str(data["label"]),
            signed_on=str(data.get("signed_on", "")),
            source=str(data.get("source", "")),
            tier_thresholds=thresholds,  # type: ignore[arg-type]
            operating=_amounts(data["operating"], f"{rule_id} operating"),
            missions=dict(sorted(missions.items())),
            increase=increase,
            total_possible=_amounts(data["total_possible"], f"{rule_id} total_possible"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RuleSetError):
            raise
        raise RuleSetError(f"malformed rule set: {exc!r}") from exc
    for tier in TIERS:
        computed = rule_set.operating[tier - 1] + sum(
            (m.max_amount(tier) for m in rule_set.missions.values()), Decimal(0)
        )
        if computed != rule_set.total_possible_for(tier):
            raise RuleSetError(
                f"{rule_id}: operating and missions add up to {computed} for tier {tier}, "
                f"the table prints {rule_set.total_possible_for(tier)}"
            )
    return rule_set


@cache
def rule_sets() -> dict[str, RuleSet]:
    """Every rule set of `rule_sets/`, by id, oldest signature first."""
    loaded = []
    for path in sorted(RULE_SETS_DIR.glob("*.json")):
        rule_set = parse_rule_set(json.loads(path.read_text(encoding="utf-8")))
        if rule_set.id != path.stem:
            raise RuleSetError(f"{path.name}: id {rule_set.id!r} differs from the file name")
        loaded.append(rule_set)
    return {r.id: r for r in sorted(loaded, key=lambda r: (r.signed_on, r.id))}


def get_rule_set(rule_set_id: str) -> RuleSet | None:
    return rule_sets().get(rule_set_id)


def rule_set_choices() -> list[tuple[str, str]]:
    return [(r.id, r.label) for r in rule_sets().values()]


def latest_rule_set() -> RuleSet:
    return list(rule_sets().values())[-1]
