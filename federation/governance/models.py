"""Governance of an inter-CPTS federation: statutes settings, delegates, fees, bureau, meetings of the
bodies (AGO, AGE, bureau), polls, ballots, minutes and the hash-chained audit log.

Secret ballots: a `Ballot` row carries no link to its voter — no foreign key, no timestamp, a random
UUID primary key — and "who has voted" lives apart in `Participation`, whose unique constraints give
one ballot per member (or bureau mandate) per poll. Both rows are written in one transaction.
Published results are immutable: the services refuse any change, and database triggers (migration
0003) refuse updates of a published poll and new or changed ballots / participations for it.
"""

import uuid
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.governance import rules
from federation.models import College, Federation, FederationMember, Partner


class Body(models.TextChoices):
    AGO = "ago", _("Assemblée générale ordinaire")
    AGE = "age", _("Assemblée générale extraordinaire")
    BUREAU = "bureau", _("Bureau")


class DecisionKind(models.TextChoices):
    ORDINARY = "ordinary", _("Décision ordinaire")
    MEMBERSHIP = "membership", _("Adhésion ou départ d'un membre")
    STATUTES = "statutes", _("Modification des statuts")
    DISSOLUTION = "dissolution", _("Dissolution")
    BUREAU = "bureau", _("Décision du bureau")


class MajorityRule(models.TextChoices):
    SIMPLE = "simple", _("Majorité simple (plus de pour que de contre)")
    ABSOLUTE = "absolute", _("Majorité absolue (50 % des voix + 1)")
    TWO_THIRDS = "two_thirds", _("Majorité qualifiée des 2/3")
    MEMBERS = "members", _("Majorité des membres du collège")


class TieRule(models.TextChoices):
    REJECTED = "rejected", _("Égalité : proposition rejetée")
    CASTING_VOTE = "casting_vote", _("Égalité : voix prépondérante du président")


QUORUM_CHOICES = [
    ("0", _("Aucun quorum")),
    ("1/4", _("Un quart")),
    ("1/3", _("Un tiers")),
    ("1/2", _("La moitié")),
    ("2/3", _("Deux tiers")),
    ("3/4", _("Trois quarts")),
    ("1", _("Tous les membres")),
]


class StatutesSettings(models.Model):
    """The blanks of the model statutes for one federation. Changed only through a recorded decision
    (a poll of kind `statutes`), except the very first version adopted at constitution."""

    class MembershipBody(models.TextChoices):
        AG = "ag", _("L'assemblée générale")
        BUREAU = "bureau", _("Le bureau")

    federation = models.OneToOneField(Federation, on_delete=models.CASCADE, related_name="statutes_settings")
    quorum_ago = models.CharField(_("quorum de l'AGO"), max_length=4, choices=QUORUM_CHOICES, default="1/2")
    quorum_age = models.CharField(_("quorum de l'AGE"), max_length=4, choices=QUORUM_CHOICES, default="1/2")
    quorum_bureau = models.CharField(
        _("quorum du bureau"), max_length=4, choices=QUORUM_CHOICES, default="1/2"
    )
    majority_ordinary = models.CharField(
        _("majorité : décisions ordinaires"), max_length=12, choices=MajorityRule.choices, default="absolute"
    )
    majority_membership = models.CharField(
        _("majorité : adhésions et départs"), max_length=12, choices=MajorityRule.choices, default="absolute"
    )
    majority_statutes = models.CharField(
        _("majorité : modification des statuts"),
        max_length=12,
        choices=MajorityRule.choices,
        default="two_thirds",
    )
    majority_dissolution = models.CharField(
        _("majorité : dissolution"), max_length=12, choices=MajorityRule.choices, default="two_thirds"
    )
    majority_bureau = models.CharField(
        _("majorité : décisions du bureau"), max_length=12, choices=MajorityRule.choices, default="simple"
    )
    abstentions_count_as_cast = models.BooleanField(
        _("les abstentions comptent comme suffrages exprimés"), default=False
    )
    tie_rule = models.CharField(
        _("en cas d'égalité"), max_length=12, choices=TieRule.choices, default="casting_vote"
    )
    max_proxies_per_holder = models.PositiveSmallIntegerField(_("pouvoirs au plus par mandataire"), default=2)
    convocation_days = models.PositiveSmallIntegerField(_("délai de convocation (jours)"), default=7)
    second_meeting_within_days = models.PositiveSmallIntegerField(
        _("seconde séance sous (jours) si le quorum manque"), default=15
    )
    second_meeting_requires_quorum = models.BooleanField(
        _("la seconde séance exige un quorum"), default=False
    )
    second_meeting_relative_majority = models.BooleanField(
        _("la seconde séance décide à la majorité relative"), default=True
    )
    membership_decided_by = models.CharField(
        _("les adhésions sont décidées par"), max_length=8, choices=MembershipBody.choices, default="ag"
    )
    vice_presidents_max = models.PositiveSmallIntegerField(_("vice-présidents au plus"), default=2)
    deputies_allowed = models.BooleanField(_("postes d'adjoints"), default=True)
    bureau_term_years = models.PositiveSmallIntegerField(_("durée du mandat du bureau (ans)"), default=3)
    adopted_by = models.ForeignKey(
        "Poll",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adopté par"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Fields a statutes decision may change (min_join_stage lives on the federation itself).
    EDITABLE = [
        "quorum_ago",
        "quorum_age",
        "quorum_bureau",
        "majority_ordinary",
        "majority_membership",
        "majority_statutes",
        "majority_dissolution",
        "majority_bureau",
        "abstentions_count_as_cast",
        "tie_rule",
        "max_proxies_per_holder",
        "convocation_days",
        "second_meeting_within_days",
        "second_meeting_requires_quorum",
        "second_meeting_relative_majority",
        "membership_decided_by",
        "vice_presidents_max",
        "deputies_allowed",
        "bureau_term_years",
    ]

    class Meta:
        verbose_name = _("paramètres statutaires")
        verbose_name_plural = _("paramètres statutaires")

    def __str__(self) -> str:
        return f"{self.federation} — statuts"

    def as_rules(self) -> rules.Statutes:
        return rules.Statutes(
            quorum={
                rules.Body.AGO: Fraction(self.quorum_ago),
                rules.Body.AGE: Fraction(self.quorum_age),
                rules.Body.BUREAU: Fraction(self.quorum_bureau),
            },
            majority={
                rules.DecisionKind.ORDINARY: rules.Majority(self.majority_ordinary),
                rules.DecisionKind.MEMBERSHIP: rules.Majority(self.majority_membership),
                rules.DecisionKind.STATUTES: rules.Majority(self.majority_statutes),
                rules.DecisionKind.DISSOLUTION: rules.Majority(self.majority_dissolution),
                rules.DecisionKind.BUREAU: rules.Majority(self.majority_bureau),
            },
            abstentions_count_as_cast=self.abstentions_count_as_cast,
            tie_rule=rules.TieRule(self.tie_rule),
            max_proxies_per_holder=self.max_proxies_per_holder,
            convocation_days=self.convocation_days,
            second_meeting_within_days=self.second_meeting_within_days,
            second_meeting_requires_quorum=self.second_meeting_requires_quorum,
            second_meeting_relative_majority=self.second_meeting_relative_majority,
        )


class Delegate(models.Model):
    """A person a member CPTS designates to carry its vote (titular) or to replace them (substitute),
    chosen among its own members or bureau."""

    class Kind(models.TextChoices):
        TITULAR = "titular", _("Délégué·e titulaire")
        SUBSTITUTE = "substitute", _("Suppléant·e")

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="delegates")
    member = models.ForeignKey(FederationMember, on_delete=models.CASCADE, related_name="delegates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.TITULAR)
    since = models.DateField(_("depuis"), default=timezone.localdate)
    until = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("délégué·e")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "user"], condition=Q(until__isnull=True), name="delegate_once_per_member"
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(until__isnull=True, kind="substitute"),
                name="one_active_substitute_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.member} ({self.get_kind_display()})"


class Fee(models.Model):
    """The yearly membership fee of a member, set by the AG, with its payment status."""

    class Status(models.TextChoices):
        DUE = "due", _("À payer")
        PAID = "paid", _("Payée")
        WAIVED = "waived", _("Exonérée")

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="fees")
    member = models.ForeignKey(FederationMember, on_delete=models.CASCADE, related_name="fees")
    year = models.PositiveSmallIntegerField(_("année"))
    amount = models.DecimalField(_("montant (€)"), max_digits=9, decimal_places=2)
    status = models.CharField(_("statut"), max_length=8, choices=Status.choices, default=Status.DUE)
    paid_on = models.DateField(_("payée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("cotisation")
        ordering = ["-year", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_fee_per_member_year")]

    def __str__(self) -> str:
        return f"{self.member} {self.year}"


class BureauRole(models.TextChoices):
    PRESIDENT = "president", _("Président·e")
    VICE_PRESIDENT = "vice_president", _("Vice-président·e")
    TREASURER = "treasurer", _("Trésorier·ère")
    SECRETARY = "secretary", _("Secrétaire")
    DEPUTY_TREASURER = "deputy_treasurer", _("Trésorier·ère adjoint·e")
    DEPUTY_SECRETARY = "deputy_secretary", _("Secrétaire adjoint·e")


REQUIRED_BUREAU_ROLES = (
    BureauRole.PRESIDENT,
    BureauRole.VICE_PRESIDENT,
    BureauRole.TREASURER,
    BureauRole.SECRETARY,
)


class BureauMandate(models.Model):
    """A seat in the bureau, held by a delegate of a member CPTS for a term."""

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="bureau_mandates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bureau_mandates"
    )
    member = models.ForeignKey(FederationMember, on_delete=models.PROTECT, related_name="bureau_mandates")
    role = models.CharField(_("fonction"), max_length=20, choices=BureauRole.choices)
    starts_on = models.DateField(_("début du mandat"))
    ends_on = models.DateField(_("fin du mandat"))
    ended_early_on = models.DateField(_("fin anticipée le"), null=True, blank=True)
    elected_by = models.ForeignKey(
        "Poll",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("élu·e par"),
    )

    class Meta:
        verbose_name = _("mandat au bureau")
        ordering = ["starts_on", "role"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} : {self.user}"

    def is_active_on(self, day) -> bool:
        end = self.ended_early_on or self.ends_on
        return self.starts_on <= day < end if self.ended_early_on else self.starts_on <= day <= end


class Meeting(models.Model):
    """A meeting of a body of the association: AGO, AGE or bureau."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        CONVENED = "convened", _("Convoquée")
        OPEN = "open", _("En séance")
        CLOSED = "closed", _("Clôturée")

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="meetings")
    body = models.CharField(_("instance"), max_length=8, choices=Body.choices)
    title = models.CharField(_("titre"), max_length=200)
    starts_at = models.DateTimeField(_("date et heure"))
    location = models.CharField(_("lieu"), max_length=300, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    convened_at = models.DateTimeField(_("convoquée le"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_meeting = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_meetings",
        verbose_name=_("première séance (quorum non atteint)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("séance")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["federation", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_second_meeting(self) -> bool:
        return self.first_meeting_id is not None

    @property
    def is_general_assembly(self) -> bool:
        return self.body in (Body.AGO, Body.AGE)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("rang"))
    title = models.CharField(_("point"), max_length=300)
    description = models.TextField(_("présentation"), blank=True)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Présent")
    REPRESENTED = "represented", _("Représenté (pouvoir)")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excusé")


class Attendance(models.Model):
    """The attendance sheet: one row per member of the assembly (CPTS or partner), or per bureau seat
    for a bureau meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        FederationMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mandate = models.ForeignKey(
        BureauMandate, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("présence"), max_length=12, choices=AttendanceStatus.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("émargement")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, mandate__isnull=True)
                | Q(member__isnull=True, mandate__isnull=False),
                name="attendance_member_or_mandate",
            ),
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(member__isnull=False),
                name="attendance_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["meeting", "mandate"],
                condition=Q(mandate__isnull=False),
                name="attendance_once_per_mandate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.member_id or self.mandate_id} {self.status}"


class Proxy(models.Model):
    """A member CPTS that cannot attend gives its vote to the delegate of another member CPTS."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proxies")
    giver = models.ForeignKey(FederationMember, on_delete=models.CASCADE, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    holder_member = models.ForeignKey(FederationMember, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pouvoir")
        verbose_name_plural = _("pouvoirs")
        constraints = [models.UniqueConstraint(fields=["meeting", "giver"], name="one_proxy_per_giver")]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"


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
    effect = models.JSONField(_("effet de la décision"), default=dict, blank=True)
    casting_vote = models.CharField(max_length=40, blank=True)
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


class AuditHead(models.Model):
    """The last link of a federation's audit chain; locked while appending so the chain never forks."""

    federation = models.OneToOneField(
        Federation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.federation_id}#{self.last_seq}"


class AuditEntry(models.Model):
    """One governance event, chained: `hash = sha256(prev_hash + canonical content)`."""

    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    event = models.CharField(max_length=40)
    actor_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["federation_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["federation", "seq"], name="audit_seq_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event}"
