"""Independent audit of the ACI funding simulator (`POST /api/missions/aci/simulate/`, issue 19).

Every expected amount below was computed by hand from the seeds' tables, not from the rule-set files:

Seed 002 (ACI 2019, France Assos Santé), « MONTANT ANNUEL », tailles 1 / 2 / 3 / 4 :
  « 4 tailles de CPTS  < 40 000 hbts / ≥ 40 000 < 80 000 hbts / ≥ 80 000 < 175 000 hbts / ≥ 175 000 hbts »
  « Financement du fonctionnement de la communauté professionnelle 50 000 € 60 000 € 75000 € 90 000 € »
  M1 « Volet Fixe / Moyens 15000 € 17 500 € 25000 € 30000 € » ; « Volet variable/actions et résultats 15 000 €
     17 500 € 25000 € 30000 € » ; « Volet lié à l'organisation des soins non programmés … Compensation des
     professionnels de santé 10 000 € 12000 € 15 000 € 20 000 € » ; « Financement spécifique pour le traitement et
     l'orientation des demandes de soins non programmés (enveloppe fléchée) 35000 € 45000 € 55000 € 70000 € » ;
     « TOTAL 75000 € 92 000 € 120 000 € 150 000 € »
  M2 « 25000 € 35000 € 45 000 € 50 000 € » fixe = variable ; M3 « 10 000 € 15000 € 17 500 € 20000 € » fixe = variable ;
  qualité (M5) « 7500 € 10000 € 15000 € 20000 € » fixe = variable ; accompagnement (M6) « 5000 € 7500 € 10 000 €
  15000 € » fixe = variable ; « Financement total possible Volets fixe et variable 220 000 € 287 000 € 370 000 €
  450 000 € ». No crisis mission (« 3 missions obligatoires (socle) et 2 missions complémentaires »), no +10 %.

Seed 003 (avenant 2 of 2021, URPS AuRA), § 1.4 :
  « Financement du fonctionnement … 50 000 € 60 000 € 75 000 € 90 000 € »
  M1 « Volet Fixe / Moyens 55 000 € 70 000 € 90 000 € 110 000 € » / « Volet variable/actions et résultats 25 000 €
     30 000 € 35 000 € 45 000 € » ; M2 25/35/45/50 k€ + same ; M3 10/15/17,5/20 k€ + same ;
  M4 « Volet Fixe/moyens 1ère rédaction du plan (l'année de la rédaction) 25 000 € 35 000 € 45 000 € 50 000 € » ;
     « Volet Fixe/moyens Mise à jour du plan (les années suivant l'année de la rédaction du plan) 12 500 € 17 500 €
     22 500 € 25 000 € » ; « Volet variable/survenue d'une crise sanitaire grave 37 500 € 52 500 € 67 500 € 75 000 € »
  M5 7,5/10/15/20 k€ + same ; M6 5/7,5/10/15 k€ + same ;
  « Financement total possible ** Volets fixe et variable 287 500 € 382 500 € 487 500 € 580 000 € »
  « *Les montants mentionnés dans le volet variable/actions et résultats correspondent à un taux d'atteinte de 100% »
  « Les communautés professionnelles de taille 4 comprenant au moins cent membres (…) bénéficient d'une majoration
    de 10% sur l'ensemble des missions socles ou optionnelles mentionnés ci-dessus hors financement additionnel du
    fonctionnement. »
  « Avant le démarrage des missions choisies par la communauté professionnelle » → « Financement du fonctionnement
    50 000 € 60 000 € 75 000 € 90 000 € » (operating only).
"""

import pytest

URL = "/api/missions/aci/simulate/"
A2 = "avenant-2-2021"
ACI19 = "aci-2019"
ALL_A2 = [
    {"mission": 1, "achievement": 1.0},
    {"mission": 2, "achievement": 1.0},
    {"mission": 3, "achievement": 1.0},
    {"mission": 4, "crisis_plan": "first", "crisis_occurred": True, "achievement": 1.0},
    {"mission": 5, "achievement": 1.0},
    {"mission": 6, "achievement": 1.0},
]
ALL_2019 = [{"mission": n, "achievement": 1.0} for n in (1, 2, 3, 5, 6)]
OP = None  # the operating line has no mission number


@pytest.fixture
def simulate(api, world):
    client = api(world.coordinator_a)

    def send(rule_set, population, missions, members=0, started=True):
        body = {
            "rule_set": rule_set,
            "population": population,
            "members": members,
            "missions_started": started,
            "missions": missions,
        }
        r = client.post(URL, body, format="json")
        assert r.status_code == 200, r.json()
        return r.json()

    return send


def check(data, tier, total, lines):
    """`lines`: {mission or None: (fixed, variable, increase)} in the answer's order (operating first)."""
    assert data["tier"] == tier
    got = [(line["mission"], (line["fixed"], line["variable"], line["increase"])) for line in data["lines"]]
    assert got == list(lines.items())
    for line in data["lines"]:
        assert line["total"] == line["fixed"] + line["variable"] + line["increase"]
    assert data["total"] == total
    assert sum(line["total"] for line in data["lines"]) == total


# --- the whole table, per tier and at each boundary --------------------------------------------------
# Seed 003: « Financement total possible ** … 287 500 € 382 500 € 487 500 € 580 000 € »; « **Les montants
# totaux tiennent compte du volet fixe (1ère rédaction du plan) … et du volet variable en cas de survenue de la
# crise sanitaire ». Seed 002: « < 40 000 hbts », « ≥ 40 000 < 80 000 », « ≥ 80 000 < 175 000 », « ≥ 175 000 ».
A2_FULL = {
    1: {OP: (50000, 0, 0), 1: (55000, 25000, 0), 2: (25000, 25000, 0), 3: (10000, 10000, 0),
        4: (25000, 37500, 0), 5: (7500, 7500, 0), 6: (5000, 5000, 0)},
    2: {OP: (60000, 0, 0), 1: (70000, 30000, 0), 2: (35000, 35000, 0), 3: (15000, 15000, 0),
        4: (35000, 52500, 0), 5: (10000, 10000, 0), 6: (7500, 7500, 0)},
    3: {OP: (75000, 0, 0), 1: (90000, 35000, 0), 2: (45000, 45000, 0), 3: (17500, 17500, 0),
        4: (45000, 67500, 0), 5: (15000, 15000, 0), 6: (10000, 10000, 0)},
    4: {OP: (90000, 0, 0), 1: (110000, 45000, 0), 2: (50000, 50000, 0), 3: (20000, 20000, 0),
        4: (50000, 75000, 0), 5: (20000, 20000, 0), 6: (15000, 15000, 0)},
}  # fmt: skip
A2_TOTAL = {1: 287500, 2: 382500, 3: 487500, 4: 580000}


@pytest.mark.parametrize(
    "population,tier",
    [(0, 1), (39999, 1), (40000, 2), (79999, 2), (80000, 3), (174999, 3), (175000, 4), (2_000_000, 4)],
)
def test_avenant_2_every_mission_at_100_percent_is_the_total_possible(simulate, population, tier):
    # Seed 003: « Financement total possible ** Volets fixe et variable 287 500 € 382 500 € 487 500 € 580 000 € »
    data = simulate(A2, population, ALL_A2)
    check(data, tier, A2_TOTAL[tier], A2_FULL[tier])
    assert data["total_possible"] == A2_TOTAL[tier]


# Seed 002: M1 « TOTAL 75000 € 92 000 € 120 000 € 150 000 € » = fixe + variable + SNP (compensation) + enveloppe
# fléchée, both SNP lines printed as amounts, not as a share of an achievement rate (stored in `fixed`).
ACI19_FULL = {
    1: {OP: (50000, 0, 0), 1: (15000 + 10000 + 35000, 15000, 0), 2: (25000, 25000, 0), 3: (10000, 10000, 0),
        5: (7500, 7500, 0), 6: (5000, 5000, 0)},
    2: {OP: (60000, 0, 0), 1: (17500 + 12000 + 45000, 17500, 0), 2: (35000, 35000, 0), 3: (15000, 15000, 0),
        5: (10000, 10000, 0), 6: (7500, 7500, 0)},
    3: {OP: (75000, 0, 0), 1: (25000 + 15000 + 55000, 25000, 0), 2: (45000, 45000, 0), 3: (17500, 17500, 0),
        5: (15000, 15000, 0), 6: (10000, 10000, 0)},
    4: {OP: (90000, 0, 0), 1: (30000 + 20000 + 70000, 30000, 0), 2: (50000, 50000, 0), 3: (20000, 20000, 0),
        5: (20000, 20000, 0), 6: (15000, 15000, 0)},
}  # fmt: skip
ACI19_TOTAL = {1: 220000, 2: 287000, 3: 370000, 4: 450000}


@pytest.mark.parametrize(
    "population,tier",
    [(0, 1), (39999, 1), (40000, 2), (79999, 2), (80000, 3), (174999, 3), (175000, 4)],
)
def test_aci_2019_every_mission_at_100_percent_is_the_total_possible(simulate, population, tier):
    # Seed 002: « Financement total possible Volets fixe et variable 220 000 € 287 000 € 370 000 € 450 000 € »;
    # « Il peut atteindre un maximum de 220000 €/an pour une CPTS Taille 1 et jusqu'à 450000 €/an pour une CPTS
    # Taille 4 ».
    data = simulate(ACI19, population, ALL_2019)
    check(data, tier, ACI19_TOTAL[tier], ACI19_FULL[tier])
    assert data["total_possible"] == ACI19_TOTAL[tier]


# --- before the missions start --------------------------------------------------------------------
@pytest.mark.parametrize(
    "rule_set,population,members,expected",
    [
        (A2, 39999, 0, 50000),
        (A2, 40000, 0, 60000),
        (A2, 80000, 0, 75000),
        # No +10 % before the missions start: « hors financement additionnel du fonctionnement ».
        (A2, 175000, 150, 90000),
        (ACI19, 79999, 0, 60000),
        (ACI19, 174999, 0, 75000),
    ],
)
def test_before_the_missions_start_operating_funding_only(simulate, rule_set, population, members, expected):
    # Seed 003: « Avant le démarrage des missions choisies par la communauté professionnelle » → « Financement du
    # fonctionnement de la communauté professionnelle 50 000 € 60 000 € 75 000 € 90 000 € ».
    missions = ALL_A2 if rule_set == A2 else ALL_2019
    data = simulate(rule_set, population, missions, members=members, started=False)
    assert data["total"] == expected
    assert [(line["mission"], line["fixed"], line["increase"]) for line in data["lines"]] == [
        (OP, expected, 0)
    ]


def test_operating_funding_is_still_paid_once_missions_started(simulate):
    # Seed 003: the table « Financement à compter de chaque mission choisie … » carries the operating line, and
    # its « Financement total possible » (287 500 € for tier 1) includes it: 50 000 + 80 000 = 130 000.
    data = simulate(A2, 20000, [{"mission": 1, "achievement": 1.0}])
    check(data, 1, 130000, {OP: (50000, 0, 0), 1: (55000, 25000, 0)})
    # Started, nothing contracted yet: operating only.
    check(simulate(A2, 20000, []), 1, 50000, {OP: (50000, 0, 0)})


# --- partial achievement ---------------------------------------------------------------------------
def test_the_issue_example_tier_2(simulate):
    # Issue 19: population 60 000 → tier 2 (seed 002: « ≥ 40 000 < 80 000 hbts »), « "total": 260000.0 » for the
    # core missions 1-3 at 100 %: 60 000 + (70 000 + 30 000) + (35 000 + 35 000) + (15 000 + 15 000) = 260 000.
    missions = [{"mission": n, "achievement": 1.0} for n in (1, 2, 3)]
    data = simulate(A2, 60000, missions, members=40)
    check(
        data, 2, 260000, {OP: (60000, 0, 0), 1: (70000, 30000, 0), 2: (35000, 35000, 0), 3: (15000, 15000, 0)}
    )
    # With the issue's mission 4 item (first drafting, no crisis): + 35 000 (« 1ère rédaction du plan … 35 000 € »).
    missions.append({"mission": 4, "crisis_plan": "first", "crisis_occurred": False, "achievement": 1.0})
    data = simulate(A2, 60000, missions, members=40)
    assert data["total"] == 295000
    assert data["lines"][-1]["mission"] == 4 and data["lines"][-1]["fixed"] == 35000


def test_avenant_2_tier_1_partial_achievements(simulate):
    # Seed 003 tier 1: M1 « 55 000 € » + « 25 000 € » × 50 % = 12 500; M2 25 000 + 25 000 × 80 % = 20 000;
    # M3 10 000 + 10 000 × 0 % = 0. Total 50 000 + 67 500 + 45 000 + 10 000 = 172 500.
    data = simulate(
        A2,
        25000,
        [
            {"mission": 1, "achievement": 0.5},
            {"mission": 2, "achievement": 0.8},
            {"mission": 3, "achievement": 0},
        ],
    )
    check(data, 1, 172500, {OP: (50000, 0, 0), 1: (55000, 12500, 0), 2: (25000, 20000, 0), 3: (10000, 0, 0)})


def test_avenant_2_tier_3_fractional_rates_to_the_cent(simulate):
    # Seed 003 tier 3: M3 « 17 500 € » + 17 500 × 33,3 % = 5 827,50; M2 45 000 + 45 000 × 12,34 % = 5 553.
    data = simulate(A2, 100000, [{"mission": 2, "achievement": 0.1234}, {"mission": 3, "achievement": 0.333}])
    check(data, 3, 75000 + 50553 + 23327.5, {OP: (75000, 0, 0), 2: (45000, 5553, 0), 3: (17500, 5827.5, 0)})
    m2, m3 = data["lines"][1], data["lines"][2]
    assert "Mission 2 — volet variable : 45 000 € × 12,34 % = 5 553 €" in m2["explanations"]
    assert "Mission 3 — volet variable : 17 500 € × 33,3 % = 5 827,50 €" in m3["explanations"]


def test_aci_2019_snp_lines_are_not_multiplied_by_the_achievement(simulate):
    # Seed 002 tier 2: M1 « Volet Fixe / Moyens 17 500 € », « Volet variable/actions et résultats 17 500 € »
    # × 60 % = 10 500, « Compensation des professionnels de santé 12000 € », « enveloppe fléchée 45000 € »
    # → 17 500 + 12 000 + 45 000 = 74 500 fixed + 10 500. Total 60 000 + 85 000 = 145 000.
    data = simulate(ACI19, 60000, [{"mission": 1, "achievement": 0.6}])
    check(data, 2, 145000, {OP: (60000, 0, 0), 1: (74500, 10500, 0)})
    # At 0 %, the fixed part and both SNP lines stay: 60 000 + 74 500 = 134 500.
    assert simulate(ACI19, 60000, [{"mission": 1, "achievement": 0}])["total"] == 134500


# --- mission 4 (avenant 2 only) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "population,plan,crisis,achievement,fixed,variable",
    [
        # « 1ère rédaction du plan (l'année de la rédaction) 25 000 € 35 000 € 45 000 € 50 000 € », no crisis.
        (30000, "first", False, 1.0, 25000, 0),
        # « Mise à jour du plan (les années suivant …) 12 500 € 17 500 € 22 500 € 25 000 € », no crisis.
        (60000, "update", False, 1.0, 17500, 0),
        # « Volet variable/survenue d'une crise sanitaire grave … 67 500 € » (tier 3) with the first drafting.
        (100000, "first", True, 1.0, 45000, 67500),
        # Update year and a crisis, tier 4 without the increase (0 members): 25 000 + 75 000.
        (175000, "update", True, 1.0, 25000, 75000),
        # No crisis: the variable part is nothing, whatever the rate.
        (175000, "first", False, 0.3, 50000, 0),
    ],
)
def test_mission_4_crisis_plan_and_crisis(simulate, population, plan, crisis, achievement, fixed, variable):
    tier = 1 + (population >= 40000) + (population >= 80000) + (population >= 175000)
    operating = {1: 50000, 2: 60000, 3: 75000, 4: 90000}[tier]
    item = {"mission": 4, "crisis_plan": plan, "crisis_occurred": crisis, "achievement": achievement}
    data = simulate(A2, population, [item])
    check(data, tier, operating + fixed + variable, {OP: (operating, 0, 0), 4: (fixed, variable, 0)})


def test_mission_4_crisis_variable_times_the_achievement(simulate):
    # Reading kept (see missions/README.md): the crisis part is a « volet variable » like the others, × the rate.
    # Tier 1 update year, crisis, 50 %: 12 500 + 37 500 × 50 % = 18 750.
    item = {"mission": 4, "crisis_plan": "update", "crisis_occurred": True, "achievement": 0.5}
    check(simulate(A2, 10000, [item]), 1, 50000 + 31250, {OP: (50000, 0, 0), 4: (12500, 18750, 0)})


def test_mission_4_does_not_exist_in_the_2019_aci(api, world):
    # Seed 002: « L'Accord conventionnel interprofessionnel définit 3 missions obligatoires (socle) et 2 missions
    # complémentaires » ; « L'Ordonnance de 2021 a officialisé ces missions en les complétant par la participation
    # à la réponse aux crises sanitaires » (no crisis row in the 2019 table).
    body = {"rule_set": ACI19, "population": 60000, "missions": [{"mission": 4, "crisis_plan": "first"}]}
    r = api(world.coordinator_a).post(URL, body, format="json")
    assert r.status_code == 400
    assert r.json()["code"] == "mission_not_in_rule_set" and "missions" in r.json()["fields"]


# --- the +10 % (avenant 2, tier 4, at least 100 members) ---------------------------------------------
def test_increase_tier_4_with_100_members_on_every_mission_line(simulate):
    # Seed 003: « taille 4 comprenant au moins cent membres … majoration de 10% sur l'ensemble des missions socles
    # ou optionnelles … hors financement additionnel du fonctionnement » → 90 000 + 490 000 × 1,1 = 629 000.
    data = simulate(A2, 175000, ALL_A2, members=100)
    check(
        data,
        4,
        629000,
        {
            OP: (90000, 0, 0),
            1: (110000, 45000, 15500),
            2: (50000, 50000, 10000),
            3: (20000, 20000, 4000),
            4: (50000, 75000, 12500),
            5: (20000, 20000, 4000),
            6: (15000, 15000, 3000),
        },
    )
    assert data["increase_applies"] is True


def test_no_increase_with_99_members(simulate):
    # « au moins cent membres »: 99 is not enough → the table's 580 000 €.
    data = simulate(A2, 175000, ALL_A2, members=99)
    check(data, 4, 580000, A2_FULL[4])
    assert data["increase_applies"] is False


def test_no_increase_below_tier_4_whatever_the_members(simulate):
    # « Les communautés professionnelles de taille 4 »: tier 3 (174 999 inhabitants) with 500 members → 487 500 €.
    check(simulate(A2, 174999, ALL_A2, members=500), 3, 487500, A2_FULL[3])


def test_increase_on_the_amounts_earned(simulate):
    # Tier 4, 120 members: M1 110 000 + 45 000 × 80 % = 146 000, +10 % = 14 600; M4 update 25 000, no crisis,
    # +10 % = 2 500. Total 90 000 + 160 600 + 27 500 = 278 100.
    missions = [
        {"mission": 1, "achievement": 0.8},
        {"mission": 4, "crisis_plan": "update", "crisis_occurred": False, "achievement": 1.0},
    ]
    data = simulate(A2, 300000, missions, members=120)
    check(data, 4, 278100, {OP: (90000, 0, 0), 1: (110000, 36000, 14600), 4: (25000, 0, 2500)})


def test_no_increase_in_the_2019_aci(simulate):
    # Seed 002 has no majoration: its tier 4 « Financement total possible … 450 000 € » even with 150 members.
    data = simulate(ACI19, 175000, ALL_2019, members=150)
    check(data, 4, 450000, ACI19_FULL[4])
    assert data["increase_applies"] is False


# --- optional missions -------------------------------------------------------------------------------
def test_optional_missions_are_funded_on_their_own(simulate):
    # Seed 003: « Tableau: Financement à compter de chaque mission choisie par la communauté professionnelle (en
    # fonction du calendrier de déploiement défini dans le contrat) »: each chosen mission is funded from its
    # start. Tier 2: M5 « 10 000 € » + 10 000 = 20 000; M6 « 7 500 € » + 7 500 × 50 % = 11 250.
    data = simulate(A2, 60000, [{"mission": 5, "achievement": 1.0}, {"mission": 6, "achievement": 0.5}])
    check(data, 2, 91250, {OP: (60000, 0, 0), 5: (10000, 10000, 0), 6: (7500, 3750, 0)})


def test_aci_2019_optional_mission_5_tier_3(simulate):
    # Seed 002 tier 3: « Volet Fixe / Moyens … 15000 € », « \olet variable/actions et résultats … 15000 € » × 25 %.
    data = simulate(ACI19, 80000, [{"mission": 5, "achievement": 0.25}])
    check(data, 3, 93750, {OP: (75000, 0, 0), 5: (15000, 3750, 0)})


def test_tier_4_optional_mission_6_with_increase(simulate):
    # Seed 003 tier 4: M6 « 15 000 € » + 15 000 × 40 % = 6 000 → 21 000, +10 % (130 members) = 2 100.
    data = simulate(A2, 250000, [{"mission": 6, "achievement": 0.4}], members=130)
    check(data, 4, 90000 + 23100, {OP: (90000, 0, 0), 6: (15000, 6000, 2100)})


def test_missions_in_any_order_come_back_in_number_order(simulate):
    missions = [{"mission": 3, "achievement": 1.0}, {"mission": 1, "achievement": 1.0}]
    data = simulate(A2, 60000, missions)
    assert [line["mission"] for line in data["lines"]] == [OP, 1, 3]
    assert data["total"] == 60000 + 100000 + 30000


# --- bad input: 400, one error shape, French -----------------------------------------------------------
BASE = {"rule_set": A2, "population": 60000, "members": 40, "missions_started": True, "missions": []}


@pytest.mark.parametrize(
    "body,field,code",
    [
        ({**BASE, "rule_set": "aci-2030"}, "rule_set", "unknown_rule_set"),
        ({**BASE, "rule_set": ""}, "rule_set", "blank"),
        ({**BASE, "missions": [{"mission": 7}]}, "missions.0.mission", "unknown_mission"),
        ({**BASE, "missions": [{"mission": 0}]}, "missions.0.mission", "unknown_mission"),
        (
            {**BASE, "missions": [{"mission": 1, "achievement": 1.5}]},
            "missions.0.achievement",
            "invalid_achievement",
        ),
        (
            {**BASE, "missions": [{"mission": 1, "achievement": -0.1}]},
            "missions.0.achievement",
            "invalid_achievement",
        ),
        ({**BASE, "missions": [{"mission": 1, "achievement": "abc"}]}, "missions.0.achievement", "invalid"),
        ({**BASE, "missions": [{"mission": 1, "achievement": "0.5"}]}, "missions.0.achievement", "invalid"),
        ({**BASE, "missions": [{"mission": 1, "achievement": True}]}, "missions.0.achievement", "invalid"),
        ({**BASE, "missions": [{"mission": 1, "achievement": None}]}, "missions.0.achievement", "null"),
        ({**BASE, "population": -1}, "population", "negative_population"),
        ({**BASE, "population": "soixante mille"}, "population", "invalid"),
        ({**BASE, "population": "60000"}, "population", "invalid"),
        ({**BASE, "population": 60000.5}, "population", "invalid"),
        ({**BASE, "population": True}, "population", "invalid"),
        ({**BASE, "members": -3}, "members", "negative_members"),
        ({**BASE, "members": "cent"}, "members", "invalid"),
        ({**BASE, "missions_started": "oui"}, "missions_started", "invalid"),
        ({**BASE, "missions_started": 1}, "missions_started", "invalid"),
        ({**BASE, "missions": [{"mission": 2}, {"mission": 2}]}, "missions", "duplicate_mission"),
        ({**BASE, "missions": {"mission": 1}}, "missions.non_field_errors", "not_a_list"),
        ({**BASE, "missions": "1,2,3"}, "missions.non_field_errors", "not_a_list"),
        ({**BASE, "missions": [1, 2]}, "missions.0.non_field_errors", "invalid"),
        ({**BASE, "missions": [{"achievement": 1.0}]}, "missions.0.mission", "required"),
        ({**BASE, "missions": [{"mission": "un"}]}, "missions.0.mission", "invalid"),
        ({"population": 60000}, "rule_set", "required"),
        ({"rule_set": A2}, "population", "required"),
        (
            {**BASE, "missions": [{"mission": 1, "crisis_plan": "update"}]},
            "missions.0.crisis_plan",
            "crisis_fields_mission_4_only",
        ),
        (
            {**BASE, "missions": [{"mission": 2, "crisis_occurred": True}]},
            "missions.0.crisis_occurred",
            "crisis_fields_mission_4_only",
        ),
        (
            {**BASE, "missions": [{"mission": 4, "crisis_plan": "later"}]},
            "missions.0.crisis_plan",
            "invalid_choice",
        ),
        (
            {**BASE, "missions": [{"mission": 4, "crisis_occurred": "oui"}]},
            "missions.0.crisis_occurred",
            "invalid",
        ),
        ({**BASE, "rule_set": ACI19, "missions": [{"mission": 4}]}, "missions", "mission_not_in_rule_set"),
    ],
)
def test_bad_input_is_a_400_in_the_one_error_shape(api, world, body, field, code):
    r = api(world.coordinator_a).post(URL, body, format="json")
    assert r.status_code == 400, r.json()
    data = r.json()
    assert set(data) == {"detail", "code", "fields"}
    assert data["code"] == code, data
    assert field in data["fields"], data
    assert all(isinstance(m, str) and m for m in data["fields"][field])
    assert isinstance(data["detail"], str) and data["detail"]


@pytest.mark.parametrize(
    "body,detail",
    [
        (
            {**BASE, "rule_set": "aci-2030"},
            "Règles ACI inconnues : « aci-2030 ». Règles disponibles : aci-2019, avenant-2-2021.",
        ),
        ({**BASE, "missions": [{"mission": 7}]}, "La mission 7 n'existe pas : les missions vont de 1 à 6."),
        (
            {**BASE, "missions": [{"mission": 1, "achievement": 1.5}]},
            "Le taux d'atteinte est une fraction entre 0 et 1 (1 = 100 %).",
        ),
        ({**BASE, "population": -1}, "La population ne peut être négative."),
        (
            {**BASE, "population": "soixante mille"},
            "Un nombre entier est attendu (un nombre JSON, pas un texte).",
        ),
        ({**BASE, "missions": [{"mission": 1}, {"mission": 1}]}, "La mission 1 figure deux fois."),
        (
            {**BASE, "missions": {"mission": 1}},
            '« missions » est une liste, par exemple [{"mission": 1, "achievement": 0.8}].',
        ),
        (
            {**BASE, "missions": [{"mission": 3, "crisis_plan": "first"}]},
            "Le plan de crise et la survenue d'une crise sanitaire grave ne concernent que la mission 4 (pas la mission 3).",
        ),
        (
            {**BASE, "rule_set": ACI19, "missions": [{"mission": 4}]},
            "La mission 4 n'existe pas dans les règles « ACI CPTS du 20 juin 2019 ».",
        ),
        ({}, "Certaines données sont invalides."),
    ],
)
def test_bad_input_messages_are_french(api, world, body, detail):
    assert api(world.coordinator_a).post(URL, body, format="json").json()["detail"] == detail


def test_false_or_null_crisis_fields_on_other_missions_say_nothing(simulate):
    # A client sending one shape for every mission: false / null are « not said », accepted anywhere.
    missions = [{"mission": 1, "crisis_plan": None, "crisis_occurred": False, "achievement": 1.0}]
    assert simulate(A2, 60000, missions)["total"] == 160000


def test_anonymous_is_refused(api):
    r = api().post(URL, BASE, format="json")
    assert r.status_code in (401, 403)
    assert set(r.json()) == {"detail", "code", "fields"}


# --- mission 4 over contract years ------------------------------------------------------------------
def test_crisis_plan_first_drafting_is_paid_in_its_year_only(contract_a):
    # Seed 003: « Volet Fixe/moyens 1ère rédaction du plan (l'année de la rédaction) … 35 000 € » (tier 2);
    # « Mise à jour du plan (les années suivant l'année de la rédaction du plan) … 17 500 € ». Mission 4 started
    # in year 1, plan drafted in year 2: year 1 neither, year 2 the first drafting, year 3 the update.
    from missions import selectors
    from missions.models import ContractMission

    ContractMission.objects.filter(contract=contract_a, number=4).update(crisis_plan_year=2)
    mission = ContractMission.objects.get(contract=contract_a, number=4)
    assert [mission.crisis_plan_state(year) for year in (1, 2, 3, 5)] == ["none", "first", "update", "update"]
    fixed = {}
    for year in (1, 2, 3):
        contract = selectors.contract_detail(contract_a)
        line = selectors.contract_year_funding(contract, year, members=0).funding.line(4)
        fixed[year] = line.fixed
    assert fixed == {1: 0, 2: 35000, 3: 17500}
