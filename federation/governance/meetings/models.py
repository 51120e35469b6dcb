"""Meetings of the bodies (AGO, AGE, bureau): agenda, attendance sheet, proxies."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.governance.bureau.models import BureauMandate
from federation.governance.statutes.models import Body
from federation.models import Federation, FederationMember


class Meeting(models.Model):
    """A meeting of a body of the association: AGO, AGE or bureau."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        CONVENED = "convened", _("Convoquée")
        OPEN = "open", _("En séance")
        CLOSED = "closed", _("Clôturée")

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="meetings")
    body = models.CharField(_("instance"), max_length=8, choices=Body.choices)
    title = models.CharField(_("titre"), max_length=200)
    starts_at = models.DateTimeField(_("date et heure"))
    location = models.CharField(_("lieu"), max_length=300, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    convened_at = models.DateTimeField(_("convoquée le"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_meeting = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_meetings",
        verbose_name=_("première séance (quorum non atteint)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("séance")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["federation", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_second_meeting(self) -> bool:
        return self.first_meeting_id is not None

    @property
    def is_general_assembly(self) -> bool:
        return self.body in (Body.AGO, Body.AGE)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("rang"))
    title = models.CharField(_("point"), max_length=300)
    description = models.TextField(_("présentation"), blank=True)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Présent")
    REPRESENTED = "represented", _("Représenté (pouvoir)")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excusé")


class Attendance(models.Model):
    """The attendance sheet: one row per member of the assembly (CPTS or partner), or per bureau seat
    for a bureau meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        FederationMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mandate = models.ForeignKey(
        BureauMandate, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("présence"), max_length=12, choices=AttendanceStatus.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("émargement")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, mandate__isnull=True)
                | Q(member__isnull=True, mandate__isnull=False),
                name="attendance_member_or_mandate",
            ),
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(member__isnull=False),
                name="attendance_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["meeting", "mandate"],
                condition=Q(mandate__isnull=False),
                name="attendance_once_per_mandate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.member_id or self.mandate_id} {self.status}"


class Proxy(models.Model):
    """A member CPTS that cannot attend gives its vote to the delegate of another member CPTS."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proxies")
    giver = models.ForeignKey(FederationMember, on_delete=models.CASCADE, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    holder_member = models.ForeignKey(FederationMember, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pouvoir")
        verbose_name_plural = _("pouvoirs")
        constraints = [models.UniqueConstraint(fields=["meeting", "giver"], name="one_proxy_per_giver")]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"


class ConvocationDelivery(models.Model):
    """One convocation e-mail to one recipient, written when the meeting is convened.

    The sending task claims a row (pending → sending, in its own committed transaction) before sending
    and confirms it after (sending → sent): a worker killed mid-run and the task redelivered send to
    nobody twice. A row left "sending" is an uncertain delivery (the worker died between its claim and
    its confirmation), shown to the coordinators rather than sent again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENDING = "sending", _("Envoi en cours ou incertain")
        SENT = "sent", _("Envoyée")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="convocations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    email = models.EmailField()
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("envoi de convocation")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="one_convocation_per_address")
        ]
        indexes = [models.Index(fields=["meeting", "status"])]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.email} ({self.status})"


def meeting_document_path(instance: "MeetingDocument", filename: str) -> str:
    return f"governance/{instance.meeting.federation_id}/meetings/{instance.meeting_id}/{filename}"


class MeetingDocument(models.Model):
    """A document of the AGO's pack (budget, annual accounts, activity and financial report), made
    available to the members before the assembly (model statutes: « pendant les quinze jours précédant
    la date de l'Assemblée Générale Ordinaire »). One per kind: a new upload replaces the old one."""

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget prévisionnel")
        ACCOUNTS = "accounts", _("Comptes annuels")
        REPORT = "report", _("Rapport d'activité et rapport financier")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("pièce"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("fichier"), upload_to=meeting_document_path, max_length=255)
    name = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveIntegerField(_("taille"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pièce du dossier de l'AG")
        verbose_name_plural = _("pièces du dossier de l'AG")
        constraints = [models.UniqueConstraint(fields=["meeting", "kind"], name="meeting_document_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.get_kind_display()}"
