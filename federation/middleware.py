from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from federation.errors import error_body
from federation.security import has_second_factor, mfa_required


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the person chose another language with the language selector (cookie).

    Browser Accept-Language headers are ignored on purpose: an English-configured laptop in a French
    practice must still get the French interface.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` on what signed-in users see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, no_store=True, private=True)
        return response


# Paths a person who must set up a second factor can still reach.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/readyz", "/media/")


class MfaEnforcementMiddleware:
    """Roles listed in settings.MFA_REQUIRED_ROLES must have TOTP set up before using the platform."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.MFA_REQUIRED_ROLES
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and mfa_required(user)
            and not has_second_factor(user)
        ):
            message = _("Votre rôle exige la double authentification : activez-la pour continuer.")
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(message, "mfa_required"), status=403)
            messages.warning(request, message)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
