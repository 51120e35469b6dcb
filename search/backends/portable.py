"""The `database` backend's portable path (SQLite and other databases): the same API over accent-folded
text with word-prefix LIKE; distances, ranking and facets computed in Python on the candidate rows."""

import difflib
import operator
from collections import Counter
from dataclasses import replace
from functools import reduce

from django.db.models import Q

from search.backends.base import Plan, bounding_box, haversine_km, scope_tags, vocabulary
from search.models import SearchDocument, SearchPoint
from search.query import SearchHit, SearchQuery, SearchResult
from search.registry import IndexSpec


class PortableSearch:
    """Mixed into `DatabaseBackend`, which gives the cap on counted matches (`_count_cap`, `_limit`)."""

    def _search_generic(self, spec: IndexSpec, query: SearchQuery, plan: Plan) -> SearchResult:
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
        fuzzy = False
        if not rows and plan.has_text and not plan.approximate:
            rows, fuzzy = self._fuzzy_generic(spec, query, plan, columns), True
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

    def _fuzzy_generic(self, spec, query, plan, columns) -> list:
        needle = " ".join(plan.words)
        # The typo fallback keeps the query's filters: a filter must never widen into its complement.
        candidates = self._restricted(SearchDocument.objects.filter(index=spec.name), query)
        out = []
        size = len(plan.words)
        for row in candidates.values_list(*columns)[:50_000]:
            words = row[5].split()
            windows = [" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))]
            if max(difflib.SequenceMatcher(None, needle, w).ratio() for w in windows) >= 0.75:
                out.append(row)
        return out

    def _finish(self, query: SearchQuery, plan: Plan, rows: list, fuzzy: bool, points=None) -> SearchResult:
        words = plan.words
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
                score = sum(1 for w in words if any(n.startswith(w) for n in name_words))
            first = 0 if plan.kind_first and kind == plan.kind_first else 1
            scored.append(
                (kind, object_id, title, subtitle, score, distance, lat, lon, tags, display, sort_key, first)
            )
        # As the PostgreSQL path (`database._order`).
        if plan.approximate:
            key = (
                (lambda r: (-r[4], r[5], r[10], r[1]))
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
