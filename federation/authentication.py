"""API authentication that honours the second-factor policy (settings.MFA_REQUIRED_ROLES)."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from federation.security import has_second_factor, mfa_required
from federation.tokens import token_is_expired


class MfaAwareTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused for roles that must use a second factor until they do.

    Session users go through federation.middleware.MfaEnforcementMiddleware instead.
    """

    def authenticate_credentials(self, key):
        token = self.token_with_user(key)
        # DRF's own checks and messages (TokenAuthentication.authenticate_credentials).
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_is_expired(token.created):
            raise exceptions.AuthenticationFailed(
                _("Jeton expiré : demandez-en un nouveau (POST /api/auth/token/)."), code="token_expired"
            )
        if mfa_required(user) and not has_second_factor(user):
            raise exceptions.PermissionDenied(
                _("Votre rôle exige la double authentification : activez-la pour continuer."),
                code="mfa_required",
            )
        return user, token

    def token_with_user(self, key: str):
        """The token of `key` with its user, or None. What DRF's `select_related("user").get(key=key)`
        returns, as one plain statement: on every API call the ORM spent longer compiling that query
        (~0.3 ms) than the database running it."""
        token_model, user_model = self.get_model(), get_user_model()
        users = user_model.objects.raw(
            f"SELECT u.*, t.created AS token_created FROM {token_model._meta.db_table} t"
            f" JOIN {user_model._meta.db_table} u ON u.{user_model._meta.pk.column} = t.user_id"
            " WHERE t.key = %s",
            [key],
        )
        user = next(iter(users), None)
        if user is None:
            return None
        created = user.__dict__.pop("token_created")
        if isinstance(created, str):  # SQLite hands raw annotations back as text
            created = parse_datetime(created)
        if settings.USE_TZ and timezone.is_naive(created):
            created = timezone.make_aware(created, datetime.UTC)
        token = token_model.from_db(user._state.db, ["key", "user_id", "created"], [key, user.pk, created])
        token.user = user
        return token
