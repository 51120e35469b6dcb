"""Writes of the projet de santé: drafts, dated versions (with what changed, avenants included), online
acknowledgement by the members, and the projet's status (ready once it holds at least two fiches action)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Cpts, User
from missions.projet.access import can_manage
from missions.projet.fiches.selectors import counted_fiches
from missions.projet.health_project.selectors import (
    acknowledging_member,
    latest_published,
    territory_diagnosis,
)
from missions.projet.models import (
    Acknowledgement,
    HealthProject,
    MemberStatus,
    Mission,
    ProjectVersion,
    RegisterMember,
)
from missions.projet.selectors import express_member_count

VERSION_FIELDS = (
    "kind",
    "changes",
    "diagnosis",
    "needs",
    "priorities",
    "missions",
    "coordination",
    "actors",
    "evaluation",
)
# Seed 001: "le projet de santé initial de la CPTS doit comporter au minimum deux fiches action".
MIN_FICHES = 2


def _require_manager(actor: User | None, cpts: Cpts) -> None:
    if actor is not None and not can_manage(actor, cpts):
        raise PermissionDenied


@transaction.atomic
def project_start(*, actor: User | None, cpts: Cpts, title: str = "") -> HealthProject:
    """The CPTS's projet de santé with its first draft (idempotent)."""
    _require_manager(actor, cpts)
    project = HealthProject.objects.filter(cpts=cpts).first()
    if project is not None:
        return project
    project = HealthProject(cpts=cpts, title=title or _("Projet de santé de %(cpts)s") % {"cpts": cpts.name})
    project.full_clean()
    project.save()
    ProjectVersion.objects.create(project=project, number=1, kind=ProjectVersion.Kind.INITIAL)
    return project


def _clean_missions(value) -> list[int]:
    try:
        missions = sorted({int(m) for m in value or []})
    except (TypeError, ValueError):
        raise ServiceError(_("Missions inconnues."), code="unknown_mission", field="missions") from None
    if any(m not in Mission.values for m in missions):
        raise ServiceError(_("Les missions vont de 1 à 6."), code="unknown_mission", field="missions")
    return missions


@transaction.atomic
def version_update(*, actor: User | None, version: ProjectVersion, data: dict) -> ProjectVersion:
    """Edit the draft. A published version is frozen."""
    _require_manager(actor, version.project.cpts)
    version = ProjectVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ServiceError(
            _("Une version publiée ne se modifie plus : préparez une nouvelle version."),
            code="version_published",
        )
    unknown = set(data) - set(VERSION_FIELDS)
    if unknown:
        raise ServiceError(_("Champ inconnu."), code="unknown_field", field=sorted(unknown)[0])
    for name, value in data.items():
        setattr(version, name, _clean_missions(value) if name == "missions" else value)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def version_publish(
    *,
    actor: User | None,
    project: HealthProject,
    dated: datetime.date | None = None,
    changes: str | None = None,
) -> ProjectVersion:
    """Date the draft and freeze it, with the figures and fiches it was published with. From the second
    version on, say what changed."""
    _require_manager(actor, project.cpts)
    version = project.versions.select_for_update().filter(published_at__isnull=True).first()
    if version is None:
        raise ServiceError(_("Aucun brouillon à publier : préparez une nouvelle version."), code="no_draft")
    if changes is not None:
        version.changes = changes
    if version.number > 1 and not version.changes.strip():
        raise ServiceError(
            _("Indiquez ce qui change dans cette version."), code="changes_required", field="changes"
        )
    if not version.missions:
        raise ServiceError(_("Choisissez au moins une mission."), code="missions_required", field="missions")
    fiches = counted_fiches(project.cpts).order_by("mission", "title", "id")
    version.snapshot = {
        "territory": territory_diagnosis(project.cpts).as_dict(),
        "members": express_member_count(project.cpts),
        "fiches": [{"id": f.pk, "title": f.title, "mission": f.mission, "status": f.status} for f in fiches],
    }
    version.dated = dated or timezone.localdate()
    version.published_at = timezone.now()
    version.published_by = actor
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def version_new_draft(
    *, actor: User | None, project: HealthProject, kind: str = ProjectVersion.Kind.AMENDMENT
) -> ProjectVersion:
    """A new draft, starting from the latest published version (a revision, or an avenant)."""
    _require_manager(actor, project.cpts)
    if project.versions.filter(published_at__isnull=True).exists():
        raise ServiceError(_("Un brouillon est déjà en cours."), code="draft_exists")
    if kind not in (ProjectVersion.Kind.REVISION, ProjectVersion.Kind.AMENDMENT):
        raise ServiceError(_("Nature de version inconnue."), code="unknown_kind", field="kind")
    base = latest_published(project)
    number = (base.number if base else 0) + 1
    draft = ProjectVersion(project=project, number=number, kind=kind)
    if base is not None:
        for name in ("diagnosis", "needs", "priorities", "missions", "coordination", "actors", "evaluation"):
            setattr(draft, name, getattr(base, name))
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def version_acknowledge(*, actor: User, version: ProjectVersion) -> Acknowledgement:
    """A member acknowledges a published version online (who, when): it replaces collecting signatures."""
    if not version.is_published:
        raise ServiceError(_("Seule une version publiée peut être approuvée."), code="version_not_published")
    member = acknowledging_member(actor, version.project.cpts)
    if member is None:
        raise ServiceError(
            _("Seuls les membres inscrits au registre de la CPTS approuvent le projet de santé."),
            code="not_a_member",
        )
    if Acknowledgement.objects.filter(version=version, member=member).exists():
        raise ServiceError(
            _("Vous avez déjà pris connaissance de cette version."), code="already_acknowledged"
        )
    try:
        with transaction.atomic():
            return Acknowledgement.objects.create(version=version, member=member, user=actor)
    except IntegrityError:
        raise ServiceError(
            _("Vous avez déjà pris connaissance de cette version."), code="already_acknowledged"
        ) from None


@transaction.atomic
def version_acknowledge_record(
    *, actor: User | None, version: ProjectVersion, member: RegisterMember, evidence: str
) -> Acknowledgement:
    """The coordination records a structure's acknowledgement, signed by its legal representative (seed 001:
    "chacun des membres (représentant légal pour les structures et les établissements) signe le projet")."""
    _require_manager(actor, version.project.cpts)
    if not version.is_published:
        raise ServiceError(_("Seule une version publiée peut être approuvée."), code="version_not_published")
    if member.cpts_id != version.project.cpts_id or member.status != MemberStatus.ACTIVE:
        raise ServiceError(_("Ce n'est pas un membre de la CPTS."), code="not_a_member", field="member")
    if member.professional_id:
        raise ServiceError(
            _("Un·e professionnel·le prend connaissance du projet en ligne, depuis son compte."),
            code="online_only",
            field="member",
        )
    evidence = (evidence or "").strip()
    if not evidence:
        raise ServiceError(
            _("Indiquez la preuve (signature du représentant légal, délibération…)."),
            code="evidence_required",
            field="evidence",
        )
    if Acknowledgement.objects.filter(version=version, member=member).exists():
        raise ServiceError(
            _("Cette prise de connaissance est déjà enregistrée."), code="already_acknowledged"
        )
    ack = Acknowledgement(version=version, member=member, user=actor, evidence=evidence[:300])
    ack.full_clean()
    ack.save()
    return ack


NEXT_STATUSES = {
    HealthProject.Status.DRAFTING: {HealthProject.Status.READY},
    HealthProject.Status.READY: {HealthProject.Status.DRAFTING, HealthProject.Status.SUBMITTED},
    HealthProject.Status.SUBMITTED: {HealthProject.Status.DRAFTING, HealthProject.Status.VALIDATED},
    HealthProject.Status.VALIDATED: {HealthProject.Status.DRAFTING},
}


@transaction.atomic
def project_set_status(*, actor: User | None, project: HealthProject, status: str) -> HealthProject:
    _require_manager(actor, project.cpts)
    project = HealthProject.objects.select_for_update(of=("self",)).select_related("cpts").get(pk=project.pk)
    if status not in HealthProject.Status.values:
        raise ServiceError(_("Statut inconnu."), code="unknown_status", field="status")
    if status == project.status:
        return project
    if status not in NEXT_STATUSES[HealthProject.Status(project.status)]:
        raise ServiceError(
            _("Le projet « %(from)s » ne peut pas passer à « %(to)s ».")
            % {"from": project.get_status_display(), "to": HealthProject.Status(status).label},
            code="wrong_status",
            field="status",
        )
    if status == HealthProject.Status.READY:
        n = counted_fiches(project.cpts).count()
        if n < MIN_FICHES:
            raise ServiceError(
                _("Le projet de santé doit comporter au moins deux fiches action (il en a %(n)d).")
                % {"n": n},
                code="too_few_fiches",
            )
        if latest_published(project) is None:
            raise ServiceError(
                _("Publiez d'abord une version datée du projet de santé."), code="no_published_version"
            )
    project.status = status
    project.status_changed_at = timezone.now()
    project.full_clean()
    project.save()
    return project
