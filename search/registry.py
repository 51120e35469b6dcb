"""What the apps index. search/ is generic: an app registers an IndexSpec (usually in AppConfig.ready)
and the backends only ever see Documents."""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field


@dataclass
class Document:
    """One indexed object, in the shape both backends index."""

    kind: str
    object_id: int
    title: str
    subtitle: str = ""
    text: str = ""  # all searchable text, accents kept
    tags: list[str] = field(default_factory=list)  # "facet:value" or bare flags ("snp")
    suggest: list[str] = field(default_factory=list)  # autocomplete strings
    latitude: float | None = None
    longitude: float | None = None
    # Searchable only by viewers holding one of `restricted_scopes` (SearchQuery.scopes): text whose
    # owner opened it to some tenants only must not be found by the others.
    restricted_text: str = ""
    restricted_scopes: list[str] = field(default_factory=list)
    # Shown with a hit, never searched (national id, specialty, phone, commune…): JSON-ready values.
    display: dict = field(default_factory=dict)
    # Sort key among equals (surname first for people): ties come out in this order.
    sort_key: str = ""
    # Other places of the object (latitude, longitude), besides the first one above: found around each,
    # measured from the nearest.
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Source:
    """One kind of indexed object: how to list its ids and build its documents."""

    kind: str
    ids: Callable[[], Iterable[int]]  # every id to index (search_reindex)
    documents: Callable[[list[int]], Iterable[Document]]  # documents of these ids (missing = deleted)
    count: Callable[[], int] | None = None


@dataclass
class IndexSpec:
    name: str
    sources: dict[str, Source]
    # Abbreviations and synonyms professionals type: "kine" → ["kinesitherapeute"].
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    # Facets the API returns, in order, and how to label their values.
    facets: list[str] = field(default_factory=list)
    facet_labels: Callable[[str, list[str]], dict[str, str]] | None = None
    # Default radius when the query names a place ("kine lunel").
    place_radius_km: float = 10.0
    # Whole words of the nomenclature ("pharmacien", "medecin"): typed last, they are complete words,
    # not the start of a longer one; their plural and feminine forms are read as them.
    terms: Callable[[], Iterable[str]] | None = None
    # Words that never count (titles: "dr", "docteur"), besides French stop words.
    ignored: frozenset[str] = frozenset()
    # Folded words that are identifiers (RPPS, FINESS, SIRET…): matched exactly against the documents'
    # `id:<word>` tags instead of the text.
    identifier: re.Pattern | None = None
    # Words naming a kind of document (pharmacie, msp, cabinet → "structure"): that kind comes first;
    # otherwise, when the words match names, `default_kind` comes first (people before structures).
    kind_words: dict[str, str] = field(default_factory=dict)
    default_kind: str = ""


_REGISTRY: dict[str, IndexSpec] = {}


def register(spec: IndexSpec) -> None:
    _REGISTRY[spec.name] = spec


def get(name: str) -> IndexSpec:
    return _REGISTRY[name]


def all_specs() -> Iterator[IndexSpec]:
    yield from _REGISTRY.values()
