import io

import pytest
from django.core.management import call_command

from federation.governance import demo
from federation.governance.models import (
    AuditEntry,
    ConvocationDelivery,
    CountedBallot,
    Meeting,
    Poll,
    SealedBallot,
)
from tests.governance.conftest import build_assembly

pytestmark = pytest.mark.django_db


def test_demo_seed_is_complete_idempotent_and_audited(settings, world, tmp_path):
    settings.DEMO_DEPARTMENT = "34"
    settings.MEDIA_ROOT = tmp_path
    build_assembly(world)
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # idempotent
    assert Meeting.objects.filter(title=demo.PAST_AGO, status="closed").count() == 1
    published = Poll.objects.filter(status="published")
    assert published.count() == 3
    assert [p.title for p in published if p.result["divergence"]] == [
        "Budget prévisionnel 2026 et cotisations (300 € par CPTS, 100 € par partenaire)"
    ]
    assert Poll.objects.filter(status="open", meeting__title=demo.AGE_TITLE).count() == 2
    assert Poll.objects.filter(status="open", meeting__isnull=True).count() == 1
    assert Meeting.objects.filter(title=demo.NEXT_AGO, status="convened").exists()
    call_command("verify_audit", stdout=io.StringIO())
    # The new features have their demo data: a revoked delegation, a sealed secret election counted
    # into receipts, convocations recorded per recipient.
    assert AuditEntry.objects.filter(event="delegate.revoked").count() == 1
    assert CountedBallot.objects.exists() and not SealedBallot.objects.exclude(poll__status="open").exists()
    assert ConvocationDelivery.objects.filter(status="sent").exists()
    # The next AGO's pack: budget and accounts filed, the activity report still missing.
    next_ago = Meeting.objects.get(title=demo.NEXT_AGO)
    assert sorted(next_ago.documents.values_list("kind", flat=True)) == ["accounts", "budget"]
