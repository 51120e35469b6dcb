"""Tenant isolation of every governance endpoint: another federation → 404, a participant without the
role → 403 (managing needs the bureau or the federation staff; voting needs a delegate)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from federation.governance import services
from federation.governance.models import BureauMandate
from tests import factories
from tests.governance.conftest import governance_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def gov(world):
    w = world
    services.statutes_initialize(actor=None, federation=w.fed)
    services.statutes_initialize(actor=None, federation=w.other_fed)
    member_a = w.fed.members.get(cpts=w.cpts_a)
    services.delegate_designate(actor=None, federation=w.fed, cpts=w.cpts_a, user=w.bureau_a)
    starts_at = timezone.now() + timedelta(days=10)
    meeting = services.meeting_create(
        actor=None, federation=w.fed, body="ago", title="AGO", starts_at=starts_at
    )
    services.meeting_convene(actor=None, meeting=meeting)
    services.meeting_open(actor=None, meeting=meeting, now=starts_at)
    services.attendance_sign(actor=None, meeting=meeting, member=member_a, status="present")
    poll = services.poll_create(actor=None, federation=w.fed, meeting=meeting, title="Motion")
    services.poll_open(actor=None, poll=poll)
    services.fee_set(actor=None, federation=w.fed, member=member_a, year=2026, amount=500)
    other_meeting = services.meeting_create(
        actor=None,
        federation=w.other_fed,
        body="ago",
        title="AGO Gard",
        starts_at=timezone.now() + timedelta(days=10),
    )
    other_poll = services.poll_create(
        actor=None, federation=w.other_fed, meeting=other_meeting, title="Motion du Gard"
    )
    return {
        "w": w,
        "meeting": meeting,
        "poll": poll,
        "member_a": member_a,
        "other_meeting": other_meeting,
        "other_poll": other_poll,
    }


def fed_kw(w):
    return {"federation_slug": w.fed.slug}


def read_urls(g):
    w = g["w"]
    kw = fed_kw(w)
    return [
        reverse("api-governance-overview", kwargs=kw),
        reverse("api-governance-statutes", kwargs=kw),
        reverse("api-governance-fees", kwargs=kw),
        reverse("api-governance-meetings", kwargs=kw),
        reverse("api-governance-meeting", kwargs={**kw, "meeting_id": g["meeting"].pk}),
        reverse("api-governance-polls", kwargs=kw),
        reverse("api-governance-poll", kwargs={**kw, "poll_id": g["poll"].pk}),
        reverse("api-governance-live", kwargs={**kw, "poll_id": g["poll"].pk}),
    ]


def test_api_reads_are_scoped_to_the_federation(gov, api):
    w = gov["w"]
    for url in read_urls(gov):
        for user in (w.member_a, w.member_b, w.partner_delegate, w.fed_coordinator, w.bureau_a):
            assert api(user).get(url).status_code == 200, (url, user)
        for user in (w.member_c, w.outsider):
            assert api(user).get(url).status_code == 404, (url, user)
        assert api().get(url).status_code in (401, 403)


def test_objects_of_another_federation_are_404(gov, api, web):
    w = gov["w"]
    kw = fed_kw(w)
    urls = [
        reverse("api-governance-meeting", kwargs={**kw, "meeting_id": gov["other_meeting"].pk}),
        reverse("api-governance-poll", kwargs={**kw, "poll_id": gov["other_poll"].pk}),
        reverse("api-governance-live", kwargs={**kw, "poll_id": gov["other_poll"].pk}),
        reverse("governance-meeting", kwargs={**kw, "meeting_id": gov["other_meeting"].pk}),
        reverse("governance-poll", kwargs={**kw, "poll_id": gov["other_poll"].pk}),
        reverse("governance-minutes", kwargs={**kw, "meeting_id": gov["other_meeting"].pk}),
    ]
    for url in urls:
        client = web(w.fed_coordinator) if url.startswith("/gouvernance/") else api(w.fed_coordinator)
        assert client.get(url).status_code == 404, url
    post = reverse("api-governance-ballots", kwargs={**kw, "poll_id": gov["other_poll"].pk})
    assert api(w.bureau_a).post(post, {"choice": "yes"}, format="json").status_code == 404


def test_audit_log_is_for_managers(gov, api):
    w = gov["w"]
    url = reverse("api-governance-audit", kwargs=fed_kw(w))
    assert api(w.fed_coordinator).get(url).status_code == 200
    assert api(w.member_a).get(url).status_code == 403
    assert api(w.member_c).get(url).status_code == 404


def test_api_writes_need_a_manager(gov, api):
    w = gov["w"]
    kw = fed_kw(w)
    meeting, poll = gov["meeting"], gov["poll"]
    writes = [
        (
            reverse("api-governance-statutes", kwargs=kw),
            {
                "changes": {"max_proxies_per_holder": 3},
                "opens_at": timezone.now().isoformat(),
                "closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
            },
        ),
        (
            reverse("api-governance-meetings", kwargs=kw),
            {
                "body": "bureau",
                "title": "Bureau",
                "starts_at": (timezone.now() + timedelta(days=9)).isoformat(),
            },
        ),
        (
            reverse(
                "api-governance-meeting-action", kwargs={**kw, "meeting_id": meeting.pk, "action": "close"}
            ),
            {},
        ),
        (reverse("api-governance-polls", kwargs=kw), {"title": "Nouvelle", "meeting": meeting.pk}),
        (reverse("api-governance-poll-action", kwargs={**kw, "poll_id": poll.pk, "action": "close"}), {}),
        (
            reverse("api-governance-attendance", kwargs={**kw, "meeting_id": meeting.pk}),
            {"member": w.fed.members.get(cpts=w.cpts_b).pk, "status": "present"},
        ),
    ]
    before = governance_rows(w.fed)
    for url, data in writes:
        assert api(w.member_a).post(url, data, format="json").status_code == 403, url
        assert api(w.member_c).post(url, data, format="json").status_code == 404, url
    assert governance_rows(w.fed) == before  # nothing written, nothing changed
    # and the managers may
    assert api(w.fed_coordinator).post(*writes[0], format="json").status_code == 201
    assert api(w.fed_coordinator).post(*writes[1], format="json").status_code == 201
    assert api(w.fed_coordinator).post(*writes[3], format="json").status_code == 201
    assert api(w.fed_coordinator).post(*writes[5], format="json").status_code == 200


def test_voting_needs_a_delegate(gov, api):
    w = gov["w"]
    url = reverse("api-governance-ballots", kwargs={**fed_kw(w), "poll_id": gov["poll"].pk})
    before = governance_rows(w.fed)
    assert api(w.member_a).post(url, {"choice": "yes"}, format="json").status_code == 403
    assert api(w.fed_coordinator).post(url, {"choice": "yes"}, format="json").status_code == 403
    assert api(w.member_c).post(url, {"choice": "yes"}, format="json").status_code == 404
    assert governance_rows(w.fed) == before
    response = api(w.bureau_a).post(url, {"choice": "yes"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["my_rights"][0]["voted"] is True and response.json()["receipt"] == ""
    again = api(w.bureau_a).post(url, {"choice": "no"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "already_voted"
    bad = api(w.bureau_a).post(url, {"choice": "peut-être"}, format="json")
    assert bad.status_code == 400


def test_proxy_endpoint(gov, api):
    w = gov["w"]
    url = reverse("api-governance-proxies", kwargs={**fed_kw(w), "meeting_id": gov["meeting"].pk})
    member_b = w.fed.members.get(cpts=w.cpts_b)
    data = {"giver": member_b.pk, "holder": w.bureau_a.pk}
    before = governance_rows(w.fed)
    assert api(w.member_a).post(url, data, format="json").status_code == 403
    assert api(w.member_c).post(url, data, format="json").status_code == 404
    response = api(w.coordinator_b).post(url, data, format="json")
    assert response.status_code == 403  # a coordinator of CPTS B who is not its delegate
    assert governance_rows(w.fed) == before
    services.delegate_designate(actor=None, federation=w.fed, cpts=w.cpts_b, user=w.coordinator_b)
    response = api(w.coordinator_b).post(url, data, format="json")
    assert response.status_code == 201
    assert {r["label"]: r["status"] for r in response.json()}["CPTS Bravo"] == "represented"


def test_pages_are_scoped(gov, web):
    w = gov["w"]
    kw = fed_kw(w)
    pages = [
        reverse("governance-federation", kwargs=kw),
        reverse("governance-meeting", kwargs={**kw, "meeting_id": gov["meeting"].pk}),
        reverse("governance-poll", kwargs={**kw, "poll_id": gov["poll"].pk}),
        reverse("governance-minutes", kwargs={**kw, "meeting_id": gov["meeting"].pk}),
    ]
    for url in pages:
        assert web(w.member_a).get(url).status_code == 200, url
        assert web(w.partner_delegate).get(url).status_code == 200, url
        assert web(w.member_c).get(url).status_code == 404, url
        assert web(w.outsider).get(url).status_code == 404, url
        assert web().get(url).status_code == 302
    index = web(w.member_c).get(reverse("governance-index")).content.decode()
    assert "Inter-CPTS Gard" in index and "Inter-CPTS Hérault" not in index


def test_page_writes_need_the_role(gov, web):
    w = gov["w"]
    kw = fed_kw(w)
    meeting_action = reverse("governance-meeting-action", kwargs={**kw, "meeting_id": gov["meeting"].pk})
    poll_action = reverse("governance-poll-action", kwargs={**kw, "poll_id": gov["poll"].pk})
    poll_page = reverse("governance-poll", kwargs={**kw, "poll_id": gov["poll"].pk})
    before = governance_rows(w.fed)
    assert web(w.member_a).post(meeting_action, {"action": "close"}).status_code == 403
    assert web(w.member_a).post(poll_action, {"action": "close"}).status_code == 403
    assert web(w.member_a).post(poll_page, {"choice": "yes"}).status_code == 403
    assert web(w.member_a).post(reverse("governance-federation", kwargs=kw), {}).status_code == 403
    assert web(w.member_c).post(meeting_action, {"action": "close"}).status_code == 404
    assert web(w.member_c).post(poll_page, {"choice": "yes"}).status_code == 404
    assert governance_rows(w.fed) == before


def test_list_endpoints_query_budget(gov, api, django_assert_max_num_queries):
    w = gov["w"]
    for i in range(5):
        services.poll_create(actor=None, federation=w.fed, meeting=gov["meeting"], title=f"Q{i}")
        services.meeting_create(
            actor=None,
            federation=w.fed,
            body="bureau",
            title=f"B{i}",
            starts_at=timezone.now() + timedelta(days=20),
        )
    client = api(w.member_a)
    for name in ("api-governance-polls", "api-governance-meetings", "api-governance-fees"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name, kwargs=fed_kw(w))).status_code == 200
    with django_assert_max_num_queries(40):
        client.get(reverse("api-governance-meeting", kwargs={**fed_kw(w), "meeting_id": gov["meeting"].pk}))


def test_unknown_ids_are_404(gov, api):
    w = gov["w"]
    kw = fed_kw(w)
    assert (
        api(w.fed_coordinator)
        .get(reverse("api-governance-poll", kwargs={**kw, "poll_id": 999999}))
        .status_code
        == 404
    )
    assert (
        api(w.fed_coordinator)
        .get(reverse("api-governance-meeting", kwargs={**kw, "meeting_id": 999999}))
        .status_code
        == 404
    )
    assert factories  # the shared factories stay importable here


def test_delegates_bureau_and_fees_endpoints(gov, api):
    w = gov["w"]
    kw = fed_kw(w)
    delegates = reverse("api-governance-delegates", kwargs=kw)
    bureau = reverse("api-governance-bureau", kwargs=kw)
    fees = reverse("api-governance-fees", kwargs=kw)
    for url in (delegates, bureau):
        assert api(w.member_a).get(url).status_code == 200
        assert api(w.member_c).get(url).status_code == 404
    designate = {"cpts": w.cpts_a.slug, "user": w.member_a.pk, "kind": "substitute"}
    before = governance_rows(w.fed)
    assert api(w.member_a).post(delegates, designate, format="json").status_code == 403
    assert api(w.coordinator_b).post(delegates, designate, format="json").status_code == 403
    assert api(w.member_c).post(delegates, designate, format="json").status_code == 404
    assert governance_rows(w.fed) == before
    response = api(w.coordinator_a).post(delegates, designate, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "substitute"
    wrong = api(w.coordinator_a).post(delegates, {**designate, "user": w.member_b.pk}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "not_cpts_member"

    seats = {"seats": [{"user": w.bureau_a.pk, "role": "president"}], "starts_on": "2026-01-15"}
    assert api(w.member_a).post(bureau, seats, format="json").status_code == 403
    invalid = api(w.fed_coordinator).post(bureau, seats, format="json")
    assert invalid.status_code == 400
    # Bureau errors carry their code (they came back as "None" before).
    assert invalid.json()["code"] == "invalid_bureau"
    assert "vice-président" in invalid.json()["detail"].lower()
    assert not BureauMandate.objects.filter(federation=w.fed).exists()

    fee = {"member": gov["member_a"].pk, "year": 2027, "amount": "250.00"}
    before = governance_rows(w.fed)
    assert api(w.member_a).post(fees, fee, format="json").status_code == 403
    assert governance_rows(w.fed) == before
    created = api(w.fed_coordinator).post(fees, fee, format="json")
    assert created.status_code == 201
    status_url = reverse("api-governance-fee", kwargs={**kw, "fee_id": created.json()["id"]})
    before = governance_rows(w.fed)
    assert api(w.member_a).post(status_url, {"status": "paid"}, format="json").status_code == 403
    assert api(w.member_c).post(status_url, {"status": "paid"}, format="json").status_code == 404
    assert governance_rows(w.fed) == before
    paid = api(w.fed_coordinator).post(status_url, {"status": "paid"}, format="json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"


def test_governance_is_in_the_openapi_schema(gov, api):
    response = api(gov["w"].staff).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/governance/federations/{federation_slug}/polls/{poll_id}/ballots/",
        "/api/governance/federations/{federation_slug}/meetings/{meeting_id}/",
        "/api/governance/federations/{federation_slug}/bureau/",
    ):
        assert path in paths


def test_proxy_withdrawal(gov, api):
    w = gov["w"]
    member_b = w.fed.members.get(cpts=w.cpts_b)
    services.delegate_designate(actor=None, federation=w.fed, cpts=w.cpts_b, user=w.coordinator_b)
    proxy = services.proxy_give(
        actor=w.coordinator_b, meeting=gov["meeting"], giver=member_b, holder=w.bureau_a
    )
    url = reverse(
        "api-governance-proxy-withdraw",
        kwargs={**fed_kw(w), "meeting_id": gov["meeting"].pk, "proxy_id": proxy.pk},
    )
    before = governance_rows(w.fed)
    assert api(w.member_a).post(url).status_code == 403
    assert api(w.member_c).post(url).status_code == 404
    assert governance_rows(w.fed) == before
    response = api(w.coordinator_b).post(url)
    assert response.status_code == 200
    assert {r["label"]: r["status"] for r in response.json()}["CPTS Bravo"] == "absent"
    assert api(w.coordinator_b).post(url).status_code == 404  # gone


def test_a_cpts_member_reads_only_their_own_cpts_fees(gov, api):
    """What CPTS Alpha owes is not for a member of CPTS Bravo to read (they saw every fee of the
    federation through the API; the page showed fees to managers only). The treasurer "procède à
    l'appel annuel des cotisations" (seed 000, statuts): the governance managers see them all."""
    w = gov["w"]
    fees = reverse("api-governance-fees", kwargs=fed_kw(w))
    member_b = w.fed.members.get(cpts=w.cpts_b)
    services.fee_set(actor=None, federation=w.fed, member=member_b, year=2026, amount=300)

    def members_seen(user):
        response = api(user).get(fees)
        assert response.status_code == 200
        return sorted(row["member"] for row in response.json()["results"])

    assert members_seen(w.fed_coordinator) == sorted([gov["member_a"].pk, member_b.pk])
    assert members_seen(w.member_a) == [gov["member_a"].pk]
    assert members_seen(w.member_b) == [member_b.pk]
    assert members_seen(w.partner_delegate) == []
