"""Writes of a CPTS territory: add and remove communes, each change kept in a dated history.

Who may edit a territory: the CPTS's coordinators and admins, staff, and the coordinators and admins of
the federation the CPTS belongs to (the federation keeps the département's map, seed 004: "outils
communs (annuaire, cartographie…)"); each change names who made it, so the CPTS sees it.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Commune, Cpts, CptsCommune, TerritoryChange, User
from federation.territory_access import can_edit_territory


def _check_editor(actor: User | None, cpts: Cpts) -> None:
    """`actor=None` is the system (seeding, imports)."""
    if actor is not None and not can_edit_territory(actor, cpts):
        raise PermissionDenied


def _clean_codes(codes: Iterable[str]) -> list[str]:
    return sorted({str(code).strip() for code in codes if str(code).strip()})


def _population(cpts: Cpts) -> int:
    return Commune.objects.filter(cpts_link__cpts=cpts).aggregate(total=Sum("population"))["total"] or 0


@transaction.atomic
def cpts_territory_add(*, actor: User | None, cpts: Cpts, commune_codes: Iterable[str]) -> int:
    """Add communes to a CPTS territory. A commune belongs to at most one CPTS (seed 001: "un même
    territoire ne peut pas abriter plusieurs CPTS"): a commune held by another CPTS refuses the whole
    change, naming that CPTS. Returns how many communes were added."""
    _check_editor(actor, cpts)
    codes = _clean_codes(commune_codes)
    if not codes:
        return 0
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=codes)}
    unknown = [code for code in codes if code not in communes]
    if unknown:
        raise ServiceError(
            _("Commune(s) inconnue(s) (code INSEE) : %(codes)s.") % {"codes": ", ".join(unknown)},
            code="unknown_commune",
            field="add",
        )
    taken = (
        CptsCommune.objects.filter(commune_id__in=codes)
        .exclude(cpts=cpts)
        .select_related("cpts", "commune")
        .order_by("commune__name")
    )
    if taken:
        raise ServiceError(
            " ".join(
                _(
                    "La commune %(commune)s appartient déjà à la CPTS « %(cpts)s » : une commune ne peut "
                    "pas être sur deux CPTS."
                )
                % {"commune": link.commune, "cpts": link.cpts.name}
                for link in taken
            ),
            code="commune_taken",
            field="add",
        )
    existing = set(cpts.territory.filter(commune_id__in=codes).values_list("commune_id", flat=True))
    new = [communes[code] for code in codes if code not in existing]
    if not new:
        return 0
    CptsCommune.objects.bulk_create([CptsCommune(cpts=cpts, commune=commune) for commune in new])
    _record(actor, cpts, new, TerritoryChange.Action.ADD)
    return len(new)


@transaction.atomic
def cpts_territory_remove(*, actor: User | None, cpts: Cpts, commune_codes: Iterable[str]) -> int:
    """Remove communes from a CPTS territory; a commune it does not hold is refused by name."""
    _check_editor(actor, cpts)
    codes = _clean_codes(commune_codes)
    if not codes:
        return 0
    links = list(cpts.territory.filter(commune_id__in=codes).select_related("commune"))
    missing = sorted(set(codes) - {link.commune_id for link in links})
    if missing:
        raise ServiceError(
            _("Ces communes ne font pas partie du territoire de %(cpts)s : %(codes)s.")
            % {"cpts": cpts.name, "codes": ", ".join(missing)},
            code="commune_not_in_territory",
            field="remove",
        )
    CptsCommune.objects.filter(pk__in=[link.pk for link in links]).delete()
    _record(actor, cpts, [link.commune for link in links], TerritoryChange.Action.REMOVE)
    return len(links)


@transaction.atomic
def cpts_territory_edit(
    *, actor: User | None, cpts: Cpts, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> tuple[int, int]:
    """Add and remove communes in one step: all of it applies, or none. Returns (added, removed)."""
    removed = cpts_territory_remove(actor=actor, cpts=cpts, commune_codes=remove)
    added = cpts_territory_add(actor=actor, cpts=cpts, commune_codes=add)
    return added, removed


def _record(actor: User | None, cpts: Cpts, communes: list[Commune], action: str) -> None:
    after = _population(cpts)
    now = timezone.now()
    changes = [
        TerritoryChange(
            cpts=cpts,
            commune=commune,
            action=action,
            actor=actor,
            commune_name=commune.name,
            commune_population=commune.population,
            population_after=after,
            created_at=now,
        )
        for commune in communes
    ]
    for change in changes:
        change.full_clean(exclude=["cpts", "commune", "actor"])
    TerritoryChange.objects.bulk_create(changes)
