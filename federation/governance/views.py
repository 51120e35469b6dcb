"""French pages of governance: the user's federations and each federation's governance page. The
page's forms are handled by their sub-domain (membership, bureau, statutes, meetings, polls views);
the assembly room and the voting page live in `meetings.views` and `polls.views`."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from federation.governance import selectors
from federation.governance.access import access_governance, can_manage_governance
from federation.governance.bureau import selectors as bureau_selectors
from federation.governance.bureau import views as bureau_views
from federation.governance.bureau.models import BureauRole
from federation.governance.meetings import views as meeting_views
from federation.governance.meetings.views import (
    meeting_action,
    meeting_document,
    meeting_pack_upload,
    meeting_room,
    minutes,
)
from federation.governance.membership import views as membership_views
from federation.governance.polls import views as poll_views
from federation.governance.polls.models import Poll
from federation.governance.polls.views import poll_action, poll_page
from federation.governance.statutes import views as statutes_views
from federation.governance.statutes.forms import StatutesChangeForm, StatutesInitialForm
from federation.governance.statutes.models import Body
from federation.models import Partner
from federation.selectors import user_federations

__all__ = [
    "federation_governance",
    "index",
    "meeting_action",
    "meeting_document",
    "meeting_pack_upload",
    "meeting_room",
    "minutes",
    "poll_action",
    "poll_page",
]

# form name → (handler, reserved to governance managers)
FORMS = {
    "consultation": (poll_views.create_consultation, True),
    "fee": (membership_views.fee_status, True),
    "fee_remind": (membership_views.fee_remind, True),
    "proceeding": (membership_views.proceeding_open, True),
    "proceeding_decide": (membership_views.proceeding_decide, True),
    "bureau": (bureau_views.install, True),
    "partner_propose": (bureau_views.partner_propose, False),
    "partner_answer": (bureau_views.partner_answer, False),
    "statutes": (statutes_views.propose_change, True),
    "statutes_initial": (statutes_views.initialize, True),
    "meeting": (meeting_views.create, True),
}


@login_required
def index(request):
    """The user's federations, with their upcoming meetings, open polls and recent results."""
    rows = [
        {
            "federation": federation,
            "upcoming": selectors.upcoming_meetings(federation)[:5],
            "open_polls": selectors.open_polls(federation)[:10],
            "recent": selectors.polls(federation).filter(status=Poll.Status.PUBLISHED)[:5],
        }
        for federation in user_federations(request.user)
    ]
    return render(request, "governance/index.html", {"rows": rows})


@login_required
def federation_governance(request, federation_slug):
    federation = access_governance(request.user, federation_slug)
    can_manage = can_manage_governance(request.user, federation)
    designable = selectors.designable_members(request.user, federation, manager=can_manage)
    if request.method == "POST":
        form = request.POST.get("form") or "meeting"
        if form == "delegate":
            return membership_views.designate(request, federation, designable)
        if form == "delegate_revoke":
            return membership_views.revoke(request, federation)
        if form == "join":
            return membership_views.join(request, federation)
        if form == "leave":
            return membership_views.leave(request, federation)
        handler, managers_only = FORMS.get(form, (None, True))
        if handler is None or (managers_only and not can_manage):
            raise PermissionDenied
        return handler(request, federation)
    statutes = selectors.statutes_of(federation)
    delegates = list(selectors.active_delegates(federation))
    revocable = {member.pk for member, _users in designable}
    polls = list(selectors.polls(federation))
    return render(
        request,
        "governance/federation.html",
        {
            "federation": federation,
            "can_manage": can_manage,
            "statutes": statutes,
            "bureau": selectors.bureau(federation),
            "delegates": [(d, d.member_id in revocable) for d in delegates],
            "cpts_delegates": [d for d in delegates if d.member.college == "cpts"],
            "meetings": selectors.meetings(federation),
            "polls": [p for p in polls if p.meeting_id is None],
            "register": [p for p in polls if p.status == Poll.Status.PUBLISHED],
            "fees": selectors.fees(federation) if can_manage else [],
            "proceedings": selectors.pending_proceedings(federation) if can_manage else [],
            "bodies": Body.choices,
            "designable": designable,
            "joinable": selectors.joinable_cpts(request.user, federation, manager=can_manage),
            # The CPTS's own coordinators, admins and bureau declare its departure (not every manager).
            "leavable": [m for m, _u in designable]
            if not can_manage
            else [m for m, _u in selectors.designable_members(request.user, federation, manager=False)],
            "statutes_form": StatutesChangeForm(instance=statutes, federation=federation)
            if can_manage
            else None,
            "initial_form": StatutesInitialForm(instance=statutes)
            if can_manage and not selectors.statutes_adopted(federation)
            else None,
            "bureau_roles": BureauRole.choices,
            "today": timezone.localdate(),
            "partner_admissions": bureau_selectors.partner_admissions(federation)[:20]
            if statutes.partners_admitted_by_bureau_unanimity
            else [],
            "partner_kinds": Partner.Kind.choices,
            "on_bureau": bureau_selectors.active_mandates(federation).filter(user=request.user).exists(),
        },
    )
