"""The AGO's pack (issue 16, "The statutes' rules"). Seed 000 (model statutes): « Les comptes annuels
sont tenus à la disposition de tous les membres, avec le rapport de gestion, le rapport financier et le
rapport du commissaire aux comptes, pendant les quinze jours précédant la date de l'Assemblée Générale
Ordinaire appelée à statuer sur les comptes de l'exercice clos. » and « L'Assemblée Générale Ordinaire
approuve les comptes de l'exercice clos, vote le budget prévisionnel [...] »."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from federation.cockpit import Panel, build_panels
from federation.governance import services
from federation.governance.models import Body, Meeting, MeetingDocument
from tests.governance.conftest import error_code, governance_rows

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft_ago(assembly):
    assembly.meeting = services.meeting_create(
        actor=assembly.coordinator,
        federation=assembly.fed,
        body=Body.AGO,
        title="AGO 2026",
        starts_at=timezone.now() + timedelta(days=30),
        location="Montpellier",
        agenda=["Approbation des comptes", "Budget prévisionnel"],
    )
    return assembly


def kw(a, **extra):
    return {"federation_slug": a.fed.slug, "meeting_id": a.meeting.pk, **extra}


def upload(a, kind, name="doc.pdf", content=PDF):
    return services.meeting_document_upload(
        actor=a.coordinator, meeting=a.meeting, kind=kind, upload=SimpleUploadedFile(name, content)
    )


def full_pack(a):
    for kind in MeetingDocument.Kind.values:
        upload(a, kind, name=f"{kind}.pdf")


def stored_files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_coordinator_uploads_the_pack_through_the_api_and_delegates_list_it(draft_ago, api, web, media):
    a = draft_ago
    url = reverse("api-governance-meeting-pack", kwargs=kw(a))
    r = api(a.coordinator).post(
        url, {"kind": "budget", "file": SimpleUploadedFile("budget-2026.pdf", PDF)}, format="multipart"
    )
    assert r.status_code == 201, r.content
    assert [d["kind"] for d in r.json()["documents"]] == ["budget"]
    assert r.json()["missing"] == ["accounts", "report"]
    # 15 days before the AGO.
    assert (
        r.json()["available_on"]
        == (timezone.localtime(a.meeting.starts_at) - timedelta(days=15)).date().isoformat()
    )
    # A CPTS delegate and a partner delegate see the pack and download it.
    for user in (a.delegates[1], a.partner_delegates[0]):
        listed = api(user).get(url).json()["documents"]
        assert listed[0]["name"] == "budget-2026.pdf"
        r = web(user).get(listed[0]["url"])
        assert r.status_code == 200
        assert b"".join(r.streaming_content) == PDF
        # An API client (no session: token auth) downloads it too: the pack is "à la disposition de tous les
        # membres", whatever they read it with.
        r = api(user).get(listed[0]["api_url"])
        assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
        assert b"".join(r.streaming_content) == PDF
    detail = api(a.delegates[1]).get(reverse("api-governance-meeting", kwargs=kw(a))).json()
    assert detail["pack"]["missing"] == ["accounts", "report"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00", "file_type_refused"),
        ("faux.pdf", b"MZ\x90\x00", "file_type_refused"),
        ("image.png", b"\x89PNG\r\n", "file_type_refused"),
        ("vide.pdf", b"", "file_empty"),
    ],
)
def test_refused_files_answer_400_in_one_shape_and_store_nothing(draft_ago, api, media, name, content, code):
    a = draft_ago
    before = governance_rows(a.fed)
    r = api(a.coordinator).post(
        reverse("api-governance-meeting-pack", kwargs=kw(a)),
        {"kind": "accounts", "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == code
    assert body["fields"]["file"]
    assert isinstance(body["detail"], str)
    assert governance_rows(a.fed) == before
    assert stored_files(media) == []


def test_too_large_file_refused(draft_ago, settings, media):
    from federation.governance.meetings import services as meeting_services

    a = draft_ago
    big = PDF + b"0" * meeting_services.PACK_MAX_BYTES
    with pytest.raises(Exception) as exc:
        upload(a, "report", content=big)
    assert error_code(exc.value) == "file_too_large"
    assert not MeetingDocument.objects.exists()
    assert stored_files(media) == []


def test_a_member_of_another_federation_gets_404_and_delegates_cannot_upload(draft_ago, api, web, media):
    a = draft_ago
    w = a.world
    document = upload(a, "budget")
    url = reverse("api-governance-meeting-pack", kwargs=kw(a))
    assert api(w.member_c).get(url).status_code == 404
    download = reverse("api-governance-meeting-pack-document", kwargs=kw(a, document_id=document.pk))
    assert api(w.member_c).get(download).status_code == 404
    assert api(None).get(download).status_code in (401, 403)
    assert (
        web(w.member_c)
        .get(reverse("governance-meeting-document", kwargs=kw(a, document_id=document.pk)))
        .status_code
        == 404
    )
    before = governance_rows(a.fed)
    r = api(a.delegates[1]).post(
        url, {"kind": "accounts", "file": SimpleUploadedFile("c.pdf", PDF)}, format="multipart"
    )
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied"
    assert governance_rows(a.fed) == before


def test_convening_an_ago_with_an_incomplete_pack_answers_a_code_until_confirmed(draft_ago, api):
    a = draft_ago
    upload(a, "budget")
    url = reverse("api-governance-meeting-action", kwargs=kw(a, action="convene"))
    before = governance_rows(a.fed)
    r = api(a.coordinator).post(url, {}, format="json")
    assert r.status_code == 400
    assert r.json()["code"] == "ag_pack_incomplete"
    assert "Comptes annuels" in r.json()["detail"]
    assert governance_rows(a.fed) == before
    r = api(a.coordinator).post(url, {"allow_incomplete_pack": True}, format="json")
    assert r.status_code == 200
    assert r.json()["status"] == "convened"


def test_convocation_links_the_pack(draft_ago, django_capture_on_commit_callbacks, settings):
    a = draft_ago
    full_pack(a)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(actor=a.coordinator, meeting=a.meeting, allow_incomplete_pack=False)
    assert mail.outbox
    body = mail.outbox[0].body
    assert "Dossier de l'assemblée" in body
    for document in a.meeting.documents.all():
        assert reverse("governance-meeting-document", kwargs=kw(a, document_id=document.pk)) in body


def test_page_lists_the_pack_warns_and_uploads(draft_ago, web, media):
    a = draft_ago
    page = reverse("governance-meeting", kwargs=kw(a))
    html = web(a.coordinator).get(page).content.decode()
    day = (timezone.localtime(a.meeting.starts_at) - timedelta(days=15)).strftime("%d/%m")
    assert (
        f"Dossier de l&#x27;AG disponible le {day}" in html or f"Dossier de l'AG disponible le {day}" in html
    )
    assert "Convoquer quand même" in html
    # Convening without confirming is refused with the French message; nothing is sent.
    r = web(a.coordinator).post(
        reverse("governance-meeting-action", kwargs=kw(a)), {"action": "convene"}, follow=True
    )
    assert "dossier de l&#x27;AG est incomplet" in r.content.decode()
    assert Meeting.objects.get(pk=a.meeting.pk).status == "draft"
    # A refused type on the page: French error, nothing stored.
    r = web(a.coordinator).post(
        reverse("governance-meeting-pack", kwargs=kw(a)),
        {"kind": "budget", "file": SimpleUploadedFile("x.exe", b"MZ")},
        follow=True,
    )
    assert "Type de fichier refusé" in r.content.decode()
    assert stored_files(media) == []
    web(a.coordinator).post(
        reverse("governance-meeting-pack", kwargs=kw(a)),
        {"kind": "accounts", "file": SimpleUploadedFile("comptes.pdf", PDF)},
    )
    html = web(a.delegates[2]).get(page).content.decode()
    assert "comptes.pdf" in html
    assert "Convoquer quand même" not in html  # not the chair's desk


def test_cockpit_says_when_the_pack_is_missing(draft_ago):
    a = draft_ago
    built = {p.key: d for p, d in build_panels(Panel.FEDERATION, a.fed, a.coordinator)}
    item = built["governance.upcoming_assemblies"].items[-1]
    assert "Dossier de l'AG incomplet (manque : Budget prévisionnel, Comptes annuels" in item.detail
    assert item.level == "warning"
    full_pack(a)
    built = {p.key: d for p, d in build_panels(Panel.FEDERATION, a.fed, a.coordinator)}
    assert "Dossier de l'AG" not in built["governance.upcoming_assemblies"].items[-1].detail


def test_a_new_file_replaces_the_old_one_of_the_same_kind(
    draft_ago, media, django_capture_on_commit_callbacks
):
    a = draft_ago
    with django_capture_on_commit_callbacks(execute=True):
        upload(a, "budget", name="v1.pdf")
        upload(a, "budget", name="v2.pdf")
    assert list(a.meeting.documents.values_list("name", flat=True)) == ["v2.pdf"]
    assert stored_files(media) == ["v2.pdf"]
