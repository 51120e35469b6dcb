"""An assembly of 5 member CPTS (each with a delegate) and 3 partners, with statutes and a bureau."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from federation.governance import services
from federation.governance.models import Body, Delegate
from federation.models import CptsRole, FederationRole
from tests import factories


@dataclass
class Assembly:
    fed: object
    cpts: list
    members: list  # FederationMember of each CPTS
    delegates: list  # user delegate of each CPTS
    partners: list
    partner_members: list
    partner_delegates: list
    coordinator: object
    plain_member: object  # member of CPTS 0 without any delegation
    meeting: object = None
    extra: dict = field(default_factory=dict)


def build_assembly(n_cpts=5, n_partners=3, slug="inter-test") -> Assembly:
    dep = factories.DepartementFactory(code="34", name="Hérault")
    fed = factories.FederationFactory(name=f"Inter {slug}", slug=slug, departement=dep)
    cpts, members, delegates = [], [], []
    for i in range(n_cpts):
        c = factories.CptsFactory(name=f"CPTS {slug} {i}", slug=f"{slug}-c{i}")
        m = factories.FederationMemberFactory(federation=fed, cpts=c)
        user = factories.MembershipFactory(
            cpts=c, role=CptsRole.BUREAU, user=factories.UserFactory(email=f"delegue{i}@{slug}.example.org")
        ).user
        Delegate.objects.create(federation=fed, member=m, user=user)
        cpts.append(c)
        members.append(m)
        delegates.append(user)
    partners, partner_members, partner_delegates = [], [], []
    for i in range(n_partners):
        p = factories.PartnerFactory(federation=fed, name=f"Partenaire {slug} {i}", slug=f"{slug}-p{i}")
        user = factories.UserFactory(email=f"partenaire{i}@{slug}.example.org")
        factories.FederationRoleFactory(
            user=user, federation=fed, role=FederationRole.Role.PARTNER_DELEGATE, partner=p
        )
        partners.append(p)
        partner_members.append(p.memberships.get())
        partner_delegates.append(user)
    coordinator = factories.UserFactory(email=f"coord@{slug}.example.org")
    factories.FederationRoleFactory(user=coordinator, federation=fed, role=FederationRole.Role.COORDINATOR)
    plain = factories.MembershipFactory(
        cpts=cpts[0], role=CptsRole.MEMBER, user=factories.UserFactory(email=f"membre@{slug}.example.org")
    ).user
    services.statutes_initialize(actor=None, federation=fed)
    return Assembly(
        fed, cpts, members, delegates, partners, partner_members, partner_delegates, coordinator, plain
    )


def open_meeting(a: Assembly, *, body=Body.AGO, title="AGO 2026") -> object:
    meeting = services.meeting_create(
        actor=a.coordinator,
        federation=a.fed,
        body=body,
        title=title,
        starts_at=timezone.now() + timedelta(days=8),
        location="Montpellier",
        agenda=["Rapport moral", "Budget"],
    )
    services.meeting_convene(actor=a.coordinator, meeting=meeting)
    services.meeting_open(actor=a.coordinator, meeting=meeting)
    return meeting


@pytest.fixture
def assembly(db) -> Assembly:
    return build_assembly()


@pytest.fixture
def ago(assembly) -> Assembly:
    """The AGO in session: CPTS 0-3 present, CPTS 4 represented by CPTS 0's delegate; partners present."""
    a = assembly
    a.meeting = open_meeting(a)
    for m in a.members[:4] + a.partner_members:
        services.attendance_sign(actor=a.coordinator, meeting=a.meeting, member=m, status="present")
    services.proxy_give(actor=a.delegates[4], meeting=a.meeting, giver=a.members[4], holder=a.delegates[0])
    return a
