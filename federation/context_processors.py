from django.conf import settings

from federation.selectors import user_federations, user_memberships


def spaces(request):
    """The spaces (CPTS and federations) a signed-in user can switch between in the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_memberships": [], "nav_federations": [], "psc_enabled": settings.PSC_ENABLED}
    return {
        "nav_memberships": list(user_memberships(user)),
        "nav_federations": list(user_federations(user)),
        "psc_enabled": settings.PSC_ENABLED,
    }
