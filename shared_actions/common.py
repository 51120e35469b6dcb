"""Small helpers every sub-domain of the pooled resources uses (tokens, dates)."""

import datetime as dt
import secrets

from django.utils import timezone
from django.utils.formats import date_format


def new_token() -> str:
    return secrets.token_urlsafe(32)


def local_datetime(value: dt.datetime) -> str:
    """A date and time as French e-mails and messages write it."""
    return date_format(timezone.localtime(value), "l j F Y H:i")


def day_bounds(first: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """The aware datetimes from the start of `first` to the start of the day `days` later."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(first + dt.timedelta(days=days), dt.time.min, tzinfo=tz)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def parse_month(raw: str | None) -> dt.date | None:
    """The first day of a "AAAA-MM" month (this month when empty), None when it cannot be read."""
    raw = raw or timezone.localdate().strftime("%Y-%m")
    try:
        return dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        return None
