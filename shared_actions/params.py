"""Resolving the ids, slugs and dates an API body or query carries (every sub-domain's API uses them).

Unknown people are refused with the API's one error shape (a ServiceError, code `unknown_user`)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from federation.access import access_federation
from federation.errors import ServiceError
from federation.models import Federation, User
from shared_actions.common import parse_month, week_start
from shared_actions.selectors import active_user, active_users


def person(user_id: int | None, *, field: str = "user") -> User | None:
    if user_id is None:
        return None
    user = active_user(user_id)
    if user is None:
        raise ServiceError(_("Personne inconnue."), code="unknown_user", field=field)
    return user


def people(ids, *, field: str = "users") -> list[User]:
    """Users by id; the services check they belong to the space (unknown ids are refused too)."""
    users = active_users(ids)
    if len(users) != len(set(ids or [])):
        raise ServiceError(_("Personne inconnue."), code="unknown_user", field=field)
    return users


def federation_or_none(user: User, slug: str | None) -> Federation | None:
    return access_federation(user, slug) if slug else None


def week_param(request) -> dt.date:
    """The Monday of the week of the `week` query parameter (a day, AAAA-MM-JJ; today by default)."""
    raw = request.query_params.get("week")
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError as exc:
        raise ServiceError(_("Date invalide (AAAA-MM-JJ)."), code="invalid_date", field="week") from exc
    return week_start(day)


def month_param(request) -> dt.date:
    month = parse_month(request.query_params.get("month"))
    if month is None:
        raise ServiceError(_("Mois invalide (AAAA-MM)."), code="invalid_month", field="month")
    return month
