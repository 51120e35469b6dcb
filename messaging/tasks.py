"""Celery tasks of the messaging app: thin, idempotent, scheduled by beat (config/settings.py)."""

from celery import shared_task

from messaging import notifications, services


@shared_task(name="messaging.notify_due", acks_late=True, reject_on_worker_lost=True)
def notify_due() -> int:
    """Every minute: e-mail unread mentions and direct messages older than the delay (batched per user)."""
    return notifications.notify_due()


@shared_task(name="messaging.daily_digest", acks_late=True, reject_on_worker_lost=True)
def daily_digest() -> int:
    return notifications.daily_digest()


@shared_task(name="messaging.purge_expired", acks_late=True, reject_on_worker_lost=True)
def purge_expired() -> int:
    """Daily: delete the messages older than their federation's retention."""
    return services.purge_expired()
