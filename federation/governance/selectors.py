"""Reads of governance. Other apps (shared agenda, document library) read meetings and minutes ONLY
through `body_meetings` and `minutes_for_federation` here."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from federation.governance.access import active_mandates
from federation.governance.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    AuditEntry,
    Ballot,
    Body,
    BureauMandate,
    Candidate,
    Delegate,
    Fee,
    Meeting,
    Participation,
    PartnerOpinion,
    Poll,
    Proxy,
    StatutesSettings,
)
from federation.governance.rules import Quorum, quorum
from federation.models import College, Federation, FederationMember, FederationRole, User


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
    from django.urls import reverse

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


# --- statutes, members, bureau ----------------------------------------------------------------------
def statutes_of(federation: Federation) -> StatutesSettings:
    """The federation's statutes settings (an unsaved default instance when none were adopted yet)."""
    return StatutesSettings.objects.filter(federation=federation).first() or StatutesSettings(
        federation=federation
    )


def college_members(federation: Federation, college: str) -> QuerySet[FederationMember]:
    return (
        FederationMember.objects.filter(federation=federation, college=college, left_on__isnull=True)
        .select_related("cpts", "partner")
        .order_by("cpts__name", "partner__name")
    )


def active_delegates(federation: Federation) -> QuerySet[Delegate]:
    return (
        Delegate.objects.filter(federation=federation, until__isnull=True, member__left_on__isnull=True)
        .select_related("user", "member__cpts")
        .order_by("member__cpts__name", "kind")
    )


def bureau(federation: Federation) -> QuerySet[BureauMandate]:
    order = ["president", "vice_president", "treasurer", "secretary", "deputy_treasurer", "deputy_secretary"]
    mandates = list(active_mandates(federation))
    return sorted(mandates, key=lambda m: (order.index(m.role), m.pk))


def president(federation: Federation) -> BureauMandate | None:
    return active_mandates(federation).filter(role="president").first()


def fees(federation: Federation) -> QuerySet[Fee]:
    return Fee.objects.filter(federation=federation).select_related("member__cpts", "member__partner")


def member_label(member: FederationMember | None) -> str:
    if member is None:
        return ""
    return str(member.cpts or member.partner)


# --- meetings -----------------------------------------------------------------------------------------
def meetings(federation: Federation) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(federation=federation)
        .annotate(poll_count=Count("polls"))
        .order_by("-starts_at")
    )


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
            Prefetch("polls", queryset=Poll.objects.order_by("created_at", "id")),
        )
        .get()
    )


def deciding_members_count(meeting_or_poll_federation: Federation, body: str) -> int:
    if body == Body.BUREAU:
        return active_mandates(meeting_or_poll_federation).count()
    return college_members(meeting_or_poll_federation, College.CPTS).count()


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
    for member in (
        FederationMember.objects.filter(federation=meeting.federation, left_on__isnull=True)
        .select_related("cpts", "partner")
        .order_by("college", "cpts__name", "partner__name")
    ):
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


# --- polls --------------------------------------------------------------------------------------------
def polls(federation: Federation) -> QuerySet[Poll]:
    return Poll.objects.filter(federation=federation).select_related("meeting").order_by("-created_at", "-id")


def open_polls(federation: Federation) -> QuerySet[Poll]:
    return polls(federation).filter(status=Poll.Status.OPEN)


def poll_candidates(poll: Poll) -> QuerySet[Candidate]:
    return Candidate.objects.filter(poll=poll).select_related("member__cpts").order_by("label")


def participation_counts(poll: Poll) -> dict[str, int]:
    """Who has voted, counted per college (never per choice)."""
    counts = {
        row["college"]: row["n"]
        for row in Participation.objects.filter(poll=poll).values("college").annotate(n=Count("id"))
    }
    if poll.body == Body.BUREAU:
        return {
            "bureau": counts.get(College.CPTS, 0),
            "eligible_bureau": active_mandates(poll.federation).count(),
        }
    return {
        "cpts": counts.get(College.CPTS, 0),
        "partners": counts.get(College.PARTNERS, 0),
        "eligible_cpts": college_members(poll.federation, College.CPTS).count(),
        "eligible_partners": college_members(poll.federation, College.PARTNERS).count(),
    }


def ballot_counts(poll: Poll) -> dict[str, dict]:
    """Raw counts of the ballots per college (motions: per choice; elections: per candidate + blank)."""
    out: dict[str, dict] = {College.CPTS: {}, College.PARTNERS: {}}
    for row in (
        Ballot.objects.filter(poll=poll)
        .values("college", "choice", "candidate_id", "blank")
        .annotate(n=Count("id"))
    ):
        if poll.kind == Poll.Kind.MOTION:
            key = row["choice"]
        else:
            key = "blank" if row["blank"] else str(row["candidate_id"])
        out.setdefault(row["college"], {})[key] = out.setdefault(row["college"], {}).get(key, 0) + row["n"]
    return out


def named_votes(poll: Poll) -> list[dict]:
    """The named votes of an OPEN poll (empty for a secret poll)."""
    if poll.secret:
        return []
    rows = Participation.objects.filter(poll=poll).select_related(
        "member__cpts", "member__partner", "mandate__user", "cast_by", "open_candidate"
    )
    return [
        {
            "voter": member_label(p.member) if p.member_id else str(p.mandate.user),
            "college": p.college if p.member_id else "bureau",
            "cast_by": str(p.cast_by) if p.cast_by else "",
            "by_proxy": p.by_proxy,
            "choice": p.open_choice,
            "candidate": p.open_candidate.label
            if p.open_candidate
            else ("" if poll.kind == "motion" else "blanc"),
        }
        for p in rows.order_by("college", "id")
    ]


def partner_opinions(poll: Poll) -> QuerySet[PartnerOpinion]:
    return (
        PartnerOpinion.objects.filter(poll=poll).select_related("partner", "author").order_by("partner__name")
    )


def has_voted(
    poll: Poll, *, member: FederationMember | None = None, mandate: BureauMandate | None = None
) -> bool:
    return Participation.objects.filter(poll=poll, member=member, mandate=mandate).exists()


@dataclass(frozen=True)
class VotingRight:
    """One vote the user may cast in a poll: for a member (own CPTS or partner, or by proxy) or a
    bureau seat."""

    member: FederationMember | None
    mandate: BureauMandate | None
    college: str
    by_proxy: bool
    label: str

    @property
    def key(self) -> str:
        return f"member-{self.member.pk}" if self.member else f"mandate-{self.mandate.pk}"


def voting_rights(user: User, poll: Poll) -> list[VotingRight]:
    """The votes `user` may cast in `poll` (voted or not). In a meeting, only for members signed in
    present — plus, for a proxy holder, each member represented by them; a written consultation lets
    every delegate vote from their account."""
    if not user.is_authenticated:
        return []
    federation = poll.federation
    if poll.body == Body.BUREAU:
        return [
            VotingRight(None, m, College.CPTS, False, f"{m.get_role_display()} — {m.user}")
            for m in active_mandates(federation).filter(user=user)
        ]
    members = list(
        FederationMember.objects.filter(federation=federation, left_on__isnull=True)
        .filter(
            Q(delegates__user=user, delegates__until__isnull=True)
            | Q(
                partner__delegates__user=user,
                partner__delegates__role=FederationRole.Role.PARTNER_DELEGATE,
                partner__delegates__federation=federation,
            )
        )
        .select_related("cpts", "partner")
        .distinct()
    )
    rights = []
    if poll.meeting_id:
        present = set(
            Attendance.objects.filter(
                meeting_id=poll.meeting_id, status=AttendanceStatus.PRESENT, member__isnull=False
            ).values_list("member_id", flat=True)
        )
        members = [m for m in members if m.pk in present]
    rights += [VotingRight(m, None, m.college, False, member_label(m)) for m in members]
    if poll.meeting_id:
        for proxy in Proxy.objects.filter(meeting_id=poll.meeting_id, holder=user).select_related(
            "giver__cpts"
        ):
            if proxy.giver.left_on is None:
                rights.append(VotingRight(proxy.giver, None, College.CPTS, True, member_label(proxy.giver)))
    return rights


def represented_member_ids(user: User, federation: Federation) -> list[int]:
    """Members (CPTS or partner) whose voice `user` carries as their delegate."""
    if not user.is_authenticated:
        return []
    return list(
        FederationMember.objects.filter(federation=federation, left_on__isnull=True)
        .filter(
            Q(delegates__user=user, delegates__until__isnull=True)
            | Q(
                partner__delegates__user=user,
                partner__delegates__role=FederationRole.Role.PARTNER_DELEGATE,
                partner__delegates__federation=federation,
            )
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def voted_keys(poll: Poll, rights: list[VotingRight]) -> set[str]:
    member_ids = [r.member.pk for r in rights if r.member]
    mandate_ids = [r.mandate.pk for r in rights if r.mandate]
    rows = Participation.objects.filter(poll=poll).filter(
        Q(member_id__in=member_ids) | Q(mandate_id__in=mandate_ids)
    )
    return {f"member-{p.member_id}" if p.member_id else f"mandate-{p.mandate_id}" for p in rows}


def audit_entries(federation: Federation) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(federation=federation).order_by("-seq")


def upcoming_meetings(federation: Federation) -> QuerySet[Meeting]:
    return (
        meetings(federation).filter(starts_at__gte=timezone.now() - timedelta(hours=12)).order_by("starts_at")
    )
