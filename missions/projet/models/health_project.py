"""The projet de santé as structured content, versioned, acknowledged by the members online.

Seed 001: "Le projet de santé prend la forme d'un document rédigé, signé de l'ensemble des acteurs"; here each
member acknowledges a published version (who, when), which replaces collecting signatures.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models import Cpts
from missions.projet.models.fiches import Mission
from missions.projet.models.register import RegisterMember


class HealthProject(models.Model):
    class Status(models.TextChoices):
        DRAFTING = "drafting", _("En rédaction")
        READY = "ready", _("Prêt à transmettre à l'ARS")
        SUBMITTED = "submitted", _("Transmis à l'ARS")
        VALIDATED = "validated", _("Validé par l'ARS")

    cpts = models.OneToOneField(Cpts, on_delete=models.CASCADE, related_name="health_project")
    title = models.CharField(_("titre"), max_length=200)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFTING)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("projet de santé")
        verbose_name_plural = _("projets de santé")

    def __str__(self) -> str:
        return self.title


# The sections in the order the ARS reads them (seed 001: "Le cadre de la CPTS", "Les projets mis en place",
# "Les membres"; the projet describes needs, actions, actors, coordination and evaluation).
SECTIONS = (
    ("diagnosis", _("Diagnostic territorial")),
    ("needs", _("Besoins identifiés")),
    ("priorities", _("Priorités")),
    ("coordination", _("Organisation et gouvernance")),
    ("actors", _("Acteurs et partenaires")),
    ("evaluation", _("Modalités d'évaluation")),
)


class ProjectVersion(models.Model):
    """One version of the projet: a draft while `published_at` is empty, frozen once published."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Version initiale")
        REVISION = "revision", _("Révision")
        AMENDMENT = "amendment", _("Avenant")

    project = models.ForeignKey(HealthProject, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("numéro"))
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.INITIAL)
    dated = models.DateField(_("date de la version"), null=True, blank=True)
    changes = models.TextField(_("ce qui change"), max_length=3000, blank=True)
    diagnosis = models.TextField(_("diagnostic territorial"), max_length=20000, blank=True)
    needs = models.TextField(_("besoins identifiés"), max_length=20000, blank=True)
    priorities = models.TextField(_("priorités"), max_length=20000, blank=True)
    missions = models.JSONField(_("missions retenues"), default=list, blank=True)
    coordination = models.TextField(_("organisation et gouvernance"), max_length=20000, blank=True)
    actors = models.TextField(_("acteurs et partenaires"), max_length=20000, blank=True)
    evaluation = models.TextField(_("modalités d'évaluation"), max_length=20000, blank=True)
    # Frozen at publication: the figures and fiches the version was published with.
    snapshot = models.JSONField(default=dict, blank=True, editable=False)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "-number"]
        verbose_name = _("version du projet de santé")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="project_version_number"),
            models.UniqueConstraint(
                fields=["project"], condition=models.Q(published_at__isnull=True), name="project_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def mission_labels(self) -> list[str]:
        return [str(Mission(m).label) for m in self.missions if m in Mission.values]


class Acknowledgement(models.Model):
    """A member's acknowledgement of a published version (who, when): online for a professional, recorded
    by the coordination with its evidence for a structure."""

    version = models.ForeignKey(ProjectVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    member = models.ForeignKey(RegisterMember, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("le"), auto_now_add=True)
    # A structure signs through its legal representative (seed 001): the coordination records that
    # acknowledgement with its evidence; `user` is then the coordinator who recorded it.
    evidence = models.CharField(_("preuve (signature du représentant légal…)"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("prise de connaissance")
        constraints = [models.UniqueConstraint(fields=["version", "member"], name="one_ack_per_member")]

    def __str__(self) -> str:
        return f"{self.member} — {self.version}"
