"""Governance fixtures, built from the shared persona `world` (tests/conftest.py) with services and
factories: the Hérault federation becomes an assembly of 5 member CPTS (Alpha and Bravo of the world,
plus three more), each with a delegate designated through `delegate_designate`, and 3 partners (the
world's DAC 34 and two more), with statutes adopted through `statutes_initialize`."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from federation.errors import service_error_body
from federation.governance import services
from federation.governance.models import Body
from federation.models import CptsRole, FederationRole
from tests import factories

EXTRA_CPTS = ["Echo", "Foxtrot", "Golf", "Hotel", "India"]
EXTRA_PARTNERS = ["URPS Occitanie", "France Assos Santé 34", "GHT Est-Hérault"]


@dataclass
class Assembly:
    fed: object
    cpts: list
    members: list  # FederationMember of each CPTS
    delegates: list  # user delegate of each CPTS
    partners: list
    partner_members: list
    partner_delegates: list
    coordinator: object  # the federation's coordinator (manages governance)
    plain_member: object  # member of CPTS 0 without any delegation
    world: object = None
    meeting: object = None
    extra: dict = field(default_factory=dict)


def build_assembly(world, *, n_cpts: int = 5, n_partners: int = 3) -> Assembly:
    """The world's Hérault federation as an assembly of `n_cpts` CPTS (at least Alpha and Bravo) and
    `n_partners` partners (at least DAC 34)."""
    w = world
    fed = w.fed
    cpts = [w.cpts_a, w.cpts_b]
    delegates = [w.bureau_a, w.coordinator_b]
    for i in range(max(0, n_cpts - 2)):
        name = EXTRA_CPTS[i] if i < len(EXTRA_CPTS) else f"Cpts{i}"
        c = factories.CptsFactory(name=f"CPTS {name}", slug=name.lower())
        factories.FederationMemberFactory(federation=fed, cpts=c)
        user = factories.MembershipFactory(
            cpts=c,
            role=CptsRole.BUREAU,
            user=factories.UserFactory(email=f"bureau@{name.lower()}.example.org"),
        ).user
        cpts.append(c)
        delegates.append(user)
    members = [fed.members.get(cpts=c) for c in cpts]
    for c, user in zip(cpts, delegates, strict=True):
        services.delegate_designate(actor=None, federation=fed, cpts=c, user=user)
    partners, partner_delegates = [w.partner], [w.partner_delegate]
    for i in range(max(0, n_partners - 1)):
        name = EXTRA_PARTNERS[i] if i < len(EXTRA_PARTNERS) else f"Partenaire {i}"
        p = factories.PartnerFactory(federation=fed, name=name, slug=f"partenaire-{i}")
        user = factories.UserFactory(email=f"delegue@partenaire-{i}.example.org")
        factories.FederationRoleFactory(
            user=user, federation=fed, role=FederationRole.Role.PARTNER_DELEGATE, partner=p
        )
        partners.append(p)
        partner_delegates.append(user)
    services.statutes_initialize(actor=None, federation=fed)
    return Assembly(
        fed=fed,
        cpts=cpts,
        members=members,
        delegates=delegates,
        partners=partners,
        partner_members=[p.memberships.get() for p in partners],
        partner_delegates=partner_delegates,
        coordinator=w.fed_coordinator,
        plain_member=w.member_a,
        world=w,
    )


def other_assembly(world) -> Assembly:
    """The world's Gard federation: CPTS Charlie alone, its member `member_c` as delegate."""
    w = world
    services.delegate_designate(actor=None, federation=w.other_fed, cpts=w.cpts_c, user=w.member_c)
    services.statutes_initialize(actor=None, federation=w.other_fed)
    return Assembly(
        fed=w.other_fed,
        cpts=[w.cpts_c],
        members=[w.other_fed.members.get(cpts=w.cpts_c)],
        delegates=[w.member_c],
        partners=[],
        partner_members=[],
        partner_delegates=[],
        coordinator=None,
        plain_member=None,
        world=w,
    )


def open_meeting(a: Assembly, *, body=Body.AGO, title="AGO 2026") -> object:
    """A meeting convened 8 days ahead and opened at its scheduled time."""
    starts_at = timezone.now() + timedelta(days=8)
    meeting = services.meeting_create(
        actor=a.coordinator,
        federation=a.fed,
        body=body,
        title=title,
        starts_at=starts_at,
        location="Montpellier",
        agenda=["Rapport moral", "Budget"],
    )
    services.meeting_convene(actor=a.coordinator, meeting=meeting)
    services.meeting_open(actor=a.coordinator, meeting=meeting, now=starts_at)
    return meeting


def governance_rows(federation) -> dict:
    """Every governance row of a federation, field by field: equal before and after a refused write
    proves nothing was written nor changed (not only that the status code was right)."""
    from django.apps import apps

    rows = {}
    for model in apps.get_app_config("governance").get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "federation" in names:
            queryset = model.objects.filter(federation=federation)
        elif "poll" in names:
            queryset = model.objects.filter(poll__federation=federation)
        elif "meeting" in names:
            queryset = model.objects.filter(meeting__federation=federation)
        else:
            continue
        rows[model.__name__] = sorted(map(repr, queryset.values_list()))
    return rows


def error_code(exc: ValidationError) -> str:
    """The `code` the API would answer for this service error (the one error shape)."""
    return service_error_body(exc)["code"]


@pytest.fixture
def assembly(world) -> Assembly:
    return build_assembly(world)


@pytest.fixture
def ago(assembly) -> Assembly:
    """The AGO in session: CPTS 0-3 present, CPTS 4 represented by CPTS 0's delegate; partners present."""
    a = assembly
    a.meeting = open_meeting(a)
    for m in a.members[:4] + a.partner_members:
        services.attendance_sign(actor=a.coordinator, meeting=a.meeting, member=m, status="present")
    services.proxy_give(actor=a.delegates[4], meeting=a.meeting, giver=a.members[4], holder=a.delegates[0])
    return a
