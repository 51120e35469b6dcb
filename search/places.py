"""Communes named in free text ("kine lunel") become a place to search around.

Uses the territory reference of the base layer (federation.Commune). The name table is cached per
process (35,000 communes nationally: a few MB) and refreshed every few minutes.
"""

from search.caching import Refreshed
from search.query import Place
from search.text import fold

TTL_SECONDS = 300
MAX_WORDS = 6


def _load() -> dict:
    from federation.models import Commune

    names: dict[str, tuple[int, Place]] = {}
    codes: dict[str, Place] = {}
    rows = Commune.objects.filter(latitude__isnull=False).values_list(
        "insee_code", "name", "latitude", "longitude", "population"
    )
    for code, name, lat, lon, population in rows.iterator(chunk_size=5000):
        place = Place(label=name, latitude=lat, longitude=lon, code=code)
        codes[code] = place
        key = fold(name)
        # Homonyms: the most populated commune wins.
        if key not in names or names[key][0] < population:
            names[key] = (population, place)
    return {"names": {k: v[1] for k, v in names.items()}, "codes": codes}


_TABLES = Refreshed(_load, ttl=TTL_SECONDS)


def clear_cache() -> None:
    _TABLES.clear()


def _tables() -> dict:
    return _TABLES.get()


def commune_place(code: str) -> Place | None:
    return _tables()["codes"].get(code)


def find_place(words: list[str], ignore: set[str]) -> tuple[Place | None, list[str]]:
    """The longest run of words naming a commune, and the remaining words. Words in `ignore`
    (abbreviations, professions) never start a place name; nor do words shorter than 3 letters."""
    names = _tables()["names"]
    if not names:
        return None, words
    for size in range(min(MAX_WORDS, len(words)), 0, -1):
        for start in range(0, len(words) - size + 1):
            run = words[start : start + size]
            if run[0] in ignore or (size == 1 and len(run[0]) < 3):
                continue
            place = names.get(" ".join(run))
            if place is not None:
                return place, words[:start] + words[start + size :]
    return None, words
