"""Reads of governance, gathered: each lives in its sub-domain's `selectors.py`. Other apps (shared
agenda, document library) read meetings and minutes ONLY through `body_meetings` and
`minutes_for_federation` here."""

from django.db.models import QuerySet

from federation.governance.bureau.selectors import (
    active_mandates,
    bureau,
    mandate_ids_of,
    mandate_of,
    president,
)
from federation.governance.meetings.selectors import (
    MinutesRef,
    agenda,
    agenda_item_of,
    attendance_counts,
    attendance_sheet,
    body_meetings,
    convocation_recipients,
    convocation_status,
    deciding_members_count,
    meeting_detail,
    meeting_quorum,
    meetings,
    minutes_for_federation,
    proxy_of,
    upcoming_meetings,
)
from federation.governance.membership.selectors import (
    active_delegates,
    active_members,
    college_members,
    cpts_member_by_slug,
    delegate_of,
    designable_members,
    fee_of,
    fees,
    joinable_cpts,
    member_label,
    member_of,
    represented_member_ids,
)
from federation.governance.models import AuditEntry
from federation.governance.polls.selectors import (
    VotingRight,
    ballot_content,
    ballot_counts,
    ballot_right,
    meeting_polls,
    named_votes,
    open_polls,
    participation_counts,
    partner_opinions,
    poll_candidates,
    poll_live_data,
    poll_turnout,
    polls,
    rights_status,
    vote_invitation,
    voted_keys,
    voting_rights,
)
from federation.governance.statutes.selectors import statutes_of
from federation.models import Federation

__all__ = [
    "MinutesRef",
    "VotingRight",
    "active_delegates",
    "active_mandates",
    "active_members",
    "agenda",
    "agenda_item_of",
    "attendance_counts",
    "attendance_sheet",
    "audit_entries",
    "ballot_content",
    "ballot_counts",
    "ballot_right",
    "body_meetings",
    "bureau",
    "college_members",
    "convocation_recipients",
    "convocation_status",
    "cpts_member_by_slug",
    "deciding_members_count",
    "delegate_of",
    "designable_members",
    "fee_of",
    "fees",
    "joinable_cpts",
    "mandate_ids_of",
    "mandate_of",
    "meeting_detail",
    "meeting_polls",
    "meeting_quorum",
    "meetings",
    "member_label",
    "member_of",
    "minutes_for_federation",
    "named_votes",
    "open_polls",
    "participation_counts",
    "partner_opinions",
    "poll_candidates",
    "poll_live_data",
    "poll_turnout",
    "polls",
    "president",
    "proxy_of",
    "represented_member_ids",
    "rights_status",
    "statutes_of",
    "upcoming_meetings",
    "vote_invitation",
    "voted_keys",
    "voting_rights",
]


def audit_entries(federation: Federation) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(federation=federation).order_by("-seq")
