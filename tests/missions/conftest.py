import datetime as dt

import pytest

from missions import services
from missions.models import Indicator


@pytest.fixture
def contract_a(world):
    """CPTS Alpha: signed 1 March 2024 under avenant 2, tier 2 (60 000 inhabitants), missions 1-4 from year 1,
    mission 6 from year 3."""
    return services.contract_create(
        actor=world.coordinator_a,
        cpts=world.cpts_a,
        signed_on=dt.date(2024, 3, 1),
        rule_set="avenant-2-2021",
        ars_name="ARS Occitanie",
        cpam_name="CPAM de l'Hérault",
        population=60000,
        missions=[
            {"number": 1, "start_year": 1},
            {"number": 2, "start_year": 1},
            {"number": 3, "start_year": 1},
            {"number": 4, "start_year": 1},
            {"number": 6, "start_year": 3},
        ],
    )


def result_indicators(contract, number):
    return list(Indicator.objects.filter(mission__contract=contract, mission__number=number, kind="result"))
