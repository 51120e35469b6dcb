"""Access helpers of governance: every meeting or poll lookup goes through them.

A federation's governance is visible to its participants (members of a member CPTS, partner
delegates, federation staff); another federation's meeting or poll is a 404 like a missing one.
Managing (convening, opening polls, attendance) is for federation admins/coordinators and bureau
members; voting is for delegates (403 for any other participant).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from federation.access import access_federation, can_manage_federation
from federation.governance.bureau.selectors import active_mandates
from federation.governance.meetings.models import Meeting
from federation.governance.membership.models import Delegate
from federation.governance.polls.models import Poll
from federation.models import Federation, FederationRole, User


def can_manage_governance(user: User, federation: Federation) -> bool:
    """Federation admins and coordinators, staff, and the members of the bureau in office."""
    if not user.is_authenticated:
        return False
    if can_manage_federation(user, federation):
        return True
    return active_mandates(federation).filter(user=user).exists()


def is_delegate(user: User, federation: Federation) -> bool:
    """A delegate (titular or substitute) of a member CPTS, or the delegate of a partner."""
    if not user.is_authenticated:
        return False
    return (
        Delegate.objects.filter(
            federation=federation, user=user, until__isnull=True, member__left_on__isnull=True
        ).exists()
        or FederationRole.objects.filter(
            federation=federation, user=user, role=FederationRole.Role.PARTNER_DELEGATE
        ).exists()
        or active_mandates(federation).filter(user=user).exists()
    )


def access_governance(user: User, federation_slug: str, *, for_write: bool = False) -> Federation:
    """The federation if the user takes part in it (404 otherwise); with `for_write`, 403 unless the
    user manages its governance."""
    federation = access_federation(user, federation_slug)
    if for_write and not can_manage_governance(user, federation):
        raise PermissionDenied
    return federation


def access_meeting(
    user: User, federation: Federation, meeting_id: int, *, for_write: bool = False
) -> Meeting:
    """A meeting of `federation` (already checked for the user): 404 when missing or of another
    federation; with `for_write`, 403 unless the user manages governance."""
    meeting = Meeting.objects.filter(federation=federation, pk=meeting_id).first()
    if meeting is None:
        raise Http404
    if for_write and not can_manage_governance(user, federation):
        raise PermissionDenied
    return meeting


def access_poll(user: User, federation: Federation, poll_id: int, *, for_write: bool = False) -> Poll:
    """A poll of `federation`: 404 when missing or of another federation; with `for_write`, 403 unless
    the user manages governance."""
    poll = (
        Poll.objects.filter(federation=federation, pk=poll_id).select_related("meeting", "federation").first()
    )
    if poll is None:
        raise Http404
    if for_write and not can_manage_governance(user, federation):
        raise PermissionDenied
    return poll


def require_delegate(user: User, federation: Federation) -> None:
    """403 unless the user votes for someone in this federation."""
    if not is_delegate(user, federation):
        raise PermissionDenied
