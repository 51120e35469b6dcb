"""Governance of an inter-CPTS federation. The models live in their sub-domain packages (statutes,
membership, bureau, meetings, polls: one Django app, one migration history); this module gathers them
for the app registry and the code that imports `federation.governance.models`, and holds the
hash-chained audit log.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.governance.bureau.models import (
    REQUIRED_BUREAU_ROLES,
    BureauMandate,
    BureauRole,
    PartnerAdmission,
    PartnerAdmissionAnswer,
)
from federation.governance.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ConvocationDelivery,
    Meeting,
    MeetingDocument,
    Proxy,
)
from federation.governance.membership.models import Delegate, Fee, MemberProceeding
from federation.governance.polls.models import (
    Ballot,
    Candidate,
    CountedBallot,
    Participation,
    PartnerOpinion,
    Poll,
    SealedBallot,
)
from federation.governance.statutes.models import (
    QUORUM_CHOICES,
    Body,
    DecisionKind,
    MajorityRule,
    StatutesSettings,
    TieRule,
)
from federation.models import Federation

__all__ = [
    "QUORUM_CHOICES",
    "REQUIRED_BUREAU_ROLES",
    "AgendaItem",
    "Attendance",
    "AttendanceStatus",
    "AuditEntry",
    "AuditHead",
    "Ballot",
    "Body",
    "BureauMandate",
    "BureauRole",
    "Candidate",
    "ConvocationDelivery",
    "CountedBallot",
    "DecisionKind",
    "Delegate",
    "Fee",
    "MajorityRule",
    "Meeting",
    "MeetingDocument",
    "PartnerAdmission",
    "PartnerAdmissionAnswer",
    "MemberProceeding",
    "Participation",
    "PartnerOpinion",
    "Poll",
    "Proxy",
    "SealedBallot",
    "StatutesSettings",
    "TieRule",
]


class AuditHead(models.Model):
    """The last link of a federation's audit chain; locked while appending so the chain never forks."""

    federation = models.OneToOneField(
        Federation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.federation_id}#{self.last_seq}"


class AuditEntry(models.Model):
    """One governance event, chained: `hash = sha256(prev_hash + canonical content)`."""

    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    event = models.CharField(max_length=40)
    actor_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["federation_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["federation", "seq"], name="audit_seq_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event}"
