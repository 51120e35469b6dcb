"""The one query interface of both backends."""

from dataclasses import dataclass, field


@dataclass
class Place:
    label: str
    latitude: float
    longitude: float
    code: str = ""
    # A postal code serving several communes: their INSEE codes (the place filters on them).
    communes: tuple[str, ...] = ()


@dataclass
class SearchQuery:
    text: str = ""
    # facet → accepted values (OR inside a facet, AND across facets)
    filters: dict[str, list[str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # bare tags that must be present ("snp")
    kinds: list[str] = field(default_factory=list)
    near: Place | None = None
    radius_km: float | None = None
    page: int = 1
    page_size: int = 20
    facets: list[str] = field(default_factory=list)
    # Resolve a commune named in the free text into a place ("kine lunel" → near Lunel).
    detect_place: bool = True
    # The viewer's scopes: restricted text (Document.restricted_text) matches only in these.
    scopes: list[str] = field(default_factory=list)

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.page_size


@dataclass
class SearchHit:
    kind: str
    object_id: int
    title: str
    subtitle: str = ""
    score: float = 0.0
    distance_km: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    display: dict = field(default_factory=dict)  # Document.display


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    total_is_exact: bool = True
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    place: Place | None = None
    fuzzy: bool = False  # no exact match: results come from typo-tolerant matching
    approximate: bool = False  # not every word matched: ranked by how many do ("résultats approchants")
    radius_km: float | None = None  # the radius applied around `place` (None: no limit)
