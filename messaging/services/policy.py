"""Notification preferences and the federations' retention policy."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from federation.access import can_manage_federation
from federation.models import Federation, User
from messaging.models import Message, NotificationPreference, RetentionPolicy


@transaction.atomic
def notification_preference_set(*, actor: User, mode: str) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=actor)
    preference.mode = mode
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def retention_set(
    *, actor: User | None, federation: Federation, retention_days: int | None
) -> RetentionPolicy:
    """Federation managers set how long messages are kept (None: keep)."""
    if actor is not None and not can_manage_federation(actor, federation):
        raise PermissionDenied
    policy, _created = RetentionPolicy.objects.get_or_create(federation=federation)
    policy.retention_days = retention_days
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def purge_expired(*, now=None) -> int:
    """Delete the messages older than their federation's retention. Returns how many were purged."""
    now = now or timezone.now()
    purged = 0
    for policy in RetentionPolicy.objects.filter(retention_days__isnull=False):
        cutoff = now - timezone.timedelta(days=policy.retention_days)
        old = Message.objects.filter(conversation__federation=policy.federation, created_at__lt=cutoff)
        # Replies keep existing; their quote becomes empty (SET_NULL).
        count, _details = Message.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
        purged += _details.get("messaging.Message", 0) if count else 0
    return purged
