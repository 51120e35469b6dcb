"""Fiches action (seed 001, "Modèle de fiche projet") and the federation's library of published fiches."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models import Cpts


class Mission(models.IntegerChoices):
    """The ACI missions (avenant 2, 2021): four core, two optional (DOMAIN.md)."""

    ACCESS = 1, _("1. Accès aux soins (médecin traitant, soins non programmés)")
    PATHWAYS = 2, _("2. Parcours pluriprofessionnels")
    PREVENTION = 3, _("3. Prévention")
    CRISIS = 4, _("4. Crises sanitaires")
    QUALITY = 5, _("5. Qualité et pertinence des soins")
    SUPPORT = 6, _("6. Accompagnement des professionnels")


class FicheStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    VALIDATED = "validated", _("Validée")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    ABANDONED = "abandoned", _("Abandonnée")


class FicheAction(models.Model):
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="fiches_action")
    title = models.CharField(_("libellé de l'action"), max_length=200)
    mission = models.PositiveSmallIntegerField(_("mission"), choices=Mission.choices)
    # Seed 001's fields, in the model's order.
    problem = models.TextField(_("problématique"), max_length=5000)
    objectives = models.TextField(_("objectif général et objectifs spécifiques"), max_length=5000)
    actions = models.TextField(_("actions à mettre en œuvre"), max_length=5000, blank=True)
    actors = models.TextField(_("acteurs impliqués et partenaires"), max_length=3000, blank=True)
    action_lead = models.CharField(_("coordinateur·rice de l'action"), max_length=200)
    calendar = models.TextField(_("calendrier"), max_length=3000, blank=True)
    starts_on = models.DateField(_("début"), null=True, blank=True)
    ends_on = models.DateField(_("fin prévue"), null=True, blank=True)
    evaluation_criteria = models.TextField(_("critères d'évaluation"), max_length=3000)
    resources = models.TextField(_("moyens nécessaires"), max_length=3000, blank=True)
    # The contract year's indicators this fiche serves (missions.Indicator, same CPTS and mission).
    indicators = models.ManyToManyField(
        "missions.Indicator", blank=True, related_name="fiches_action", verbose_name=_("indicateurs ACI")
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=FicheStatus.choices, default=FicheStatus.DRAFT
    )
    # The federation library: a published fiche is readable by the CPTS of the same federation.
    published_at = models.DateTimeField(_("publiée dans la bibliothèque le"), null=True, blank=True)
    # A copy remembers where it came from, even if the original is later withdrawn or deleted.
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    origin_cpts_name = models.CharField(_("CPTS d'origine"), max_length=200, blank=True)
    origin_title = models.CharField(_("fiche d'origine"), max_length=200, blank=True)
    copied_at = models.DateTimeField(_("copiée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["mission", "title", "id"]
        verbose_name = _("fiche action")
        verbose_name_plural = _("fiches action")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="fiche_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
