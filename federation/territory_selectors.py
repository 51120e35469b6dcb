"""Reads of territories: the map's data, commune candidates, the preview of a change, the history."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from federation.models import Commune, Cpts, CptsCommune, Federation, FederationMember, TerritoryChange
from federation.territory import aci_size_tier, regional_warnings
from federation.territory_access import current_federation_id
from federation.territory_map import MapCommune, MapCpts, TerritoryMap


# --- the map ------------------------------------------------------------------------------------------
def _map(departement_codes: set[str], federation_id: int | None, highlight: int | None) -> TerritoryMap:
    codes = tuple(sorted(departement_codes))
    communes = [
        MapCommune(insee_code=code, name=name, population=population, departement_code=dept, cpts_id=cpts_id)
        for code, name, population, dept, cpts_id in Commune.objects.filter(departement_id__in=codes)
        .order_by("insee_code")
        .values_list("insee_code", "name", "population", "departement_id", "cpts_link__cpts_id")
    ]
    member = FederationMember.objects.filter(
        cpts=OuterRef("pk"), federation_id=federation_id, left_on__isnull=True
    )
    holders = Cpts.objects.filter(
        Q(territory__commune__departement_id__in=codes)
        | Q(federation_memberships__federation_id=federation_id, federation_memberships__left_on__isnull=True)
    )
    if highlight is not None:
        holders = holders | Cpts.objects.filter(pk=highlight)
    cpts = [
        MapCpts(id=pk, slug=slug, name=name, member=is_member)
        for pk, slug, name, is_member in holders.annotate(is_member=Exists(member))
        .distinct()
        .order_by("name", "pk")
        .values_list("pk", "slug", "name", "is_member")
    ]
    return TerritoryMap(departement_codes=codes, communes=communes, cpts=cpts, highlight=highlight)


def federation_map(federation: Federation, *, highlight: Cpts | None = None) -> TerritoryMap:
    """The federation's département, plus any other département where a member CPTS holds communes (a
    CPTS may cross département lines)."""
    codes = {federation.departement_id} | set(
        Commune.objects.filter(
            cpts_link__cpts__federation_memberships__federation=federation,
            cpts_link__cpts__federation_memberships__left_on__isnull=True,
        )
        .order_by()
        .values_list("departement_id", flat=True)
        .distinct()
    )
    return _map(codes, federation.pk, highlight.pk if highlight else None)


def cpts_map(cpts: Cpts) -> TerritoryMap | None:
    """The map a CPTS page shows: its federation's, or the départements of its own communes; None for a
    CPTS with no federation and no commune yet."""
    federation_id = current_federation_id(cpts)
    if federation_id is not None:
        return federation_map(Federation.objects.get(pk=federation_id), highlight=cpts)
    codes = set(Commune.objects.filter(cpts_link__cpts=cpts).values_list("departement_id", flat=True))
    if not codes:
        return None
    return _map(codes, None, cpts.pk)


def territory_departements(cpts: Cpts) -> set[str]:
    """Where a CPTS looks for communes: its own communes' départements and its federation's."""
    codes = set(Commune.objects.filter(cpts_link__cpts=cpts).values_list("departement_id", flat=True))
    codes |= set(
        Federation.objects.filter(members__cpts=cpts, members__left_on__isnull=True).values_list(
            "departement_id", flat=True
        )
    )
    return codes


# --- commune candidates (autocomplete) -----------------------------------------------------------------
def _fold(text: str) -> str:
    """Lower case without accents, hyphens as spaces: "saint-ge" finds "Saint-Génis-des-Fontaines"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("-", " ").replace("'", " ")


@dataclass(frozen=True)
class Candidate:
    insee_code: str
    name: str
    postal_code: str
    population: int
    departement: str
    holder_slug: str = ""
    holder_name: str = ""


def commune_candidates(query: str, departement_codes: set[str], *, limit: int = 12) -> list[Candidate]:
    """Communes whose name (accents and hyphens ignored), INSEE code or postal code starts with `query`,
    in the given départements (everywhere when none), each with the CPTS holding it."""
    query = query.strip()
    if len(query) < 2:
        return []
    rows = Commune.objects.values_list(
        "insee_code", "name", "postal_codes", "population", "departement_id",
        "cpts_link__cpts__slug", "cpts_link__cpts__name",
    )  # fmt: skip
    if departement_codes:
        rows = rows.filter(departement_id__in=departement_codes)
    elif not query.isdigit():
        rows = rows.filter(name__icontains=query[:3])
    folded = _fold(query)
    matches = []
    for code, name, postal_codes, population, dept, holder_slug, holder_name in rows.order_by("-population"):
        if query.isdigit():
            hit = code.startswith(query) or any(p.startswith(query) for p in postal_codes.split())
        else:
            name_folded = _fold(name)
            hit = name_folded.startswith(folded) or f" {folded}" in f" {name_folded}"
        if hit:
            matches.append(
                Candidate(
                    insee_code=code,
                    name=name,
                    postal_code=postal_codes.split(" ")[0] if postal_codes else "",
                    population=population,
                    departement=dept,
                    holder_slug=holder_slug or "",
                    holder_name=holder_name or "",
                )
            )
            if len(matches) >= limit:
                break
    return matches


def placeholder_commune(cpts: Cpts) -> str:
    """A commune to show as an example in the "add" field: the most populated one no CPTS holds in the
    CPTS's départements (never one another CPTS holds), or "" when there is none."""
    codes = territory_departements(cpts)
    if not codes:
        return ""
    return (
        Commune.objects.filter(departement_id__in=codes, cpts_link__isnull=True)
        .order_by("-population")
        .values_list("name", flat=True)
        .first()
        or ""
    )


# --- preview of a change -------------------------------------------------------------------------------
@dataclass
class TerritoryPreview:
    cpts: Cpts
    population: int
    size_tier: int
    new_population: int
    new_size_tier: int
    to_add: list[Commune] = field(default_factory=list)
    to_remove: list[Commune] = field(default_factory=list)
    already_held: list[Commune] = field(default_factory=list)  # in the territory already: nothing to do
    refused: list[tuple[Commune, str]] = field(default_factory=list)  # (commune, the CPTS holding it)
    unknown: list[str] = field(default_factory=list)
    not_in_territory: list[Commune] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def refused_rows(self) -> list[dict]:
        return [{"insee_code": c.insee_code, "name": c.name, "holder_name": h} for c, h in self.refused]

    @property
    def can_confirm(self) -> bool:
        return (
            bool(self.to_add or self.to_remove)
            and not self.refused
            and not self.unknown
            and not self.not_in_territory
        )


def cpts_territory_population(cpts: Cpts) -> int:
    return Commune.objects.filter(cpts_link__cpts=cpts).aggregate(total=Sum("population"))["total"] or 0


def territory_preview(cpts: Cpts, *, add: list[str] = (), remove: list[str] = ()) -> TerritoryPreview:
    """What adding and removing these communes would give: new population and ACI size tier, the
    communes another CPTS holds (refused, with its name), the regional rules the result would not meet."""
    add_codes = sorted({c.strip() for c in add if c and c.strip()})
    remove_codes = sorted({c.strip() for c in remove if c and c.strip()})
    communes = {
        c.insee_code: c
        for c in Commune.objects.filter(insee_code__in=add_codes + remove_codes).select_related(
            "departement", "cpts_link__cpts"
        )
    }
    population = cpts_territory_population(cpts)
    preview = TerritoryPreview(
        cpts=cpts,
        population=population,
        size_tier=aci_size_tier(population),
        new_population=population,
        new_size_tier=aci_size_tier(population),
    )
    for code in add_codes:
        commune = communes.get(code)
        if commune is None:
            preview.unknown.append(code)
            continue
        holder = getattr(commune, "cpts_link", None)
        if holder is None:
            preview.to_add.append(commune)
        elif holder.cpts_id == cpts.pk:
            preview.already_held.append(commune)
        else:
            preview.refused.append((commune, holder.cpts.name))
    for code in remove_codes:
        commune = communes.get(code)
        if commune is None:
            preview.unknown.append(code)
        elif getattr(commune, "cpts_link", None) is not None and commune.cpts_link.cpts_id == cpts.pk:
            preview.to_remove.append(commune)
        else:
            preview.not_in_territory.append(commune)
    preview.new_population = (
        population + sum(c.population for c in preview.to_add) - sum(c.population for c in preview.to_remove)
    )
    preview.new_size_tier = aci_size_tier(preview.new_population)
    regions = set(
        Commune.objects.filter(
            Q(cpts_link__cpts=cpts) | Q(insee_code__in=[c.insee_code for c in preview.to_add])
        ).values_list("departement__region_code", flat=True)
    )
    preview.warnings = regional_warnings(preview.new_population, {r for r in regions if r})
    return preview


def cpts_region_warnings(cpts: Cpts, population: int) -> list[str]:
    regions = set(
        Commune.objects.filter(cpts_link__cpts=cpts).values_list("departement__region_code", flat=True)
    )
    return regional_warnings(population, {r for r in regions if r})


# --- history -------------------------------------------------------------------------------------------
def territory_history(cpts: Cpts) -> QuerySet[TerritoryChange]:
    return TerritoryChange.objects.filter(cpts=cpts).select_related("actor").order_by("-created_at", "-id")


def cpts_communes_with_holders(codes: list[str]) -> QuerySet[CptsCommune]:
    return CptsCommune.objects.filter(commune_id__in=codes).select_related("cpts", "commune")


def resolve_communes(tokens: list[str], departement_codes: set[str]) -> list[str]:
    """INSEE codes from what a person typed: codes as they are, names (accents and case ignored) matched
    exactly in the given départements; a name matching none or several stays as typed (then "unknown")."""
    names = [t for t in tokens if not (len(t) == 5 and t[:2].isalnum() and t[2:].isdigit())]
    if not names:
        return tokens
    rows = Commune.objects.all()
    if departement_codes:
        rows = rows.filter(departement_id__in=departement_codes)
    by_name: dict[str, list[str]] = {}
    for code, name in rows.values_list("insee_code", "name"):
        by_name.setdefault(_fold(name), []).append(code)
    resolved = []
    for token in tokens:
        codes = by_name.get(_fold(token), []) if token in names else [token]
        resolved.append(codes[0] if len(codes) == 1 else token)
    return resolved


@dataclass
class HistoryEntry:
    """One change as people made it: the communes added (or removed) together, by whom, when."""

    created_at: object
    actor: object
    action: str
    action_label: str
    communes: list[str] = field(default_factory=list)
    population: int = 0  # of the communes added or removed
    population_after: int = 0


def territory_history_entries(cpts: Cpts, *, limit: int = 30) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    for change in territory_history(cpts)[:500]:
        last = entries[-1] if entries else None
        if last and (last.created_at, last.actor, last.action) == (
            change.created_at,
            change.actor,
            change.action,
        ):
            last.communes.append(change.commune_name)
            last.population += change.commune_population
            continue
        if len(entries) == limit:
            break
        entries.append(
            HistoryEntry(
                created_at=change.created_at,
                actor=change.actor,
                action=change.action,
                action_label=change.get_action_display(),
                communes=[change.commune_name],
                population=change.commune_population,
                population_after=change.population_after,
            )
        )
    return entries
