"""The contract year of a CPTS: its ACI contract, avenants, missions, indicators and their values.

Row-level tenancy: everything hangs off `Contract.cpts`. The ACI amounts are not here: they are versioned
data files (`missions/rule_sets/`), a contract names the rule set it runs under (and each avenant from
when another one applies).
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.models import Cpts
from missions.rules import rule_set_choices

CONTRACT_YEARS = 5  # seed 003: « signé pour une durée de cinq ans »


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


class MissionNumber(models.IntegerChoices):
    ACCESS = 1, _("Accès aux soins (socle)")
    PATHWAYS = 2, _("Parcours pluriprofessionnels (socle)")
    PREVENTION = 3, _("Prévention (socle)")
    CRISIS = 4, _("Crises sanitaires graves (socle)")
    QUALITY = 5, _("Qualité et pertinence des soins (optionnelle)")
    SUPPORT = 6, _("Accompagnement des professionnels (optionnelle)")


class Contract(models.Model):
    """The five-year tripartite ACI contract (ARS, CPAM, CPTS) of a CPTS."""

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="aci_contracts")
    signed_on = models.DateField(_("signé le"))
    rule_set = models.CharField(_("règles ACI à la signature"), max_length=40, choices=rule_set_choices)
    ars_name = models.CharField(_("ARS signataire"), max_length=200)
    cpam_name = models.CharField(_("CPAM signataire"), max_length=200)
    population = models.PositiveIntegerField(
        _("population du territoire au contrat"),
        help_text=_("Donne la taille de la CPTS (1 à 4) ; un avenant peut la modifier."),
    )
    crisis_plan_document = models.ForeignKey(
        "shared_actions.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan de crise (document partagé)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("contrat ACI")
        verbose_name_plural = _("contrats ACI")
        constraints = [
            models.UniqueConstraint(fields=["cpts", "signed_on"], name="missions_one_contract_per_signature")
        ]

    def __str__(self) -> str:
        return f"{self.cpts} — ACI {self.signed_on:%d/%m/%Y}"

    @property
    def ends_on(self) -> dt.date:
        return add_years(self.signed_on, CONTRACT_YEARS) - dt.timedelta(days=1)

    def year_start(self, year: int) -> dt.date:
        return add_years(self.signed_on, year - 1)

    def year_end(self, year: int) -> dt.date:
        return add_years(self.signed_on, year) - dt.timedelta(days=1)

    def year_of(self, day: dt.date) -> int | None:
        """The contract year (1 to 5) `day` falls in, or None outside the contract."""
        if day < self.signed_on or day > self.ends_on:
            return None
        for year in range(1, CONTRACT_YEARS + 1):
            if day <= self.year_end(year):
                return year
        return None

    def review_window(self, year: int) -> tuple[dt.date, dt.date]:
        """The annual review of year `year`: within two months after the signature's anniversary
        (seed 003: « dans un délai de deux mois après la date d'anniversaire de signature du contrat »)."""
        anniversary = add_years(self.signed_on, year)
        return anniversary, add_months(anniversary, 2)


class Avenant(models.Model):
    """An amendment to the contract, signed at any time: what it changes, and from when."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="avenants")
    number = models.PositiveSmallIntegerField(_("numéro"))
    signed_on = models.DateField(_("signé le"))
    effective_from = models.DateField(_("applicable à partir du"))
    summary = models.TextField(_("ce qui change"))
    rule_set = models.CharField(
        _("nouvelles règles ACI"), max_length=40, choices=rule_set_choices, blank=True
    )
    population = models.PositiveIntegerField(_("nouvelle population du territoire"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_from", "number"]
        verbose_name = _("avenant")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="missions_avenant_number_unique")
        ]

    def __str__(self) -> str:
        return _("Avenant n° %(number)d") % {"number": self.number}

    def clean(self):
        if self.effective_from and self.signed_on and self.effective_from < self.contract.signed_on:
            raise ValidationError(
                {"effective_from": _("Un avenant ne peut s'appliquer avant la signature du contrat.")}
            )


class ContractMission(models.Model):
    """A mission chosen in the contract, with the contract year it starts (its funding starts then)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="missions")
    number = models.PositiveSmallIntegerField(_("mission"), choices=MissionNumber.choices)
    start_year = models.PositiveSmallIntegerField(
        _("démarre l'année du contrat"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(CONTRACT_YEARS)],
    )
    # Mission 4: the contract year the crisis plan is first drafted (the following years are updates).
    crisis_plan_year = models.PositiveSmallIntegerField(
        _("année de 1re rédaction du plan de crise"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(CONTRACT_YEARS)],
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("mission du contrat")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="missions_mission_once_per_contract")
        ]

    def __str__(self) -> str:
        return self.get_number_display()

    @property
    def is_core(self) -> bool:
        return self.number <= 4

    def crisis_plan_state(self, year: int) -> str:
        """Seed 003: « 1ère rédaction du plan (l'année de la rédaction) », « Mise à jour du plan (les années
        suivant l'année de la rédaction du plan) »: "first" that one year only, "update" after it, and
        "none" (no fixed part) in a year before the plan is drafted."""
        first = self.crisis_plan_year or self.start_year
        if year < first:
            return "none"
        return "first" if year == first else "update"


class MissionYear(models.Model):
    """Facts of one mission in one contract year agreed at the review: a serious health crisis occurred
    (mission 4's variable part), or an achievement rate the parties agreed on instead of the computed one."""

    mission = models.ForeignKey(ContractMission, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("année du contrat"))
    crisis_occurred = models.BooleanField(_("crise sanitaire grave survenue"), default=False)
    agreed_achievement = models.DecimalField(
        _("taux d'atteinte retenu à la revue"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )

    class Meta:
        verbose_name = _("mission, année du contrat")
        constraints = [
            models.UniqueConstraint(fields=["mission", "year"], name="missions_mission_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mission} — {self.year}"


class Indicator(models.Model):
    """An indicator of a contracted mission: "résultats" ones drive the variable part, "suivi" ones
    follow the mission's progress (seed 003, § 5.1)."""

    class Kind(models.TextChoices):
        RESULT = "result", _("Indicateur de résultats")
        FOLLOW_UP = "follow_up", _("Indicateur de suivi")

    class Direction(models.TextChoices):
        UP = "up", _("Plus haut, c'est mieux")
        DOWN = "down", _("Plus bas, c'est mieux")

    mission = models.ForeignKey(ContractMission, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("intitulé"), max_length=300)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.RESULT)
    national = models.BooleanField(_("indicateur national"), default=False)
    unit = models.CharField(_("unité"), max_length=50, blank=True)
    target = models.DecimalField(_("cible"), max_digits=14, decimal_places=2)
    direction = models.CharField(_("sens"), max_length=4, choices=Direction.choices, default=Direction.UP)
    weight = models.DecimalField(
        _("poids dans la part variable"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    data_source = models.CharField(_("source des données"), max_length=300)
    # Key of a platform source that fills the value itself (missions/autofill.py); blank = entered by hand.
    auto_source = models.CharField(_("calcul automatique"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["mission__number", "kind", "id"]
        verbose_name = _("indicateur du contrat")
        verbose_name_plural = _("indicateurs du contrat")

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """The measured value of an indicator for one contract year (the current one; changes are in
    `IndicatorValueChange`)."""

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Saisie manuelle")
        AUTO = "auto", _("Calcul automatique")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("année du contrat"))
    value = models.DecimalField(_("valeur mesurée"), max_digits=14, decimal_places=2)
    measured_on = models.DateField(_("mesurée le"))
    origin = models.CharField(_("origine"), max_length=10, choices=Origin.choices)
    source_detail = models.CharField(_("détail de la source"), max_length=300, blank=True)
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("valeur d'indicateur")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="missions_one_value_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.year} : {self.value}"


class IndicatorValueChange(models.Model):
    """History: every change of an indicator's value (append-only)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="changes")
    year = models.PositiveSmallIntegerField(_("année du contrat"))
    old_value = models.DecimalField(_("ancienne valeur"), max_digits=14, decimal_places=2, null=True)
    new_value = models.DecimalField(_("nouvelle valeur"), max_digits=14, decimal_places=2)
    measured_on = models.DateField(_("mesurée le"))
    origin = models.CharField(_("origine"), max_length=10, choices=IndicatorValue.Origin.choices)
    source_detail = models.CharField(_("détail de la source"), max_length=300, blank=True)
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("modification d'indicateur")

    def __str__(self) -> str:
        return f"{self.indicator} — {self.year} : {self.old_value} → {self.new_value}"


class AnnualReview(models.Model):
    """The yearly review meeting of a contract year, and the reminder sent for it (once)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("année du contrat revue"))
    scheduled_on = models.DateField(_("date de la réunion"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("revue annuelle")
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="missions_one_review_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.contract} — {self.year}"


class ReviewPack(models.Model):
    """The annual review pack (PDF, XLSX, CSV) of a contract year, generated in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="review_packs")
    year = models.PositiveSmallIntegerField(_("année du contrat"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    pdf = models.FileField(upload_to="missions/review_packs/", blank=True)
    xlsx = models.FileField(upload_to="missions/review_packs/", blank=True)
    csv = models.FileField(upload_to="missions/review_packs/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dossier de revue annuelle")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="missions_pack_progress_range")
        ]

    def __str__(self) -> str:
        return f"{self.contract} — {self.year} ({self.status})"
