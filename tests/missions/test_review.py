"""Annual review: reminders (once per contract year, to the coordinators and bureau) and the review pack's
contents (PDF, XLSX, CSV)."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from openpyxl import load_workbook

from missions import review_pack, services
from missions.models import AnnualReview, Indicator, ReviewPack
from missions.tasks import build_review_pack


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MISSIONS_REVIEW_REMINDER_DAYS = 30


def test_reminder_sent_once_to_coordinator_and_bureau(world, contract_a, django_capture_on_commit_callbacks):
    # 10 February 2025: the year-1 review window opens on 1 March 2025 (within 30 days).
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.review_reminders_send(today=dt.date(2025, 2, 10))
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.coordinator_a.email, world.bureau_a.email])
    assert "entre le 01/03/2025 et le 01/05/2025" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert services.review_reminders_send(today=dt.date(2025, 2, 11)) == 0
    assert len(mail.outbox) == 2
    assert AnnualReview.objects.get(contract=contract_a, year=1).reminder_sent_at is not None


def test_no_reminder_far_from_the_anniversary(world, contract_a):
    assert services.review_reminders_send(today=dt.date(2024, 9, 1)) == 0
    assert mail.outbox == []


def test_pack_contents(world, contract_a):
    m3 = Indicator.objects.get(mission__contract=contract_a, mission__number=3, kind="result")
    services.indicator_value_set(
        actor=world.coordinator_a, indicator=m3, year=1, value=3, measured_on=dt.date(2025, 1, 10)
    )
    pack = ReviewPack.objects.create(contract=contract_a, year=1, requested_by=world.coordinator_a)
    assert build_review_pack(pack.pk) == "done"
    pack.refresh_from_db()
    assert (pack.status, pack.progress) == ("done", 100)
    raw = pack.pdf.read()
    assert raw[:4] == b"%PDF" and b"Revue annuelle du contrat ACI" in raw  # uncompressed: text searchable
    text = review_pack.story_text(review_pack.pdf_story(review_pack.collect(contract_a, 1)))
    assert "Revue annuelle du contrat ACI" in text and "CPTS Alpha" in text
    assert "15 000 € × 75 % = 11 250 €" in text
    assert "Nombre de médecins participant au SAS" in text
    workbook = load_workbook(io.BytesIO(pack.xlsx.read()))
    assert workbook.sheetnames == ["Financement", "Indicateurs", "Évolutions"]
    names = [row[1] for row in workbook["Indicateurs"].iter_rows(min_row=2, values_only=True)]
    assert "Actions de prévention menées dans les campagnes" in names
    csv_text = pack.csv.read().decode("utf-8-sig")
    assert "Financement;Mission 3 — Prévention;15000,00;11250,00;0,00;26250,00" in csv_text
    # Built once: a second run leaves it.
    assert build_review_pack(pack.pk) == "skipped"


def test_changes_since_last_year(world, contract_a):
    indicator = Indicator.objects.get(mission__contract=contract_a, mission__number=3, kind="result")
    services.indicator_value_set(actor=world.coordinator_a, indicator=indicator, year=1, value=2)
    services.indicator_value_set(actor=world.coordinator_a, indicator=indicator, year=2, value=4)
    lines = review_pack.changes(review_pack.collect(contract_a, 2))
    assert any(line.startswith("Financement : ") for line in lines)
    assert any("Actions de prévention menées dans les campagnes : 2.00 → 4.00" in line for line in lines)


def test_reminder_task_and_beat_entry(settings, world, contract_a):
    assert (
        settings.CELERY_BEAT_SCHEDULE["missions-review-reminders"]["task"]
        == "missions.tasks.send_review_reminders"
    )
    call_command("check")
