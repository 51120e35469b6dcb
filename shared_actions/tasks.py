"""Celery tasks: thin, take ids, idempotent (the services claim each row before e-mailing)."""

from celery import shared_task

from shared_actions.documents import services as documents
from shared_actions.meetings import services as meetings
from shared_actions.rosters import services as rosters
from shared_actions.rosters import swaps


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_shift_reminders() -> int:
    """Beat, every evening: remind everyone on a shift tomorrow (CELERY_BEAT_SCHEDULE)."""
    return rosters.shift_reminders_send()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_meeting_invitations(meeting_id: int, user_ids: list[int]) -> int:
    return meetings.meeting_invitations_send(meeting_id=meeting_id, user_ids=user_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notify_swap_request(swap_id: int) -> int:
    return swaps.swap_request_notify(swap_id=swap_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_orphan_files() -> int:
    """Beat, nightly: remove stored files no document version refers to."""
    return documents.orphan_files_sweep()
