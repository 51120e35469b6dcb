"""The directory's column in the federation cockpit: each member CPTS's professionals by profession."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from directory.models import ProfessionalCpts
from federation.cockpit import CptsFacts, register_cpts_facts


def members_by_profession(cpts_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """`{cpts_id: [(profession, count), ...]}`, most numerous first: one query for every CPTS."""
    rows = (
        ProfessionalCpts.objects.filter(cpts_id__in=cpts_ids)
        .values("cpts_id", "professional__profession__label")
        .annotate(n=Count("professional_id", distinct=True))
        .order_by("cpts_id", "-n", "professional__profession__label")
    )
    facts: dict[int, list[tuple[str, int]]] = {}
    for row in rows:
        facts.setdefault(row["cpts_id"], []).append((row["professional__profession__label"], row["n"]))
    return facts


def register() -> None:
    register_cpts_facts(
        CptsFacts(
            key="directory.professions", title=_("Professionnels par profession"), build=members_by_profession
        )
    )
