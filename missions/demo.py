"""Demo data of the contract year (idempotent): every demo CPTS that signed its ACI gets its contract.

- the first of them (the one the members' register demo gives more than 100 express members) signed under
  avenant 2 and became size 4 by an avenant extending its territory: +10 % on its mission lines;
- the second signed under the 2019 ACI in February 2022 and moved to avenant 2 from its second year by an
  avenant (which adds mission 4);
- the third signed this year: its missions start in year 2, so it receives the operating funding only.
Indicators: the platform's own computed from rosters, campaigns, meetings and documents; the national ones of
mission 1 entered by hand (dated, attributed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from federation.models import Cpts, CptsRole, MaturityStage, Membership
from federation.selectors import cpts_population
from missions import selectors, services
from missions.models import Contract, Indicator, IndicatorValue

ARS = "ARS Occitanie"
CPAM = "CPAM de l'Hérault"

# Targets and year values of mission 1's national indicators (rates in %, counts), by rule set name prefix.
NATIONAL_VALUES = {
    "Réduction du pourcentage de patients sans médecin traitant": (Decimal("4.0"), Decimal("4.6")),
    "Réduction du taux de passage aux urgences": (Decimal("18.0"), Decimal("17.2")),
    "Augmentation de la part des admissions directes": (Decimal("12.0"), Decimal("10.5")),
    "Nombre de médecins participant au SAS": (Decimal("25"), Decimal("21")),
    "Nombre de demandes du SAS ayant abouti": (Decimal("600"), Decimal("540")),
    "Progression de la patientèle avec médecin traitant": (Decimal("2.0"), Decimal("1.6")),
    "Augmentation du nombre de consultations de soins non programmés": (Decimal("3000"), Decimal("2650")),
}


def _coordinator(cpts: Cpts):
    membership = (
        Membership.objects.filter(cpts=cpts, role=CptsRole.COORDINATOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _manual_values(contract: Contract, year: int, actor) -> int:
    made = 0
    measured_on = min(timezone.localdate(), contract.year_end(year))
    for indicator in Indicator.objects.filter(mission__contract=contract, national=True):
        for prefix, (target, value) in NATIONAL_VALUES.items():
            if indicator.name.startswith(prefix):
                indicator.target = target
                indicator.save(update_fields=["target"])
                if not IndicatorValue.objects.filter(indicator=indicator, year=year).exists():
                    services.indicator_value_set(
                        actor=actor,
                        indicator=indicator,
                        year=year,
                        value=value,
                        measured_on=measured_on,
                        comment="Données transmises par la CPAM (démo)",
                    )
                    made += 1
    # The other result indicators (prevention actions, crisis plan): a value the coordinator entered.
    for indicator in Indicator.objects.filter(mission__contract=contract, kind="result", national=False):
        if not IndicatorValue.objects.filter(indicator=indicator, year=year).exists():
            value = indicator.target * Decimal("0.75")
            services.indicator_value_set(
                actor=actor,
                indicator=indicator,
                year=year,
                value=value.quantize(Decimal(1)),
                measured_on=measured_on,
            )
            made += 1
    return made


def _contract(cpts: Cpts, role: str, today: dt.date) -> Contract:
    actor = _coordinator(cpts)
    population = cpts_population(cpts) or 45000
    if role == "size4":
        contract = services.contract_create(
            actor=actor,
            cpts=cpts,
            signed_on=dt.date(today.year - 2, 9, 1),
            rule_set="avenant-2-2021",
            ars_name=ARS,
            cpam_name=CPAM,
            population=population,
            missions=[{"number": n, "start_year": 1} for n in (1, 2, 3, 4)]
            + [{"number": 6, "start_year": 2}],
        )
        services.avenant_add(
            actor=actor,
            contract=contract,
            signed_on=dt.date(today.year - 1, 8, 20),
            effective_from=dt.date(today.year - 1, 9, 1),
            summary="Extension du territoire aux communes voisines : population portée à 182 400 habitants, "
            "la communauté passe en taille 4.",
            population=182_400,
        )
    elif role == "moved":
        contract = services.contract_create(
            actor=actor,
            cpts=cpts,
            signed_on=dt.date(2022, 2, 1),
            rule_set="aci-2019",
            ars_name=ARS,
            cpam_name=CPAM,
            population=population,
            missions=[{"number": n, "start_year": 1} for n in (1, 2, 3)] + [{"number": 5, "start_year": 2}],
        )
        services.avenant_add(
            actor=actor,
            contract=contract,
            signed_on=dt.date(2023, 1, 16),
            effective_from=dt.date(2023, 2, 1),
            summary="Application de l'avenant 2 à l'ACI (20 décembre 2021) à compter de l'année 2 du contrat : "
            "nouveaux montants, mission 4 « crises sanitaires graves » ajoutée.",
            rule_set="avenant-2-2021",
        )
        services.mission_add(actor=actor, contract=contract, number=4, start_year=2)
    else:
        contract = services.contract_create(
            actor=actor,
            cpts=cpts,
            signed_on=today - dt.timedelta(days=120),
            rule_set="avenant-2-2021",
            ars_name=ARS,
            cpam_name=CPAM,
            population=population,
            missions=[{"number": n, "start_year": 2} for n in (1, 2, 3, 4)],
        )
    return contract


def seed(stdout) -> None:
    today = timezone.localdate()
    # The members' register demo fills the first CPTS with a territory beyond 100 members.
    signed = list(
        Cpts.objects.filter(territory__isnull=False, maturity_stage=MaturityStage.ACI_SIGNED)
        .distinct()
        .order_by("pk")
    )
    roles = ["size4", "moved", "first_year"]
    for cpts, role in zip(signed, roles + ["first_year"] * max(0, len(signed) - len(roles)), strict=False):
        with transaction.atomic():
            contract = Contract.objects.filter(cpts=cpts).first()
            if contract is None:
                contract = _contract(cpts, role, today)
                stdout.write(f"  {cpts.name} : contrat ACI du {contract.signed_on:%d/%m/%Y}.\n")
            else:
                stdout.write(f"  {cpts.name} : contrat ACI déjà là.\n")
            contract = selectors.contract_detail(contract)
            year = selectors.current_year(contract, today)
            computed = services.indicators_autofill(contract=contract, year=year, actor=_coordinator(cpts))
            if year > 1:
                services.indicators_autofill(contract=contract, year=year - 1, actor=_coordinator(cpts))
            manual = _manual_values(contract, year, _coordinator(cpts)) if role != "first_year" else 0
            if year > 1 and role != "first_year":
                manual += _manual_values(contract, year - 1, _coordinator(cpts))
            stdout.write(f"    année {year} : {computed} valeur(s) calculée(s), {manual} saisie(s).\n")
