"""Who may see and manage SNP rosters, their shifts, the people on them and swap requests."""

from django.db.models import Exists, OuterRef, Q

from federation.models import FederationMember, User
from shared_actions.access import Scope, resolve
from shared_actions.rosters.models import CalendarFeed, Roster, Shift, ShiftAssignment, SwapRequest


def rosters_visible_q(scope: Scope) -> Q:
    """Rosters of the user's CPTS and the pooled ones they take part in; for federation staff, the
    pooled rosters of their federation and the rosters of its member CPTS (the cockpit links to them)."""
    participates = Roster.participants.through.objects.filter(
        roster_id=OuterRef("pk"), cpts_id__in=scope.cpts_ids
    )
    q = Q(cpts_id__in=scope.cpts_ids) | Q(Exists(participates))
    if scope.managed_federation_ids:
        member_of_mine = FederationMember.objects.filter(
            cpts_id=OuterRef("cpts_id"), federation_id__in=scope.managed_federation_ids, left_on__isnull=True
        )
        q |= Q(federation_id__in=scope.managed_federation_ids) | Q(Exists(member_of_mine))
    return q


def _in_visible_roster(path: str):
    """The filter of rows hanging off a roster the user sees, through `path` (e.g. "shift__roster")."""
    return lambda scope: Q(**{f"{path}__in": Roster.objects.filter(rosters_visible_q(scope))})


def can_manage_roster(scope: Scope, roster: Roster) -> bool:
    """A CPTS roster: that CPTS's coordinators/admins. A pooled roster: the federation staff and the
    coordinators/admins of any participating CPTS."""
    if scope.is_staff:
        return True
    if roster.cpts_id is not None:
        return roster.cpts_id in scope.managed_cpts_ids
    if roster.federation_id in scope.managed_federation_ids:
        return True
    participant_ids = {c.pk for c in roster.participants.all()}
    return bool(participant_ids & scope.managed_cpts_ids)


def roster_cpts_ids(roster: Roster) -> set[int]:
    """The CPTS whose members may sign up on the roster."""
    if roster.cpts_id is not None:
        return {roster.cpts_id}
    return {c.pk for c in roster.participants.all()}


def access_roster(user: User, roster_id: int, *, for_write: bool = False) -> Roster:
    """The roster `roster_id` if the user belongs to its CPTS (or a participating CPTS of a pooled
    roster, or manages its federation). Http404 otherwise; with `for_write`, PermissionDenied unless
    the user manages it (see `can_manage_roster`)."""
    queryset = Roster.objects.select_related("cpts", "federation").prefetch_related("participants")
    return resolve(
        user, queryset, roster_id, rosters_visible_q, for_write=for_write, can_write=can_manage_roster
    )


def access_shift(user: User, shift_id: int, *, for_write: bool = False) -> Shift:
    """A shift of a roster the user may see (see `access_roster`); same 404/403 rules."""
    queryset = Shift.objects.select_related("roster", "site")
    return resolve(
        user,
        queryset,
        shift_id,
        _in_visible_roster("roster"),
        for_write=for_write,
        can_write=lambda scope, shift: can_manage_roster(scope, shift.roster),
    )


def access_assignment(user: User, assignment_id: int) -> ShiftAssignment:
    """A person's place on a shift of a roster the user may see (see `access_roster`); Http404
    otherwise. Who may withdraw or exchange it is checked by the services."""
    queryset = ShiftAssignment.objects.select_related("shift__roster", "shift__site", "user", "cpts")
    return resolve(user, queryset, assignment_id, _in_visible_roster("shift__roster"))


def access_swap_request(user: User, request_id: int) -> SwapRequest:
    """A swap/replacement request of a roster the user may see; Http404 otherwise. What the user may
    do with it (accept, approve, cancel) is checked by the services."""
    queryset = SwapRequest.objects.select_related(
        "assignment__shift__roster", "assignment__shift__site", "requester", "target", "counterpart__shift"
    )
    return resolve(user, queryset, request_id, _in_visible_roster("assignment__shift__roster"))


def access_feed(user: User, feed_id: int) -> CalendarFeed:
    """A live iCalendar feed of the user's own shifts, or of a roster the user sees; Http404 otherwise.
    Who may revoke it is checked by the service."""
    queryset = CalendarFeed.objects.filter(revoked_at__isnull=True).select_related("roster")
    return resolve(
        user, queryset, feed_id, lambda scope: Q(user=scope.user) | _in_visible_roster("roster")(scope)
    )
