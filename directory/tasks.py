"""Celery tasks of the directory: thin, take ids, idempotent (the import upserts)."""

from celery import shared_task
from django.core.files.storage import default_storage

from directory import services
from directory.models import ImportRun


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_rpps_task(run_id: int, path: str) -> dict:
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.status == ImportRun.Status.DONE:
        return {}
    departments = [d for d in run.departments.split(",") if d]
    with default_storage.open(path, "rb") as stream:
        run = services.import_run_execute(actor=run.actor, path=stream, departments=departments, run=run)
    default_storage.delete(path)
    return run.counts
