"""The database backend's use of the PostgreSQL planner's statistics: estimates of how many documents
conditions match (one EXPLAIN for several, remembered during a search), the choice they make between the
reads around a place, and the corrections of mistyped words (`search_searchword`, trigrams)."""

import json
from contextvars import ContextVar
from dataclasses import replace

from django.db import connection

from search.backends.base import Plan, nomenclature_corrections, particle_splits, with_corrections
from search.caching import Refreshed
from search.registry import IndexSpec

# Typo tolerance: the closest vocabulary words accepted for a word that matched nothing.
CORRECTIONS_PER_WORD = 4
# A word the planner expects in more documents than this is not corrected.
COMMON_WORD_ROWS = 2_000
# The planner's estimates asked for during one search, by condition (`_estimated_rows`).
_ESTIMATES: ContextVar[dict | None] = ContextVar("search_estimates", default=None)


def _count_documents() -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT greatest(reltuples, 1) FROM pg_class WHERE oid = 'search_searchdocument'::regclass"
        )
        return cursor.fetchone()[0]


_DOCUMENTS = Refreshed(_count_documents, ttl=300)


def _documents(cursor) -> float:
    """The planner's row count of the documents table, refreshed every few minutes."""
    return _DOCUMENTS.get()


def _communes_reads(cursor, matches: float, in_area: float) -> tuple[float, float]:
    """The costs (µs) of reading the matches among a postal code's communes: every document of the
    communes checked one by one, or the text's index entries (all of them: the planner's estimate of the
    matches multiplies the words' share of documents with the communes') intersected with the communes'
    entries, then the matches read. Costs measured at 1.2 M documents: an index entry 0.12, a row 3."""
    text_entries = matches * _documents(cursor) / max(in_area, 1.0)
    return 3 * in_area, 0.12 * (text_entries + in_area) + 3 * matches


class PlannerEstimates:
    """Mixed into `DatabaseBackend` (which provides `_conditions` and `_count_cap`)."""

    @classmethod
    def _text_first(
        cls, cursor, spec, query, plan, conditions, box, cells=False, word_rows=None, in_communes=False
    ) -> bool:
        """Which read is cheaper around a place, from the planner's statistics (full-text, tags, and the
        multivariate statistics of the coordinates): the text/filter matches in the box, or the walk
        over the nearest places, which reads COUNT_CAP / density documents (at most every document
        of the box). Words of a query are estimated one by one and the least frequent counts: the
        planner multiplies their frequencies as if independent, and "chirurgien dentiste" is 20 times
        more frequent than that. `word_rows` receives the estimate of each word alone when there is no
        filter (what `_corrected_plan` asks the planner). `in_communes`: `box` is a postal code's communes
        filter (no radius): the matches are all there, and the walk reads their documents only if it
        reaches the cap (else the walk is not worth it: `_collect_near` would read the text anyway)."""
        filters, per_word, area = cls._estimated_conditions(spec, query, plan, box)
        if cells or in_communes:  # the estimate of the whole conditions is not needed below
            planned = None
            *estimates, in_box = cls._estimated_rows(cursor, *per_word, area)
        else:
            planned, *estimates, in_box = cls._estimated_rows(cursor, conditions, *per_word, area)
        if word_rows is not None and len(filters) == 1:  # d.index = %s alone
            words = [w for group in plan.groups for alt in group for w in alt]
            word_rows.update(zip(words, estimates, strict=False))
        matches = cls._least_group(plan, estimates)
        if in_communes:
            # The density among the communes' documents, which the nearest places hold.
            density = min(1.0, matches / max(in_box, 1.0))
            if matches < 2 * (cls._count_cap() + 1):
                return True
            return min(_communes_reads(cursor, matches, in_box)) <= 2.6 * (cls._count_cap() + 1) / density
        density = min(1.0, matches / _documents(cursor))
        # Costs in µs measured at 1.2 M documents: a bitmap entry 0.12, a row read through a bitmap 3, a
        # row read by the walk 2.6. With `cells` (the circle's grid cells in the same tsquery) the index
        # yields only the matches around here; otherwise the planner narrows the text matches by the box
        # (a second bitmap) only if it does not underestimate them, and else reads every one.
        if cells or planned >= matches / 2:
            text_first = 0.12 * (matches + in_box) + 3 * density * in_box
        else:
            text_first = 3.1 * matches
        walk = 2.6 * min((cls._count_cap() + 1) / max(density, 1e-6), in_box)
        return text_first <= walk

    @classmethod
    def _estimated_conditions(cls, spec, query, plan, box) -> tuple[list[str], list, tuple]:
        """The filters, the conditions estimated one word at a time (with the filters) and the area."""
        filters, filter_params = cls._conditions(spec, replace(query, scopes=[]), "")
        # One estimate per word (folded words are valid tsqueries): a group matches about the sum over
        # its alternatives of their least frequent word; the query, its least frequent group.
        per_word = [
            ([*filters, "d.tsv @@ to_tsquery('french', %s)"], [*filter_params, w])
            for group in plan.groups
            for alt in group
            for w in alt
        ] or [(filters, filter_params)]
        box_where, box_params = box
        return filters, per_word, (["d.index = %s", *box_where], [spec.name, *box_params])

    @staticmethod
    def _least_group(plan, estimates: list[float]) -> float:
        estimate = iter(estimates)
        return min(
            (sum(min(next(estimate) for _w in alt) for alt in group) for group in plan.groups),
            default=estimates[0],
        )

    @classmethod
    def _text_by_row(cls, cursor, spec, query, plan, communes_area) -> bool:
        """Whether the words are better checked on each document of a postal code's communes than read
        from the text index: 'médecin 59490' reads the 1,158 documents of its two communes, instead of
        also collecting the 297,000 index entries of 'médecin' to intersect with them (the planner cannot
        tell: it ANDs both bitmaps). From the estimates `_text_first` asked for (no statement): the area's
        documents, and the words' share of the documents (the planner multiplies it with the filters')."""
        _filters, per_word, area = cls._estimated_conditions(spec, query, plan, communes_area)
        *estimates, in_area = cls._estimated_rows(cursor, *per_word, area)
        by_row, by_index = _communes_reads(cursor, cls._least_group(plan, estimates), in_area)
        return by_row < by_index

    @staticmethod
    def _estimated_rows(cursor, *conditions: tuple[list[str], list]) -> list[float]:
        """The planner's estimates of the documents matching each (where, params), in one round trip;
        none for those already asked for during this search (`_ESTIMATES`: the relaxed query of a
        partial match asks again for the words and the area of the query as typed)."""
        known = _ESTIMATES.get()
        keys = [(tuple(w), repr(p)) for w, p in conditions]
        missing = [
            (key, c) for key, c in zip(keys, conditions, strict=True) if known is None or key not in known
        ]
        found = dict(known or {})
        if missing:
            subqueries = [
                f"ARRAY(SELECT 1 FROM search_searchdocument d WHERE {' AND '.join(w)})"
                for _k, (w, _p) in missing
            ]
            cursor.execute(
                f"EXPLAIN (FORMAT JSON) SELECT {', '.join(subqueries)}",
                [p for _k, (_w, params) in missing for p in params],
            )
            plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            rows = [sub["Plan Rows"] for sub in plan[0]["Plan"]["Plans"]]
            found.update(zip((key for key, _c in missing), rows, strict=True))
            if known is not None:
                known.update(found)
        return [found[key] for key in keys]

    @classmethod
    def _corrected_plan(cls, cursor, spec: IndexSpec, plan: Plan, word_rows=None) -> Plan | None:
        """Nothing matched: each word that is a single alternative also accepts the closest words of the
        vocabulary ("lefvre" → "lefevre", "lefebvre"). None when no word has a close neighbour.
        `word_rows`: the planner's estimates already known for some words (`_text_first`)."""
        words = sorted({g[0][0] for g in plan.groups if len(g) == 1 and len(g[0]) == 1 and len(g[0][0]) >= 3})
        # A word the index knows well is no typo: nothing matched because of the other words/filters.
        known = dict(word_rows or {})
        unknown = [w for w in words if w not in known]
        if unknown:
            estimates = cls._estimated_rows(
                cursor,
                *((["d.index = %s", "d.tsv @@ to_tsquery('french', %s)"], [spec.name, w]) for w in unknown),
            )
            known.update(zip(unknown, estimates, strict=True))
        words = [w for w in words if known[w] < COMMON_WORD_ROWS]
        if not words:
            return None
        cursor.execute(
            "SELECT q.w, s.word FROM unnest(%s::text[]) AS q(w) CROSS JOIN LATERAL (SELECT word"
            " FROM search_searchword WHERE index = %s AND word %% q.w AND word <> q.w"
            f" ORDER BY similarity(word, q.w) DESC, word LIMIT {CORRECTIONS_PER_WORD}) s",
            [words, spec.name],
        )
        corrections: dict[str, list[str]] = {}
        for word, correction in cursor.fetchall():
            corrections.setdefault(word, []).append(correction)
        # A mistyped profession ("infimière"): its word of the nomenclature first (read in memory).
        for word, terms in nomenclature_corrections(spec, words).items():
            corrections[word] = terms + corrections.get(word, [])
        for word, splits in particle_splits(words).items():  # "dacosta": DA COSTA
            corrections[word] = splits + corrections.get(word, [])
        if not corrections:
            return None
        return with_corrections(plan, corrections)
