"""Template context of every page: the user's unread messages, for the header badge (issue 17, item 14)."""

from django.utils.functional import SimpleLazyObject

from messaging import selectors


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: one query, only on pages that render the header.
    return {"chat_unread": SimpleLazyObject(lambda: selectors.unread_total(user))}
