"""Index sync tasks: thin, take ids, idempotent."""

from celery import shared_task

from search import indexing


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,), max_retries=5)
def index_objects_task(index: str, kind: str, object_ids: list[int]) -> int:
    return indexing.index_objects(index, kind, object_ids)
