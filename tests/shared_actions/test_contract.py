"""The house style pinned for shared actions (issue 14): one error shape per sub-domain (a service's
error and a field error), and exact query counts on a roster sign-up and on every list endpoint, the
same with 2 or 8 rows of everything (no N+1)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shared_actions.campaigns import services as campaign_services
from shared_actions.documents import services as document_services
from shared_actions.documents.models import Document
from shared_actions.meetings import services as meeting_services
from shared_actions.rosters import services as roster_services
from shared_actions.rosters import swaps as swap_services
from shared_actions.rosters.models import ShiftAssignment
from tests.shared_actions import factories as docs
from tests.shared_actions.conftest import at, pdf_upload

pytestmark = pytest.mark.django_db


def _shape(response, status=400):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}, body
    assert isinstance(body["detail"], str) and isinstance(body["code"], str), body
    return body


# --- one error shape ------------------------------------------------------------------------------
def test_documents_error_shape(world, api):
    client = api(world.member_a)
    url = reverse("api-actions-documents")
    service = _shape(
        client.post(
            url,
            {
                "title": "Statuts",
                "category": "statuts",
                "cpts": "alpha",
                "visibility": "selected",
                "file": pdf_upload(),
            },
            format="multipart",
        )
    )
    assert service["code"] == "no_recipient" and service["fields"] == {}
    assert "destinataire" in service["detail"]  # French
    field = _shape(
        client.post(url, {"category": "statuts", "cpts": "alpha", "file": pdf_upload()}, format="multipart")
    )
    assert field["code"] == "required" and list(field["fields"]) == ["title"]
    assert not Document.objects.exists()


def test_rosters_error_shape(world, api, pooled_roster, next_saturday):
    shift = pooled_roster.shifts.order_by("start", "site__name").first()
    url = reverse("api-actions-shift-assignments", args=[shift.pk])
    assert api(world.member_a).post(url, {}, format="json").status_code == 201
    service = _shape(api(world.member_a).post(url, {}, format="json"))
    assert service["code"] == "already_assigned" and service["fields"] == {}
    assert "déjà inscrite" in service["detail"]
    shifts = reverse("api-actions-roster-shifts", args=[pooled_roster.pk])
    field = _shape(
        api(world.coordinator_a).post(
            shifts, {"site": shift.site_id, "start": "demain", "end": "x"}, format="json"
        )
    )
    assert field["code"] == "invalid" and set(field["fields"]) == {"start", "end"}
    assert field["detail"] == "Certaines données sont invalides."
    assert ShiftAssignment.objects.filter(shift=shift).count() == 1


def test_campaigns_error_shape(world, api):
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        actor=world.fed_coordinator,
        federation=world.fed,
        title="Octobre rose",
        theme="octobre_rose",
        start_date=today,
        end_date=today + dt.timedelta(days=30),
        lead_cpts=world.cpts_a,
        participants=[world.cpts_a, world.cpts_b],
    )
    url = reverse("api-actions-campaign-indicators", args=[campaign.pk])
    service = _shape(
        api(world.fed_coordinator).post(url, {"name": "Dépistages", "target": "0"}, format="json")
    )
    assert service["code"] == "bad_target" and service["fields"] == {}
    field = _shape(api(world.fed_coordinator).post(url, {"target": "10"}, format="json"))
    assert field["code"] == "required" and list(field["fields"]) == ["name"]
    assert not campaign.indicators.exists()


def test_meetings_error_shape(world, api):
    start = timezone.now() + dt.timedelta(days=2)
    payload = {"title": "Bureau", "cpts": "alpha", "start": start.isoformat()}
    url = reverse("api-actions-meetings")
    end = (start + dt.timedelta(hours=1)).isoformat()
    service = _shape(api(world.coordinator_a).post(url, {**payload, "end": end}, format="json"))
    assert service["code"] == "no_place" and "visioconférence" in service["detail"]
    field = _shape(api(world.coordinator_a).post(url, payload, format="json"))
    assert list(field["fields"]) == ["end"] and field["code"] == "required"
    meeting = meeting_services.meeting_create(
        actor=world.coordinator_a,
        title="Bureau",
        cpts=world.cpts_a,
        start=start,
        end=start + dt.timedelta(hours=1),
        place="Lunel",
    )
    reply = _shape(
        api(world.coordinator_a).post(
            reverse("api-actions-meeting-reply", args=[meeting.pk]), {"reply": "peut-être"}, format="json"
        )
    )
    assert reply["code"] == "invalid_choice" and list(reply["fields"]) == ["reply"]


def test_html_pages_show_service_errors_in_french(world, web, pooled_roster):
    shift = pooled_roster.shifts.order_by("start", "site__name").first()
    browser = web(world.member_a)
    url = reverse("actions-shift-signup", args=[shift.pk])
    browser.post(url)
    page = browser.post(url, follow=True).content.decode()
    assert "Cette personne est déjà inscrite sur ce créneau." in page


# --- exact query counts ---------------------------------------------------------------------------
def _grow(world, objects, next_saturday, n):
    """`n` more of everything the list endpoints show, for member_a."""
    o = objects
    today = timezone.localdate()
    for index in range(n):
        shift = roster_services.shift_create(
            actor=world.coordinator_a,
            roster=o.roster,
            site=o.shift.site,
            start=at(next_saturday, 14) + dt.timedelta(days=index, minutes=index),
            end=at(next_saturday, 16) + dt.timedelta(days=index, minutes=index),
            required_count=3,
        )
        mine = roster_services.shift_sign_up(actor=world.member_a, shift=shift)
        roster_services.shift_sign_up(actor=world.bureau_a, shift=shift)
        swap_services.swap_request_create(actor=world.member_a, assignment=mine, kind="replacement")
        document = docs.document(world.coordinator_a, cpts=world.cpts_a, title=f"D{index}")
        document_services.document_add_version(
            actor=world.coordinator_a, document=o.document, file=pdf_upload()
        )
        document_services.document_record_download(actor=world.member_a, version=document.versions.get())
        campaign_services.campaign_action_create(
            actor=world.coordinator_a,
            campaign=o.campaign,
            title=f"A{index}",
            date=today,
            cpts=world.cpts_a,
            tasks=["x", "y"],
        )
        indicator = campaign_services.indicator_create(
            actor=world.fed_coordinator, campaign=o.campaign, name=f"I{index}", target=10
        )
        for cpts in (world.cpts_a, world.cpts_b):
            campaign_services.indicator_value_report(
                actor=world.fed_coordinator,
                indicator=o.indicator,
                cpts=cpts,
                date=today - dt.timedelta(days=index),
                value=index,
            )
            campaign_services.indicator_value_report(
                actor=world.fed_coordinator, indicator=indicator, cpts=cpts, date=today, value=index
            )
        campaign_services.campaign_create(
            actor=world.fed_coordinator,
            federation=world.fed,
            title=f"C{index}",
            theme="autre",
            start_date=today,
            end_date=today + dt.timedelta(days=3),
            lead_cpts=world.cpts_b,
            participants=[world.cpts_a, world.cpts_b],
        )
        start = timezone.now() + dt.timedelta(days=index + 1)
        meeting_services.meeting_create(
            actor=world.coordinator_a,
            title=f"M{index}",
            cpts=world.cpts_a,
            start=start,
            end=start + dt.timedelta(hours=1),
            place="Lunel",
            invitees=[world.member_a, world.bureau_a],
        )
        meeting_services.meeting_invite(actor=world.coordinator_a, meeting=o.meeting, users=[world.bureau_a])
        roster_services.calendar_feed_create(actor=world.coordinator_a, roster=o.roster)


SIGN_UP_QUERIES = 18  # access (3), lookups and locks, the checks, the insert: see the services

# (reader, url builder, exact queries): authentication is forced, so no session query.
LISTS = [
    ("member_a", lambda o, w: reverse("api-actions-documents"), 6),
    ("member_a", lambda o, w: reverse("api-actions-document-versions", args=[o.document.pk]), 5),
    ("coordinator_a", lambda o, w: reverse("api-actions-document-log", args=[o.document.pk]), 5),
    ("member_a", lambda o, w: reverse("api-actions-rosters"), 6),
    ("member_a", lambda o, w: reverse("api-actions-roster-shifts", args=[o.roster.pk]), 7),
    ("member_a", lambda o, w: reverse("api-actions-roster-coverage", args=[o.roster.pk]), 7),
    ("member_a", lambda o, w: reverse("api-actions-my-shifts"), 2),
    ("member_a", lambda o, w: reverse("api-actions-swaps"), 4),
    ("coordinator_a", lambda o, w: reverse("api-actions-feeds"), 4),
    ("member_a", lambda o, w: reverse("api-actions-campaigns"), 7),
    ("member_a", lambda o, w: reverse("api-actions-campaign-actions", args=[o.campaign.pk]), 8),
    ("member_a", lambda o, w: reverse("api-actions-campaign-indicators", args=[o.campaign.pk]), 7),
    (
        "member_a",
        lambda o, w: reverse("api-actions-indicator-values", args=[o.campaign.pk, o.indicator.pk]),
        8,
    ),
    ("member_a", lambda o, w: reverse("api-actions-campaign-dashboard", args=[o.campaign.pk]), 7),
    ("member_a", lambda o, w: reverse("api-actions-agenda", args=[w.fed.slug]), 16),
    ("member_a", lambda o, w: reverse("api-actions-meetings"), 5),
    ("coordinator_a", lambda o, w: reverse("api-actions-meeting-attendance", args=[o.meeting.pk]), 5),
]


@pytest.mark.parametrize("rows", [2, 8])
def test_list_endpoints_exact_query_counts(
    world, api, objects, next_saturday, rows, django_assert_num_queries
):
    """The same count with 2 or 8 more rows of everything: scope (memberships, federation roles, member
    federations), the page's count and rows, one query per prefetch."""
    _grow(world, objects, next_saturday, rows)
    for reader, url, expected in LISTS:
        path = url(objects, world)
        client = api(getattr(world, reader))
        with django_assert_num_queries(expected):
            response = client.get(path)
        assert response.status_code == 200, path


def test_roster_sign_up_exact_query_count(world, api, pooled_roster, django_assert_num_queries):
    shift = pooled_roster.shifts.order_by("start", "site__name").first()
    client = api(world.member_b)
    url = reverse("api-actions-shift-assignments", args=[shift.pk])
    with django_assert_num_queries(SIGN_UP_QUERIES):
        response = client.post(url, {}, format="json")
    assert response.status_code == 201, response.content
    assert ShiftAssignment.objects.filter(shift=shift, user=world.member_b).exists()
