"""Communes named in free text ("kine lunel", "kiné à St Jean de Védas", "34400") become a place to search
around.

Uses the territory reference of the base layer (federation.Commune). The tables are cached per process
(35,000 communes nationally: a few MB) and refreshed every few minutes. Names are read with St/Ste as
Saint/Sainte and with or without their article ("Le Crès", "Crès"), compound names also by their first
words ("Palavas", "St Gély") when these point to one commune; a postal code is a place made of every
commune it serves.
"""

import re

from search.caching import Refreshed
from search.query import Place
from search.text import fold, place_key

TTL_SECONDS = 300
MAX_WORDS = 6
MAX_PLACES = 5  # communes named in one query
POSTAL_CODE = re.compile(r"^\d{5}$")
DEPARTEMENT_CODE = re.compile(r"^(?:\d{2}|2[ab]|97\d)$")
_AGE_WORDS = frozenset(("an", "ans", "mois"))  # "psy enfant 12 ans" names no département
_SPACED_POSTAL_CODE = re.compile(r"^\d{2} \d{3}$")
_ARTICLES = ("le ", "la ", "les ", "l ", "aux ", "las ", "los ")
# Words after which a compound name goes on ("Palavas-les-Flots", "Saint-Gély-du-Fesc"): what comes before
# is the name people use, when it points to one commune at least SHORT_NAME_LEAD times as populated as any
# other it could mean.
_CONNECTIVES = frozenset("de du des d la le les l sur sous en lez aux et".split())
SHORT_NAME_LEAD = 3
SHORT_NAME_ALIKE = 3
# An elided article or preposition written against its word ("d orques" → "dorques", "l herault").
_ELIDED = re.compile(r" ([dl]) (?=\w)")


def _short_key(key: str) -> str:
    """ "palavas les flots" → "palavas", "saint gely du fesc" → "saint gely"; "" when there is none."""
    words = key.split()
    for index, word in enumerate(words[1:], start=1):
        if word in _CONNECTIVES:
            short = " ".join(words[:index])
            return short if len(short) >= 4 and words[0] not in _CONNECTIVES else ""
    return ""


def _load() -> dict:
    from federation.models import Commune, Departement

    names: dict[str, tuple[int, int, Place]] = {}  # key → (rank, population, place)
    codes: dict[str, Place] = {}
    postal: dict[str, list[tuple[int, Place]]] = {}
    shorts: dict[str, list[tuple[int, Place]]] = {}  # short name → the communes it may mean
    departements: dict[str, list[tuple[int, Place]]] = {}
    rows = Commune.objects.filter(latitude__isnull=False).values_list(
        "insee_code", "name", "latitude", "longitude", "population", "postal_codes", "departement_id"
    )
    for code, name, lat, lon, population, postal_codes, departement in rows.iterator(chunk_size=5000):
        place = Place(label=name, latitude=lat, longitude=lon, code=code)
        codes[code] = place
        departements.setdefault(departement, []).append((population, place))
        key = place_key(fold(name).split())
        keys = [(key, 0)]
        article = next((a for a in _ARTICLES if key.startswith(a)), None)
        if article:  # "Le Crès" is also found as "Crès", after any commune really named so
            keys.append((key[len(article) :], 1))
        elided = _ELIDED.sub(r" \1", key)
        if elided != key:  # "Saint-Georges-d'Orques" typed without its apostrophe: "st georges dorques"
            keys.append((elided, 1))
        for name_key, rank in keys:
            # Homonyms: the full name before the name without its article, then the most populated.
            current = names.get(name_key)
            if current is None or (rank, -population) < (current[0], -current[1]):
                names[name_key] = (rank, population, place)
        short = _short_key(key)
        if short:
            shorts.setdefault(short, []).append((population, place))
        for postal_code in (postal_codes or "").split():
            postal.setdefault(postal_code, []).append((population, place))
    for short, served in shorts.items():
        # "Palavas" for Palavas-les-Flots, "Castelnau" for Castelnau-le-Lez (20 times Castelnau-de-Guers),
        # after any commune named so in full; when two or three communes are alike ("Balaruc": Balaruc-les-
        # Bains and Balaruc-le-Vieux), the place made of them (centred on the most populated); more, none.
        served.sort(key=lambda item: (-item[0], item[1].code))
        if short in names:
            continue
        if len(served) == 1 or served[0][0] >= SHORT_NAME_LEAD * served[1][0]:
            names[short] = (2, served[0][0], served[0][1])
        elif len(served) <= SHORT_NAME_ALIKE:
            main = served[0][1]
            names[short] = (
                2,
                served[0][0],
                Place(
                    label=", ".join(p.label for _pop, p in served),
                    latitude=main.latitude,
                    longitude=main.longitude,
                    code=main.code,
                    communes=tuple(p.code for _pop, p in served),
                ),
            )
    postal_places = {}
    for postal_code, served in postal.items():
        served.sort(key=lambda item: (-item[0], item[1].code))
        main = served[0][1]
        postal_places[postal_code] = Place(
            label=f"{postal_code} ({', '.join(p.label for _pop, p in served)})",
            latitude=main.latitude,
            longitude=main.longitude,
            code=postal_code,
            communes=tuple(p.code for _pop, p in served),
        )
    # A département ("kiné Hérault", "infirmier 34"): every commune of it, centred on the most populated.
    departement_places = {}
    for code, label in Departement.objects.filter(code__in=list(departements)).values_list("code", "name"):
        served = sorted(departements[code], key=lambda item: (-item[0], item[1].code))
        main = served[0][1]
        departement_places[code.lower()] = place = Place(
            label=f"{label} ({code})",
            latitude=main.latitude,
            longitude=main.longitude,
            code=code,
            communes=tuple(p.code for _pop, p in served),
        )
        # After a commune named so in full, before a commune's short name: "Gironde" is the département,
        # not Gironde-sur-Dropt.
        key = place_key(fold(label).split())
        if key not in names or names[key][0] >= 2:
            names[key] = (2, 0, place)
    return {
        "names": {k: v[2] for k, v in names.items()},
        "codes": codes,
        "postal": postal_places,
        "departements": departement_places,
    }


_TABLES = Refreshed(_load, ttl=TTL_SECONDS)


def clear_cache() -> None:
    _TABLES.clear()


def _tables() -> dict:
    return _TABLES.get()


def commune_place(code: str) -> Place | None:
    return _tables()["codes"].get(code)


def postal_place(code: str) -> Place | None:
    """Every commune a postal code serves, as one place (centred on the most populated)."""
    return _tables()["postal"].get(code.lower())


def named_place(text: str) -> Place | None:
    """The commune named exactly by `text` (an INSEE code, a postal code, or a name)."""
    text = text.strip()
    if _SPACED_POSTAL_CODE.match(text):  # "34 000", as printed on envelopes
        text = text.replace(" ", "")
    place = commune_place(text.upper()) or (postal_place(text) if POSTAL_CODE.match(text.lower()) else None)
    if place is not None:
        return place
    words = fold(text).split()
    if not words:
        return None
    place = _tables()["names"].get(place_key(words))
    return place if place is not None else _address_place(words)


def _address_place(words: list[str]) -> Place | None:
    """A commune written as in an address: "Lunel (34400)", "34400 Lunel", "Montpellier Cedex 2",
    "Sète, Hérault". The commune named, if its postal code (when given) serves it; else the postal code;
    None when no commune is named in the first words or more than two words are left."""
    codes = [w for w in words if POSTAL_CODE.match(w)]
    rest, previous = [], ""
    for word in words:
        if word != "cedex" and not POSTAL_CODE.match(word) and not (previous == "cedex" and word.isdigit()):
            rest.append(word)
        previous = word
    found, left = find_place(rest, set()) if rest else (None, [])
    postal = postal_place(codes[0]) if codes else None
    if found is not None and len(left) <= 2:
        if postal is None or found.code in postal.communes or found.communes:
            return found
    return postal if not rest or found is not None else None


def _named_run(words, names, ignore, alone) -> tuple[Place | None, list[str]]:
    """The longest run of words naming a commune, and the words without it."""
    for size in range(min(MAX_WORDS, len(words)), 0, -1):
        for start in range(0, len(words) - size + 1):
            run = words[start : start + size]
            if run[0] in ignore or (size == 1 and (len(run[0]) < 3 or run[0] in alone)):
                continue
            place = names.get(place_key(run))
            if place is not None:
                return place, words[:start] + words[start + size :]
    return None, words


def find_place(words: list[str], ignore: set[str], alone=frozenset()) -> tuple[Place | None, list[str]]:
    """The longest run of words naming a commune (or a postal code), and the remaining words. Words in
    `ignore` (abbreviations, professions) never start a place name; words in `alone` (stop words: "vers"
    is a commune too) and words shorter than 3 letters are never a place name by themselves. Several
    communes named ("kiné Lunel ou Mauguio", "infirmier Sète Frontignan") are one place made of them,
    as a postal code is (centred on the first named)."""
    tables = _tables()
    names, departements = tables["names"], tables.get("departements", {})
    for index, word in enumerate(words):
        if POSTAL_CODE.match(word) and word in tables["postal"]:
            return tables["postal"][word], words[:index] + words[index + 1 :]
    if not names:
        return None, words
    place, words = _named_run(words, names, ignore, alone)
    if place is None:
        for index, word in enumerate(words):
            after = words[index + 1] if index + 1 < len(words) else ""
            if DEPARTEMENT_CODE.match(word) and word in departements and after not in _AGE_WORDS:  # "kiné 34"
                return departements[word], words[:index] + words[index + 1 :]
        return None, words
    found = [place]
    while len(found) < MAX_PLACES:
        other, rest = _named_run(words, names, ignore, alone)
        if other is None:
            break
        words = rest
        # A département named after a commune says where the commune is ("Lunel, Hérault").
        if other.code not in {p.code for p in found} and other.code.lower() not in departements:
            found.append(other)
    if place.code.lower() in departements and len(found) > 1:
        found = found[1:]  # "kiné Hérault Lunel": Lunel
        place = found[0]
    if len(found) == 1:
        return place, words
    return (
        Place(
            label=", ".join(p.label for p in found),
            latitude=place.latitude,
            longitude=place.longitude,
            code=place.code,
            communes=tuple(p.code for p in found),
        ),
        words,
    )
