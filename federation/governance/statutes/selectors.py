"""Reads of the statutes settings."""

from federation.governance.statutes.models import StatutesSettings
from federation.models import Federation


def statutes_of(federation: Federation) -> StatutesSettings:
    """The federation's statutes settings (an unsaved default instance when none were adopted yet)."""
    return StatutesSettings.objects.filter(federation=federation).first() or StatutesSettings(
        federation=federation
    )


def statutes_adopted(federation: Federation) -> bool:
    """Whether the initial statutes were adopted (until then the defaults apply, and may be set once)."""
    return StatutesSettings.objects.filter(federation=federation).exists()
