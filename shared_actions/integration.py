"""Integration points with apps built in parallel (directory below us, governance in the base layer).

Each function here is the ONE place to wire another app's selectors after merging; everything else
in shared_actions calls these and works (with less information) while they return their defaults.
"""

from federation.models import User


def professions_of(user: User) -> set[str] | None:
    """TRE_G15 profession codes of the directory professional linked to `user`.

    Returns None while the directory is not wired: the profession declared at sign-up is then
    trusted. After merging, return the codes from `directory` (e.g. the user's Professional rows).
    """
    return None
