"""A Celery worker killed while it sends the convocations of an assembly (issue 14): the task is
delivered again to a new worker, and every delegate gets exactly one e-mail — nobody two, nobody none.

Each recipient is claimed (committed) before its e-mail leaves; the new worker sends only to those
nobody claimed. The worker is killed while it pauses between two e-mails (the SMTP relay's rate,
GOVERNANCE_CONVOCATION_INTERVAL_MS), the moment it is most often in.
"""

import signal
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from federation.governance import services
from federation.governance.models import ConvocationDelivery
from tests import processes
from tests.governance.conftest import build_assembly

pytestmark = pytest.mark.django_db(transaction=True)


def _wait(predicate, timeout: float, what: str, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def _recipients(folder: Path) -> list[str]:
    """The To: address of every message Django's file-based backend wrote (one file per connection)."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for message in path.read_text(errors="replace").split("-" * 79):
            found += [line[4:].strip() for line in message.splitlines() if line.startswith("To: ")]
    return found


def test_worker_killed_mid_convocation_sends_each_delegate_exactly_one_email(world, tmp_path):
    processes.require_postgres()
    if not settings.REDIS_URL:
        pytest.skip("needs the Redis broker (REDIS_URL)")
    a = build_assembly(world, n_cpts=16, n_partners=8)
    queue = f"system-{uuid.uuid4().hex[:8]}"
    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = {
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_FILE_PATH": str(outbox),
        "GOVERNANCE_CONVOCATION_INTERVAL_MS": "250",
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    meeting = services.meeting_create(
        actor=a.coordinator,
        federation=a.fed,
        body="ago",
        title="AGO 2027",
        starts_at=timezone.now() + timedelta(days=10),
        agenda=["Comptes 2026", "Budget 2027"],
    )
    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        services.meeting_convene(actor=a.coordinator, meeting=meeting)  # enqueued on commit
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue
    deliveries = ConvocationDelivery.objects.filter(meeting=meeting)
    expected = set(deliveries.values_list("email", flat=True))
    assert len(expected) == 16 + 8

    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    with processes.celery(tmp_path / "first", **env) as worker:
        _wait(lambda: deliveries.filter(status="sent").count() >= 8, 90, "eight convocations sent")
        process = psutil.Process(worker.pid)
        children = process.children(recursive=True)
        for victim in [process, *children]:
            victim.send_signal(signal.SIGKILL)
        psutil.wait_procs([process, *children], timeout=10)
    sent_before = deliveries.filter(status="sent").count()
    assert sent_before < len(expected), "every convocation left before the worker was killed"
    assert len(_recipients(outbox)) == sent_before

    with processes.celery(tmp_path / "second", **env):
        _wait(lambda: not deliveries.filter(status="pending").exists(), 90, "the redelivered task", step=0.25)
        time.sleep(1.5)  # a duplicate run would send now
    received = _recipients(outbox)
    assert len(received) == len(set(received)), "someone got two convocations"
    assert set(received) == expected, "someone got none"
    assert deliveries.filter(status="sent").count() == len(expected)
    log = (tmp_path / "second" / "celery-worker.log").read_text(errors="replace")
    assert "send_convocation" in log
    print(f"convocation: worker killed after {sent_before}/{len(expected)} e-mails; each delegate got one")
