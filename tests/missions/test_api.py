"""The contract year's API: reads for members, writes for coordinators, another CPTS's contract and
indicators are 404, a member without rights gets 403 and nothing changes."""

from decimal import Decimal

import pytest

from missions.models import Avenant, Contract, Indicator, IndicatorValue, IndicatorValueChange, ReviewPack


@pytest.fixture(autouse=True)
def eager(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = str(tmp_path)


def contract_url(slug, rest=""):
    return f"/api/missions/cpts/{slug}/contract/{rest}"


def test_member_reads_the_contract_and_its_years(api, world, contract_a):
    r = api(world.member_a).get(contract_url("alpha"))
    assert r.status_code == 200
    data = r.json()
    assert data["parties"] == {"ars": "ARS Occitanie", "cpam": "CPAM de l'Hérault", "cpts": "CPTS Alpha"}
    assert data["ends_on"] == "2029-02-28"
    assert [m["number"] for m in data["missions"]] == [1, 2, 3, 4, 6]
    assert (
        data["years"][0]["review_from"] == "2025-03-01" and data["years"][0]["review_until"] == "2025-05-01"
    )
    assert data["years"][0]["tier"] == 2


@pytest.mark.parametrize("who", ["outsider", "member_b", "member_c", "partner_delegate", "fed_coordinator"])
def test_another_cpts_contract_is_404(api, world, contract_a, who):
    client = api(getattr(world, who))
    assert client.get(contract_url("alpha")).status_code == 404
    assert client.get(contract_url("alpha", "years/1/funding/")).status_code == 404
    indicator = Indicator.objects.filter(mission__contract=contract_a).first()
    assert client.get(f"/api/missions/indicators/{indicator.pk}/history/").status_code == 404
    r = client.post(
        f"/api/missions/indicators/{indicator.pk}/values/", {"year": 1, "value": 3}, format="json"
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()


def test_member_without_rights_cannot_write(api, world, contract_a):
    indicator = Indicator.objects.filter(mission__contract=contract_a).first()
    for who in (world.member_a, world.bureau_a):
        client = api(who)
        r = client.post(
            f"/api/missions/indicators/{indicator.pk}/values/", {"year": 1, "value": 3}, format="json"
        )
        assert r.status_code == 403 and r.json()["code"] == "permission_denied"
        r = client.post(
            contract_url("alpha", "avenants/"),
            {"signed_on": "2025-01-01", "effective_from": "2025-01-01", "summary": "x"},
            format="json",
        )
        assert r.status_code == 403
        assert client.post(contract_url("alpha", "years/1/review-pack/")).status_code == 403
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()
    assert not IndicatorValueChange.objects.exists()
    assert not Avenant.objects.exists() and not ReviewPack.objects.exists()


def test_coordinator_enters_a_value_and_the_funding_changes(api, world, contract_a):
    client = api(world.coordinator_a)
    before = client.get(contract_url("alpha", "years/1/funding/")).json()
    m3 = [i for i in Indicator.objects.filter(mission__contract=contract_a, mission__number=3, kind="result")]
    assert len(m3) == 1  # « Actions de prévention menées » (target 4)
    r = client.post(
        f"/api/missions/indicators/{m3[0].pk}/values/",
        {"year": 1, "value": "3", "comment": "bilan"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["new_value"] == 3.0 and r.json()["changed_by"] == str(world.coordinator_a)
    after = client.get(contract_url("alpha", "years/1/funding/")).json()
    line = next(x for x in after["lines"] if x["mission"] == 3)
    assert line["variable"] == 11250.0  # 15 000 € × 75 %
    assert "Mission 3 — volet variable : 15 000 € × 75 % = 11 250 €" in line["explanations"]
    assert after["total"] == before["total"] + 11250.0
    history = client.get(f"/api/missions/indicators/{m3[0].pk}/history/").json()
    assert history[0]["comment"] == "bilan" and history[0]["origin"] == "manual"


def test_bad_value_is_400_and_nothing_written(api, world, contract_a):
    indicator = Indicator.objects.filter(mission__contract=contract_a).first()
    client = api(world.coordinator_a)
    for payload in ({"year": 1, "value": "-2"}, {"year": 9, "value": "2"}, {"year": 1, "value": "abc"}):
        r = client.post(f"/api/missions/indicators/{indicator.pk}/values/", payload, format="json")
        assert r.status_code == 400 and set(r.json()) == {"detail", "code", "fields"}
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()


def test_create_contract_through_the_api(api, world):
    client = api(world.coordinator_b)
    body = {
        "signed_on": "2025-01-15",
        "rule_set": "avenant-2-2021",
        "ars_name": "ARS Occitanie",
        "cpam_name": "CPAM de l'Hérault",
        "population": 30000,
        "missions": [{"number": 1, "start_year": 2}],
    }
    r = client.post(contract_url("bravo"), body, format="json")
    assert r.status_code == 201, r.json()
    funding = client.get(contract_url("bravo", "years/1/funding/")).json()
    assert funding["total"] == 50000.0 and funding["missions_started"] is False
    assert api(world.member_b).post(contract_url("bravo"), body, format="json").status_code == 403
    bad = client.post(contract_url("bravo"), {**body, "rule_set": "aci-1999"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_rule_set"
    assert Contract.objects.filter(cpts=world.cpts_b).count() == 1


def test_review_date_and_mission_year(api, world, contract_a):
    client = api(world.coordinator_a)
    r = client.put(contract_url("alpha", "years/1/review/"), {"scheduled_on": "2025-06-01"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "review_outside_window"
    r = client.put(contract_url("alpha", "years/1/review/"), {"scheduled_on": "2025-04-01"}, format="json")
    assert r.status_code == 200 and r.json()["years"][0]["review_on"] == "2025-04-01"
    r = client.put(contract_url("alpha", "years/1/missions/2/"), {"crisis_occurred": True}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "crisis_not_mission_4"
    r = client.put(contract_url("alpha", "years/1/missions/2/"), {"agreed_achievement": "0.5"}, format="json")
    line = next(x for x in r.json()["lines"] if x["mission"] == 2)
    assert line["variable"] == 17500.0


def test_review_pack_generated_in_the_background(api, world, contract_a, django_capture_on_commit_callbacks):
    client = api(world.coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(contract_url("alpha", "years/1/review-pack/"))
    assert r.status_code == 202
    pack = ReviewPack.objects.get(pk=r.json()["id"])
    assert pack.status == "done" and pack.progress == 100
    status = api(world.member_a).get(f"/api/missions/review-packs/{pack.pk}/").json()
    assert set(status["downloads"]) == {"pdf", "xlsx", "csv"}
    assert api(world.member_b).get(f"/api/missions/review-packs/{pack.pk}/").status_code == 404
    assert pack.pdf.read()[:4] == b"%PDF"


def test_add_indicator(api, world, contract_a):
    client = api(world.coordinator_a)
    body = {
        "mission": 2,
        "name": "Protocoles pluriprofessionnels signés",
        "kind": "result",
        "target": "3",
        "data_source": "Comptes rendus",
        "direction": "up",
    }
    r = client.post(contract_url("alpha", "indicators/"), body, format="json")
    assert r.status_code == 201, r.json()
    r = client.post(contract_url("alpha", "indicators/"), {**body, "mission": 5}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "mission_not_contracted"
    assert Indicator.objects.filter(name=body["name"]).count() == 1
    assert Decimal(str(Indicator.objects.get(name=body["name"]).target)) == 3


def test_coordinator_changes_a_target_member_cannot(api, world, contract_a):
    indicator = Indicator.objects.get(
        mission__contract=contract_a, name="Nombre de médecins participant au SAS"
    )
    url = f"/api/missions/indicators/{indicator.pk}/"
    assert api(world.member_a).patch(url, {"target": "30"}, format="json").status_code == 403
    assert api(world.member_b).patch(url, {"target": "30"}, format="json").status_code == 404
    indicator.refresh_from_db()
    assert indicator.target == 1
    r = api(world.coordinator_a).patch(url, {"target": "30", "weight": "2"}, format="json")
    assert r.status_code == 200 and r.json()["target"] == "30.00"
    r = api(world.coordinator_a).patch(url, {"name": "Autre"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "national_indicator"


def test_year_reads_cost_a_fixed_number_of_queries(api, world, contract_a, django_assert_num_queries):
    """Whatever the number of missions and indicators: session user 0 (forced), CPTS 1, membership 1,
    contract 1, details 7 (contract + avenants, reviews, missions, years, indicators, values), members 1."""
    client = api(world.member_a)
    client.get(contract_url("alpha", "years/1/funding/"))  # warm the caches (rule sets, content types)
    with django_assert_num_queries(11):
        assert client.get(contract_url("alpha", "years/1/funding/")).status_code == 200
    with django_assert_num_queries(10):
        assert client.get(contract_url("alpha", "years/1/indicators/")).status_code == 200
