"""Periodic tasks of the base layer (thin: call a service)."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def delete_expired_tokens() -> int:
    """Delete expired API tokens; the sockets opened with them close (federation.revocation)."""
    from federation.tokens import api_tokens_delete_expired

    return api_tokens_delete_expired()
