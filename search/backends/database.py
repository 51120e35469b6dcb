"""The `database` backend: SearchDocument rows.

PostgreSQL: full-text search (french configuration over an IMMUTABLE unaccent wrapper, stored generated
tsvector + GIN), prefix matching on every word, trigram similarity when nothing matches exactly, filters
and facets on a generated text[] of tags (GIN), radius by bounding box then haversine.
Other databases (SQLite): the same API over accent-folded text with word-prefix LIKE; distances, ranking
and facets computed in Python on the candidate rows.
"""

import re
from dataclasses import replace

from django.conf import settings
from django.db import connection

from search import places
from search.backends.base import (
    Plan,
    SearchBackend,
    approximate,
    bounding_box,
    haversine_km,
    plan_query,
    scope_tags,
    text_only,
    vocabulary,
)
from search.backends.database_estimates import _ESTIMATES, PlannerEstimates
from search.backends.database_indexing import RESTRICTED_SCOPES, DatabaseIndexing
from search.backends.portable import PortableSearch
from search.query import SearchHit, SearchQuery, SearchResult
from search.registry import IndexSpec
from search.text import cells_in_box, fold

# Counting and facets stop after this many matches (the total is then reported as a lower bound).
COUNT_CAP = getattr(settings, "SEARCH_COUNT_CAP", 1_000)
# Conditions true of every row, for the matches collected beyond the cap without an order to be the same
# on every run. The first turns the planner's sequential scan of a large table into a TID range scan from
# the first page (a sequential scan may start wherever a concurrent one is: synchronized scans); bitmap
# and index reads are unaffected. The second, a parallel-unsafe function evaluated once, keeps the plan
# serial (parallel workers deliver their rows in any order).
FROM_FIRST_PAGE = " AND d.ctid >= '(0,0)'::tid AND current_schema() IS NOT NULL"
# The text condition, and the same checked on each row (a function call is no index condition).
TEXT_MATCH = "d.tsv @@ to_tsquery('french', %s)"
TEXT_MATCH_BY_ROW = "ts_match_vq(d.tsv, to_tsquery('french', %s))"
# A postal code's walk over the nearest places goes this far beyond its farthest commune's centre.
COMMUNE_MARGIN_KM = 10.0
# Haversine, in km, from the point given as parameters (latitude, latitude, longitude) to `{alias}`.
SQL_DISTANCE = (
    "(2 * 6371.0088 * asin(sqrt(least(1, power(sin(radians({alias}.latitude - %s) / 2), 2)"
    " + cos(radians(%s)) * cos(radians({alias}.latitude))"
    " * power(sin(radians({alias}.longitude - %s) / 2), 2)))))"
)


def _limit(query: SearchQuery) -> int:
    """Matches collected: one more than the cap (to know it is exceeded), or than a page beyond it."""
    return max(COUNT_CAP, query.offset + query.page_size) + 1


def _cells_in_circle(place, radius_km: float) -> list[str] | None:
    """The grid cells meeting the circle: those of its bounding box whose nearest point is within it (the
    corners of a box often are not, and a city's cell holds thousands of documents). None as
    `cells_in_box` (too many)."""
    cells = cells_in_box(*bounding_box(place, radius_km))
    if not cells:
        return cells
    kept = []
    for cell in cells:
        row, column = (int(n) for n in cell[2:].split("z"))
        south, west = row / 10 - 90, column / 10 - 180
        nearest = (min(max(place.latitude, south), south + 0.1), min(max(place.longitude, west), west + 0.1))
        if haversine_km(place.latitude, place.longitude, *nearest) <= radius_km + 0.05:
            kept.append(cell)
    return kept


def _tsquery(
    groups: list[list[list[str]]],
    synonyms: dict | None = None,
    complete: frozenset = frozenset(),
    joiner: str = " & ",
    last_typed: bool = True,
) -> str:
    """'kine lunel' → '(kine | kinesitherapeute) & (lunel:*)'. Words are folded [a-z0-9] only.

    Only the last word typed matches as a prefix (the query is read while it is typed); the words
    before it are complete words, matched after stemming. An abbreviation and its expansions, and the
    corrections of a mistyped word, are whole words: "ortho" means orthophoniste or orthoptiste, not
    every word starting with "ortho"; so is a word of the nomenclature typed in full. Prefix matching
    is also several times slower on the index, the more so for short stems."""
    parts = []
    for position, alternatives in enumerate(groups):
        typed = " ".join(alternatives[0])
        prefix = (
            last_typed
            and position == len(groups) - 1
            and not (synonyms and typed in synonyms)
            and typed not in complete
        )
        options = [
            " & ".join(f"{w}:*" if prefix and i == 0 else w for w in alt)
            for i, alt in enumerate(alternatives)
        ]
        parts.append("(" + " | ".join(f"({o})" for o in options) + ")")
    return joiner.join(parts)


def _group_tsqueries(plan: Plan, spec: IndexSpec) -> list[str]:
    """One tsquery per group, the last one typed as a prefix as in the whole query: `approximate` plans
    count how many match."""
    whole = _tsquery(plan.groups, spec.synonyms, vocabulary(spec).complete, "\n", plan.last_typed)
    return whole.split("\n")


def _ranked_by_words(plan: Plan) -> bool:
    """Approximate with several groups: documents are collected by how many groups they match."""
    return plan.approximate and len(plan.groups) > 1


def _kind_order(kind: str) -> str:
    """An ORDER BY term putting documents of `kind` first (kinds are the spec's own words)."""
    return f"(kind = '{kind}') DESC, " if re.fullmatch(r"[a-z_]+", kind or "") else ""


def _order(plan: Plan, tsquery: str) -> str:
    """Nearest first around a place; then, or without a place: the most words matched (approximate), the
    kind the words name, relevance, and the sort key (surname first for people)."""
    kind = _kind_order(plan.kind_first)
    if plan.approximate:
        rest = f"score DESC, distance, {kind}" if plan.place is not None else f"score DESC, {kind}"
    elif plan.place is not None:
        rest = f"distance, {kind}score DESC, " if tsquery else "distance, "
    else:
        rest = f"{kind}score DESC, " if tsquery else ""
    return f"{rest}sort_key, id"


class DatabaseBackend(PlannerEstimates, DatabaseIndexing, PortableSearch, SearchBackend):
    name = "database"

    @staticmethod
    def _count_cap() -> int:
        return COUNT_CAP

    @staticmethod
    def _limit(query: SearchQuery) -> int:
        return _limit(query)

    # --- querying -------------------------------------------------------------------------------
    def search(self, spec: IndexSpec, query: SearchQuery) -> SearchResult:
        token = _ESTIMATES.set({})
        try:
            return self._search(spec, query)
        finally:
            _ESTIMATES.reset(token)

    def _search(self, spec: IndexSpec, query: SearchQuery) -> SearchResult:
        plan = plan_query(spec, query)
        postgres = connection.vendor == "postgresql"
        run = self._search_postgres if postgres else self._search_generic
        result = run(spec, query, plan)
        if result.total:
            return result
        again = text_only(plan, query, spec) if plan.place_from_text else None
        relaxed = approximate(plan)
        if postgres and (again is not None or relaxed is not None):
            # One statement says which of the reads below can find anything at all: the text read
            # without a place, and each word group alone (a group no document matches is dropped from the
            # relaxed query, where it would only add its cost).
            again, relaxed = self._worth_reading(spec, query, again, relaxed)
        if again is not None:
            # "lunel" may be a surname: read the text again without a place.
            again_result = run(spec, query, again)
            if again_result.total:
                return again_result
        if relaxed is not None:
            # Not every word matches: rank by how many do, the place still filtering.
            if postgres and _ranked_by_words(relaxed) and query.offset + query.page_size <= COUNT_CAP:
                # The documents matching every group rank first: when they fill the cap, they are the whole
                # answer (the same rows), read at the cost of the query requiring them all.
                every = self._search_postgres(spec, query, relaxed, require_all=True)
                if not every.total_is_exact:
                    return every
            result = run(spec, query, relaxed)
        return result

    def _worth_reading(
        self, spec: IndexSpec, query: SearchQuery, again: Plan | None, relaxed: Plan | None
    ) -> tuple[Plan | None, Plan | None]:
        """`again` (the text without a place) unless no document matches its words (filters aside);
        `relaxed` with only the groups some document matches (all of them when none does)."""
        complete = vocabulary(spec).complete
        groups = _group_tsqueries(relaxed, spec) if relaxed is not None else []
        whole = (
            _tsquery(again.groups, spec.synonyms, complete) if again is not None and again.has_text else ""
        )
        if not (groups or whole):
            return again, relaxed
        scopes = scope_tags(query.scopes)
        if RESTRICTED_SCOPES.get().get(spec.name, frozenset()).isdisjoint(scopes):
            scopes = []  # no document of these scopes carries restricted text
        matching = (
            "d.tsv @@ to_tsquery('french', %s)"
            if not scopes
            else "(d.tsv @@ to_tsquery('french', %s) OR (d.restricted_text <> '' AND d.tags_arr && %s::text[]"
            " AND (d.tsv || to_tsvector('french', d.restricted_text)) @@ to_tsquery('french', %s)))"
        )
        exists = f"EXISTS (SELECT 1 FROM search_searchdocument d WHERE d.index = %s AND {matching})"

        def params(text: str) -> list:
            return [spec.name, text, *([scopes, text] if scopes else [])]

        # The whole text is read only when every group matches something: it contains them all, and a
        # word that matches nothing would otherwise cost a read of the whole text's index entries (the
        # last word is a prefix: "paris:*" stands for every word starting so).
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH g AS MATERIALIZED (SELECT ARRAY[{', '.join(exists for _g in groups)}]::boolean[] AS found)"
                f" SELECT found, CASE WHEN true = ALL(found) THEN {exists if whole else 'false'} ELSE false END"
                " FROM g",
                [p for group in groups for p in params(group)] + (params(whole) if whole else []),
            )
            found, whole_found = cursor.fetchone()
        if whole:
            again = again if whole_found else None
        if relaxed is not None and any(found) and not all(found):
            kept = [group for group, hit in zip(relaxed.groups, found, strict=True) if hit]
            relaxed = replace(relaxed, groups=kept, last_typed=relaxed.last_typed and found[-1])
        return again, relaxed

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
    # Every path below is one statement that collects at most COUNT_CAP + 1 matches (`m`; more for a page
    # beyond the cap) and returns the count, the page and the facet counts from them: the cost follows
    # the cap, not the corpus.
    def _search_postgres(
        self, spec: IndexSpec, query: SearchQuery, plan: Plan, fuzzy=False, require_all=False
    ) -> SearchResult:
        """`require_all`: of an approximate plan, the documents matching every group, read and ordered as the
        plan without approximation (relevance breaks ties), the answer still said approximate."""
        if require_all:
            plan = replace(plan, approximate=False)
        query = replace(query, filters=plan.filters(query))
        joiner = " | " if plan.approximate else " & "
        complete = vocabulary(spec).complete
        tsquery = (
            _tsquery(plan.groups, spec.synonyms, complete, joiner, plan.last_typed) if plan.has_text else ""
        )
        if query.scopes and not (tsquery and self._restricted_may_match(spec, query, tsquery)):
            # The OR over restricted text would only blur the planner's estimates.
            query = replace(query, scopes=[])
        where, params = self._conditions(spec, query, tsquery)
        if _ranked_by_words(plan):
            groups = _group_tsqueries(plan, spec)
            score = "(" + " + ".join("(d.tsv @@ to_tsquery('french', %s))::int" for _g in groups) + ")"
            score_params = groups
        elif plan.approximate:  # one group left (the others match nothing): every match has one word
            score, score_params = "1", []
        elif tsquery:
            score, score_params = "ts_rank(d.tsv, to_tsquery('french', %s))", [tsquery]
        else:
            score, score_params = "0.0::real", []
        facets = [f for f in (query.facets or []) if f]
        columns = (
            "d.id, d.kind, d.object_id, d.title, d.subtitle, d.latitude, d.longitude, d.tags_arr,"
            " d.display, d.sort_key"
        )
        order = _order(plan, tsquery)
        word_rows: dict[str, float] = {}  # the planner's estimate per word, when one was asked for
        with connection.cursor() as cursor:
            if plan.place is None:
                total, hits, counts = self._collect(
                    cursor,
                    f"SELECT {columns}, {score} AS score, NULL::float8 AS distance"
                    f" FROM search_searchdocument d WHERE {' AND '.join(where)}"
                    # Approximate: the documents matching the most words are the ones collected.
                    # Otherwise, beyond the cap, the first matches in the table's order (index bitmaps
                    # yield them so): never a plain sequential scan, which may start wherever a concurrent
                    # scan of the table is (synchronized scans) and collect other matches on every run;
                    # the TID range from the first page reads the same rows at the same cost.
                    f"{' ORDER BY score DESC, d.id' if _ranked_by_words(plan) else FROM_FIRST_PAGE}"
                    f" LIMIT {_limit(query)}",
                    score_params + params,
                    order,
                    query,
                    facets,
                )
            else:
                total, hits, counts = self._collect_near(
                    cursor,
                    spec,
                    query,
                    plan,
                    columns,
                    (score, score_params),
                    (where, params),
                    facets,
                    order,
                    word_rows,
                )
            if total == 0 and tsquery and not (fuzzy or plan.approximate or require_all):
                corrected = self._corrected_plan(cursor, spec, plan, word_rows)
                if corrected is not None:
                    return self._search_postgres(spec, query, corrected, fuzzy=True)
        facet_counts: dict[str, list[tuple[str, int]]] = {f: [] for f in facets}
        for tag, count in counts:
            facet, _, value = tag.partition(":")
            facet_counts[facet].append((value, count))
        for facet in facet_counts:
            facet_counts[facet].sort(key=lambda item: (-item[1], item[0]))
        return SearchResult(
            hits=[
                SearchHit(
                    kind=k,
                    object_id=o,
                    title=t,
                    subtitle=st,
                    score=float(sc or 0),
                    distance_km=round(dist, 2) if dist is not None else None,
                    latitude=lat,
                    longitude=lon,
                    display=display or {},
                )
                for k, o, t, st, sc, dist, lat, lon, display in hits
            ],
            # The same on every page: the matches counted up to the cap ("plus de N" beyond it).
            total=min(total, COUNT_CAP),
            total_is_exact=total <= COUNT_CAP,
            facets=facet_counts,
            place=plan.place,
            fuzzy=fuzzy,
            approximate=plan.approximate or require_all,
            radius_km=plan.radius_km if plan.place is not None else None,
        )

    @staticmethod
    def _restricted_may_match(spec: IndexSpec, query: SearchQuery, tsquery: str) -> bool:
        """Whether some document of the viewer's scopes matches through its restricted text (the partial
        index holds only the few documents carrying some). No statement when no document of these
        scopes carries any (most viewers: `RESTRICTED_SCOPES`)."""
        scopes = scope_tags(query.scopes)
        if RESTRICTED_SCOPES.get().get(spec.name, frozenset()).isdisjoint(scopes):
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM search_searchdocument d WHERE d.index = %s"
                " AND d.restricted_text <> '' AND d.tags_arr && %s::text[]"
                " AND (d.tsv || to_tsvector('french', d.restricted_text)) @@ to_tsquery('french', %s))",
                [spec.name, scopes, tsquery],
            )
            return cursor.fetchone()[0]

    @staticmethod
    def _conditions(spec: IndexSpec, query: SearchQuery, tsquery: str) -> tuple[list[str], list]:
        where, params = ["d.index = %s"], [spec.name]
        if tsquery and query.scopes:
            # Restricted text counts for the documents of the viewer's scopes (few documents carry some:
            # a partial index finds them, their tsvector is computed here).
            where.append(
                "(d.tsv @@ to_tsquery('french', %s) OR (d.restricted_text <> '' AND d.tags_arr && %s::text[]"
                " AND (d.tsv || to_tsvector('french', d.restricted_text)) @@ to_tsquery('french', %s)))"
            )
            params += [tsquery, scope_tags(query.scopes), tsquery]
        elif tsquery:
            where.append(TEXT_MATCH)
            params.append(tsquery)
        if query.kinds:
            where.append("d.kind = ANY(%s)")
            params.append(list(query.kinds))
        for facet, values in query.filters.items():
            if values:
                where.append("d.tags_arr && %s::text[]")
                params.append([f"{facet}:{v}" for v in values])
        if query.flags:
            where.append("d.tags_arr @> %s::text[]")
            params.append(list(query.flags))
        return where, params

    @staticmethod
    def _collect(cursor, matches_sql, params, order, query, facets, *, before="", before_params=()):
        """Run `matches_sql` (at most COUNT_CAP + 1 rows with the columns of `_search_postgres`) once and
        return (count, page rows, [(tag, count)]). `before` adds CTEs `matches_sql` may read."""
        cursor.execute(
            f"WITH {before} m AS MATERIALIZED ({matches_sql})"
            " SELECT (SELECT count(*) FROM m),"
            " (SELECT coalesce(json_agg(json_build_array(kind, object_id, title, subtitle, score, distance,"
            f" latitude, longitude, display) ORDER BY {order}), '[]'::json)"
            f" FROM (SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s) p),"
            " (SELECT coalesce(json_agg(json_build_array(t, c)), '[]'::json) FROM (SELECT t, count(*) AS c"
            " FROM m, unnest(m.tags_arr) t WHERE split_part(t, ':', 1) = ANY(%s) GROUP BY t) f)",
            [*before_params, *params, query.page_size, query.offset, facets],
        )
        return cursor.fetchone()

    def _collect_near(
        self, cursor, spec, query, plan, columns, scoring, conditions, facets, order, word_rows=None
    ):
        """Nearest first, by the cheaper of two reads (see `_text_first`): the text/filter matches in the
        box, sorted by distance; or a walk over the places in order of distance, reading each place's
        documents from the geo index and stopping at COUNT_CAP + 1 (a common profession in a city,
        or no text at all): then the cost follows the cap, not the density of the area."""
        score, score_params = scoring
        where, params = conditions
        place, radius = plan.place, plan.radius_km
        distance = SQL_DISTANCE.format(alias="d")
        point_distance = SQL_DISTANCE.format(alias="sp")
        distance_params = [place.latitude, place.latitude, place.longitude]
        box_where, box_params = [], []
        if radius:
            box_where = [
                "d.latitude BETWEEN %s AND %s AND d.longitude BETWEEN %s AND %s",
                f"{distance} <= %s",
            ]
            box_params = [*bounding_box(place, radius), *distance_params, radius]
        # A postal code (its communes filter, no radius): the area is that of its communes' documents.
        communes = [f"commune:{c}" for c in query.filters.get("commune", [])] if not radius else []
        area = (["d.tags_arr && %s::text[]"], [communes]) if communes else (box_where[:1], box_params[:4])
        if not (
            _ranked_by_words(plan)
            or len(where) > 1
            and self._text_first(
                cursor,
                spec,
                query,
                plan,
                (where, params),
                area,
                bool(radius and _cells_in_circle(place, radius)),
                word_rows,
                in_communes=bool(communes),
            )
        ):
            if not communes:
                return self._walk(
                    cursor, spec, query, place, radius, columns, scoring, conditions, facets, order
                )
            # The walk stops at the cap among the nearest places; bounded by the farthest of the postal
            # code's communes (their documents are there), and exact only if it reached the cap: the cap
            # + 1 nearest within the bound are the nearest of all. Otherwise (fewer than estimated), the
            # text read below.
            bound = max(
                haversine_km(place.latitude, place.longitude, p.latitude, p.longitude)
                for p in [place, *(places.commune_place(c) for c in place.communes)]
                if p is not None
            )
            found = self._walk(
                cursor,
                spec,
                query,
                place,
                bound + COMMUNE_MARGIN_KM,
                columns,
                scoring,
                conditions,
                facets,
                order,
            )
            if found[0] > COUNT_CAP:
                return found
        if communes and TEXT_MATCH in where and self._text_by_row(cursor, spec, query, plan, area):
            where = [TEXT_MATCH_BY_ROW if w == TEXT_MATCH else w for w in where]
        # Sparse matches here: read them from the text/filter (and geo) indexes, sort by distance
        # (approximate: the most words matched first, then the nearest). A document is also in the
        # circle through any of its other places, measured from the nearest.
        nearest = (
            f"CASE WHEN d.other_places = 0 THEN {distance} ELSE least({distance}, coalesce((SELECT"
            f" min({point_distance}) FROM search_searchpoint sp WHERE sp.document_id = d.id), 'Infinity'::float8))"
            " END"
        )
        nearest_params = [*distance_params, *distance_params, *distance_params]
        located, located_params = ["d.latitude IS NOT NULL"], []
        cells = _cells_in_circle(place, radius) if radius else None
        if cells:
            # The cells covering the circle are words of the tsvector (every place of a document,
            # its other practice sites included): the text and the place are one read of the GIN
            # index, which yields only the matches around here; the distance then filters exactly.
            located.append("d.tsv @@ to_tsquery('simple', %s)")
            located_params = [" | ".join(cells)]
        elif radius:
            located.append(
                # An array computed once (not a subquery tested row by row): both arms are then
                # index scans (geo, primary key) ANDed with the text's bitmap, instead of every text
                # match of the country being read and filtered.
                f"(({' AND '.join(box_where)}) OR d.id = ANY(ARRAY(SELECT sp.document_id"
                " FROM search_searchpoint sp WHERE sp.index = %s AND sp.latitude BETWEEN %s AND %s"
                f" AND sp.longitude BETWEEN %s AND %s AND {point_distance} <= %s)))"
            )
            located_params = [
                *box_params,
                spec.name,
                *bounding_box(place, radius),
                *distance_params,
                radius,
            ]
        matches = (
            f"SELECT {columns}, {score} AS score, {nearest} AS distance FROM search_searchdocument d"
            f" WHERE {' AND '.join([*where, *located])}"
        )
        if cells:  # the nearest distance computed once per row (OFFSET 0: not inlined), then filtered
            matches = f"SELECT * FROM ({matches} OFFSET 0) d WHERE d.distance <= {float(radius)!r}"
        return self._collect(
            cursor,
            f"{matches} ORDER BY {'score DESC, ' if _ranked_by_words(plan) else ''}distance, d.id"
            f" LIMIT {_limit(query)}",
            [*score_params, *nearest_params, *params, *located_params],
            order,
            query,
            facets,
        )

    def _walk(self, cursor, spec, query, place, radius, columns, scoring, conditions, facets, order):
        """Walk the places nearest first (within `radius` when given), reading each place's documents
        until COUNT_CAP + 1 match: a common profession in a city, or no text at all."""
        score, score_params = scoring
        where, params = conditions
        distance_params = [place.latitude, place.latitude, place.longitude]
        place_where, place_params = ["pl.index = %s"], [spec.name]
        if radius:
            south, north, west, east = bounding_box(place, radius)
            place_where.append("pl.latitude BETWEEN %s AND %s AND pl.longitude BETWEEN %s AND %s")
            place_params += [south, north, west, east]
        near = (
            f"p AS MATERIALIZED (SELECT pl.latitude, pl.longitude, {SQL_DISTANCE.format(alias='pl')} AS distance"
            f" FROM search_searchplace pl WHERE {' AND '.join(place_where)}),"
        )
        # Each place's documents are read from the (index, latitude, longitude, id) indexes in id order
        # (those placed there and those with another place there, merged), and the LIMIT stops the walk
        # as soon as the cap is reached: the matches collected are the nearest, then the lowest ids, as
        # the text read collects them; a document met again further away keeps its nearest distance.
        conditions_sql = " AND ".join(where)
        return self._collect(
            cursor,
            f"SELECT DISTINCT ON (id) * FROM (SELECT x.*, p.distance FROM (SELECT * FROM p"
            f" {'WHERE p.distance <= %s' if radius else ''} ORDER BY p.distance, p.latitude, p.longitude) p"
            " CROSS JOIN LATERAL (SELECT * FROM"
            f" ((SELECT {columns}, {score} AS score FROM search_searchdocument d WHERE {conditions_sql}"
            " AND d.latitude = p.latitude AND d.longitude = p.longitude ORDER BY d.id)"
            f" UNION ALL (SELECT {columns}, {score} AS score FROM search_searchpoint sp"
            " JOIN search_searchdocument d ON d.id = sp.document_id WHERE sp.index = %s"
            f" AND sp.latitude = p.latitude AND sp.longitude = p.longitude AND {conditions_sql}"
            f" ORDER BY sp.document_id)) u ORDER BY id LIMIT {_limit(query)}) x LIMIT {_limit(query)}) w"
            " ORDER BY id, distance",
            [
                *([radius] if radius else []),
                *score_params,
                *params,
                *score_params,
                spec.name,
                *params,
            ],
            order,
            query,
            facets,
            before=near,
            before_params=[*distance_params, *place_params],
        )
