"""Base classes for API views scoped to a space resolved from the URL.

`cpts_slug` / `federation_slug` URL kwargs are resolved through the access helpers, so a space the user
cannot see is a 404 and a write the user may not do is a 403. Every app's API builds on these.
"""

from functools import cached_property

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.utils.translation import gettext as _
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from federation.access import access_cpts, access_federation

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


def as_api_validation_error(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as a structured 400: French messages and machine codes."""
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {
                field: [e.message % (e.params or {}) for e in errors]
                for field, errors in exc.error_dict.items()
            }
        )
    return ValidationError({"detail": exc.messages, "code": [e.code for e in exc.error_list]})


def exception_handler(exc, context):
    """Project-wide DRF exception handler (settings.REST_FRAMEWORK).

    Services raise Django's ValidationError; values the database cannot hold (ids beyond its integer
    range, say) are the client's mistake too: both become 400s instead of server errors.
    """
    if isinstance(exc, DjangoValidationError):
        exc = as_api_validation_error(exc)
    elif isinstance(exc, OverflowError | DataError):
        exc = ValidationError(
            {"detail": [_("Une valeur est hors des limites admises.")], "code": ["out_of_range"]}
        )
    return drf_exception_handler(exc, context)
