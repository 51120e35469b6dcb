"""Prevention campaigns planned at département level: actions, checklists, indicators and values."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.models import Commune, Cpts, Federation
from shared_actions.documents.models import Document


class CampaignTheme(models.TextChoices):
    FLU = "vaccination_grippe", _("Vaccination antigrippale")
    COLORECTAL = "depistage_colorectal", _("Dépistage du cancer colorectal")
    PINK_OCTOBER = "octobre_rose", _("Octobre rose")
    NO_TOBACCO = "mois_sans_tabac", _("Mois sans tabac")
    HEATWAVE = "vague_de_chaleur", _("Vague de chaleur")
    OTHER = "autre", _("Autre")


class Campaign(models.Model):
    """A prevention campaign planned at département level by the federation."""

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField(_("titre"), max_length=200)
    theme = models.CharField(_("thème"), max_length=30, choices=CampaignTheme.choices)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    lead_cpts = models.ForeignKey(Cpts, on_delete=models.PROTECT, related_name="led_campaigns")
    participants = models.ManyToManyField(
        Cpts, related_name="campaigns", verbose_name=_("CPTS participantes")
    )
    target_population = models.CharField(_("population cible"), max_length=300, blank=True)
    objectives = models.TextField(_("objectifs"), blank=True)
    materials = models.ManyToManyField(Document, blank=True, related_name="campaigns")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("campagne de prévention")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="campaign_dates")
        ]

    def __str__(self) -> str:
        return self.title


class CampaignAction(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("intitulé"), max_length=200)
    date = models.DateField(_("date"))
    commune = models.ForeignKey(Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    cpts = models.ForeignKey(Cpts, on_delete=models.PROTECT, related_name="campaign_actions")
    person_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resources = models.TextField(_("moyens nécessaires"), blank=True)

    class Meta:
        ordering = ["date", "title"]
        verbose_name = _("action de campagne")

    def __str__(self) -> str:
        return self.title


class ActionTask(models.Model):
    """An item of the action's shared checklist."""

    action = models.ForeignKey(CampaignAction, on_delete=models.CASCADE, related_name="tasks")
    label = models.CharField(_("tâche"), max_length=200)
    done = models.BooleanField(_("faite"), default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tâche")

    def __str__(self) -> str:
        return self.label


class Indicator(models.Model):
    """A campaign indicator. Values are cumulative counts reported per CPTS over time; the latest
    value of each CPTS counts. `target` is the département target; `target_per_cpts` (optional)
    the target of each participating CPTS (default: the target shared equally)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("nom"), max_length=200)
    unit = models.CharField(_("unité"), max_length=50, blank=True)
    target = models.DecimalField(_("cible"), max_digits=12, decimal_places=2)
    target_per_cpts = models.DecimalField(
        _("cible par CPTS"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("indicateur")

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("valeur"), max_digits=12, decimal_places=2)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("valeur d'indicateur")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "cpts", "date"], name="one_value_per_cpts_and_date")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.cpts_id} {self.date}: {self.value}"
