import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from federation.models import CptsRole
from shared_actions import tasks
from shared_actions.models import Shift, ShiftAssignment, SwapRequest
from shared_actions.rosters import services as roster_services
from shared_actions.rosters import swaps as swap_services
from tests import factories
from tests.shared_actions.conftest import at, unchanged

pytestmark = pytest.mark.django_db


def _shift(roster, site_name, day):
    return Shift.objects.get(roster=roster, site__name=site_name, start__date=day)


def _sign_up(client, shift, **data):
    return client.post(reverse("api-actions-shift-assignments", args=[shift.pk]), data, format="json")


def test_coordinator_builds_a_pooled_weekend_roster_through_the_api(world, api, next_saturday):
    client = api(world.coordinator_a)
    response = client.post(
        reverse("api-actions-rosters"),
        {
            "name": "SNP week-end",
            "federation": world.fed.slug,
            "participants": ["alpha", "bravo"],
            "swap_requires_approval": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    roster_id = response.json()["id"]
    site = client.post(
        reverse("api-actions-roster-sites", args=[roster_id]), {"name": "MSP Lunel"}, format="json"
    )
    assert site.status_code == 201, site.content
    shift = client.post(
        reverse("api-actions-roster-shifts", args=[roster_id]),
        {
            "site": site.json()["id"],
            "start": at(next_saturday, 8).isoformat(),
            "end": at(next_saturday, 20).isoformat(),
            "required_count": 2,
            "required_profession": "10",
        },
        format="json",
    )
    assert shift.status_code == 201, shift.content
    assert shift.json()["status"] == "empty"
    # Both CPTS see the pooled roster; a CPTS of another federation does not.
    assert api(world.member_b).get(reverse("api-actions-roster", args=[roster_id])).status_code == 200
    assert api(world.member_c).get(reverse("api-actions-roster", args=[roster_id])).status_code == 404
    # A pooled roster across a CPTS outside the federation is refused.
    bad = client.post(
        reverse("api-actions-rosters"),
        {"name": "x", "federation": world.fed.slug, "participants": ["alpha", "charlie"]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "participant_outside"
    # A plain member may not build a roster.
    with unchanged():
        member = api(world.member_a).post(
            reverse("api-actions-rosters"),
            {"name": "x", "federation": world.fed.slug, "participants": ["alpha"]},
            format="json",
        )
        assert member.status_code == 403


def test_pooled_weekend_scenario(world, api, pooled_roster, next_saturday):
    """Acceptance: sign-ups from both CPTS, a double booking refused across the two CPTS, a swap,
    coverage gaps, and an iCalendar feed that parses back."""
    sunday = next_saturday + dt.timedelta(days=1)
    sat_lunel = _shift(pooled_roster, "MSP Lunel", next_saturday)
    sat_mauguio = _shift(pooled_roster, "MSP Mauguio", next_saturday)
    sun_mauguio = _shift(pooled_roster, "MSP Mauguio", sunday)

    # Professionals of both CPTS sign up from their phones (API).
    a = _sign_up(api(world.member_a), sat_lunel)
    assert a.status_code == 201, a.content
    assert a.json()["cpts"] == "alpha"
    b = _sign_up(api(world.member_b), sun_mauguio)
    assert b.status_code == 201, b.content
    assert b.json()["cpts"] == "bravo"

    # A professional of both CPTS is on a Bravo-only roster on Saturday morning...
    both = factories.MembershipFactory(
        cpts=world.cpts_a, user=factories.UserFactory(email="both@example.org")
    ).user
    factories.MembershipFactory(cpts=world.cpts_b, user=both, role=CptsRole.MEMBER)
    bravo_roster = roster_services.roster_create(
        actor=world.coordinator_b, name="SNP Bravo", cpts=world.cpts_b
    )
    bravo_site = roster_services.site_create(
        actor=world.coordinator_b, roster=bravo_roster, name="Cabinet Mauguio"
    )
    bravo_shift = roster_services.shift_create(
        actor=world.coordinator_b,
        roster=bravo_roster,
        site=bravo_site,
        start=at(next_saturday, 9),
        end=at(next_saturday, 12),
    )
    assert _sign_up(api(both), bravo_shift).status_code == 201
    # ...so the pooled Saturday shift (08:00–20:00), counted for Alpha, is a double booking: refused.
    double = _sign_up(api(both), sat_mauguio)
    assert double.status_code == 400
    assert double.json()["code"] == "shift_overlap"
    assert "chevauche" in double.json()["detail"]
    # The same person on two overlapping shifts of the pooled roster itself: refused too.
    assert _sign_up(api(world.member_a), sat_mauguio).json()["code"] == "shift_overlap"
    # A coordinator assigning the person gets the refusal as well, without the other roster's name.
    forced = _sign_up(api(world.coordinator_a), sat_mauguio, user=both.pk)
    assert forced.status_code == 400
    assert "SNP Bravo" not in forced.json()["detail"]

    # Swap: Alpha's member offers her Saturday for Bravo's member's Sunday.
    mine = ShiftAssignment.objects.get(user=world.member_a, shift=sat_lunel)
    theirs = ShiftAssignment.objects.get(user=world.member_b, shift=sun_mauguio)
    ask = api(world.member_a).post(
        reverse("api-actions-swaps"),
        {"kind": "swap", "assignment": mine.pk, "counterpart": theirs.pk, "message": "Mariage samedi"},
        format="json",
    )
    assert ask.status_code == 201, ask.content
    swap_id = ask.json()["id"]
    # Only the person asked may accept; a plain member may not approve.
    assert (
        api(world.coordinator_b)
        .post(reverse("api-actions-swap-action", args=[swap_id, "accept"]))
        .status_code
        == 403
    )
    accepted = api(world.member_b).post(reverse("api-actions-swap-action", args=[swap_id, "accept"]))
    assert accepted.json()["status"] == "accepted"  # the roster requires a coordinator's approval
    assert (
        api(world.member_b).post(reverse("api-actions-swap-action", args=[swap_id, "approve"])).status_code
        == 403
    )
    approved = api(world.coordinator_b).post(reverse("api-actions-swap-action", args=[swap_id, "approve"]))
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "done"
    assert ShiftAssignment.objects.get(pk=mine.pk).user == world.member_b
    assert ShiftAssignment.objects.get(pk=theirs.pk).user == world.member_a
    assert ShiftAssignment.objects.get(pk=theirs.pk).cpts == world.cpts_a

    # Coverage shows the remaining gaps (2 places per shift, 4 shifts).
    coverage = api(world.coordinator_a).get(
        reverse("api-actions-roster-coverage", args=[pooled_roster.pk]), {"week": next_saturday.isoformat()}
    )
    assert coverage.status_code == 200
    by_site = {site["site_name"]: site for site in coverage.json()}
    assert [r["status"] for r in by_site["MSP Lunel"]["rows"]] == ["short", "empty"]
    assert [r["status"] for r in by_site["MSP Mauguio"]["rows"]] == ["empty", "short"]
    assert by_site["MSP Lunel"]["missing"] == 3
    assert by_site["MSP Mauguio"]["missing"] == 3

    # The personal iCalendar feed imports into a calendar client.
    feed = api(world.member_a).post(reverse("api-actions-feeds"), {}, format="json")
    assert feed.status_code == 201
    url = feed.json()["url"]
    response = api().get(url)  # no session: the secret token is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert events[0]["SUMMARY"] == "Garde SNP — MSP Mauguio"
    assert events[0].decoded("DTSTART") == at(sunday, 8)
    assert events[0].decoded("DTEND") == at(sunday, 20)
    assert b"@alpha.example.org" not in response.content and b"@bravo" not in response.content
    # Revoked: the URL stops working.
    revoke = api(world.member_a).post(reverse("api-actions-feed-revoke", args=[feed.json()["id"]]))
    assert revoke.status_code == 200
    assert api().get(url).status_code == 404


def test_roster_feed_shows_coverage_without_names(world, api, web, pooled_roster, next_saturday):
    roster_services.shift_sign_up(
        actor=world.member_a, shift=_shift(pooled_roster, "MSP Lunel", next_saturday)
    )
    assert (
        api(world.member_a)
        .post(reverse("api-actions-feeds"), {"roster": pooled_roster.pk}, format="json")
        .status_code
        == 403
    )
    feed = api(world.coordinator_a).post(
        reverse("api-actions-feeds"), {"roster": pooled_roster.pk}, format="json"
    )
    assert feed.status_code == 201
    body = web().get(feed.json()["url"]).content
    events = list(Calendar.from_ical(body).walk("VEVENT"))
    assert len(events) == 4
    descriptions = sorted(str(e["DESCRIPTION"]) for e in events)
    assert descriptions[-1] == "1 / 2 places pourvues"
    assert world.member_a.email.encode() not in body
    assert str(world.member_a).encode() not in body


def test_full_shift_and_profession_requirements(world, pooled_roster, next_saturday):
    shift = _shift(pooled_roster, "MSP Lunel", next_saturday)
    roster_services.shift_sign_up(actor=world.member_a, shift=shift)
    roster_services.shift_sign_up(actor=world.member_b, shift=shift)
    with pytest.raises(ValidationError) as full:
        roster_services.shift_sign_up(actor=world.coordinator_a, shift=shift)
    assert full.value.error_list[0].code == "shift_full"
    doctor_shift = roster_services.shift_create(
        actor=world.coordinator_a,
        roster=pooled_roster,
        site=shift.site,
        start=at(next_saturday, 21),
        end=at(next_saturday, 23),
        required_profession="10",
    )
    with pytest.raises(ValidationError) as wrong:
        roster_services.shift_sign_up(actor=world.coordinator_b, shift=doctor_shift, profession="60")
    assert wrong.value.error_list[0].code == "profession_required"
    assert (
        roster_services.shift_sign_up(
            actor=world.coordinator_b, shift=doctor_shift, profession="10"
        ).profession
        == "10"
    )
    # Someone from outside the roster's CPTS cannot sign up.
    with pytest.raises(ValidationError) as outside:
        roster_services.shift_sign_up(actor=world.member_c, shift=doctor_shift)
    assert outside.value.error_list[0].code == "not_a_member"


def test_open_replacement_without_approval(world, pooled_roster, next_saturday):
    pooled_roster.swap_requires_approval = False
    pooled_roster.save()
    shift = _shift(pooled_roster, "MSP Lunel", next_saturday)
    assignment = roster_services.shift_sign_up(actor=world.member_a, shift=shift)
    swap = swap_services.swap_request_create(
        actor=world.member_a, assignment=assignment, kind=SwapRequest.Kind.REPLACEMENT
    )
    with pytest.raises(ValidationError):  # one open request per assignment
        swap_services.swap_request_create(
            actor=world.member_a, assignment=assignment, kind=SwapRequest.Kind.REPLACEMENT
        )
    done = swap_services.swap_request_accept(actor=world.member_b, swap=swap)
    assert done.status == SwapRequest.Status.DONE
    assignment.refresh_from_db()
    assert assignment.user == world.member_b and assignment.cpts == world.cpts_b


def test_replacement_refused_when_the_replacer_is_busy(world, pooled_roster, next_saturday):
    pooled_roster.swap_requires_approval = False
    pooled_roster.save()
    mine = roster_services.shift_sign_up(
        actor=world.member_a, shift=_shift(pooled_roster, "MSP Lunel", next_saturday)
    )
    roster_services.shift_sign_up(
        actor=world.member_b, shift=_shift(pooled_roster, "MSP Mauguio", next_saturday)
    )
    swap = swap_services.swap_request_create(actor=world.member_a, assignment=mine, kind="replacement")
    with pytest.raises(ValidationError) as busy:
        swap_services.swap_request_accept(actor=world.member_b, swap=swap)
    assert busy.value.error_list[0].code == "shift_overlap"
    mine.refresh_from_db()
    assert mine.user == world.member_a
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.PENDING


def test_reminders_the_day_before_are_sent_once(world, pooled_roster):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    site = pooled_roster.sites.first()
    shift = roster_services.shift_create(
        actor=world.coordinator_a,
        roster=pooled_roster,
        site=site,
        start=at(tomorrow, 6),
        end=at(tomorrow, 7),
        required_count=2,
    )
    roster_services.shift_sign_up(actor=world.member_a, shift=shift)
    roster_services.shift_sign_up(actor=world.member_b, shift=shift)
    assert tasks.send_shift_reminders.delay().get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["membre@alpha.example.org", "membre@bravo.example.org"]
    assert "Rappel" in mail.outbox[0].subject
    assert tasks.send_shift_reminders.delay().get() == 0
    assert len(mail.outbox) == 2


def test_beat_schedule_runs_the_reminders(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["shared_actions-shift-reminders"]
    assert entry["task"] == "shared_actions.tasks.send_shift_reminders"


def test_monthly_hours_csv(world, api, web, pooled_roster, next_saturday):
    sunday = next_saturday + dt.timedelta(days=1)
    roster_services.shift_sign_up(
        actor=world.member_a, shift=_shift(pooled_roster, "MSP Lunel", next_saturday)
    )
    roster_services.shift_sign_up(actor=world.member_a, shift=_shift(pooled_roster, "MSP Lunel", sunday))
    roster_services.shift_sign_up(actor=world.member_b, shift=_shift(pooled_roster, "MSP Mauguio", sunday))
    url = reverse("api-actions-roster-hours", args=[pooled_roster.pk])
    assert api(world.member_a).get(url).status_code == 403
    assert api(world.member_c).get(url).status_code == 404
    months = {next_saturday.strftime("%Y-%m"), sunday.strftime("%Y-%m")}
    rows = []
    for month in months:
        response = api(world.coordinator_a).get(url, {"month": month})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows += list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))[1:]
    totals: dict = {}
    for row in rows:
        if row[3]:  # a professional's row (the per-CPTS totals have no e-mail)
            totals[row[3]] = totals.get(row[3], 0.0) + float(row[5].replace(",", "."))
    assert totals == {"membre@alpha.example.org": 24.0, "membre@bravo.example.org": 12.0}
    assert {r[1] for r in rows if r[2] == "TOTAL CPTS"} == {"CPTS Alpha", "CPTS Bravo"}
    page = web(world.coordinator_a).get(
        reverse("actions-roster-hours", args=[pooled_roster.pk]), {"month": sunday.strftime("%Y-%m")}
    )
    assert page.status_code == 200


def test_roster_pages(world, web, pooled_roster, next_saturday):
    shift = _shift(pooled_roster, "MSP Lunel", next_saturday)
    browser = web(world.member_b)
    page = browser.get(
        reverse("actions-roster", args=[pooled_roster.pk]), {"week": next_saturday.isoformat()}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "cov-empty" in html
    assert reverse("actions-shift-signup", args=[shift.pk]) in html
    response = browser.post(
        reverse("actions-shift-signup", args=[shift.pk]), {"week": next_saturday.isoformat()}, follow=True
    )
    assert "Inscription enregistrée" in response.content.decode()
    assert "cov-short" in response.content.decode()
    # A double booking through the page: a clear French message, nothing written.
    other = _shift(pooled_roster, "MSP Mauguio", next_saturday)
    response = browser.post(reverse("actions-shift-signup", args=[other.pk]), follow=True)
    assert "chevauche" in response.content.decode()
    assert ShiftAssignment.objects.filter(user=world.member_b).count() == 1
    assert web(world.member_b).get(reverse("actions-rosters")).status_code == 200
    coordinator = web(world.coordinator_a).get(reverse("actions-roster", args=[pooled_roster.pk]))
    assert "Créer des créneaux" in coordinator.content.decode()


def test_shifts_created_from_the_page(world, web, pooled_roster, next_saturday):
    site = pooled_roster.sites.first()
    before = pooled_roster.shifts.count()
    response = web(world.coordinator_a).post(
        reverse("actions-roster-shifts", args=[pooled_roster.pk]),
        {
            "site": site.pk,
            "first_day": (next_saturday + dt.timedelta(days=7)).isoformat(),
            "last_day": (next_saturday + dt.timedelta(days=8)).isoformat(),
            "weekdays": ["5", "6"],
            "start_time": "20:00",
            "end_time": "08:00",
            "required_count": "1",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert pooled_roster.shifts.count() == before + 2
    night = pooled_roster.shifts.order_by("-start").first()
    assert night.hours == 12  # 20:00 → 08:00 the next day


def test_roster_list_query_count(world, api, django_assert_max_num_queries, pooled_roster):
    for index in range(5):
        roster_services.roster_create(actor=world.coordinator_a, name=f"R{index}", cpts=world.cpts_a)
    with django_assert_max_num_queries(10):
        response = api(world.member_a).get(reverse("api-actions-rosters"))
    assert response.json()["count"] == 6


def test_profession_comes_from_the_directory_when_linked(world, pooled_roster, next_saturday):
    """A professional linked to the account in the directory: its TRE_G15 profession decides."""
    from tests.directory.factories import ProfessionalFactory, ProfessionFactory

    ProfessionalFactory(user=world.member_a, profession=ProfessionFactory(code="60", label="Infirmier"))
    shift = roster_services.shift_create(
        actor=world.coordinator_a,
        roster=pooled_roster,
        site=pooled_roster.sites.first(),
        start=at(next_saturday, 21),
        end=at(next_saturday, 23),
        required_profession="10",
    )
    with pytest.raises(ValidationError) as nurse:  # a nurse in the directory, whatever she declares
        roster_services.shift_sign_up(actor=world.member_a, shift=shift, profession="10")
    assert nurse.value.error_list[0].code == "profession_required"
    # Not linked in the directory: the declared profession is trusted.
    assert (
        roster_services.shift_sign_up(actor=world.member_b, shift=shift, profession="10").profession == "10"
    )


def test_coordinator_assigns_from_the_page_and_exports_cpts_hours(world, web, pooled_roster, next_saturday):
    shift = _shift(pooled_roster, "MSP Mauguio", next_saturday)
    page = web(world.coordinator_b).get(
        reverse("actions-roster", args=[pooled_roster.pk]), {"week": next_saturday}
    )
    assert "Affecter" in page.content.decode()
    web(world.coordinator_b).post(
        reverse("actions-shift-signup", args=[shift.pk]), {"user": world.member_a.pk}
    )
    assignment = ShiftAssignment.objects.get(shift=shift)
    assert assignment.user == world.member_a and assignment.assigned_by == world.coordinator_b
    # A plain member cannot assign someone else: nothing written, a 403 from the service.
    other = _shift(pooled_roster, "MSP Lunel", next_saturday + dt.timedelta(days=1))
    assert (
        web(world.member_b)
        .post(reverse("actions-shift-signup", args=[other.pk]), {"user": world.member_a.pk})
        .status_code
        == 403
    )
    url = reverse("actions-cpts-hours", args=[world.cpts_a.slug])
    month = next_saturday.strftime("%Y-%m")
    response = web(world.coordinator_a).get(url, {"month": month})
    assert response.status_code == 200
    assert "membre@alpha.example.org;1;12,00" in response.content.decode("utf-8-sig")
    assert web(world.member_a).get(url).status_code == 403
    assert web(world.coordinator_b).get(url).status_code == 404


def test_swap_requests_are_e_mailed(world, pooled_roster, next_saturday, django_capture_on_commit_callbacks):
    sunday = next_saturday + dt.timedelta(days=1)
    mine = roster_services.shift_sign_up(
        actor=world.member_a, shift=_shift(pooled_roster, "MSP Lunel", next_saturday)
    )
    theirs = roster_services.shift_sign_up(
        actor=world.member_b, shift=_shift(pooled_roster, "MSP Lunel", sunday)
    )
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_services.swap_request_create(
            actor=world.member_a, assignment=mine, kind="swap", counterpart=theirs
        )
    assert [m.to for m in mail.outbox] == [["membre@bravo.example.org"]]
    assert "échange" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        swap_services.swap_request_refuse(actor=world.member_b, swap=swap)
    assert mail.outbox[-1].to == ["membre@alpha.example.org"] and "refusée" in mail.outbox[-1].subject
    assert tasks.notify_swap_request.delay(swap.pk).get() == 0  # already notified: nothing twice
    assert len(mail.outbox) == 2


def test_shift_deletion(world, api, web, pooled_roster, next_saturday):
    busy = _shift(pooled_roster, "MSP Lunel", next_saturday)
    empty = _shift(pooled_roster, "MSP Mauguio", next_saturday)
    roster_services.shift_sign_up(actor=world.member_a, shift=busy)
    with unchanged():
        assert api(world.member_a).delete(reverse("api-actions-shift", args=[empty.pk])).status_code == 403
        assert api(world.member_c).delete(reverse("api-actions-shift", args=[empty.pk])).status_code == 404
    refused = api(world.coordinator_a).delete(reverse("api-actions-shift", args=[busy.pk]))
    assert refused.status_code == 400 and refused.json()["code"] == "shift_not_empty"
    assert api(world.coordinator_b).delete(reverse("api-actions-shift", args=[empty.pk])).status_code == 204
    assert not Shift.objects.filter(pk=empty.pk).exists()
    assert api(world.member_b).get(reverse("api-actions-shift", args=[busy.pk])).json()["assigned_count"] == 1


def test_index_lists_open_requests(world, web, pooled_roster, next_saturday):
    sunday = next_saturday + dt.timedelta(days=1)
    mine = roster_services.shift_sign_up(
        actor=world.member_a, shift=_shift(pooled_roster, "MSP Lunel", next_saturday)
    )
    theirs = roster_services.shift_sign_up(
        actor=world.member_b, shift=_shift(pooled_roster, "MSP Lunel", sunday)
    )
    swap_services.swap_request_create(actor=world.member_a, assignment=mine, kind="swap", counterpart=theirs)
    html = web(world.member_b).get(reverse("actions-index")).content.decode()
    assert "Demandes d&#x27;échange" in html or "Demandes d'échange" in html
    assert "En attente de réponse" in html
    assert "En attente de réponse" not in web(world.member_c).get(reverse("actions-index")).content.decode()
