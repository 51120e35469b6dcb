"""What every backend implements, and the query planning both share (abbreviations, places)."""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from search import places
from search.query import Place, SearchQuery, SearchResult
from search.registry import Document, IndexSpec
from search.text import expand, tokens, without_implied

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
    """A query once interpreted: word groups (alternatives of word lists), place, radius."""

    words: list[str]
    groups: list[list[list[str]]]
    place: Place | None
    radius_km: float | None
    place_from_text: bool = False

    @property
    def has_text(self) -> bool:
        return bool(self.groups)


def plan_query(spec: IndexSpec, query: SearchQuery) -> Plan:
    words = tokens(query.text)
    place, radius = query.near, query.radius_km
    from_text = False
    if place is None and query.detect_place and words:
        ignore = {w for key in spec.synonyms for w in key.split()}
        found, rest = places.find_place(words, ignore)
        if found is not None:
            place, words, from_text = found, rest, True
            radius = radius or spec.place_radius_km
    return Plan(
        words=words,
        groups=without_implied(expand(words, spec.synonyms)),
        place=place,
        radius_km=radius,
        place_from_text=from_text,
    )


def text_only(plan: Plan, query: SearchQuery, spec: IndexSpec) -> Plan:
    """The same query read without place detection (when "lunel" was a surname after all)."""
    words = tokens(query.text)
    return Plan(
        words=words,
        groups=without_implied(expand(words, spec.synonyms)),
        place=query.near,
        radius_km=query.radius_km,
    )


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
