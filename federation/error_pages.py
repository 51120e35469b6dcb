"""Error pages: French HTML for people, the API's one error shape (federation/errors.py) under /api/.

Django answers a URL that matches no pattern itself, before any DRF view: without these handlers an API
client would get an HTML page it cannot read.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from federation.errors import error_body


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse(error_body(_("Introuvable."), "not_found"), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(error_body(_("Erreur interne du serveur."), "server_error"), status=500)
    return defaults.server_error(request)
