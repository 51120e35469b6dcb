"""Polls (motions and elections), candidates, participations, ballots and partners' opinions.

Secret ballots: a `Ballot` row carries no link to its voter — no foreign key, no timestamp, a random
UUID primary key — and "who has voted" lives apart in `Participation`, whose unique constraints give
one ballot per member (or bureau mandate) per poll.
Published results are immutable: the services refuse any change, and database triggers (migration
0003) refuse updates of a published poll and new or changed ballots / participations for it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.governance.bureau.models import BureauMandate
from federation.governance.meetings.models import AgendaItem, Meeting
from federation.governance.statutes.models import Body, DecisionKind
from federation.models import College, Federation, FederationMember, Partner


class Poll(models.Model):
    """A motion (yes / no / abstain) or an election of a person, voted in a meeting or as a written
    consultation (opening and deadline, each member voting from its account)."""

    class Kind(models.TextChoices):
        MOTION = "motion", _("Résolution")
        ELECTION = "election", _("Élection")

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        OPEN = "open", _("Vote ouvert")
        CLOSED = "closed", _("Vote clos")
        PUBLISHED = "published", _("Résultat publié")

    id = models.BigAutoField(primary_key=True)
    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="polls")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="polls"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="polls"
    )
    body = models.CharField(_("instance"), max_length=8, choices=Body.choices, default=Body.AGO)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.MOTION)
    decision_kind = models.CharField(
        _("nature de la décision"), max_length=12, choices=DecisionKind.choices, default=DecisionKind.ORDINARY
    )
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("texte soumis au vote"), blank=True)
    secret = models.BooleanField(_("vote à bulletin secret"), default=False)
    election_round = models.PositiveSmallIntegerField(_("tour"), default=1)
    previous_round = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_round"
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("ouverture"), null=True, blank=True)
    closes_at = models.DateTimeField(_("clôture"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # What an adopted decision does, applied when the result is published:
    # {"type": "cpts_join", "cpts": id} | {"type": "member_leave", "member": id}
    # | {"type": "partner_join", "name": ..., "kind": ...} | {"type": "statutes_change", "changes": {...}}
    # | {"type": "fee_scale", "year": 2027, "amounts": {"1": ..., "4": ..., "partner": ...}}
    effect = models.JSONField(_("effet de la décision"), default=dict, blank=True)
    casting_vote = models.CharField(max_length=40, blank=True)
    # Secret polls: the public key ballots are sealed with (hex); the private key is never stored.
    public_key = models.CharField(max_length=64, blank=True)
    # A poll opened without quorum where the statutes allow it (second session): who, and why.
    quorum_override = models.JSONField(_("ouverture sans quorum"), default=dict, blank=True)
    result = models.JSONField(_("résultat"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("scrutin")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_written_consultation(self) -> bool:
        return self.meeting_id is None


class Candidate(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="candidates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(FederationMember, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("nom"), max_length=200)

    class Meta:
        verbose_name = _("candidat·e")
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="candidate_once_per_poll")]

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """Who has voted in a poll — one row per voting member (a CPTS or a partner) or bureau seat.

    Its unique constraints are the "one ballot per member per poll" guarantee. For an open (named)
    poll the choice is recorded here too; for a secret poll it is not, and nothing links this row to
    the anonymous `Ballot` written in the same transaction.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    college = models.CharField(_("collège"), max_length=10, choices=College.choices)
    member = models.ForeignKey(
        FederationMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mandate = models.ForeignKey(
        BureauMandate, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_proxy = models.BooleanField(_("par pouvoir"), default=False)
    # Named votes only (open polls); always empty for a secret poll.
    open_choice = models.CharField(max_length=10, blank=True)
    open_candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participation")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, mandate__isnull=True)
                | Q(member__isnull=True, mandate__isnull=False),
                name="participation_member_or_mandate",
            ),
            models.UniqueConstraint(
                fields=["poll", "member"],
                condition=Q(member__isnull=False),
                name="one_ballot_per_member_per_poll",
            ),
            models.UniqueConstraint(
                fields=["poll", "mandate"],
                condition=Q(mandate__isnull=False),
                name="one_ballot_per_seat_per_poll",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.member_id or self.mandate_id}"


class Ballot(models.Model):
    """The content of one vote, with no link to the voter: random UUID key, no timestamp, no foreign
    key to a member or user. Secret polls' ballots are rewritten in random order when the poll closes,
    so even the physical order of rows tells nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    college = models.CharField(max_length=10, choices=College.choices)
    choice = models.CharField(max_length=10, blank=True)  # motions: yes / no / abstain
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    blank = models.BooleanField(default=False)  # elections: blank vote

    class Meta:
        verbose_name = _("bulletin")

    def __str__(self) -> str:
        return str(self.pk)


class PartnerOpinion(models.Model):
    """A partner's written opinion on a poll, signed (opinions are consultative and public)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="opinions")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("avis"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("avis d'un partenaire")
        constraints = [models.UniqueConstraint(fields=["poll", "partner"], name="one_opinion_per_partner")]

    def __str__(self) -> str:
        return f"{self.partner} — {self.poll_id}"


class SealedBallot(models.Model):
    """A secret ballot as cast: the content sealed with the poll's public key (`polls/sealing.py`).

    No voter, no timestamp, a random key; written in a transaction of its own, apart from the voter's
    `Participation`. Opened, counted and deleted when the poll closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="sealed_ballots")
    ciphertext = models.BinaryField()

    class Meta:
        verbose_name = _("bulletin scellé")

    def __str__(self) -> str:
        return str(self.pk)


class CountedBallot(models.Model):
    """A secret ballot once counted: its receipt and its content, written at the close in random order
    in one transaction (the list voters check their receipt against). Nothing links it to a voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="counted_ballots")
    receipt = models.CharField(_("reçu"), max_length=32)
    college = models.CharField(max_length=10, choices=College.choices)
    choice = models.CharField(max_length=10, blank=True)
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    blank = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("bulletin dépouillé")
        constraints = [models.UniqueConstraint(fields=["poll", "receipt"], name="counted_receipt_unique")]

    def __str__(self) -> str:
        return self.receipt
