"""The federation roll-up (page, API, cockpit panels): only the federation's member CPTS, for its
coordinators, admins and bureau; a fixed number of queries whatever the number of CPTS."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.cockpit import Panel, build_panels, panels
from federation.models import FederationRole
from missions import services
from tests import factories


def contract_for(cpts, actor, signed_on=dt.date(2024, 3, 1)):
    return services.contract_create(
        actor=actor,
        cpts=cpts,
        signed_on=signed_on,
        rule_set="avenant-2-2021",
        ars_name="ARS",
        cpam_name="CPAM",
        population=60000,
        missions=[{"number": n} for n in (1, 2, 3)],
    )


@pytest.fixture
def contracts(world, contract_a):
    contract_for(world.cpts_c, world.member_c)  # another federation's CPTS
    return contract_a


def test_rollup_api_shows_only_the_federation_members(api, world, contracts):
    r = api(world.fed_coordinator).get("/api/missions/federations/inter-cpts-34/rollup/")
    assert r.status_code == 200
    rows = {row["cpts"]: row for row in r.json()}
    assert set(rows) == {"alpha", "bravo"}
    assert rows["alpha"]["has_contract"] and rows["alpha"]["funding_expected"] > 0
    assert rows["bravo"]["has_contract"] is False and rows["bravo"]["status"] == "Pas de contrat ACI"


def test_rollup_access(api, world, contracts):
    url = "/api/missions/federations/inter-cpts-34/rollup/"
    assert api(world.member_a).get(url).status_code == 403  # a participant, not coordinator nor bureau
    assert api(world.member_c).get(url).status_code == 404  # another federation
    assert api(world.outsider).get(url).status_code == 404


def test_federation_bureau_sees_the_rollup(api, world, contracts):
    from federation.governance.models import BureauMandate
    from federation.models import FederationMember

    member = FederationMember.objects.get(federation=world.fed, cpts=world.cpts_a)
    BureauMandate.objects.create(
        federation=world.fed,
        user=world.member_a,
        member=member,
        role="treasurer",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2099, 1, 1),
    )
    assert api(world.member_a).get("/api/missions/federations/inter-cpts-34/rollup/").status_code == 200


# federation 1, the right to see it once per panel 2, member CPTS 1, contracts 1 + their avenants, reviews,
# missions, mission years, indicators and values 6, express member counts 1 (the roll-up is built once).
QUERIES = 12


def _panel_queries(world):
    with CaptureQueriesContext(connection) as ctx:
        federation = type(world.fed).objects.get(pk=world.fed.pk)
        mine = [p for p in panels(Panel.FEDERATION) if p.key.startswith("missions.")]
        built = [(p, p.build(federation, world.fed_coordinator)) for p in mine]
    return built, len(ctx.captured_queries)


def test_cockpit_panels_with_a_fixed_query_count(world, contracts):
    built, queries = _panel_queries(world)
    keys = [panel.key for panel, _data in built]
    assert keys == ["missions.contracts", "missions.behind"]
    contracts_data = built[0][1]
    assert contracts_data.count == 1 and "<svg" in contracts_data.extra["funding_chart"]
    assert {item.label for item in contracts_data.items} == {"CPTS Alpha", "CPTS Bravo"}
    # One more member CPTS with a contract: the same number of queries.
    extra = factories.CptsFactory(name="CPTS Echo", slug="echo")
    factories.FederationMemberFactory(federation=world.fed, cpts=extra)
    contract_for(extra, world.coordinator_a, dt.date(2023, 5, 1))
    contract_for(world.cpts_b, world.coordinator_b, dt.date(2022, 9, 1))
    built, queries_after = _panel_queries(world)
    assert queries_after == queries
    assert queries == QUERIES


def test_panels_hidden_from_a_plain_participant(world, contracts):
    built = build_panels(Panel.FEDERATION, world.fed, world.member_a)
    assert not [p for p, _d in built if p.key.startswith("missions.")]
    assert FederationRole.objects.filter(user=world.member_a).count() == 0


def test_rollup_page(web, world, contracts):
    r = web(world.fed_coordinator).get("/missions/federation/inter-cpts-34/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "CPTS Alpha" in body and "CPTS Bravo" in body and "CPTS Charlie" not in body
    assert "<svg" in body
    assert web(world.member_a).get("/missions/federation/inter-cpts-34/").status_code == 403


def test_cockpit_page_shows_the_contract_panels_and_column(web, world, contracts):
    page = web(world.fed_coordinator).get("/federation/inter-cpts-34/pilotage/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Contrats ACI des CPTS membres" in body and "financement ACI attendu cette année" in body
    assert "Voir le détail des contrats" in body


def test_cockpit_column_in_a_fixed_number_of_queries(world, contracts, django_assert_num_queries):
    from missions.cockpit import contract_facts

    ids = [world.cpts_a.pk, world.cpts_b.pk]
    with django_assert_num_queries(8):  # members 1, contracts 1 + details 6
        facts = contract_facts(ids)
    assert set(facts) == {world.cpts_a.pk}
    assert facts[world.cpts_a.pk][0][1] > 0
