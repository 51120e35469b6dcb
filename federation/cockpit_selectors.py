"""Reads of the federation cockpit: the member CPTS table and the registered panels.

A fixed number of queries whatever the number of member CPTS (the count is pinned by a test): one for the
CPTS with their population and account counts, one for their coordinators, one per registered column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from federation.cockpit import Panel, PanelData, build_panels, cpts_facts
from federation.models import (
    CPTS_MANAGER_ROLES,
    FEDERATION_MANAGER_ROLES,
    Commune,
    Cpts,
    CptsRole,
    Federation,
    FederationMember,
    MaturityStage,
    Membership,
    User,
)
from federation.territory import aci_size_tier


@dataclass
class CockpitCpts:
    cpts: Cpts
    population: int
    size_tier: int
    communes: int
    accounts: int
    joined_on: object
    coordinators: list[User] = field(default_factory=list)
    facts: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    fact_list: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)  # (title, values)

    @property
    def is_project(self) -> bool:
        return self.cpts.maturity_stage == MaturityStage.PROJECT


@dataclass
class Cockpit:
    federation: Federation
    cpts: list[CockpitCpts]
    facts_titles: list[tuple[str, str]]
    panels: list[tuple[Panel, PanelData]]

    @property
    def population(self) -> int:
        return sum(row.population for row in self.cpts)


def member_cpts_rows(federation: Federation) -> list[CockpitCpts]:
    """The federation's member CPTS with what the cockpit shows of each."""
    population = (
        Commune.objects.filter(cpts_link__cpts=OuterRef("pk"))
        .order_by()
        .values("cpts_link__cpts")
        .annotate(total=Sum("population"))
        .values("total")
    )
    communes = (
        Commune.objects.filter(cpts_link__cpts=OuterRef("pk"))
        .order_by()
        .values("cpts_link__cpts")
        .annotate(n=Count("pk"))
        .values("n")
    )
    joined = FederationMember.objects.filter(
        cpts=OuterRef("pk"), federation=federation, left_on__isnull=True
    ).values("joined_on")[:1]
    coordinators = (
        Membership.objects.filter(role__in=CPTS_MANAGER_ROLES)
        .select_related("user")
        .order_by(
            # coordinators first, then admins
            "-role",
            "user__display_name",
        )
    )
    queryset = (
        Cpts.objects.filter(
            federation_memberships__federation=federation, federation_memberships__left_on__isnull=True
        )
        .annotate(
            population=Coalesce(Subquery(population, output_field=IntegerField()), 0),
            commune_count=Coalesce(Subquery(communes, output_field=IntegerField()), 0),
            account_count=Count("memberships", distinct=True),
            joined_on=Subquery(joined),
        )
        .prefetch_related(Prefetch("memberships", queryset=coordinators, to_attr="managers"))
        .order_by("name")
    )
    return [
        CockpitCpts(
            cpts=cpts,
            population=cpts.population,
            size_tier=aci_size_tier(cpts.population),
            communes=cpts.commune_count,
            accounts=cpts.account_count,
            joined_on=cpts.joined_on,
            coordinators=[m.user for m in cpts.managers if m.role == CptsRole.COORDINATOR]
            or [m.user for m in cpts.managers],
        )
        for cpts in queryset
    ]


def cockpit(federation: Federation, user: User) -> Cockpit:
    rows = member_cpts_rows(federation)
    ids = [row.cpts.pk for row in rows]
    titles = []
    for facts in cpts_facts():
        titles.append((facts.key, facts.title))
        values = facts.build(ids) if ids else {}
        for row in rows:
            row.facts[facts.key] = values.get(row.cpts.pk, [])
            row.fact_list.append((facts.title, row.facts[facts.key]))
    return Cockpit(
        federation=federation,
        cpts=rows,
        facts_titles=titles,
        panels=build_panels(Panel.FEDERATION, federation, user),
    )


def cpts_panels(cpts: Cpts, user: User) -> list[tuple[Panel, PanelData]]:
    """The CPTS-scope panels: what the federation may see of a member CPTS (shared documents, rosters,
    campaigns, meetings), never its private documents or conversations — each app decides in its panel."""
    return build_panels(Panel.CPTS, cpts, user)


def cockpit_federations(user: User):
    """Federations whose cockpit the user may open: a federation role of admin or coordinator, a bureau
    seat, or every federation for staff."""
    if not user.is_authenticated:
        return Federation.objects.none()
    if user.is_staff:
        return Federation.objects.select_related("departement").order_by("name")
    query = Q(roles__user=user, roles__role__in=FEDERATION_MANAGER_ROLES)
    from django.apps import apps

    if apps.is_installed("federation.governance"):
        today = timezone.localdate()
        query |= Q(
            bureau_mandates__user=user,
            bureau_mandates__starts_on__lte=today,
            bureau_mandates__ends_on__gte=today,
            bureau_mandates__ended_early_on__isnull=True,
        )
    return Federation.objects.filter(query).distinct().select_related("departement").order_by("name")
