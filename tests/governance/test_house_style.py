"""Governance under the house style (issue 14): the one error shape, one place deciding who may vote,
exact query counts, delegate revocation wired end to end, and the claimed convocation e-mails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from federation.governance import services
from federation.governance.models import AuditEntry, ConvocationDelivery, Delegate, Poll
from federation.governance.tasks import send_convocation
from tests.governance.conftest import error_code, governance_rows

pytestmark = pytest.mark.django_db


def kw(a, **extra):
    return {"federation_slug": a.fed.slug, **extra}


@pytest.fixture
def motion(ago):
    poll = services.poll_create(
        actor=ago.coordinator, federation=ago.fed, meeting=ago.meeting, title="Budget"
    )
    services.poll_open(actor=ago.coordinator, poll=poll)
    ago.extra["poll"] = poll
    return ago


# --- one error shape ----------------------------------------------------------------------------------
def test_a_service_error_and_a_field_error_have_the_one_shape(motion, api):
    a = motion
    poll = a.extra["poll"]
    url = reverse("api-governance-ballots", kwargs=kw(a, poll_id=poll.pk))
    client = api(a.delegates[1])
    # A field error of the serializer: detail, code, and the field's messages.
    field = client.post(url, {"choice": "peut-être"}, format="json")
    assert field.status_code == 400
    body = field.json()
    assert set(body) == {"detail", "code", "fields"}
    assert body["code"] == "invalid_choice" and body["fields"]["choice"]
    assert isinstance(body["detail"], str) and body["detail"]
    # A service error: a French message and a stable code, no field.
    services.poll_close(actor=a.coordinator, poll=poll)
    closed = client.post(url, {"choice": "yes"}, format="json").json()
    assert closed == {"detail": "Ce vote n'est pas ouvert.", "code": "poll_not_open", "fields": {}}
    # A service error tied to an input: the field is named.
    election = services.poll_create(
        actor=a.coordinator,
        federation=a.fed,
        meeting=a.meeting,
        title="Élection",
        kind="election",
        candidates=[a.delegates[0], a.delegates[1]],
    )
    services.poll_open(actor=a.coordinator, poll=election)
    url = reverse("api-governance-ballots", kwargs=kw(a, poll_id=election.pk))
    wrong = client.post(url, {"candidate": 999999}, format="json").json()
    assert wrong["code"] == "invalid_candidate" and wrong["fields"] == {"candidate": [wrong["detail"]]}


def test_bureau_errors_carry_their_code(assembly, api):
    a = assembly
    url = reverse("api-governance-bureau", kwargs=kw(a))
    before = governance_rows(a.fed)
    response = api(a.coordinator).post(
        url,
        {"seats": [{"user": a.delegates[0].pk, "role": "president"}], "starts_on": "2026-01-15"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_bureau"  # was "None"
    assert "trésorier" in response.json()["detail"].lower()
    assert governance_rows(a.fed) == before


# --- who may vote: one place ---------------------------------------------------------------------------
def test_page_and_api_give_the_same_answer_on_who_may_vote(motion, api, web):
    a = motion
    poll = a.extra["poll"]
    page = reverse("governance-poll", kwargs=kw(a, poll_id=poll.pk))
    ballots = reverse("api-governance-ballots", kwargs=kw(a, poll_id=poll.pk))
    # CPTS 4 is represented by delegate 0; its own delegate may not vote for it, and both say so.
    other = f"member-{a.members[4].pk}"
    before = governance_rows(a.fed)
    answer = api(a.delegates[1]).post(ballots, {"choice": "yes", "right": other}, format="json").json()
    assert answer["code"] == "not_your_vote" and a.cpts[4].name in answer["detail"]
    shown = web(a.delegates[1]).post(page, {"choice": "yes", "right": other}, follow=True).content.decode()
    assert answer["detail"].replace("'", "&#x27;") in shown
    assert governance_rows(a.fed) == before
    # A participant without a vote: 403 on both.
    assert api(a.plain_member).post(ballots, {"choice": "yes"}, format="json").status_code == 403
    assert web(a.plain_member).post(page, {"choice": "yes"}).status_code == 403
    assert governance_rows(a.fed) == before


# --- exact query counts --------------------------------------------------------------------------------
def test_casting_a_ballot_query_count(motion, api, django_assert_num_queries):
    a = motion
    poll = a.extra["poll"]
    url = reverse("api-governance-ballots", kwargs=kw(a, poll_id=poll.pk))
    client = api(a.delegates[1])
    with django_assert_num_queries(BALLOT_QUERIES):
        assert client.post(url, {"choice": "yes"}, format="json").status_code == 201
    # A proxy holder's vote for the CPTS they represent costs the same.
    client = api(a.delegates[0])
    with django_assert_num_queries(BALLOT_QUERIES):
        response = client.post(url, {"choice": "no", "right": f"member-{a.members[4].pk}"}, format="json")
        assert response.status_code == 201


# Measured: the federation and the poll, the poll locked, who may vote, participation and ballot written,
# the audit link, the live event, and the answer (the user's votes). Pinned: a change shows here.
BALLOT_QUERIES = 26


@pytest.mark.parametrize("extra", [1, 5])
def test_list_endpoints_query_counts_stay_flat(motion, api, django_assert_num_queries, extra):
    a = motion
    seats = list(zip(a.delegates, ["president", "vice_president", "treasurer", "secretary"], strict=False))
    services.bureau_set(actor=None, federation=a.fed, seats=seats, starts_on=timezone.localdate())
    for i in range(extra):
        services.poll_create(actor=None, federation=a.fed, meeting=a.meeting, title=f"Q{i}")
        services.meeting_create(
            actor=None,
            federation=a.fed,
            body="bureau",
            title=f"B{i}",
            starts_at=timezone.now() + timedelta(days=20),
        )
        services.fee_set(actor=None, federation=a.fed, member=a.members[i], year=2026, amount=300)
    client = api(a.coordinator)
    for name, expected in LIST_QUERIES.items():
        with django_assert_num_queries(expected):
            assert client.get(reverse(name, kwargs=kw(a))).status_code == 200, name


# Two queries resolve the federation and the user's part in it; then count, page and prefetches.
LIST_QUERIES = {
    "api-governance-polls": 5,  # + count, page, candidates
    "api-governance-meetings": 4,  # + count, page (poll counts annotated)
    "api-governance-fees": 5,  # + may manage (others see their own), count, page (members joined)
    "api-governance-delegates": 4,  # + count, page
    "api-governance-bureau": 3,  # + the seats in office
    "api-governance-audit": 5,  # + may manage, count, page
}


# --- delegate revocation -------------------------------------------------------------------------------
def test_delegate_revocation_through_the_api(assembly, api):
    a = assembly
    delegate = Delegate.objects.get(member=a.members[1], until__isnull=True)
    url = reverse("api-governance-delegate-revoke", kwargs=kw(a, delegate_id=delegate.pk))
    before = governance_rows(a.fed)
    assert api(a.plain_member).post(url).status_code == 403
    assert api(a.world.member_c).post(url).status_code == 404
    assert api(a.delegates[2]).post(url).status_code == 403  # another CPTS's delegate
    assert governance_rows(a.fed) == before
    response = api(a.coordinator).post(url)
    assert response.status_code == 200 and response.json()["id"] == delegate.pk
    delegate.refresh_from_db()
    assert delegate.until == timezone.localdate()
    entry = AuditEntry.objects.filter(federation=a.fed, event="delegate.revoked").get()
    assert entry.payload == {"delegate": delegate.pk, "member": a.members[1].pk, "user": a.delegates[1].pk}
    assert api(a.coordinator).post(url).status_code == 404  # no longer in office
    # The CPTS's own coordinator may revoke its delegate too (it designated them).
    services.delegate_designate(actor=None, federation=a.fed, cpts=a.cpts[1], user=a.delegates[1])
    again = Delegate.objects.get(member=a.members[1], until__isnull=True)
    url = reverse("api-governance-delegate-revoke", kwargs=kw(a, delegate_id=again.pk))
    assert api(a.world.coordinator_b).post(url).status_code == 200


def test_delegate_revocation_from_the_page_asks_for_confirmation(assembly, web):
    a = assembly
    delegate = Delegate.objects.get(member=a.members[2], until__isnull=True)
    url = reverse("governance-federation", kwargs=kw(a))
    page = web(a.coordinator).get(url).content.decode()
    assert '<details class="confirm">' in page and "Révoquer…" in page
    assert "ne s&#x27;annule pas" in page or "ne s'annule pas" in page
    # A CPTS member without the role sees no button and cannot post.
    assert "Révoquer…" not in web(a.plain_member).get(url).content.decode()
    before = governance_rows(a.fed)
    assert (
        web(a.plain_member).post(url, {"form": "delegate_revoke", "delegate": delegate.pk}).status_code == 403
    )
    assert governance_rows(a.fed) == before
    response = web(a.coordinator).post(url, {"form": "delegate_revoke", "delegate": delegate.pk}, follow=True)
    assert "a pris fin" in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.until is not None
    assert AuditEntry.objects.filter(event="delegate.revoked", payload__delegate=delegate.pk).exists()


# --- convocations --------------------------------------------------------------------------------------
def _convened(a, django_capture_on_commit_callbacks):
    meeting = services.meeting_create(
        actor=a.coordinator,
        federation=a.fed,
        body="ago",
        title="AGO 2027",
        starts_at=timezone.now() + timedelta(days=10),
        agenda=["Comptes"],
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.meeting_convene(actor=a.coordinator, meeting=meeting)
    assert len(callbacks) == 2  # the task and the live event, both once the convocation is committed
    return meeting


def test_convocation_task_claims_each_recipient_and_resumes_without_duplicates(
    assembly, django_capture_on_commit_callbacks, monkeypatch
):
    a = assembly
    meeting = _convened(a, django_capture_on_commit_callbacks)
    deliveries = ConvocationDelivery.objects.filter(meeting=meeting)
    recipients = set(deliveries.values_list("email", flat=True))
    assert len(recipients) == 5 + 3  # five CPTS delegates, three partner delegates
    assert set(deliveries.values_list("status", flat=True)) == {"pending"}

    # The worker dies after three e-mails: the fourth is claimed, never confirmed.
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def dying_send(self, *args, **kwargs):
        if len(mail.outbox) == 3:
            raise SystemExit("worker killed")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", dying_send)
    with pytest.raises(SystemExit):
        send_convocation(meeting.pk)
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert len(mail.outbox) == 3
    assert deliveries.filter(status="sending").count() == 1  # claimed when the worker died
    # The task is delivered again (late ack): nobody gets a second e-mail.
    assert send_convocation(meeting.pk) == 4
    assert send_convocation(meeting.pk) == 0  # and again: nothing left
    sent_to = [m.to[0] for m in mail.outbox]
    assert len(sent_to) == len(set(sent_to)) == 7
    assert deliveries.filter(status="sent").count() == 7
    uncertain = deliveries.get(status="sending")
    assert uncertain.email not in sent_to  # shown to the coordinators as uncertain, never re-sent
    room = reverse("governance-meeting", kwargs=kw(a, meeting_id=meeting.pk))
    assert services.convocation_claim_next(meeting_id=meeting.pk) is None
    assert room


def test_convocation_subject_is_translated_in_the_recipients_language(
    assembly, django_capture_on_commit_callbacks, monkeypatch
):
    a = assembly
    meeting = _convened(a, django_capture_on_commit_callbacks)
    english = ConvocationDelivery.objects.filter(meeting=meeting).order_by("pk").first()
    english.language = "en"
    english.save()
    languages = {}
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def recording_send(self, *args, **kwargs):
        languages[self.to[0]] = translation.get_language()
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", recording_send)
    with translation.override("fr"):
        send_convocation(meeting.pk)
    assert languages[english.email] == "en"
    assert {lang for email, lang in languages.items() if email != english.email} == {"fr"}
    french = next(m for m in mail.outbox if m.to[0] != english.email)
    assert french.subject == f"[{a.fed.name}] Convocation : AGO 2027"
    assert "Ordre du jour" in french.body


def test_convocation_without_emails_records_them_as_sent(assembly):
    a = assembly
    meeting = services.meeting_create(
        actor=None,
        federation=a.fed,
        body="ago",
        title="AGO papier",
        starts_at=timezone.now() + timedelta(days=10),
    )
    services.meeting_convene(actor=None, meeting=meeting, send_emails=False)
    assert set(ConvocationDelivery.objects.filter(meeting=meeting).values_list("status", flat=True)) == {
        "sent"
    }
    assert send_convocation(meeting.pk) == 0 and mail.outbox == []


def test_service_errors_have_codes(assembly):
    a = assembly
    with pytest.raises(ValidationError) as exc:
        services.poll_create(actor=None, federation=a.fed, title="Sans dates")
    assert error_code(exc.value) == "dates_required"
    assert Poll.objects.filter(federation=a.fed).count() == 0


# --- secret ballots: receipts (issue 16) ----------------------------------------------------------------
def test_secret_vote_receipt_is_shown_once_then_checked_after_the_close(ago, api, web):
    a = ago
    poll = services.poll_create(
        actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Secret", secret=True
    )
    services.poll_open(actor=a.coordinator, poll=poll)
    page = reverse("governance-poll", kwargs=kw(a, poll_id=poll.pk))
    answer = web(a.delegates[1]).post(page, {"choice": "no", "confirm": "1"})
    assert answer.status_code == 200
    shown = answer.content.decode()
    code = shown.split("data-receipt>")[1].split("<")[0]
    assert len(code) == 24 and "Notez-le" in shown
    # The API answers the receipt too; before the close there is nothing to check it against.
    ballots = reverse("api-governance-ballots", kwargs=kw(a, poll_id=poll.pk))
    other = api(a.delegates[2]).post(ballots, {"choice": "yes"}, format="json").json()
    assert len(other["receipt"]) == 24 and other["my_rights"][0]["voted"] is True
    check = reverse("api-governance-receipt", kwargs=kw(a, poll_id=poll.pk))
    assert api(a.delegates[1]).get(check, {"code": code}).json()["status"] == "not_closed"
    counted = reverse("api-governance-counted", kwargs=kw(a, poll_id=poll.pk))
    assert api(a.plain_member).get(counted).json()["results"] == []
    services.poll_close(actor=a.coordinator, poll=poll)
    # Any participant may check a receipt, typed loosely; the list holds the receipt and the choice.
    typed = code.lower().replace("-", " ")
    assert api(a.plain_member).get(check, {"code": typed}).json() == {
        "receipt": code,
        "status": "counted",
        "counted": True,
    }
    assert api(a.plain_member).get(check, {"code": "0000-0000"}).json()["status"] == "not_found"
    rows = {r["receipt"]: r["choice"] for r in api(a.plain_member).get(counted).json()["results"]}
    assert rows == {code: "no", other["receipt"]: "yes"}
    html = web(a.delegates[1]).get(page, {"recu": code}).content.decode()
    assert "votre vote a été compté" in html
    assert api(a.world.member_c).get(check, {"code": code}).status_code == 404
