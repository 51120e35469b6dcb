"""Access that ends reaches open websockets at once, whatever path ended it.

Model signals, not service calls, because access also ends outside the services: an admin unticking
"actif" on the user change form, a token deleted in the admin or by the expiry task, a membership removed
from the CPTS admin inline, a session signed out from another device. Each sends `access.revoked` to the
user's group (`federation.events.user_group`) once the transaction commits; every socket of the user
re-checks its own authentication (`federation.ws_auth.still_authenticated`) and closes with 4401 when it
is gone, or leaves the conversations it may no longer see.
"""

from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.authtoken.models import Token

from federation.events import send_event_on_commit, send_membership_changed_on_commit, user_group
from federation.models import Membership, User


def revoke_live_access(user_id: int) -> None:
    """Tell every open socket of the user to re-check its access (after commit)."""
    send_event_on_commit([user_group(user_id)], {"type": "access.revoked", "user": user_id})


@receiver(pre_save, sender=User, dispatch_uid="federation-user-was-active")
def _remember_was_active(sender, instance: User, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        instance._was_active = None
        return
    instance._was_active = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()


@receiver(post_save, sender=User, dispatch_uid="federation-user-deactivated")
def _user_deactivated(sender, instance: User, created=False, raw=False, **kwargs):
    if raw or created or instance.is_active or not getattr(instance, "_was_active", None):
        return
    from federation.services import user_access_end

    instance._was_active = False
    user_access_end(user=instance, actor=getattr(instance, "_deactivated_by", None))


@receiver(post_delete, sender=Token, dispatch_uid="federation-token-deleted")
def _token_deleted(sender, instance: Token, **kwargs):
    revoke_live_access(instance.user_id)


@receiver(post_delete, sender=Membership, dispatch_uid="federation-membership-deleted")
def _membership_deleted(sender, instance: Membership, **kwargs):
    revoke_live_access(instance.user_id)
    try:
        user, cpts = instance.user, instance.cpts
    except (User.DoesNotExist, Membership.cpts.RelatedObjectDoesNotExist):  # deleted with them
        return
    send_membership_changed_on_commit(user=user, cpts=cpts)


@receiver(post_delete, sender=Session, dispatch_uid="federation-session-deleted")
def _session_deleted(sender, instance: Session, **kwargs):
    # Sign-out here or from another device (allauth's user sessions): that session's sockets close.
    # (`clearsessions` deletes expired ones: nothing to tell, and no need to decode them.)
    if instance.expire_date <= timezone.now():
        return
    try:
        user_id = instance.get_decoded().get("_auth_user_id")
    except Exception:  # an unreadable session holds no signed-in user
        return
    if user_id:
        revoke_live_access(int(user_id))


@receiver(user_logged_out, dispatch_uid="federation-logged-out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        revoke_live_access(user.pk)
