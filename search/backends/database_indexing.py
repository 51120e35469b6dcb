"""The `database` backend's writes: SearchDocument rows (COPY and INSERT … ON CONFLICT on PostgreSQL,
bulk_create elsewhere), their other places (SearchPoint), the vocabulary and the places of the walks."""

import json
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from search.backends.base import scope_tags
from search.bulk import BulkLoad
from search.caching import Refreshed
from search.models import SearchDocument, SearchPoint
from search.pgcopy import NULL, copy_text, next_ids, text_fields, upsert_rows
from search.registry import Document
from search.text import fold, framed, geo_cells

# `json.dumps(value, ensure_ascii=False)` without building an encoder for each document: the C encoder
# made once (no check for circular references: displays are plain JSON values), else the Python one.
_c_encoder = json.encoder.c_make_encoder and json.encoder.c_make_encoder(
    None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True
)
_display_json = (
    (lambda value: "".join(_c_encoder(value, 0)))
    if _c_encoder
    else json.JSONEncoder(ensure_ascii=False).encode
)


def _restricted_scopes() -> dict[str, frozenset[str]]:
    """Per index, the scope tags of the documents carrying restricted text (PostgreSQL; few documents,
    found by their partial index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT d.index, t FROM search_searchdocument d, unnest(d.tags_arr) t"
            " WHERE d.restricted_text <> '' AND t LIKE 'scope:%%'"
        )
        found: dict[str, set[str]] = {}
        for index, tag in cursor.fetchall():
            found.setdefault(index, set()).add(tag)
    return {index: frozenset(tags) for index, tags in found.items()}


# A search checks whether restricted text may match only for viewers of these scopes (one statement
# saved on every other search). Forgotten by this process' writes; another process' first restricted
# text of a scope is seen within the TTL (indexing is asynchronous anyway).
RESTRICTED_SCOPES: Refreshed[dict[str, frozenset[str]]] = Refreshed(_restricted_scopes, ttl=60)


def _forget_restricted_scopes() -> None:
    RESTRICTED_SCOPES.clear()
    transaction.on_commit(RESTRICTED_SCOPES.clear)  # a load meanwhile did not see the uncommitted rows


def _tags(doc: Document) -> str:
    """Space-framed tags; restricted text adds the scopes allowed to match it."""
    tags = [*doc.tags, *(scope_tags(doc.restricted_scopes) if doc.restricted_text else [])]
    return f" {' '.join(tags)} " if tags else ""


# Cells of documents with one place, by place (bulk loads index many documents per commune).
_ONE_PLACE_CELLS: dict[tuple, str] = {}


def _cells(doc: Document) -> str:
    """The grid cells of the document's places (its own and its other ones)."""
    if doc.points:
        return geo_cells([(doc.latitude, doc.longitude), *doc.points])
    place = (doc.latitude, doc.longitude)
    cells = _ONE_PLACE_CELLS.get(place)
    if cells is None:
        if len(_ONE_PLACE_CELLS) >= 100_000:  # bounded
            _ONE_PLACE_CELLS.clear()
        cells = _ONE_PLACE_CELLS[place] = geo_cells([place])
    return cells


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
        tags=_tags(doc),
        suggest=framed(" ".join(doc.suggest)),
        latitude=doc.latitude,
        longitude=doc.longitude,
        restricted_text=framed(doc.restricted_text),
        display=doc.display,
        sort_key=doc.sort_key[:300],
        cells=_cells(doc),
        other_places=len(doc.points),
    )


class DatabaseIndexing:
    """Mixed into `DatabaseBackend`."""

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
        "restricted_text",
        "display",
        "sort_key",
        "cells",
        "other_places",
    ]

    # --- indexing -------------------------------------------------------------------------------
    def index_documents(self, index: str, documents: Iterable[Document]) -> int:
        _forget_restricted_scopes()
        if connection.vendor == "postgresql":
            # COPY + INSERT … ON CONFLICT: several times faster than bulk_create at import scale.
            now = timezone.now()
            documents = list(documents)
            tuples = [
                (
                    index,
                    doc.kind,
                    doc.object_id,
                    doc.title[:300],
                    doc.subtitle[:300],
                    doc.text,
                    "",  # folded, name_folded: read by the SQLite path only
                    "",
                    _tags(doc),
                    "",  # suggest: likewise
                    doc.latitude,
                    doc.longitude,
                    now,
                    framed(doc.restricted_text),
                    json.dumps(doc.display, ensure_ascii=False),
                    doc.sort_key[:300],
                    _cells(doc),
                    len(doc.points),
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
                self._write_points(index, documents, replace=True)
                self._record_words_and_places(index, documents)
            return len(tuples)
        documents = list(documents)
        rows = [_to_row(index, doc) for doc in documents]
        if rows:
            SearchDocument.objects.bulk_create(
                rows,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["index", "kind", "object_id"],
                update_fields=self.fields,
            )
            self._write_points(index, documents, replace=True)
        return len(rows)

    @staticmethod
    def _write_points(index: str, documents: list[Document], *, replace: bool) -> None:
        """The other places of these documents (`SearchPoint`); `replace`: their former ones go first."""
        with_points = [d for d in documents if d.points]
        if not with_points and not replace:
            return
        by_kind: dict[str, list[int]] = {}
        for doc in documents if replace else with_points:
            by_kind.setdefault(doc.kind, []).append(doc.object_id)
        if replace:
            for kind, object_ids in by_kind.items():
                SearchPoint.objects.filter(
                    document__index=index, document__kind=kind, document__object_id__in=object_ids
                )._raw_delete(SearchPoint.objects.db)
        if not with_points:
            return
        ids = {}
        for kind in {d.kind for d in with_points}:
            wanted = [d.object_id for d in with_points if d.kind == kind]
            rows = SearchDocument.objects.filter(index=index, kind=kind, object_id__in=wanted).values_list(
                "object_id", "id"
            )
            ids.update({(kind, object_id): pk for object_id, pk in rows})
        points = [
            SearchPoint(document_id=ids[(d.kind, d.object_id)], index=index, latitude=lat, longitude=lon)
            for d in with_points
            if (d.kind, d.object_id) in ids
            for lat, lon in d.points
        ]
        if connection.vendor == "postgresql":
            copy_text(
                SearchPoint._meta.db_table,
                ["document_id", "index", "latitude", "longitude"],
                [f"{p.document_id}\t{index}\t{p.latitude}\t{p.longitude}\n" for p in points],
            )
        else:
            SearchPoint.objects.bulk_create(points, batch_size=1000)

    def add_new_documents(
        self, index: str, documents: Iterable[Document], load: BulkLoad | None = None
    ) -> int:
        """Documents of objects created in the current transaction: on PostgreSQL a plain COPY (no
        conflict is possible), with '' for the columns only the SQLite path reads, and ids reserved from
        the sequence, so that the other places are copied with them (not looked up). `load`: what the
        bulk load in progress has already recorded in the vocabulary and places."""
        if connection.vendor != "postgresql":
            return self.index_documents(index, documents)
        _forget_restricted_scopes()
        documents = list(documents)
        if not documents:
            return 0
        ids = next_ids(SearchDocument._meta.db_table, len(documents))
        tail = f"\t\t\t\t{timezone.now()}\n"  # folded, name_folded, suggest, updated_at
        lines = [
            f"{pk}\t"
            + text_fields(
                (
                    index,
                    doc.kind,
                    str(doc.object_id),
                    doc.title[:300],
                    doc.subtitle[:300],
                    doc.text,
                    _tags(doc),
                    framed(doc.restricted_text) if doc.restricted_text else "",
                    _display_json(doc.display),
                    doc.sort_key[:300],
                    _cells(doc),
                )
            )
            + f"\t{NULL if doc.latitude is None else doc.latitude}"
            + f"\t{NULL if doc.longitude is None else doc.longitude}"
            + f"\t{len(doc.points)}"
            + tail
            for pk, doc in zip(ids, documents, strict=True)
        ]
        columns = ["id", "index", "kind", "object_id", "title", "subtitle", "text", "tags", "restricted_text"]
        columns += ["display", "sort_key", "cells"]
        columns += ["latitude", "longitude", "other_places", "folded", "name_folded", "suggest", "updated_at"]
        count = copy_text(SearchDocument._meta.db_table, columns, lines)
        copy_text(
            SearchPoint._meta.db_table,
            ["document_id", "index", "latitude", "longitude"],
            [
                f"{pk}\t{index}\t{latitude}\t{longitude}\n"
                for pk, doc in zip(ids, documents, strict=True)
                for latitude, longitude in doc.points
            ],
        )
        self._record_words_and_places(index, documents, load)
        return count

    @staticmethod
    def _record_words_and_places(index: str, documents: list[Document], load: BulkLoad | None = None) -> None:
        """Feed the vocabulary (typo correction) and the places (nearest-first walks); folding and
        splitting happen in the database, with the same unaccent as the full-text index."""
        titles = [doc.title for doc in documents]
        points = {
            (d.latitude, d.longitude) for d in documents if d.latitude is not None and d.longitude is not None
        }
        points |= {point for d in documents for point in d.points}
        if load is not None:
            titles, points = load.new_titles(titles), load.new_places(points)
        with connection.cursor() as cursor:
            if titles:
                # In a fixed order: concurrent loads then wait for each other instead of deadlocking. The
                # titles are sent as one text (they are split into words anyway): a list parameter is
                # dumped element by element in Python.
                cursor.execute(
                    "INSERT INTO search_searchword (index, word) SELECT DISTINCT %s, w"
                    " FROM regexp_split_to_table(lower(maillage_unaccent(%s)), '[^a-z0-9]+') w"
                    " WHERE length(w) BETWEEN 2 AND 100 ORDER BY 2 ON CONFLICT DO NOTHING",
                    [index, "\n".join(titles)],
                )
            located = sorted(points)
            if located:
                cursor.execute(
                    "INSERT INTO search_searchplace (index, latitude, longitude)"
                    " SELECT %s, la, lo FROM unnest(%s::float8[], %s::float8[]) AS t(la, lo)"
                    " ON CONFLICT DO NOTHING",
                    [index, [p[0] for p in located], [p[1] for p in located]],
                )

    def delete_documents(self, index: str, kind: str, object_ids: Iterable[int]) -> int:
        ids = list(object_ids)
        if not ids:
            return 0
        return SearchDocument.objects.filter(index=index, kind=kind, object_id__in=ids).delete()[0]

    def clear(self, index: str) -> None:
        # Two plain DELETEs: the ORM would first fetch every document's id to cascade to its points.
        SearchPoint.objects.filter(index=index)._raw_delete(SearchPoint.objects.db)
        SearchDocument.objects.filter(index=index)._raw_delete(SearchDocument.objects.db)
