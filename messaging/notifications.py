"""E-mail notifications of unread mentions and direct messages, batched per user.

`pending_for(user)` finds what the user has not read and has not been told about; `notify_user` sends
one e-mail for all of it and advances the members' `notified_seq` (so a rerun sends nothing: idempotent).
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.models import User
from messaging.models import Conversation, ConversationMember, Message, NotificationPreference


def _pending_messages(user_id: int | None = None) -> QuerySet[Message]:
    """Messages (with their recipient as `recipient`) unread and not yet notified, that are a mention of
    the recipient or a message of a direct conversation. Every condition sits in one `filter()` call so
    that they all apply to the same membership row (one join)."""
    recipient = F("conversation__memberships__user")
    conditions = Q(conversation__kind=Conversation.Kind.DIRECT) | Q(mentions=recipient)
    conditions &= ~Q(author_id=recipient) & Q(author__isnull=False)
    if user_id is not None:
        conditions &= Q(conversation__memberships__user=user_id)
    return (
        Message.objects.filter(
            conditions,
            deleted_at__isnull=True,
            seq__gt=F("conversation__memberships__last_read_seq"),
            conversation__memberships__notified_seq__lt=F("seq"),
        )
        .annotate(recipient=recipient)
        .distinct()
    )


def users_to_notify(mode: str, *, older_than: timedelta | None = None) -> list[int]:
    messages = _pending_messages()
    if older_than is not None:
        messages = messages.filter(created_at__lte=timezone.now() - older_than)
    recipients = set(messages.order_by().values_list("recipient", flat=True))
    prefs = dict(NotificationPreference.objects.filter(user_id__in=recipients).values_list("user_id", "mode"))
    return sorted(uid for uid in recipients if prefs.get(uid, NotificationPreference.Mode.IMMEDIATE) == mode)


@transaction.atomic
def notify_user(*, user_id: int, mode: str, older_than: timedelta | None = None) -> int:
    """Send one e-mail listing the user's pending mentions and direct messages. Returns how many."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    preference = NotificationPreference.objects.filter(user=user).first()
    if (preference.mode if preference else NotificationPreference.Mode.IMMEDIATE) != mode:
        return 0
    messages = _pending_messages(user.pk)
    if older_than is not None:
        messages = messages.filter(created_at__lte=timezone.now() - older_than)
    messages = list(messages.select_related("author", "conversation").order_by("conversation_id", "seq"))
    if not messages:
        return 0
    # Advance the markers (row locks): a concurrent run finds nothing left to send.
    last = {}
    for message in messages:
        last[message.conversation_id] = max(last.get(message.conversation_id, 0), message.seq)
    for conversation_id, seq in last.items():
        ConversationMember.objects.filter(
            conversation_id=conversation_id, user=user, notified_seq__lt=seq
        ).update(notified_seq=seq)
    context = {"user": user, "messages": messages, "site_url": settings.SITE_URL, "digest": mode == "digest"}
    subject = (
        _("Maillage : %(n)d message(s) non lu(s) pour vous") % {"n": len(messages)}
        if mode != "digest"
        else _("Maillage : votre résumé quotidien de la messagerie")
    )
    body = render_to_string("messaging/email_notification.txt", context)
    # Sent inside the transaction: if sending fails, the markers roll back and the next run retries.
    send_mail(subject, body, None, [user.email])
    return len(messages)


def notify_due() -> int:
    """Users in "immediate" mode whose pending messages are older than the delay: one e-mail each."""
    delay = timedelta(minutes=settings.MESSAGING_NOTIFY_DELAY_MINUTES)
    sent = 0
    for user_id in users_to_notify(NotificationPreference.Mode.IMMEDIATE, older_than=delay):
        sent += bool(
            notify_user(user_id=user_id, mode=NotificationPreference.Mode.IMMEDIATE, older_than=delay)
        )
    return sent


def daily_digest() -> int:
    sent = 0
    for user_id in users_to_notify(NotificationPreference.Mode.DIGEST):
        sent += bool(notify_user(user_id=user_id, mode=NotificationPreference.Mode.DIGEST))
    return sent
