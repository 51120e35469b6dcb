"""Shared documents: versioned files owned by a CPTS or a federation, with their visibility and access
log. No health data (DOMAIN.md, patient data)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.models import Cpts, Federation


class DocumentCategory(models.TextChoices):
    STATUTES = "statuts", _("Statuts")
    RULES = "reglement_interieur", _("Règlement intérieur")
    MINUTES = "proces_verbal", _("Procès-verbal")
    HEALTH_PROJECT = "projet_de_sante", _("Projet de santé")
    ACTION_SHEET = "fiche_action", _("Fiche action")
    PROTOCOL = "protocole", _("Protocole")
    REPORT = "compte_rendu", _("Compte rendu")
    CAMPAIGN_MATERIAL = "support_campagne", _("Support de campagne")
    TEMPLATE = "modele", _("Modèle")
    ATTACHMENT = "piece_jointe", _("Pièce jointe (messagerie)")


class Visibility(models.TextChoices):
    OWNER = "owner", _("Structure propriétaire uniquement")
    FEDERATION = "federation", _("Toute la fédération (CPTS membres)")
    SELECTED = "selected", _("CPTS sélectionnées")
    PARTNERS = "partners", _("Fédération et partenaires")
    # Only the people listed (and the person who shared it): e.g. the members of a conversation
    # for a messaging attachment. The owning CPTS as a whole does not see it.
    PEOPLE = "people", _("Personnes désignées")


class Document(models.Model):
    """A shared document, owned by a CPTS (`cpts` set) or by a federation (`cpts` empty).

    `federation` is the federation the document is shared in (the owning CPTS's federation when it
    was created); it scopes the "federation" and "partners" visibilities.
    """

    federation = models.ForeignKey(
        Federation, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("catégorie"), max_length=30, choices=DocumentCategory.choices)
    visibility = models.CharField(
        _("visibilité"), max_length=20, choices=Visibility.choices, default=Visibility.OWNER
    )
    shared_with = models.ManyToManyField(
        Cpts, blank=True, related_name="documents_shared_with_me", verbose_name=_("CPTS destinataires")
    )
    shared_with_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="documents_shared_with_me",
        verbose_name=_("destinataires"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("document partagé")
        verbose_name_plural = _("documents partagés")
        constraints = [
            models.CheckConstraint(
                condition=Q(cpts__isnull=False) | Q(federation__isnull=False), name="document_has_owner"
            )
        ]
        indexes = [models.Index(fields=["category"])]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        return str(self.cpts or self.federation)


class DocumentVersion(models.Model):
    """One upload of a document. Older versions stay downloadable."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("fichier"), max_length=255)
    original_name = models.CharField(_("nom d'origine"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(max_length=64)
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("version de document")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="one_number_per_version")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class DocumentDownload(models.Model):
    """Access log: who downloaded which version, when."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]
        verbose_name = _("téléchargement")

    def __str__(self) -> str:
        return f"{self.user} — {self.version}"
