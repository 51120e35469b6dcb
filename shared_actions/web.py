"""Helpers of the HTML pages of every sub-domain (parsing request values)."""

import datetime as dt

from django.contrib import messages
from django.http import Http404

from shared_actions.common import parse_month


def int_or_404(value) -> int:
    """An id from a form field; anything else is a 404 (as for an id that does not exist)."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def month_or_404(request) -> dt.date:
    """The `month` query parameter (AAAA-MM, this month by default); a 404 when unreadable."""
    month = parse_month(request.GET.get("month"))
    if month is None:
        raise Http404
    return month


def show_form_errors(request, form) -> None:
    """A form refused before any service ran: its French messages as page messages."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
