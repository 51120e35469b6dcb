"""Reads of the projet de santé: versions, acknowledgements, and the territorial figures computed from the
platform's data (population of the territory's communes, professionals practising there)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from directory.models import Profession
from federation.models import Cpts, User
from federation.selectors import cpts_communes, cpts_population
from federation.territory import aci_size_tier
from missions.projet.models import (
    Acknowledgement,
    HealthProject,
    MemberStatus,
    ProjectVersion,
    RegisterMember,
)
from missions.projet.register.selectors import territory_professionals_by_profession


def cpts_project(cpts: Cpts) -> HealthProject | None:
    return HealthProject.objects.filter(cpts=cpts).select_related("cpts").first()


def project_versions(project: HealthProject) -> QuerySet[ProjectVersion]:
    return (
        project.versions.select_related("published_by")
        .annotate(ack_count=Count("acknowledgements"))
        .order_by("-number")
    )


def draft_version(project: HealthProject) -> ProjectVersion | None:
    return project.versions.filter(published_at__isnull=True).first()


def latest_published(project: HealthProject) -> ProjectVersion | None:
    return project.versions.filter(published_at__isnull=False).order_by("-number").first()


def project_version(project: HealthProject, number: int) -> ProjectVersion | None:
    return project.versions.filter(number=number).select_related("project__cpts", "published_by").first()


def version_acknowledgements(version: ProjectVersion) -> QuerySet[Acknowledgement]:
    return version.acknowledgements.select_related(
        "member__professional__profession", "member__structure", "user"
    )


def acknowledging_member(user: User, cpts: Cpts) -> RegisterMember | None:
    """The user's active register line in `cpts` (only members acknowledge the projet)."""
    if not user.is_authenticated:
        return None
    return RegisterMember.objects.filter(
        cpts=cpts, professional__user=user, status=MemberStatus.ACTIVE
    ).first()


def user_acknowledged_versions(user: User, project: HealthProject) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Acknowledgement.objects.filter(version__project=project, member__professional__user=user).values_list(
            "version_id", flat=True
        )
    )


def members_for_signature(
    cpts: Cpts, version: ProjectVersion
) -> list[tuple[RegisterMember, Acknowledgement | None]]:
    """Seed 001: "La liste des membres de la CPTS est jointe au projet de santé et chacun des membres … signe le
    projet": every active member, with their acknowledgement of `version` if any."""
    acks = {a.member_id: a for a in Acknowledgement.objects.filter(version=version)}
    members = (
        RegisterMember.objects.filter(cpts=cpts, status=MemberStatus.ACTIVE)
        .select_related("professional__profession", "structure", "category")
        .order_by("structure_id", "professional__last_name", "professional__first_name", "structure__name")
    )
    return [(m, acks.get(m.pk)) for m in members]


@dataclass
class ProfessionDensity:
    code: str
    label: str
    practising: int
    per_10000: float | None


@dataclass
class Diagnosis:
    population: int
    communes: int
    size_tier: int
    practising: int
    professions: list[ProfessionDensity]

    def as_dict(self) -> dict:
        return {
            "population": self.population,
            "communes": self.communes,
            "size_tier": self.size_tier,
            "practising": self.practising,
            "professions": [p.__dict__ for p in self.professions],
        }


def territory_diagnosis(cpts: Cpts) -> Diagnosis:
    """The territory's population (its communes) and professional density per profession (professionals with
    a practice site on the territory, per 10 000 inhabitants)."""
    population = cpts_population(cpts)
    by_profession = territory_professionals_by_profession(cpts)
    labels = dict(Profession.objects.filter(code__in=by_profession).values_list("code", "label"))
    professions = sorted(
        (
            ProfessionDensity(
                code,
                labels.get(code, code),
                n,
                round(n * 10000 / population, 1) if population else None,
            )
            for code, n in by_profession.items()
        ),
        key=lambda p: (-p.practising, p.label),
    )
    return Diagnosis(
        population=population,
        communes=cpts_communes(cpts).count(),
        size_tier=aci_size_tier(population),
        practising=sum(by_profession.values()),
        professions=professions,
    )


def projects_for_cockpit(cpts_ids: list[int]) -> dict[int, HealthProject]:
    projects = HealthProject.objects.filter(cpts_id__in=cpts_ids).prefetch_related(
        Prefetch("versions", queryset=ProjectVersion.objects.order_by("-number"))
    )
    return {p.cpts_id: p for p in projects}
