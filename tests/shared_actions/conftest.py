"""Fixtures of the shared actions tests: a tmp MEDIA_ROOT (tests never write into the repo), small
valid files, and a pooled weekend roster for CPTS Alpha and Bravo."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.pdfgen import canvas

from shared_actions.rosters import services as roster_services


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def pdf_bytes(text: str = "Statuts de l'association") -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf_upload(name: str = "statuts.pdf", text: str = "Statuts") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


# The first bytes of a Windows PE executable ("MZ" header, DOS stub) padded to a realistic size.
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"PE\x00\x00"
    + b"\x00" * 512
)


@pytest.fixture
def next_saturday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def pooled_roster(world, next_saturday):
    """A pooled weekend roster of Alpha and Bravo, built by Alpha's coordinator: two sites, Saturday
    and Sunday 08:00–20:00 at each, two places per shift."""
    roster = roster_services.roster_create(
        actor=world.coordinator_a,
        name="SNP week-end Alpha-Bravo",
        federation=world.fed,
        participants=[world.cpts_a, world.cpts_b],
        swap_requires_approval=True,
    )
    lunel = roster_services.site_create(
        actor=world.coordinator_a, roster=roster, name="MSP Lunel", cpts=world.cpts_a
    )
    mauguio = roster_services.site_create(
        actor=world.coordinator_a, roster=roster, name="MSP Mauguio", cpts=world.cpts_b
    )
    for site in (lunel, mauguio):
        roster_services.shifts_create_recurring(
            actor=world.coordinator_a,
            roster=roster,
            site=site,
            first_day=next_saturday,
            last_day=next_saturday + dt.timedelta(days=1),
            weekdays=[5, 6],
            start_time=dt.time(8),
            end_time=dt.time(20),
            required_count=2,
        )
    return roster
