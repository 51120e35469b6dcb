"""The simulator (`POST /api/missions/aci/simulate/`), hand-checked against the seeds' tables.

Seed 003 (avenant 2): « Missions en faveur de l'amélioration de l'accès aux soins (socle) Volet Fixe / Moyens
55 000 € 70 000 € 90 000 € 110 000 € / Volet variable/actions et résultats 25 000 € 30 000 € 35 000 € 45 000 € »;
« *Les montants mentionnés dans le volet variable/actions et résultats correspondent à un taux d'atteinte de
100% »; « Avant le démarrage des missions choisies par la communauté professionnelle » : fonctionnement seul.
"""

import pytest

URL = "/api/missions/aci/simulate/"


@pytest.fixture
def post(api, world):
    client = api(world.member_a)

    def send(body):
        return client.post(URL, body, format="json")

    return send


def body(**overrides):
    data = {
        "rule_set": "avenant-2-2021",
        "population": 60000,
        "members": 40,
        "missions_started": True,
        "missions": [],
    }
    data.update(overrides)
    return data


def test_the_issue_example_tier_2_core_missions_1_to_3(post):
    """Tier 2: operating 60 000 + M1 100 000 + M2 70 000 + M3 30 000 = 260 000 €."""
    r = post(body(missions=[{"mission": n, "achievement": 1.0} for n in (1, 2, 3)]))
    assert r.status_code == 200, r.json()
    data = r.json()
    assert data["tier"] == 2
    assert data["total"] == 260000.0
    operating = data["lines"][0]
    assert operating["mission"] is None and operating["fixed"] == 60000.0
    m1 = next(line for line in data["lines"] if line["mission"] == 1)
    assert (m1["fixed"], m1["variable"], m1["increase"]) == (70000.0, 30000.0, 0.0)


def test_variable_part_times_achievement_explained_in_french(post):
    """Tier 3 (100 000 inhabitants): M1 variable 35 000 € × 80 % = 28 000 €."""
    r = post(body(population=100000, missions=[{"mission": 1, "achievement": 0.8}]))
    data = r.json()
    m1 = next(line for line in data["lines"] if line["mission"] == 1)
    assert m1["variable"] == 28000.0 and m1["fixed"] == 90000.0
    assert "Mission 1 — volet variable : 35 000 € × 80 % = 28 000 €" in m1["explanations"]
    assert data["total"] == 75000.0 + 90000.0 + 28000.0


def test_missions_not_started_means_operating_only(post):
    r = post(body(missions_started=False, missions=[{"mission": 1, "achievement": 1.0}]))
    data = r.json()
    assert data["total"] == 60000.0
    assert [line["mission"] for line in data["lines"]] == [None]


def test_mission_4_first_update_and_crisis(post):
    first = post(
        body(missions=[{"mission": 4, "crisis_plan": "first", "crisis_occurred": False, "achievement": 1.0}])
    )
    assert first.json()["total"] == 60000.0 + 35000.0
    update = post(
        body(missions=[{"mission": 4, "crisis_plan": "update", "crisis_occurred": True, "achievement": 0.5}])
    )
    m4 = next(line for line in update.json()["lines"] if line["mission"] == 4)
    assert (m4["fixed"], m4["variable"]) == (17500.0, 26250.0)


def test_increase_for_tier_4_with_100_members_on_mission_lines_only(post):
    """Seed 003: « majoration de 10% sur l'ensemble des missions ... hors financement additionnel du
    fonctionnement » for « taille 4 comprenant au moins cent membres »."""
    missions = [{"mission": n, "achievement": 1.0, "crisis_occurred": n == 4} for n in range(1, 7)]
    r = post(body(population=200000, members=100, missions=missions))
    data = r.json()
    assert data["tier"] == 4 and data["increase_applies"] is True
    assert data["lines"][0]["increase"] == 0.0
    m1 = next(line for line in data["lines"] if line["mission"] == 1)
    assert m1["increase"] == 15500.0
    assert data["total"] == 90000.0 + 490000.0 * 1.1
    below = post(body(population=200000, members=99, missions=missions)).json()
    assert below["total"] == 580000.0 and below["increase_applies"] is False
    tier3 = post(body(population=150000, members=500, missions=missions)).json()
    assert tier3["increase_applies"] is False and tier3["total"] == 487500.0


def test_aci_2019_tier_1_everything(post):
    """Seed 002: « Financement total possible ... 220 000 € » for tier 1."""
    r = post(body(rule_set="aci-2019", population=30000, missions=[{"mission": n} for n in (1, 2, 3, 5, 6)]))
    assert r.json()["total"] == 220000.0


@pytest.mark.parametrize(
    "overrides,field,code",
    [
        ({"rule_set": "aci-2030"}, "rule_set", "unknown_rule_set"),
        ({"missions": [{"mission": 7, "achievement": 1.0}]}, "missions.0.mission", "unknown_mission"),
        ({"missions": [{"mission": 1, "achievement": 1.5}]}, "missions.0.achievement", "invalid_achievement"),
        (
            {"missions": [{"mission": 1, "achievement": -0.1}]},
            "missions.0.achievement",
            "invalid_achievement",
        ),
        ({"population": -1}, "population", "negative_population"),
        ({"members": -3}, "members", "negative_members"),
        ({"missions": [{"mission": 1}, {"mission": 1}]}, "missions", "duplicate_mission"),
        ({"rule_set": "aci-2019", "missions": [{"mission": 4}]}, "missions", "mission_not_in_rule_set"),
    ],
)
def test_bad_input_is_a_400_in_the_one_error_shape(post, overrides, field, code):
    r = post(body(**overrides))
    assert r.status_code == 400
    data = r.json()
    assert set(data) == {"detail", "code", "fields"}
    assert data["code"] == code
    assert field in data["fields"], data
    assert data["detail"] and all(isinstance(m, str) for m in data["fields"][field])


def test_french_messages(post):
    data = post(body(missions=[{"mission": 7}])).json()
    assert data["detail"] == "La mission 7 n'existe pas : les missions vont de 1 à 6."
    assert post(body(population=-5)).json()["detail"] == "La population ne peut être négative."


def test_rule_sets_list_and_anonymous_refused(api, world):
    r = api(world.member_a).get("/api/missions/aci/rule-sets/")
    assert [item["id"] for item in r.json()] == ["aci-2019", "avenant-2-2021"]
    assert api().post(URL, body(), format="json").status_code in (401, 403)


def test_nulls_and_defaults(post):
    """Missing achievement = 100 %; null crisis fields = first drafting, no crisis; integers accepted."""
    r = post(
        body(
            missions=[
                {"mission": 1},
                {"mission": 4, "crisis_plan": None, "crisis_occurred": None, "achievement": 1},
            ]
        )
    )
    assert r.status_code == 200, r.json()
    assert r.json()["total"] == 60000.0 + 100000.0 + 35000.0
    assert post({"rule_set": "avenant-2-2021", "population": 60000}).json()["total"] == 60000.0
