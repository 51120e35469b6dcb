"""The members' register of a CPTS: who joined the association expressly, when, in which category.

Seed 000: participation "sur la base du volontariat"; seed 003: members are "professionnels de santé ou
structures ayant expressément adhéré à la communauté". Practising on the territory makes no one a member.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Professional, Structure
from federation.models import Cpts

# Categories the model statutes define (seed 000, "6. Composition": fondateurs, actifs, d'honneur;
# "bienfaiteurs" in the association guide). Each CPTS keeps its own list; these are the defaults.
DEFAULT_CATEGORIES = (
    ("founding", _("Membre fondateur"), True),
    ("active", _("Membre actif"), True),
    ("honorary", _("Membre d'honneur"), False),
    ("benefactor", _("Membre bienfaiteur"), False),
)


class MemberCategory(models.Model):
    """A category of members the CPTS's statutes define."""

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="member_categories")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("libellé"), max_length=100)
    votes = models.BooleanField(_("voix délibérative"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "label"]
        verbose_name = _("catégorie de membres")
        verbose_name_plural = _("catégories de membres")
        constraints = [models.UniqueConstraint(fields=["cpts", "code"], name="member_category_code_per_cpts")]

    def __str__(self) -> str:
        return self.label


class MemberStatus(models.TextChoices):
    REQUESTED = "requested", _("Demande en attente")
    AWAITING_CONSENT = "awaiting_consent", _("En attente du consentement")
    ACTIVE = "active", _("Membre")
    RESIGNED = "resigned", _("Démissionnaire")
    EXCLUDED = "excluded", _("Exclu·e")
    DECLINED = "declined", _("Adhésion non aboutie")


# A person has at most one open line (pending or active) per CPTS; ended lines stay as history.
OPEN_STATUSES = (MemberStatus.REQUESTED, MemberStatus.AWAITING_CONSENT, MemberStatus.ACTIVE)


class RegisterMember(models.Model):
    """One adhesion of a professional or a structure to a CPTS, from its request to its end."""

    class Origin(models.TextChoices):
        REQUEST = "request", _("Demande d'adhésion acceptée par la CPTS")
        ADDED = "added", _("Ajout par la coordination avec consentement")

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="register_members")
    professional = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="cpts_adhesions"
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, null=True, blank=True, related_name="cpts_adhesions"
    )
    # The legal representative who signs for a structure (seed 001: "représentant légal pour les structures").
    representative = models.CharField(_("représentant·e légal·e"), max_length=200, blank=True)
    category = models.ForeignKey(
        MemberCategory, on_delete=models.PROTECT, related_name="members", verbose_name=_("catégorie")
    )
    status = models.CharField(_("statut"), max_length=20, choices=MemberStatus.choices)
    origin = models.CharField(_("origine"), max_length=10, choices=Origin.choices)
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    consented_at = models.DateTimeField(_("consentement le"), null=True, blank=True)
    consent_evidence = models.CharField(_("preuve du consentement"), max_length=300, blank=True)
    joined_on = models.DateField(_("adhésion le"), null=True, blank=True)
    left_on = models.DateField(_("fin le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cpts", "status", "id"]
        verbose_name = _("adhérent·e")
        verbose_name_plural = _("registre des adhérents")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(professional__isnull=False, structure__isnull=True)
                    | Q(professional__isnull=True, structure__isnull=False)
                ),
                name="register_member_one_kind",
            ),
            models.UniqueConstraint(
                fields=["cpts", "professional"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="register_one_open_line_per_professional",
            ),
            models.UniqueConstraint(
                fields=["cpts", "structure"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="register_one_open_line_per_structure",
            ),
            # An active member joined on a date, and only through consent (request or agreement).
            models.CheckConstraint(
                condition=~Q(status="active") | Q(joined_on__isnull=False, consented_at__isnull=False),
                name="register_active_has_date_and_consent",
            ),
        ]
        indexes = [models.Index(fields=["cpts", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.professional_id:
            return self.professional.full_name
        return str(self.structure)

    @property
    def kind(self) -> str:
        return "professional" if self.professional_id else "structure"

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE


class RegisterEvent(models.Model):
    """The register's history: every change of a line, who made it and when."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Demande d'adhésion")
        ADDED = "added", _("Ajout par la coordination")
        CONSENTED = "consented", _("Consentement donné")
        ACCEPTED = "accepted", _("Demande acceptée")
        DECLINED = "declined", _("Refus")
        CATEGORY = "category", _("Changement de catégorie")
        RESIGNED = "resigned", _("Démission")
        EXCLUDED = "excluded", _("Exclusion")

    member = models.ForeignKey(RegisterMember, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("événement"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    detail = models.CharField(_("détail"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("événement du registre")

    def __str__(self) -> str:
        return f"{self.member} — {self.get_kind_display()}"


class ExclusionDecision(models.Model):
    """An exclusion is only ever the effect of a recorded decision (seed 000, statutes 6.4: "L'exclusion
    prononcée par le Président de l'Association pour motifs graves. L'intéressé devra préalablement avoir
    été invité à faire valoir ses moyens de défense")."""

    class Body(models.TextChoices):
        PRESIDENT = "president", _("Président·e de l'association")
        BUREAU = "bureau", _("Bureau")
        BOARD = "board", _("Conseil d'administration")
        GENERAL_ASSEMBLY = "general_assembly", _("Assemblée générale")

    member = models.OneToOneField(RegisterMember, on_delete=models.CASCADE, related_name="exclusion")
    decided_on = models.DateField(_("date de la décision"))
    body = models.CharField(_("instance"), max_length=20, choices=Body.choices)
    reason = models.TextField(_("motif"), max_length=2000)
    defence_invited_on = models.DateField(_("invité·e à présenter sa défense le"))
    reference = models.CharField(_("référence (procès-verbal…)"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("décision d'exclusion")

    def __str__(self) -> str:
        return f"{self.member} — {self.decided_on}"
