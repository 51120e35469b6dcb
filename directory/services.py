"""Writes of the directory: keyword-only, atomic, validated, recorded in the change history."""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory import search_index
from directory.importing import import_file
from directory.models import (
    EntryChange,
    ErrorReport,
    ImportRun,
    Professional,
    ProfessionalCpts,
    Structure,
    StructureCpts,
    Visibility,
)
from directory.selectors import can_edit_professional, can_edit_structure
from federation.errors import ServiceError
from federation.models import CPTS_MANAGER_ROLES, Cpts, CptsCommune, Membership, User
from federation.phones import phone_normalize

# Fields a professional (or their coordinator) may edit; imported fields come from the national file.
PROFESSIONAL_EDITABLE = (
    "mobile_phone",
    "email",
    "mssante",
    "languages",
    "skills",
    "interests",
    "accepts_new_patients",
    "takes_part_in_snp",
    "takes_part_in_sas",
    "hosts_trainees",
)
STRUCTURE_EDITABLE = (
    "kind",
    "website",
    "email",
    "mssante",
    "referent_name",
    "referent_phone",
    "services",
    "public_served",
    "coverage",
    "care_modalities",
)


PHONE_FIELDS = ("mobile_phone", "referent_phone")


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None), dict, list)) else str(value)


def _apply_changes(instance, data: dict, allowed: Iterable[str]) -> dict:
    changes = {}
    for name, value in data.items():
        if name not in allowed:
            raise ServiceError(_("Ce champ ne peut pas être modifié."), code="not_editable", field=name)
        if name in PHONE_FIELDS:  # phone numbers as phone numbers (issue 17): no `\r` in vCards
            value = phone_normalize(value, field=name)
        old = getattr(instance, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(instance, name, value)
    return changes


def _clean_visibility(instance, visibility: dict | None, optional: Iterable[str]) -> dict:
    if visibility is None:
        return {}
    valid_levels = set(Visibility.values)
    for name, level in visibility.items():
        if name not in optional:
            raise ServiceError(
                _("Champ inconnu : %(name)s") % {"name": name}, code="unknown_field", field="visibility"
            )
        if level not in valid_levels:
            raise ServiceError(
                _("Niveau de visibilité inconnu."), code="invalid_visibility", field="visibility"
            )
    merged = {**instance.visibility, **visibility}
    if merged != instance.visibility:
        old = instance.visibility
        instance.visibility = merged
        return {"visibility": [old, merged]}
    return {}


@transaction.atomic
def professional_update(
    *, actor: User, professional: Professional, data: dict, visibility: dict | None = None
) -> Professional:
    """Edit the optional fields of an entry (its professional, their CPTS coordinators, staff)."""
    if not can_edit_professional(actor, professional):
        raise PermissionDenied
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    changes = _apply_changes(professional, data, PROFESSIONAL_EDITABLE)
    changes.update(_clean_visibility(professional, visibility, Professional.OPTIONAL_FIELDS))
    if not changes:
        return professional
    professional.full_clean()
    professional.save()
    EntryChange.objects.create(professional=professional, actor=actor, changes=changes)
    search_index.schedule_professionals([professional.pk])
    return professional


@transaction.atomic
def structure_update(
    *, actor: User, structure: Structure, data: dict, visibility: dict | None = None
) -> Structure:
    if not can_edit_structure(actor, structure):
        raise PermissionDenied
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    changes = _apply_changes(structure, data, STRUCTURE_EDITABLE)
    changes.update(_clean_visibility(structure, visibility, Structure.OPTIONAL_FIELDS))
    if not changes:
        return structure
    structure.full_clean()
    structure.save()
    EntryChange.objects.create(structure=structure, actor=actor, changes=changes)
    search_index.schedule_structures([structure.pk])
    return structure


@transaction.atomic
def professional_link_user(
    *, actor: User | None, professional: Professional, user: User | None
) -> Professional:
    """Link an entry to the account of its professional (staff or system; Pro Santé Connect later)."""
    if actor is not None and not actor.is_staff:
        raise PermissionDenied
    old = professional.user_id
    professional.user = user
    professional.full_clean()
    professional.save(update_fields=["user", "updated_at"])
    EntryChange.objects.create(
        professional=professional, actor=actor, changes={"user": [old, user.pk if user else None]}
    )
    return professional


def _check_cpts_manager(actor: User | None, cpts: Cpts) -> None:
    if actor is None or actor.is_staff:
        return
    if not Membership.objects.filter(user=actor, cpts=cpts, role__in=CPTS_MANAGER_ROLES).exists():
        raise PermissionDenied


@transaction.atomic
def professional_join_cpts(*, actor: User | None, professional: Professional, cpts: Cpts) -> ProfessionalCpts:
    _check_cpts_manager(actor, cpts)
    link, created = ProfessionalCpts.objects.get_or_create(professional=professional, cpts=cpts)
    if created:
        EntryChange.objects.create(
            professional=professional, actor=actor, changes={"cpts": [None, cpts.slug]}
        )
        search_index.schedule_professionals([professional.pk])
    return link


@transaction.atomic
def professional_leave_cpts(*, actor: User | None, professional: Professional, cpts: Cpts) -> None:
    _check_cpts_manager(actor, cpts)
    deleted, _rows = ProfessionalCpts.objects.filter(professional=professional, cpts=cpts).delete()
    if deleted:
        EntryChange.objects.create(
            professional=professional, actor=actor, changes={"cpts": [cpts.slug, None]}
        )
        search_index.schedule_professionals([professional.pk])


@transaction.atomic
def cpts_attach_by_territory(*, actor: User | None, cpts: Cpts) -> dict[str, int]:
    """Attach to `cpts` every professional and structure practising in one of its communes."""
    _check_cpts_manager(actor, cpts)
    communes = CptsCommune.objects.filter(cpts=cpts).values("commune_id")
    pro_ids = set(
        Professional.objects.filter(sites__commune_id__in=communes)
        .exclude(cpts_links__cpts=cpts)
        .values_list("id", flat=True)
    )
    ProfessionalCpts.objects.bulk_create(
        [ProfessionalCpts(professional_id=pk, cpts=cpts) for pk in pro_ids],
        ignore_conflicts=True,
        batch_size=2000,
    )
    structure_ids = set(
        Structure.objects.filter(commune_id__in=communes)
        .exclude(cpts_links__cpts=cpts)
        .values_list("id", flat=True)
    )
    StructureCpts.objects.bulk_create(
        [StructureCpts(structure_id=pk, cpts=cpts) for pk in structure_ids],
        ignore_conflicts=True,
        batch_size=2000,
    )
    search_index.schedule_professionals(pro_ids)
    search_index.schedule_structures(structure_ids)
    return {"professionals": len(pro_ids), "structures": len(structure_ids)}


@transaction.atomic
def error_report_create(
    *, actor: User, message: str, professional: Professional | None = None, structure: Structure | None = None
) -> ErrorReport:
    """ "Signaler une erreur": stored for the entry's editors (coordinators of its CPTS, staff)."""
    report = ErrorReport(
        professional=professional, structure=structure, reporter=actor, message=message.strip()
    )
    if not report.message:
        raise ServiceError(_("Décrivez l'erreur constatée."), code="required", field="message")
    report.full_clean()
    report.save()
    return report


def import_run_execute(
    *,
    actor: User | None,
    path,
    departments: Iterable[str] = (),
    batch_size: int = 2000,
    index: bool = True,
    progress: Callable[[int], None] | None = None,
    run: ImportRun | None = None,
) -> ImportRun:
    """Run an import (command or Celery task) and record its report. Each batch of professionals is
    committed on its own: an interrupted import leaves whole professionals only, and re-running it
    finishes the job (upserts are idempotent)."""
    departments = list(departments)
    if run is None:
        name = str(getattr(path, "name", path))
        run = ImportRun.objects.create(file_name=name[-300:], departments=",".join(departments), actor=actor)
    run.status = ImportRun.Status.RUNNING
    run.save(update_fields=["status"])
    try:
        report = import_file(
            path, departments=departments, batch_size=batch_size, index=index, progress=progress
        )
    except Exception:
        run.status = ImportRun.Status.FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        raise
    run.counts = report.counts
    run.rejected = report.rejected
    run.status = ImportRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "rejected", "status", "finished_at"])
    return run


@transaction.atomic
def import_run_schedule(
    *, actor: User, path: str, file_name: str, departments: Iterable[str] = ()
) -> ImportRun:
    """Staff upload: record the run and enqueue the import on commit."""
    if not actor.is_staff:
        raise PermissionDenied
    from directory.tasks import import_rpps_task

    run = ImportRun.objects.create(file_name=file_name[-300:], departments=",".join(departments), actor=actor)
    transaction.on_commit(lambda: import_rpps_task.delay(run.pk, path))
    return run


@transaction.atomic
def error_report_resolve(*, actor: User, report: ErrorReport) -> ErrorReport:
    """Close a report (the caller found it through `access_error_report`)."""
    report.status = ErrorReport.Status.RESOLVED
    report.full_clean()
    report.save(update_fields=["status"])
    return report
