"""Demo data of the base layer: a real département, its inter-CPTS federation, CPTS built from real
adjacent communes (whole EPCI), partners, and a user for every role. Idempotent."""

import re

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.text import slugify
from faker import Faker

from federation import services
from federation.models import (
    Cpts,
    CptsRole,
    Departement,
    Epci,
    Federation,
    FederationRole,
    MaturityStage,
    Membership,
    Partner,
    User,
)
from federation.reference_data import load_departments

DEMO_PASSWORD = "maillage-demo-2026"
EMAIL_DOMAIN = "demo.maillage.fr"

# (CPTS name, fragment of the EPCI name whose communes form its territory, maturity stage, member)
HERAULT_CPTS = [
    ("CPTS du Pays de Lunel", "Lunel", MaturityStage.ACI_SIGNED, True),
    ("CPTS du Pays de l'Or", "Pays de l'Or", MaturityStage.ACI_SIGNED, True),
    ("CPTS du Bassin de Thau", "Sète", MaturityStage.ACI_SIGNED, True),
    ("CPTS Béziers Méditerranée", "Béziers", MaturityStage.HEALTH_PROJECT, True),
    ("CPTS du Grand Pic Saint-Loup", "Pic Saint-Loup", MaturityStage.PREFIGURATION, True),
    ("CPTS Hérault Méditerranée", "Hérault-Méditerranée", MaturityStage.PROJECT, False),
]
PARTNERS = [
    ("DAC 34", Partner.Kind.DAC),
    ("URPS Médecins Libéraux Occitanie", Partner.Kind.URPS),
    ("France Assos Santé Occitanie", Partner.Kind.USERS),
    ("CHU de Montpellier", Partner.Kind.HOSPITAL),
]


GP_EMAIL = f"medecin.pays-de-lunel@{EMAIL_DOMAIN}"
# What the welcome page says of the members' accounts (their directory entries are seeded by the directory).
DEMO_PROFESSIONS = {
    GP_EMAIL: "Médecin généraliste",
    f"member2.pays-de-lunel@{EMAIL_DOMAIN}": "Masseuse-kinésithérapeute",
}

EPCI_PREFIX = r"^(Communauté (d'agglomération|de communes|urbaine)|Métropole) (de |du |des |d')?"


def _user(email: str, name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = services.user_create(email=email, password=DEMO_PASSWORD, display_name=name, **extra)
    return user


def _territories(departement: Departement) -> list[tuple[str, list[str], str, bool]]:
    epcis = (
        Epci.objects.filter(communes__departement=departement)
        .annotate(population=Sum("communes__population"))
        .distinct()
    )
    chosen = []
    if departement.code == "34":
        for name, fragment, stage, member in HERAULT_CPTS:
            epci = epcis.filter(name__icontains=fragment).order_by("-population").first()
            if epci is not None:
                chosen.append((name, epci, stage, member))
    if len(chosen) < 5:  # another département: its five most populated EPCI after the largest
        chosen = [
            (f"CPTS {re.sub(EPCI_PREFIX, '', epci.name)}", epci, MaturityStage.ACI_SIGNED, True)
            for epci in epcis.order_by("-population")[1:7]
        ]
    return [
        (
            name,
            list(epci.communes.filter(departement=departement).values_list("insee_code", flat=True)),
            stage,
            member,
        )
        for name, epci, stage, member in chosen
    ]


@transaction.atomic
def seed(stdout) -> None:
    code = settings.DEMO_DEPARTMENT
    if not Departement.objects.filter(code=code).exists():
        load_departments([code])
    departement = Departement.objects.get(code=code)
    federation = Federation.objects.filter(slug=f"inter-cpts-{code}").first() or services.federation_create(
        actor=None, name=f"Inter-CPTS {departement.name}", departement=departement, slug=f"inter-cpts-{code}"
    )
    fake = Faker("fr_FR")
    fake.seed_instance(34)
    accounts = []

    admin = _user(f"admin@{EMAIL_DOMAIN}", "Administrateur technique", is_staff=True, is_superuser=True)
    accounts.append((admin.email, "staff (admin Django)"))
    fed_coord = _user(f"coordination@{EMAIL_DOMAIN}", "Claire Fontaine")
    services.federation_role_grant(
        federation=federation, user=fed_coord, role=FederationRole.Role.COORDINATOR
    )
    services.federation_role_grant(federation=federation, user=fed_coord, role=FederationRole.Role.ADMIN)
    accounts.append((fed_coord.email, f"coordinatrice de {federation.name}"))

    for name, communes, stage, member in _territories(departement):
        slug = re.sub(r"^(du|de|des|d)-", "", slugify(name.replace("CPTS", "")))[:50].strip("-")
        cpts = Cpts.objects.filter(slug=slug).first() or services.cpts_create(
            actor=None, name=name, slug=slug, maturity_stage=stage, commune_codes=communes
        )
        if member:
            services.federation_add_cpts(federation=federation, cpts=cpts)
        for index, role in enumerate(
            [CptsRole.COORDINATOR, CptsRole.BUREAU, CptsRole.MEMBER, CptsRole.MEMBER, CptsRole.MEMBER]
        ):
            email = f"{role}{index if role == CptsRole.MEMBER else ''}.{slug}@{EMAIL_DOMAIN}"
            user = _user(email, f"{fake.first_name()} {fake.last_name()}")
            services.membership_set(actor=None, cpts=cpts, user=user, role=role)
            if role != CptsRole.MEMBER or index == 2:
                accounts.append((email, f"{CptsRole(role).label} — {name}"))
        if slug == "pays-de-lunel":
            # A general practitioner among the members (member2 is a physiotherapist, see DEMO_PROFESSIONS);
            # the directory's demo links the account to a GP's entry when it has one.
            gp = _user(GP_EMAIL, "Dr Julien Marchand")
            services.membership_set(actor=None, cpts=cpts, user=gp, role=CptsRole.MEMBER)
            accounts.append((gp.email, f"{DEMO_PROFESSIONS[GP_EMAIL]} — membre de {name}"))

    for name, kind in PARTNERS:
        slug = slugify(name)[:50]
        partner = Partner.objects.filter(federation=federation, slug=slug).first() or services.partner_create(
            federation=federation, name=name, kind=kind, slug=slug
        )
        delegate = _user(f"delegue.{slug}@{EMAIL_DOMAIN}", f"{fake.first_name()} {fake.last_name()}")
        services.federation_role_grant(
            federation=federation, user=delegate, role=FederationRole.Role.PARTNER_DELEGATE, partner=partner
        )
        accounts.append((delegate.email, f"délégué·e du partenaire {name}"))

    _demo_invitations(stdout)
    stdout.write(f"Fédération « {federation.name} » : {federation.members.count()} membres.\n")
    stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :\n")
    for email, role in accounts:
        stdout.write(f"  {email:<55} {role}\n")


def demo_accounts() -> list[tuple[str, list[tuple[str, str]]]]:
    """The demo accounts by role, for the welcome page in demo mode: [(group, [(email, what), ...])].

    Read from the database (only accounts of the demo's e-mail domain), so it shows what `seed_demo`
    actually created; empty when the demo was not seeded."""
    users = {
        u.pk: u
        for u in User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}", is_active=True).order_by("email")
    }
    if not users:
        return []
    groups: dict[str, list[tuple[str, str]]] = {}

    def add(group: str, user: User, what: str) -> None:
        groups.setdefault(group, []).append((user.email, what))

    for user in users.values():
        if user.is_staff:
            add("Équipe technique", user, "Staff : voit toutes les fédérations, administration Django")
    roles = FederationRole.objects.filter(user_id__in=users).select_related("federation", "partner")
    seen = set()
    for role in roles.order_by("federation__name", "role", "user__email"):
        user = users[role.user_id]
        if role.role == FederationRole.Role.PARTNER_DELEGATE:
            add("Partenaires (voix consultative)", user, f"Délégué·e — {role.partner.name}")
        elif user.pk not in seen:
            seen.add(user.pk)
            add("Fédération", user, f"Coordination de {role.federation.name} : tableau de pilotage")
    rank = {CptsRole.COORDINATOR: 0, CptsRole.ADMIN: 1, CptsRole.BUREAU: 2, CptsRole.MEMBER: 3}
    memberships = sorted(
        Membership.objects.filter(user_id__in=users).select_related("cpts"),
        key=lambda m: (m.cpts.name, rank.get(m.role, 9), m.user_id),
    )
    for membership in memberships:
        user = users[membership.user_id]
        profession = DEMO_PROFESSIONS.get(user.email)
        if membership.role == CptsRole.MEMBER and not profession:
            continue  # one line per kind of account is enough
        what = profession or CptsRole(membership.role).label
        add(membership.cpts.name, user, what)
    return list(groups.items())


def _demo_invitations(stdout) -> None:
    """Pending invitations (issue 17): one to a person without an account, one waiting in the demo GP's
    account page; they show in the CPTS's members page and in the federation cockpit."""
    from federation.invitations import invitation_send
    from federation.models import Invitation

    lunel = Cpts.objects.filter(slug="pays-de-lunel").first()
    other = (
        Cpts.objects.exclude(slug="pays-de-lunel")
        .filter(federation_memberships__left_on__isnull=True)
        .first()
    )
    for cpts, email, role in (
        (lunel, f"nouvelle.ide@{EMAIL_DOMAIN}", CptsRole.MEMBER),
        (other, GP_EMAIL, CptsRole.MEMBER),
    ):
        if cpts is None or Invitation.objects.filter(cpts=cpts, email=email).exists():
            continue
        coordinator = cpts.memberships.filter(role=CptsRole.COORDINATOR).select_related("user").first()
        invitation_send(actor=coordinator.user if coordinator else None, cpts=cpts, email=email, role=role)
        stdout.write(f"Invitation en attente : {email} → {cpts.name}\n")
