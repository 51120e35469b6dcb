"""HTML pages of the pooled resources (/actions/). Thin: access helpers resolve, services write."""

import calendar
import csv
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.access import access_cpts, access_federation
from federation.models import Cpts, Federation, SecurityEvent, User
from federation.security import client_ip
from federation.selectors import member_cpts, user_federations, user_memberships
from federation.services import security_event_record
from shared_actions import agenda, charts, ical, library, selectors, services
from shared_actions.access import (
    access_assignment,
    access_campaign,
    access_campaign_action,
    access_document,
    access_document_version,
    access_meeting,
    access_roster,
    access_shift,
    access_swap_request,
    can_manage_campaign,
    can_manage_meeting,
    can_manage_roster,
    can_write_document,
    roster_cpts_ids,
    scope_of,
)
from shared_actions.forms import (
    ActionForm,
    CampaignForm,
    DocumentEditForm,
    DocumentForm,
    IndicatorForm,
    IndicatorValueForm,
    MeetingForm,
    RosterForm,
    ShiftsForm,
    SiteForm,
    VersionForm,
    owner_choices,
)
from shared_actions.models import ActionTask, CampaignTheme, DocumentCategory, Invitation, ShiftAssignment


def _int(value) -> int:
    """An id from a form field; anything else is a 404 (as for an id that does not exist)."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def file_response(version) -> FileResponse:
    """Serve a stored version as an attachment, with its detected type and `nosniff`."""
    handle = default_storage.open(version.file.name, "rb")
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _csv_cell(value) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _month(request) -> dt.date:
    raw = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        return dt.date.fromisoformat(f"{raw}-01")
    except ValueError as exc:
        raise Http404 from exc


def hours_csv_response(request, *, roster=None, cpts=None) -> HttpResponse:
    """Monthly hours per professional and per CPTS, for compensation (semicolon CSV, UTF-8 BOM)."""
    month = _month(request)
    rows = selectors.hours_by_person(month=month, roster=roster, cpts=cpts)
    security_event_record(
        kind=SecurityEvent.Kind.EXPORT,
        actor=request.user,
        ip_address=client_ip(request),
        detail={
            "export": "snp_hours_csv",
            "month": f"{month:%Y-%m}",
            "roster": roster and roster.pk,
            "cpts": cpts and cpts.slug,
        },
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="heures-snp-{month:%Y-%m}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Mois"), _("CPTS"), _("Professionnel"), _("E-mail"), _("Créneaux"), _("Heures")])
    per_cpts: dict[str, list] = {}
    for row in rows:
        writer.writerow(
            [
                f"{month:%Y-%m}",
                _csv_cell(row.cpts),
                _csv_cell(row.person),
                _csv_cell(row.email),
                row.shifts,
                f"{row.hours:.2f}".replace(".", ","),
            ]
        )
        total = per_cpts.setdefault(row.cpts, [0, 0.0])
        total[0] += row.shifts
        total[1] += row.hours
    for name, (count, hours) in sorted(per_cpts.items()):
        writer.writerow(
            [f"{month:%Y-%m}", _csv_cell(name), _("TOTAL CPTS"), "", count, f"{hours:.2f}".replace(".", ",")]
        )
    return response


# --- index ----------------------------------------------------------------------------------------
@login_required
def index(request):
    user = request.user
    return render(
        request,
        "shared_actions/index.html",
        {
            "shifts": selectors.user_assignments(user)[:10],
            "meetings": selectors.visible_meetings(user).filter(end__gte=timezone.now())[:10],
            "swaps": selectors.user_swap_requests(user).filter(status__in=["pending", "accepted"])[:10],
            "federations": user_federations(user),
            "campaigns": selectors.visible_campaigns(user).filter(end_date__gte=timezone.localdate())[:6],
            "documents": selectors.visible_documents(user)[:6],
        },
    )


# --- documents ------------------------------------------------------------------------------------
def _document_owners(user):
    scope = scope_of(user)
    federations = [f for f in user_federations(user) if scope.manages_federation(f.pk)]
    return owner_choices(user_memberships(user), federations)


def _recipients(user):
    return Cpts.objects.filter(
        federation_memberships__federation__in=user_federations(user),
        federation_memberships__left_on__isnull=True,
    ).order_by("name")


def _resolve_owner(user, value: str):
    kind, _sep, pk = (value or "").partition(":")
    if kind == "cpts":
        cpts = Cpts.objects.filter(pk=pk, memberships__user=user).first()
        if cpts is None:
            raise Http404
        return cpts, None
    if kind == "federation":
        federation = Federation.objects.filter(pk=pk).first()
        if federation is None:
            raise Http404
        return None, access_federation(user, federation.slug)
    raise Http404


@login_required
def document_list(request):
    owners = _document_owners(request.user)
    form = DocumentForm(owners=owners, recipients=_recipients(request.user))
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, owners=owners, recipients=_recipients(request.user))
        if form.is_valid():
            data = form.cleaned_data
            cpts, federation = _resolve_owner(request.user, data["owner"])
            try:
                document = services.document_create(
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    visibility=data["visibility"],
                    cpts=cpts,
                    federation=federation,
                    shared_with=data["shared_with"],
                    file=data["file"],
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Document enregistré (version 1)."))
                return redirect("actions-document", document_id=document.pk)
    query = request.GET.get("q", "")
    category = request.GET.get("category", "")
    return render(
        request,
        "shared_actions/document_list.html",
        {
            "documents": selectors.visible_documents(request.user, query=query, category=category)[:200],
            "external": library.external_entries(request.user, query, category),
            "form": form,
            "query": query,
            "category": category,
            "categories": DocumentCategory.choices,
        },
    )


@login_required
def document_detail(request, document_id):
    document = access_document(request.user, document_id)
    can_write = can_write_document(scope_of(request.user), document)
    form = VersionForm()
    if request.method == "POST":
        document = access_document(request.user, document_id, for_write=True)
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.document_add_version(
                    actor=request.user,
                    document=document,
                    file=form.cleaned_data["file"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Version %(n)s enregistrée.") % {"n": version.number})
                return redirect("actions-document", document_id=document.pk)
    return render(
        request,
        "shared_actions/document_detail.html",
        {
            "document": document,
            "versions": selectors.document_versions(document),
            "can_write": can_write,
            "form": form,
            "downloads": selectors.document_downloads(document)[:50] if can_write else None,
            "edit_form": DocumentEditForm(
                initial={
                    "title": document.title,
                    "description": document.description,
                    "category": document.category,
                    "visibility": document.visibility,
                    "shared_with": list(document.shared_with.all()),
                },
                recipients=_recipients(request.user),
            )
            if can_write
            else None,
            "shared_with": document.shared_with.all(),
        },
    )


@login_required
@require_POST
def document_edit(request, document_id):
    document = access_document(request.user, document_id, for_write=True)
    form = DocumentEditForm(request.POST, recipients=_recipients(request.user))
    if form.is_valid():
        try:
            services.document_update(actor=request.user, document=document, **form.cleaned_data)
            messages.success(request, _("Document mis à jour."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        messages.error(request, _("Formulaire incomplet."))
    return redirect("actions-document", document_id=document.pk)


@login_required
def document_download(request, document_id, number):
    version = access_document_version(request.user, document_id, number)
    services.document_record_download(user=request.user, version=version)
    return file_response(version)


# --- rosters --------------------------------------------------------------------------------------
def _roster_owners(user):
    scope = scope_of(user)
    cpts_choices = [
        (f"cpts:{m.cpts_id}", m.cpts.name) for m in user_memberships(user) if scope.manages_cpts(m.cpts_id)
    ]
    federations = [
        (f"federation:{f.pk}", _("Mutualisé — %(name)s") % {"name": f.name})
        for f in user_federations(user)
        if scope.manages_federation(f.pk)
        or (scope.managed_cpts_ids & set(member_cpts(f).values_list("pk", flat=True)))
    ]
    return cpts_choices + federations


@login_required
def roster_list(request):
    owners = _roster_owners(request.user)
    form = RosterForm(owners=owners, participants=_recipients(request.user))
    if request.method == "POST":
        form = RosterForm(request.POST, owners=owners, participants=_recipients(request.user))
        if form.is_valid():
            data = form.cleaned_data
            kind, _sep, pk = data["owner"].partition(":")
            cpts = federation = None
            if kind == "cpts":
                cpts = Cpts.objects.filter(pk=pk).first()
            else:
                federation = Federation.objects.filter(pk=pk).first()
                federation = access_federation(request.user, federation.slug) if federation else None
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
                _errors(request, exc)
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
            "feeds": selectors.active_feeds(request.user).filter(user=request.user),
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
    coverage = selectors.roster_coverage(roster, week)
    sites = list(roster.sites.all())
    mine = {
        a.shift_id: a
        for a in ShiftAssignment.objects.filter(user=request.user, shift__roster=roster).select_related(
            "shift"
        )
    }
    return render(
        request,
        "shared_actions/roster_detail.html",
        {
            "roster": roster,
            "participants": roster.participants.all(),
            "can_manage": can_manage,
            "coverage": coverage,
            "week": week,
            "week_end": week + dt.timedelta(days=6),
            "previous_week": week - dt.timedelta(days=7),
            "next_week": week + dt.timedelta(days=7),
            "mine": mine,
            "swaps": selectors.roster_swap_requests(roster)[:50],
            "site_form": SiteForm() if can_manage else None,
            "shifts_form": ShiftsForm(sites=sites) if can_manage and sites else None,
            "roster_feeds": roster.feeds.filter(revoked_at__isnull=True) if can_manage else [],
            "eligible": User.objects.filter(memberships__cpts_id__in=roster_cpts_ids(roster))
            .distinct()
            .order_by("display_name", "email")
            if can_manage
            else [],
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
            _errors(request, exc)
    return redirect("actions-roster", roster_id=roster.pk)


@login_required
@require_POST
def roster_add_shifts(request, roster_id):
    roster = access_roster(request.user, roster_id, for_write=True)
    form = ShiftsForm(request.POST, sites=roster.sites.all())
    if form.is_valid():
        data = form.cleaned_data
        site = roster.sites.get(pk=data.pop("site"))
        try:
            shifts = services.shifts_create_recurring(actor=request.user, roster=roster, site=site, **data)
            messages.success(request, _("%(n)s créneau(x) créé(s).") % {"n": len(shifts)})
            return redirect(
                f"{reverse('actions-roster', args=[roster.pk])}?week={data['first_day'].isoformat()}"
            )
        except ValidationError as exc:
            _errors(request, exc)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("actions-roster", roster_id=roster.pk)


def _back_to_roster(request, roster_id):
    week = request.POST.get("week")
    url = f"/actions/plannings/{roster_id}/"
    return redirect(f"{url}?week={week}" if week else url)


@login_required
@require_POST
def shift_sign_up(request, shift_id):
    shift = access_shift(request.user, shift_id)
    user = None
    if request.POST.get("user"):
        user = User.objects.filter(pk=_int(request.POST["user"])).first()
    try:
        services.shift_sign_up(
            actor=request.user, shift=shift, user=user, profession=request.POST.get("profession", "").strip()
        )
        messages.success(request, _("Inscription enregistrée."))
    except ValidationError as exc:
        _errors(request, exc)
    return _back_to_roster(request, shift.roster_id)


@login_required
@require_POST
def shift_delete(request, shift_id):
    shift = access_shift(request.user, shift_id, for_write=True)
    try:
        services.shift_delete(actor=request.user, shift=shift)
        messages.success(request, _("Créneau supprimé."))
    except ValidationError as exc:
        _errors(request, exc)
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
        assignment = access_assignment(request.user, _int(request.POST["mine"]))
    if assignment.user_id != request.user.pk:
        raise PermissionDenied
    try:
        services.swap_request_create(
            actor=request.user,
            assignment=assignment,
            kind="swap" if counterpart else "replacement",
            counterpart=counterpart,
            message=request.POST.get("message", "")[:300],
        )
        messages.success(request, _("Demande envoyée."))
    except ValidationError as exc:
        _errors(request, exc)
    return _back_to_roster(request, assignment.shift.roster_id)


@login_required
@require_POST
def swap_action(request, swap_id, action):
    swap = access_swap_request(request.user, swap_id)
    handlers = {
        "accepter": services.swap_request_accept,
        "valider": services.swap_request_approve,
        "refuser": services.swap_request_refuse,
        "annuler": services.swap_request_cancel,
    }
    if action not in handlers:
        raise Http404
    try:
        handlers[action](actor=request.user, swap=swap)
        messages.success(request, _("Demande mise à jour."))
    except ValidationError as exc:
        _errors(request, exc)
    return _back_to_roster(request, swap.assignment.shift.roster_id)


@login_required
def roster_hours(request, roster_id):
    roster = access_roster(request.user, roster_id, for_write=True)
    return hours_csv_response(request, roster=roster)


@login_required
def cpts_hours(request, cpts_slug):
    """Monthly hours of a CPTS's professionals across every roster (its coordinators)."""
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    return hours_csv_response(request, cpts=cpts)


@login_required
@require_POST
def feed_create(request):
    roster_id = request.POST.get("roster")
    roster = access_roster(request.user, _int(roster_id), for_write=True) if roster_id else None
    services.calendar_feed_create(actor=request.user, roster=roster)
    messages.success(request, _("Nouvelle adresse d'abonnement créée (l'ancienne ne fonctionne plus)."))
    return redirect("actions-roster", roster_id=roster.pk) if roster else redirect("actions-rosters")


@login_required
@require_POST
def feed_revoke(request, feed_id):
    feed = selectors.active_feeds(request.user).filter(pk=feed_id).first()
    if feed is None:
        raise Http404
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
        shifts = selectors.user_shifts(feed.user).filter(end__gte=since)
        body = ical.shifts_calendar(_("Mes gardes SNP"), shifts)
    else:
        shifts = selectors.roster_shifts(feed.roster).filter(end__gte=since)
        body = ical.shifts_calendar(feed.roster.name, shifts, with_coverage=True)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- campaigns ------------------------------------------------------------------------------------
@login_required
def campaign_list(request):
    scope = scope_of(request.user)
    federations = [
        f
        for f in user_federations(request.user)
        if scope.manages_federation(f.pk)
        or scope.managed_cpts_ids & set(member_cpts(f).values_list("pk", flat=True))
    ]
    cpts = Cpts.objects.filter(
        federation_memberships__federation__in=federations, federation_memberships__left_on__isnull=True
    ).order_by("name")
    form = CampaignForm(federations=federations, cpts=cpts) if federations else None
    if request.method == "POST" and federations:
        form = CampaignForm(request.POST, federations=federations, cpts=cpts)
        if form.is_valid():
            data = form.cleaned_data
            federation = next(f for f in federations if f.pk == data.pop("federation"))
            try:
                campaign = services.campaign_create(actor=request.user, federation=federation, **data)
            except ValidationError as exc:
                _errors(request, exc)
            except PermissionDenied:
                messages.error(
                    request,
                    _(
                        "Seules l'équipe de la fédération et les coordinatrices et coordinateurs de la CPTS "
                        "pilote peuvent créer cette campagne."
                    ),
                )
            else:
                messages.success(request, _("Campagne créée."))
                return redirect("actions-campaign", campaign_id=campaign.pk)
    return render(
        request,
        "shared_actions/campaign_list.html",
        {"campaigns": selectors.visible_campaigns(request.user), "form": form, "federations": federations},
    )


@login_required
def campaign_detail(request, campaign_id):
    campaign = access_campaign(request.user, campaign_id)
    scope = scope_of(request.user)
    can_manage = can_manage_campaign(scope, campaign)
    participants = campaign.participants.order_by("name")
    reportable = participants if can_manage else participants.filter(pk__in=scope.managed_cpts_ids)
    dashboard = selectors.campaign_dashboard(campaign)
    chart_blocks = [
        {
            "progress": item,
            "bars": charts.progress_bars(
                _("%(name)s : progression par CPTS") % {"name": item.indicator.name},
                item.per_cpts,
                item.overall,
                item.indicator.unit,
            ),
            "line": charts.progress_line(
                _("%(name)s : total départemental dans le temps") % {"name": item.indicator.name},
                item.series,
                item.indicator.target,
            ),
        }
        for item in dashboard
    ]
    indicators = list(campaign.indicators.all())
    return render(
        request,
        "shared_actions/campaign_detail.html",
        {
            "campaign": campaign,
            "participants": participants,
            "can_manage": can_manage,
            "charts": chart_blocks,
            "actions": selectors.campaign_actions(campaign),
            "materials": selectors.visible_documents(request.user).filter(campaigns=campaign),
            "material_choices": selectors.visible_documents(request.user)
            .filter(federation=campaign.federation)
            .exclude(campaigns=campaign)[:100]
            if can_manage or scope.managed_cpts_ids & {p.pk for p in participants}
            else [],
            "meetings": selectors.visible_meetings(request.user).filter(campaign=campaign),
            "value_form": IndicatorValueForm(indicators=indicators, cpts=reportable)
            if indicators and reportable.exists()
            else None,
            "indicator_form": IndicatorForm() if can_manage else None,
            "action_form": ActionForm(cpts=reportable) if reportable.exists() else None,
            "is_participant": can_manage or bool({p.pk for p in participants} & scope.cpts_ids),
        },
    )


@login_required
@require_POST
def campaign_report_value(request, campaign_id):
    campaign = access_campaign(request.user, campaign_id)
    form = IndicatorValueForm(
        request.POST, indicators=campaign.indicators.all(), cpts=campaign.participants.all()
    )
    if form.is_valid():
        data = form.cleaned_data
        indicator = campaign.indicators.get(pk=data["indicator"])
        try:
            services.indicator_value_report(
                actor=request.user,
                indicator=indicator,
                cpts=data["cpts"],
                date=data["date"],
                value=data["value"],
            )
            messages.success(request, _("Valeur enregistrée."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        messages.error(request, _("Formulaire incomplet."))
    return redirect("actions-campaign", campaign_id=campaign.pk)


@login_required
@require_POST
def campaign_add_indicator(request, campaign_id):
    campaign = access_campaign(request.user, campaign_id, for_write=True)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_create(actor=request.user, campaign=campaign, **form.cleaned_data)
            messages.success(request, _("Indicateur ajouté."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        messages.error(request, _("Formulaire incomplet."))
    return redirect("actions-campaign", campaign_id=campaign.pk)


@login_required
@require_POST
def campaign_add_action(request, campaign_id):
    campaign = access_campaign(request.user, campaign_id)
    form = ActionForm(request.POST, cpts=campaign.participants.all())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.campaign_action_create(
                actor=request.user,
                campaign=campaign,
                title=data["title"],
                date=data["date"],
                cpts=data["cpts"],
                place=data["place"],
                commune=data["commune"],
                resources=data["resources"],
                tasks=[line.strip() for line in data["tasks"].splitlines()],
            )
            messages.success(request, _("Action ajoutée."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("actions-campaign", campaign_id=campaign.pk)


@login_required
@require_POST
def action_task(request, action_id):
    """Add a checklist item (`label`) or tick / untick one (`task`, `done`)."""
    action = access_campaign_action(request.user, action_id)
    try:
        if request.POST.get("task"):
            task = ActionTask.objects.filter(pk=request.POST["task"], action=action).first()
            if task is None:
                raise Http404
            services.action_task_set_done(actor=request.user, task=task, done=request.POST.get("done") == "1")
        elif request.POST.get("label", "").strip():
            services.action_task_add(
                actor=request.user, action=action, label=request.POST["label"].strip()[:200]
            )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(f"/actions/campagnes/{action.campaign_id}/#action-{action.pk}")


@login_required
@require_POST
def campaign_add_material(request, campaign_id):
    campaign = access_campaign(request.user, campaign_id)
    document = access_document(request.user, _int(request.POST.get("document")))
    try:
        services.campaign_add_material(actor=request.user, campaign=campaign, document=document)
        messages.success(request, _("Support ajouté."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("actions-campaign", campaign_id=campaign.pk)


# --- department agenda ----------------------------------------------------------------------------
def _agenda_filters(request, federation):
    month = _month(request)
    first, last = selectors.month_bounds(month)
    cpts_slug = request.GET.get("cpts", "")
    cpts = member_cpts(federation).filter(slug=cpts_slug).first() if cpts_slug else None
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
            "cpts_choices": member_cpts(federation).order_by("name"),
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
    campaigns = [c for c in selectors.visible_campaigns(request.user) if can_manage_campaign(scope, c)]
    form = MeetingForm(owners=owners, campaigns=campaigns) if owners else None
    if request.method == "POST" and owners:
        form = MeetingForm(request.POST, owners=owners, campaigns=campaigns)
        if form.is_valid():
            data = form.cleaned_data
            cpts, federation = _resolve_owner(request.user, data.pop("owner"))
            campaign_id = data.pop("campaign")
            data["campaign"] = next((c for c in campaigns if c.pk == campaign_id), None)
            try:
                meeting = services.meeting_create(
                    actor=request.user, cpts=cpts, federation=federation, **data
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Réunion créée. Invitez maintenant les participant·es."))
                return redirect("actions-meeting", meeting_id=meeting.pk)
    meetings = selectors.visible_meetings(request.user)
    return render(
        request,
        "shared_actions/meeting_list.html",
        {
            "upcoming": meetings.filter(end__gte=timezone.now()),
            "past": meetings.filter(end__lt=timezone.now()).order_by("-start")[:30],
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
            "invitable": selectors.meeting_invitable_users(meeting).exclude(pk__in=invited_ids)
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
        services.meeting_invite(actor=request.user, meeting=meeting, users=User.objects.filter(pk__in=ids))
        messages.success(request, _("Invitations envoyées."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("actions-meeting", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_reply(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id)
    try:
        services.invitation_reply(actor=request.user, meeting=meeting, reply=request.POST.get("reply", ""))
        messages.success(request, _("Réponse enregistrée."))
    except ValidationError as exc:
        _errors(request, exc)
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
        _errors(request, exc)
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
            _errors(request, exc)
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
