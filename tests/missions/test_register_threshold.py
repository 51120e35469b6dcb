"""The +10 % reads the members' register (issue 20): seed 003, « Les communautés professionnelles de taille 4
comprenant au moins cent membres (professionnels de santé ou structures ayant expressément adhéré à la
communauté) bénéficient d'une majoration de 10% ». The 100th express member turns it on; a resignation
turns it off; the platform accounts of the CPTS do not count."""

import datetime as dt
from decimal import Decimal

from missions import autofill, selectors, services
from missions.projet.register import services as register
from tests.directory.factories import ProfessionalFactory, ProfessionFactory


def join(cpts, actor, professional):
    member = register.member_add(actor=actor, cpts=cpts, professional=professional)
    return register.member_consent_record(actor=actor, member=member, evidence="Bulletin d'adhésion signé")


def test_the_100th_express_member_turns_the_increase_on(world):
    contract = services.contract_create(
        actor=world.coordinator_a,
        cpts=world.cpts_a,
        signed_on=dt.date(2024, 3, 1),
        rule_set="avenant-2-2021",
        ars_name="ARS",
        cpam_name="CPAM",
        population=200_000,
        missions=[{"number": n} for n in (1, 2, 3)],
    )
    doctor, nurse = (
        ProfessionFactory(code="10", label="Médecin"),
        ProfessionFactory(code="60", label="Infirmier"),
    )
    members = [
        join(world.cpts_a, world.coordinator_a, ProfessionalFactory(profession=doctor if i % 2 else nurse))
        for i in range(99)
    ]

    def year1():
        return selectors.contract_year_funding(selectors.contract_detail(contract), 1).funding

    assert year1().members == 99 and not year1().increase_applies
    last = join(world.cpts_a, world.coordinator_a, ProfessionalFactory(profession=doctor))
    funding = year1()
    assert funding.members == 100 and funding.increase_applies
    assert funding.line(1).increase == (funding.line(1).fixed + funding.line(1).variable) * Decimal("0.10")
    professions = autofill.member_professions(contract, 1)
    assert (
        professions.value == 2
        and "Médecin : 50" in professions.detail
        and "Infirmier : 50" in professions.detail
    )
    register.member_resign(actor=last.professional.user or world.coordinator_a, member=last, note="Départ")
    assert not year1().increase_applies
    assert len(members) == 99
