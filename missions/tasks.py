"""Celery tasks of the contract year: thin, take ids, idempotent; scheduled by beat (config/settings.py)."""

from celery import shared_task

from missions import review_pack, services


@shared_task(name="missions.tasks.send_review_reminders", acks_late=True, reject_on_worker_lost=True)
def send_review_reminders() -> int:
    """Daily: remind coordinators and bureau of the annual reviews coming (each year's review once)."""
    return services.review_reminders_send()


@shared_task(name="missions.tasks.build_review_pack", acks_late=True, reject_on_worker_lost=True)
def build_review_pack(pack_id: int) -> str:
    """Build a requested review pack (PDF, XLSX, CSV); a pack already built is left as is."""
    return review_pack.build(pack_id)
