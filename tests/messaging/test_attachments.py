"""Message attachments: shared documents (shared_actions, visibility "people") uploaded to a conversation,
sent in messages, downloaded through shared_actions' permission-checked view (issue 4)."""

import uuid
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging import services
from messaging.models import Conversation, ConversationAttachment, Message
from shared_actions.models import Document, DocumentDownload, Visibility

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# A Windows executable ("MZ" header) renamed to .pdf.
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"PE\x00\x00"
    + b"\x00" * 512
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def upload(client, conversation, content=PDF, name="compte-rendu.pdf", **extra):
    url = reverse("api-messaging-attachments", kwargs={"pk": conversation.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, content), **extra}, format="multipart")


def send(client, conversation, attachments, body=""):
    url = reverse("api-messaging-messages", kwargs={"pk": conversation.pk})
    payload = {"body": body, "client_id": str(uuid.uuid4()), "attachments": attachments}
    return client.post(url, payload, format="json")


@pytest.mark.django_db
def test_upload_send_and_download_by_members_only(world, chat, api, web):
    response = upload(api(world.member_a), chat.direct, title="Protocole AVK")
    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["id"])
    assert document.visibility == Visibility.PEOPLE and document.cpts == world.cpts_a
    assert set(document.shared_with_users.all()) == {world.member_a, world.member_b}
    assert ConversationAttachment.objects.get(document=document).conversation == chat.direct

    sent = send(api(world.member_a), chat.direct, [document.pk])  # attachments only: empty body allowed
    assert sent.status_code == 201, sent.content
    attachment = sent.json()["attachments"][0]
    assert attachment["id"] == document.pk and attachment["title"] == "Protocole AVK"
    assert attachment["name"] == "compte-rendu.pdf" and attachment["size"] == len(PDF)
    url = attachment["url"]
    assert url == reverse("actions-document-download", kwargs={"document_id": document.pk, "number": 1})

    history = api(world.member_b).get(reverse("api-messaging-messages", kwargs={"pk": chat.direct.pk}))
    assert history.json()["results"][-1]["attachments"] == [attachment]

    download = web(world.member_b).get(url)
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    assert DocumentDownload.objects.filter(version__document=document, user=world.member_b).exists()
    # Not in the conversation: another CPTS, another federation, the owner CPTS's own coordinator, staff-less.
    for stranger in (world.coordinator_a, world.coordinator_b, world.member_c, world.outsider):
        assert web(stranger).get(url).status_code == 404, stranger
    assert DocumentDownload.objects.filter(version__document=document).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "limit", "code"),
    [
        (EXE, "ordonnance.pdf", None, {"file_type_mismatch", "file_type_refused"}),
        (PDF * 10, "gros.pdf", 100, {"file_too_large"}),
        (b"", "vide.pdf", None, {"empty_file"}),
    ],
)
def test_refused_upload_stores_nothing(world, chat, api, settings, media_root, content, name, limit, code):
    if limit:
        settings.UPLOAD_MAX_BYTES = limit
    response = upload(api(world.member_a), chat.direct, content=content, name=name)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] in code and body["detail"]
    assert any(word in body["detail"] for word in ("fichier", "Fichier", "Le contenu"))  # French
    assert not Document.objects.exists() and not ConversationAttachment.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_upload_isolation_and_owner(world, chat, api):
    for stranger in (world.member_c, world.outsider, world.coordinator_b, world.staff):
        assert upload(api(stranger), chat.direct).status_code == 404
    assert upload(api(), chat.direct).status_code in (401, 403)
    # Federation staff without a CPTS: the federation owns the document.
    response = upload(api(world.fed_coordinator), chat.fed_channel)
    assert response.status_code == 201
    document = Document.objects.get(pk=response.json()["id"])
    assert document.cpts is None and document.federation == world.fed
    assert world.member_b in document.shared_with_users.all()
    # Archived: read-only.
    services.conversation_archive(actor=world.member_a, conversation=chat.direct)
    assert upload(api(world.member_a), chat.direct).status_code == 403
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_send_refuses_foreign_documents(world, chat, api):
    elsewhere = upload(api(world.member_a), chat.fed_channel).json()["id"]  # visible to member_a
    hidden = upload(api(world.coordinator_a), chat.group).json()["id"]  # not visible to member_a
    before = Message.objects.count()
    for ids in ([elsewhere], [hidden], [999999], ["x"]):
        response = send(api(world.member_a), chat.direct, ids, body="voir PJ")
        assert response.status_code == 400, (ids, response.content)
    assert send(api(world.member_a), chat.direct, [hidden]).json()["code"] == "invalid_attachment"
    assert Message.objects.count() == before
    assert send(api(world.member_a), chat.direct, []).json()["code"] == "empty_body"


@pytest.mark.django_db
def test_attachment_people_follow_the_members(world, chat, api):
    document_id = upload(api(world.coordinator_a), chat.group).json()["id"]
    send(api(world.coordinator_a), chat.group, [document_id], body="Planning SNP")
    document = Document.objects.get(pk=document_id)
    assert set(document.shared_with_users.all()) == {world.coordinator_a, world.coordinator_b}
    url = reverse("api-actions-document-download", kwargs={"document_id": document_id, "number": 1})
    assert api(world.member_b).get(url).status_code == 404

    services.member_add(actor=world.coordinator_a, conversation=chat.group, user=world.member_b)
    assert api(world.member_b).get(url).status_code == 200  # joins later: sees the earlier attachments
    history = api(world.member_b).get(reverse("api-messaging-messages", kwargs={"pk": chat.group.pk}))
    assert history.json()["results"][-1]["attachments"][0]["id"] == document_id

    services.member_remove(actor=world.coordinator_a, conversation=chat.group, user=world.member_b)
    assert api(world.member_b).get(url).status_code == 404
    services.member_remove(actor=world.coordinator_b, conversation=chat.group, user=world.coordinator_b)
    assert api(world.coordinator_b).get(url).status_code == 404
    assert api(world.coordinator_a).get(url).status_code == 200  # who shared it keeps it


@pytest.mark.django_db
def test_new_cpts_member_gets_the_general_channel_attachments(world, chat, api):
    from tests import factories

    document_id = upload(api(world.member_a), chat.cpts_a_channel).json()["id"]
    newcomer = factories.MembershipFactory(cpts=world.cpts_a).user
    services.cpts_channel_sync(cpts=world.cpts_a)
    assert Document.objects.get(pk=document_id).shared_with_users.filter(pk=newcomer.pk).exists()


@pytest.mark.django_db
def test_query_budgets_unchanged(world, chat, api, django_assert_max_num_queries):
    for index in range(3):
        document_id = upload(api(world.member_a), chat.fed_channel, name=f"pj{index}.pdf").json()["id"]
        send(api(world.member_a), chat.fed_channel, [document_id], body=f"pièce {index}")
    for index in range(5):
        services.conversation_create(
            actor=world.member_a,
            kind=Conversation.Kind.GROUP,
            title=f"G{index}",
            federation=world.fed,
            members=[world.member_b],
        )
    client = api(world.member_b)
    with django_assert_max_num_queries(6):  # the same budget as without attachments (test_api.py)
        assert client.get(reverse("api-messaging-conversations")).status_code == 200
    with django_assert_max_num_queries(8):  # history: attachments and versions prefetched per page
        page = client.get(reverse("api-messaging-messages", kwargs={"pk": chat.fed_channel.pk})).json()
    assert [len(m["attachments"]) for m in page["results"]] == [1, 1, 1]


@pytest.mark.django_db(transaction=True)
async def test_websocket_send_with_attachments(world, chat):
    from tests.messaging.test_websocket import connect, next_of

    own = await database_sync_to_async(services.attachment_upload)(
        actor=world.member_a, conversation=chat.direct, file=SimpleUploadedFile("cr.pdf", PDF)
    )
    foreign = await database_sync_to_async(services.attachment_upload)(
        actor=world.coordinator_a, conversation=chat.group, file=SimpleUploadedFile("x.pdf", PDF)
    )
    alice = await connect(world.member_a)
    bob = await connect(world.member_b)
    frame = {
        "type": "message.send",
        "conversation": chat.direct.pk,
        "body": "PJ",
        "client_id": str(uuid.uuid4()),
    }
    await alice.send_json_to({**frame, "attachments": [foreign.pk]})
    error = await next_of(alice, "error")
    assert error["code"] == "invalid_attachment" and error["conversation"] == chat.direct.pk
    await alice.send_json_to({**frame, "client_id": str(uuid.uuid4()), "attachments": "1"})
    assert (await next_of(alice, "error"))["code"] == "invalid_attachments"
    assert await database_sync_to_async(Message.objects.count)() == 0

    await alice.send_json_to({**frame, "client_id": str(uuid.uuid4()), "attachments": [own.pk]})
    got = await next_of(bob, "message.new")
    assert [a["id"] for a in got["message"]["attachments"]] == [own.pk]
    assert got["message"]["attachments"][0]["name"] == "cr.pdf"
    await alice.send_json_to({"type": "sync", "since": {str(chat.direct.pk): 0}})
    replay = await next_of(alice, "message.new")
    while not replay.get("replay"):
        replay = await next_of(alice, "message.new")
    assert replay["message"]["attachments"] == got["message"]["attachments"]
    await alice.disconnect()
    await bob.disconnect()


@pytest.mark.django_db
def test_partner_delegates_receive_attachments_but_cannot_attach(world, chat, api):
    services.member_add(
        actor=world.fed_coordinator, conversation=chat.fed_channel, user=world.partner_delegate
    )
    refused = upload(api(world.partner_delegate), chat.fed_channel)
    assert refused.status_code == 403 and "CPTS" in refused.json()["detail"]
    document_id = upload(api(world.member_a), chat.fed_channel).json()["id"]
    url = reverse("api-actions-document-download", kwargs={"document_id": document_id, "number": 1})
    assert api(world.partner_delegate).get(url).status_code == 200
    assert Document.objects.count() == 1
