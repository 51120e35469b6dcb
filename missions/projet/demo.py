"""Demo data of the register, the projet de santé and the fiches action (idempotent).

Each demo CPTS gets an explicit register — practising on its territory makes no one a member (seed 000: "sur
la base du volontariat") — with several professions, categories, a few structures, a pending request and an
addition awaiting consent; the first three get a projet de santé with a published version acknowledged online
by some members, and fiches action, one of them published in the federation's library and copied by another
CPTS (the copy keeps its origin).
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from directory import search_index
from directory import services as directory_services
from directory.models import Professional, Structure
from federation.models import Commune, Cpts, FederationMember, User
from missions.projet.fiches import services as fiches
from missions.projet.health_project import services as projects
from missions.projet.models import FicheStatus, MemberCategory, MemberStatus, RegisterMember
from missions.projet.register import services as register

EMAIL_DOMAIN = "demo.maillage.fr"
HELENE = "810001234567"  # the demo physiotherapist, linked to member2.pays-de-lunel (directory demo)

STRUCTURES = [
    ("ehpad", "EHPAD Les Oliviers", "Mme Claire Roux, directrice"),
    ("ssiad", "SSIAD du canton", "M. Paul Girard, infirmier coordinateur"),
    ("hospital", "Centre hospitalier de proximité", "Mme Anne Morel, directrice déléguée"),
    ("dac", "DAC 34 — antenne territoriale", "M. Hugo Blanc, coordinateur"),
]


def seed(stdout) -> None:
    cpts_list = list(Cpts.objects.filter(territory__isnull=False).distinct().order_by("pk"))
    for index, cpts in enumerate(cpts_list):
        with transaction.atomic():
            if RegisterMember.objects.filter(cpts=cpts).exists():
                stdout.write(f"  {cpts.name} : registre déjà rempli.\n")
                continue
            made = _register(cpts, index)
            stdout.write(f"  {cpts.name} : {made} membres inscrits au registre.\n")
    in_federation = [
        c for c in cpts_list if FederationMember.objects.filter(cpts=c, left_on__isnull=True).exists()
    ]
    sources = {}
    for cpts in in_federation[:3]:
        with transaction.atomic():
            if hasattr(cpts, "health_project"):
                continue
            sources[cpts.pk] = _project(cpts)
            stdout.write(f"  {cpts.name} : projet de santé et fiches action.\n")
    if len(in_federation) >= 2 and sources.get(in_federation[0].pk):
        with transaction.atomic():
            copy = fiches.fiche_copy(actor=None, source=sources[in_federation[0].pk], into=in_federation[1])
            stdout.write(f"  {in_federation[1].name} a copié « {copy.title} » depuis la bibliothèque.\n")


def _register(cpts: Cpts, index: int) -> int:
    rng = random.Random(2000 + cpts.pk)
    register.categories_ensure_defaults(cpts=cpts)
    categories = {c.code: c for c in MemberCategory.objects.filter(cpts=cpts)}
    practising = list(
        Professional.objects.filter(sites__commune__cpts_link__cpts=cpts)
        .distinct()
        .order_by("id")
        .values_list("id", flat=True)
    )
    # A share of those practising joined: between a third and a half, at most 140 (one CPTS crosses 100).
    share = 0.5 if index == 0 else 0.33
    chosen = [pk for pk in practising if rng.random() < share][:140]
    helene = Professional.objects.filter(national_id=HELENE).first()
    made = 0
    today = timezone.localdate()
    for n, pk in enumerate(chosen):
        pro = Professional.objects.get(pk=pk)
        if pro.user_id:
            continue  # accounts join themselves (below)
        category = (
            categories["founding"]
            if n < 6
            else categories["honorary"]
            if n % 37 == 5
            else categories["active"]
        )
        member = register.member_add(actor=None, cpts=cpts, professional=pro, category=category)
        register.member_consent_record(
            actor=None,
            member=member,
            evidence="Bulletin d'adhésion signé (démo)",
            consented_on=today - datetime.timedelta(days=rng.randint(30, 900)),
        )
        made += 1
    # Structures: the last demo CPTS has none, so its register shows the single-category warning (seed 001).
    if index < 4:
        # In the territory's largest commune, located and in the directory (searchable: "ehpad lunel").
        commune = Commune.objects.filter(cpts_link__cpts=cpts).order_by("-population", "insee_code").first()
        for i, (kind, name, representative) in enumerate(STRUCTURES[: 2 + index % 3]):
            structure, _created = Structure.objects.get_or_create(
                source_id=f"DEMO-PROJET-{cpts.slug}-{i}",
                defaults={
                    "kind": kind,
                    "name": f"{name} — {commune.name if commune else cpts.name}",
                    "commune": commune,
                    "postal_code": commune.postal_codes.split()[0]
                    if commune and commune.postal_codes
                    else "",
                    "latitude": commune.latitude if commune else None,
                    "longitude": commune.longitude if commune else None,
                    "phone": f"0467{10 + index:02d}{20 + i:02d}00",
                },
            )
            search_index.schedule_structures([structure.pk])
            member = register.member_add(
                actor=None,
                cpts=cpts,
                structure=structure,
                category=categories["active"],
                representative=representative,
            )
            register.member_consent_record(
                actor=None, member=member, evidence="Délibération de l'organe dirigeant (démo)"
            )
            made += 1
    # The demo accounts: Hélène (Pays de Lunel) asked and was accepted; member3/member4 of each CPTS are linked
    # to a professional practising on the territory and joined the same way.
    accounts = []
    if helene and helene.user_id and cpts.slug == "pays-de-lunel":
        accounts.append(helene.user)
    free = [pk for pk in practising if pk not in chosen]
    for role in ("member3", "member4"):
        user = User.objects.filter(email=f"{role}.{cpts.slug}@{EMAIL_DOMAIN}").first()
        if user is None or not free:
            continue
        if not hasattr(user, "professional"):
            pro = Professional.objects.get(pk=free.pop(0))
            if pro.user_id:
                continue
            directory_services.professional_link_user(actor=None, professional=pro, user=user)
            user.refresh_from_db()
        accounts.append(user)
    for user in accounts:
        if RegisterMember.objects.filter(cpts=cpts, professional__user=user).exists():
            continue
        member = register.member_request(actor=user, cpts=cpts, message="Je souhaite adhérer à la CPTS.")
        register.member_accept(actor=None, member=member)
        made += 1
    # A request the coordination has not answered yet, an addition awaiting consent, a resignation.
    if free:
        requester = User.objects.filter(email=f"demande.{cpts.slug}@{EMAIL_DOMAIN}").first()
        if requester is None:
            from federation.services import user_create

            requester = user_create(
                email=f"demande.{cpts.slug}@{EMAIL_DOMAIN}", password="maillage-demo-2026"
            )
        pro = Professional.objects.get(pk=free.pop(0))
        if pro.user_id is None and not hasattr(requester, "professional"):
            directory_services.professional_link_user(actor=None, professional=pro, user=requester)
            User.objects.filter(pk=requester.pk).update(display_name=pro.full_name)
            requester.refresh_from_db()
            register.member_request(
                actor=requester, cpts=cpts, message="Installée depuis peu, je souhaite rejoindre la CPTS."
            )
    if free:
        register.member_add(actor=None, cpts=cpts, professional=Professional.objects.get(pk=free.pop(0)))
    leaving = RegisterMember.objects.filter(
        cpts=cpts, status=MemberStatus.ACTIVE, professional__user__isnull=True
    ).last()
    if leaving is not None and made > 10:
        register.member_resign(actor=None, member=leaving, note="Lettre de démission (démo)")
    return made


LUNEL_FICHES = [
    {
        "title": "Organiser les soins non programmés en journée",
        "mission": 1,
        "problem": "Les patients sans médecin disponible le jour même se rendent aux urgences du centre hospitalier "
        "pour des besoins qui relèvent de la ville.",
        "objectives": "Objectif général : une réponse en ville le jour même pour les soins non programmés.\n"
        "Objectifs spécifiques : un créneau dédié par cabinet et par jour ; orientation par le SAS.",
        "actions": "Tableau de créneaux partagé ; participation au SAS ; information des patients.",
        "actors": "Médecins généralistes, infirmiers, pharmaciens ; partenaires : SAS 34, centre hospitalier.",
        "action_lead": "Dr Julien Marchand",
        "calendar": "Lancement au premier trimestre, bilan à six mois.",
        "evaluation_criteria": "Nombre de créneaux proposés et pourvus ; passages aux urgences en journée.",
        "resources": "Temps de coordination, outil de planning partagé, convention avec le SAS.",
    },
    {
        "title": "Sécuriser les sorties d'hospitalisation des personnes âgées",
        "mission": 2,
        "problem": "Ruptures de parcours au retour à domicile des patients âgés polypathologiques.",
        "objectives": "Objectif général : aucun retour à domicile sans relais de ville identifié.",
        "actions": "Protocole de sortie avec le centre hospitalier ; fiche de liaison ; visite infirmière à J+2.",
        "actors": "Infirmiers, médecins traitants, pharmaciens ; partenaires : centre hospitalier, DAC, SSIAD.",
        "action_lead": "Coordination de la CPTS",
        "calendar": "Protocole rédigé en six mois, déploiement ensuite.",
        "evaluation_criteria": "Part des sorties avec relais identifié ; réhospitalisations à 30 jours.",
        "resources": "Conventions de partenariat, messagerie sécurisée.",
    },
    {
        "title": "Campagne de vaccination antigrippale",
        "mission": 3,
        "problem": "Couverture vaccinale des plus de 65 ans inférieure à l'objectif national.",
        "objectives": "Atteindre 60 % de couverture chez les plus de 65 ans du territoire.",
        "actions": "Journées de vaccination en officine et en cabinet ; relance des patients.",
        "actors": "Pharmaciens, infirmiers, médecins ; partenaire : CPAM.",
        "action_lead": "Pharmacie référente",
        "calendar": "Octobre à février.",
        "evaluation_criteria": "Taux de couverture (données CPAM) ; nombre de vaccinations réalisées.",
        "resources": "Supports de communication, temps de coordination.",
    },
]


def _project(cpts: Cpts):
    """The projet with a published version acknowledged by some members; returns the fiche it publishes."""
    today = timezone.localdate()
    project = projects.project_start(actor=None, cpts=cpts)
    published = None
    for i, data in enumerate(LUNEL_FICHES if cpts.slug == "pays-de-lunel" else LUNEL_FICHES[1:3]):
        data = {
            **data,
            "starts_on": today - datetime.timedelta(days=60),
            "ends_on": today + datetime.timedelta(days=300),
        }
        fiche = fiches.fiche_create(actor=None, cpts=cpts, data=data)
        fiches.fiche_set_status(actor=None, fiche=fiche, status=FicheStatus.VALIDATED)
        if i == 0:
            fiches.fiche_set_status(actor=None, fiche=fiche, status=FicheStatus.IN_PROGRESS)
            if cpts.slug == "pays-de-lunel":
                published = fiches.fiche_publish(actor=None, fiche=fiche)
    draft = project.versions.get()
    projects.version_update(
        actor=None,
        version=draft,
        data={
            "diagnosis": "Territoire périurbain, population vieillissante, densité de médecins généralistes "
            "inférieure à la moyenne départementale.",
            "needs": "Accès à un médecin traitant ; soins non programmés en journée ; sorties d'hospitalisation.",
            "priorities": "1. Soins non programmés. 2. Parcours des personnes âgées. 3. Prévention.",
            "missions": [1, 2, 3, 4],
            "coordination": "Association loi 1901 ; bureau de six membres ; une coordinatrice salariée.",
            "actors": "Professionnels de santé de ville, centre hospitalier, EHPAD, SSIAD, DAC ; partenaires : "
            "communes, CPAM, ARS.",
            "evaluation": "Suivi trimestriel des indicateurs par le bureau ; bilan annuel en assemblée générale.",
        },
    )
    version = projects.version_publish(actor=None, project=project, dated=today - datetime.timedelta(days=20))
    for member in RegisterMember.objects.filter(
        cpts=cpts, status=MemberStatus.ACTIVE, professional__user__isnull=False
    ):
        if member.professional.user.email.startswith("member4."):
            continue  # one demo member has not acknowledged yet
        projects.version_acknowledge(actor=member.professional.user, version=version)
    if cpts.slug == "pays-de-lunel":
        projects.project_set_status(actor=None, project=project, status="ready")
    return published
