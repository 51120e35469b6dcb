"""Reads of the pooled resources: scoped QuerySets (with their select/prefetch) and computed views."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from federation.models import Cpts, FederationMember, User
from shared_actions.access import (
    campaigns_visible_q,
    documents_visible_q,
    meetings_visible_q,
    rosters_visible_q,
    scope_of,
)
from shared_actions.models import (
    CalendarFeed,
    Campaign,
    CampaignAction,
    Document,
    DocumentCategory,
    DocumentDownload,
    DocumentVersion,
    Indicator,
    IndicatorValue,
    Invitation,
    Meeting,
    Roster,
    Shift,
    ShiftAssignment,
    SwapRequest,
)


# --- documents ------------------------------------------------------------------------------------
def visible_documents(user: User, *, query: str = "", category: str = "") -> QuerySet[Document]:
    """Documents the user may read, newest first, with their latest version number; `query` searches
    title, description and category label, `category` filters on the category value."""
    if not user.is_authenticated:
        return Document.objects.none()
    scope = scope_of(user)
    queryset = (
        Document.objects.all() if scope.is_staff else Document.objects.filter(documents_visible_q(scope))
    )
    query = (query or "").strip()
    if query:
        labels = [value for value, label in DocumentCategory.choices if query.lower() in str(label).lower()]
        queryset = queryset.filter(
            Q(title__icontains=query) | Q(description__icontains=query) | Q(category__in=labels)
        )
    if category:
        queryset = queryset.filter(category=category)
    return (
        queryset.select_related("cpts", "federation", "created_by")
        .annotate(latest_version=Max("versions__number"))
        .order_by("-updated_at", "-pk")
    )


def document_versions(document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("uploaded_by").order_by("-number")


def document_downloads(document: Document) -> QuerySet[DocumentDownload]:
    return (
        DocumentDownload.objects.filter(version__document=document)
        .select_related("user", "version")
        .order_by("-downloaded_at")
    )


# --- rosters --------------------------------------------------------------------------------------
def visible_rosters(user: User) -> QuerySet[Roster]:
    if not user.is_authenticated:
        return Roster.objects.none()
    scope = scope_of(user)
    queryset = Roster.objects.all() if scope.is_staff else Roster.objects.filter(rosters_visible_q(scope))
    return queryset.select_related("cpts", "federation").prefetch_related("participants").order_by("name")


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _day_bounds(first: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(first + dt.timedelta(days=days), dt.time.min, tzinfo=tz)


def roster_shifts(roster: Roster, *, first_day: dt.date | None = None, days: int = 7) -> QuerySet[Shift]:
    queryset = roster.shifts.select_related("site", "roster").annotate(assigned_count=Count("assignments"))
    if first_day is not None:
        start, end = _day_bounds(first_day, days)
        queryset = queryset.filter(start__lt=end, end__gt=start)
    return queryset.prefetch_related(
        Prefetch("assignments", queryset=ShiftAssignment.objects.select_related("user", "cpts"))
    ).order_by("start", "site__name")


def coverage_status(assigned: int, required: int) -> str:
    if assigned >= required:
        return "filled"
    return "empty" if assigned == 0 else "short"


@dataclass
class CoverageRow:
    shift: Shift
    assigned: int
    required: int
    status: str  # filled / short / empty

    @property
    def missing(self) -> int:
        return max(self.required - self.assigned, 0)


@dataclass
class SiteCoverage:
    site_id: int
    site_name: str
    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(r.missing for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"filled": 0, "short": 0, "empty": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts


def roster_coverage(roster: Roster, first_day: dt.date, days: int = 7) -> list[SiteCoverage]:
    """Coverage of the roster's shifts between `first_day` and `days` later, per site."""
    sites: dict[int, SiteCoverage] = {}
    for site in roster.sites.order_by("name"):
        sites[site.pk] = SiteCoverage(site_id=site.pk, site_name=site.name)
    for shift in roster_shifts(roster, first_day=first_day, days=days):
        row = CoverageRow(
            shift=shift,
            assigned=shift.assigned_count,
            required=shift.required_count,
            status=coverage_status(shift.assigned_count, shift.required_count),
        )
        sites.setdefault(
            shift.site_id, SiteCoverage(site_id=shift.site_id, site_name=shift.site.name)
        ).rows.append(row)
    return list(sites.values())


def user_assignments(user: User, *, upcoming: bool = True) -> QuerySet[ShiftAssignment]:
    queryset = ShiftAssignment.objects.filter(user=user).select_related(
        "shift__roster", "shift__site", "cpts"
    )
    if upcoming:
        queryset = queryset.filter(shift__end__gte=timezone.now())
    return queryset.order_by("shift__start")


def user_shifts(user: User) -> QuerySet[Shift]:
    return Shift.objects.filter(assignments__user=user).select_related("site", "roster").order_by("start")


def roster_swap_requests(roster: Roster) -> QuerySet[SwapRequest]:
    return (
        SwapRequest.objects.filter(assignment__shift__roster=roster)
        .select_related(
            "assignment__shift__site",
            "assignment__user",
            "requester",
            "target",
            "accepted_by",
            "counterpart__shift__site",
        )
        .order_by("-created_at")
    )


def user_swap_requests(user: User) -> QuerySet[SwapRequest]:
    """Requests the user made or is asked to answer (open calls of the user's rosters included)."""
    rosters = visible_rosters(user).values("pk")
    return (
        SwapRequest.objects.filter(
            Q(requester=user) | Q(target=user) | Q(target__isnull=True, assignment__shift__roster__in=rosters)
        )
        .select_related(
            "assignment__shift__site",
            "assignment__shift__roster",
            "requester",
            "target",
            "counterpart__shift__site",
        )
        .order_by("-created_at")
    )


def active_feeds(user: User) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(
        Q(user=user) | Q(roster__in=visible_rosters(user).values("pk")), revoked_at__isnull=True
    ).select_related("roster")


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed of a secret token (None when unknown or revoked)."""
    return (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("user", "roster")
        .first()
    )


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


@dataclass
class HoursRow:
    cpts: str
    person: str
    email: str
    shifts: int
    hours: float


def hours_by_person(
    *, month: dt.date, roster: Roster | None = None, cpts: Cpts | None = None
) -> list[HoursRow]:
    """Hours on duty in `month` per professional and CPTS (hours are counted for the CPTS the person
    signed up with), for one roster or for every roster of one CPTS's members."""
    first, last = month_bounds(month)
    start, end = _day_bounds(first, (last - first).days + 1)
    queryset = ShiftAssignment.objects.filter(shift__start__gte=start, shift__start__lt=end).select_related(
        "shift", "user", "cpts"
    )
    if roster is not None:
        queryset = queryset.filter(shift__roster=roster)
    if cpts is not None:
        queryset = queryset.filter(cpts=cpts)
    totals: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    for assignment in queryset:
        key = (assignment.cpts.name, str(assignment.user), assignment.user.email)
        totals[key][0] += 1
        totals[key][1] += assignment.shift.hours
    return [HoursRow(*key, shifts=v[0], hours=round(v[1], 2)) for key, v in sorted(totals.items())]


# --- campaigns ------------------------------------------------------------------------------------
def visible_campaigns(user: User) -> QuerySet[Campaign]:
    if not user.is_authenticated:
        return Campaign.objects.none()
    scope = scope_of(user)
    queryset = (
        Campaign.objects.all() if scope.is_staff else Campaign.objects.filter(campaigns_visible_q(scope))
    )
    return (
        queryset.select_related("federation", "lead_cpts")
        .prefetch_related("participants")
        .order_by("-start_date")
    )


def campaign_actions(campaign: Campaign) -> QuerySet[CampaignAction]:
    return campaign.actions.select_related("cpts", "commune", "person_in_charge").prefetch_related("tasks")


@dataclass
class Progress:
    label: str
    value: Decimal
    target: Decimal

    @property
    def ratio(self) -> float:
        return float(self.value / self.target) if self.target else 0.0

    @property
    def percent(self) -> int:
        return round(self.ratio * 100)


@dataclass
class IndicatorProgress:
    indicator: Indicator
    per_cpts: list[Progress]
    overall: Progress
    series: list[tuple[dt.date, Decimal]]  # overall cumulative value over time


def campaign_dashboard(campaign: Campaign) -> list[IndicatorProgress]:
    """For each indicator: the latest value of each participating CPTS against its target, the total
    against the département target, and the total over time (latest known value of each CPTS)."""
    participants = sorted(campaign.participants.all(), key=lambda c: c.name)
    indicators = list(campaign.indicators.all())
    values = IndicatorValue.objects.filter(indicator__in=indicators).order_by("date")
    by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in values:
        by_indicator[value.indicator_id].append(value)
    result = []
    for indicator in indicators:
        share = indicator.target_per_cpts or (
            (indicator.target / len(participants)).quantize(Decimal("0.01"))
            if participants
            else indicator.target
        )
        latest: dict[int, Decimal] = {}
        series: list[tuple[dt.date, Decimal]] = []
        for value in by_indicator[indicator.pk]:
            latest[value.cpts_id] = value.value
            total = sum(latest.values(), Decimal(0))
            if series and series[-1][0] == value.date:
                series[-1] = (value.date, total)
            else:
                series.append((value.date, total))
        per_cpts = [Progress(c.name, latest.get(c.pk, Decimal(0)), share) for c in participants]
        overall = Progress("Total", sum(latest.values(), Decimal(0)), indicator.target)
        result.append(
            IndicatorProgress(indicator=indicator, per_cpts=per_cpts, overall=overall, series=series)
        )
    return result


# --- meetings -------------------------------------------------------------------------------------
def visible_meetings(user: User) -> QuerySet[Meeting]:
    if not user.is_authenticated:
        return Meeting.objects.none()
    scope = scope_of(user)
    queryset = Meeting.objects.all() if scope.is_staff else Meeting.objects.filter(meetings_visible_q(scope))
    return queryset.select_related("cpts", "federation", "campaign", "minutes").order_by("start")


def meeting_invitations(meeting: Meeting) -> QuerySet[Invitation]:
    return meeting.invitations.select_related("user").order_by("user__display_name", "user__email")


def sharing_people_q(*, cpts: Cpts | None, federation) -> Q:
    """Who a document may be shared with by name: members of its CPTS, and the participants of its
    federation (members of its CPTS, role holders and partner delegates)."""
    q = Q(memberships__cpts_id=cpts.pk) if cpts is not None else Q(pk__in=[])
    if federation is not None:
        cpts_ids = FederationMember.objects.filter(
            federation_id=federation.pk, left_on__isnull=True, cpts__isnull=False
        ).values("cpts_id")
        q |= Q(memberships__cpts_id__in=cpts_ids) | Q(federation_roles__federation_id=federation.pk)
    return q


def meeting_people_q(meeting: Meeting) -> Q:
    """Who may be invited: members of the meeting's CPTS or of its federation's CPTS, and federation
    role holders (partner delegates included)."""
    q = Q(memberships__cpts_id=meeting.cpts_id) if meeting.cpts_id else Q(pk__in=[])
    if meeting.federation_id:
        cpts_ids = FederationMember.objects.filter(
            federation_id=meeting.federation_id, left_on__isnull=True, cpts__isnull=False
        ).values("cpts_id")
        q |= Q(memberships__cpts_id__in=cpts_ids) | Q(federation_roles__federation_id=meeting.federation_id)
    return q


def meeting_invitable_users(meeting: Meeting) -> QuerySet[User]:
    return User.objects.filter(meeting_people_q(meeting)).distinct().order_by("display_name", "email")
