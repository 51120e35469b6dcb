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


@dataclass(frozen=True)
class RegionalRule:
    """A region's own rule on CPTS territories, shown as a warning (the ARS decides, not the platform)."""

    region_code: str
    region_name: str
    minimum_population: int
    source: str


# Seed 001 (ARS Pays de la Loire, cahier des charges CPTS 2019): "doit respecter un seuil minimal de
# 20 000 habitants".
REGIONAL_RULES = {
    "52": RegionalRule(
        region_code="52",
        region_name="Pays de la Loire",
        minimum_population=REGIONAL_MINIMUMS["52"],
        source="ARS Pays de la Loire, cahier des charges CPTS (2019)",
    )
}


def regional_warnings(population: int, region_codes: set[str]) -> list[str]:
    """French warnings for the regional rules a territory of `population` inhabitants does not meet."""
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    warnings = []
    for code in sorted(region_codes):
        rule = REGIONAL_RULES.get(code)
        if rule is not None and population < rule.minimum_population:
            warnings.append(
                _(
                    "En %(region)s, un territoire de CPTS doit compter au moins %(minimum)s habitants "
                    "(%(source)s) : celui-ci en compterait %(population)s."
                )
                % {
                    "region": rule.region_name,
                    "minimum": number_format(rule.minimum_population, force_grouping=True),
                    "source": rule.source,
                    "population": number_format(population, force_grouping=True),
                }
            )
    return warnings
