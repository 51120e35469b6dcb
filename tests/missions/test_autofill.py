"""Indicators the platform fills itself, with their source: SNP rosters, prevention campaigns, meetings and
attendance, the crisis plan document, members by profession."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from missions import autofill, selectors, services
from missions.integration import express_member_count
from missions.models import Indicator, IndicatorValue, IndicatorValueChange
from shared_actions.models import (
    Campaign,
    CampaignAction,
    Document,
    DocumentVersion,
    Invitation,
    Meeting,
    Roster,
    RosterSite,
    Shift,
    ShiftAssignment,
)

D = Decimal


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def at(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def platform_data(world, contract_a):
    """In year 1 of Alpha's contract (1 March 2024 – 28 February 2025): 3 SNP shifts of 4 h, two filled by
    Alpha's members; one prevention action; two meetings, 3 present out of 4 marked; the crisis plan."""
    roster = Roster.objects.create(name="SNP Alpha", cpts=world.cpts_a)
    site = RosterSite.objects.create(roster=roster, name="MSP", cpts=world.cpts_a)
    day = dt.date(2024, 6, 1)
    shifts = [
        Shift.objects.create(roster=roster, site=site, start=at(day, h), end=at(day, h + 4))
        for h in (8, 12, 16)
    ]
    for shift, user in zip(shifts[:2], [world.coordinator_a, world.member_a], strict=True):
        ShiftAssignment.objects.create(shift=shift, user=user, cpts=world.cpts_a)
    # Outside the year: not counted.
    late = Shift.objects.create(
        roster=roster, site=site, start=at(dt.date(2025, 3, 2), 8), end=at(dt.date(2025, 3, 2), 12)
    )
    ShiftAssignment.objects.create(shift=late, user=world.member_a, cpts=world.cpts_a)
    campaign = Campaign.objects.create(
        federation=world.fed,
        title="Grippe",
        theme="vaccination_grippe",
        start_date=day,
        end_date=day,
        lead_cpts=world.cpts_a,
    )
    CampaignAction.objects.create(campaign=campaign, title="Stand", date=day, cpts=world.cpts_a)
    for month in (4, 9):
        meeting = Meeting.objects.create(
            cpts=world.cpts_a,
            title="Plénière",
            start=at(dt.date(2024, month, 3), 18),
            end=at(dt.date(2024, month, 3), 20),
        )
        for user, present in ((world.coordinator_a, True), (world.member_a, month == 4)):
            Invitation.objects.create(meeting=meeting, user=user, attended=present)
    plan = Document.objects.create(
        cpts=world.cpts_a, title="Plan de crise de la CPTS Alpha", category="protocole"
    )
    version = DocumentVersion.objects.create(
        document=plan,
        number=1,
        file=ContentFile(b"%PDF-1.4", name="plan.pdf"),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=8,
    )
    DocumentVersion.objects.filter(pk=version.pk).update(uploaded_at=at(dt.date(2024, 5, 1), 10))
    return contract_a


def test_each_source_measures_its_figure_with_the_source_shown(platform_data):
    contract = platform_data
    hours = autofill.snp_hours(contract, 1)
    assert hours.value == D("8.00") and "Plannings SNP" in hours.detail and "2 créneau" in hours.detail
    coverage = autofill.snp_coverage(contract, 1)
    assert coverage.value == D("66.67") and "2 créneau(x) pourvus sur 3" in coverage.detail
    assert autofill.prevention_actions(contract, 1).value == 1
    assert autofill.meetings_held(contract, 1).value == 2
    assert autofill.attendance_rate(contract, 1).value == D("75.00")
    plan = autofill.crisis_plan(contract, 1)
    assert plan.value == 1 and "Plan de crise de la CPTS Alpha" in plan.detail
    assert autofill.crisis_plan(contract, 2).value == 0  # no update uploaded in year 2
    members = autofill.members_total(contract, 1)
    assert members.value == express_member_count(contract.cpts)
    assert "Registre des adhérents" in members.detail  # the register (issue 20) answers


def test_autofill_fills_values_once_and_keeps_manual_ones(world, platform_data):
    contract = platform_data
    changed = services.indicators_autofill(contract=contract, year=1)
    assert changed >= 4
    hours = IndicatorValue.objects.get(
        indicator__mission__contract=contract, indicator__auto_source="snp_hours", year=1
    )
    assert hours.value == D("8.00") and hours.origin == "auto" and "Plannings SNP" in hours.source_detail
    before = IndicatorValueChange.objects.count()
    assert services.indicators_autofill(contract=contract, year=1) == 0  # idempotent
    assert IndicatorValueChange.objects.count() == before
    # A value entered by hand is not overwritten by the next computation.
    indicator = Indicator.objects.get(mission__contract=contract, auto_source="snp_coverage")
    services.indicator_value_set(actor=world.coordinator_a, indicator=indicator, year=1, value=80)
    services.indicators_autofill(contract=contract, year=1)
    assert IndicatorValue.objects.get(indicator=indicator, year=1).value == 80


def test_crisis_plan_drives_mission_4_variable_when_a_crisis_occurs(world, platform_data):
    contract = platform_data
    services.indicators_autofill(contract=contract, year=1)
    mission4 = selectors.contract_mission(selectors.contract_detail(contract), 4)
    services.mission_year_set(actor=world.coordinator_a, mission=mission4, year=1, crisis_occurred=True)
    line = selectors.contract_year_funding(selectors.contract_detail(contract), 1).funding.line(4)
    assert (line.fixed, line.variable) == (D(35000), D("52500.00"))
