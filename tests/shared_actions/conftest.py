"""Fixtures of the shared actions tests: a tmp MEDIA_ROOT (tests never write into the repo), small
valid files, and a pooled weekend roster for CPTS Alpha and Bravo."""

import datetime as dt
import io
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.pdfgen import canvas

from shared_actions.campaigns import services as campaign_services
from shared_actions.meetings import services as meeting_services
from shared_actions.rosters import services as roster_services
from shared_actions.rosters import swaps as swap_services


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


def snapshot() -> dict:
    """Every row of every shared_actions table (and its many-to-many links), as plain values."""
    from django.apps import apps

    rows = {}
    for model in apps.get_app_config("shared_actions").get_models():
        rows[model.__name__] = list(model.objects.order_by("pk").values())
        for field in model._meta.many_to_many:
            rows[f"{model.__name__}.{field.name}"] = list(
                field.remote_field.through.objects.order_by("pk").values()
            )
    return rows


@contextmanager
def unchanged():
    """A forbidden write leaves every row as it was (not only a 403/404 status)."""
    before = snapshot()
    yield
    assert snapshot() == before, "a refused write changed rows"


@dataclass
class Objects:
    document: object
    roster: object
    shift: object
    assignment: object
    swap: object
    campaign: object
    action: object
    task: object
    indicator: object
    meeting: object


@pytest.fixture
def objects(world, next_saturday):
    from tests.shared_actions import factories as docs  # factories import this module

    document = docs.document(world.coordinator_a, cpts=world.cpts_a)
    roster = roster_services.roster_create(actor=world.coordinator_a, name="SNP Alpha", cpts=world.cpts_a)
    site = roster_services.site_create(actor=world.coordinator_a, roster=roster, name="MSP")
    shift = roster_services.shift_create(
        actor=world.coordinator_a,
        roster=roster,
        site=site,
        start=at(next_saturday, 8),
        end=at(next_saturday, 12),
        required_count=3,
    )
    assignment = roster_services.shift_sign_up(actor=world.member_a, shift=shift)
    swap = swap_services.swap_request_create(actor=world.member_a, assignment=assignment, kind="replacement")
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        actor=world.fed_coordinator,
        federation=world.fed,
        title="Octobre rose",
        theme="octobre_rose",
        start_date=today,
        end_date=today + dt.timedelta(days=30),
        lead_cpts=world.cpts_a,
        participants=[world.cpts_a, world.cpts_b],
    )
    action = campaign_services.campaign_action_create(
        actor=world.coordinator_a,
        campaign=campaign,
        title="Stand",
        date=today,
        cpts=world.cpts_a,
        tasks=["Affiches"],
    )
    indicator = campaign_services.indicator_create(
        actor=world.fed_coordinator, campaign=campaign, name="Mammographies", target=100
    )
    start = timezone.now() + dt.timedelta(days=3)
    meeting = meeting_services.meeting_create(
        actor=world.coordinator_a,
        title="Bureau",
        cpts=world.cpts_a,
        start=start,
        end=start + dt.timedelta(hours=1),
        place="Lunel",
        invitees=[world.member_a],
    )
    return Objects(
        document, roster, shift, assignment, swap, campaign, action, action.tasks.get(), indicator, meeting
    )
