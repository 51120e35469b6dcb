"""API authentication that honours the second-factor policy (settings.MFA_REQUIRED_ROLES)."""

import datetime
import functools
import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from federation.models import FederationMember, FederationRole, Membership
from federation.security import has_second_factor, mfa_required
from federation.tokens import token_is_expired


def visible_cpts_sql(user_id: str) -> str:
    """SQL listing the CPTS whose federation-visible fields the user `user_id` (an SQL expression) may see:
    their own, and those of the federations they take part in (through a CPTS or a role)."""
    membership, member, role = (m._meta.db_table for m in (Membership, FederationMember, FederationRole))
    return (
        f"SELECT cpts_id FROM {membership} WHERE user_id = {user_id}"
        f" UNION SELECT fm.cpts_id FROM {member} fm WHERE fm.left_on IS NULL AND fm.cpts_id IS NOT NULL"
        f" AND fm.federation_id IN (SELECT f.federation_id FROM {member} f JOIN {membership} m"
        f" ON m.cpts_id = f.cpts_id WHERE m.user_id = {user_id} AND f.left_on IS NULL"
        f" UNION SELECT federation_id FROM {role} WHERE user_id = {user_id})"
    )


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
        (~0.3 ms) than the database running it, and a raw queryset still ~0.2 ms mapping its columns."""
        token_model, user_model = self.get_model(), get_user_model()
        sql, names, converters = _token_statement(connection.vendor, token_model, user_model)
        # PostgreSQL (config.postgresql): prepared once per pooled connection, no longer planned on every
        # request (the plan took ~0.3 ms, six times the execution).
        with getattr(connection, "binding_cursor", connection.cursor)() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row[: len(names)])
        for index, column, field_converters in converters:
            for converter in field_converters:
                values[index] = converter(values[index], column, connection)
        user = user_model.from_db(connection.alias, names, values)
        visible, created = row[len(names) :]
        if isinstance(visible, str):  # SQLite hands the array back as text
            visible = json.loads(visible)
        # Read with the token (one round trip less on every search); lives as long as this request's user.
        user.request_visible_cpts_ids = sorted(visible)
        if isinstance(created, str):  # SQLite hands raw annotations back as text
            created = parse_datetime(created)
        if settings.USE_TZ and timezone.is_naive(created):
            created = timezone.make_aware(created, datetime.UTC)
        token = token_model.from_db(connection.alias, ["key", "user_id", "created"], [key, user.pk, created])
        token.user = user
        return token


@functools.cache
def _token_statement(vendor: str, token_model, user_model) -> tuple[str, list, list]:
    """The token statement of `token_with_user` for a database vendor: its SQL, the user's attributes in
    the order it reads them (then the visible CPTS and the token's creation), and the database converters
    of the fields that have some, as `(index, column, [converter, ...])` (what a queryset applies)."""
    fields = list(user_model._meta.concrete_fields)
    user_table = user_model._meta.db_table
    pk = f"u.{connection.ops.quote_name(user_model._meta.pk.column)}"
    visible = (
        f"ARRAY({visible_cpts_sql(pk)})"
        if vendor == "postgresql"
        else f"(SELECT json_group_array(cpts_id) FROM ({visible_cpts_sql(pk)}))"
    )
    columns = ", ".join(f"u.{connection.ops.quote_name(field.column)}" for field in fields)
    sql = (
        f"SELECT {columns}, {visible}, t.created FROM {token_model._meta.db_table} t"
        f" JOIN {user_table} u ON {pk} = t.user_id WHERE t.key = %s"
    )
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(user_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, column, found))
    return sql, [field.attname for field in fields], converters
