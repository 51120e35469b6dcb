"""Helpers shared by the governance sub-domains (statutes, membership, bureau, meetings, polls)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError

from federation.errors import ServiceError
from federation.governance.access import can_manage_governance
from federation.models import Federation, User


def check_manager(actor: User | None, federation: Federation) -> None:
    """403 unless `actor` manages the federation's governance. `actor=None` is the system (demo, tasks)."""
    if actor is not None and not can_manage_governance(actor, federation):
        raise PermissionDenied


def several_errors(messages: list[str], code: str) -> ServiceError:
    """One ServiceError carrying several French messages, each with the same stable `code` (a plain
    list would lose the code: Django gives list items none)."""
    return ServiceError([DjangoValidationError(message, code=code) for message in messages], code=code)
