import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shared_actions.documents import services as document_services
from shared_actions.documents import uploads
from shared_actions.models import Document, DocumentDownload, DocumentVersion, Visibility
from tests.shared_actions import factories
from tests.shared_actions.conftest import EXE_BYTES, pdf_bytes, pdf_upload, stored_files, unchanged

pytestmark = pytest.mark.django_db


def _api_upload(client, **extra):
    data = {"title": "Statuts de la CPTS", "category": "statuts", "cpts": "alpha", "file": pdf_upload()}
    data.update(extra)
    return client.post(reverse("api-actions-documents"), data, format="multipart")


def test_pdf_statutes_upload_creates_version_1_then_2(world, api, media_root):
    client = api(world.coordinator_a)
    response = _api_upload(client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert [v["number"] for v in body["versions"]] == [1]
    assert body["versions"][0]["content_type"] == "application/pdf"
    document_id = body["id"]
    second = client.post(
        reverse("api-actions-document-versions", args=[document_id]),
        {"file": pdf_upload("statuts-2026.pdf", "Statuts modifiés"), "comment": "AGE du 12 mars"},
        format="multipart",
    )
    assert second.status_code == 201, second.content
    assert second.json()["number"] == 2
    versions = client.get(reverse("api-actions-document-versions", args=[document_id])).json()
    assert [v["number"] for v in versions] == [2, 1]
    # The older version stays downloadable, as an attachment, with nosniff.
    old = client.get(reverse("api-actions-document-download", args=[document_id, 1]))
    assert old.status_code == 200
    assert old["X-Content-Type-Options"] == "nosniff"
    assert old["Content-Disposition"].startswith("attachment;")
    assert old["Content-Type"] == "application/pdf"
    assert b"".join(old.streaming_content).startswith(b"%PDF")
    # Storage names are generated (nothing from the uploaded name), two files stored.
    files = stored_files(media_root)
    assert len(files) == 2
    assert all("statuts" not in f.name for f in files)
    assert DocumentDownload.objects.filter(version__document_id=document_id, version__number=1).count() == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("statuts.pdf", EXE_BYTES, "file_type_refused"),
        ("statuts.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "file_type_refused"),
        ("statuts.pdf", b"#!/bin/sh\nrm -rf /\n", "file_type_mismatch"),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 100, "file_type_refused"),
        ("image.png", pdf_bytes(), "file_type_mismatch"),
    ],
)
def test_bad_content_is_refused_and_nothing_is_stored(world, api, media_root, name, content, code):
    response = _api_upload(api(world.coordinator_a), file=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Document.objects.count() == 0
    assert DocumentVersion.objects.count() == 0
    assert stored_files(media_root) == []


def test_oversize_file_is_refused_with_a_french_message(world, api, web, media_root, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = pdf_bytes("x" * 10) + b"%" + b"0" * 2048
    response = _api_upload(api(world.coordinator_a), file=SimpleUploadedFile("statuts.pdf", big))
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert "taille maximale" in response.json()["detail"]
    page = web(world.coordinator_a).post(
        reverse("actions-documents"),
        {
            "title": "Gros fichier",
            "category": "statuts",
            "owner": f"cpts:{world.cpts_a.pk}",
            "visibility": "owner",
            "file": SimpleUploadedFile("statuts.pdf", big),
        },
        follow=True,
    )
    assert "dépasse la taille maximale" in page.content.decode()
    assert Document.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_refused_new_version_keeps_the_document_unchanged(world, media_root):
    document = factories.document(world.coordinator_a, cpts=world.cpts_a)
    with pytest.raises(ValidationError):
        document_services.document_add_version(
            actor=world.coordinator_a, document=document, file=SimpleUploadedFile("v2.pdf", EXE_BYTES)
        )
    assert document.versions.count() == 1
    assert len(stored_files(media_root)) == 1


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        (
            "ca.odt",
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "odt",
        ),
        ("budget.xlsx", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}), "xlsx"),
        ("fiche.docx", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}), "docx"),
        ("liste.csv", "nom;commune\nDupont;Lunel\nÉmile;Sète\n".encode(), "csv"),
        ("notes.txt", "Compte rendu : RAS.\n".encode("cp1252"), "txt"),
        ("sans-extension", pdf_bytes(), "pdf"),
    ],
)
def test_allowed_types_are_detected_on_content(name, content, extension, settings):
    detected = uploads.validate_upload(SimpleUploadedFile(name, content))
    assert detected.extension == extension


def test_visibility_scopes(world):
    owner_only = factories.document(world.coordinator_a, cpts=world.cpts_a, title="Interne")
    federation_wide = factories.document(
        world.coordinator_a, cpts=world.cpts_a, visibility=Visibility.FEDERATION, title="Fédé"
    )
    selected = factories.document(
        world.coordinator_a,
        cpts=world.cpts_a,
        visibility=Visibility.SELECTED,
        shared_with=[world.cpts_b],
        title="Sel",
    )
    partners = factories.document(
        world.fed_coordinator, federation=world.fed, visibility=Visibility.PARTNERS, title="Partenaires"
    )
    from shared_actions.documents.selectors import visible_documents

    def titles(user):
        return set(visible_documents(user).values_list("title", flat=True))

    assert titles(world.member_a) == {"Interne", "Fédé", "Sel", "Partenaires"}
    assert titles(world.member_b) == {"Fédé", "Sel", "Partenaires"}
    assert titles(world.partner_delegate) == {"Partenaires"}
    assert titles(world.fed_coordinator) == {"Fédé", "Partenaires"}
    assert titles(world.member_c) == set()
    assert titles(world.outsider) == set()
    assert owner_only and federation_wide and selected and partners


def test_outsider_of_the_visibility_scope_gets_404_on_document_and_versions(world, api, web):
    document = factories.document(world.coordinator_a, cpts=world.cpts_a)
    urls = [
        reverse("api-actions-document", args=[document.pk]),
        reverse("api-actions-document-versions", args=[document.pk]),
        reverse("api-actions-document-download", args=[document.pk, 1]),
        reverse("api-actions-document-log", args=[document.pk]),
    ]
    pages = [
        reverse("actions-document", args=[document.pk]),
        reverse("actions-document-download", args=[document.pk, 1]),
    ]
    for user in (
        world.member_b,
        world.member_c,
        world.partner_delegate,
        world.outsider,
        world.fed_coordinator,
    ):
        for url in urls:
            assert api(user).get(url).status_code == 404, (user, url)
        for url in pages:
            assert web(user).get(url).status_code == 404, (user, url)
    assert api(world.member_a).get(urls[0]).status_code == 200
    assert api(world.member_a).get(urls[2]).status_code == 200
    assert web(world.member_a).get(pages[0]).status_code == 200
    missing = reverse("api-actions-document", args=[document.pk + 1000])
    assert api(world.member_a).get(missing).status_code == 404
    assert DocumentDownload.objects.filter(user=world.member_b).count() == 0


def test_writes_need_the_right_role(world, api):
    document = factories.document(world.coordinator_a, cpts=world.cpts_a, visibility=Visibility.FEDERATION)
    versions = reverse("api-actions-document-versions", args=[document.pk])
    with unchanged():
        # member of the owning CPTS, not the creator: may read, may not add a version
        assert (
            api(world.member_a).post(versions, {"file": pdf_upload()}, format="multipart").status_code == 403
        )
        # member of another CPTS sees it (federation visibility) but may not change it
        assert (
            api(world.member_b).post(versions, {"file": pdf_upload()}, format="multipart").status_code == 403
        )
        log = reverse("api-actions-document-log", args=[document.pk])
        assert api(world.member_b).get(log).status_code == 403
        patch = api(world.member_b).patch(
            reverse("api-actions-document", args=[document.pk]), {"title": "x"}, format="json"
        )
        assert patch.status_code == 403
        # creating in a CPTS one does not belong to: 404 (not yours)
        assert _api_upload(api(world.member_b)).status_code == 404
        # a federation document needs the federation staff
        response = api(world.member_a).post(
            reverse("api-actions-documents"),
            {"title": "PV", "category": "proces_verbal", "federation": world.fed.slug, "file": pdf_upload()},
            format="multipart",
        )
        assert response.status_code == 403


def test_search_by_title_description_and_category(world, api):
    factories.document(world.coordinator_a, cpts=world.cpts_a, title="Statuts 2024")
    document_services.document_create(
        actor=world.coordinator_a,
        title="Protocole plaies chroniques",
        description="Prise en charge infirmier-médecin",
        category="protocole",
        file=pdf_upload(),
        cpts=world.cpts_a,
    )
    client = api(world.member_a)
    url = reverse("api-actions-documents")
    assert [d["title"] for d in client.get(url, {"q": "infirmier"}).json()["results"]] == [
        "Protocole plaies chroniques"
    ]
    assert [d["title"] for d in client.get(url, {"q": "règlement"}).json()["results"]] == []
    assert [d["title"] for d in client.get(url, {"q": "statuts"}).json()["results"]] == ["Statuts 2024"]
    assert [d["title"] for d in client.get(url, {"category": "protocole"}).json()["results"]] == [
        "Protocole plaies chroniques"
    ]


def test_access_log_records_who_downloaded_which_version(world, web):
    document = factories.document(world.coordinator_a, cpts=world.cpts_a)
    document_services.document_add_version(actor=world.coordinator_a, document=document, file=pdf_upload())
    web(world.member_a).get(reverse("actions-document-download", args=[document.pk, 1]))
    web(world.member_a).get(reverse("actions-document-download", args=[document.pk, 2]))
    log = list(DocumentDownload.objects.order_by("pk").values_list("user__email", "version__number"))
    assert log == [("membre@alpha.example.org", 1), ("membre@alpha.example.org", 2)]
    page = web(world.coordinator_a).get(reverse("actions-document", args=[document.pk])).content.decode()
    assert "Journal des téléchargements" in page


def test_document_pages_render_and_upload_from_the_form(world, web, media_root):
    browser = web(world.member_a)
    response = browser.post(
        reverse("actions-documents"),
        {
            "title": "Fiche action vaccination",
            "category": "fiche_action",
            "owner": f"cpts:{world.cpts_a.pk}",
            "visibility": "federation",
            "file": pdf_upload("fiche.pdf"),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Document enregistré" in response.content.decode()
    assert Document.objects.get().visibility == "federation"
    listing = web(world.member_b).get(reverse("actions-documents"), {"q": "vaccination"}).content.decode()
    assert "Fiche action vaccination" in listing


def test_document_list_query_count_does_not_grow(world, api, django_assert_max_num_queries):
    for index in range(8):
        factories.document(world.coordinator_a, cpts=world.cpts_a, title=f"Doc {index}")
    with django_assert_max_num_queries(10):
        response = api(world.member_a).get(reverse("api-actions-documents"))
    assert response.json()["count"] == 8


def test_visibility_changed_from_the_page(world, web, api):
    document = factories.document(world.coordinator_a, cpts=world.cpts_a)
    url = reverse("api-actions-document", args=[document.pk])
    assert api(world.member_b).get(url).status_code == 404
    response = web(world.coordinator_a).post(
        reverse("actions-document-edit", args=[document.pk]),
        {
            "title": "Statuts",
            "category": "statuts",
            "visibility": "selected",
            "shared_with": [world.cpts_b.pk],
        },
        follow=True,
    )
    assert "Document mis à jour" in response.content.decode()
    assert api(world.member_b).get(url).status_code == 200
    assert api(world.member_c).get(url).status_code == 404
    # Sharing with a CPTS outside the federation is refused with a message, nothing changes.
    response = web(world.coordinator_a).post(
        reverse("actions-document-edit", args=[document.pk]),
        {
            "title": "Statuts",
            "category": "statuts",
            "visibility": "selected",
            "shared_with": [world.cpts_c.pk],
        },
        follow=True,
    )
    document.refresh_from_db()
    assert list(document.shared_with.all()) == [world.cpts_b]
    edit = reverse("actions-document-edit", args=[document.pk])
    with unchanged():
        assert web(world.member_a).post(edit, {"title": "x", "category": "statuts"}).status_code == 403
        assert web(world.member_c).post(edit, {"title": "x", "category": "statuts"}).status_code == 404


def test_orphan_files_are_swept(world, media_root):
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from shared_actions import tasks

    document = factories.document(world.coordinator_a, cpts=world.cpts_a)
    orphan = default_storage.save("shared_documents/2020/01/orphan.pdf", ContentFile(b"%PDF-1.4"))
    fresh = default_storage.save("shared_documents/2020/01/fresh.pdf", ContentFile(b"%PDF-1.4"))
    old = time.time() - 86400
    os.utime(default_storage.path(orphan), (old, old))
    kept = document.versions.get().file.name
    os.utime(default_storage.path(kept), (old, old))
    assert tasks.sweep_orphan_files.delay().get() == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(fresh) and default_storage.exists(kept)


def test_download_headers_are_strict(world, web):
    document = factories.document(world.coordinator_a, cpts=world.cpts_a)
    response = web(world.member_a).get(reverse("actions-document-download", args=[document.pk, 1]))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="statuts.pdf"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"


def test_documents_for_designated_people(world, api):
    """The visibility messaging attachments use: only the named people and who shared it."""
    client = api(world.member_a)
    response = client.post(
        reverse("api-actions-documents"),
        {
            "title": "Pièce jointe",
            "category": "compte_rendu",
            "cpts": "alpha",
            "visibility": "people",
            "shared_with_users": [world.member_b.pk],
            "file": pdf_upload(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    url = reverse("api-actions-document", args=[response.json()["id"]])
    download = reverse("api-actions-document-download", args=[response.json()["id"], 1])
    for user in (world.member_a, world.member_b):
        assert api(user).get(url).status_code == 200
        assert api(user).get(download).status_code == 200
    # Not the rest of the owning CPTS, not its coordinator, not the federation.
    for user in (
        world.coordinator_a,
        world.bureau_a,
        world.coordinator_b,
        world.fed_coordinator,
        world.member_c,
    ):
        assert api(user).get(url).status_code == 404, user
    with unchanged():
        assert api(world.member_b).patch(url, {"title": "x"}, format="json").status_code == 403
    # The sharer keeps the people in step (e.g. a conversation's members change).
    moved = client.patch(url, {"shared_with_users": [world.coordinator_b.pk]}, format="json")
    assert moved.status_code == 200
    assert api(world.coordinator_b).get(url).status_code == 200
    assert api(world.member_b).get(url).status_code == 404
    outside = client.patch(url, {"shared_with_users": [world.member_c.pk]}, format="json")
    assert outside.status_code == 400 and outside.json()["code"] == "recipient_outside"
    unknown = client.patch(url, {"shared_with_users": [999999]}, format="json")
    assert unknown.status_code == 400
    # Not offered in the pages' forms (set by the apps that name people).
    from shared_actions.documents.forms import DocumentForm

    assert "people" not in dict(DocumentForm().fields["visibility"].choices)


def test_a_decompression_bomb_disguised_as_a_spreadsheet_is_refused(world, api, media_root):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<w/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))  # 50 MB of zeros
    bomb = buffer.getvalue()
    assert len(bomb) < 200 * 1024
    response = _api_upload(api(world.coordinator_a), file=SimpleUploadedFile("budget.xlsx", bomb))
    assert response.status_code == 400
    assert response.json()["code"] == "file_type_refused"
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "name", ["../../../etc/passwd.pdf", "..\\..\\web.config.pdf", "/tmp/x.pdf", "a\x00b.pdf"]
)
def test_path_traversal_names_never_reach_the_storage(world, api, media_root, name):
    response = _api_upload(api(world.coordinator_a), file=SimpleUploadedFile(name, pdf_bytes()))
    assert response.status_code in (201, 400)
    for stored in stored_files(media_root):
        assert media_root in stored.parents
        assert ".." not in stored.parts and "passwd" not in stored.name and "web.config" not in stored.name
