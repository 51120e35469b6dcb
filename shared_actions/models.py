"""Pooled resources of a federation: shared documents, SNP rosters, prevention campaigns, meetings.

Row-level tenancy: every row hangs off a `Cpts` or a `Federation` (directly or through its parent).
No health data is stored here (DOMAIN.md, patient data).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.models import Commune, Cpts, Federation


def new_token() -> str:
    return secrets.token_urlsafe(32)


# --- shared documents -----------------------------------------------------------------------------
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


# --- SNP rosters ----------------------------------------------------------------------------------
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


# --- prevention campaigns -------------------------------------------------------------------------
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


# --- meetings -------------------------------------------------------------------------------------
class Meeting(models.Model):
    """A meeting of a CPTS (`cpts` set) or of the federation (working group, campaign, training)."""

    class Kind(models.TextChoices):
        CPTS = "cpts", _("Réunion de CPTS")
        WORKING_GROUP = "working_group", _("Groupe de travail")
        CAMPAIGN = "campaign", _("Réunion de campagne")
        TRAINING = "training", _("Formation")
        OTHER = "other", _("Autre")

    # "shared_meetings": the federation's `meetings` are its bodies' meetings (federation.governance).
    federation = models.ForeignKey(
        Federation, on_delete=models.CASCADE, null=True, blank=True, related_name="shared_meetings"
    )
    cpts = models.ForeignKey(
        Cpts, on_delete=models.CASCADE, null=True, blank=True, related_name="shared_meetings"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.CPTS)
    title = models.CharField(_("titre"), max_length=200)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    video_url = models.URLField(_("lien de visioconférence"), blank=True)
    agenda = models.TextField(_("ordre du jour"), blank=True)
    minutes = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings_minutes"
    )
    uid = models.CharField(max_length=64, unique=True, default=new_token)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("réunion")
        constraints = [
            models.CheckConstraint(
                condition=Q(cpts__isnull=False) | Q(federation__isnull=False), name="meeting_has_owner"
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="meeting_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    class Reply(models.TextChoices):
        PENDING = "pending", _("Sans réponse")
        YES = "yes", _("Présent·e")
        NO = "no", _("Absent·e")
        MAYBE = "maybe", _("Peut-être")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    reply = models.CharField(_("réponse"), max_length=10, choices=Reply.choices, default=Reply.PENDING)
    replied_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("présent·e (émargement)"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__display_name", "user__email"]
        verbose_name = _("invitation")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_invitation_per_user")]

    def __str__(self) -> str:
        return f"{self.user} — {self.meeting}"
