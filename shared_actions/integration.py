"""Integration points with apps built in parallel (the directory, one layer below us).

Each function here is the ONE place that reads another app; everything else in shared_actions calls
these and works (with less information) while the other app is not merged in.
"""

from federation.models import User


def professions_of(user: User) -> set[str] | None:
    """TRE_G15 profession codes of the directory professional linked to `user` (`Professional.user`),
    or None when unknown (directory not merged, or no directory entry linked to the account): the
    profession declared at sign-up is then trusted."""
    try:
        from directory.models import Professional
    except ImportError:  # the directory is built in parallel: nothing to read until it is merged
        return None
    codes = {
        code
        for code in Professional.objects.filter(user=user).values_list("profession_id", flat=True)
        if code
    }
    return codes or None
