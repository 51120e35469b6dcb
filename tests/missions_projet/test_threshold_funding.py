"""Issue 19's acceptance, crossing the threshold with the register (seed 003): "Les communautés
professionnelles de taille 4 comprenant au moins cent membres (professionnels de santé ou structures ayant
expressément adhéré à la communauté) bénéficient d'une majoration de 10% sur l'ensemble des missions socles ou
optionnelles mentionnés ci-dessus hors financement additionnel du fonctionnement."
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from missions import services as contract_services
from missions.projet.models import MemberStatus, RegisterMember
from missions.projet.register import services as register
from missions.projet.selectors import express_member_count
from missions.selectors import contract_detail, contract_year_funding


@pytest.fixture
def tier4_contract(world):
    return contract_services.contract_create(
        actor=world.coordinator_a,
        cpts=world.cpts_a,
        signed_on=dt.date(2024, 3, 1),
        rule_set="avenant-2-2021",
        ars_name="ARS Occitanie",
        cpam_name="CPAM de l'Hérault",
        population=200_000,  # tier 4: 175 000 inhabitants or more
        missions=[{"number": n, "start_year": 1} for n in (1, 2, 3, 4)],
    )


def test_the_100th_express_member_brings_the_10_percent(world, make_pro, join, tier4_contract):
    # 99 active lines written directly (the services' path is tested elsewhere; 99 calls would be slow).
    category = register.categories_ensure_defaults(cpts=world.cpts_a)[1]
    now = timezone.now()
    RegisterMember.objects.bulk_create(
        RegisterMember(
            cpts=world.cpts_a,
            professional=make_pro("60"),
            category=category,
            status=MemberStatus.ACTIVE,
            origin=RegisterMember.Origin.ADDED,
            consented_at=now,
            joined_on=now.date(),
        )
        for _ in range(99)
    )
    # A request not yet accepted and an addition not yet consented do not count: they are not express members.
    requester = make_pro("10")
    register.member_add(actor=world.coordinator_a, cpts=world.cpts_a, professional=requester)
    assert express_member_count(world.cpts_a) == 99
    before = contract_year_funding(contract_detail(tier4_contract), 1)
    assert before.funding.increase_applies is False

    last = join(world.cpts_a, pro=make_pro("70"))
    assert express_member_count(world.cpts_a) == 100
    after = contract_year_funding(contract_detail(tier4_contract), 1)
    assert after.funding.increase_applies is True
    for line in after.funding.lines:
        if line.mission is None:
            assert line.increase == 0  # "hors financement additionnel du fonctionnement"
        else:
            assert line.increase == (line.fixed + line.variable) * Decimal("0.10")
    assert after.funding.total > before.funding.total

    # Back to 99 by a resignation: the increase goes away.
    register.member_resign(actor=world.coordinator_a, member=last)
    assert contract_year_funding(contract_detail(tier4_contract), 1).funding.increase_applies is False
    assert RegisterMember.objects.filter(cpts=world.cpts_a).count() == 101
