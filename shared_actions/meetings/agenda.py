"""The department agenda: one list of dated entries gathered from several sources.

Each source is a function `(user, federation, first_day, last_day) -> list[AgendaEntry]` returning
only what `user` may see. Adding a source (e.g. the meetings of the federation's bodies from
`federation.governance`) is one function appended to `AGENDA_SOURCES`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.governance.selectors import body_meetings
from federation.models import Federation, User
from shared_actions.access import visible_to
from shared_actions.campaigns.access import campaigns_visible_q
from shared_actions.campaigns.models import Campaign, CampaignAction
from shared_actions.common import day_bounds
from shared_actions.meetings.access import meetings_visible_q
from shared_actions.meetings.models import Meeting

# Governance meetings have a start only; the agenda shows them this long.
GOVERNANCE_MEETING_HOURS = 2


@dataclass
class AgendaEntry:
    uid: str
    kind: str  # "campaign", "action", "meeting", "governance"
    kind_label: str
    title: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime | None = None
    location: str = ""
    description: str = ""
    url: str = ""
    owner: str = ""
    theme: str = ""
    cpts_ids: set[int] = field(default_factory=set)  # empty: the whole federation

    @property
    def day(self) -> dt.date:
        return timezone.localtime(self.start).date() if isinstance(self.start, dt.datetime) else self.start

    @property
    def last_day(self) -> dt.date:
        end = self.end or self.start
        return timezone.localtime(end).date() if isinstance(end, dt.datetime) else end

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)


def _bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_bounds(first_day, (last_day - first_day).days + 1)


def campaign_entries(
    user: User, federation: Federation, first_day: dt.date, last_day: dt.date
) -> list[AgendaEntry]:
    campaigns = (
        visible_to(user, Campaign.objects.all(), campaigns_visible_q)
        .filter(federation=federation, start_date__lte=last_day, end_date__gte=first_day)
        .select_related("lead_cpts")
        .prefetch_related("participants")
    )
    return [
        AgendaEntry(
            uid=f"campaign-{c.pk}",
            kind="campaign",
            kind_label=_("Campagne"),
            title=c.title,
            start=c.start_date,
            end=c.end_date,
            description=c.get_theme_display(),
            url=f"/actions/campagnes/{c.pk}/",
            owner=c.lead_cpts.name,
            theme=c.theme,
            cpts_ids={p.pk for p in c.participants.all()},
        )
        for c in campaigns
    ]


def action_entries(
    user: User, federation: Federation, first_day: dt.date, last_day: dt.date
) -> list[AgendaEntry]:
    actions = (
        CampaignAction.objects.filter(
            campaign__in=visible_to(user, Campaign.objects.all(), campaigns_visible_q)
        )
        .filter(campaign__federation=federation, date__gte=first_day, date__lte=last_day)
        .select_related("campaign", "cpts", "commune")
    )
    return [
        AgendaEntry(
            uid=f"action-{a.pk}",
            kind="action",
            kind_label=_("Action de prévention"),
            title=a.title,
            start=a.date,
            location=", ".join(p for p in (a.place, a.commune.name if a.commune else "") if p),
            description=a.campaign.title,
            url=f"/actions/campagnes/{a.campaign_id}/#action-{a.pk}",
            owner=a.cpts.name,
            theme=a.campaign.theme,
            cpts_ids={a.cpts_id},
        )
        for a in actions
    ]


def meeting_entries(
    user: User, federation: Federation, first_day: dt.date, last_day: dt.date
) -> list[AgendaEntry]:
    start, end = _bounds(first_day, last_day)
    meetings = (
        visible_to(user, Meeting.objects.all(), meetings_visible_q)
        .filter(federation=federation, start__lt=end, end__gt=start)
        .select_related("cpts", "federation", "campaign")
    )
    return [
        AgendaEntry(
            uid=f"meeting-{m.uid}",
            kind="meeting",
            kind_label=m.get_kind_display(),
            title=m.title,
            start=m.start,
            end=m.end,
            location=m.place or m.video_url,
            description=m.agenda,
            url=f"/actions/reunions/{m.pk}/",
            owner=str(m.cpts or m.federation),
            theme=m.campaign.theme if m.campaign_id else "",
            cpts_ids={m.cpts_id} if m.cpts_id else set(),
        )
        for m in meetings
    ]


def governance_entries(
    user: User, federation: Federation, first_day: dt.date, last_day: dt.date
) -> list[AgendaEntry]:
    """Meetings of the federation's bodies (AGO, AGE, bureau), owned by `federation.governance` and read
    through its `selectors.body_meetings(federation, start, end)` (the agenda page is already limited
    to the federation's participants)."""
    start, end = _bounds(first_day, last_day)
    entries = []
    for meeting in body_meetings(federation, start, end):
        url = reverse(
            "governance-meeting", kwargs={"federation_slug": federation.slug, "meeting_id": meeting.pk}
        )
        entries.append(
            AgendaEntry(
                uid=f"governance-{meeting.pk}",
                kind="governance",
                kind_label=str(meeting.get_body_display()),
                title=meeting.title,
                start=meeting.starts_at,
                end=meeting.starts_at + dt.timedelta(hours=GOVERNANCE_MEETING_HOURS),
                location=meeting.location,
                url=url,
                owner=federation.name,
            )
        )
    return entries


AGENDA_SOURCES: list[Callable[[User, Federation, dt.date, dt.date], list[AgendaEntry]]] = [
    campaign_entries,
    action_entries,
    meeting_entries,
    governance_entries,
]

KIND_CHOICES = [
    ("campaign", _("Campagnes")),
    ("action", _("Actions de prévention")),
    ("meeting", _("Réunions")),
    ("governance", _("Instances (AG, bureau)")),
]


def department_agenda(
    user: User,
    federation: Federation,
    first_day: dt.date,
    last_day: dt.date,
    *,
    cpts_id: int | None = None,
    theme: str = "",
    kinds: set[str] | None = None,
) -> list[AgendaEntry]:
    """Every entry of every source between two days, filtered by CPTS, theme and kind, sorted."""
    entries: list[AgendaEntry] = []
    for source in AGENDA_SOURCES:
        entries.extend(source(user, federation, first_day, last_day))
    if cpts_id:
        entries = [e for e in entries if cpts_id in e.cpts_ids]
    if theme:
        entries = [e for e in entries if e.theme == theme]
    if kinds:
        entries = [e for e in entries if e.kind in kinds]
    return sorted(entries, key=lambda e: (e.day, 0 if e.all_day else 1, str(e.start), e.title))
