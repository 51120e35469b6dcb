"""Base classes for API views scoped to a space resolved from the URL.

`cpts_slug` / `federation_slug` URL kwargs are resolved through the access helpers, so a space the user
cannot see is a 404 and a write the user may not do is a 403. Every app's API builds on these.
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import permissions, status
from rest_framework.exceptions import APIException, NotFound, ParseError, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from federation.access import access_cpts, access_federation
from federation.errors import error_body, service_error_body

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class CptsScopedMixin:
    """For views under `.../cpts/<cpts_slug>/...`: `self.cpts` is the CPTS, checked for the user."""

    permission_classes = [permissions.IsAuthenticated]
    write_requires_manager = True  # POST/PUT/PATCH/DELETE need a coordinator or admin

    @cached_property
    def cpts(self):
        for_write = self.write_requires_manager and self.request.method in WRITE_METHODS
        # DRF turns Django's Http404 / PermissionDenied into 404 / 403 responses.
        return access_cpts(self.request.user, self.kwargs["cpts_slug"], for_write=for_write)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.cpts  # noqa: B018 — resolve (404/403) before any handler runs


class FederationScopedMixin:
    """For views under `.../federations/<federation_slug>/...`: `self.federation`, checked."""

    permission_classes = [permissions.IsAuthenticated]
    write_requires_manager = True

    @cached_property
    def federation(self):
        for_write = self.write_requires_manager and self.request.method in WRITE_METHODS
        return access_federation(self.request.user, self.kwargs["federation_slug"], for_write=for_write)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.federation  # noqa: B018


def _flatten(data, prefix="") -> dict[str, list]:
    """DRF's nested validation errors as `{"field.sub": [ErrorDetail, ...]}`."""
    if isinstance(data, dict):
        flat: dict[str, list] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(data, list) and data and all(isinstance(item, str) for item in data):
        return {prefix or api_settings.NON_FIELD_ERRORS_KEY: list(data)}
    if isinstance(data, list):
        flat = {}
        for index, value in enumerate(data):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [data]}


def _drf_error_body(exc: APIException) -> dict:
    if not isinstance(exc, ValidationError):
        detail = exc.detail
        if isinstance(detail, dict) and "detail" in detail:
            detail = detail["detail"]
        return error_body(str(detail), getattr(detail, "code", None) or exc.default_code)
    flat = _flatten(exc.detail)
    non_field = flat.pop(api_settings.NON_FIELD_ERRORS_KEY, None) or flat.pop("detail", None)
    fields = {key: [str(message) for message in messages] for key, messages in flat.items()}
    if non_field:
        first = non_field[0]
        return error_body(" ".join(str(m) for m in non_field), getattr(first, "code", "invalid"), fields)
    if len(flat) == 1:
        (first,) = next(iter(flat.values()))[:1]
        return error_body(str(first), getattr(first, "code", "invalid"), fields)
    return error_body(_("Certaines données sont invalides."), "invalid", fields)


def exception_handler(exc, context):
    """Project-wide DRF exception handler (settings.REST_FRAMEWORK): the only place an error becomes an
    API answer, always in the one shape of `federation.errors` (`{"detail", "code", "fields"}`).

    Services raise `ServiceError` (a Django ValidationError); values the database cannot hold (ids beyond
    its integer range, say) are the client's mistake too: both become 400s instead of server errors.
    """
    if isinstance(exc, DjangoValidationError):
        return Response(service_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OverflowError | DataError):
        body = error_body(_("Une valeur est hors des limites admises."), "out_of_range")
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ParseError):
        # DRF's message quotes the JSON decoder's English error.
        exc = ParseError(_("Le corps de la requête n'est pas un JSON valide."))
    elif isinstance(exc, Http404):
        exc = NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(*exc.args)
    if isinstance(exc, APIException):
        response.data = _drf_error_body(exc)
    return response


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the one error shape for its
    400/403/404 answers (`#/components/schemas/Error`)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "description": "La forme unique des erreurs de l'API.",
        "properties": {
            "detail": {"type": "string", "description": "Message en français."},
            "code": {"type": "string", "description": "Code stable (ex. `shift_overlap`)."},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Messages par champ ; vide quand l'erreur ne vise aucun champ.",
            },
        },
        "required": ["detail", "code", "fields"],
    }
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    descriptions = {"400": "Requête refusée.", "403": "Action non permise.", "404": "Introuvable."}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in descriptions.items():
                if code == "400" and method == "get" and not operation.get("parameters"):
                    continue
                operation["responses"].setdefault(code, {"description": description, "content": reference})
    return result
