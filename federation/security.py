"""Security policies: second-factor requirements per role, lockout responses, client addresses."""

import functools
import ipaddress

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


@functools.cache
def _trusted_networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def _is_trusted_proxy(address: str) -> bool:
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    """The client's address, for rate limits (DRF throttles), lockouts (django-axes) and the audit trail.

    `X-Forwarded-For` is believed only when the connection comes from a proxy listed in
    settings.TRUSTED_PROXIES (CIDR networks): the header is then read from the right, skipping the
    trusted proxies, and the first other address is the client. From anyone else the header is ignored,
    so a client cannot pick a fresh address per request to escape the limits. (The deploy's daphne sets
    REMOTE_ADDR from nginx's X-Real-IP itself: deploy/README.md.)
    """
    remote = request.META.get("REMOTE_ADDR") or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not remote or not forwarded or not _is_trusted_proxy(remote):
        return remote
    for hop in reversed([part.strip() for part in forwarded.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a malformed chain: keep the address we know
        if not _is_trusted_proxy(hop):
            return hop
    return remote


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
