"""What shared_actions reads from the directory (the layer below it)."""

from directory.models import Professional
from federation.models import User


def professions_of(user: User) -> set[str] | None:
    """TRE_G15 profession codes of the directory professional linked to `user` (`Professional.user`),
    or None when no directory entry is linked to the account: the profession declared at sign-up is
    then trusted."""
    codes = {
        code
        for code in Professional.objects.filter(user=user).values_list("profession_id", flat=True)
        if code
    }
    return codes or None
