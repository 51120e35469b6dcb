"""The pooled resources' panels on the federation cockpit (issue 18, item 1): what each panel shows, that
a CPTS's private documents never appear in the federation's view of it, that the links lead to pages
the federation coordinator may open, and that the query count stays flat as CPTS are added."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from federation.cockpit import Panel, build_panels, panels
from federation.models import CptsRole
from shared_actions.campaigns import services as campaign_services
from shared_actions.cockpit import PANELS
from shared_actions.documents.models import Visibility
from shared_actions.meetings import services as meeting_services
from shared_actions.rosters import services as roster_services
from tests import factories
from tests.shared_actions import factories as docs
from tests.shared_actions.conftest import at

pytestmark = pytest.mark.django_db


def _build(key, subject, user):
    panel = next(p for p in PANELS if p.key == key)
    return panel.build(subject, user)


def _campaign(world, federation, lead, participants, *, title, started_days_ago=10, lasts=20):
    today = timezone.localdate()
    return campaign_services.campaign_create(
        actor=world.staff,
        federation=federation,
        title=title,
        theme="vaccination_grippe",
        start_date=today - dt.timedelta(days=started_days_ago),
        end_date=today - dt.timedelta(days=started_days_ago) + dt.timedelta(days=lasts),
        lead_cpts=lead,
        participants=participants,
    )


def _report(world, campaign, target, values):
    indicator = campaign_services.indicator_create(
        actor=world.staff, campaign=campaign, name="Personnes vaccinées", target=target
    )
    for cpts, value in values.items():
        campaign_services.indicator_value_report(
            actor=world.staff, indicator=indicator, cpts=cpts, date=timezone.localdate(), value=value
        )
    return indicator


def test_panels_are_registered_from_the_app(world):
    keys = {p.key for p in panels(Panel.FEDERATION)}
    assert {"shared_actions.uncovered_shifts", "shared_actions.campaigns_behind"} <= keys
    assert "shared_actions.upcoming_meetings" in keys
    cpts_keys = {p.key for p in panels(Panel.CPTS)}
    assert {
        "shared_actions.cpts_documents",
        "shared_actions.cpts_rosters",
        "shared_actions.cpts_campaigns",
        "shared_actions.cpts_meetings",
    } <= cpts_keys
    built = dict((p.key, d) for p, d in build_panels(Panel.FEDERATION, world.fed, world.fed_coordinator))
    assert built["shared_actions.uncovered_shifts"].empty  # every panel says what an empty panel means


def test_uncovered_shifts_of_the_next_14_days(world, web, pooled_roster, next_saturday):
    shifts = list(pooled_roster.shifts.order_by("start", "site__name"))  # Sat Lunel, Sat Mauguio, Sun …
    roster_services.shift_sign_up(actor=world.member_a, shift=shifts[0])  # 1 of 2
    for person in (world.member_a, world.coordinator_a):  # Sunday at Lunel: full
        roster_services.shift_sign_up(actor=person, shift=shifts[2])
    # A CPTS roster of Alpha: counted too; Charlie's (the other federation) is not.
    own = roster_services.roster_create(actor=world.coordinator_a, name="Gardes Alpha", cpts=world.cpts_a)
    site = roster_services.site_create(actor=world.coordinator_a, roster=own, name="Cabinet Lunel")
    alpha_shift = roster_services.shift_create(
        actor=world.coordinator_a,
        roster=own,
        site=site,
        start=at(next_saturday, 20),
        end=at(next_saturday, 23),
    )
    coordinator_c = factories.MembershipFactory(cpts=world.cpts_c, role=CptsRole.COORDINATOR).user
    other = roster_services.roster_create(actor=coordinator_c, name="Gardes Charlie", cpts=world.cpts_c)
    other_site = roster_services.site_create(actor=coordinator_c, roster=other, name="Nîmes")
    roster_services.shift_create(
        actor=coordinator_c,
        roster=other,
        site=other_site,
        start=at(next_saturday, 8),
        end=at(next_saturday, 9),
    )
    far = next_saturday + dt.timedelta(days=21)  # beyond the 14 days
    roster_services.shift_create(
        actor=world.coordinator_a, roster=own, site=site, start=at(far, 8), end=at(far, 9)
    )

    data = _build("shared_actions.uncovered_shifts", world.fed, world.fed_coordinator)
    assert data.count == 4  # Sat Lunel (1/2), Sat Mauguio, Sun Mauguio, Alpha's evening
    details = [item.detail for item in data.items]
    assert "SNP week-end Alpha-Bravo : 1 place à pourvoir (1/2)" in details
    assert "Gardes Alpha : 1 place à pourvoir (0/1)" in details
    assert not any("Charlie" in d for d in details)
    first = data.items[0]
    assert first.level == "warning" and first.url.endswith(f"#shift-{shifts[0].pk}")
    assert [i.level for i in data.items].count("danger") == 3  # nobody on them yet
    # Each line leads to the roster's week where the shift is handled, open to the federation coordinator.
    alpha_item = next(i for i in data.items if i.url.endswith(f"#shift-{alpha_shift.pk}"))
    page = web(world.fed_coordinator).get(alpha_item.url)
    assert page.status_code == 200 and f'id="shift-{alpha_shift.pk}"' in page.content.decode()
    # … and stays closed to the other federation's coordinator and to another CPTS's member.
    assert web(world.member_b).get(reverse("actions-roster", args=[own.pk])).status_code == 404
    charlie = _build("shared_actions.uncovered_shifts", world.other_fed, world.staff)
    assert [i.detail.split(" :")[0] for i in charlie.items] == ["Gardes Charlie"]


def test_empty_panels_say_what_it_means(world):
    for key in (
        "shared_actions.uncovered_shifts",
        "shared_actions.campaigns_behind",
        "shared_actions.upcoming_meetings",
    ):
        data = _build(key, world.fed, world.fed_coordinator)
        assert data.items == [] and data.count == 0 and data.empty, key
    for key in (
        "shared_actions.cpts_documents",
        "shared_actions.cpts_rosters",
        "shared_actions.cpts_campaigns",
        "shared_actions.cpts_meetings",
    ):
        data = _build(key, world.cpts_a, world.fed_coordinator)
        assert data.items == [] and data.empty, key
    assert (
        "Toutes les gardes"
        in _build("shared_actions.uncovered_shifts", world.fed, world.fed_coordinator).empty
    )


def test_campaigns_behind_their_target_with_achievement(world):
    behind = _campaign(world, world.fed, world.cpts_a, [world.cpts_a, world.cpts_b], title="Grippe 2026")
    _report(world, behind, 100, {world.cpts_a: Decimal(5), world.cpts_b: Decimal(5)})  # 10 % at half time
    on_track = _campaign(world, world.fed, world.cpts_b, [world.cpts_b], title="Dépistage colorectal")
    _report(world, on_track, 10, {world.cpts_b: Decimal(8)})
    elsewhere = _campaign(world, world.other_fed, world.cpts_c, [world.cpts_c], title="Gard tabac")
    _report(world, elsewhere, 100, {world.cpts_c: Decimal(1)})
    _campaign(world, world.fed, world.cpts_a, [world.cpts_a], title="Sans indicateur")

    data = _build("shared_actions.campaigns_behind", world.fed, world.fed_coordinator)
    assert [i.label for i in data.items] == ["Grippe 2026"] and data.count == 1
    item = data.items[0]
    assert item.url == reverse("actions-campaign", args=[behind.pk])
    assert item.detail.startswith(
        "Atteinte 10 % pour 50 % attendus à ce jour — Personnes vaccinées : 10 / 100"
    )
    assert item.level == "danger"  # under half of what is expected


def test_shared_meetings_coming_up(world):
    start = timezone.now() + dt.timedelta(days=3)
    shared = meeting_services.meeting_create(
        actor=world.fed_coordinator,
        title="Groupe de travail SNP",
        federation=world.fed,
        kind="working_group",
        start=start,
        end=start + dt.timedelta(hours=2),
        place="Montpellier",
        invitees=[world.coordinator_a, world.coordinator_b],
    )
    meeting_services.invitation_reply(actor=world.coordinator_a, meeting=shared, reply="yes")
    meeting_services.meeting_create(
        actor=world.fed_coordinator,
        title="Formation sans invitation",
        federation=world.fed,
        kind="training",
        start=start + dt.timedelta(days=1),
        end=start + dt.timedelta(days=1, hours=2),
        place="Sète",
    )
    meeting_services.meeting_create(
        actor=world.coordinator_a,
        title="Bureau Alpha",
        cpts=world.cpts_a,
        start=start,
        end=start + dt.timedelta(hours=1),
        place="Lunel",
    )
    data = _build("shared_actions.upcoming_meetings", world.fed, world.fed_coordinator)
    assert [i.label for i in data.items] == ["Groupe de travail SNP", "Formation sans invitation"]
    assert data.items[0].detail.endswith("invitations : 2, présences annoncées : 1")
    assert data.items[1].detail.endswith("aucune invitation envoyée") and data.items[1].level == "warning"
    assert data.items[0].url == reverse("actions-meeting", args=[shared.pk])
    assert _build("shared_actions.upcoming_meetings", world.other_fed, world.staff).items == []


def test_federation_view_of_a_cpts_shows_nothing_private(world, web):
    shared = docs.document(
        world.coordinator_a,
        cpts=world.cpts_a,
        visibility=Visibility.FEDERATION,
        title="Projet de santé Alpha",
    )
    partners = docs.document(
        world.coordinator_a,
        cpts=world.cpts_a,
        visibility=Visibility.PARTNERS,
        title="Annuaire des partenaires",
    )
    docs.document(world.coordinator_a, cpts=world.cpts_a, title="PV du bureau (interne)")
    docs.document(
        world.coordinator_a,
        cpts=world.cpts_a,
        visibility=Visibility.SELECTED,
        shared_with=[world.cpts_b],
        title="Convention Bravo",
    )
    from shared_actions.documents import services as document_services
    from tests.shared_actions.conftest import pdf_upload

    document_services.document_create(
        actor=world.member_a,
        title="Pièce jointe d'une conversation",
        category="piece_jointe",
        file=pdf_upload(),
        cpts=world.cpts_a,
        visibility=Visibility.PEOPLE,
        shared_with_users=[world.coordinator_a],
    )
    docs.document(
        world.coordinator_b, cpts=world.cpts_b, visibility=Visibility.FEDERATION, title="Projet Bravo"
    )

    data = _build("shared_actions.cpts_documents", world.cpts_a, world.fed_coordinator)
    assert sorted(i.label for i in data.items) == ["Annuaire des partenaires", "Projet de santé Alpha"]
    assert data.count == 2
    for item in data.items:  # the federation coordinator opens what the panel lists
        assert web(world.fed_coordinator).get(item.url).status_code == 200
    assert {i.url for i in data.items} == {
        reverse("actions-document", args=[d.pk]) for d in (shared, partners)
    }


def test_federation_view_of_a_cpts_rosters_campaigns_meetings(world, pooled_roster, next_saturday):
    own = roster_services.roster_create(actor=world.coordinator_a, name="Gardes Alpha", cpts=world.cpts_a)
    rosters = _build("shared_actions.cpts_rosters", world.cpts_a, world.fed_coordinator)
    assert [i.label for i in rosters.items] == ["Gardes Alpha", "SNP week-end Alpha-Bravo (mutualisé)"]
    assert rosters.items[0].detail == "Gardes des 14 prochains jours couvertes."
    assert rosters.items[1].detail == "4 créneaux non couverts dans les 14 jours"
    assert rosters.items[0].url == reverse("actions-roster", args=[own.pk])
    assert [i.label for i in _build("shared_actions.cpts_rosters", world.cpts_c, world.staff).items] == []

    flu = _campaign(world, world.fed, world.cpts_a, [world.cpts_a, world.cpts_b], title="Grippe 2026")
    _report(world, flu, 100, {world.cpts_a: Decimal(40), world.cpts_b: Decimal(2)})
    campaigns = _build("shared_actions.cpts_campaigns", world.cpts_a, world.fed_coordinator)
    assert [i.label for i in campaigns.items] == ["Grippe 2026"]
    assert campaigns.items[0].detail.startswith("Personnes vaccinées : 40 / 50 pour la CPTS (80 %)")
    bravo = _build("shared_actions.cpts_campaigns", world.cpts_b, world.fed_coordinator).items[0]
    assert "2 / 50 pour la CPTS (4 %)" in bravo.detail and bravo.level == "warning"

    start = timezone.now() + dt.timedelta(days=5)
    meeting_services.meeting_create(
        actor=world.coordinator_a,
        title="Bureau Alpha",
        cpts=world.cpts_a,
        start=start,
        end=start + dt.timedelta(hours=1),
        place="Lunel",
    )
    meetings = _build("shared_actions.cpts_meetings", world.cpts_a, world.fed_coordinator)
    assert [(i.label, i.url) for i in meetings.items] == [("Bureau Alpha", "")]  # its page stays the CPTS's
    assert _build("shared_actions.cpts_meetings", world.cpts_b, world.fed_coordinator).items == []


def _add_member_cpts(world, index, next_saturday):
    """One more member CPTS with everything the panels read: a roster with an uncovered shift, a
    federation-visible document, a campaign behind its target, a meeting."""
    cpts = factories.CptsFactory(name=f"CPTS Ajoutée {index}", slug=f"ajoutee-{index}")
    factories.FederationMemberFactory(federation=world.fed, cpts=cpts)
    coordinator = factories.MembershipFactory(cpts=cpts, role=CptsRole.COORDINATOR).user
    roster = roster_services.roster_create(actor=coordinator, name=f"Gardes {index}", cpts=cpts)
    site = roster_services.site_create(actor=coordinator, roster=roster, name=f"Site {index}")
    roster_services.shift_create(
        actor=coordinator, roster=roster, site=site, start=at(next_saturday, 8), end=at(next_saturday, 12)
    )
    docs.document(coordinator, cpts=cpts, visibility=Visibility.FEDERATION, title=f"Doc {index}")
    campaign = _campaign(world, world.fed, cpts, [cpts, world.cpts_a], title=f"Campagne {index}")
    _report(world, campaign, 100, {cpts: Decimal(1), world.cpts_a: Decimal(1)})
    start = timezone.now() + dt.timedelta(days=2, hours=index)
    meeting_services.meeting_create(
        actor=world.fed_coordinator,
        title=f"Réunion {index}",
        federation=world.fed,
        kind="working_group",
        start=start,
        end=start + dt.timedelta(hours=1),
        place="Montpellier",
        invitees=[coordinator],
    )
    meeting_services.meeting_create(
        actor=coordinator,
        title=f"Bureau {index}",
        cpts=cpts,
        start=start,
        end=start + dt.timedelta(hours=1),
        place="ici",
    )


def _queries(scope, subject, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        for panel in PANELS:
            if panel.scope == scope:
                panel.build(subject, user)
    return len(queries)


# Federation: 1 (shifts) + 4 (campaigns, participants, indicators, values) + 1 (meetings).
FEDERATION_QUERIES = 6
# A CPTS: 2 (documents, count) + 2 (rosters, shifts) + 4 (campaigns) + 1 (meetings).
CPTS_QUERIES = 9


def test_query_counts_stay_flat_as_cpts_are_added(world, pooled_roster, next_saturday):
    _add_member_cpts(world, 0, next_saturday)
    assert _queries(Panel.FEDERATION, world.fed, world.fed_coordinator) == FEDERATION_QUERIES
    assert _queries(Panel.CPTS, world.cpts_a, world.fed_coordinator) == CPTS_QUERIES
    for index in range(1, 6):
        _add_member_cpts(world, index, next_saturday)
    assert _queries(Panel.FEDERATION, world.fed, world.fed_coordinator) == FEDERATION_QUERIES
    assert _queries(Panel.CPTS, world.cpts_a, world.fed_coordinator) == CPTS_QUERIES
    data = _build("shared_actions.uncovered_shifts", world.fed, world.fed_coordinator)
    assert data.count == 4 + 6 and len(data.items) == 10
    assert _build("shared_actions.campaigns_behind", world.fed, world.fed_coordinator).count == 6
