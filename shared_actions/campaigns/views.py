"""HTML pages of prevention campaigns. Thin: access helpers resolve, services write, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.errors import show_service_error
from shared_actions.access import scope_of
from shared_actions.campaigns import charts, selectors, services
from shared_actions.campaigns.access import (
    access_action_task,
    access_campaign,
    access_campaign_action,
    can_manage_campaign,
)
from shared_actions.campaigns.forms import ActionForm, CampaignForm, IndicatorForm, IndicatorValueForm
from shared_actions.documents.access import access_document
from shared_actions.documents.selectors import campaign_materials, material_choices
from shared_actions.meetings.selectors import campaign_meetings
from shared_actions.selectors import federations_cpts, organising_federations
from shared_actions.web import int_or_404, show_form_errors


@login_required
def campaign_list(request):
    federations = organising_federations(request.user)
    cpts = federations_cpts(federations)
    form = CampaignForm(federations=federations, cpts=cpts) if federations else None
    if request.method == "POST" and federations:
        form = CampaignForm(request.POST, federations=federations, cpts=cpts)
        if form.is_valid():
            data = form.cleaned_data
            federation = next(f for f in federations if f.pk == data.pop("federation"))
            try:
                campaign = services.campaign_create(actor=request.user, federation=federation, **data)
            except ValidationError as exc:
                show_service_error(request, exc)
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


def _chart_blocks(campaign) -> list[dict]:
    return [
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
        for item in selectors.campaign_dashboard(campaign)
    ]


@login_required
def campaign_detail(request, campaign_id):
    campaign = access_campaign(request.user, campaign_id)
    scope = scope_of(request.user)
    can_manage = can_manage_campaign(scope, campaign)
    participants = selectors.campaign_participants(campaign)
    participant_ids = {p.pk for p in participants}
    reportable = selectors.reportable_cpts(campaign, scope, can_manage=can_manage)
    has_reportable = reportable.exists()
    indicators = list(selectors.campaign_indicators(campaign))
    return render(
        request,
        "shared_actions/campaign_detail.html",
        {
            "campaign": campaign,
            "participants": participants,
            "can_manage": can_manage,
            "charts": _chart_blocks(campaign),
            "actions": selectors.campaign_actions(campaign),
            "materials": campaign_materials(request.user, campaign),
            "material_choices": material_choices(request.user, campaign)[:100]
            if can_manage or scope.managed_cpts_ids & participant_ids
            else [],
            "meetings": campaign_meetings(request.user, campaign),
            "value_form": IndicatorValueForm(indicators=indicators, cpts=reportable)
            if indicators and has_reportable
            else None,
            "indicator_form": IndicatorForm() if can_manage else None,
            "action_form": ActionForm(cpts=reportable) if has_reportable else None,
            "is_participant": can_manage or bool(participant_ids & scope.cpts_ids),
        },
    )


@login_required
@require_POST
def campaign_report_value(request, campaign_id):
    campaign = access_campaign(request.user, campaign_id)
    form = IndicatorValueForm(
        request.POST,
        indicators=selectors.campaign_indicators(campaign),
        cpts=selectors.campaign_participants(campaign),
    )
    if not form.is_valid():
        messages.error(request, _("Formulaire incomplet."))
        return redirect("actions-campaign", campaign_id=campaign.pk)
    data = form.cleaned_data
    indicator = selectors.campaign_indicator(campaign, data["indicator"])
    if indicator is None:
        raise Http404
    try:
        services.indicator_value_report(
            actor=request.user, indicator=indicator, cpts=data["cpts"], date=data["date"], value=data["value"]
        )
        messages.success(request, _("Valeur enregistrée."))
    except ValidationError as exc:
        show_service_error(request, exc)
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
            show_service_error(request, exc)
    else:
        messages.error(request, _("Formulaire incomplet."))
    return redirect("actions-campaign", campaign_id=campaign.pk)


@login_required
@require_POST
def campaign_add_action(request, campaign_id):
    campaign = access_campaign(request.user, campaign_id)
    form = ActionForm(request.POST, cpts=selectors.campaign_participants(campaign))
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
            show_service_error(request, exc)
    else:
        show_form_errors(request, form)
    return redirect("actions-campaign", campaign_id=campaign.pk)


@login_required
@require_POST
def action_task(request, action_id):
    """Add a checklist item (`label`) or tick / untick one (`task`, `done`)."""
    action = access_campaign_action(request.user, action_id)
    try:
        if request.POST.get("task"):
            task = access_action_task(request.user, int_or_404(request.POST["task"]), action=action)
            services.action_task_set_done(actor=request.user, task=task, done=request.POST.get("done") == "1")
        elif request.POST.get("label", "").strip():
            services.action_task_add(
                actor=request.user, action=action, label=request.POST["label"].strip()[:200]
            )
    except ValidationError as exc:
        show_service_error(request, exc)
    return redirect(f"{reverse('actions-campaign', args=[action.campaign_id])}#action-{action.pk}")


@login_required
@require_POST
def campaign_add_material(request, campaign_id):
    campaign = access_campaign(request.user, campaign_id)
    document = access_document(request.user, int_or_404(request.POST.get("document")))
    try:
        services.campaign_add_material(actor=request.user, campaign=campaign, document=document)
        messages.success(request, _("Support ajouté."))
    except ValidationError as exc:
        show_service_error(request, exc)
    return redirect("actions-campaign", campaign_id=campaign.pk)
