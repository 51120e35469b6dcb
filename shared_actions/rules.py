"""Rules several sub-domains of the pooled resources check the same way."""

from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Federation
from federation.selectors import member_cpts


def require_member_cpts(federation: Federation, cpts_list, *, code: str, field: str | None = None) -> None:
    """Refuse (ServiceError `code`) when one of `cpts_list` is not a member of `federation` today."""
    members = set(member_cpts(federation).values_list("pk", flat=True))
    outside = [c.name for c in cpts_list if c.pk not in members]
    if outside:
        raise ServiceError(
            _("CPTS hors de la fédération : %(names)s.") % {"names": ", ".join(outside)},
            code=code,
            field=field,
        )
