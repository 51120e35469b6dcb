"""Receivers of the base layer's in-process notices."""

from messaging import services


def on_cpts_membership_changed(sender, *, user, cpts, **kwargs):
    """Someone joined or left a CPTS: its general channel follows at once (not only at next connect)."""
    services.cpts_channel_sync(cpts=cpts)
    services.memberships_revalidate(user=user)
