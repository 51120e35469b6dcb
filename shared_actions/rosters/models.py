"""SNP rosters: sites, shifts, the people on them, swap and replacement requests, iCalendar feeds."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.models import Commune, Cpts, Federation
from shared_actions.common import new_token


class Roster(models.Model):
    """A roster of SNP shifts: of one CPTS (`cpts`), or pooled at federation level (`federation` and
    several `participants`)."""

    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, null=True, blank=True, related_name="rosters")
    federation = models.ForeignKey(
        Federation, on_delete=models.CASCADE, null=True, blank=True, related_name="rosters"
    )
    participants = models.ManyToManyField(
        Cpts, blank=True, related_name="pooled_rosters", verbose_name=_("CPTS participantes")
    )
    swap_requires_approval = models.BooleanField(
        _("échanges soumis à validation du coordinateur"), default=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("planning SNP")
        verbose_name_plural = _("plannings SNP")
        constraints = [
            models.CheckConstraint(
                condition=(Q(cpts__isnull=False, federation__isnull=True))
                | Q(cpts__isnull=True, federation__isnull=False),
                name="roster_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pooled(self) -> bool:
        return self.federation_id is not None


class RosterSite(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("nom"), max_length=200)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    cpts = models.ForeignKey(Cpts, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="shifts")
    site = models.ForeignKey(RosterSite, on_delete=models.PROTECT, related_name="shifts")
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    required_count = models.PositiveSmallIntegerField(_("effectif requis"), default=1)
    # TRE_G15 profession code (e.g. "10" médecin, "60" infirmier), blank when any profession fits.
    required_profession = models.CharField(_("profession requise (TRE_G15)"), max_length=10, blank=True)
    required_competence = models.CharField(_("compétence requise"), max_length=200, blank=True)
    notes = models.CharField(_("remarques"), max_length=300, blank=True)

    class Meta:
        ordering = ["start", "site__name"]
        verbose_name = _("créneau")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="shift_end_after_start")
        ]
        indexes = [models.Index(fields=["roster", "start"])]

    def __str__(self) -> str:
        return f"{self.site} {self.start:%d/%m %H:%M}"

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


class ShiftAssignment(models.Model):
    """A person on a shift (volunteered or assigned). `cpts` is the CPTS the hours are counted for."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_assignments"
    )
    cpts = models.ForeignKey(Cpts, on_delete=models.PROTECT, related_name="+")
    profession = models.CharField(_("profession (TRE_G15)"), max_length=10, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shift__start"]
        verbose_name = _("affectation")
        constraints = [models.UniqueConstraint(fields=["shift", "user"], name="one_assignment_per_shift")]

    def __str__(self) -> str:
        return f"{self.user} — {self.shift}"


class SwapRequest(models.Model):
    """A request to hand over a shift (replacement) or exchange two shifts (swap)."""

    class Kind(models.TextChoices):
        REPLACEMENT = "replacement", _("Remplacement")
        SWAP = "swap", _("Échange")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de réponse")
        ACCEPTED = "accepted", _("Acceptée, en attente de validation")
        DONE = "done", _("Effectuée")
        REFUSED = "refused", _("Refusée")
        CANCELLED = "cancelled", _("Annulée")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.PENDING)
    assignment = models.ForeignKey(ShiftAssignment, on_delete=models.CASCADE, related_name="swap_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Replacement: the person asked (empty = open call to the roster). Swap: the owner of `counterpart`.
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    counterpart = models.ForeignKey(
        ShiftAssignment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The last status e-mailed about (claimed before sending, so a retried task sends nothing twice).
    notified_status = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande d'échange ou de remplacement")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.assignment}"


class CalendarFeed(models.Model):
    """A secret, revocable iCalendar URL: a person's shifts (`user`) or a whole roster (`roster`)."""

    token = models.CharField(max_length=64, unique=True, default=new_token)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, null=True, blank=True, related_name="feeds")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flux iCalendar")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, roster__isnull=True)
                | Q(user__isnull=True, roster__isnull=False),
                name="feed_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"iCal {self.user or self.roster}"
