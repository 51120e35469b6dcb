"""Reads of meetings: scoped QuerySets, invitations, who may be invited."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from federation.models import User
from shared_actions.access import visible_to
from shared_actions.meetings.access import meetings_visible_q
from shared_actions.meetings.models import Invitation, Meeting
from shared_actions.selectors import federation_people_q


def visible_meetings(user: User) -> QuerySet[Meeting]:
    return (
        visible_to(user, Meeting.objects.all(), meetings_visible_q)
        .select_related("cpts", "federation", "campaign", "minutes")
        .order_by("start")
    )


def upcoming_meetings(user: User) -> QuerySet[Meeting]:
    return visible_meetings(user).filter(end__gte=timezone.now())


def past_meetings(user: User) -> QuerySet[Meeting]:
    return visible_meetings(user).filter(end__lt=timezone.now()).order_by("-start")


def campaign_meetings(user: User, campaign) -> QuerySet[Meeting]:
    return visible_meetings(user).filter(campaign=campaign)


def meeting_invitations(meeting: Meeting) -> QuerySet[Invitation]:
    return meeting.invitations.select_related("user").order_by("user__display_name", "user__email")


def meeting_people_q(meeting: Meeting) -> Q:
    """Who may be invited: members of the meeting's CPTS or of its federation's CPTS, and federation
    role holders (partner delegates included)."""
    return federation_people_q(cpts_id=meeting.cpts_id, federation_id=meeting.federation_id)


def meeting_invitable_users(meeting: Meeting, *, exclude=()) -> QuerySet[User]:
    """Who may still be invited (`exclude`: the ids already invited)."""
    return (
        User.objects.filter(meeting_people_q(meeting))
        .exclude(pk__in=list(exclude))
        .distinct()
        .order_by("display_name", "email")
    )


def federation_meetings(federation, *, start: dt.datetime, end: dt.datetime) -> QuerySet[Meeting]:
    """The federation's own meetings (working groups, campaigns, trainings: no CPTS owner) starting between
    two moments, with their invitations counted by reply (one query)."""
    return _with_replies(
        Meeting.objects.filter(federation=federation, cpts__isnull=True, start__gte=start, start__lt=end)
    )


def cpts_meetings(cpts, *, start: dt.datetime, end: dt.datetime) -> QuerySet[Meeting]:
    """A CPTS's meetings starting between two moments, with their invitations counted (one query)."""
    return _with_replies(Meeting.objects.filter(cpts=cpts, start__gte=start, start__lt=end))


def _with_replies(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return (
        queryset.select_related("cpts", "federation", "campaign")
        .annotate(
            invited_count=Count("invitations"),
            yes_count=Count("invitations", filter=Q(invitations__reply=Invitation.Reply.YES)),
        )
        .order_by("start")
    )
