"""Celery tasks: thin, take ids, idempotent (the services claim each row before e-mailing)."""

from celery import shared_task

from shared_actions import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_shift_reminders() -> int:
    """Beat, every evening: remind everyone on a shift tomorrow (CELERY_BEAT_SCHEDULE)."""
    return services.shift_reminders_send()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_meeting_invitations(meeting_id: int, user_ids: list[int]) -> int:
    return services.meeting_invitations_send(meeting_id=meeting_id, user_ids=user_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notify_swap_request(swap_id: int) -> int:
    return services.swap_request_notify(swap_id=swap_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_orphan_files() -> int:
    """Beat, nightly: remove stored files no document version refers to."""
    return services.orphan_files_sweep()
