"""Security policies: second-factor requirements per role, lockout responses, client addresses."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from federation.errors import error_body
from federation.models import CptsRole, FederationRole, Membership, User

# Role names usable in settings.MFA_REQUIRED_ROLES, mapped to how a user holds them.
_CPTS_ROLES = {"admin": CptsRole.ADMIN, "coordinator": CptsRole.COORDINATOR, "bureau": CptsRole.BUREAU}
_FEDERATION_ROLES = {
    "federation_admin": FederationRole.Role.ADMIN,
    "federation_coordinator": FederationRole.Role.COORDINATOR,
}


def mfa_required(user: User) -> bool:
    """Whether the user's roles oblige them to use a second factor (settings.MFA_REQUIRED_ROLES)."""
    required = set(settings.MFA_REQUIRED_ROLES)
    if not required or not user.is_authenticated:
        return False
    if "staff" in required and user.is_staff:
        return True
    cpts_roles = [role for name, role in _CPTS_ROLES.items() if name in required]
    if cpts_roles and Membership.objects.filter(user=user, role__in=cpts_roles).exists():
        return True
    federation_roles = [role for name, role in _FEDERATION_ROLES.items() if name in required]
    return (
        bool(federation_roles)
        and FederationRole.objects.filter(user=user, role__in=federation_roles).exists()
    )


def has_second_factor(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def client_ip(request) -> str | None:
    # daphne sets REMOTE_ADDR from the proxy's X-Real-IP (deploy/nginx.conf overwrites it), so a
    # client cannot forge its address with its own X-Forwarded-For.
    return request.META.get("REMOTE_ADDR")


def axes_username(request, credentials) -> str:
    """The identifier a sign-in attempt used, whatever form or API it came through."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None:
        value = request.POST.get("login") or request.POST.get("email")
    return (value or "").strip().lower()


def lockout_response(request, credentials, *args, **kwargs):
    message = _("Trop de tentatives de connexion échouées. Réessayez dans %(minutes)d minutes.") % {
        "minutes": int(settings.AXES_COOLOFF_TIME * 60)
    }
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message, "locked_out"), status=429)
    return render(request, "federation/locked_out.html", {"message": message}, status=429)
