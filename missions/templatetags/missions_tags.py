from django import template

from missions.funding import euros as format_euros
from missions.funding import percent as format_percent

register = template.Library()


@register.filter
def euros(value):
    """French money: "35 000 €"."""
    if value in (None, ""):
        return ""
    return format_euros(value)


@register.filter
def percent(value):
    """A fraction as a French percentage: 0.8 → "80 %"."""
    if value in (None, ""):
        return "—"
    return format_percent(value)


@register.filter
def spaced(value):
    """An integer with French thousands: 60000 → "60 000"."""
    try:
        return f"{int(value):,}".replace(",", " ")
    except (TypeError, ValueError):
        return value
