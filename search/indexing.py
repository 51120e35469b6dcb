"""Keeping the index in sync with the registered sources.

`schedule()` is what apps call from their services: with the database backend the documents are written
in the same transaction (the index is a table of the same database, so it commits or rolls back with
the change); with Elasticsearch a Celery task is enqueued on commit.
"""

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from search import registry
from search.backends import get_backend
from search.bulk import BulkLoad
from search.registry import Document

# Ids per document query (SQLite limits the size of one statement).
CHUNK = 500 if connection.vendor != "postgresql" else 2000


def index_objects(index: str, kind: str, object_ids: Iterable[int]) -> int:
    """(Re)build the documents of these objects; objects that no longer exist are removed."""
    ids = sorted(set(object_ids))
    if not ids:
        return 0
    spec = registry.get(index)
    backend = get_backend()
    count = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        documents = list(spec.sources[kind].documents(chunk))
        count += backend.index_documents(index, documents)
        missing = set(chunk) - {doc.object_id for doc in documents}
        if missing:
            backend.delete_documents(index, kind, missing)
    return count


def index_documents(index: str, kind: str, documents: list[Document]) -> None:
    """Documents an app already built (bulk imports). The database backend writes them in the current
    transaction; other backends rebuild them from ids in a task on commit."""
    backend = get_backend()
    if backend.name == "database":
        backend.index_documents(index, documents)
    else:
        schedule(index, kind, [doc.object_id for doc in documents])


def add_new_documents(index: str, kind: str, documents: list[Document], load: BulkLoad | None = None) -> None:
    """Documents of objects created in the current transaction (bulk imports): none can exist yet, so
    the database backend appends them without the upsert; other backends rebuild them in a task."""
    backend = get_backend()
    if backend.name == "database":
        backend.add_new_documents(index, documents, load)
    else:
        schedule(index, kind, [doc.object_id for doc in documents])


def refresh_statistics() -> None:
    """After a bulk change: fresh planner statistics for the database backend's tables, and the entries
    their GIN indexes hold in a pending list merged into the index (every search of the index scans the
    whole list, up to 4 MB after a bulk load, until autovacuum comes by)."""
    backend = get_backend()
    if backend.name == "database" and connection.vendor == "postgresql":
        from search.models import SearchDocument, SearchPlace, SearchWord

        tables = [m._meta.db_table for m in (SearchDocument, SearchPlace, SearchWord)]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(tables))
            cursor.execute(
                "SELECT gin_clean_pending_list(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gin' AND i.indrelid = ANY(%s::regclass[])",
                [tables],
            )


def schedule(index: str, kind: str, object_ids: Iterable[int]) -> None:
    ids = sorted(set(object_ids))
    if not ids:
        return
    backend = get_backend()
    if backend.name == "database":
        index_objects(index, kind, ids)
        return
    from search.tasks import index_objects_task

    transaction.on_commit(lambda: index_objects_task.delay(index, kind, ids))


def reindex(
    index: str, *, batch_size: int = 2000, progress: Callable[[int], None] | None = None, clear: bool = True
) -> int:
    """Rebuild a whole index in batches (search_reindex)."""
    spec = registry.get(index)
    backend = get_backend()
    if clear:
        backend.clear(index)
    total = 0
    for kind, source in spec.sources.items():
        batch: list[int] = []
        for object_id in source.ids():
            batch.append(object_id)
            if len(batch) >= batch_size:
                total += _index_batch(backend, index, kind, source, batch, progress)
                batch = []
        if batch:
            total += _index_batch(backend, index, kind, source, batch, progress)
    return total


def _index_batch(backend, index, kind, source, ids, progress) -> int:
    count = 0
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            count += backend.index_documents(index, source.documents(ids[start : start + CHUNK]))
    if progress:
        progress(len(ids))
    return count
