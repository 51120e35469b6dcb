"""Meetings of a CPTS or of the federation (working groups, campaigns, trainings) and invitations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.models import Cpts, Federation
from shared_actions.campaigns.models import Campaign
from shared_actions.common import new_token
from shared_actions.documents.models import Document


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
