import pytest

from search import indexing
from search.backends import get_backend

pytestmark = pytest.mark.django_db


def test_elasticsearch_sync_is_a_celery_task_on_commit(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from search import tasks

    settings.SEARCH_BACKEND = "elasticsearch"
    sent = []
    monkeypatch.setattr(tasks.index_objects_task, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        indexing.schedule("directory", "professional", [3, 1, 3])
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sent == [("directory", "professional", [1, 3])]


def test_database_backend_indexes_in_the_transaction(settings):
    settings.SEARCH_BACKEND = "database"
    assert get_backend().name == "database"


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError):
        get_backend("solr")


def test_after_a_bulk_change_the_gin_pending_lists_are_merged(settings):
    """A bulk load leaves up to 4 MB of entries in each GIN index's pending list, which every search then
    scans: refresh_statistics merges them (PostgreSQL; elsewhere nothing to do)."""
    from django.db import connection

    from search.registry import Document

    settings.SEARCH_BACKEND = "database"
    get_backend().index_documents(
        "directory",
        [Document(kind="professional", object_id=i, title=f"Nom{i} Prénom", text="kiné") for i in range(50)],
    )
    indexing.refresh_statistics()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('search_doc_tsv'::regclass)")
        assert cursor.fetchone()[0] == 0  # nothing left to merge
