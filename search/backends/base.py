"""What every backend implements, and the query planning both share (abbreviations, places)."""

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from search import places
from search.caching import Refreshed
from search.query import Place, SearchQuery, SearchResult
from search.registry import Document, IndexSpec
from search.text import STOP_WORDS, expand, lexicon, tokens, without_implied

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def scope_tags(scopes) -> list[str]:
    """Tags marking the scopes whose viewers may match a document's restricted text."""
    return [f"scope:{s}" for s in scopes]


def bounding_box(place: Place, radius_km: float) -> tuple[float, float, float, float]:
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(0.01, math.cos(math.radians(place.latitude))))
    return place.latitude - dlat, place.latitude + dlat, place.longitude - dlon, place.longitude + dlon


@dataclass
class Plan:
    """A query once interpreted: word groups (alternatives of word lists), place, radius, identifiers."""

    words: list[str]
    groups: list[list[list[str]]]
    place: Place | None
    radius_km: float | None
    place_from_text: bool = False
    identifiers: list[str] = field(default_factory=list)  # matched exactly: `id:<word>` tags
    kind_first: str = ""  # this kind of document comes first among equals
    approximate: bool = False  # groups are alternatives: rank by how many match
    # The last group holds the last word typed (matched as a prefix); False once that group was dropped
    # (a relaxed plan keeps only the groups some document matches).
    last_typed: bool = True

    @property
    def has_text(self) -> bool:
        return bool(self.groups)

    def filters(self, query: SearchQuery) -> dict[str, list[str]]:
        """The query's filters, with those the plan adds: the communes of a postal code, identifiers."""
        filters = dict(query.filters)
        if self.place is not None and self.place.communes:
            wanted = list(self.place.communes)
            if filters.get("commune"):
                wanted = [c for c in filters["commune"] if c in self.place.communes] or ["-"]
            filters["commune"] = wanted
        if self.identifiers:
            filters["id"] = list(self.identifiers)
        return filters


@dataclass
class Vocabulary:
    complete: frozenset  # whole words of the nomenclature and abbreviations (never prefixes)
    forms: dict[str, str]  # plural / feminine form → its word
    # Words found in the documents (terms and expansions, not abbreviations) and their forms: what a
    # mistyped profession is corrected to ("infimière" → infirmier, "kinesitérapeute").
    spelled: tuple[str, ...] = ()


_VOCABULARIES: dict[str, Refreshed[Vocabulary]] = {}


def vocabulary(spec: IndexSpec) -> Vocabulary:
    """The spec's words (abbreviations, their expansions, its terms) and their forms, cached a few
    minutes (the terms come from the database)."""
    cache = _VOCABULARIES.get(spec.name)
    if cache is None:

        def load() -> Vocabulary:
            expansions = [e for values in spec.synonyms.values() for e in values]
            terms = list(spec.terms()) if spec.terms else []
            words = frozenset(w for phrase in [*spec.synonyms, *expansions, *terms] for w in tokens(phrase))
            forms = lexicon(words)
            found = {w for phrase in [*expansions, *terms] for w in tokens(phrase) if len(w) >= 5}
            spelled = found | {form for form, word in forms.items() if word in found}
            return Vocabulary(complete=words, forms=forms, spelled=tuple(sorted(spelled)))

        cache = _VOCABULARIES[spec.name] = Refreshed(load, ttl=300)
    return cache.get()


def _kind_first(spec: IndexSpec, words: list[str]) -> str:
    for word in words:
        if word in spec.kind_words:
            return spec.kind_words[word]
    return spec.default_kind if words else ""


_DIGITS = re.compile(r"^\d{1,6}$")
_JOINED_LENGTHS = frozenset({5, 9, 11, 12, 14})  # postal code, FINESS/SIREN/ADELI, RPPS, its id, SIRET


def _joined_numbers(words: list[str]) -> list[str]:
    """Digit groups typed with spaces, as identifiers are printed ("123 456 789 00012", "34 400"), joined
    when together they make an identifier or a postal code."""
    out: list[str] = []
    index = 0
    while index < len(words):
        end = index
        while end < len(words) and _DIGITS.match(words[end]):
            end += 1
        joined = "".join(words[index:end])
        if end - index >= 2 and len(joined) in _JOINED_LENGTHS:
            out.append(joined)
        else:
            out.extend(words[index : max(end, index + 1)])
        index = max(end, index + 1)
    return out


# Words naming an identifier typed before it ("RPPS 10001234567", "n° FINESS 340 000 499"): they go with
# the identifier. "Cedex" (and its number) is part of a postal address, not a word to match.
IDENTIFIER_WORDS = frozenset("rpps adeli finess siret siren numero num no n ndeg identifiant".split())
_CEDEX_NUMBER = re.compile(r"^\d{1,2}$")


def _without_cedex(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        if out and out[-1] == "cedex" and _CEDEX_NUMBER.match(word):
            continue
        out.append(word)
    return [w for w in out if w != "cedex"]


def _read_words(spec: IndexSpec, words: list[str]) -> tuple[list[str], list[str]]:
    """Identifiers apart (and the words naming them), titles and "cedex" dropped, plural and feminine
    forms read as their word."""
    words = _without_cedex(_joined_numbers(words))
    identifiers = [w for w in words if spec.identifier is not None and spec.identifier.match(w)]
    if identifiers:
        words = [w for w in words if w not in IDENTIFIER_WORDS]
    forms = vocabulary(spec).forms
    kept = [forms.get(w, w) for w in words if w not in spec.ignored and w not in identifiers]
    if any(w not in QUERY_FILLERS and w not in STOP_WORDS for w in kept):
        kept = [w for w in kept if w not in QUERY_FILLERS]
    return kept, identifiers


# Words of a request written as a sentence ("je cherche un kiné à Lunel", "liste des infirmiers de Sète",
# "numéro RPPS de Lefèvre", "téléphone du Dr Cousin"): no words to match when others are typed ("liste"
# was corrected to a surname: 1 result).
QUERY_FILLERS = frozenset(
    "je j cherche chercher recherche rechercher trouver trouve besoin liste lister annuaire tous toutes"
    " tout quel quelle quels quelles contact contacter joindre coordonnees telephone tel mail email"
    " adresse numero num rpps adeli finess siret siren svp merci bonjour mon ma mes".split()
)


# Particles of surnames ("de la Haye", "Le Gall", "Da Costa", "Van Damme"): a name typed with them also
# matches the name written in one word ("Delahaye", "Legall"). Some are stop words, dropped as words.
PARTICLES = frozenset("d da de del della des di dos du l la le les van von".split())


def _glued(words: list[str], complete: frozenset) -> dict[str, str]:
    """Word → the word with the particles typed before it ("de la haye" → {"haye": "delahaye"})."""
    out = {}
    start = None
    for index, word in enumerate(words):
        if word in PARTICLES:
            start = index if start is None else start
            continue
        if start is not None and word not in complete and word.isalpha():
            out[word] = "".join(words[start : index + 1])
        start = None
    return out


def _groups(spec: IndexSpec, words: list[str]) -> list[list[list[str]]]:
    groups = expand([w for w in words if w not in STOP_WORDS], spec.synonyms)
    glued = _glued(words, vocabulary(spec).complete)
    if glued:
        groups = [
            group + [[glued[group[0][0]]]]
            if len(group) == 1 and len(group[0]) == 1 and group[0][0] in glued
            else group
            for group in groups
        ]
    groups = without_implied(groups)
    # An initial ("H. Lefèvre") is the start of a name: read last, where the last word typed is a prefix
    # (on PostgreSQL, typed first it was a whole word "h": no match, approximate results); of several
    # initials ("J. P. Martin") the last is kept.
    initials = [
        g for g in groups if len(g) == 1 and len(g[0]) == 1 and len(g[0][0]) == 1 and g[0][0].isalpha()
    ]
    return [g for g in groups if g not in initials] + initials[-1:] if initials else groups


# "à moins de 5 km de Lunel", "kiné sète 5km", "dans un rayon de 10 km": a radius typed in the text.
_DISTANCE = re.compile(r"^(\d{1,3})(km|kms)?$")
_KM = frozenset({"km", "kms", "kilometre", "kilometres"})
_RADIUS_WORDS = frozenset({"moins", "rayon", "max", "maximum", "maxi"})
MAX_TEXT_RADIUS_KM = 500


def _radius_in_text(words: list[str]) -> tuple[float | None, list[str]]:
    """A distance typed with its unit, and the words left without it (and "moins", "rayon")."""
    for index, word in enumerate(words):
        match = _DISTANCE.match(word)
        unit_next = index + 1 < len(words) and words[index + 1] in _KM
        if match and (match.group(2) or unit_next) and 0 < int(match.group(1)) <= MAX_TEXT_RADIUS_KM:
            drop = {index, index + 1} if unit_next and not match.group(2) else {index}
            rest = [w for i, w in enumerate(words) if i not in drop and w not in _RADIUS_WORDS]
            return float(match.group(1)), rest
    return None, words


# Inclusive writing ("infirmier(e)", "infirmier·e·s", "médecin.e", "kiné(s)"): the word without its
# endings (the "e" was a last word typed, hence a prefix: only names with a word starting with "e").
_INCLUSIVE = re.compile(r"(?<=[^\W\d_])(?:\((?:e|s|es|ne|nes|le|les)\)|[.·•](?:e|s|es|ne|nes|le|les)\b)")


def _reading(spec: IndexSpec, query: SearchQuery) -> tuple[list[str], list[str], float | None, list[str]]:
    """The query's text read: its words, its identifiers, the radius typed in it, and the titles typed
    that mean something alone (`spec.synonyms`: "docteur" → médecin)."""
    typed = tokens(_INCLUSIVE.sub("", query.text))
    words, identifiers = _read_words(spec, typed)
    text_radius, words = _radius_in_text(words)
    titles = [w for w in typed if w in spec.ignored and w in spec.synonyms]
    return words, identifiers, text_radius, titles


# Words around a place that say only "there" ("kiné secteur Lunel", "à côté de Sète", "Lunel et
# alentours", "quartier"): dropped when the query has a place.
PLACE_FILLERS = frozenset(
    "secteur quartier quartiers alentours alentour environs environ proximite cote coin region zone abords"
    " limitrophe limitrophes ville nord sud est ouest".split()
)


def _plan(spec: IndexSpec, words, identifiers, place, radius, from_text=False, titles=()) -> Plan:
    if titles and not identifiers and all(w in STOP_WORDS or w in PLACE_FILLERS for w in words):
        # A title alone is no name to ignore: "docteur", "dr à Lunel" ask for doctors.
        words = [*titles, *words]
    if place is not None:
        # "centre-ville" or "Montpellier centre" is the town, not a health centre ("centre de santé",
        # "centre" alone with the place: the centres there).
        alone = sum(w not in STOP_WORDS and w not in PLACE_FILLERS for w in words) == 1
        words = [
            w
            for i, w in enumerate(words)
            if w not in PLACE_FILLERS
            and not (w == "centre" and words[i + 1 : i + 2] in (["ville"], []) and not alone)
        ]
    meaningful = [w for w in words if w not in STOP_WORDS]
    return Plan(
        words=meaningful,
        groups=_groups(spec, words),
        place=place,
        radius_km=radius,
        place_from_text=from_text,
        identifiers=identifiers,
        kind_first=_kind_first(spec, meaningful),
    )


def plan_query(spec: IndexSpec, query: SearchQuery) -> Plan:
    words, identifiers, text_radius, titles = _reading(spec, query)
    place, radius = query.near, query.radius_km or text_radius
    from_text = False
    if place is None and query.detect_place and words:
        ignore = {w for key in spec.synonyms for w in key.split()}
        found, rest = places.find_place(words, ignore, alone=STOP_WORDS)
        if found is not None:
            place, words, from_text = found, rest, True
            # A postal code filters on its communes; a commune is a radius around it.
            radius = radius or (None if found.communes else spec.place_radius_km)
    return _plan(spec, words, identifiers, place, radius, from_text, titles)


def text_only(plan: Plan, query: SearchQuery, spec: IndexSpec) -> Plan:
    """The same query read without place detection (when "lunel" was a surname after all)."""
    words, identifiers, _text_radius, titles = _reading(spec, query)
    return _plan(spec, words, identifiers, query.near, query.radius_km, titles=titles)


def with_corrections(plan: Plan, corrections: dict[str, list]) -> Plan:
    """The plan where each word typed alone also accepts its corrections (typos: "lefvre" → "lefevre"),
    a word or a list of words ("dacosta" → ["da", "costa"])."""
    groups = [
        group + [[c] if isinstance(c, str) else list(c) for c in corrections.get(group[0][0], [])]
        if len(group) == 1 and len(group[0]) == 1
        else group
        for group in plan.groups
    ]
    return replace(plan, groups=groups)


_PARTICLE_STARTS = ("de", "da", "des", "dos", "du", "la", "le", "van")


def particle_splits(words: Iterable[str]) -> dict[str, list[list[str]]]:
    """A surname typed in one word that is written with its particle apart ("dacosta" → DA COSTA,
    "legall" → LE GALL, "desousa"): the word split after the particle, for words that matched nothing."""
    out: dict[str, list[list[str]]] = {}
    for word in words:
        for start in _PARTICLE_STARTS:
            if word.startswith(start) and len(word) - len(start) >= 3 and word.isalpha():
                out.setdefault(word, []).append([start, word[len(start) :]])
    return out


# How close a mistyped word must be to a word of the nomenclature ("infimiere" → "infirmiere": 0.95;
# "kinesiterapeute" → "kinesitherapeute": 0.97); names are corrected by each backend.
NOMENCLATURE_CUTOFF = 0.8


def nomenclature_corrections(spec: IndexSpec, words: Iterable[str]) -> dict[str, list]:
    """The word of the nomenclature each mistyped word means ("infimière", "kinesitérapeute",
    "ortophoniste"), read as its root ("infirmiere" → "infirmier"): the closest one, for words of 5
    letters or more that are no word of the vocabulary. Computed in memory (no statement)."""
    known = vocabulary(spec)
    # The abbreviations too ("opthalmo" → ophtalmo → ophtalmologie), read as their expansions.
    candidates = [*known.spelled, *(k for k in spec.synonyms if len(k) >= 5 and k.isalpha())]
    out: dict[str, list] = {}
    for word in words:
        if len(word) < 5 or word in known.complete or word in known.forms or not word.isalpha():
            continue
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=NOMENCLATURE_CUTOFF)
        if close and close[0] in spec.synonyms:
            out[word] = [tokens(e) for e in spec.synonyms[close[0]]]
        elif close:
            out[word] = [known.forms.get(close[0], close[0])]
    return out


def approximate(plan: Plan) -> Plan | None:
    """Not every word matched: the same query where any group may match, ranked by how many do (the
    place keeps filtering). None when there is only one group (nothing to relax)."""
    if len(plan.groups) < 2:
        return None
    return replace(plan, approximate=True)


class SearchBackend:
    name = "base"

    def index_documents(self, index: str, documents: Iterable[Document]) -> int:
        raise NotImplementedError

    def delete_documents(self, index: str, kind: str, object_ids: Iterable[int]) -> int:
        raise NotImplementedError

    def clear(self, index: str) -> None:
        raise NotImplementedError

    def search(self, spec: IndexSpec, query: SearchQuery) -> SearchResult:
        raise NotImplementedError

    def suggest(self, spec: IndexSpec, prefix: str, limit: int = 8) -> list[str]:
        raise NotImplementedError
