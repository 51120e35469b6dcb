"""Statutes settings: the blanks of the model statutes (quorums, majorities, proxies, delays) for one
federation, and the vocabulary of bodies and decision kinds."""

from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.governance import rules
from federation.models import Federation


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
    # Model statutes (seed 000): a member is « agréé à l'unanimité par le Bureau de l'Association »;
    # seed 004 leaves the partners to the federation's choice. Off: the AG admits partners as before.
    partners_admitted_by_bureau_unanimity = models.BooleanField(
        _("admission des partenaires par le bureau à l'unanimité"), default=False
    )
    vice_presidents_max = models.PositiveSmallIntegerField(_("vice-présidents au plus"), default=2)
    deputies_allowed = models.BooleanField(_("postes d'adjoints"), default=True)
    bureau_term_years = models.PositiveSmallIntegerField(_("durée du mandat du bureau (ans)"), default=3)
    adopted_by = models.ForeignKey(
        "governance.Poll",
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
        "partners_admitted_by_bureau_unanimity",
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
