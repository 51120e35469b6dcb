"""Property tests of the funding rules (hypothesis).

- Funding never exceeds the rule set's « Financement total possible » for the tier, before the increase
  (seed 002: « Il peut atteindre un maximum de 220000 €/an pour une CPTS Taille 1 et jusqu'a 450000 €/an pour
  une CPTS Taille 4 »); with the increase, never more than that total plus 10 % of its mission part.
- The +10 % applies only to mission lines of size-4 CPTS with at least 100 members (seed 003).
"""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from missions.funding import MissionInput, compute_funding
from missions.rules import rule_sets

RULE_SETS = list(rule_sets().values())


@st.composite
def years(draw):
    rule_set = draw(st.sampled_from(RULE_SETS))
    numbers = draw(st.sets(st.sampled_from(sorted(rule_set.missions)), max_size=6))
    missions = [
        MissionInput(
            number=n,
            achievement=Decimal(draw(st.integers(0, 10_000))) / 10_000,
            crisis_plan=draw(st.sampled_from(["first", "update"])),
            crisis_occurred=draw(st.booleans()),
        )
        for n in numbers
    ]
    return (
        rule_set,
        draw(st.integers(1, 4)),
        draw(st.integers(0, 400)),
        draw(st.booleans()),
        missions,
    )


@settings(max_examples=300, deadline=None)
@given(years())
def test_funding_never_exceeds_the_total_possible(case):
    rule_set, tier, members, started, missions = case
    funding = compute_funding(
        rule_set, tier=tier, members=members, missions_started=started, missions=missions
    )
    increase = sum((line.increase for line in funding.lines), Decimal(0))
    assert funding.total - increase <= rule_set.total_possible_for(tier)
    assert funding.total <= funding.max_possible
    assert funding.total >= rule_set.operating[tier - 1]
    if not started:
        assert funding.total == rule_set.operating[tier - 1]


@settings(max_examples=300, deadline=None)
@given(years())
def test_increase_only_on_mission_lines_of_tier_4_with_100_members(case):
    rule_set, tier, members, started, missions = case
    funding = compute_funding(
        rule_set, tier=tier, members=members, missions_started=started, missions=missions
    )
    eligible = rule_set.increase is not None and tier == 4 and members >= 100
    assert funding.increase_applies is eligible
    for line in funding.lines:
        if line.mission is None or not eligible:
            assert line.increase == 0
        else:
            assert line.increase == ((line.fixed + line.variable) * Decimal("0.10")).quantize(Decimal("0.01"))
