"""The `database` backend: SearchDocument rows.

PostgreSQL: full-text search (french configuration over an IMMUTABLE unaccent wrapper, stored generated
tsvector + GIN), prefix matching on every word, trigram similarity when nothing matches exactly, filters
and facets on a generated text[] of tags (GIN), radius by bounding box then haversine.
Other databases (SQLite): the same API over accent-folded text with word-prefix LIKE; distances, ranking
and facets computed in Python on the candidate rows.
"""

import difflib
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from search.backends.base import Plan, SearchBackend, bounding_box, haversine_km, plan_query, text_only
from search.models import SearchDocument
from search.pgcopy import NULL, copy_text, text_fields, upsert_rows
from search.query import SearchHit, SearchQuery, SearchResult
from search.registry import Document, IndexSpec
from search.text import fold, framed

# Counting and facets stop after this many matches (the total is then reported as a lower bound).
COUNT_CAP = getattr(settings, "SEARCH_COUNT_CAP", 10_000)
TRIGRAM_THRESHOLD = 0.45
SQL_DISTANCE = (
    "(2 * 6371.0088 * asin(sqrt(least(1, power(sin(radians(d.latitude - %s) / 2), 2)"
    " + cos(radians(%s)) * cos(radians(d.latitude)) * power(sin(radians(d.longitude - %s) / 2), 2)))))"
)


def _tsquery(groups: list[list[list[str]]]) -> str:
    """'kine lunel' → '(kine:* | kinesitherapeute:*) & (lunel:*)'. Words are folded [a-z0-9] only."""
    parts = []
    for alternatives in groups:
        options = [" & ".join(f"{w}:*" for w in alt) for alt in alternatives]
        parts.append("(" + " | ".join(f"({o})" for o in options) + ")")
    return " & ".join(parts)


def _to_row(index: str, doc: Document) -> SearchDocument:
    return SearchDocument(
        index=index,
        kind=doc.kind,
        object_id=doc.object_id,
        title=doc.title[:300],
        subtitle=doc.subtitle[:300],
        text=doc.text,
        folded=framed(f"{doc.title} {doc.text}"),
        name_folded=fold(doc.title)[:300],
        tags=f" {' '.join(doc.tags)} " if doc.tags else "",
        suggest=framed(" ".join(doc.suggest)),
        latitude=doc.latitude,
        longitude=doc.longitude,
    )


class DatabaseBackend(SearchBackend):
    name = "database"
    fields = [
        "title",
        "subtitle",
        "text",
        "folded",
        "name_folded",
        "tags",
        "suggest",
        "latitude",
        "longitude",
        "updated_at",
    ]

    # --- indexing -------------------------------------------------------------------------------
    def index_documents(self, index: str, documents: Iterable[Document]) -> int:
        if connection.vendor == "postgresql":
            # COPY + INSERT … ON CONFLICT: several times faster than bulk_create at import scale.
            now = timezone.now()
            tuples = [
                (
                    index,
                    doc.kind,
                    doc.object_id,
                    doc.title[:300],
                    doc.subtitle[:300],
                    doc.text,
                    framed(f"{doc.title} {doc.text}"),
                    fold(doc.title)[:300],
                    f" {' '.join(doc.tags)} " if doc.tags else "",
                    framed(" ".join(doc.suggest)),
                    doc.latitude,
                    doc.longitude,
                    now,
                )
                for doc in documents
            ]
            if tuples:
                upsert_rows(
                    SearchDocument._meta.db_table,
                    ["index", "kind", "object_id", *self.fields],
                    tuples,
                    conflict=["index", "kind", "object_id"],
                    update=self.fields,
                )
            return len(tuples)
        rows = [_to_row(index, doc) for doc in documents]
        if rows:
            SearchDocument.objects.bulk_create(
                rows,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["index", "kind", "object_id"],
                update_fields=self.fields,
            )
        return len(rows)

    def add_new_documents(self, index: str, documents: Iterable[Document]) -> int:
        """Documents of objects created in the current transaction: on PostgreSQL a plain COPY (no
        conflict is possible), with '' for the columns only the SQLite path reads."""
        if connection.vendor != "postgresql":
            return self.index_documents(index, documents)
        tail = f"\t\t\t{timezone.now()}\n"  # folded, suggest, updated_at
        lines = [
            text_fields(
                (
                    index,
                    doc.kind,
                    str(doc.object_id),
                    doc.title[:300],
                    doc.subtitle[:300],
                    doc.text,
                    # Typo tolerance (trigram similarity on the title) still reads it.
                    fold(doc.title)[:300],
                    f" {' '.join(doc.tags)} " if doc.tags else "",
                )
            )
            + f"\t{NULL if doc.latitude is None else doc.latitude}"
            + f"\t{NULL if doc.longitude is None else doc.longitude}"
            + tail
            for doc in documents
        ]
        columns = ["index", "kind", "object_id", "title", "subtitle", "text", "name_folded", "tags"]
        columns += ["latitude", "longitude", "folded", "suggest", "updated_at"]
        return copy_text(SearchDocument._meta.db_table, columns, lines)

    def delete_documents(self, index: str, kind: str, object_ids: Iterable[int]) -> int:
        ids = list(object_ids)
        if not ids:
            return 0
        return SearchDocument.objects.filter(index=index, kind=kind, object_id__in=ids).delete()[0]

    def clear(self, index: str) -> None:
        SearchDocument.objects.filter(index=index).delete()

    # --- querying -------------------------------------------------------------------------------
    def search(self, spec: IndexSpec, query: SearchQuery) -> SearchResult:
        plan = plan_query(spec, query)
        run = self._search_postgres if connection.vendor == "postgresql" else self._search_generic
        result = run(spec, query, plan)
        if result.total == 0 and plan.place_from_text:
            # "lunel" may be a surname: read the text again without a place.
            result = run(spec, query, text_only(plan, query, spec))
        return result

    def suggest(self, spec: IndexSpec, prefix: str, limit: int = 8) -> list[str]:
        folded = fold(prefix)
        if len(folded) < 2:
            return []
        out = []
        for key, expansions in spec.synonyms.items():
            if key.startswith(folded) or any(fold(e).startswith(folded) for e in expansions):
                out.append(expansions[0] if expansions else key)
        result = self.search(spec, SearchQuery(text=prefix, page_size=limit, detect_place=False))
        out.extend(hit.title for hit in result.hits)
        return list(dict.fromkeys(out))[:limit]

    # PostgreSQL ---------------------------------------------------------------------------------
    def _search_postgres(self, spec: IndexSpec, query: SearchQuery, plan: Plan, fuzzy=False) -> SearchResult:
        params: list = []
        from_sql = "search_searchdocument d"
        where = ["d.index = %s"]
        where_params: list = [spec.name]
        score = "0.0"
        if plan.has_text and not fuzzy:
            from_sql += ", to_tsquery('french', maillage_unaccent(%s)) q"
            params.append(_tsquery(plan.groups))
            where.append("d.tsv @@ q")
            score = "ts_rank(d.tsv, q)"
        elif plan.has_text:
            needle = " ".join(plan.words)
            where.append("d.name_folded %% %s")
            where_params.append(needle)
            score = "similarity(d.name_folded, %s)"
        if query.kinds:
            where.append("d.kind = ANY(%s)")
            where_params.append(list(query.kinds))
        for facet, values in query.filters.items():
            if values:
                where.append("d.tags_arr && %s::text[]")
                where_params.append([f"{facet}:{v}" for v in values])
        if query.flags:
            where.append("d.tags_arr @> %s::text[]")
            where_params.append(list(query.flags))
        distance = "NULL::float"
        distance_params: list = []
        outer = ""
        outer_params: list = []
        if plan.place is not None:
            distance = SQL_DISTANCE
            distance_params = [plan.place.latitude, plan.place.latitude, plan.place.longitude]
            where.append("d.latitude IS NOT NULL")
            if plan.radius_km:
                south, north, west, east = bounding_box(plan.place, plan.radius_km)
                where.append("d.latitude BETWEEN %s AND %s AND d.longitude BETWEEN %s AND %s")
                where_params += [south, north, west, east]
                outer = "WHERE s.distance <= %s"
                outer_params = [plan.radius_km]
        score_params = [" ".join(plan.words)] if (fuzzy and plan.has_text) else []
        inner = (
            f"SELECT d.id, d.kind, d.object_id, d.title, d.subtitle, d.latitude, d.longitude, d.tags_arr,"
            f" {score} AS score, {distance} AS distance FROM {from_sql} WHERE {' AND '.join(where)}"
        )
        inner_params = score_params + distance_params + params + where_params
        if plan.place is not None:
            order = "s.distance, s.id"
        elif plan.has_text:
            order = "s.score DESC, s.id"
        else:
            order = "s.title, s.id"
        facets = [f for f in (query.facets or []) if f]
        with connection.cursor() as cursor:
            if fuzzy:
                # A stricter threshold than pg_trgm's 0.3 prunes the index candidates at national scale.
                cursor.execute("SET pg_trgm.similarity_threshold = %s", [TRIGRAM_THRESHOLD])
            cursor.execute(
                f"WITH m AS (SELECT s.tags_arr FROM ({inner}) s {outer} LIMIT {COUNT_CAP + 1})"
                " SELECT NULL, count(*) FROM m UNION ALL"
                " SELECT t, count(*) FROM m, unnest(m.tags_arr) t"
                " WHERE split_part(t, ':', 1) = ANY(%s) GROUP BY t",
                inner_params + outer_params + [facets],
            )
            counts = cursor.fetchall()
            total = next(c for t, c in counts if t is None)
            if total == 0 and plan.has_text and not fuzzy:
                return self._search_postgres(spec, query, plan, fuzzy=True)
            order_sql = f"ORDER BY {order}"
            if total > COUNT_CAP and plan.place is None:
                # Too broad to rank every match (a whole profession nationally): the first matches
                # come straight from the index scan, in table order; the facets and the total
                # invite to refine.
                order_sql = ""
            select = (
                "SELECT s.kind, s.object_id, s.title, s.subtitle, s.score, s.distance, s.latitude,"
                f" s.longitude FROM ({inner}) s"
            )
            wanted = query.offset + query.page_size
            rows = None
            if plan.place is not None and total >= wanted:
                # Nearest first without sorting every candidate of a dense area: the nearest `wanted`
                # entries lie in the smallest circle that holds `wanted` entries; grow it until it does.
                limit = plan.radius_km or float("inf")
                step = 1.0
                while step < limit:
                    south, north, west, east = bounding_box(plan.place, step)
                    cursor.execute(
                        f"{select} WHERE s.distance <= %s AND s.latitude BETWEEN %s AND %s"
                        f" AND s.longitude BETWEEN %s AND %s ORDER BY {order} LIMIT %s OFFSET %s",
                        inner_params + [step, south, north, west, east, query.page_size, query.offset],
                    )
                    candidate = cursor.fetchall()
                    if len(candidate) == query.page_size:
                        rows = candidate
                        break
                    step *= 4
            if rows is None:
                cursor.execute(
                    f"{select} {outer} {order_sql} LIMIT %s OFFSET %s",
                    inner_params + outer_params + [query.page_size, query.offset],
                )
                rows = cursor.fetchall()
        hits = [
            SearchHit(
                kind=k,
                object_id=o,
                title=t,
                subtitle=st,
                score=float(sc or 0),
                distance_km=round(dist, 2) if dist is not None else None,
                latitude=lat,
                longitude=lon,
            )
            for k, o, t, st, sc, dist, lat, lon in rows
        ]
        facet_counts: dict[str, list[tuple[str, int]]] = {f: [] for f in facets}
        for tag, count in counts:
            if tag is not None:
                facet, _, value = tag.partition(":")
                facet_counts[facet].append((value, count))
        for facet in facet_counts:
            facet_counts[facet].sort(key=lambda item: (-item[1], item[0]))
        return SearchResult(
            hits=hits,
            total=min(total, COUNT_CAP),
            total_is_exact=total <= COUNT_CAP,
            facets=facet_counts,
            place=plan.place,
            fuzzy=fuzzy,
        )

    # Generic (SQLite) ---------------------------------------------------------------------------
    def _search_generic(self, spec: IndexSpec, query: SearchQuery, plan: Plan) -> SearchResult:

        qs = SearchDocument.objects.filter(index=spec.name)
        for alternatives in plan.groups:
            condition = Q()
            for alternative in alternatives:
                words = Q()
                for word in alternative:
                    words &= Q(folded__contains=f" {word}")
                condition |= words
            qs = qs.filter(condition)
        qs = self._restricted(qs, query)
        if plan.place is not None:
            qs = qs.filter(latitude__isnull=False)
            if plan.radius_km:
                south, north, west, east = bounding_box(plan.place, plan.radius_km)
                qs = qs.filter(latitude__range=(south, north), longitude__range=(west, east))
        columns = ("kind", "object_id", "title", "subtitle", "name_folded", "tags", "latitude", "longitude")
        rows = list(qs.values_list(*columns)[: COUNT_CAP * 5])
        fuzzy = False
        if not rows and plan.has_text:
            rows, fuzzy = self._fuzzy_generic(spec, query, plan, columns), True
        return self._finish(query, plan, rows, fuzzy)

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
            words = row[4].split()
            windows = [" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))]
            if max(difflib.SequenceMatcher(None, needle, w).ratio() for w in windows) >= 0.75:
                out.append(row)
        return out

    def _finish(self, query: SearchQuery, plan: Plan, rows: list, fuzzy: bool) -> SearchResult:
        words = plan.words
        scored = []
        for kind, object_id, title, subtitle, name_folded, tags, lat, lon in rows:
            distance = None
            if plan.place is not None:
                distance = haversine_km(plan.place.latitude, plan.place.longitude, lat, lon)
                if plan.radius_km and distance > plan.radius_km:
                    continue
            name_words = name_folded.split()
            score = sum(1 for w in words if any(n.startswith(w) for n in name_words))
            scored.append((kind, object_id, title, subtitle, score, distance, lat, lon, tags))
        if plan.place is not None:
            scored.sort(key=lambda r: (r[5], r[1]))
        elif plan.has_text:
            scored.sort(key=lambda r: (-r[4], r[1]))
        else:
            scored.sort(key=lambda r: (r[2], r[1]))
        facet_counts: dict[str, list[tuple[str, int]]] = {}
        if query.facets:
            counter: Counter = Counter()
            for row in scored[:COUNT_CAP]:
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
            )
            for k, o, t, st, sc, d, lat, lon, _tags in page
        ]
        return SearchResult(
            hits=hits,
            total=min(len(scored), COUNT_CAP),
            total_is_exact=len(scored) <= COUNT_CAP,
            facets=facet_counts,
            place=plan.place,
            fuzzy=fuzzy,
        )
