"""The rule sets recompute the seeds' tables, tier by tier (the seeds decide: quoted here).

Seed 002 (ACI 2019, « Montant annuel », source Assurance maladie):
    de la communauté professionnelle 50 000 € 60 000 € 75000 € 90 000 €
    Volet Fixe / Moyens 15000 € 17 500 € 25000 € 30000 €
    Volet variable/actions et résultats 15 000 € 17 500 € 25000 € 30000 €
    Volet lie & 'organisation des soins non programmeés 10 000 € 12000 € 15 000 € 20 000 €
    Financement spécifique pour le traiterment 35000 € 45000 € 55000¢€ 70000 €
    TOTAL 75000 € 92 000 € 120 000 € 150 000 €
    ... TOTAL 50 000 € 70 000 € 90 000 € 100 000 €      (parcours)
    ... TOTAL 20 000 € 30 000 € 35000 <€ 40 000 €       (prévention)
    ... TOTAL 15000 € 20 000 € 30 000 € 40 000 €        (qualité et pertinence)
    el TOTAL 10000 € 15 000 € 20 000 € 30000 €          (accompagnement des professionnels)
    Financement total possible Volets fixe et variable 220 000 € 287 000 € 370 000 € 450 000 €

Seed 003 (avenant 2, 2021, § 1.4):
    Financement du fonctionnement ... 50 000 € 60 000 € 75 000 € 90 000 €
    Missions en faveur de l'amélioration de l'accès aux soins (socle) Total 80 000 € 100 000 € 125 000 € 155 000 €
    ... parcours Total 50 000 € 70 000 € 90 000 € 100 000 €
    ... prévention Total 20 000 € 30 000 € 35 000 € 40 000 €
    Mission dédiée à la réponse aux crises sanitaires graves (socle) Total** 62 500€ 87 500€ 112 500€ 125 000€
    ... qualité Total 15 000 € 20 000 € 30 000 € 40 000 €
    ... accompagnement Total 10 000 € 15 000 € 20 000 € 30 000 €
    Financement total possible ** Volets fixe et variable 287 500 € 382 500 € 487 500 € 580 000 €
    **Les montants totaux tiennent compte du volet fixe (1ère rédaction du plan) pour la mission dédiée à la
    réponse aux crises sanitaires graves et du volet variable en cas de survenue de la crise sanitaire.
"""

import json
from decimal import Decimal

import pytest

from missions.funding import MissionInput, compute_funding
from missions.rules import RuleSetError, get_rule_set, parse_rule_set, rule_sets

D = Decimal

SEED_002 = {
    "operating": [50_000, 60_000, 75_000, 90_000],
    1: [75_000, 92_000, 120_000, 150_000],
    2: [50_000, 70_000, 90_000, 100_000],
    3: [20_000, 30_000, 35_000, 40_000],
    5: [15_000, 20_000, 30_000, 40_000],
    6: [10_000, 15_000, 20_000, 30_000],
    "total": [220_000, 287_000, 370_000, 450_000],
}
SEED_003 = {
    "operating": [50_000, 60_000, 75_000, 90_000],
    1: [80_000, 100_000, 125_000, 155_000],
    2: [50_000, 70_000, 90_000, 100_000],
    3: [20_000, 30_000, 35_000, 40_000],
    4: [62_500, 87_500, 112_500, 125_000],
    5: [15_000, 20_000, 30_000, 40_000],
    6: [10_000, 15_000, 20_000, 30_000],
    "total": [287_500, 382_500, 487_500, 580_000],
}


def test_both_rule_sets_are_listed():
    assert list(rule_sets()) == ["aci-2019", "avenant-2-2021"]
    assert get_rule_set("aci-2019").mission(4) is None  # the crisis mission came with avenant 2


@pytest.mark.parametrize("rule_set_id,table", [("aci-2019", SEED_002), ("avenant-2-2021", SEED_003)])
@pytest.mark.parametrize("tier", [1, 2, 3, 4])
def test_each_mission_total_and_the_total_possible_per_tier(rule_set_id, table, tier):
    rule_set = get_rule_set(rule_set_id)
    missions = [n for n in table if isinstance(n, int)]
    everything = [MissionInput(n, D(1), "first", True) for n in missions]
    funding = compute_funding(rule_set, tier=tier, members=0, missions_started=True, missions=everything)
    assert funding.line(None).total == table["operating"][tier - 1]
    for number in missions:
        assert funding.line(number).total == table[number][tier - 1], (rule_set_id, tier, number)
    assert funding.total == table["total"][tier - 1]
    assert funding.total == rule_set.total_possible_for(tier)


@pytest.mark.parametrize("tier,snp", [(1, 45_000), (2, 57_000), (3, 70_000), (4, 90_000)])
def test_2019_mission_1_snp_lines_are_fixed(tier, snp):
    """Seed 002: the SNP lines (10 000 + 35 000 € in tier 1) do not depend on the achievement rate."""
    funding = compute_funding(
        get_rule_set("aci-2019"),
        tier=tier,
        members=0,
        missions_started=True,
        missions=[MissionInput(1, D(0))],
    )
    line = funding.line(1)
    assert line.variable == 0
    fixed_means = [15_000, 17_500, 25_000, 30_000][tier - 1]
    assert line.fixed == fixed_means + snp


@pytest.mark.parametrize(
    "tier,first,update,crisis",
    [
        (1, 25_000, 12_500, 37_500),
        (2, 35_000, 17_500, 52_500),
        (3, 45_000, 22_500, 67_500),
        (4, 50_000, 25_000, 75_000),
    ],
)
def test_mission_4_first_drafting_update_and_crisis(tier, first, update, crisis):
    rule_set = get_rule_set("avenant-2-2021")

    def m4(plan, occurred):
        funding = compute_funding(
            rule_set,
            tier=tier,
            members=0,
            missions_started=True,
            missions=[MissionInput(4, D(1), plan, occurred)],
        )
        return funding.line(4)

    assert (m4("first", False).fixed, m4("first", False).variable) == (first, 0)
    assert (m4("update", False).fixed, m4("update", False).variable) == (update, 0)
    assert m4("update", True).total == update + crisis
    assert m4("first", True).total == first + crisis


def test_a_file_whose_totals_do_not_add_up_is_refused(tmp_path):
    data = json.loads((get_rule_set.__globals__["RULE_SETS_DIR"] / "avenant-2-2021.json").read_text())
    data["missions"][0]["components"][0]["amounts"][0] = 56_000  # a typo in mission 1 fixed, tier 1
    with pytest.raises(RuleSetError, match="tier 1"):
        parse_rule_set(data)


def test_a_file_with_an_unknown_condition_is_refused():
    data = json.loads((get_rule_set.__globals__["RULE_SETS_DIR"] / "avenant-2-2021.json").read_text())
    data["missions"][3]["components"][0]["when"] = "full_moon"
    with pytest.raises(RuleSetError, match="unknown condition"):
        parse_rule_set(data)


def test_tiers_follow_the_population_thresholds():
    rule_set = get_rule_set("avenant-2-2021")
    assert [rule_set.tier_for(p) for p in (0, 39_999, 40_000, 79_999, 80_000, 174_999, 175_000)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
    ]


def test_mission_1_national_indicators_include_the_sas_ones():
    names = [i.name for i in get_rule_set("avenant-2-2021").mission(1).national_indicators]
    assert "Nombre de médecins participant au SAS" in names
    assert "Nombre de demandes du SAS ayant abouti à un rendez-vous par la CPTS" in names
    assert len(names) == 5
