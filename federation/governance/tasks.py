"""Celery tasks of governance: thin, take ids, idempotent."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from federation.governance.models import Meeting, Poll


@shared_task(acks_late=True)
def send_convocation(meeting_id: int) -> int:
    """E-mail the convocation of a convened meeting to its recipients (one message each, Bcc-free)."""
    from federation.governance.services import convocation_recipients

    meeting = Meeting.objects.select_related("federation").filter(pk=meeting_id).first()
    if meeting is None or meeting.convened_at is None:
        return 0
    url = settings.SITE_URL.rstrip("/") + reverse(
        "governance-meeting", kwargs={"federation_slug": meeting.federation.slug, "meeting_id": meeting.pk}
    )
    body = render_to_string(
        "governance/email/convocation.txt",
        {"meeting": meeting, "agenda": meeting.agenda_items.order_by("position"), "url": url},
    )
    subject = f"[{meeting.federation.name}] Convocation : {meeting.title}"
    sent = 0
    for email in convocation_recipients(meeting):
        sent += EmailMessage(subject, body, to=[email]).send()
    return sent


@shared_task(acks_late=True)
def close_due_consultations() -> int:
    """Close written consultations whose deadline has passed (results still need publishing)."""
    from federation.governance.services import poll_close

    closed = 0
    for poll in Poll.objects.filter(
        status=Poll.Status.OPEN, meeting__isnull=True, closes_at__lt=timezone.now()
    ):
        poll_close(actor=None, poll=poll)
        closed += 1
    return closed
