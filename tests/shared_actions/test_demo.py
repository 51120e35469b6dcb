import io

import pytest
from django.core.management import call_command

from federation import demo as federation_demo
from shared_actions import demo as shared_actions_demo
from shared_actions.models import (
    Campaign,
    Document,
    DocumentCategory,
    DocumentVersion,
    IndicatorValue,
    Meeting,
    Roster,
    ShiftAssignment,
)
from tests.shared_actions.conftest import stored_files

pytestmark = pytest.mark.django_db


def seed():
    """The base layer's demo then ours (seed_demo runs every app's; only these two matter here)."""
    out = io.StringIO()
    federation_demo.seed(out)
    shared_actions_demo.seed(out)


def test_seed_demo_builds_the_pooled_resources_and_is_idempotent(media_root):
    call_command("load_territories", "--department", "34", stdout=io.StringIO())
    seed()
    roster = Roster.objects.get()
    assert roster.is_pooled and roster.participants.count() == 2
    shifts = roster.shifts.count()
    filled = ShiftAssignment.objects.filter(shift__roster=roster).count()
    assert 0 < filled < shifts * 2  # partly filled
    assert {c.slug for c in roster.participants.all()} == {"pays-de-lunel", "pays-de-lor"}
    campaign = Campaign.objects.get()
    assert campaign.theme == "vaccination_grippe" and campaign.participants.count() == 3
    assert IndicatorValue.objects.values("cpts").distinct().count() == 3
    assert {d.category for d in Document.objects.all()} == set(DocumentCategory.values) - {
        DocumentCategory.ATTACHMENT
    }
    assert DocumentVersion.objects.filter(number=2).exists()
    assert all(v.file.read(4) == b"%PDF" for v in DocumentVersion.objects.all())
    assert Meeting.objects.count() >= 3
    counts = (
        ShiftAssignment.objects.count(),
        Document.objects.count(),
        Meeting.objects.count(),
        len(stored_files(media_root)),
    )
    seed()
    assert counts == (
        ShiftAssignment.objects.count(),
        Document.objects.count(),
        Meeting.objects.count(),
        len(stored_files(media_root)),
    )
