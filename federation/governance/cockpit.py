"""Governance panels of the federation cockpit (`federation.cockpit` registry), registered from
`GovernanceConfig.ready()`: open votes with their participation, unpaid fees, upcoming assemblies with
their convocation status. Each reads in a fixed number of queries, whatever the number of CPTS, polls
or meetings, and links to where the item is handled."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from federation.cockpit import Panel, PanelData, PanelItem, register_panel
from federation.governance.bureau.selectors import active_mandates
from federation.governance.meetings.models import ConvocationDelivery, Meeting, MeetingDocument
from federation.governance.membership.selectors import fees, member_label
from federation.governance.polls.models import Participation, Poll
from federation.governance.statutes.models import Body
from federation.governance.statutes.selectors import statutes_of
from federation.models import College, FederationMember

LIMIT = 10


def open_votes_panel(federation, user) -> PanelData:
    """Open polls, soonest deadline first, with how many have voted out of those who may. 4 queries."""
    polls = list(
        Poll.objects.filter(federation=federation, status=Poll.Status.OPEN)
        .select_related("meeting")
        .order_by("closes_at", "opened_at")
    )
    if not polls:
        return PanelData(empty=_("Aucun vote ouvert."))
    voted = {
        row["poll_id"]: row["n"]
        for row in Participation.objects.filter(poll__in=polls).values("poll_id").annotate(n=Count("id"))
    }
    members = FederationMember.objects.filter(federation=federation, left_on__isnull=True).aggregate(
        cpts=Count("id", filter=Q(college=College.CPTS)),
        partners=Count("id", filter=Q(college=College.PARTNERS)),
    )
    seats = active_mandates(federation).count()
    items = []
    for poll in polls[:LIMIT]:
        eligible = seats if poll.body == Body.BUREAU else members["cpts"] + members["partners"]
        n = voted.get(poll.pk, 0)
        where = poll.meeting.title if poll.meeting_id else _("consultation écrite")
        deadline = (
            _(" — jusqu'au %(date)s") % {"date": date_format(timezone.localtime(poll.closes_at), "j F H:i")}
            if poll.closes_at
            else ""
        )
        items.append(
            PanelItem(
                label=poll.title,
                url=reverse(
                    "governance-poll", kwargs={"federation_slug": federation.slug, "poll_id": poll.pk}
                ),
                detail=_("%(where)s : %(n)d/%(eligible)d ont voté%(deadline)s")
                % {"where": where, "n": n, "eligible": eligible, "deadline": deadline},
                level="warning" if n < eligible else "info",
            )
        )
    return PanelData(items=items, count=len(polls))


def unpaid_fees_panel(federation, user) -> PanelData:
    """Fees still due, oldest year first, with the amount. One query."""
    due = list(
        fees(federation).filter(status="due").order_by("year", "member__cpts__name", "member__partner__name")
    )
    if not due:
        return PanelData(empty=_("Toutes les cotisations enregistrées sont réglées."))
    url = reverse("governance-federation", kwargs={"federation_slug": federation.slug}) + "#cotisations"
    this_year = timezone.localdate().year
    items = [
        PanelItem(
            label=member_label(fee.member),
            url=url,
            detail=_("Cotisation %(year)d : %(amount)s € à payer") % {"year": fee.year, "amount": fee.amount},
            level="danger" if fee.year < this_year else "warning",
        )
        for fee in due[:LIMIT]
    ]
    return PanelData(items=items, count=len(due))


def upcoming_assemblies_panel(federation, user) -> PanelData:
    """Meetings of the bodies to come, with their convocation status (to send, sent, uncertain), and the
    statutes' reminder of the yearly AGO, and whether an AGO's pack (budget, accounts, reports) is
    complete. Five queries."""
    meetings = list(
        Meeting.objects.filter(
            federation=federation,
            starts_at__gte=timezone.now() - timedelta(hours=12),
            status__in=[Meeting.Status.DRAFT, Meeting.Status.CONVENED, Meeting.Status.OPEN],
        ).order_by("starts_at")[:LIMIT]
    )
    notice = statutes_of(federation).convocation_days
    reminder = _annual_ago_reminder(federation, notice)
    if not meetings and reminder is None:
        return PanelData(
            empty=_("Aucune séance prévue : préparez la prochaine assemblée depuis la page Gouvernance.")
        )
    counts = {}
    for row in (
        ConvocationDelivery.objects.filter(meeting__in=meetings)
        .values("meeting_id", "status")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["meeting_id"], {})[row["status"]] = row["n"]
    pack = {}
    for row in MeetingDocument.objects.filter(meeting__in=[m for m in meetings if m.body == Body.AGO]).values(
        "meeting_id", "kind"
    ):
        pack.setdefault(row["meeting_id"], set()).add(row["kind"])
    items = []
    for meeting in meetings:
        sent = counts.get(meeting.pk, {})
        when = date_format(timezone.localtime(meeting.starts_at), "j F Y H:i")
        if meeting.status == Meeting.Status.DRAFT:
            deadline = timezone.localtime(meeting.starts_at - timedelta(days=notice))
            late = timezone.now() > deadline
            detail = (
                _("Convocation non envoyée : le délai statutaire de %(n)d jours est dépassé.") % {"n": notice}
                if late
                else _("Convocation à envoyer avant le %(date)s.")
                % {"date": date_format(deadline, "j F H:i")}
            )
            level = "danger" if late else "warning"
        else:
            total = sum(sent.values())
            detail = ngettext(
                "Convoquée : %(sent)d/%(total)d convocation envoyée",
                "Convoquée : %(sent)d/%(total)d convocations envoyées",
                total,
            ) % {"sent": sent.get("sent", 0), "total": total}
            level = "info"
            if sent.get("sending"):
                detail += " — " + _("%(n)d envoi(s) incertain(s)") % {"n": sent["sending"]}
                level = "warning"
            if meeting.status == Meeting.Status.OPEN:
                detail = _("En séance. ") + detail
        missing = [
            label for kind, label in MeetingDocument.Kind.choices if kind not in pack.get(meeting.pk, set())
        ]
        if meeting.body == Body.AGO and missing:
            # Seed 000: the accounts and reports are at the members' disposal 15 days before the AGO.
            detail += " — " + _("Dossier de l'AG incomplet (manque : %(missing)s)") % {
                "missing": ", ".join(str(label) for label in missing)
            }
            if level == "info":
                level = "warning"
        items.append(
            PanelItem(
                label=f"{meeting.title} — {when}",
                url=reverse(
                    "governance-meeting",
                    kwargs={"federation_slug": federation.slug, "meeting_id": meeting.pk},
                ),
                detail=detail,
                level=level,
            )
        )
    if reminder is not None:
        items.insert(0, reminder)
    return PanelData(items=items, count=len(items))


def _annual_ago_reminder(federation, notice: int) -> PanelItem | None:
    """Seed 000, art. 13.2: the AGO meets "dans les six mois de la clôture de l'exercice social" (the
    calendar year, art. 14): a reminder while no AGO is set between 1 January and 30 June. One query."""
    today = timezone.localdate()
    deadline = today.replace(month=6, day=30)
    held = Meeting.objects.filter(
        federation=federation,
        body=Body.AGO,
        starts_at__date__gte=today.replace(month=1, day=1),
        starts_at__date__lte=deadline,
    ).exists()
    if held:
        return None
    url = reverse("governance-federation", kwargs={"federation_slug": federation.slug})
    if today > deadline:
        return PanelItem(
            label=_("AGO %(year)d non tenue dans les six mois") % {"year": today.year},
            url=url,
            detail=_("Les statuts la veulent avant le 30 juin (approbation des comptes %(year)d).")
            % {"year": today.year - 1},
            level="danger",
        )
    return PanelItem(
        label=_("AGO %(year)d à prévoir avant le 30 juin") % {"year": today.year},
        url=url,
        detail=_("Comptes %(year)d, budget, rapport d'activité : convocation au moins %(n)d jours avant.")
        % {"year": today.year - 1, "n": notice},
        level="warning",
    )


PANELS = [
    Panel(
        key="governance.open_votes",
        title=gettext_lazy("Votes ouverts et participation"),
        build=open_votes_panel,
        scope=Panel.FEDERATION,
        order=40,
    ),
    Panel(
        key="governance.unpaid_fees",
        title=gettext_lazy("Cotisations impayées"),
        build=unpaid_fees_panel,
        scope=Panel.FEDERATION,
        order=50,
    ),
    Panel(
        key="governance.upcoming_assemblies",
        title=gettext_lazy("Assemblées et bureaux à venir : convocations"),
        build=upcoming_assemblies_panel,
        scope=Panel.FEDERATION,
        order=60,
    ),
]


def register() -> None:
    for panel in PANELS:
        register_panel(panel)
