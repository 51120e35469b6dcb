"""The contract of a CPTS: creation, years and rule sets in force, avenants, indicators and their history,
funding per contract year, review window."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from missions import selectors, services
from missions.models import Indicator, IndicatorValue, IndicatorValueChange
from tests.missions.conftest import result_indicators

D = Decimal


def fresh(contract):
    return selectors.contract_detail(contract)


def test_contract_years_term_and_review_window(contract_a):
    assert contract_a.ends_on == dt.date(2029, 2, 28)
    assert contract_a.year_of(dt.date(2025, 2, 28)) == 1
    assert contract_a.year_of(dt.date(2025, 3, 1)) == 2
    # seed 003: « une réunion annuelle est organisée dans un délai de deux mois après la date d'anniversaire »
    assert contract_a.review_window(1) == (dt.date(2025, 3, 1), dt.date(2025, 5, 1))


def test_mission_1_has_the_national_indicators_including_sas(contract_a):
    names = set(
        Indicator.objects.filter(mission__contract=contract_a, mission__number=1, national=True).values_list(
            "name", flat=True
        )
    )
    assert "Nombre de médecins participant au SAS" in names
    assert "Nombre de demandes du SAS ayant abouti à un rendez-vous par la CPTS" in names
    assert len(names) == 5


def test_funding_follows_manual_values_and_the_history_keeps_every_change(world, contract_a):
    contract = fresh(contract_a)
    year1 = selectors.contract_year_funding(contract, 1)
    assert year1.funding.tier == 2
    # Nothing measured yet: variable parts at 0 %.
    assert year1.funding.line(1).variable == 0
    sas = Indicator.objects.get(mission__contract=contract_a, name="Nombre de médecins participant au SAS")
    others = [i for i in result_indicators(contract_a, 1) if i.pk != sas.pk]
    sas.target = D(10)
    sas.save()
    for indicator in others:
        services.indicator_value_set(
            actor=world.coordinator_a, indicator=indicator, year=1, value=indicator.target
        )
    services.indicator_value_set(
        actor=world.coordinator_a, indicator=sas, year=1, value=5, comment="Bilan SAS"
    )
    funding = selectors.contract_year_funding(fresh(contract_a), 1).funding
    # 4 indicators at 100 %, one at 50 %: 90 % of 30 000 €.
    assert funding.line(1).variable == D("27000.00")
    assert "Mission 1 — volet variable : 30 000 € × 90 % = 27 000 €" in funding.line(1).explanations
    services.indicator_value_set(actor=world.coordinator_a, indicator=sas, year=1, value=10)
    funding = selectors.contract_year_funding(fresh(contract_a), 1).funding
    assert funding.line(1).variable == D("30000.00")
    history = list(IndicatorValueChange.objects.filter(indicator=sas).order_by("changed_at", "id"))
    assert [(h.old_value, h.new_value) for h in history] == [(None, D(5)), (D(5), D(10))]
    assert history[0].changed_by == world.coordinator_a and history[0].comment == "Bilan SAS"
    value = IndicatorValue.objects.get(indicator=sas, year=1)
    assert value.origin == "manual" and value.entered_by == world.coordinator_a


def test_same_value_twice_adds_no_history(world, contract_a):
    indicator = result_indicators(contract_a, 2)[0] if result_indicators(contract_a, 2) else None
    indicator = indicator or Indicator.objects.filter(mission__contract=contract_a).first()
    services.indicator_value_set(actor=world.coordinator_a, indicator=indicator, year=1, value=3)
    services.indicator_value_set(actor=world.coordinator_a, indicator=indicator, year=1, value=3)
    assert IndicatorValueChange.objects.filter(indicator=indicator).count() == 1


def test_missions_not_started_yet_and_operating_only(world, contract_a):
    contract = services.contract_create(
        actor=world.coordinator_b,
        cpts=world.cpts_b,
        signed_on=dt.date(2025, 1, 15),
        rule_set="avenant-2-2021",
        ars_name="ARS",
        cpam_name="CPAM",
        population=30000,
        missions=[{"number": 1, "start_year": 2}, {"number": 2, "start_year": 2}],
    )
    year1 = selectors.contract_year_funding(fresh(contract), 1)
    assert year1.funding.total == D(50000)
    assert not year1.funding.missions_started
    assert any("démarre l'année 2" in note for note in year1.funding.notes)
    year2 = selectors.contract_year_funding(fresh(contract), 2)
    assert year2.funding.line(1).fixed == D(55000)


def test_crisis_plan_first_year_then_updates(world, contract_a):
    contract = fresh(contract_a)
    assert selectors.contract_year_funding(contract, 1).funding.line(4).fixed == D(35000)
    assert selectors.contract_year_funding(contract, 2).funding.line(4).fixed == D(17500)
    mission4 = selectors.contract_mission(contract, 4)
    services.mission_year_set(actor=world.coordinator_a, mission=mission4, year=2, crisis_occurred=True)
    line = selectors.contract_year_funding(fresh(contract_a), 2).funding.line(4)
    assert line.variable == 0  # crisis occurred, but its result indicator is not measured yet
    assert any("survenue d'une crise" in text for text in line.explanations)


def test_avenant_moves_a_2019_contract_to_avenant_2(world):
    contract = services.contract_create(
        actor=world.coordinator_b,
        cpts=world.cpts_b,
        signed_on=dt.date(2020, 6, 1),
        rule_set="aci-2019",
        ars_name="ARS",
        cpam_name="CPAM",
        population=90000,
        missions=[{"number": n} for n in (1, 2, 3)],
    )
    services.avenant_add(
        actor=world.coordinator_b,
        contract=contract,
        signed_on=dt.date(2022, 4, 15),
        effective_from=dt.date(2022, 4, 15),
        summary="Passage à l'avenant 2 : mission 4 (crises sanitaires graves) ajoutée.",
        rule_set="avenant-2-2021",
    )
    services.mission_add(actor=world.coordinator_b, contract=contract, number=4, start_year=2)
    contract = fresh(contract)
    assert selectors.rule_set_in_force(contract, 1).id == "aci-2019"
    # Year 2 runs 1 June 2021 – 31 May 2022: the avenant applies during it.
    assert selectors.rule_set_in_force(contract, 2).id == "avenant-2-2021"
    year1 = selectors.contract_year_funding(contract, 1)
    assert year1.funding.line(1).fixed == D(25000 + 15000 + 55000)  # 2019 tier 3: fixed + SNP lines
    assert 4 not in [line.mission for line in year1.funding.lines]
    year2 = selectors.contract_year_funding(contract, 2)
    assert year2.funding.line(1).fixed == D(90000) and year2.funding.line(4).fixed == D(45000)


def test_avenant_cannot_apply_after_the_end(world, contract_a):
    with pytest.raises(ValidationError) as exc:
        services.avenant_add(
            actor=world.coordinator_a,
            contract=contract_a,
            signed_on=dt.date(2029, 1, 1),
            effective_from=dt.date(2030, 1, 1),
            summary="Trop tard",
        )
    assert exc.value.error_dict["effective_from"][0].code == "avenant_after_end"


def test_review_date_must_be_within_two_months_after_the_anniversary(world, contract_a):
    review = services.review_schedule(
        actor=world.coordinator_a, contract=contract_a, year=1, scheduled_on=dt.date(2025, 4, 10)
    )
    assert review.scheduled_on == dt.date(2025, 4, 10)
    with pytest.raises(ValidationError) as exc:
        services.review_schedule(
            actor=world.coordinator_a, contract=contract_a, year=1, scheduled_on=dt.date(2025, 6, 1)
        )
    assert exc.value.error_dict["scheduled_on"][0].code == "review_outside_window"


def test_negative_or_future_values_are_refused_and_nothing_written(world, contract_a):
    indicator = Indicator.objects.filter(mission__contract=contract_a).first()
    with pytest.raises(ValidationError):
        services.indicator_value_set(actor=world.coordinator_a, indicator=indicator, year=1, value=-1)
    with pytest.raises(ValidationError):
        services.indicator_value_set(
            actor=world.coordinator_a, indicator=indicator, year=1, value=1, measured_on=dt.date(2999, 1, 1)
        )
    with pytest.raises(ValidationError):
        services.indicator_value_set(actor=world.coordinator_a, indicator=indicator, year=6, value=1)
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()
    assert not IndicatorValueChange.objects.filter(indicator=indicator).exists()


def test_second_contract_during_the_first_is_refused(world, contract_a):
    with pytest.raises(ValidationError) as exc:
        services.contract_create(
            actor=world.coordinator_a,
            cpts=world.cpts_a,
            signed_on=dt.date(2025, 3, 1),
            rule_set="avenant-2-2021",
            ars_name="ARS",
            cpam_name="CPAM",
            population=1,
        )
    assert exc.value.code == "contract_exists"
