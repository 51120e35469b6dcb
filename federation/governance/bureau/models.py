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
