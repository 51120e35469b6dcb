"""Demo governance of the demo federation: statutes settings, delegates, fees, a bureau, a past AGO
with published results (one with a divergence between the colleges), an AGE in session with open
polls, an upcoming AGO and a written consultation. Idempotent (skips what exists)."""

from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from reportlab.pdfgen.canvas import Canvas

from federation.governance import services
from federation.governance.models import Body, DecisionKind, Delegate, Fee, Meeting, Poll, StatutesSettings
from federation.models import CptsRole, Federation, FederationRole, Membership
from federation.selectors import active_members

PAST_AGO = "Assemblée générale ordinaire 2026"
AGE_TITLE = "Assemblée générale extraordinaire — statuts"
NEXT_AGO = "Assemblée générale ordinaire 2027"


def _demo_pdf(title: str) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 770, title)
    canvas.drawString(72, 750, "Document de démonstration.")
    canvas.save()
    return buffer.getvalue()


def _role_user(cpts, role):
    row = Membership.objects.filter(cpts=cpts, role=role).select_related("user").order_by("pk").first()
    return row.user if row else None


def _vote(poll, voters, choices, opinions=None):
    for (user, key), choice in zip(voters, choices, strict=False):
        if choice is None:
            continue
        kwargs = {"choice": choice} if poll.kind == Poll.Kind.MOTION else choice
        services.ballot_cast(
            actor=user, poll=poll, right_key=key, opinion=(opinions or {}).get(user.pk, ""), **kwargs
        )


@transaction.atomic
def seed(stdout) -> None:
    federation = Federation.objects.filter(slug=f"inter-cpts-{settings.DEMO_DEPARTMENT}").first()
    if federation is None:
        stdout.write("Pas de fédération de démonstration : gouvernance ignorée.\n")
        return
    if Meeting.objects.filter(federation=federation, title=PAST_AGO).exists():
        stdout.write("Gouvernance de démonstration déjà en place.\n")
        return
    now = timezone.now()
    today = timezone.localdate()
    if not StatutesSettings.objects.filter(federation=federation).exists():
        services.statutes_initialize(actor=None, federation=federation, max_proxies_per_holder=2)

    members = [m for m in active_members(federation) if m.cpts_id]
    members.sort(key=lambda m: m.cpts.name)
    partners = [m for m in active_members(federation) if m.partner_id]
    partners.sort(key=lambda m: m.partner.name)
    titulars = []
    for member in list(members):
        titular = _role_user(member.cpts, CptsRole.BUREAU)
        substitute = _role_user(member.cpts, CptsRole.COORDINATOR)
        if titular is None:  # a CPTS without a bureau member gets no delegate in the demo
            members.remove(member)
            continue
        services.delegate_designate(actor=None, federation=federation, cpts=member.cpts, user=titular)
        if substitute and substitute != titular:
            services.delegate_designate(
                actor=None,
                federation=federation,
                cpts=member.cpts,
                user=substitute,
                kind=Delegate.Kind.SUBSTITUTE,
            )
        titulars.append(titular)
    # A delegation that ended: one CPTS's substitute was revoked (in the audit log; the CPTS may
    # designate someone else from the governance page).
    revoked = (
        Delegate.objects.filter(member__in=members, kind=Delegate.Kind.SUBSTITUTE, until__isnull=True)
        .order_by("pk")
        .last()
    )
    if revoked is not None:
        services.delegate_revoke(actor=None, delegate=revoked)
    if len(members) < 2:
        stdout.write("Moins de deux CPTS avec un·e délégué·e : gouvernance de démonstration ignorée.\n")
        return
    partner_delegates = []
    for member in list(partners):
        role = FederationRole.objects.filter(federation=federation, partner=member.partner).select_related(
            "user"
        )
        if not role.exists():
            partners.remove(member)
            continue
        partner_delegates.append(role.first().user)
    for index, member in enumerate(members + partners):
        fee = services.fee_set(
            actor=None,
            federation=federation,
            member=member,
            year=today.year,
            amount=300 if member.cpts_id else 100,
        )
        if index % 3 != 2:
            services.fee_mark(actor=None, fee=fee, status=Fee.Status.PAID)

    # --- the past AGO, two months ago --------------------------------------------------------------
    held = now - timedelta(days=60)
    ago = services.meeting_create(
        actor=None,
        federation=federation,
        body=Body.AGO,
        title=PAST_AGO,
        starts_at=held,
        location="Maison des professionnels de santé, Montpellier",
        agenda=[
            "Rapport moral et rapport d'activité",
            "Approbation des comptes 2025",
            "Budget prévisionnel et cotisations",
            "Élection du bureau",
        ],
    )
    services.meeting_convene(actor=None, meeting=ago, now=held - timedelta(days=15), send_emails=False)
    services.meeting_open(actor=None, meeting=ago)
    for member in members[:-1] + partners[:3]:
        services.attendance_sign(actor=None, meeting=ago, member=member, status="present")
    # the last CPTS gives its proxy to the first CPTS's delegate
    services.proxy_give(actor=None, meeting=ago, giver=members[-1], holder=titulars[0])
    voters = [(titulars[i], f"member-{members[i].pk}") for i in range(len(members))]
    voters[-1] = (titulars[0], f"member-{members[-1].pk}")  # by proxy
    partner_voters = [(partner_delegates[i], None) for i in range(min(3, len(partners)))]

    accounts = services.poll_create(
        actor=None,
        federation=federation,
        meeting=ago,
        title="Approbation des comptes 2025",
        agenda_item=ago.agenda_items.get(position=2),
    )
    services.poll_open(actor=None, poll=accounts)
    _vote(accounts, voters, ["yes"] * len(voters))
    _vote(accounts, partner_voters, ["yes", "yes", "abstain"])
    budget = services.poll_create(
        actor=None,
        federation=federation,
        meeting=ago,
        title="Budget prévisionnel 2026 et cotisations (300 € par CPTS, 100 € par partenaire)",
        description="Mutualisation d'un temps de coordination départemental (0,5 ETP) financé par les cotisations.",
        agenda_item=ago.agenda_items.get(position=3),
    )
    services.poll_open(actor=None, poll=budget)
    _vote(budget, voters, ["yes", "yes", "yes", "no", "yes"][: len(voters)])
    opinions = {}
    if partner_delegates and partner_delegates[0]:
        opinions[partner_delegates[0].pk] = (
            "Le budget ne prévoit aucun moyen pour l'articulation ville-hôpital ; nous demandons une ligne dédiée."
        )
    _vote(budget, partner_voters, ["no", "no", "abstain"], opinions)
    election = None
    if len(titulars) >= 3:
        election = services.poll_create(
            actor=None,
            federation=federation,
            meeting=ago,
            title="Élection du/de la président·e",
            kind=Poll.Kind.ELECTION,
            secret=True,
            candidates=[titulars[0], titulars[2]],
            agenda_item=ago.agenda_items.get(position=4),
        )
        services.poll_open(actor=None, poll=election)
        cands = {c.user_id: c.pk for c in election.candidates.all()}
        picks = [titulars[0], titulars[0], titulars[2], titulars[0], None]
        _vote(
            election,
            voters,
            [{"candidate_id": cands[p.pk]} if p else {"blank": True} for p in picks[: len(voters)]],
        )
        _vote(election, partner_voters, [{"candidate_id": cands[titulars[0].pk]}] * len(partner_voters))
    for poll in filter(None, [accounts, budget, election]):
        services.poll_close(actor=None, poll=poll)
        services.poll_publish(actor=None, poll=poll)
    services.meeting_close(actor=None, meeting=ago)
    roles = ["president", "vice_president", "treasurer", "secretary", "deputy_secretary"]
    seats = [(user, role) for user, role in zip(titulars, roles, strict=False) if user]
    if len(seats) >= 4:
        services.bureau_set(
            actor=None,
            federation=federation,
            seats=seats,
            starts_on=timezone.localtime(held).date(),
            elected_by={"president": election.pk} if election else None,
        )

    # --- an AGE in session today, with open polls --------------------------------------------------
    age = services.meeting_create(
        actor=None,
        federation=federation,
        body=Body.AGE,
        title=AGE_TITLE,
        starts_at=now - timedelta(hours=1),
        location="Visioconférence et salle du conseil, Sète",
        agenda=["Nombre de pouvoirs par mandataire", "Stade de maturité requis pour adhérer"],
    )
    services.meeting_convene(actor=None, meeting=age, now=now - timedelta(days=10), send_emails=False)
    services.meeting_open(actor=None, meeting=age)
    for member in members[:3] + partners[:2]:
        services.attendance_sign(actor=None, meeting=age, member=member, status="present")
    proxies = services.statutes_change_propose(
        actor=None,
        federation=federation,
        meeting=age,
        title="Porter à 3 le nombre de pouvoirs par mandataire",
        changes={"max_proxies_per_holder": 3},
        secret=True,
    )
    services.poll_open(actor=None, poll=proxies)
    _vote(proxies, voters[:2], ["yes", "no"])
    stage = services.statutes_change_propose(
        actor=None,
        federation=federation,
        meeting=age,
        title="Adhésion dès la lettre d'intention validée",
        changes={"min_join_stage": "letter_of_intent"},
    )
    services.poll_open(actor=None, poll=stage)
    _vote(stage, voters[:1], ["yes"])

    # --- an upcoming AGO and a written consultation ------------------------------------------------
    next_ago = services.meeting_create(
        actor=None,
        federation=federation,
        body=Body.AGO,
        title=NEXT_AGO,
        starts_at=now + timedelta(days=30),
        location="Béziers",
        agenda=["Rapport d'activité", "Comptes 2026", "Programme de prévention 2027"],
    )
    # Its pack: the budget and the accounts are filed, the activity report is still missing (the page,
    # the convocation and the cockpit say so).
    for kind, name, text in (
        ("budget", "budget-previsionnel-2027.pdf", "Budget prévisionnel 2027"),
        ("accounts", "comptes-annuels-2026.pdf", "Comptes annuels 2026"),
    ):
        services.meeting_document_upload(
            actor=None, meeting=next_ago, kind=kind, upload=SimpleUploadedFile(name, _demo_pdf(text))
        )
    services.meeting_convene(actor=None, meeting=next_ago, send_emails=False)
    services.poll_create(
        actor=None,
        federation=federation,
        meeting=next_ago,
        title="Approbation des comptes 2026",
        decision_kind=DecisionKind.ORDINARY,
    )
    consultation = services.poll_create(
        actor=None,
        federation=federation,
        title="Consultation écrite : calendrier des réunions du bureau 2027",
        description="Un bureau par mois en visioconférence, et deux séances en présentiel.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
    )
    services.poll_open(actor=None, poll=consultation)
    _vote(consultation, voters[:2], ["yes", "abstain"])
    stdout.write(
        "Gouvernance : statuts, bureau, AGO passée (3 résultats publiés, dont une divergence), AGE en séance "
        "avec 2 votes ouverts, AGO à venir, consultation écrite ouverte.\n"
    )
