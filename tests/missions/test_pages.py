"""The contract year's pages: a coordinator enters a manual value and sees the funding line change; members
read; other CPTS get 404; a member without rights gets 403 and nothing changes; the simulator page."""

import pytest

from missions.models import Contract, Indicator, IndicatorValue, ReviewPack


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_coordinator_enters_a_value_and_the_funding_line_changes(web, world, contract_a):
    browser = web(world.coordinator_a)
    page = browser.get("/cpts/alpha/contrat/?annee=1").content.decode()
    assert "Financement de l&#x27;année 1" in page or "Financement de l'année 1" in page
    assert "Mission 3 — volet variable : 15 000 € × 0 % = 0 €" in page
    indicator = Indicator.objects.get(mission__contract=contract_a, mission__number=3, kind="result")
    r = browser.post(
        f"/cpts/alpha/contrat/indicateurs/{indicator.pk}/valeur/", {"year": 1, "value": "2", "comment": "ok"}
    )
    assert r.status_code == 302
    page = browser.get("/cpts/alpha/contrat/?annee=1").content.decode()
    assert "Mission 3 — volet variable : 15 000 € × 50 % = 7 500 €" in page
    history = browser.get(f"/cpts/alpha/contrat/indicateurs/{indicator.pk}/").content.decode()
    assert "Saisie manuelle" in history and "ok" in history


def test_bad_value_shows_a_french_error_and_writes_nothing(web, world, contract_a):
    indicator = Indicator.objects.filter(mission__contract=contract_a).first()
    r = web(world.coordinator_a).post(
        f"/cpts/alpha/contrat/indicateurs/{indicator.pk}/valeur/", {"year": 1, "value": "-4"}, follow=True
    )
    assert "Assurez-vous que cette valeur est supérieure ou égale à 0" in r.content.decode()
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()


def test_member_reads_but_cannot_write(web, world, contract_a):
    browser = web(world.member_a)
    page = browser.get("/cpts/alpha/contrat/").content.decode()
    assert "Recalculer depuis la plateforme" not in page and "Financement attendu" in page
    indicator = Indicator.objects.filter(mission__contract=contract_a).first()
    assert (
        browser.post(
            f"/cpts/alpha/contrat/indicateurs/{indicator.pk}/valeur/", {"year": 1, "value": "2"}
        ).status_code
        == 403
    )
    assert browser.post("/cpts/alpha/contrat/dossier/", {"year": 1}).status_code == 403
    assert not IndicatorValue.objects.exists() and not ReviewPack.objects.exists()


@pytest.mark.parametrize("who", ["member_b", "outsider", "fed_coordinator"])
def test_another_cpts_pages_are_404(web, world, contract_a, who):
    browser = web(getattr(world, who))
    indicator = Indicator.objects.filter(mission__contract=contract_a).first()
    assert browser.get("/cpts/alpha/contrat/").status_code == 404
    assert browser.get(f"/cpts/alpha/contrat/indicateurs/{indicator.pk}/").status_code == 404
    assert (
        browser.post(
            f"/cpts/alpha/contrat/indicateurs/{indicator.pk}/valeur/", {"year": 1, "value": "2"}
        ).status_code
        == 404
    )
    assert not IndicatorValue.objects.exists()


def test_empty_contract_page_says_what_to_do_first_and_creates(web, world):
    browser = web(world.coordinator_b)
    page = browser.get("/cpts/bravo/contrat/").content.decode()
    assert "Aucun contrat ACI" in page and "Enregistrer le contrat" in page
    r = browser.post(
        "/cpts/bravo/contrat/creer/",
        {
            "signed_on": "2025-01-15",
            "rule_set": "avenant-2-2021",
            "ars_name": "ARS",
            "cpam_name": "CPAM",
            "population": "45000",
            "missions": ["1", "2"],
        },
    )
    assert r.status_code == 302
    assert Contract.objects.get(cpts=world.cpts_b).missions.count() == 2
    assert "Enregistrer le contrat" not in web(world.member_b).get("/cpts/bravo/contrat/").content.decode()


def test_review_pack_page_and_downloads(web, world, contract_a, django_capture_on_commit_callbacks):
    browser = web(world.coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = browser.post("/cpts/alpha/contrat/dossier/", {"year": 1})
    page = browser.get(r["Location"]).content.decode()
    assert "Télécharger le PDF" in page
    pack = ReviewPack.objects.get()
    pdf = web(world.member_a).get(f"/missions/dossiers/{pack.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content)[:4] == b"%PDF"
    assert web(world.member_b).get(f"/missions/dossiers/{pack.pk}/pdf/").status_code == 404


def test_simulator_page(web, world):
    query = "rule_set=avenant-2-2021&population=60000&members=40&missions_started=on&m1=on&m1_rate=80&m2=on&m2_rate=100"
    page = web(world.member_a).get(f"/missions/simulateur/?{query}").content.decode()
    assert "Mission 1 — volet variable : 30 000 € × 80 % = 24 000 €" in page
    assert "224 000 €" in page  # 60 000 + 70 000 + 24 000 + 70 000
    bad = (
        web(world.member_a)
        .get("/missions/simulateur/?rule_set=avenant-2-2021&population=-3&members=0")
        .content.decode()
    )
    assert "errorlist" in bad


def test_coordinator_changes_a_target_on_the_history_page(web, world, contract_a):
    indicator = Indicator.objects.get(mission__contract=contract_a, mission__number=3, kind="result")
    url = f"/cpts/alpha/contrat/indicateurs/{indicator.pk}/cible/"
    body = {"target": "8", "weight": "1", "data_source": "Campagnes"}
    assert web(world.member_a).post(url, body).status_code == 403
    assert (
        "Cible négociée"
        not in web(world.member_a).get(f"/cpts/alpha/contrat/indicateurs/{indicator.pk}/").content.decode()
    )
    assert web(world.coordinator_a).post(url, body).status_code == 302
    indicator.refresh_from_db()
    assert indicator.target == 8 and indicator.data_source == "Campagnes"


def test_agreed_rate_and_crisis_flag_are_saved_apart(web, world, contract_a):
    browser = web(world.coordinator_a)
    url = "/cpts/alpha/contrat/missions/4/annee/"
    assert browser.post(url, {"year": 1, "part": "crisis", "crisis_occurred": "on"}).status_code == 302
    assert browser.post(url, {"year": 1, "part": "agreed", "agreed_rate": "80"}).status_code == 302
    page = browser.get("/cpts/alpha/contrat/?annee=1").content.decode()
    assert (
        "Mission 4 — volet variable, survenue d&#x27;une crise sanitaire grave : 52 500 € × 80 % = 42 000 €"
        in page
    )
    assert "taux retenu à la revue annuelle : 80 %" in page
    assert (
        web(world.member_a).post(url, {"year": 1, "part": "agreed", "agreed_rate": "10"}).status_code == 403
    )
    browser.post(url, {"year": 1, "part": "agreed", "agreed_rate": ""})
    assert "52 500 € × 0 % = 0 €" in browser.get("/cpts/alpha/contrat/?annee=1").content.decode()
