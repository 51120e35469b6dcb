"""The one error contract of the project.

Services raise `ServiceError` (a Django `ValidationError`, so `full_clean()`'s errors are the same family)
with a French message and a stable machine `code`, optionally keyed by field. Two places turn it into what a
user sees:
- the API: `federation.api_base.exception_handler` answers every error, DRF's own included, in one shape,
  `{"detail": str, "code": str, "fields": {field: [str, ...]}}` (`error_body` below; `ErrorSerializer` documents
  it in the OpenAPI schema);
- HTML views: `show_service_error(request, exc, form=None)` puts the messages on the form, or in the page's
  messages when there is no form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ServiceError(DjangoValidationError):
    """What a service raises when a rule refuses the request: `ServiceError(_("…"), code="…")`.

    `field=` ties the message to one input field (a form field, an API body key).
    """

    def __init__(self, message, code: str = "invalid", params=None, *, field: str | None = None):
        if field is not None:
            super().__init__({field: [DjangoValidationError(message, code=code, params=params)]})
        else:
            super().__init__(message, code=code, params=params)


def _message(error: DjangoValidationError) -> str:
    return str(error.message % error.params if error.params else error.message)


def error_body(detail: str, code: str, fields: dict[str, list[str]] | None = None) -> dict:
    """The API's one error shape."""
    return {"detail": str(detail), "code": str(code or "invalid"), "fields": fields or {}}


def service_error_body(exc: DjangoValidationError) -> dict:
    """A service's (or a model's) ValidationError in the API's shape: first message and code on top,
    every field's messages under `fields`."""
    if hasattr(exc, "error_dict"):
        fields: dict[str, list[str]] = {}
        first = None
        for field, errors in exc.error_dict.items():
            for error in errors:
                first = first or error
                if field != NON_FIELD_ERRORS:
                    fields.setdefault(field, []).append(_message(error))
        if first is None:
            return error_body(_("Données invalides."), "invalid")
        non_field = exc.error_dict.get(NON_FIELD_ERRORS)
        top = non_field[0] if non_field else first
        detail = _message(top) if non_field or len(fields) == 1 else _("Certaines données sont invalides.")
        return error_body(detail, top.code or "invalid", fields)
    errors = exc.error_list
    return error_body(" ".join(_message(e) for e in errors), errors[0].code or "invalid")


def show_service_error(request, exc: DjangoValidationError, form=None) -> None:
    """HTML views: a service's error as French form errors (on its field when the form has it), or as page
    messages when there is no form."""
    if form is not None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, _message(error))
        else:
            for message in exc.messages:
                form.add_error(None, message)
        return
    for message in exc.messages:
        messages.error(request, message)


class ErrorSerializer(serializers.Serializer):
    """The API's error shape, for the OpenAPI schema."""

    detail = serializers.CharField(help_text="Message en français, lisible par une personne.")
    code = serializers.CharField(help_text="Code stable, pour les programmes (ex. `shift_overlap`).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages par champ du corps de la requête ; vide quand l'erreur ne vise aucun champ.",
    )


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Requête refusée (règle métier ou champ invalide)."),
    403: OpenApiResponse(ErrorSerializer, description="Action non permise."),
    404: OpenApiResponse(ErrorSerializer, description="Introuvable, ou hors de votre espace."),
}
