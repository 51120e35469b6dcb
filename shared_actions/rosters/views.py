"""HTML pages of SNP rosters. Thin: access helpers resolve, services write, selectors read."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.access import access_cpts
from federation.errors import show_service_error
from federation.selectors import user_memberships
from shared_actions import ical
from shared_actions.access import access_owner, scope_of
from shared_actions.rosters import selectors, services, swaps
from shared_actions.rosters.access import (
    access_assignment,
    access_feed,
    access_roster,
    access_shift,
    access_swap_request,
    can_manage_roster,
    roster_cpts_ids,
)
from shared_actions.rosters.exports import hours_csv_response
from shared_actions.rosters.forms import RosterForm, ShiftsForm, SiteForm
from shared_actions.selectors import active_user, organising_federations, recipient_cpts
from shared_actions.web import int_or_404, month_or_404, show_form_errors


def _roster_owners(user):
    scope = scope_of(user)
    cpts_choices = [
        (f"cpts:{m.cpts_id}", m.cpts.name) for m in user_memberships(user) if scope.manages_cpts(m.cpts_id)
    ]
    federations = [
        (f"federation:{f.pk}", _("Mutualisé — %(name)s") % {"name": f.name})
        for f in organising_federations(user)
    ]
    return cpts_choices + federations


@login_required
def roster_list(request):
    owners = _roster_owners(request.user)
    participants = recipient_cpts(request.user)
    form = RosterForm(owners=owners, participants=participants)
    if request.method == "POST":
        form = RosterForm(request.POST, owners=owners, participants=participants)
        if form.is_valid():
            data = form.cleaned_data
            cpts, federation = access_owner(request.user, data["owner"])
            try:
                roster = services.roster_create(
                    actor=request.user,
                    name=data["name"],
                    description=data["description"],
                    cpts=cpts,
                    federation=federation,
                    participants=data["participants"],
                    swap_requires_approval=data["swap_requires_approval"],
                )
            except ValidationError as exc:
                show_service_error(request, exc)
            else:
                messages.success(request, _("Planning créé. Ajoutez ses sites puis ses créneaux."))
                return redirect("actions-roster", roster_id=roster.pk)
    return render(
        request,
        "shared_actions/roster_list.html",
        {
            "rosters": selectors.visible_rosters(request.user),
            "form": form if owners else None,
            "my_shifts": selectors.user_assignments(request.user)[:20],
            "feeds": selectors.user_feeds(request.user),
            "managed_cpts": [m.cpts for m in user_memberships(request.user) if m.can_manage],
            "month": timezone.localdate().strftime("%Y-%m"),
        },
    )


@login_required
def roster_detail(request, roster_id):
    roster = access_roster(request.user, roster_id)
    scope = scope_of(request.user)
    can_manage = can_manage_roster(scope, roster)
    raw = request.GET.get("week")
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    week = selectors.week_start(day)
    sites = list(selectors.roster_sites(roster))
    return render(
        request,
        "shared_actions/roster_detail.html",
        {
            "roster": roster,
            "participants": selectors.roster_participants(roster),
            "can_manage": can_manage,
            # Federation staff see the rosters of their member CPTS; only the CPTS's members sign up.
            "can_sign_up": bool(scope.cpts_ids & roster_cpts_ids(roster)),
            "coverage": selectors.roster_coverage(roster, week),
            "week": week,
            "week_end": week + dt.timedelta(days=6),
            "previous_week": week - dt.timedelta(days=7),
            "next_week": week + dt.timedelta(days=7),
            "mine": selectors.user_assignments_by_shift(request.user, roster),
            "swaps": selectors.roster_swap_requests(roster)[:50],
            "site_form": SiteForm() if can_manage else None,
            "shifts_form": ShiftsForm(sites=sites) if can_manage and sites else None,
            "roster_feeds": selectors.roster_feeds(roster) if can_manage else [],
            "eligible": selectors.roster_eligible_people(roster) if can_manage else [],
            "month": timezone.localdate().strftime("%Y-%m"),
        },
    )


@login_required
@require_POST
def roster_add_site(request, roster_id):
    roster = access_roster(request.user, roster_id, for_write=True)
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            services.site_create(actor=request.user, roster=roster, **form.cleaned_data)
            messages.success(request, _("Site ajouté."))
        except ValidationError as exc:
            show_service_error(request, exc)
    return redirect("actions-roster", roster_id=roster.pk)


@login_required
@require_POST
def roster_add_shifts(request, roster_id):
    roster = access_roster(request.user, roster_id, for_write=True)
    form = ShiftsForm(request.POST, sites=selectors.roster_sites(roster))
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect("actions-roster", roster_id=roster.pk)
    data = form.cleaned_data
    site = selectors.roster_site(roster, data.pop("site"))
    if site is None:
        raise Http404
    try:
        shifts = services.shifts_create_recurring(actor=request.user, roster=roster, site=site, **data)
    except ValidationError as exc:
        show_service_error(request, exc)
        return redirect("actions-roster", roster_id=roster.pk)
    messages.success(request, _("%(n)s créneau(x) créé(s).") % {"n": len(shifts)})
    return redirect(f"{reverse('actions-roster', args=[roster.pk])}?week={data['first_day'].isoformat()}")


def _back_to_roster(request, roster_id):
    week = request.POST.get("week")
    url = reverse("actions-roster", args=[roster_id])
    return redirect(f"{url}?week={week}" if week else url)


@login_required
@require_POST
def shift_sign_up(request, shift_id):
    shift = access_shift(request.user, shift_id)
    user = None
    if request.POST.get("user"):
        user = active_user(int_or_404(request.POST["user"]))
    try:
        services.shift_sign_up(
            actor=request.user, shift=shift, user=user, profession=request.POST.get("profession", "").strip()
        )
        messages.success(request, _("Inscription enregistrée."))
    except ValidationError as exc:
        show_service_error(request, exc)
    return _back_to_roster(request, shift.roster_id)


@login_required
@require_POST
def shift_delete(request, shift_id):
    shift = access_shift(request.user, shift_id, for_write=True)
    try:
        services.shift_delete(actor=request.user, shift=shift)
        messages.success(request, _("Créneau supprimé."))
    except ValidationError as exc:
        show_service_error(request, exc)
    return _back_to_roster(request, shift.roster_id)


@login_required
@require_POST
def assignment_withdraw(request, assignment_id):
    assignment = access_assignment(request.user, assignment_id)
    roster_id = assignment.shift.roster_id
    services.shift_withdraw(actor=request.user, assignment=assignment)
    messages.success(request, _("Désinscription enregistrée."))
    return _back_to_roster(request, roster_id)


@login_required
@require_POST
def assignment_request(request, assignment_id):
    """Ask for a replacement of my assignment (open call), or — with `mine` — offer to swap my
    assignment `mine` with this one."""
    assignment = access_assignment(request.user, assignment_id)
    counterpart = None
    if request.POST.get("mine"):
        counterpart = assignment
        assignment = access_assignment(request.user, int_or_404(request.POST["mine"]))
    if assignment.user_id != request.user.pk:
        raise PermissionDenied
    try:
        swaps.swap_request_create(
            actor=request.user,
            assignment=assignment,
            kind="swap" if counterpart else "replacement",
            counterpart=counterpart,
            message=request.POST.get("message", "")[:300],
        )
        messages.success(request, _("Demande envoyée."))
    except ValidationError as exc:
        show_service_error(request, exc)
    return _back_to_roster(request, assignment.shift.roster_id)


SWAP_ACTIONS = {
    "accepter": swaps.swap_request_accept,
    "valider": swaps.swap_request_approve,
    "refuser": swaps.swap_request_refuse,
    "annuler": swaps.swap_request_cancel,
}


@login_required
@require_POST
def swap_action(request, swap_id, action):
    if action not in SWAP_ACTIONS:
        raise Http404
    swap = access_swap_request(request.user, swap_id)
    try:
        SWAP_ACTIONS[action](actor=request.user, swap=swap)
        messages.success(request, _("Demande mise à jour."))
    except ValidationError as exc:
        show_service_error(request, exc)
    return _back_to_roster(request, swap.assignment.shift.roster_id)


@login_required
def roster_hours(request, roster_id):
    roster = access_roster(request.user, roster_id, for_write=True)
    return hours_csv_response(request, month=month_or_404(request), roster=roster)


@login_required
def cpts_hours(request, cpts_slug):
    """Monthly hours of a CPTS's professionals across every roster (its coordinators)."""
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    return hours_csv_response(request, month=month_or_404(request), cpts=cpts)


@login_required
@require_POST
def feed_create(request):
    roster_id = request.POST.get("roster")
    roster = access_roster(request.user, int_or_404(roster_id), for_write=True) if roster_id else None
    services.calendar_feed_create(actor=request.user, roster=roster)
    messages.success(request, _("Nouvelle adresse d'abonnement créée (l'ancienne ne fonctionne plus)."))
    return redirect("actions-roster", roster_id=roster.pk) if roster else redirect("actions-rosters")


@login_required
@require_POST
def feed_revoke(request, feed_id):
    feed = access_feed(request.user, feed_id)
    services.calendar_feed_revoke(actor=request.user, feed=feed)
    messages.success(request, _("Adresse d'abonnement révoquée."))
    return (
        redirect("actions-roster", roster_id=feed.roster_id)
        if feed.roster_id
        else redirect("actions-rosters")
    )


def ical_feed(request, token):
    """Public (secret-token) iCalendar feed: a person's shifts or a roster's coverage."""
    feed = selectors.feed_by_token(token)
    if feed is None:
        raise Http404
    since = timezone.now() - dt.timedelta(days=60)
    if feed.user_id:
        shifts = selectors.user_shifts(feed.user, ended_after=since)
        body = ical.shifts_calendar(_("Mes gardes SNP"), shifts)
    else:
        shifts = selectors.roster_shifts(feed.roster, ended_after=since)
        body = ical.shifts_calendar(feed.roster.name, shifts, with_coverage=True)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
