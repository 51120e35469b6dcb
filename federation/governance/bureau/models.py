"""The bureau: seats held by delegates of the CPTS college for a term."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models import Federation, FederationMember


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
        "governance.Poll",
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


class PartnerAdmission(models.Model):
    """A partner proposed for admission by the bureau, when the statutes say so
    (`partners_admitted_by_bureau_unanimity`): admitted once every seat in office has agreed, refused
    as soon as one disagrees (model statutes: « agréé à l'unanimité par le Bureau »)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de l'accord du bureau")
        ADMITTED = "admitted", _("Admis")
        REFUSED = "refused", _("Refusé")

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="partner_admissions")
    name = models.CharField(_("partenaire"), max_length=200)
    kind = models.CharField(_("type de partenaire"), max_length=20)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    partner = models.ForeignKey(
        "federation.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("admission d'un partenaire par le bureau")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class PartnerAdmissionAnswer(models.Model):
    """One bureau seat's answer to an admission (recorded: unanimity is checked against them)."""

    admission = models.ForeignKey(PartnerAdmission, on_delete=models.CASCADE, related_name="answers")
    mandate = models.ForeignKey(BureauMandate, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agrees = models.BooleanField(_("accord"))
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("réponse d'un membre du bureau")
        constraints = [
            models.UniqueConstraint(fields=["admission", "mandate"], name="partner_admission_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.admission_id}: {self.mandate_id} {self.agrees}"
