"""Pooled resources of a federation: one Django app, one migration history, models defined by
sub-domain (`documents/`, `rosters/`, `campaigns/`, `meetings/`) and gathered here so Django finds them.

Row-level tenancy: every row hangs off a `Cpts` or a `Federation` (directly or through its parent).
No health data is stored here (DOMAIN.md, patient data).
"""

from shared_actions.campaigns.models import (
    ActionTask,
    Campaign,
    CampaignAction,
    CampaignTheme,
    Indicator,
    IndicatorValue,
)
from shared_actions.common import new_token  # migration 0001 names `shared_actions.models.new_token`
from shared_actions.documents.models import (
    Document,
    DocumentCategory,
    DocumentDownload,
    DocumentVersion,
    Visibility,
)
from shared_actions.meetings.models import Invitation, Meeting
from shared_actions.rosters.models import (
    CalendarFeed,
    Roster,
    RosterSite,
    Shift,
    ShiftAssignment,
    SwapRequest,
)

__all__ = [
    "ActionTask",
    "CalendarFeed",
    "Campaign",
    "CampaignAction",
    "CampaignTheme",
    "Document",
    "DocumentCategory",
    "DocumentDownload",
    "DocumentVersion",
    "Indicator",
    "IndicatorValue",
    "Invitation",
    "Meeting",
    "Roster",
    "RosterSite",
    "Shift",
    "ShiftAssignment",
    "SwapRequest",
    "Visibility",
    "new_token",
]
