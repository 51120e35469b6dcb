"""The `database` backend's portable path (SQLite and other databases): the same API over accent-folded
text with word-prefix LIKE; distances, ranking and facets computed in Python on the candidate rows."""

import difflib
import operator
from collections import Counter
from dataclasses import replace
from functools import reduce

from django.db.models import Q

from search.backends.base import (
    Plan,
    bounding_box,
    haversine_km,
    nomenclature_corrections,
    particle_splits,
    scope_tags,
    vocabulary,
    with_corrections,
)
from search.caching import Refreshed
from search.models import SearchDocument, SearchPoint
from search.query import SearchHit, SearchQuery, SearchResult
from search.registry import IndexSpec

# Corrections per mistyped word (as `database_estimates.CORRECTIONS_PER_WORD`), and how close they must be.
CORRECTIONS = 4
CUTOFF = 0.75


def _title_words(index: str) -> list[str]:
    words: set[str] = set()
    for name in SearchDocument.objects.filter(index=index).values_list("name_folded", flat=True).iterator():
        words.update(w for w in name.split() if len(w) >= 3)
    return sorted(words)


def _closest(word: str, vocabulary: list[str]) -> list[str]:
    """The closest words of the vocabulary: only those as close as the best one ("chretein" →
    "chretien", not also "chartier"), at most CORRECTIONS."""
    matcher = difflib.SequenceMatcher(b=word)
    scored = []
    for candidate in vocabulary:
        if candidate == word or abs(len(candidate) - len(word)) > 3:
            continue
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
            ratio = matcher.ratio()
            if ratio >= CUTOFF:
                scored.append((ratio, candidate))
    if not scored:
        return []
    best = max(ratio for ratio, _candidate in scored)
    return [c for ratio, c in sorted(scored, key=lambda rc: (-rc[0], rc[1])) if ratio >= best - 0.05][
        :CORRECTIONS
    ]


def _surname(name_words: list[str], sort_key: str) -> str:
    """A person's surname, its words joined ("le roux" → "leroux"): the start of the sort key (surname,
    first name) that ends the title (first name, surname); else the sort key's first word."""
    keys = sort_key.split()
    for size in range(len(keys) - 1, 0, -1):
        if keys[:size] == name_words[-size:]:
            return "".join(keys[:size])
    return keys[0] if keys else ""


def _name_score(group: list[list[str]], name_words: list[str], surname: str) -> int:
    """How well a group of the query names a result: 2 for a whole word of its title ("martin"), 1 for
    the start of one ("martine"), 1 more for its surname; the best of the group's alternatives (a
    corrected typo: "chretein" or "chretien"; a surname typed with its particles: "le roux")."""
    best = 0
    for alternative in group:
        if len(alternative) == 1 and alternative[0] == surname and surname not in name_words:
            score = 3  # a surname of several words typed with its particles ("le roux" for LE ROUX)
        elif all(w in name_words for w in alternative):
            joined = "".join(alternative)
            score = 2 + (alternative[0] == surname or joined == surname)
            if len(alternative) > 1 and joined == surname == "".join(group[0]):
                score += 1  # "dacosta" is DA COSTA as typed, before COSTA, a correction
        elif all(any(n.startswith(w) for n in name_words) for w in alternative):
            score = 1
        else:
            continue
        best = max(best, score)
    return best


_TITLE_WORDS: dict[str, Refreshed] = {}


def title_words(index: str) -> list[str]:
    """The words of an index's titles (names), the vocabulary typos are corrected against, read again
    after a minute (PostgreSQL keeps them in `SearchWord`)."""
    cache = _TITLE_WORDS.get(index)
    if cache is None:
        cache = _TITLE_WORDS[index] = Refreshed(lambda: _title_words(index), ttl=60)
    return cache.get()


class PortableSearch:
    """Mixed into `DatabaseBackend`, which gives the cap on counted matches (`_count_cap`, `_limit`)."""

    def _search_generic(self, spec: IndexSpec, query: SearchQuery, plan: Plan, fuzzy=False) -> SearchResult:
        query = replace(query, filters=plan.filters(query))
        qs = SearchDocument.objects.filter(index=spec.name)
        in_scope = Q(pk__in=[])
        for tag in scope_tags(query.scopes):
            in_scope |= Q(tags__contains=f" {tag} ")
        conditions = []
        complete = vocabulary(spec).complete
        for alternatives in plan.groups:
            condition = Q()
            # As on PostgreSQL (`database._tsquery`): an abbreviation, its expansions and the words of the
            # nomenclature are whole words ("ortho" is orthophoniste or orthoptiste, not orthopédie); other
            # words match as the start of a word.
            typed_abbreviation = " ".join(alternatives[0]) in spec.synonyms
            for position, alternative in enumerate(alternatives):
                words = Q()
                for word in alternative:
                    whole = position > 0 or typed_abbreviation or word in complete
                    needle = f" {word} " if whole else f" {word}"
                    words &= Q(folded__contains=needle) | (Q(restricted_text__contains=needle) & in_scope)
                condition |= words
            conditions.append(condition)
        if plan.approximate:  # any group; ranked below by how many match
            qs = qs.filter(reduce(operator.or_, conditions))
        else:
            for condition in conditions:
                qs = qs.filter(condition)
        qs = self._restricted(qs, query)
        if plan.place is not None:
            qs = qs.filter(latitude__isnull=False)
            if plan.radius_km:
                south, north, west, east = bounding_box(plan.place, plan.radius_km)
                # In the box by the document's first place, or by another one.
                others = SearchPoint.objects.filter(
                    index=spec.name, latitude__range=(south, north), longitude__range=(west, east)
                ).values("document_id")
                qs = qs.filter(
                    Q(latitude__range=(south, north), longitude__range=(west, east)) | Q(id__in=others)
                )
        columns = (
            "id",
            "kind",
            "object_id",
            "title",
            "subtitle",
            "name_folded",
            "tags",
            "latitude",
            "longitude",
            "display",
            "sort_key",
            "folded",
        )
        # Beyond the cap, the first documents indexed: the same candidates on every run.
        rows = list(qs.order_by("id").values_list(*columns)[: self._count_cap() * 5])
        if not rows and plan.has_text and not plan.approximate and not fuzzy:
            corrected = self._corrected_plan_generic(spec, plan)
            if corrected is not None:
                return self._search_generic(spec, query, corrected, fuzzy=True)
        points: dict[int, list[tuple[float, float]]] = {}
        if plan.place is not None and rows:
            # The other places of the candidates: each is measured from its nearest.
            located = SearchPoint.objects.filter(document_id__in=[row[0] for row in rows])
            for document_id, lat, lon in located.values_list("document_id", "latitude", "longitude"):
                points.setdefault(document_id, []).append((lat, lon))
        return self._finish(query, plan, rows, fuzzy, points)

    @staticmethod
    def _restricted(qs, query: SearchQuery):
        """Kinds, filters (OR inside a facet, AND across facets) and flags, on the portable path."""
        if query.kinds:
            qs = qs.filter(kind__in=query.kinds)
        for facet, values in query.filters.items():
            if values:
                condition = Q()
                for value in values:
                    condition |= Q(tags__contains=f" {facet}:{value} ")
                qs = qs.filter(condition)
        for flag in query.flags:
            qs = qs.filter(tags__contains=f" {flag} ")
        return qs

    @staticmethod
    def _corrected_plan_generic(spec: IndexSpec, plan: Plan) -> Plan | None:
        """Nothing matched: as on PostgreSQL (`DatabaseBackend._corrected_plan`), each word that is a
        single alternative also accepts its closest words among the titles ("lefebvre" → "lefevre"),
        the other words, the filters and the place still applying. Words of the nomenclature are no typos
        ("had", "chu"). None when no word has a close neighbour."""
        complete = vocabulary(spec).complete
        words = {
            g[0][0]
            for g in plan.groups
            if len(g) == 1 and len(g[0]) == 1 and len(g[0][0]) >= 3 and g[0][0] not in complete
        }
        corrections = {word: _closest(word, title_words(spec.name)) for word in sorted(words)}
        # A mistyped profession ("infimière"): its word of the nomenclature first, then the names.
        for word, terms in nomenclature_corrections(spec, words).items():
            corrections[word] = terms + corrections[word]
        for word, splits in particle_splits(words).items():  # "dacosta": DA COSTA before COSTA
            corrections[word] = splits + corrections[word]
        if not any(corrections.values()):
            return None
        return with_corrections(plan, corrections)

    def _finish(self, query: SearchQuery, plan: Plan, rows: list, fuzzy: bool, points=None) -> SearchResult:
        scored = []
        points = points or {}
        for (
            pk,
            kind,
            object_id,
            title,
            subtitle,
            name_folded,
            tags,
            lat,
            lon,
            display,
            sort_key,
            folded,
        ) in rows:
            distance = None
            if plan.place is not None:
                centre = plan.place
                distance = min(
                    haversine_km(centre.latitude, centre.longitude, la, lo)
                    for la, lo in [(lat, lon), *points.get(pk, ())]
                )
                if plan.radius_km and distance > plan.radius_km:
                    continue
            if plan.approximate:  # how many groups match (an alternative's words all present)
                score = sum(
                    any(all(f" {w}" in folded for w in alternative) for alternative in group)
                    for group in plan.groups
                )
            else:
                name_words = name_folded.split()
                surname = _surname(name_words, sort_key)
                score = sum(_name_score(group, name_words, surname) for group in plan.groups)
            first = 0 if plan.kind_first and kind == plan.kind_first else 1
            scored.append(
                (kind, object_id, title, subtitle, score, distance, lat, lon, tags, display, sort_key, first)
            )
        # As the PostgreSQL path (`database._order`).
        if plan.approximate:
            key = (
                (lambda r: (-r[4], r[5], r[11], r[10], r[1]))
                if plan.place
                else (lambda r: (-r[4], r[11], r[10], r[1]))
            )
        elif plan.place is not None:
            key = lambda r: (r[5], r[11], -r[4], r[10], r[1])  # noqa: E731
        elif plan.has_text:
            key = lambda r: (r[11], -r[4], r[10], r[1])  # noqa: E731
        else:
            key = lambda r: (r[10], r[1])  # noqa: E731
        scored.sort(key=key)
        cap = self._count_cap()
        facet_counts: dict[str, list[tuple[str, int]]] = {}
        if query.facets:
            counter: Counter = Counter()
            for row in scored[:cap]:
                for tag in row[8].split():
                    facet, sep, value = tag.partition(":")
                    if sep and facet in query.facets:
                        counter[(facet, value)] += 1
            facet_counts = {f: [] for f in query.facets}
            for (facet, value), count in counter.items():
                facet_counts[facet].append((value, count))
            for facet in facet_counts:
                facet_counts[facet].sort(key=lambda item: (-item[1], item[0]))
        page = scored[query.offset : query.offset + query.page_size]
        hits = [
            SearchHit(
                kind=k,
                object_id=o,
                title=t,
                subtitle=st,
                score=float(sc),
                distance_km=round(d, 2) if d is not None else None,
                latitude=lat,
                longitude=lon,
                display=display or {},
            )
            for k, o, t, st, sc, d, lat, lon, _tags, display, _sort, _first in page
        ]
        return SearchResult(
            hits=hits,
            # The same on every page: the matches counted up to the cap ("plus de N" beyond it).
            total=min(len(scored), cap),
            total_is_exact=len(scored) <= cap,
            facets=facet_counts,
            place=plan.place,
            fuzzy=fuzzy,
            approximate=plan.approximate,
            radius_km=plan.radius_km if plan.place is not None else None,
        )
