"""API authentication that honours the second-factor policy (settings.MFA_REQUIRED_ROLES)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from federation.security import has_second_factor, mfa_required


class MfaAwareTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused for roles that must use a second factor until they do.

    Session users go through federation.middleware.MfaEnforcementMiddleware instead.
    """

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if mfa_required(user) and not has_second_factor(user):
            raise exceptions.PermissionDenied(
                {
                    "detail": _("Votre rôle exige la double authentification : activez-la pour continuer."),
                    "code": "mfa_required",
                }
            )
        return user, token
