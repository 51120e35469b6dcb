"""HTML pages of meetings and of the department agenda. Thin: access helpers resolve, services write,
selectors read."""

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.access import access_federation
from federation.errors import show_service_error
from federation.selectors import user_federations, user_memberships
from shared_actions import ical
from shared_actions.access import access_owner, scope_of
from shared_actions.campaigns.access import can_manage_campaign
from shared_actions.campaigns.models import CampaignTheme
from shared_actions.campaigns.selectors import visible_campaigns
from shared_actions.common import month_bounds
from shared_actions.documents.forms import VersionForm
from shared_actions.meetings import agenda, selectors, services
from shared_actions.meetings.access import access_meeting, can_manage_meeting
from shared_actions.meetings.forms import MeetingForm
from shared_actions.meetings.models import Invitation
from shared_actions.selectors import active_users, federations_cpts, member_cpts_by_slug
from shared_actions.web import month_or_404


# --- department agenda ----------------------------------------------------------------------------
def _agenda_filters(request, federation):
    month = month_or_404(request)
    first, last = month_bounds(month)
    cpts_slug = request.GET.get("cpts", "")
    cpts = member_cpts_by_slug(federation, cpts_slug)
    theme = request.GET.get("theme", "")
    kinds = {k for k in request.GET.getlist("kind") if k}
    entries = agenda.department_agenda(
        request.user,
        federation,
        first,
        last,
        cpts_id=cpts.pk if cpts else None,
        theme=theme,
        kinds=kinds or None,
    )
    return month, first, last, cpts, theme, kinds, entries


@login_required
def federation_agenda(request, federation_slug):
    federation = access_federation(request.user, federation_slug)
    month, first, last, cpts, theme, kinds, entries = _agenda_filters(request, federation)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [
                {
                    "day": day,
                    "in_month": day.month == month.month,
                    # Long campaigns are listed above the grid; the grid marks their first and last day.
                    "entries": [
                        e
                        for e in entries
                        if e.day <= day <= e.last_day and (e.kind != "campaign" or day in (e.day, e.last_day))
                    ],
                }
                for day in week
            ]
        )
    previous_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return render(
        request,
        "shared_actions/agenda.html",
        {
            "federation": federation,
            "month": month,
            "weeks": weeks,
            "entries": entries,
            "ongoing": [e for e in entries if e.kind == "campaign"],
            "cpts_choices": federations_cpts([federation]),
            "themes": CampaignTheme.choices,
            "kinds": agenda.KIND_CHOICES,
            "selected_cpts": cpts.slug if cpts else "",
            "selected_theme": theme,
            "selected_kinds": kinds,
            "previous_month": previous_month.strftime("%Y-%m"),
            "next_month": next_month.strftime("%Y-%m"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def federation_agenda_ics(request, federation_slug):
    federation = access_federation(request.user, federation_slug)
    *_rest, entries = _agenda_filters(request, federation)
    body = ical.agenda_calendar(_("Agenda — %(name)s") % {"name": federation.name}, entries)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agenda-{federation.slug}.ics"'
    return response


# --- meetings -------------------------------------------------------------------------------------
def _meeting_owners(user):
    scope = scope_of(user)
    choices = [
        (f"cpts:{m.cpts_id}", m.cpts.name) for m in user_memberships(user) if scope.manages_cpts(m.cpts_id)
    ]
    choices += [
        (f"federation:{f.pk}", f.name) for f in user_federations(user) if scope.manages_federation(f.pk)
    ]
    return choices


@login_required
def meeting_list(request):
    owners = _meeting_owners(request.user)
    scope = scope_of(request.user)
    campaigns = [c for c in visible_campaigns(request.user) if can_manage_campaign(scope, c)]
    form = MeetingForm(owners=owners, campaigns=campaigns) if owners else None
    if request.method == "POST" and owners:
        form = MeetingForm(request.POST, owners=owners, campaigns=campaigns)
        if form.is_valid():
            data = form.cleaned_data
            cpts, federation = access_owner(request.user, data.pop("owner"))
            campaign_id = data.pop("campaign")
            data["campaign"] = next((c for c in campaigns if c.pk == campaign_id), None)
            try:
                meeting = services.meeting_create(
                    actor=request.user, cpts=cpts, federation=federation, **data
                )
            except ValidationError as exc:
                show_service_error(request, exc)
            else:
                messages.success(request, _("Réunion créée. Invitez maintenant les participant·es."))
                return redirect("actions-meeting", meeting_id=meeting.pk)
    return render(
        request,
        "shared_actions/meeting_list.html",
        {
            "upcoming": selectors.upcoming_meetings(request.user),
            "past": selectors.past_meetings(request.user)[:30],
            "form": form,
            "federations": user_federations(request.user),
        },
    )


@login_required
def meeting_detail(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id)
    can_manage = can_manage_meeting(scope_of(request.user), meeting)
    invitations = selectors.meeting_invitations(meeting)
    invited_ids = {i.user_id for i in invitations}
    return render(
        request,
        "shared_actions/meeting_detail.html",
        {
            "meeting": meeting,
            "can_manage": can_manage,
            "invitations": invitations,
            "my_invitation": next((i for i in invitations if i.user_id == request.user.pk), None),
            "invitable": selectors.meeting_invitable_users(meeting, exclude=invited_ids)
            if can_manage
            else [],
            "replies": Invitation.Reply.choices[1:],
            "minutes_form": VersionForm() if can_manage else None,
        },
    )


@login_required
@require_POST
def meeting_invite(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id, for_write=True)
    ids = [int(pk) for pk in request.POST.getlist("users") if pk.isdigit()]
    try:
        services.meeting_invite(actor=request.user, meeting=meeting, users=active_users(ids))
        messages.success(request, _("Invitations envoyées."))
    except ValidationError as exc:
        show_service_error(request, exc)
    return redirect("actions-meeting", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_reply(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id)
    try:
        services.invitation_reply(actor=request.user, meeting=meeting, reply=request.POST.get("reply", ""))
        messages.success(request, _("Réponse enregistrée."))
    except ValidationError as exc:
        show_service_error(request, exc)
    return redirect("actions-meeting", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_attendance(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id, for_write=True)
    ids = [int(pk) for pk in request.POST.getlist("present") if pk.isdigit()]
    try:
        services.attendance_record(actor=request.user, meeting=meeting, present_user_ids=ids)
        messages.success(request, _("Émargement enregistré."))
    except ValidationError as exc:
        show_service_error(request, exc)
    return redirect("actions-meeting", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_minutes(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id, for_write=True)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_attach_minutes(
                actor=request.user, meeting=meeting, file=form.cleaned_data["file"]
            )
            messages.success(request, _("Compte rendu enregistré dans les documents partagés."))
        except ValidationError as exc:
            show_service_error(request, exc)
    else:
        messages.error(request, _("Aucun fichier n'a été envoyé."))
    return redirect("actions-meeting", meeting_id=meeting.pk)


@login_required
def meeting_sign_sheet(request, meeting_id):
    """Printable attendance list (liste d'émargement)."""
    meeting = access_meeting(request.user, meeting_id, for_write=True)
    return render(
        request,
        "shared_actions/meeting_sign_sheet.html",
        {"meeting": meeting, "invitations": selectors.meeting_invitations(meeting)},
    )


@login_required
def meeting_ics(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id)
    response = HttpResponse(
        ical.meeting_invitation(meeting, request.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="reunion.ics"'
    return response
