"""Reads of meetings: the shared agenda and document library (other apps), attendance, quorum."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from federation.governance.bureau.selectors import active_mandates
from federation.governance.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ConvocationDelivery,
    Meeting,
    MeetingDocument,
    Proxy,
)
from federation.governance.membership.selectors import (
    active_delegates,
    active_members,
    college_members,
    member_label,
)
from federation.governance.rules import Quorum, quorum
from federation.governance.statutes.models import Body
from federation.governance.statutes.selectors import statutes_of
from federation.models import College, Federation, FederationRole, User


# --- for other apps -----------------------------------------------------------------------------------
def body_meetings(
    federation: Federation, start: datetime | None = None, end: datetime | None = None
) -> QuerySet:
    """Meetings of the bodies (AGO, AGE, bureau) of `federation` between `start` and `end`, for the
    shared agenda: each has `title`, `body` (+ `get_body_display()`), `starts_at`, `location`,
    `status`, `pk`. Ordered by date."""
    meetings = Meeting.objects.filter(federation=federation).exclude(status=Meeting.Status.DRAFT)
    if start is not None:
        meetings = meetings.filter(starts_at__gte=start)
    if end is not None:
        meetings = meetings.filter(starts_at__lt=end)
    return meetings.order_by("starts_at")


@dataclass(frozen=True)
class MinutesRef:
    """A procès-verbal of a closed meeting, for the document library (`url` serves the PDF)."""

    meeting_id: int
    title: str
    body: str
    held_on: datetime
    url: str


def minutes_for_federation(federation: Federation) -> list[MinutesRef]:
    """The minutes (procès-verbaux) of every closed meeting of `federation`, newest first. The PDF is
    generated on request from the recorded data (it never changes once the meeting is closed)."""
    return [
        MinutesRef(
            meeting_id=m.pk,
            title=m.title,
            body=m.body,
            held_on=m.starts_at,
            url=reverse(
                "governance-minutes", kwargs={"federation_slug": federation.slug, "meeting_id": m.pk}
            ),
        )
        for m in Meeting.objects.filter(federation=federation, status=Meeting.Status.CLOSED).order_by(
            "-starts_at"
        )
    ]


# --- meetings -----------------------------------------------------------------------------------------
def meetings(federation: Federation) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(federation=federation)
        .annotate(poll_count=Count("polls"))
        .order_by("-starts_at")
    )


def upcoming_meetings(federation: Federation) -> QuerySet[Meeting]:
    return (
        meetings(federation).filter(starts_at__gte=timezone.now() - timedelta(hours=12)).order_by("starts_at")
    )


def agenda(meeting: Meeting) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(meeting=meeting).order_by("position")


def agenda_item_of(meeting: Meeting | None, item_id) -> AgendaItem | None:
    if meeting is None or not item_id:
        return None
    return AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()


def meeting_detail(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.filter(pk=meeting.pk)
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position")),
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related(
                    "member__cpts", "member__partner", "mandate__user", "signed_by"
                ),
            ),
            Prefetch(
                "proxies",
                queryset=Proxy.objects.select_related("giver__cpts", "holder", "holder_member__cpts"),
            ),
        )
        .get()
    )


def proxy_of(meeting: Meeting, proxy_id) -> Proxy | None:
    try:
        proxy_id = int(proxy_id)
    except (TypeError, ValueError):
        return None
    return (
        Proxy.objects.filter(meeting=meeting, pk=proxy_id)
        .select_related("meeting__federation", "giver__partner", "holder")
        .first()
    )


def deciding_members_count(federation: Federation, body: str) -> int:
    if body == Body.BUREAU:
        return active_mandates(federation).count()
    return college_members(federation, College.CPTS).count()


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    """Present / represented counts of the deciding members (CPTS college, or bureau seats)."""
    rows = Attendance.objects.filter(meeting=meeting)
    if meeting.body == Body.BUREAU:
        rows = rows.filter(mandate__isnull=False)
    else:
        rows = rows.filter(member__college=College.CPTS, member__left_on__isnull=True)
    counts = {row["status"]: row["n"] for row in rows.values("status").annotate(n=Count("id"))}
    return {
        "present": counts.get(AttendanceStatus.PRESENT, 0),
        "represented": counts.get(AttendanceStatus.REPRESENTED, 0),
        "partners_present": Attendance.objects.filter(
            meeting=meeting, member__college=College.PARTNERS, status=AttendanceStatus.PRESENT
        ).count(),
    }


def meeting_quorum(meeting: Meeting) -> Quorum:
    """The live quorum of a meeting, from its attendance sheet (proxies count as represented)."""
    counts = attendance_counts(meeting)
    return quorum(
        statutes_of(meeting.federation).as_rules(),
        body=meeting.body,
        members=deciding_members_count(meeting.federation, meeting.body),
        present=counts["present"],
        represented=counts["represented"],
        second_meeting=meeting.is_second_meeting,
    )


def attendance_sheet(meeting: Meeting) -> list[dict]:
    """Every member of the body with its attendance status (absent when not signed in)."""
    rows = {(a.member_id, a.mandate_id): a for a in Attendance.objects.filter(meeting=meeting)}
    proxies = {p.giver_id: p for p in Proxy.objects.filter(meeting=meeting).select_related("holder")}
    sheet = []
    if meeting.body == Body.BUREAU:
        for mandate in active_mandates(meeting.federation):
            row = rows.get((None, mandate.pk))
            sheet.append(
                {
                    "member_id": None,
                    "mandate_id": mandate.pk,
                    "label": f"{mandate.user} ({mandate.get_role_display()})",
                    "college": "bureau",
                    "status": row.status if row else AttendanceStatus.ABSENT,
                    "proxy_holder": "",
                    "proxy_id": None,
                }
            )
        return sheet
    for member in active_members(meeting.federation):
        row = rows.get((member.pk, None))
        proxy = proxies.get(member.pk)
        sheet.append(
            {
                "member_id": member.pk,
                "mandate_id": None,
                "label": member_label(member),
                "college": member.college,
                "status": row.status if row else AttendanceStatus.ABSENT,
                "proxy_holder": str(proxy.holder) if proxy else "",
                "proxy_id": proxy.pk if proxy else None,
            }
        )
    return sheet


# --- convocations -------------------------------------------------------------------------------------
def convocation_recipients(meeting: Meeting) -> list[User]:
    """Delegates of every member (CPTS titulars and substitutes, partner delegates), or the bureau; one
    entry per e-mail address, sorted by address."""
    if meeting.body == Body.BUREAU:
        users = [m.user for m in active_mandates(meeting.federation)]
    else:
        users = [d.user for d in active_delegates(meeting.federation)]
        users += list(
            User.objects.filter(
                federation_roles__federation=meeting.federation,
                federation_roles__role=FederationRole.Role.PARTNER_DELEGATE,
            )
        )
    by_email = {}
    for user in users:
        by_email.setdefault(user.email, user)
    return [by_email[email] for email in sorted(by_email)]


def convocation_status(meeting: Meeting) -> dict[str, int]:
    """How many convocations are waiting, sent, or uncertain (claimed by a worker that never confirmed
    the sending: it died mid-send, so whether the e-mail left is unknown)."""
    counts = {
        row["status"]: row["n"]
        for row in ConvocationDelivery.objects.filter(meeting=meeting)
        .values("status")
        .annotate(n=Count("id"))
    }
    return {
        "pending": counts.get(ConvocationDelivery.Status.PENDING, 0),
        "sent": counts.get(ConvocationDelivery.Status.SENT, 0),
        "uncertain": counts.get(ConvocationDelivery.Status.SENDING, 0),
    }


# --- the AGO's pack -----------------------------------------------------------------------------------
# Model statutes: « Les comptes annuels sont tenus à la disposition de tous les membres, avec le rapport
# de gestion, le rapport financier [...] pendant les quinze jours précédant la date de l'Assemblée
# Générale Ordinaire ».
PACK_DAYS_AHEAD = 15


def needs_pack(meeting: Meeting) -> bool:
    return meeting.body == Body.AGO


def pack_documents(meeting: Meeting) -> list[MeetingDocument]:
    """The pack's documents in the order of the kinds (budget, accounts, report)."""
    order = {kind: i for i, kind in enumerate(MeetingDocument.Kind.values)}
    return sorted(meeting.documents.all(), key=lambda d: order[d.kind])


def pack_document_of(meeting: Meeting, document_id) -> MeetingDocument | None:
    try:
        return meeting.documents.filter(pk=int(document_id)).first()
    except (TypeError, ValueError):
        return None


def pack_missing(meeting: Meeting, documents: list[MeetingDocument] | None = None) -> list[str]:
    """The kinds still missing from an AGO's pack (empty for other bodies)."""
    if not needs_pack(meeting):
        return []
    present = {d.kind for d in (documents if documents is not None else pack_documents(meeting))}
    return [kind for kind in MeetingDocument.Kind.values if kind not in present]


def pack_available_on(meeting: Meeting) -> datetime:
    """The day from which the pack must be at the members' disposal: 15 days before the AGO."""
    return timezone.localtime(meeting.starts_at) - timedelta(days=PACK_DAYS_AHEAD)


def pack_document_url(meeting: Meeting, document: MeetingDocument) -> str:
    return reverse(
        "governance-meeting-document",
        kwargs={
            "federation_slug": meeting.federation.slug,
            "meeting_id": meeting.pk,
            "document_id": document.pk,
        },
    )


def pack_summary(meeting: Meeting) -> dict:
    """The pack as the page and the API show it: documents (with their download URL), missing kinds,
    the date from which it must be available (None for meetings without a pack)."""
    documents = pack_documents(meeting)
    return {
        "documents": documents,
        "urls": {d.pk: pack_document_url(meeting, d) for d in documents},
        "missing": pack_missing(meeting, documents),
        "available_on": pack_available_on(meeting).date() if needs_pack(meeting) else None,
    }
