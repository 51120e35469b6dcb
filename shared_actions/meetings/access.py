"""Who may see and manage meetings."""

from django.db.models import Exists, OuterRef, Q

from federation.models import User
from shared_actions.access import Scope, resolve
from shared_actions.meetings.models import Invitation, Meeting


def meetings_visible_q(scope: Scope) -> Q:
    """The meetings of the user's CPTS and federations, and those they are invited to while they still
    take part in the meeting's federation (who may be invited: `meeting_people_q`): an invitation does
    not outlive the membership that allowed it."""
    invited = Invitation.objects.filter(meeting_id=OuterRef("pk"), user_id=scope.user.pk)
    return (
        Q(cpts_id__in=scope.cpts_ids)
        | Q(cpts__isnull=True, federation_id__in=scope.federation_ids)
        | Q(Exists(invited), federation_id__in=scope.federation_ids)
    )


def can_manage_meeting(scope: Scope, meeting: Meeting) -> bool:
    """Its organiser, the coordinators/admins of its CPTS, or the federation staff."""
    if scope.is_staff or (scope.user.is_authenticated and meeting.created_by_id == scope.user.pk):
        return True
    if meeting.cpts_id is not None:
        return meeting.cpts_id in scope.managed_cpts_ids
    return meeting.federation_id in scope.managed_federation_ids


def access_meeting(user: User, meeting_id: int, *, for_write: bool = False) -> Meeting:
    """The meeting if the user belongs to its CPTS (federation meetings: takes part in the federation)
    or is invited. Http404 otherwise; with `for_write`, PermissionDenied unless the user manages it."""
    queryset = Meeting.objects.select_related("cpts", "federation", "campaign", "minutes")
    return resolve(
        user, queryset, meeting_id, meetings_visible_q, for_write=for_write, can_write=can_manage_meeting
    )
