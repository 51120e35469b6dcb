import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from shared_actions.campaigns import services as campaign_services
from shared_actions.documents import library
from shared_actions.documents.library import LibraryEntry
from shared_actions.meetings import services as meeting_services
from shared_actions.models import Document, Invitation, Meeting
from tests.shared_actions.conftest import EXE_BYTES, pdf_upload, stored_files, unchanged

pytestmark = pytest.mark.django_db


def _when(days=7, hour=18):
    start = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) + dt.timedelta(
        days=days
    )
    return start, start + dt.timedelta(hours=2)


def test_meeting_invitations_replies_attendance_and_minutes(
    world, api, web, media_root, django_capture_on_commit_callbacks
):
    start, end = _when()
    client = api(world.coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api-actions-meetings"),
            {
                "title": "Groupe de travail SNP",
                "kind": "working_group",
                "cpts": "alpha",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "video_url": "https://visio.example.org/snp",
                "agenda": "1. Planning d'hiver\n2. Questions diverses",
                "invitees": [world.member_a.pk, world.bureau_a.pk],
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    # Invitations e-mailed once committed, each with an iCalendar REQUEST.
    assert sorted(m.to[0] for m in mail.outbox) == ["bureau@alpha.example.org", "membre@alpha.example.org"]
    attachment_name, content, mimetype = mail.outbox[0].attachments[0]
    assert mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Groupe de travail SNP"
    assert event.decoded("DTSTART") == start
    # Invitees from outside the CPTS/federation are refused.
    outside = client.post(
        reverse("api-actions-meeting-invite", args=[meeting_id]),
        {"users": [world.member_c.pk]},
        format="json",
    )
    assert outside.status_code == 400 and outside.json()["code"] == "invitee_outside"
    # Replies.
    reply = api(world.member_a).post(
        reverse("api-actions-meeting-reply", args=[meeting_id]), {"reply": "yes"}, format="json"
    )
    assert reply.status_code == 200 and reply.json()["reply"] == "yes"
    assert (
        api(world.coordinator_a)
        .post(reverse("api-actions-meeting-reply", args=[meeting_id]), {"reply": "yes"}, format="json")
        .status_code
        == 400
    )  # not invited
    # Attendance list (émargement): managers only.
    attendance = reverse("api-actions-meeting-attendance", args=[meeting_id])
    assert (
        api(world.member_a).post(attendance, {"present": [world.member_a.pk]}, format="json").status_code
        == 403
    )
    marked = client.post(attendance, {"present": [world.member_a.pk]}, format="json")
    assert marked.status_code == 200
    assert {i["user"]["id"]: i["attended"] for i in marked.json()} == {
        world.member_a.pk: True,
        world.bureau_a.pk: False,
    }
    sheet = web(world.coordinator_a).get(reverse("actions-meeting-sheet", args=[meeting_id]))
    assert (
        sheet.status_code == 200
        and "Liste d&#x27;émargement" in sheet.content.decode()
        or "émargement" in sheet.content.decode()
    )
    # Minutes: a bad file is refused (nothing stored), a PDF becomes a shared document with versions.
    minutes = reverse("api-actions-meeting-minutes", args=[meeting_id])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(minutes, {"file": SimpleUploadedFile("cr.pdf", EXE_BYTES)}, format="multipart")
    assert bad.status_code == 400 and stored_files(media_root) == []
    ok = client.post(minutes, {"file": pdf_upload("cr.pdf")}, format="multipart")
    assert ok.status_code == 201, ok.content
    assert ok.json()["category"] == "compte_rendu"
    again = client.post(minutes, {"file": pdf_upload("cr-v2.pdf")}, format="multipart")
    assert [v["number"] for v in again.json()["versions"]] == [2, 1]
    meeting = Meeting.objects.get(pk=meeting_id)
    assert meeting.minutes.title.startswith("Compte rendu")
    # The minutes are in the library of the CPTS, not outside it.
    assert (
        api(world.member_a).get(reverse("api-actions-document", args=[meeting.minutes_id])).status_code == 200
    )
    assert (
        api(world.member_b).get(reverse("api-actions-document", args=[meeting.minutes_id])).status_code == 404
    )


def test_meeting_visibility_and_ics(world, api, web):
    start, end = _when()
    meeting = meeting_services.meeting_create(
        actor=world.coordinator_a,
        title="Bureau de la CPTS",
        cpts=world.cpts_a,
        start=start,
        end=end,
        place="Maison de santé, Lunel",
    )
    url = reverse("api-actions-meeting", args=[meeting.pk])
    assert api(world.member_a).get(url).status_code == 200
    for user in (world.member_b, world.member_c, world.partner_delegate, world.outsider):
        assert api(user).get(url).status_code == 404
        assert web(user).get(reverse("actions-meeting", args=[meeting.pk])).status_code == 404
    # Invited from another CPTS of the federation: may see it.
    meeting_services.meeting_invite(actor=world.coordinator_a, meeting=meeting, users=[world.member_b])
    assert api(world.member_b).get(url).status_code == 200
    ics = web(world.member_b).get(reverse("actions-meeting-ics", args=[meeting.pk]))
    assert next(iter(Calendar.from_ical(ics.content).walk("VEVENT")))["LOCATION"] == "Maison de santé, Lunel"
    # Only managers create meetings; a place or a video link is required.
    bad = api(world.coordinator_a).post(
        reverse("api-actions-meetings"),
        {"title": "x", "cpts": "alpha", "start": start.isoformat(), "end": end.isoformat()},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "no_place"
    with unchanged():
        refused = api(world.member_a).post(
            reverse("api-actions-meetings"),
            {
                "title": "x",
                "cpts": "alpha",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "place": "ici",
            },
            format="json",
        )
        assert refused.status_code == 403


def test_federation_meeting_in_the_department_agenda(world, api, web):
    start, end = _when(days=2)
    meeting_services.meeting_create(
        actor=world.fed_coordinator,
        title="Formation SAS",
        kind=Meeting.Kind.TRAINING,
        federation=world.fed,
        start=start,
        end=end,
        place="Montpellier",
    )
    entries = (
        api(world.member_b)
        .get(reverse("api-actions-agenda", args=[world.fed.slug]), {"month": start.strftime("%Y-%m")})
        .json()
    )
    assert "Formation SAS" in {e["title"] for e in entries}
    assert api(world.member_c).get(reverse("api-actions-meetings")).json()["count"] == 0


def test_meeting_pages(world, web):
    start, end = _when()
    browser = web(world.coordinator_a)
    response = browser.post(
        reverse("actions-meetings"),
        {
            "title": "Réunion plénière",
            "kind": "cpts",
            "owner": f"cpts:{world.cpts_a.pk}",
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": end.strftime("%Y-%m-%dT%H:%M"),
            "place": "Salle des fêtes",
        },
        follow=True,
    )
    assert "Réunion créée" in response.content.decode()
    meeting = Meeting.objects.get()
    browser.post(reverse("actions-meeting-invite", args=[meeting.pk]), {"users": [world.member_a.pk]})
    assert Invitation.objects.filter(meeting=meeting).count() == 1
    web(world.member_a).post(reverse("actions-meeting-reply", args=[meeting.pk]), {"reply": "no"})
    assert Invitation.objects.get().reply == "no"
    assert web(world.member_a).get(reverse("actions-meetings")).status_code == 200
    assert (
        web(world.member_a).post(reverse("actions-meeting-attendance", args=[meeting.pk]), {}).status_code
        == 403
    )


def test_library_lists_entries_from_another_source(world, web, monkeypatch):
    """The governance minutes integration point: one function appended to LIBRARY_SOURCES."""

    def minutes(user, query, category):
        return [
            LibraryEntry(
                title="PV de l'AG du 3 mars",
                category="proces_verbal",
                category_label="Procès-verbal",
                owner="Inter-CPTS",
                date=timezone.localdate(),
                url="/gouvernance/",
                source="governance",
            )
        ]

    monkeypatch.setattr(library, "LIBRARY_SOURCES", [minutes])
    html = web(world.member_a).get(reverse("actions-documents")).content.decode()
    assert "PV de l&#x27;AG du 3 mars" in html
    assert Document.objects.count() == 0


def test_campaign_meeting_from_the_page(world, web):
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        actor=world.fed_coordinator,
        federation=world.fed,
        title="Vague de chaleur",
        theme="vague_de_chaleur",
        start_date=today,
        end_date=today + dt.timedelta(days=60),
        lead_cpts=world.cpts_a,
        participants=[world.cpts_a, world.cpts_b],
    )
    start, end = _when()
    response = web(world.fed_coordinator).post(
        reverse("actions-meetings"),
        {
            "title": "Lancement canicule",
            "kind": "campaign",
            "owner": f"federation:{world.fed.pk}",
            "campaign": campaign.pk,
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": end.strftime("%Y-%m-%dT%H:%M"),
            "video_url": "https://visio.example.org/canicule",
        },
        follow=True,
    )
    assert "Réunion créée" in response.content.decode()
    meeting = Meeting.objects.get()
    assert meeting.campaign == campaign and meeting.federation == world.fed and meeting.cpts is None
    page = web(world.member_b).get(reverse("actions-campaign", args=[campaign.pk])).content.decode()
    assert "Lancement canicule" in page


def test_an_invitation_ends_with_the_membership_that_allowed_it(world, api):
    """Access that ends, ends everywhere: a member of CPTS Bravo invited to an Alpha working group kept
    reading it (and its agenda and video link) after leaving Bravo, through the invitation alone."""
    from federation.models import Membership

    start, end = _when()
    meeting = meeting_services.meeting_create(
        actor=world.coordinator_a,
        cpts=world.cpts_a,
        title="Groupe de travail inter-CPTS",
        kind="working_group",
        start=start,
        end=end,
        video_url="https://visio.example.org/inter-cpts",
    )
    meeting_services.meeting_invite(actor=world.coordinator_a, meeting=meeting, users=[world.member_b])
    detail = reverse("api-actions-meeting", args=[meeting.pk])
    listing = reverse("api-actions-meetings")
    guest = api(world.member_b)
    assert guest.get(detail).status_code == 200
    assert meeting.pk in [m["id"] for m in guest.get(listing).json()["results"]]

    Membership.objects.filter(user=world.member_b).delete()  # left (or was removed from) Bravo
    guest = api(world.member_b)
    assert guest.get(detail).status_code == 404
    assert meeting.pk not in [m["id"] for m in guest.get(listing).json()["results"]]
