"""Demo conversations of the inter-CPTS federation: a general channel per CPTS, a federation-wide channel,
a working group across CPTS and a few direct conversations, with a realistic French history (no patient
data). Idempotent: conversations are found by title, messages by a stable client_id."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from federation.models import Cpts, CptsRole, Federation, FederationRole, Membership, User
from federation.selectors import member_cpts
from messaging import services
from messaging.models import Conversation, Message

NAMESPACE = uuid.UUID("6f1d3a52-2b7c-4e38-9a0e-7c1f5b1f0c34")

FEDERATION_HISTORY = [
    (
        "coord",
        "Bonjour à toutes et à tous ! Ce canal réunit les CPTS de la fédération : annonces, questions, entraide.",
    ),
    (
        "c0",
        "Merci ! Pour info, la CPTS a finalisé son protocole de prise en charge des entorses de cheville.",
    ),
    (
        "c1",
        "Intéressant, vous pouvez le déposer dans les documents partagés ? On travaille sur le même sujet.",
    ),
    ("c0", "C'est fait, il est dans les protocoles pluriprofessionnels."),
    (
        "coord",
        "Rappel : l'assemblée générale de la fédération aura lieu le 12 décembre à 18 h 30 à Montpellier.",
    ),
    (
        "c2",
        "Nous serons deux pour la CPTS. Est-ce qu'une visio est prévue pour ceux qui ne peuvent pas venir ?",
    ),
    ("coord", "Oui, le lien sera envoyé avec la convocation."),
    ("c3", "Quelqu'un a un retour d'expérience sur le planning SNP partagé avec la régulation du SAS ?"),
    ("c1", "On l'utilise depuis septembre : beaucoup moins de créneaux vides le samedi matin."),
    ("coord", "Point à mettre à l'ordre du jour du prochain bureau, merci @**{c3}** pour la question."),
]
GROUP_HISTORY = [
    ("c0", "Premier échange du groupe de travail « Campagne octobre rose » : qui pilote la communication ?"),
    ("c1", "Je peux prendre les affiches et le relais auprès des pharmacies."),
    ("c2", "De notre côté, les sages-femmes proposent deux permanences d'information."),
    ("c0", "Parfait. On fait le point par visio jeudi 13 h ? @**{c1}** @**{c2}**"),
    ("c1", "Jeudi 13 h, c'est noté."),
]
CPTS_HISTORY = [
    ("coordinator", "Bienvenue sur le canal général de la CPTS : infos pratiques, remplacements, réunions."),
    ("member2", "Bonjour, je cherche un·e remplaçant·e kiné pour la semaine du 22, cabinet de centre-ville."),
    ("bureau", "Je relaie dans mon réseau. Pensez aussi à l'annuaire de la fédération."),
    ("coordinator", "La réunion plénière est avancée au mardi 19 h, même salle."),
]
DIRECT_HISTORY = [
    ("a", "Bonjour, as-tu le contact du référent du DAC pour les situations complexes ?"),
    ("b", "Oui, je te transmets sa ligne directe par MSSanté, c'est plus sûr."),
    ("a", "Merci beaucoup !"),
]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _conversation(kind: str, title: str, federation: Federation, **kwargs) -> Conversation:
    existing = Conversation.objects.filter(kind=kind, title=title, federation=federation).first()
    return existing or services.conversation_create(kind=kind, title=title, federation=federation, **kwargs)


def _play(conversation: Conversation, script, speakers: dict, start) -> int:
    """Post the script (idempotent through client_id), then spread the messages over past days."""
    written = 0
    speakers = {key: user for key, user in speakers.items() if user is not None}
    names = {key: (user.display_name or user.email) for key, user in speakers.items()}
    for index, (who, text) in enumerate(script):
        author = speakers.get(who)
        try:
            text = text.format(**names)
        except KeyError:  # a smaller federation than the demo's: skip lines naming absent people
            continue
        if author is None:
            continue
        client_id = uuid.uuid5(NAMESPACE, f"{conversation.pk}:{index}")
        message, created = services.message_send(
            actor=author, conversation=conversation, body=text, client_id=client_id
        )
        if created:
            Message.objects.filter(pk=message.pk).update(created_at=start + timedelta(hours=7 * index))
            written += 1
    return written


@transaction.atomic
def seed(stdout) -> None:
    federation = Federation.objects.filter(slug="inter-cpts-34").first()
    if federation is None:
        stdout.write("Pas de fédération de démonstration : messagerie ignorée.\n")
        return
    start = timezone.now() - timedelta(days=6)
    coord = _user("coordination@demo.maillage.fr") or next(
        (r.user for r in FederationRole.objects.filter(federation=federation, role="coordinator")), None
    )
    written = 0
    channels = 0
    for cpts in Cpts.objects.filter(memberships__isnull=False).distinct():
        channel = services.cpts_channel_sync(cpts=cpts)
        channels += 1
        speakers = {
            role: m.user
            for m in Membership.objects.filter(cpts=cpts).select_related("user")
            for role in [m.user.email.split(".")[0]]
        }
        written += _play(channel, CPTS_HISTORY, speakers, start)

    coordinators = [
        m.user
        for m in Membership.objects.filter(cpts__in=member_cpts(federation), role=CptsRole.COORDINATOR)
        .select_related("user", "cpts")
        .order_by("cpts__name")
    ]
    delegates = [
        r.user for r in FederationRole.objects.filter(federation=federation, role="partner_delegate")
    ]
    fed_members = [
        m.user for m in Membership.objects.filter(cpts__in=member_cpts(federation)).select_related("user")
    ] + delegates[:1]  # the DAC's delegate is invited
    fed_channel = _conversation(
        Conversation.Kind.FEDERATION,
        "Fédération — canal général",
        federation,
        actor=coord,
        topic="Annonces et entraide entre les CPTS de l'Hérault",
        members=fed_members,
    )
    speakers = {"coord": coord, **{f"c{i}": user for i, user in enumerate(coordinators)}}
    written += _play(fed_channel, FEDERATION_HISTORY, speakers, start)

    if len(coordinators) >= 3:
        group = _conversation(
            Conversation.Kind.GROUP,
            "Groupe de travail — prévention (octobre rose)",
            federation,
            actor=coordinators[0],
            topic="Campagne commune de dépistage du cancer du sein",
            members=coordinators[1:3] + [coord],
        )
        written += _play(group, GROUP_HISTORY, {f"c{i}": u for i, u in enumerate(coordinators[:3])}, start)
        for a, b in [(coordinators[0], coordinators[1]), (coord, coordinators[2])]:
            direct = (
                Conversation.objects.filter(kind=Conversation.Kind.DIRECT, memberships__user=a)
                .filter(memberships__user=b)
                .first()
            ) or services.conversation_create(
                actor=a, kind=Conversation.Kind.DIRECT, federation=federation, members=[b]
            )
            written += _play(direct, DIRECT_HISTORY, {"a": a, "b": b}, start)
    stdout.write(f"Messagerie : {channels} canaux de CPTS, {written} message(s) écrits.\n")
