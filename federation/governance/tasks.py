"""Celery tasks of governance: thin (ids in, services do the work), idempotent, late-acked."""

import time

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from federation.governance.meetings.services import convocation_claim_next, convocation_send
from federation.governance.polls.models import Poll
from federation.governance.polls.services import poll_close


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_convocation(meeting_id: int) -> int:
    """E-mail the convocation of a convened meeting, one message per recipient. Each recipient is
    claimed (committed) before its e-mail is sent, so a redelivered task — its worker killed mid-run —
    sends only to those nobody claimed."""
    pause = settings.GOVERNANCE_CONVOCATION_INTERVAL_MS / 1000
    sent = 0
    while (delivery := convocation_claim_next(meeting_id=meeting_id)) is not None:
        convocation_send(delivery=delivery)
        sent += 1
        if pause:
            time.sleep(pause)  # the SMTP relay's rate
    return sent


@shared_task(acks_late=True, reject_on_worker_lost=True)
def close_due_consultations() -> int:
    """Close written consultations whose deadline has passed (results still need publishing)."""
    closed = 0
    for poll in Poll.objects.filter(
        status=Poll.Status.OPEN, meeting__isnull=True, closes_at__lt=timezone.now()
    ):
        poll_close(actor=None, poll=poll)
        closed += 1
    return closed
