"""Governance panels of the federation cockpit (issue 18, item 1): registered from the app, French,
linking to where each item is handled, in a fixed number of queries whatever the sizes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from federation.cockpit import Panel, build_panels, panels
from federation.governance import cockpit, services
from federation.governance.tasks import send_convocation
from tests import factories

pytestmark = pytest.mark.django_db

QUERIES = {"governance.open_votes": 4, "governance.unpaid_fees": 1, "governance.upcoming_assemblies": 5}


def _grow(a, n):
    """`n` more of everything: open polls, unpaid fees, meetings to come, member CPTS."""
    for i in range(n):
        poll = services.poll_create(actor=None, federation=a.fed, meeting=a.meeting, title=f"Question {i}")
        services.poll_open(actor=None, poll=poll)
        services.fee_set(actor=None, federation=a.fed, member=a.members[i % 5], year=2020 + i, amount=300)
        meeting = services.meeting_create(
            actor=None,
            federation=a.fed,
            body="bureau",
            title=f"Bureau {i}",
            starts_at=timezone.now() + timedelta(days=10 + i),
        )
        if i % 2:
            services.meeting_convene(actor=None, meeting=meeting)  # a bureau meeting: no notice needed
        cpts = factories.CptsFactory(name=f"CPTS Nouvelle {a.fed.pk}-{i}")
        factories.FederationMemberFactory(federation=a.fed, cpts=cpts)


def test_panels_are_registered_in_the_federation_scope():
    keys = {p.key for p in panels(Panel.FEDERATION)}
    assert {p.key for p in cockpit.PANELS} <= keys


@pytest.mark.parametrize("extra", [1, 4])
def test_panels_read_in_a_fixed_number_of_queries(ago, django_assert_num_queries, extra):
    a = ago
    _grow(a, extra)
    for panel in cockpit.PANELS:
        with django_assert_num_queries(QUERIES[panel.key]):
            data = panel.build(a.fed, a.coordinator)
        assert data.items, panel.key


def test_panels_say_what_needs_attention_in_french_with_links(ago):
    a = ago
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Budget 2027")
    services.poll_open(actor=a.coordinator, poll=poll)
    services.ballot_cast(actor=a.delegates[1], poll=poll, choice="yes")
    services.fee_set(actor=None, federation=a.fed, member=a.members[2], year=2025, amount=300)
    draft = services.meeting_create(
        actor=None,
        federation=a.fed,
        body="ago",
        title="AGO 2028",
        starts_at=timezone.now() + timedelta(days=30),
    )
    built = {p.key: d for p, d in build_panels(Panel.FEDERATION, a.fed, a.coordinator)}
    votes = built["governance.open_votes"]
    assert votes.items[0].label == "Budget 2027" and "1/8 ont voté" in votes.items[0].detail
    assert votes.items[0].url.endswith(f"/scrutins/{poll.pk}/")
    fees = built["governance.unpaid_fees"]
    assert fees.items[0].label == a.cpts[2].name and "300" in fees.items[0].detail
    assert fees.items[0].url.endswith("#cotisations") and fees.items[0].level == "danger"
    meetings = {i.label.split(" — ")[0]: i for i in built["governance.upcoming_assemblies"].items}
    # Today (December) no AGO was held in the first half of the year: the statutes' reminder comes first.
    first = built["governance.upcoming_assemblies"].items[0]
    if timezone.localdate().month > 6:
        assert "non tenue dans les six mois" in first.label and first.level == "danger"
    assert "Convocation à envoyer avant le" in meetings["AGO 2028"].detail
    assert meetings["AGO 2028"].url.endswith(f"/seances/{draft.pk}/")
    assert "En séance. Convoquée : 0/8 convocations envoyées" in meetings["AGO 2026"].detail
    send_convocation(a.meeting.pk)  # what the worker does once the convocation is committed
    built = {p.key: d for p, d in build_panels(Panel.FEDERATION, a.fed, a.coordinator)}
    assert any(
        "Convoquée : 8/8 convocations envoyées" in i.detail
        for i in built["governance.upcoming_assemblies"].items
    )


def test_empty_panels_say_what_to_do(assembly):
    built = {p.key: d for p, d in build_panels(Panel.FEDERATION, assembly.fed, assembly.coordinator)}
    assert built["governance.open_votes"].empty == "Aucun vote ouvert."
    panel = built["governance.upcoming_assemblies"]
    assert "préparez la prochaine assemblée" in panel.empty or "six mois" in panel.items[0].label
