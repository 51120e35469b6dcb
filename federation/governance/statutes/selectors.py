"""Reads of the statutes settings."""

from federation.governance.statutes.models import StatutesSettings
from federation.models import Federation


def statutes_of(federation: Federation) -> StatutesSettings:
    """The federation's statutes settings (an unsaved default instance when none were adopted yet)."""
    return StatutesSettings.objects.filter(federation=federation).first() or StatutesSettings(
        federation=federation
    )
