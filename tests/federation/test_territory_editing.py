"""Territory editing people can trust (issue 18): autocomplete, a preview of population and size tier before
confirming, communes of another CPTS refused by name, removal, a dated history, regional warnings."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from federation import territory_services
from federation.errors import ServiceError
from federation.models import Commune, CptsCommune, FederationRole, TerritoryChange
from tests import factories


@pytest.fixture
def herault(world):
    """Real Hérault: Alpha holds the 14 communes of the Lunel agglomeration (tier 2), Bravo holds Mauguio."""
    call_command("load_territories", "--department", "34", verbosity=0)
    lunel = list(Commune.objects.filter(epci__name__icontains="Lunel").values_list("insee_code", flat=True))
    territory_services.cpts_territory_add(actor=None, cpts=world.cpts_a, commune_codes=lunel)
    territory_services.cpts_territory_add(actor=None, cpts=world.cpts_b, commune_codes=["34154"])
    return lunel


def _codes(cpts):
    return set(cpts.territory.values_list("commune_id", flat=True))


def test_the_preview_shows_the_new_population_and_tier_and_writes_nothing(world, web, herault):
    before = _codes(world.cpts_a)
    url = reverse("cpts-territory-preview", args=["alpha"]) + "?add=34172"  # Montpellier
    page = web(world.coordinator_a).get(url).content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert "Montpellier" in page and "Vérifier avant de confirmer" in page
    assert "change de taille" in page  # tier 2 → 4: the "one click" is now a visible step
    assert "Confirmer la modification" in page
    assert _codes(world.cpts_a) == before and not TerritoryChange.objects.filter(commune_id="34172").exists()


def test_confirming_adds_and_records_who_did_it_then_removal_too(world, web, herault):
    client = web(world.coordinator_a)
    response = client.post(reverse("cpts-territory-confirm", args=["alpha"]), {"add": ["34176"]}, follow=True)
    assert "1 commune(s) ajoutée(s)" in response.content.decode()
    assert "34176" in _codes(world.cpts_a)
    change = TerritoryChange.objects.get(commune_id="34176")
    assert change.actor == world.coordinator_a and change.action == "add"
    assert change.commune_name == "Mudaison"
    # the removal goes through the same preview, then is recorded
    page = client.get(reverse("cpts-territory-preview", args=["alpha"]) + "?remove=34176").content.decode()
    assert "Communes retirées" in page and "Mudaison" in page
    client.post(reverse("cpts-territory-confirm", args=["alpha"]), {"remove": ["34176"]})
    assert "34176" not in _codes(world.cpts_a)
    assert list(TerritoryChange.objects.filter(commune_id="34176").values_list("action", flat=True)) == [
        "remove",
        "add",
    ]
    history = client.get(reverse("cpts-territory", args=["alpha"])).content.decode()
    assert "Retrait : Mudaison" in history and "Ajout : Mudaison" in history
    assert str(world.coordinator_a) in history


def test_a_commune_of_another_cpts_is_refused_with_its_name(world, web, api, herault):
    before = _codes(world.cpts_a)
    page = (
        web(world.coordinator_a).get(reverse("cpts-territory-preview", args=["alpha"]) + "?add=34154").content
    )
    page = page.decode()
    assert "Mauguio appartient déjà à la CPTS « CPTS Bravo »" in page
    assert "Confirmer la modification" not in page
    response = web(world.coordinator_a).post(
        reverse("cpts-territory-confirm", args=["alpha"]), {"add": ["34154", "34176"]}, follow=True
    )
    assert "appartient déjà à la CPTS « CPTS Bravo »" in response.content.decode()
    assert _codes(world.cpts_a) == before  # nothing half-written: Mudaison was not added either
    response = api(world.coordinator_a).post(
        reverse("api-cpts-territory-edit", args=["alpha"]), {"add": ["34154"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "commune_taken"
    assert "CPTS Bravo" in response.json()["detail"]
    assert _codes(world.cpts_a) == before


def test_removing_a_commune_the_cpts_does_not_hold_is_refused(world, herault):
    with pytest.raises(ServiceError) as excinfo:
        territory_services.cpts_territory_remove(
            actor=world.coordinator_a, cpts=world.cpts_a, commune_codes=["34154"]
        )
    assert excinfo.value.error_dict["remove"][0].code == "commune_not_in_territory"
    assert CptsCommune.objects.filter(commune_id="34154", cpts=world.cpts_b).exists()


def test_who_may_edit_a_territory(world, web, api, herault):
    other = factories.UserFactory(email="coordination@inter30.example.org")
    factories.FederationRoleFactory(
        user=other, federation=world.other_fed, role=FederationRole.Role.COORDINATOR
    )
    confirm = reverse("cpts-territory-confirm", args=["alpha"])
    before = _codes(world.cpts_a)
    assert web(world.member_a).post(confirm, {"add": ["34176"]}).status_code == 403
    assert (
        web(world.member_a).get(reverse("cpts-territory-preview", args=["alpha"]) + "?add=34176").status_code
        == 403
    )
    for user in (world.coordinator_b, other, world.outsider, world.partner_delegate):
        assert web(user).post(confirm, {"add": ["34176"]}).status_code == 404, user
    assert _codes(world.cpts_a) == before
    with pytest.raises(PermissionDenied):
        territory_services.cpts_territory_add(
            actor=world.member_a, cpts=world.cpts_a, commune_codes=["34176"]
        )
    # the federation's coordinator keeps the département's map (seed 004: "cartographie") and is named
    web(world.fed_coordinator).post(confirm, {"add": ["34176"]})
    assert TerritoryChange.objects.get(commune_id="34176").actor == world.fed_coordinator
    response = api(world.fed_coordinator).post(
        reverse("api-cpts-territory-edit", args=["alpha"]), {"remove": ["34176"]}, format="json"
    )
    assert response.json()["removed"] == 1 and response.json()["size_tier"] == 2


def test_the_autocomplete_names_the_holder(world, api, herault):
    url = reverse("api-cpts-territory-candidates", args=["alpha"])
    client = api(world.coordinator_a)
    mauguio = client.get(url, {"q": "mauguio"}).json()
    assert mauguio[0]["insee_code"] == "34154" and mauguio[0]["holder_name"] == "CPTS Bravo"
    beziers = client.get(url, {"q": "bezi"}).json()  # accents ignored
    assert beziers[0]["name"] == "Béziers" and beziers[0]["holder_name"] == ""
    assert client.get(url, {"q": "34145"}).json()[0]["holder_slug"] == "alpha"
    assert client.get(url, {"q": "l"}).json() == []  # two characters at least
    assert api(world.member_c).get(url, {"q": "lun"}).status_code == 404


def test_the_placeholder_never_suggests_a_commune_another_cpts_holds(world, web, herault):
    page = web(world.coordinator_b).get(reverse("cpts-territory", args=["bravo"])).content.decode()
    placeholder = page.split('placeholder="', 1)[1].split('"', 1)[0]
    held = set(
        Commune.objects.filter(cpts_link__isnull=False)
        .exclude(cpts_link__cpts=world.cpts_b)
        .values_list("name", flat=True)
    )
    assert placeholder and not any(name in placeholder for name in held)
    assert "Montpellier" in placeholder  # the most populated commune no CPTS holds


def test_a_name_typed_without_javascript_is_understood(world, web, herault):
    page = (
        web(world.coordinator_a)
        .get(reverse("cpts-territory-preview", args=["alpha"]) + "?add=mudaison")
        .content
    )
    assert "+ Mudaison" in page.decode()


def test_the_api_preview_and_history(world, api, herault):
    client = api(world.coordinator_a)
    preview = client.post(
        reverse("api-cpts-territory-preview", args=["alpha"]), {"add": ["34172", "34154"]}, format="json"
    ).json()
    assert preview["new_size_tier"] == 4 and preview["size_tier"] == 2
    assert preview["refused"] == [{"insee_code": "34154", "name": "Mauguio", "holder_name": "CPTS Bravo"}]
    assert preview["can_confirm"] is False
    assert not TerritoryChange.objects.filter(commune_id="34172").exists()
    history = client.get(reverse("api-cpts-territory-history", args=["alpha"])).json()
    assert len(history) == 14 and history[0]["action"] == "add" and history[0]["actor"] == ""


def test_regional_minimum_is_a_warning(world, web):
    """Seed 001 (Pays de la Loire): "doit respecter un seuil minimal de 20 000 habitants"."""
    loire = factories.DepartementFactory(code="44", name="Loire-Atlantique", region_code="52")
    small = factories.CommuneFactory(insee_code="44001", name="Abbaretz", departement=loire, population=2_000)
    page = web(world.coordinator_a).get(
        reverse("cpts-territory-preview", args=["alpha"]) + f"?add={small.pk}"
    )
    text = page.content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert "En Pays de la Loire, un territoire de CPTS doit compter au moins 20 000 habitants" in text
    assert "Confirmer la modification" in text  # a warning, not a refusal: the ARS decides


def test_the_territory_page_for_the_federation_and_for_members(world, web, herault):
    page = web(world.fed_coordinator).get(reverse("cpts-territory", args=["alpha"])).content.decode()
    assert (
        'id="territory-form"' in page and reverse("federation-cpts", args=[world.fed.slug, "alpha"]) in page
    )
    page = web(world.member_a).get(reverse("cpts-territory", args=["alpha"])).content.decode()
    assert 'id="territory-form"' not in page and "Lunel" in page
