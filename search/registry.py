"""What the apps index. search/ is generic: an app registers an IndexSpec (usually in AppConfig.ready)
and the backends only ever see Documents."""

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
    # not the start of a longer one.
    terms: Callable[[], Iterable[str]] | None = None


_REGISTRY: dict[str, IndexSpec] = {}


def register(spec: IndexSpec) -> None:
    _REGISTRY[spec.name] = spec


def get(name: str) -> IndexSpec:
    return _REGISTRY[name]


def all_specs() -> Iterator[IndexSpec]:
    yield from _REGISTRY.values()
