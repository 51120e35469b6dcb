"""What the contract year reads from the members' register (`missions.projet`, issue 20), guarded.

The +10 % increase counts the members "ayant expressément adhéré à la communauté" (seed 003). The register
provides `missions.projet.selectors.express_member_count(cpts)` and `express_member_counts(cpts_ids)`;
until it answers, the count of the CPTS's platform memberships stands in for it.
"""

from django.apps import apps
from django.db.models import Count

from federation.models import Cpts, Membership


def _register():
    if not apps.is_installed("missions.projet"):
        return None
    try:
        from missions.projet import selectors  # noqa: PLC0415 — the register may not be there yet
    except ImportError:
        return None
    if not hasattr(selectors, "express_member_count"):
        return None
    return selectors


def express_member_count(cpts: Cpts) -> int:
    register = _register()
    if register is not None:
        return int(register.express_member_count(cpts))
    return Membership.objects.filter(cpts=cpts).count()


def express_member_counts(cpts_ids: list[int]) -> dict[int, int]:
    """Counts for many CPTS in a fixed number of queries."""
    register = _register()
    if register is not None and hasattr(register, "express_member_counts"):
        counts = register.express_member_counts(list(cpts_ids))
        return {cpts_id: int(counts.get(cpts_id, 0)) for cpts_id in cpts_ids}
    rows = (
        Membership.objects.filter(cpts_id__in=cpts_ids).values("cpts_id").annotate(n=Count("id")).order_by()
    )
    counts = {row["cpts_id"]: row["n"] for row in rows}
    return {cpts_id: counts.get(cpts_id, 0) for cpts_id in cpts_ids}


def register_is_available() -> bool:
    return _register() is not None
