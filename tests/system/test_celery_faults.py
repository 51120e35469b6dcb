"""Fault cases of the task pipeline (issue 7): a Celery worker killed mid-task; the notification
pipeline end to end (daphne + worker + beat as separate processes). Nothing lost, nothing done twice.

Each test gives its processes their own queue (CELERY_TASK_DEFAULT_QUEUE): other test runs on the same
Redis must not take (and drop) this run's tasks.
"""

import json
import signal
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from rest_framework.authtoken.models import Token
from websockets.sync.client import connect

from config.celery import app
from directory.extraction import header_line, person_line
from directory.models import EntryChange, ImportRun, Professional
from messaging.models import ConversationMember, NotificationPreference
from tests import factories, processes
from tests.system import services

pytestmark = pytest.mark.django_db(transaction=True)

COMMUNES = [("34172", "Montpellier", "34000"), ("34145", "Lunel", "34400"), ("34301", "Sète", "34200")]


@contextmanager
def _enqueue_to(queue: str):
    """Tasks sent by this (eager) test process go to the broker, on `queue`."""
    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue


def _wait(predicate, timeout: float, what: str, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def _extraction(count: int) -> bytes:
    lines = [header_line()]
    for n in range(count):
        code, name, postal = COMMUNES[n % len(COMMUNES)]
        lines.append(
            person_line(
                id_type="8",
                identifier=f"1{n:010d}",
                last_name=f"NOM{n}",
                first_name=f"Prénom{n}",
                profession="60" if n % 2 else "10",
                structure_id=f"B{code}{n % 40:03d}",
                company=f"Cabinet {n % 40}",
                street=f"{n % 99 + 1} rue de la République",
                postal_code=postal,
                commune_code=code,
                commune_name=name.upper(),
            )
        )
    return "".join(lines).encode()


def _kill_worker(worker: psutil.Process) -> int:
    """SIGKILL a prefork worker: the main process first (it can no longer requeue anything), then its
    pool children (the task itself) at once. Returns how many processes were killed."""
    children = worker.children(recursive=True)
    worker.send_signal(signal.SIGKILL)
    for child in children:
        try:
            child.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs([worker, *children], timeout=10)
    return 1 + len(children)


def test_worker_killed_mid_import_completes_the_import_once(tmp_path):
    processes.require_postgres()
    services.require_local_services()
    herault = factories.DepartementFactory(code="34", name="Hérault")
    for code, name, postal in COMMUNES:
        factories.CommuneFactory(insee_code=code, name=name, departement=herault, postal_codes=postal)
    actor = factories.UserFactory(is_staff=True)
    total = 12_000
    path = default_storage.save(f"imports/system-{uuid.uuid4().hex}.txt", ContentFile(_extraction(total)))
    run = ImportRun.objects.create(file_name="system.txt", departments="34", actor=actor)
    queue = f"system-{uuid.uuid4().hex[:8]}"
    # A killed worker cannot requeue its task: the broker hands it out again once the visibility
    # timeout has passed since delivery (Kombu's default, an hour, is shortened for this test; it stays
    # longer than the import itself, which would otherwise be handed out twice while running).
    worker_env = {
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": "12",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()

    from directory.tasks import import_rpps_task

    with _enqueue_to(queue):
        import_rpps_task.apply_async(args=[run.pk, path])
    started = time.monotonic()
    with processes.celery(tmp_path / "first", **worker_env) as worker:
        # Killed once some professionals are committed and before the import is over.
        _wait(lambda: Professional.objects.count() >= 2000, 60, "the import to start", step=0.05)
        before_kill = Professional.objects.count()
        killed = _kill_worker(psutil.Process(worker.pid))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.RUNNING, "the import ended before the worker was killed"
    assert before_kill < total
    with processes.celery(tmp_path / "second", **worker_env):
        run = _wait(
            lambda: ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.DONE).first(),
            90,
            "the redelivered import to finish",
            step=0.25,
        )
        time.sleep(1)  # a second (duplicate) execution would start now if the task were handed out again
    elapsed = time.monotonic() - started
    log = (tmp_path / "second" / "celery-worker.log").read_text(errors="replace")

    national_ids = list(Professional.objects.values_list("national_id", flat=True))
    assert len(national_ids) == len(set(national_ids)) == total
    assert set(national_ids) == {f"81{n:010d}" for n in range(total)}
    assert ImportRun.objects.count() == 1
    assert run.status == ImportRun.Status.DONE
    # The rerun rewrote nobody (unchanged records write nothing, so no change history either).
    assert not EntryChange.objects.filter(professional__isnull=False).exists()
    assert run.counts["professionals_created"] + run.counts["professionals_unchanged"] == total
    assert log.count("Task directory.tasks.import_rpps_task[") == 2, log  # received, succeeded: once
    assert not default_storage.exists(path)
    print(
        f"worker kill: {killed} processes killed with {before_kill}/{total} professionals committed;"
        f" rerun counts {run.counts}; {elapsed:.1f}s"
    )


def _post(url: str, token: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return response.status, json.loads(response.read() or b"{}")


def _sent_emails(folder: Path) -> list[str]:
    """Messages written by Django's file-based backend (one file per connection, separated by a line of
    dashes)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        messages += [m for m in path.read_text(errors="replace").split("-" * 79) if "Subject:" in m]
    return messages


def test_direct_message_notification_is_emailed_once_through_daphne_worker_and_beat(world, tmp_path):
    processes.require_postgres()
    services.require_local_services()
    sender, recipient = world.member_a, world.member_b
    NotificationPreference.objects.update_or_create(
        user=recipient, defaults={"mode": NotificationPreference.Mode.IMMEDIATE}
    )
    token = Token.objects.create(user=sender).key
    recipient_token = Token.objects.create(user=recipient).key
    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = {
        "CELERY_TASK_DEFAULT_QUEUE": f"system-{uuid.uuid4().hex[:8]}",
        "EMAIL_FILE_PATH": str(outbox),
        "MESSAGING_NOTIFY_DELAY_MINUTES": "0",
        "MESSAGING_NOTIFY_INTERVAL_SECONDS": "1",
    }
    with (
        processes.daphne(tmp_path, **env) as base,
        processes.celery(tmp_path, **env),
        processes.celery(tmp_path, "beat", **env),
    ):
        status, conversation = _post(
            base + "/api/messaging/conversations/",
            token,
            {"kind": "direct", "federation": world.fed.slug, "members": [recipient.pk]},
        )
        assert status in (200, 201), conversation
        # The recipient is online (websocket) but does not read: the e-mail goes anyway.
        with connect(
            base.replace("http://", "ws://") + "/ws/",
            additional_headers={"Authorization": f"Token {recipient_token}"},
            origin="http://127.0.0.1",
            open_timeout=10,
        ) as socket:
            assert json.loads(socket.recv(timeout=10))["type"] == "unread"
            client_id = str(uuid.uuid4())
            message = {"body": "Pouvez-vous me rappeler ?", "client_id": client_id}
            url = f"{base}/api/messaging/conversations/{conversation['id']}/messages/"
            assert _post(url, token, message)[0] == 201
            assert _post(url, token, message)[0] == 200  # resent by a flaky client: still one message
            _wait(lambda: _sent_emails(outbox), 30, "the notification e-mail", step=0.25)
            time.sleep(3.5)  # beat keeps running notify_due every second: nothing more may be sent
            live = []
            while True:
                try:
                    frame = json.loads(socket.recv(timeout=0.5))
                except TimeoutError:
                    break
                if frame["type"] == "message.new":
                    live.append(frame["message"]["client_id"])
    assert live == [client_id]  # delivered live once, the resend included
    emails = _sent_emails(outbox)
    assert len(emails) == 1, emails
    assert recipient.email in emails[0]
    member = ConversationMember.objects.get(conversation_id=conversation["id"], user=recipient)
    assert member.notified_seq == 1
    runs = (tmp_path / "celery-worker.log").read_text(errors="replace").count("messaging.notify_due[")
    print(f"notification: {len(emails)} e-mail for 1 direct message sent twice; {runs // 2} notify_due runs")
