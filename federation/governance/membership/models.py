"""Membership of the federation as governance sees it: the delegates who carry each member's voice, and
the yearly fees."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.models import Federation, FederationMember


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
    reminders_sent = models.PositiveSmallIntegerField(_("rappels envoyés"), default=0)
    last_reminded_on = models.DateField(_("dernier rappel le"), null=True, blank=True)

    class Meta:
        verbose_name = _("cotisation")
        ordering = ["-year", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_fee_per_member_year")]

    def __str__(self) -> str:
        return f"{self.member} {self.year}"


class MemberProceeding(models.Model):
    """Seed 000 (model statutes): membership is lost by "l'exclusion prononcée par le Président [...] pour
    motifs graves", the member "préalablement [...] invité à faire valoir ses moyens de défense", or by
    "la radiation pour non-paiement de la cotisation annuelle, après trois rappels demeurés infructueux"
    and an invitation "à fournir des explications écrites". The invitation is recorded first; only then
    may the president pronounce."""

    class Kind(models.TextChoices):
        EXCLUSION = "exclusion", _("Exclusion pour motifs graves")
        STRIKE_OFF = "strike_off", _("Radiation pour cotisation impayée")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Défense ou explications attendues")
        PRONOUNCED = "pronounced", _("Prononcée")
        DROPPED = "dropped", _("Abandonnée")

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="member_proceedings")
    member = models.ForeignKey(FederationMember, on_delete=models.CASCADE, related_name="proceedings")
    kind = models.CharField(_("procédure"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("motifs"))
    invited_on = models.DateField(_("invité·e à se défendre le"))
    outcome = models.CharField(_("issue"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("procédure d'exclusion ou de radiation")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(outcome="pending"), name="one_pending_proceeding_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.member}"
