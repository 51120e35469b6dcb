"""Demo data of the pooled resources: a pooled weekend SNP roster, a departmental flu-vaccination
campaign with indicator values from three CPTS, versioned documents of every category (small PDFs
drawn with reportlab) and upcoming meetings. Idempotent: each part is skipped when already there."""

import datetime as dt
import io
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from federation.models import Cpts, Federation, FederationRole, User
from federation.selectors import member_cpts
from shared_actions.campaigns import services as campaigns
from shared_actions.documents import services as documents
from shared_actions.meetings import services as meetings
from shared_actions.models import (
    Campaign,
    Document,
    DocumentCategory,
    Invitation,
    Meeting,
    Roster,
    Shift,
    Visibility,
)
from shared_actions.rosters import services as rosters

DOMAIN = "demo.maillage.fr"
ROSTER_NAME = "Gardes SNP du week-end — Lunel et Pays de l'Or"
CAMPAIGN_TITLE = "Vaccination antigrippale {season}-{next}"


def _pdf(title: str, lines: list[str]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(60, 780, title)
    pdf.setFont("Helvetica", 11)
    for index, line in enumerate(lines):
        pdf.drawString(60, 750 - index * 16, line)
    pdf.showPage()
    pdf.save()
    return SimpleUploadedFile(f"{title[:40]}.pdf", buffer.getvalue(), content_type="application/pdf")


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _pick_cpts(federation: Federation) -> list[Cpts]:
    wanted = [
        "pays-de-lunel",
        "pays-de-lor",
        "bassin-de-thau",
        "beziers-mediterranee",
        "grand-pic-saint-loup",
    ]
    members = {c.slug: c for c in member_cpts(federation)}
    chosen = [members[s] for s in wanted if s in members]
    return chosen or sorted(members.values(), key=lambda c: c.name)


def _roster(stdout, federation: Federation, cpts: list[Cpts]) -> None:
    if Roster.objects.filter(name=ROSTER_NAME).exists() or len(cpts) < 2:
        return
    first, second = cpts[0], cpts[1]
    coordinator = _user(f"coordinator.{first.slug}@{DOMAIN}")
    roster = rosters.roster_create(
        actor=coordinator,
        name=ROSTER_NAME,
        description="Soins non programmés le samedi et le dimanche, mutualisés entre les deux CPTS.",
        federation=federation,
        participants=[first, second],
        swap_requires_approval=True,
    )
    sites = [
        rosters.site_create(
            actor=coordinator,
            roster=roster,
            name="Maison de santé de Lunel",
            address="Avenue de Vérone",
            cpts=first,
        ),
        rosters.site_create(
            actor=coordinator,
            roster=roster,
            name="Cabinet de garde de Mauguio",
            address="Rue de la Mairie",
            cpts=second,
        ),
    ]
    today = timezone.localdate()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    for site in sites:
        rosters.shifts_create_recurring(
            actor=coordinator,
            roster=roster,
            site=site,
            first_day=saturday,
            last_day=saturday + dt.timedelta(days=22),
            weekdays=[5, 6],
            start_time=dt.time(8),
            end_time=dt.time(20),
            required_count=2,
        )
    people = [
        _user(f"{role}.{c.slug}@{DOMAIN}")
        for c in (first, second)
        for role in ("member2", "member3", "member4", "bureau", "coordinator")
    ]
    people = [p for p in people if p is not None]
    shifts = list(Shift.objects.filter(roster=roster).order_by("start", "site__name"))
    # Partly filled: the first weekend almost full, then fewer and fewer volunteers.
    for index, shift in enumerate(shifts):
        wanted = 2 if index < 3 else (1 if index % 3 else 0)
        for offset in range(wanted):
            person = people[(index * 2 + offset) % len(people)]
            try:
                rosters.shift_sign_up(actor=person, shift=shift)
            except ValidationError:  # an overlap in the demo pattern is simply skipped
                continue
    stdout.write(f"  Planning SNP mutualisé « {roster.name} » : {len(shifts)} créneaux.\n")


def _documents(stdout, federation: Federation, cpts: list[Cpts]) -> dict[str, Document]:
    fed_coordinator = (
        User.objects.filter(
            federation_roles__federation=federation, federation_roles__role=FederationRole.Role.COORDINATOR
        )
        .order_by("pk")
        .first()
    )
    lead = cpts[0]
    lead_coordinator = _user(f"coordinator.{lead.slug}@{DOMAIN}")
    specs = [
        (DocumentCategory.STATUTES, "Statuts de l'Inter-CPTS", None, Visibility.PARTNERS, 2),
        (DocumentCategory.RULES, "Règlement intérieur de l'Inter-CPTS", None, Visibility.PARTNERS, 1),
        (DocumentCategory.MINUTES, "Procès-verbal de l'AG constitutive", None, Visibility.FEDERATION, 1),
        (DocumentCategory.HEALTH_PROJECT, f"Projet de santé — {lead.name}", lead, Visibility.FEDERATION, 2),
        (
            DocumentCategory.ACTION_SHEET,
            "Fiche action : accès aux soins non programmés",
            lead,
            Visibility.FEDERATION,
            1,
        ),
        (
            DocumentCategory.PROTOCOL,
            "Protocole pluriprofessionnel : plaies chroniques",
            lead,
            Visibility.SELECTED,
            1,
        ),
        (DocumentCategory.REPORT, f"Compte rendu du bureau — {lead.name}", lead, Visibility.OWNER, 1),
        (
            DocumentCategory.CAMPAIGN_MATERIAL,
            "Affiche : vaccination antigrippale",
            None,
            Visibility.PARTNERS,
            2,
        ),
        (
            DocumentCategory.TEMPLATE,
            "Modèle de convocation à l'assemblée générale",
            None,
            Visibility.FEDERATION,
            1,
        ),
    ]
    created: dict[str, Document] = {}
    for category, title, owner, visibility, versions in specs:
        existing = Document.objects.filter(title=title).first()
        if existing is not None:
            created[category] = existing
            continue
        actor = lead_coordinator if owner else fed_coordinator
        if actor is None:
            continue
        document = documents.document_create(
            actor=actor,
            title=title,
            category=category,
            description="Document de démonstration.",
            file=_pdf(title, ["Version 1", "Document de démonstration — Maillage."]),
            cpts=owner,
            federation=None if owner else federation,
            visibility=visibility,
            shared_with=cpts[1:3] if visibility == Visibility.SELECTED else (),
        )
        for number in range(2, versions + 1):
            documents.document_add_version(
                actor=actor,
                document=document,
                file=_pdf(title, [f"Version {number}", "Mise à jour après relecture."]),
                comment="Mise à jour après relecture",
            )
        created[category] = document
    stdout.write(f"  Documents partagés : {Document.objects.count()}.\n")
    return created


def _campaign(stdout, federation: Federation, cpts: list[Cpts], materials: list[Document]) -> None:
    today = timezone.localdate()
    season = today.year if today.month >= 7 else today.year - 1
    title = CAMPAIGN_TITLE.format(season=season, next=season + 1)
    if Campaign.objects.filter(title=title).exists() or len(cpts) < 3:
        return
    participants = cpts[:3]
    fed_coordinator = (
        User.objects.filter(
            federation_roles__federation=federation, federation_roles__role=FederationRole.Role.COORDINATOR
        )
        .order_by("pk")
        .first()
    )
    start = dt.date(season, 10, 15)
    campaign = campaigns.campaign_create(
        actor=fed_coordinator,
        federation=federation,
        title=title,
        theme="vaccination_grippe",
        start_date=start,
        end_date=dt.date(season + 1, 1, 31),
        lead_cpts=participants[0],
        participants=participants,
        target_population="Personnes de 65 ans et plus, personnes à risque, professionnels de santé",
        objectives="Atteindre 6 000 personnes vaccinées sur les trois territoires ; 30 séances de vaccination.",
    )
    vaccinated = campaigns.indicator_create(
        actor=fed_coordinator,
        campaign=campaign,
        name="Personnes vaccinées",
        unit="personnes",
        target=Decimal(6000),
    )
    sessions = campaigns.indicator_create(
        actor=fed_coordinator,
        campaign=campaign,
        name="Séances de vaccination",
        unit="séances",
        target=Decimal(30),
    )
    paces = [Decimal(180), Decimal(140), Decimal(95)]
    for cpts_index, member in enumerate(participants):
        reporter = _user(f"coordinator.{member.slug}@{DOMAIN}") or fed_coordinator
        week = 0
        day = start + dt.timedelta(days=7)
        while day <= min(today, campaign.end_date):
            week += 1
            campaigns.indicator_value_report(
                actor=reporter, indicator=vaccinated, cpts=member, date=day, value=paces[cpts_index] * week
            )
            campaigns.indicator_value_report(
                actor=reporter,
                indicator=sessions,
                cpts=member,
                date=day,
                value=Decimal(min(week, 12) - cpts_index % 2),
            )
            day += dt.timedelta(days=7)
    places = ["Pharmacie du centre", "Salle polyvalente", "Marché hebdomadaire", "EHPAD Les Oliviers"]
    for index, member in enumerate(participants):
        coordinator = _user(f"coordinator.{member.slug}@{DOMAIN}") or fed_coordinator
        for offset in (0, 21):
            campaigns.campaign_action_create(
                actor=coordinator,
                campaign=campaign,
                title=f"Séance de vaccination — {places[(index + offset) % len(places)]}",
                date=max(start, today) + dt.timedelta(days=3 + index * 2 + offset),
                cpts=member,
                place=places[(index + offset) % len(places)],
                person_in_charge=_user(f"member2.{member.slug}@{DOMAIN}"),
                resources="2 infirmier·es, 1 pharmacien·ne, 150 doses",
                tasks=[
                    "Commander les doses",
                    "Afficher en pharmacie et en mairie",
                    "Préparer la traçabilité",
                ],
            )
    for document in materials:
        campaigns.campaign_add_material(actor=fed_coordinator, campaign=campaign, document=document)
    stdout.write(f"  Campagne « {campaign.title} » : 3 CPTS, {campaign.actions.count()} actions.\n")


def _meetings(stdout, federation: Federation, cpts: list[Cpts]) -> None:
    if Meeting.objects.filter(federation=federation).exists() or not cpts:
        return
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    fed_coordinator = (
        User.objects.filter(
            federation_roles__federation=federation, federation_roles__role=FederationRole.Role.COORDINATOR
        )
        .order_by("pk")
        .first()
    )
    lead = cpts[0]
    lead_coordinator = _user(f"coordinator.{lead.slug}@{DOMAIN}")
    coordinators = [u for u in (_user(f"coordinator.{c.slug}@{DOMAIN}") for c in cpts) if u]
    campaign = Campaign.objects.filter(federation=federation).order_by("-start_date").first()
    plans = [
        (
            lead_coordinator,
            dict(cpts=lead),
            "Réunion du bureau de la CPTS",
            Meeting.Kind.CPTS,
            5,
            "Maison de santé de Lunel",
            "",
            [_user(f"bureau.{lead.slug}@{DOMAIN}"), _user(f"member2.{lead.slug}@{DOMAIN}")],
        ),
        (
            fed_coordinator,
            dict(federation=federation),
            "Groupe de travail : soins non programmés",
            Meeting.Kind.WORKING_GROUP,
            9,
            "",
            "https://visio.example.org/snp",
            coordinators,
        ),
        (
            fed_coordinator,
            dict(campaign=campaign),
            "Point d'étape de la campagne antigrippale",
            Meeting.Kind.CAMPAIGN,
            12,
            "",
            "https://visio.example.org/grippe",
            coordinators,
        ),
        (
            fed_coordinator,
            dict(federation=federation),
            "Formation : régulation SAS et SNP",
            Meeting.Kind.TRAINING,
            20,
            "Faculté de médecine, Montpellier",
            "",
            coordinators,
        ),
    ]
    for actor, owner, title, kind, days, place, video, invitees in plans:
        if actor is None or (owner.get("campaign", True) is None):
            continue
        start = (now + dt.timedelta(days=days)).replace(hour=18)
        meeting = meetings.meeting_create(
            actor=actor,
            title=title,
            kind=kind,
            start=start,
            end=start + dt.timedelta(hours=2),
            place=place,
            video_url=video,
            agenda="1. Tour de table\n2. Points d'avancement\n3. Questions diverses",
            invitees=[u for u in invitees if u is not None],
            **owner,
        )
        # The demo does not e-mail anyone: mark the invitations as already sent.
        Invitation.objects.filter(meeting=meeting).update(sent_at=timezone.now())
    stdout.write(f"  Réunions à venir : {Meeting.objects.filter(start__gte=timezone.now()).count()}.\n")


@transaction.atomic
def seed(stdout) -> None:
    federation = Federation.objects.filter(slug=f"inter-cpts-{settings.DEMO_DEPARTMENT}").first()
    if federation is None:
        stdout.write("  Pas de fédération de démonstration : rien à faire.\n")
        return
    cpts = _pick_cpts(federation)
    _roster(stdout, federation, cpts)
    shared = _documents(stdout, federation, cpts)
    materials = [d for key, d in shared.items() if key == DocumentCategory.CAMPAIGN_MATERIAL]
    _campaign(stdout, federation, cpts, materials)
    _meetings(stdout, federation, cpts)
