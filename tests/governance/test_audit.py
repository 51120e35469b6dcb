import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from federation.governance import services
from federation.governance.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_verify_audit_passes_then_names_the_altered_entry(ago, capsys):
    a = ago
    poll = services.poll_create(actor=a.coordinator, federation=a.fed, meeting=a.meeting, title="Motion")
    services.poll_open(actor=a.coordinator, poll=poll)
    services.ballot_cast(actor=a.delegates[1], poll=poll, choice="yes")
    services.poll_close(actor=a.coordinator, poll=poll)
    call_command("verify_audit")
    assert "intègre" in capsys.readouterr().out
    events = list(AuditEntry.objects.filter(federation=a.fed).values_list("event", flat=True))
    for expected in ("meeting.convened", "attendance.signed", "proxy.given", "ballot.cast", "poll.closed"):
        assert expected in events

    target = AuditEntry.objects.get(federation=a.fed, event="ballot.cast")
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        cursor.execute(
            f"UPDATE {table} SET payload = %s WHERE id = %s",
            [json.dumps({**target.payload, "member": 0, "choice": "no"}), target.pk],
        )
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert f"entrée #{target.pk}" in str(exc.value)
    assert f"séquence {target.seq}" in str(exc.value)


def test_verify_audit_detects_a_broken_link(ago):
    entries = list(AuditEntry.objects.filter(federation=ago.fed).order_by("seq"))
    victim = entries[3]
    AuditEntry.objects.filter(pk=entries[2].pk).delete()
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert f"entrée #{victim.pk}" in str(exc.value)
