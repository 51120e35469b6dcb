"""Reads of SNP rosters: scoped QuerySets, weekly coverage, hours per person."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from federation.models import Cpts, User
from shared_actions.access import visible_to
from shared_actions.common import day_bounds, month_bounds, week_start
from shared_actions.rosters.access import roster_cpts_ids, rosters_visible_q
from shared_actions.rosters.models import (
    CalendarFeed,
    Roster,
    RosterSite,
    Shift,
    ShiftAssignment,
    SwapRequest,
)

__all__ = ["week_start"]  # re-exported: views and API page by week

# Requests still waiting for an answer or an approval.
OPEN_STATUSES = (SwapRequest.Status.PENDING, SwapRequest.Status.ACCEPTED)


def visible_rosters(user: User) -> QuerySet[Roster]:
    return (
        visible_to(user, Roster.objects.all(), rosters_visible_q)
        .select_related("cpts", "federation")
        .prefetch_related("participants")
        .order_by("name")
    )


def roster_sites(roster: Roster) -> QuerySet[RosterSite]:
    return roster.sites.order_by("name")


def roster_site(roster: Roster, site_id) -> RosterSite | None:
    return roster.sites.filter(pk=site_id).first()


def roster_shifts(
    roster: Roster, *, first_day: dt.date | None = None, days: int = 7, ended_after: dt.datetime | None = None
) -> QuerySet[Shift]:
    queryset = roster.shifts.select_related("site", "roster").annotate(assigned_count=Count("assignments"))
    if ended_after is not None:
        queryset = queryset.filter(end__gte=ended_after)
    if first_day is not None:
        start, end = day_bounds(first_day, days)
        queryset = queryset.filter(start__lt=end, end__gt=start)
    return queryset.prefetch_related(
        Prefetch("assignments", queryset=ShiftAssignment.objects.select_related("user", "cpts"))
    ).order_by("start", "site__name")


def roster_shift(roster: Roster, shift_id: int) -> Shift:
    return roster_shifts(roster).get(pk=shift_id)


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


def uncovered_shifts(*, start: dt.datetime, end: dt.datetime, rosters=None) -> QuerySet[Shift]:
    """Shifts starting between `start` and `end` with fewer people than required (one query), in
    `rosters` (a QuerySet or ids) when given; each carries `assigned_count`."""
    queryset = Shift.objects.filter(start__gte=start, start__lt=end)
    if rosters is not None:
        queryset = queryset.filter(roster__in=rosters)
    return (
        queryset.annotate(assigned_count=Count("assignments"))
        .filter(assigned_count__lt=F("required_count"))
        .select_related("roster", "site")
        .order_by("start", "site__name")
    )


def federation_rosters(federation) -> QuerySet[Roster]:
    """Rosters pooled at federation level, and those of its member CPTS today."""
    return Roster.objects.filter(
        Q(federation=federation)
        | Q(
            cpts__federation_memberships__federation=federation,
            cpts__federation_memberships__left_on__isnull=True,
        )
    ).distinct()


def cpts_rosters(cpts: Cpts) -> QuerySet[Roster]:
    """The rosters of one CPTS and the pooled rosters it takes part in."""
    return (
        Roster.objects.filter(Q(cpts=cpts) | Q(participants=cpts))
        .distinct()
        .select_related("cpts", "federation")
        .order_by("name")
    )


def user_assignments(user: User, *, upcoming: bool = True) -> QuerySet[ShiftAssignment]:
    queryset = ShiftAssignment.objects.filter(user=user).select_related(
        "shift__roster", "shift__site", "cpts", "user"
    )
    if upcoming:
        queryset = queryset.filter(shift__end__gte=timezone.now())
    return queryset.order_by("shift__start")


def user_assignments_by_shift(user: User, roster: Roster) -> dict[int, ShiftAssignment]:
    """The user's places on the roster, by shift id (the roster page marks them)."""
    return {
        a.shift_id: a
        for a in ShiftAssignment.objects.filter(user=user, shift__roster=roster).select_related("shift")
    }


def roster_eligible_people(roster: Roster) -> QuerySet[User]:
    """The members of the roster's CPTS (whom its managers may put on a shift)."""
    return (
        User.objects.filter(memberships__cpts_id__in=roster_cpts_ids(roster))
        .distinct()
        .order_by("display_name", "email")
    )


def user_shifts(user: User, *, ended_after: dt.datetime | None = None) -> QuerySet[Shift]:
    queryset = Shift.objects.filter(assignments__user=user).select_related("site", "roster").order_by("start")
    return queryset if ended_after is None else queryset.filter(end__gte=ended_after)


def roster_participants(roster: Roster):
    return roster.participants.all()  # prefetched by access_roster


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


def open_swap_requests(user: User) -> QuerySet[SwapRequest]:
    return user_swap_requests(user).filter(status__in=OPEN_STATUSES)


def user_feeds(user: User) -> QuerySet[CalendarFeed]:
    """The user's live feeds of their own shifts."""
    return active_feeds(user).filter(user=user)


def active_feeds(user: User) -> QuerySet[CalendarFeed]:
    return (
        CalendarFeed.objects.filter(
            Q(user=user) | Q(roster__in=visible_rosters(user).values("pk")), revoked_at__isnull=True
        )
        .select_related("roster")
        .order_by("-created_at", "-pk")
    )


def roster_feeds(roster: Roster) -> QuerySet[CalendarFeed]:
    return roster.feeds.filter(revoked_at__isnull=True)


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed of a secret token (None when unknown or revoked)."""
    return (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("user", "roster")
        .first()
    )


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
    start, end = day_bounds(first, (last - first).days + 1)
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
