"""Tenant isolation of every shared actions endpoint (pages and API): a user of another CPTS or
federation gets 404, a member without the role gets 403, anonymous users are sent to log in."""

import pytest
from django.urls import reverse

from shared_actions.rosters import services as roster_services
from tests.shared_actions.conftest import unchanged

pytestmark = pytest.mark.django_db


# (url name, args builder, a reader who gets 200, users who get 404)
CPTS_PRIVATE = ["member_b", "member_c", "partner_delegate", "outsider"]
FEDERATION_PRIVATE = ["member_c", "outsider"]


def _cases(o, w):
    return [
        ("api-actions-document", [o.document.pk], "member_a", CPTS_PRIVATE),
        ("api-actions-document-versions", [o.document.pk], "member_a", CPTS_PRIVATE),
        ("api-actions-document-download", [o.document.pk, 1], "member_a", CPTS_PRIVATE),
        ("api-actions-document-log", [o.document.pk], "coordinator_a", CPTS_PRIVATE),
        ("api-actions-roster", [o.roster.pk], "member_a", CPTS_PRIVATE),
        ("api-actions-roster-shifts", [o.roster.pk], "member_a", CPTS_PRIVATE),
        ("api-actions-roster-coverage", [o.roster.pk], "member_a", CPTS_PRIVATE),
        ("api-actions-roster-hours", [o.roster.pk], "coordinator_a", CPTS_PRIVATE),
        ("api-actions-campaign", [o.campaign.pk], "member_b", FEDERATION_PRIVATE),
        ("api-actions-campaign-actions", [o.campaign.pk], "partner_delegate", FEDERATION_PRIVATE),
        ("api-actions-campaign-indicators", [o.campaign.pk], "member_b", FEDERATION_PRIVATE),
        ("api-actions-indicator-values", [o.campaign.pk, o.indicator.pk], "member_b", FEDERATION_PRIVATE),
        ("api-actions-campaign-dashboard", [o.campaign.pk], "member_b", FEDERATION_PRIVATE),
        ("api-actions-agenda", [w.fed.slug], "member_b", FEDERATION_PRIVATE),
        ("api-actions-meeting", [o.meeting.pk], "member_a", CPTS_PRIVATE),
        ("api-actions-meeting-attendance", [o.meeting.pk], "coordinator_a", CPTS_PRIVATE),
    ]


def _pages(o, w):
    return [
        ("actions-document", [o.document.pk], "member_a", CPTS_PRIVATE),
        ("actions-document-download", [o.document.pk, 1], "member_a", CPTS_PRIVATE),
        ("actions-roster", [o.roster.pk], "member_a", CPTS_PRIVATE),
        ("actions-roster-hours", [o.roster.pk], "coordinator_a", CPTS_PRIVATE),
        ("actions-campaign", [o.campaign.pk], "member_b", FEDERATION_PRIVATE),
        ("actions-agenda", [w.fed.slug], "partner_delegate", FEDERATION_PRIVATE),
        ("actions-agenda-ics", [w.fed.slug], "member_b", FEDERATION_PRIVATE),
        ("actions-meeting", [o.meeting.pk], "member_a", CPTS_PRIVATE),
        ("actions-meeting-ics", [o.meeting.pk], "member_a", CPTS_PRIVATE),
        ("actions-meeting-sheet", [o.meeting.pk], "coordinator_a", CPTS_PRIVATE),
    ]


def test_api_reads_are_isolated(world, api, objects):
    for name, args, reader, strangers in _cases(objects, world):
        url = reverse(name, args=args)
        assert api(getattr(world, reader)).get(url).status_code == 200, (name, reader)
        for stranger in strangers:
            assert api(getattr(world, stranger)).get(url).status_code == 404, (name, stranger)
        assert api().get(url).status_code in (401, 403), name


def test_pages_are_isolated(world, web, objects):
    for name, args, reader, strangers in _pages(objects, world):
        url = reverse(name, args=args)
        assert web(getattr(world, reader)).get(url).status_code == 200, (name, reader)
        for stranger in strangers:
            assert web(getattr(world, stranger)).get(url).status_code == 404, (name, stranger)
        assert web().get(url).status_code == 302, name


def test_index_pages_only_list_what_is_visible(world, web, api, objects):
    for name in (
        "actions-index",
        "actions-documents",
        "actions-rosters",
        "actions-campaigns",
        "actions-meetings",
    ):
        assert web(world.member_c).get(reverse(name)).status_code == 200
        assert web().get(reverse(name)).status_code == 302
    html = web(world.member_c).get(reverse("actions-index")).content.decode()
    assert "Octobre rose" not in html and "Bureau" not in html
    for name in (
        "api-actions-documents",
        "api-actions-rosters",
        "api-actions-campaigns",
        "api-actions-meetings",
    ):
        assert api(world.member_c).get(reverse(name)).json()["count"] == 0, name
        assert api(world.member_a).get(reverse(name)).json()["count"] == 1, name
    assert api(world.member_c).get(reverse("api-actions-swaps")).json()["count"] == 0
    assert api(world.member_c).get(reverse("api-actions-my-shifts")).json()["count"] == 0


def test_api_writes_need_the_role(world, api, objects):
    o = objects
    forbidden = [  # (user, method, url name, args, payload) → 403
        ("member_a", "post", "api-actions-roster-sites", [o.roster.pk], {"name": "x"}),
        ("member_a", "post", "api-actions-roster-shifts", [o.roster.pk], {}),
        (
            "member_a",
            "post",
            "api-actions-campaign-indicators",
            [o.campaign.pk],
            {"name": "x", "target": "1"},
        ),
        ("member_a", "post", "api-actions-meeting-invite", [o.meeting.pk], {"users": [world.bureau_a.pk]}),
        ("member_a", "post", "api-actions-meeting-minutes", [o.meeting.pk], {}),
        ("member_a", "post", "api-actions-meeting-attendance", [o.meeting.pk], {"present": []}),
        ("member_a", "post", "api-actions-swap-action", [o.swap.pk, "approve"], {}),
        ("bureau_a", "post", "api-actions-shift-assignments", [o.shift.pk], {"user": world.member_a.pk}),
        (
            "member_b",
            "post",
            "api-actions-indicator-values",
            [o.campaign.pk, o.indicator.pk],
            {"cpts": "bravo", "date": "2026-01-01", "value": "1"},
        ),
        ("bureau_a", "delete", "api-actions-assignment", [o.assignment.pk], None),
    ]
    for user, method, name, args, payload in forbidden:
        with unchanged():
            response = getattr(api(getattr(world, user)), method)(
                reverse(name, args=args), payload, format="json"
            )
            assert response.status_code == 403, (name, user, response.content)
    not_found = [  # users of another CPTS/federation → 404
        ("member_b", "post", "api-actions-shift-assignments", [o.shift.pk], {}),
        (
            "member_c",
            "post",
            "api-actions-campaign-actions",
            [o.campaign.pk],
            {"title": "x", "date": "2026-01-01", "cpts": "alpha"},
        ),
        ("member_c", "patch", "api-actions-task", [o.task.pk], {"done": True}),
        ("member_b", "post", "api-actions-swap-action", [o.swap.pk, "accept"], {}),
        ("member_b", "delete", "api-actions-assignment", [o.assignment.pk], None),
        ("member_b", "post", "api-actions-meeting-reply", [o.meeting.pk], {"reply": "yes"}),
        ("coordinator_b", "post", "api-actions-feeds", [], {"roster": o.roster.pk}),
        ("member_c", "post", "api-actions-campaign-materials", [o.campaign.pk], {"document": o.document.pk}),
        ("member_b", "patch", "api-actions-document", [o.document.pk], {"title": "x"}),
    ]
    for user, method, name, args, payload in not_found:
        with unchanged():
            response = getattr(api(getattr(world, user)), method)(
                reverse(name, args=args), payload, format="json"
            )
            assert response.status_code == 404, (name, user, response.content)


def test_page_writes_need_the_role(world, web, objects):
    o = objects
    forbidden = [
        ("member_a", "actions-roster-site", [o.roster.pk], {"name": "x"}),
        ("member_a", "actions-roster-shifts", [o.roster.pk], {}),
        ("member_a", "actions-meeting-invite", [o.meeting.pk], {}),
        ("member_a", "actions-meeting-minutes", [o.meeting.pk], {}),
        ("member_a", "actions-campaign-indicator", [o.campaign.pk], {}),
        ("member_a", "actions-document", [o.document.pk], {}),
    ]
    for user, name, args, payload in forbidden:
        with unchanged():
            assert web(getattr(world, user)).post(reverse(name, args=args), payload).status_code == 403, name
    not_found = [
        ("member_b", "actions-shift-signup", [o.shift.pk], {}),
        ("member_b", "actions-assignment-withdraw", [o.assignment.pk], {}),
        ("member_b", "actions-assignment-request", [o.assignment.pk], {}),
        ("member_b", "actions-swap", [o.swap.pk, "accepter"], {}),
        ("member_c", "actions-campaign-value", [o.campaign.pk], {}),
        ("member_c", "actions-campaign-action", [o.campaign.pk], {}),
        ("member_c", "actions-action-task", [o.action.pk], {"label": "x"}),
        ("member_c", "actions-campaign-material", [o.campaign.pk], {"document": o.document.pk}),
        ("member_b", "actions-meeting-reply", [o.meeting.pk], {"reply": "yes"}),
        ("member_b", "actions-meeting-attendance", [o.meeting.pk], {}),
    ]
    for user, name, args, payload in not_found:
        with unchanged():
            assert web(getattr(world, user)).post(reverse(name, args=args), payload).status_code == 404, name


def test_feed_tokens_are_secret(world, web, objects):
    assert web().get(reverse("actions-ical-feed", args=["n-existe-pas"])).status_code == 404
    feed = roster_services.calendar_feed_create(actor=world.member_a)
    rotated = roster_services.calendar_feed_create(actor=world.member_a)
    assert web().get(reverse("actions-ical-feed", args=[feed.token])).status_code == 404
    assert web().get(reverse("actions-ical-feed", args=[rotated.token])).status_code == 200
    assert len(rotated.token) >= 40


def test_schema_lists_the_endpoints(world, api):
    schema = api(world.member_a).get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/shared-actions/documents/",
        "/api/shared-actions/rosters/{roster_id}/coverage/",
        "/api/shared-actions/campaigns/{campaign_id}/dashboard/",
        "/api/shared-actions/meetings/{meeting_id}/attendance/",
        "/api/shared-actions/federations/{federation_slug}/agenda/",
    ):
        assert path in paths, path


def test_admin_pages_render(world, web, objects):
    browser = web(world.staff)
    world.staff.is_superuser = True
    world.staff.save()
    for model in ("document", "roster", "shift", "campaign", "meeting", "swaprequest", "calendarfeed"):
        assert browser.get(f"/admin/shared_actions/{model}/").status_code == 200, model
    assert browser.get(f"/admin/shared_actions/document/{objects.document.pk}/change/").status_code == 200


def test_malformed_ids_in_forms_are_404(world, web, objects):
    o = objects
    browser = web(world.coordinator_a)
    assert browser.post(reverse("actions-feed-create"), {"roster": "abc"}).status_code == 404
    assert (
        browser.post(
            reverse("actions-campaign-material", args=[o.campaign.pk]), {"document": "x"}
        ).status_code
        == 404
    )
    assert browser.post(reverse("actions-shift-signup", args=[o.shift.pk]), {"user": "x"}).status_code == 404
    assert (
        web(world.member_a)
        .post(reverse("actions-assignment-request", args=[o.assignment.pk]), {"mine": "x"})
        .status_code
        == 404
    )
