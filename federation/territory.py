"""Territory rules: ACI size tiers from the population of a CPTS territory (DOMAIN.md)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TierRule:
    """Population thresholds of the ACI size tiers, versioned because the rules change."""

    version: str
    thresholds: tuple[int, int, int]  # lower bounds of tiers 2, 3 and 4
    regional_minimum: int | None = None


# ACI avenant 2 (2021): 1 < 40 000 <= 2 < 80 000 <= 3 < 175 000 <= 4.
ACI_2021 = TierRule(version="aci-avenant-2-2021", thresholds=(40_000, 80_000, 175_000))
# Pays de la Loire adds a regional minimum of 20 000 inhabitants (seed 001).
REGIONAL_MINIMUMS = {"52": 20_000}


def aci_size_tier(population: int, rule: TierRule = ACI_2021) -> int:
    """ACI size tier (1 to 4) of a territory of `population` inhabitants."""
    return 1 + sum(population >= bound for bound in rule.thresholds)


def regional_minimum(region_code: str) -> int | None:
    return REGIONAL_MINIMUMS.get(region_code)
