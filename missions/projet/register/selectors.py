"""Reads of the members' register: lines, history, and the figures the ACI request and the funding need."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.models import Profession, Professional, Structure
from federation.models import Cpts, User
from federation.selectors import cpts_population
from federation.territory import aci_size_tier
from missions.projet.models import MemberCategory, MemberStatus, RegisterEvent, RegisterMember
from missions.projet.selectors import MEMBER_THRESHOLD

# Seed 001: "la CPTS ne peut pas être constituée d'une seule catégorie d'acteurs (exemple : professionnels
# libéraux de 1er et 2nd recours)"; the fiches associate "des professionnels de santé de premier recours
# et/ou du second recours ainsi que des structures sanitaires ou médico-sociales ou sociales ou des acteurs
# de la prévention". The actor groups follow that sentence.
ACTOR_GROUPS = {
    "ville": gettext_lazy("Professionnels et structures de soins de ville"),
    "sanitaire": gettext_lazy("Établissements sanitaires"),
    "medico_social": gettext_lazy("Structures médico-sociales"),
    "social": gettext_lazy("Acteurs sociaux, de coordination et de prévention"),
}
STRUCTURE_GROUP = {
    Structure.Kind.HOSPITAL: "sanitaire",
    Structure.Kind.HAD: "sanitaire",
    Structure.Kind.EHPAD: "medico_social",
    Structure.Kind.SSIAD: "medico_social",
    Structure.Kind.DAC: "social",
    Structure.Kind.OTHER: "social",
}


def actor_group(member: RegisterMember) -> str:
    if member.professional_id:
        return "ville"
    return STRUCTURE_GROUP.get(member.structure.kind, "ville")


def register_members(cpts: Cpts, *, statuses=None) -> QuerySet[RegisterMember]:
    members = RegisterMember.objects.filter(cpts=cpts).select_related(
        "cpts", "category", "professional__profession", "structure", "exclusion"
    )
    if statuses:
        members = members.filter(status__in=statuses)
    return members.order_by(
        "status", "professional__last_name", "professional__first_name", "structure__name", "id"
    )


def register_export_members(cpts: Cpts) -> QuerySet[RegisterMember]:
    """The list the ACI request joins (seed 002: "La liste des membres de la communauté professionnelle avec
    leurs statuts"): members and former members, never requests still pending or refused."""
    return register_members(
        cpts, statuses=[MemberStatus.ACTIVE, MemberStatus.RESIGNED, MemberStatus.EXCLUDED]
    )


def member_categories(cpts: Cpts) -> QuerySet[MemberCategory]:
    return MemberCategory.objects.filter(cpts=cpts).annotate(
        active_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE))
    )


def member_history(member: RegisterMember) -> QuerySet[RegisterEvent]:
    return member.events.select_related("actor").order_by("at", "id")


def user_adhesions(user: User) -> QuerySet[RegisterMember]:
    """The user's own register lines in every CPTS (through their directory entry)."""
    if not user.is_authenticated:
        return RegisterMember.objects.none()
    return (
        RegisterMember.objects.filter(professional__user=user)
        .select_related("cpts", "category", "exclusion")
        .prefetch_related(Prefetch("events", queryset=RegisterEvent.objects.order_by("at", "id")))
        .order_by("cpts__name", "-id")
    )


def user_professional(user: User) -> Professional | None:
    if not user.is_authenticated:
        return None
    return Professional.objects.filter(user=user).select_related("profession").first()


def territory_professionals_by_profession(cpts: Cpts) -> dict[str, int]:
    """Professionals practising on the CPTS's territory (a site in one of its communes), per profession code."""
    rows = (
        Professional.objects.filter(sites__commune__cpts_link__cpts=cpts)
        .values("profession_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("profession_id", "n")
    )
    return dict(rows)


@dataclass
class ProfessionLine:
    code: str
    label: str
    members: int
    practising: int

    @property
    def ratio(self) -> float | None:
        return round(self.members / self.practising, 4) if self.practising else None


@dataclass
class RegisterStats:
    active: int
    pending: int
    professionals: int
    structures: int
    by_profession: list[ProfessionLine]
    by_category: list[tuple[str, str, int]]  # code, label, count
    by_actor_group: list[tuple[str, str, int]]
    population: int
    size_tier: int
    threshold: int = MEMBER_THRESHOLD
    warnings: list[dict[str, str]] = field(default_factory=list)

    @property
    def threshold_reached(self) -> bool:
        return self.active >= self.threshold

    @property
    def threshold_applies(self) -> bool:
        """The +10 % is for tier-4 CPTS (seed 003)."""
        return self.size_tier == 4


def register_stats(cpts: Cpts) -> RegisterStats:
    """Counts by profession, category and actor group; ratio of members to the professionals practising on
    the territory per profession; the 100-member threshold; the single-category warnings. Fixed query count."""
    active = list(
        RegisterMember.objects.filter(cpts=cpts, status=MemberStatus.ACTIVE).select_related(
            "category", "professional", "structure"
        )
    )
    pending = RegisterMember.objects.filter(
        cpts=cpts, status__in=[MemberStatus.REQUESTED, MemberStatus.AWAITING_CONSENT]
    ).count()
    practising = territory_professionals_by_profession(cpts)
    member_professions: dict[str, int] = {}
    for m in active:
        if m.professional_id:
            code = m.professional.profession_id
            member_professions[code] = member_professions.get(code, 0) + 1
    codes = set(practising) | set(member_professions)
    labels = dict(Profession.objects.filter(code__in=codes).values_list("code", "label"))
    by_profession = sorted(
        (
            ProfessionLine(
                code, labels.get(code, code), member_professions.get(code, 0), practising.get(code, 0)
            )
            for code in codes
        ),
        key=lambda line: (-line.members, -line.practising, line.label),
    )
    categories: dict[str, list] = {}
    for m in active:
        entry = categories.setdefault(
            m.category.code, [m.category.code, m.category.label, 0, m.category.order]
        )
        entry[2] += 1
    by_category = [(c, label, n) for c, label, n, _order in sorted(categories.values(), key=lambda e: e[3])]
    groups: dict[str, int] = {}
    for m in active:
        group = actor_group(m)
        groups[group] = groups.get(group, 0) + 1
    by_actor_group = [(g, str(ACTOR_GROUPS[g]), groups[g]) for g in ACTOR_GROUPS if g in groups]
    population = cpts_population(cpts)
    stats = RegisterStats(
        active=len(active),
        pending=pending,
        professionals=sum(1 for m in active if m.professional_id),
        structures=sum(1 for m in active if m.structure_id),
        by_profession=by_profession,
        by_category=by_category,
        by_actor_group=by_actor_group,
        population=population,
        size_tier=aci_size_tier(population),
    )
    if len(by_actor_group) == 1:
        stats.warnings.append(
            {
                "code": "single_actor_category",
                "message": _(
                    "Tous les membres relèvent d'une seule catégorie d'acteurs (%(group)s) : « la CPTS ne peut "
                    "pas être constituée d'une seule catégorie d'acteurs » (ARS, cahier des charges)."
                )
                % {"group": by_actor_group[0][1]},
            }
        )
    if len(by_category) == 1 and len(active) > 1:
        stats.warnings.append(
            {
                "code": "single_statute_category",
                "message": _("Tous les membres sont dans la même catégorie statutaire (%(category)s).")
                % {"category": by_category[0][1]},
            }
        )
    return stats


def find_professional(identifier: str) -> Professional | None:
    """A directory entry by its RPPS (11 digits), ADELI (9) or national id (8 + RPPS, 0 + ADELI)."""
    identifier = identifier.strip().replace(" ", "")
    candidates = [identifier]
    if len(identifier) == 11:
        candidates.append("8" + identifier)
    elif len(identifier) == 9:
        candidates.append("0" + identifier)
    return Professional.objects.filter(national_id__in=candidates).select_related("profession").first()


def find_structure(identifier: str) -> Structure | None:
    """A structure by its FINESS (9 characters) or SIRET (14 digits)."""
    identifier = identifier.strip().replace(" ", "").upper()
    if not identifier:
        return None
    return Structure.objects.filter(Q(finess=identifier) | Q(siret=identifier)).order_by("id").first()


def joinable_cpts(user: User) -> QuerySet[Cpts]:
    """CPTS the user may ask to join: every CPTS where they have no pending or active line."""
    open_lines = RegisterMember.objects.filter(
        professional__user=user,
        status__in=[MemberStatus.REQUESTED, MemberStatus.AWAITING_CONSENT, MemberStatus.ACTIVE],
    ).values("cpts_id")
    return Cpts.objects.exclude(pk__in=open_lines).order_by("name")
