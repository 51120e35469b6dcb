"""Receivers that feed the security audit trail from Django's, allauth's and axes' signals."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from federation.models import SecurityEvent
from federation.security import axes_username, client_ip
from federation.services import security_event_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    security_event_record(
        kind=SecurityEvent.Kind.LOGIN,
        subject=user,
        email=user.email,
        ip_address=client_ip(request) if request else None,
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(
            kind=SecurityEvent.Kind.LOGOUT,
            subject=user,
            email=user.email,
            ip_address=client_ip(request) if request else None,
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    security_event_record(
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        email=axes_username(request, credentials),
        ip_address=client_ip(request) if request else None,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    security_event_record(kind=SecurityEvent.Kind.LOCKOUT, email=username or "", ip_address=ip_address)
