"""Browser journey of a chat attachment (Playwright + Chromium against a real daphne, PostgreSQL): one
member attaches a file from the composer, the other sees the link live and downloads it."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import global_settings
from django.db import connection

from messaging import services
from messaging.models import Conversation
from tests import processes
from tests.browser import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def media_server(transactional_db, tmp_path):
    processes.require_postgres()
    media = tmp_path / "media"
    media.mkdir()
    with processes.daphne(tmp_path, MEDIA_ROOT=str(media)) as base:
        yield base


def test_member_attaches_a_file_and_the_other_downloads_it(media_server, new_page, world, tmp_path, settings):
    # Off Playwright's event-loop thread: the service publishes on commit through async_to_sync.
    def create():
        try:
            return services.conversation_create(
                actor=world.member_a,
                kind=Conversation.Kind.DIRECT,
                federation=world.fed,
                members=[world.member_b],
            )
        finally:
            connection.close()  # the thread's own session would keep the test database from being dropped

    with ThreadPoolExecutor(1) as pool:
        direct = pool.submit(create).result()
    # The suite hashes with MD5 for speed; the daphne process checks with Django's default hashers.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    for user in (world.member_a, world.member_b):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    alice, bob = new_page(width=1280, height=900), new_page(width=1280, height=900)
    errors = []
    for page in (alice, bob):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(alice, media_server, world.member_a.email, PASSWORD)
    sign_in(bob, media_server, world.member_b.email, PASSWORD)
    for page in (alice, bob):
        page.goto(f"{media_server}/messagerie/#c{direct.pk}")
        page.wait_for_selector("#chat-status[data-state=open]")
    sample = tmp_path / "protocole.pdf"
    sample.write_bytes(PDF)
    alice.set_input_files("#chat-file", str(sample))
    assert "protocole.pdf" in alice.inner_text("#chat-file-name")
    alice.fill("#chat-input", "Le protocole en PJ")
    alice.click("#chat-compose button[type=submit]")
    link = bob.wait_for_selector(".chat-attachments a", timeout=10000)
    assert "protocole.pdf" in link.inner_text()
    with bob.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == "protocole.pdf"
    assert open(info.value.path(), "rb").read() == PDF
    # The sender's own copy (the echo replaced the pending message) carries the link too.
    alice.wait_for_selector("li[data-seq='1'] .chat-attachments a")
    # A refused file: a French error, nothing sent.
    bad = tmp_path / "ordonnance.pdf"
    bad.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    alice.set_input_files("#chat-file", str(bad))
    alice.click("#chat-compose button[type=submit]")
    alice.wait_for_selector("#chat-error:not([hidden])")
    assert "extension" in alice.inner_text("#chat-error") or "Type" in alice.inner_text("#chat-error")
    assert alice.locator("#chat-messages > li").count() == 1
    assert not [e for e in errors if "Content Security Policy" in e], errors
