"""HTML pages of the contract year: the contract of a CPTS (`/cpts/<slug>/contrat/`), an indicator's history,
the review pack's progress and downloads, the simulator (`/missions/simulateur/`) and the federation roll-up
(`/missions/federation/<slug>/`). Thin: access helpers, selectors for reads, services for writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.access import access_cpts
from federation.errors import show_service_error
from federation.selectors import user_cpts, user_federations
from missions import selectors, services
from missions.access import (
    access_indicator,
    access_review_pack,
    access_rollup,
    can_manage_contract,
    can_see_rollup,
)
from missions.cockpit import achievement_chart, funding_chart
from missions.forms import (
    AvenantForm,
    ContractForm,
    IndicatorForm,
    IndicatorTargetForm,
    IndicatorValueForm,
    MissionYearForm,
    ReviewForm,
    SimulatorForm,
)
from missions.funding import MissionInput, simulate
from missions.models import CONTRACT_YEARS, ReviewPack
from missions.rules import get_rule_set, latest_rule_set


def _year(request, contract) -> int:
    try:
        year = int(request.GET.get("annee") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    if not 1 <= year <= CONTRACT_YEARS:
        year = selectors.current_year(contract)
    return year


def _contract_url(cpts_slug: str, year: int | None = None) -> str:
    url = reverse("missions-contract", args=[cpts_slug])
    return f"{url}?annee={year}" if year else url


@login_required
def index(request):
    """Where the contract year starts: the user's CPTS (their contracts), the roll-ups the user may read,
    the simulator."""
    return render(
        request,
        "missions/index.html",
        {
            "cpts_list": user_cpts(request.user).order_by("name"),
            "federations": [f for f in user_federations(request.user) if can_see_rollup(request.user, f)],
        },
    )


@login_required
def contract_page(request, cpts_slug):
    cpts = access_cpts(request.user, cpts_slug)
    can_manage = can_manage_contract(request.user, cpts)
    contract = selectors.contract_of(cpts)
    if contract is None:
        form = (
            ContractForm(initial={"rule_set": latest_rule_set().id, "missions": [1, 2, 3, 4]})
            if can_manage
            else None
        )
        return render(
            request, "missions/contract_empty.html", {"cpts": cpts, "form": form, "can_manage": can_manage}
        )
    year = _year(request, contract)
    funding = selectors.contract_year_funding(contract, year)
    rows = selectors.indicator_rows(contract, year)
    return render(
        request,
        "missions/contract.html",
        {
            "cpts": cpts,
            "contract": contract,
            "can_manage": can_manage,
            "year": year,
            "years": selectors.contract_years(contract),
            "current_year": selectors.current_year(contract),
            "result": funding,
            "funding": funding.funding,
            "rows": rows,
            "next_review": selectors.next_review(contract),
            "review_window": contract.review_window(year),
            "packs": selectors.review_packs(contract)[:5],
            "value_form": IndicatorValueForm(),
            "avenant_form": AvenantForm() if can_manage else None,
            "indicator_form": IndicatorForm() if can_manage else None,
            "review_form": ReviewForm() if can_manage else None,
            "mission_year_form": MissionYearForm(),
            "crisis_mission": selectors.contract_mission(contract, 4),
        },
    )


@login_required
@require_POST
def contract_create(request, cpts_slug):
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    form = ContractForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contract_create(
                actor=request.user,
                cpts=cpts,
                signed_on=data["signed_on"],
                rule_set=data["rule_set"],
                ars_name=data["ars_name"],
                cpam_name=data["cpam_name"],
                population=data["population"],
                missions=[{"number": n, "start_year": 1} for n in data["missions"]],
            )
        except ValidationError as exc:
            show_service_error(request, exc, form)
        else:
            messages.success(request, _("Contrat ACI enregistré."))
            return redirect(_contract_url(cpts.slug))
    return render(
        request, "missions/contract_empty.html", {"cpts": cpts, "form": form, "can_manage": True}, status=400
    )


def _managed_contract(request, cpts_slug):
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    contract = selectors.contract_of(cpts)
    if contract is None:
        raise Http404
    return contract


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)


@login_required
@require_POST
def indicator_value(request, cpts_slug, pk):
    indicator = access_indicator(request.user, pk, for_write=True)
    if indicator.mission.contract.cpts.slug != cpts_slug:
        raise Http404
    contract = indicator.mission.contract
    year = _year(request, contract)
    form = IndicatorValueForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_value_set(
                actor=request.user, indicator=indicator, year=year, **form.cleaned_data
            )
        except ValidationError as exc:
            show_service_error(request, exc)
        else:
            messages.success(request, _("Valeur enregistrée : « %(name)s ».") % {"name": indicator.name})
    else:
        _form_errors(request, form)
    return redirect(_contract_url(cpts_slug, year) + f"#indicator-{indicator.pk}")


@login_required
def indicator_history(request, cpts_slug, pk):
    indicator = access_indicator(request.user, pk)
    if indicator.mission.contract.cpts.slug != cpts_slug:
        raise Http404
    cpts = indicator.mission.contract.cpts
    form = None
    if can_manage_contract(request.user, cpts):
        form = IndicatorTargetForm(
            initial={
                "target": indicator.target,
                "weight": indicator.weight,
                "data_source": indicator.data_source,
            }
        )
    return render(
        request,
        "missions/indicator_history.html",
        {
            "indicator": indicator,
            "cpts": cpts,
            "changes": selectors.indicator_history(indicator),
            "form": form,
        },
    )


@login_required
@require_POST
def indicator_target(request, cpts_slug, pk):
    indicator = access_indicator(request.user, pk, for_write=True)
    if indicator.mission.contract.cpts.slug != cpts_slug:
        raise Http404
    form = IndicatorTargetForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_update(actor=request.user, indicator=indicator, **form.cleaned_data)
        except ValidationError as exc:
            show_service_error(request, exc)
        else:
            messages.success(request, _("Indicateur mis à jour."))
    else:
        _form_errors(request, form)
    return redirect("missions-indicator-history", cpts_slug=cpts_slug, pk=indicator.pk)


@login_required
@require_POST
def indicator_add(request, cpts_slug):
    contract = _managed_contract(request, cpts_slug)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        mission = selectors.contract_mission(contract, data.pop("mission"))
        if mission is None:
            messages.error(request, _("Cette mission ne figure pas au contrat."))
        else:
            try:
                services.indicator_create(actor=request.user, mission=mission, **data)
            except ValidationError as exc:
                show_service_error(request, exc)
            else:
                messages.success(request, _("Indicateur ajouté."))
    else:
        _form_errors(request, form)
    return redirect(_contract_url(cpts_slug, _year(request, contract)))


@login_required
@require_POST
def autofill(request, cpts_slug):
    contract = _managed_contract(request, cpts_slug)
    year = _year(request, contract)
    changed = services.indicators_autofill(contract=contract, year=year, actor=request.user)
    messages.success(
        request,
        _("Indicateurs recalculés depuis la plateforme : %(count)d valeur(s) modifiée(s).")
        % {"count": changed},
    )
    return redirect(_contract_url(cpts_slug, year))


@login_required
@require_POST
def avenant_add(request, cpts_slug):
    contract = _managed_contract(request, cpts_slug)
    form = AvenantForm(request.POST)
    if form.is_valid():
        try:
            services.avenant_add(actor=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as exc:
            show_service_error(request, exc)
        else:
            messages.success(request, _("Avenant enregistré."))
    else:
        _form_errors(request, form)
    return redirect(_contract_url(cpts_slug))


@login_required
@require_POST
def review_schedule(request, cpts_slug):
    contract = _managed_contract(request, cpts_slug)
    year = _year(request, contract)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_schedule(actor=request.user, contract=contract, year=year, **form.cleaned_data)
        except ValidationError as exc:
            show_service_error(request, exc)
        else:
            messages.success(request, _("Date de la revue annuelle enregistrée."))
    else:
        _form_errors(request, form)
    return redirect(_contract_url(cpts_slug, year))


@login_required
@require_POST
def mission_year(request, cpts_slug, number):
    contract = _managed_contract(request, cpts_slug)
    year = _year(request, contract)
    mission = selectors.contract_mission(contract, number)
    if mission is None:
        raise Http404
    form = MissionYearForm(request.POST)
    if form.is_valid():
        try:
            services.mission_year_set(actor=request.user, mission=mission, year=year, **form.changes())
        except ValidationError as exc:
            show_service_error(request, exc)
        else:
            messages.success(request, _("Mission mise à jour pour l'année %(year)d.") % {"year": year})
    else:
        _form_errors(request, form)
    return redirect(_contract_url(cpts_slug, year))


@login_required
@require_POST
def pack_request(request, cpts_slug):
    contract = _managed_contract(request, cpts_slug)
    year = _year(request, contract)
    pack = services.review_pack_request(actor=request.user, contract=contract, year=year)
    return redirect("missions-pack", pk=pack.pk)


@login_required
def pack_page(request, pk):
    pack = access_review_pack(request.user, pk)
    running = pack.status in (ReviewPack.Status.PENDING, ReviewPack.Status.RUNNING)
    return render(
        request, "missions/pack.html", {"pack": pack, "cpts": pack.contract.cpts, "running": running}
    )


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@login_required
def pack_download(request, pk, fmt):
    pack = access_review_pack(request.user, pk)
    if fmt not in CONTENT_TYPES or pack.status != ReviewPack.Status.DONE:
        raise Http404
    file = getattr(pack, fmt)
    response = FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])
    response["Content-Type"] = CONTENT_TYPES[fmt]
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def simulator(request):
    form = SimulatorForm(request.GET or None, initial={"rule_set": latest_rule_set().id})
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = simulate(
                rule_set=get_rule_set(data["rule_set"]),
                population=data["population"],
                members=data["members"],
                missions_started=data["missions_started"],
                missions=[
                    MissionInput(
                        number=m["number"],
                        achievement=m["achievement"],
                        crisis_plan=m["crisis_plan"],
                        crisis_occurred=m["crisis_occurred"],
                    )
                    for m in form.missions()
                ],
            )
        except ValidationError as exc:
            show_service_error(request, exc, form)
    return render(request, "missions/simulator.html", {"form": form, "result": result})


@login_required
def rollup(request, federation_slug):
    federation = access_rollup(request.user, federation_slug)
    rows = selectors.federation_rollup(federation, timezone.localdate())
    return render(
        request,
        "missions/rollup.html",
        {
            "federation": federation,
            "rows": rows,
            "funding_chart": funding_chart(rows),
            "achievement_chart": achievement_chart(rows),
        },
    )
