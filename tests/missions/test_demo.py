"""The contract year's demo: one contract moved from the 2019 ACI to avenant 2, one in its first year with
operating funding only, one size 4 (+10 % once the register counts 100 express members); indicators part
computed by the platform, part entered by hand. Idempotent."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from federation import demo as federation_demo
from missions import demo as missions_demo
from missions import selectors
from missions.models import Contract, IndicatorValue, IndicatorValueChange
from shared_actions import demo as shared_actions_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def seed():
    out = io.StringIO()
    federation_demo.seed(out)
    shared_actions_demo.seed(out)
    missions_demo.seed(out)
    return out.getvalue()


def test_demo_contracts(monkeypatch):
    call_command("load_territories", "--department", "34", stdout=io.StringIO())
    seed()
    contracts = {c.cpts.slug: selectors.contract_detail(c) for c in Contract.objects.select_related("cpts")}
    assert set(contracts) == {"pays-de-lunel", "pays-de-lor", "bassin-de-thau"}

    moved = contracts["pays-de-lor"]
    assert selectors.rule_set_in_force(moved, 1).id == "aci-2019"
    assert selectors.rule_set_in_force(moved, 2).id == "avenant-2-2021"

    first = contracts["bassin-de-thau"]
    year = selectors.current_year(first)
    funding = selectors.contract_year_funding(first, year).funding
    assert year == 1 and not funding.missions_started and [line.mission for line in funding.lines] == [None]

    size4 = contracts["pays-de-lunel"]
    year = selectors.current_year(size4)
    # With 120 express members (the register's demo runs after this one), the +10 % applies.
    result = selectors.contract_year_funding(size4, year, members=120)
    assert result.funding.tier == 4 and result.funding.increase_applies
    assert result.funding.line(1).increase > 0 and result.funding.line(None).increase == 0

    values = IndicatorValue.objects.filter(indicator__mission__contract=size4)
    assert values.filter(origin="auto").exists() and values.filter(origin="manual").exists()
    assert all(v.source_detail for v in values)
    counts = (Contract.objects.count(), IndicatorValue.objects.count(), IndicatorValueChange.objects.count())
    seed()
    assert counts == (
        Contract.objects.count(),
        IndicatorValue.objects.count(),
        IndicatorValueChange.objects.count(),
    )
    assert Decimal(result.funding.total) > Decimal(0)
