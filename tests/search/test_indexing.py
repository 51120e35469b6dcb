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
