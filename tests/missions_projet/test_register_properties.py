"""Property test of the register: whatever sequence of requests, additions, consents, refusals, resignations
and exclusions, (1) a person has at most one open line per CPTS, (2) every active line joined on a date with a
consent, (3) every exclusion has its recorded decision, (4) the express count is the number of active lines,
(5) every line's history replays its status."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from missions.projet.models import OPEN_STATUSES, MemberStatus, RegisterMember
from missions.projet.register import services as register
from missions.projet.selectors import express_member_counts
from tests.factories import UserFactory

ACTIONS = ["request", "add", "consent", "decline", "record", "accept", "refuse", "resign", "exclude"]


@pytest.mark.django_db
@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 2), st.booleans()), max_size=25))
def test_register_invariants(world, make_pro, steps):
    RegisterMember.objects.all().delete()
    people = []
    for i in range(3):
        user = UserFactory(email=f"pro{i}-{len(steps)}-{timezone.now().timestamp()}@example.org")
        people.append((user, make_pro("10", user=user)))
    today = timezone.localdate()
    for action, who, in_b in steps:
        cpts = world.cpts_b if in_b else world.cpts_a
        coordinator = world.coordinator_b if in_b else world.coordinator_a
        user, pro = people[who]
        line = (
            RegisterMember.objects.filter(cpts=cpts, professional=pro, status__in=OPEN_STATUSES)
            .select_related("cpts", "professional")
            .first()
        )
        try:
            if action == "request":
                register.member_request(actor=user, cpts=cpts)
            elif action == "add":
                register.member_add(actor=coordinator, cpts=cpts, professional=pro)
            elif line is None:
                continue
            elif action == "consent":
                register.member_consent(actor=user, member=line)
            elif action == "decline":
                register.member_consent(actor=user, member=line, accept=False)
            elif action == "record":
                register.member_consent_record(actor=coordinator, member=line, evidence="Bulletin signé")
            elif action == "accept":
                register.member_accept(actor=coordinator, member=line)
            elif action == "refuse":
                register.member_refuse(actor=coordinator, member=line)
            elif action == "resign":
                register.member_resign(actor=user, member=line)
            elif action == "exclude":
                register.member_exclude(
                    actor=coordinator,
                    member=line,
                    decided_on=today,
                    body="bureau",
                    reason="Motif grave",
                    defence_invited_on=today - datetime.timedelta(days=8),
                )
        except (ValidationError, PermissionDenied):
            pass
    lines = list(RegisterMember.objects.select_related("exclusion").prefetch_related("events"))
    open_keys = [(m.cpts_id, m.professional_id) for m in lines if m.status in OPEN_STATUSES]
    assert len(open_keys) == len(set(open_keys))
    for m in lines:
        if m.status == MemberStatus.ACTIVE:
            assert m.joined_on and m.consented_at
        if m.status == MemberStatus.EXCLUDED:
            assert m.exclusion.reason and m.exclusion.defence_invited_on <= m.exclusion.decided_on
        events = list(m.events.all())
        assert events and events[-1].to_status == m.status
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status
    active = {world.cpts_a.pk: 0, world.cpts_b.pk: 0}
    for m in lines:
        if m.status == MemberStatus.ACTIVE:
            active[m.cpts_id] += 1
    assert express_member_counts(list(active)) == active
