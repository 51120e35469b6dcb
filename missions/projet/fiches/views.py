"""Fiches action pages (French): the CPTS's fiches, one fiche (edit, status, publication), the federation's
library and the copy into one's own projet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.errors import show_service_error
from missions.projet.access import access_fiche, access_projet_cpts, can_manage
from missions.projet.fiches import selectors, services
from missions.projet.forms import CopyForm, FicheDeleteForm, FicheForm, FicheStatusForm
from missions.projet.models import Mission


@login_required
def fiche_list(request, cpts_slug):
    cpts = access_projet_cpts(request.user, cpts_slug)
    form = FicheForm(indicators=selectors.cpts_indicators(cpts))
    if request.method == "POST":
        cpts = access_projet_cpts(request.user, cpts_slug, for_write=True)
        form = FicheForm(request.POST, indicators=selectors.cpts_indicators(cpts))
        if form.is_valid():
            try:
                fiche = services.fiche_create(actor=request.user, cpts=cpts, data=form.cleaned_data)
            except ValidationError as exc:
                show_service_error(request, exc, form=form)
            else:
                messages.success(request, _("Fiche action créée."))
                return redirect("projet-fiche", cpts_slug=cpts.slug, fiche_id=fiche.pk)
    return render(
        request,
        "projet/fiche_list.html",
        {
            "cpts": cpts,
            "fiches": selectors.cpts_fiches(cpts),
            "form": form,
            "can_manage": can_manage(request.user, cpts),
        },
    )


@login_required
def fiche_page(request, cpts_slug, fiche_id):
    cpts = access_projet_cpts(request.user, cpts_slug)
    fiche = access_fiche(request.user, cpts, fiche_id)
    form = FicheForm(instance=fiche, indicators=selectors.cpts_indicators(cpts))
    if request.method == "POST":
        fiche = access_fiche(request.user, cpts, fiche_id, for_write=True)
        form = FicheForm(
            request.POST,
            instance=access_fiche(request.user, cpts, fiche_id),
            indicators=selectors.cpts_indicators(cpts),
        )
        if form.is_valid():
            try:
                services.fiche_update(actor=request.user, fiche=fiche, data=form.cleaned_data)
            except ValidationError as exc:
                show_service_error(request, exc, form=form)
            else:
                messages.success(request, _("Fiche enregistrée."))
                return redirect("projet-fiche", cpts_slug=cpts.slug, fiche_id=fiche.pk)
    return render(
        request,
        "projet/fiche.html",
        {
            "cpts": cpts,
            "fiche": fiche,
            "form": form,
            "status_form": FicheStatusForm(initial={"status": fiche.status}),
            "delete_form": FicheDeleteForm(),
            "can_manage": can_manage(request.user, cpts),
        },
    )


@login_required
@require_POST
def fiche_action(request, cpts_slug, fiche_id):
    cpts = access_projet_cpts(request.user, cpts_slug, for_write=True)
    fiche = access_fiche(request.user, cpts, fiche_id, for_write=True)
    action = request.POST.get("action")
    try:
        if action == "status":
            form = FicheStatusForm(request.POST)
            form.is_valid()
            services.fiche_set_status(
                actor=request.user, fiche=fiche, status=form.cleaned_data.get("status", "")
            )
        elif action in ("publish", "withdraw"):
            services.fiche_publish(actor=request.user, fiche=fiche, publish=action == "publish")
        elif action == "delete":
            if not FicheDeleteForm(request.POST).is_valid():
                messages.error(request, _("Cochez la case pour confirmer la suppression."))
                return redirect("projet-fiche", cpts_slug=cpts.slug, fiche_id=fiche.pk)
            services.fiche_delete(actor=request.user, fiche=fiche)
            messages.success(request, _("Fiche supprimée."))
            return redirect("projet-fiches", cpts_slug=cpts.slug)
        else:
            raise Http404
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(request, _("C'est enregistré."))
    return redirect("projet-fiche", cpts_slug=cpts.slug, fiche_id=fiche.pk)


def _copy_choices(user, fiche=None):
    return [(c.slug, c.name) for c in selectors.managed_cpts(user) if fiche is None or c.pk != fiche.cpts_id]


@login_required
def library(request):
    mission = request.GET.get("mission")
    mission = int(mission) if mission in {str(m) for m in Mission.values} else None
    return render(
        request,
        "projet/library.html",
        {
            "fiches": selectors.library_fiches(request.user, mission=mission),
            "missions": Mission.choices,
            "mission": mission,
        },
    )


@login_required
def library_fiche(request, fiche_id):
    fiche = selectors.library_fiche(request.user, fiche_id)
    form = CopyForm(cpts_choices=_copy_choices(request.user, fiche))
    if request.method == "POST":
        form = CopyForm(request.POST, cpts_choices=_copy_choices(request.user, fiche))
        if form.is_valid():
            into = access_projet_cpts(request.user, form.cleaned_data["cpts"], for_write=True)
            try:
                copy = services.fiche_copy(actor=request.user, source=fiche, into=into)
            except ValidationError as exc:
                show_service_error(request, exc, form=form)
            else:
                messages.success(
                    request,
                    _("Fiche copiée dans le projet de %(cpts)s : relisez-la et désignez son coordinateur.")
                    % {"cpts": into.name},
                )
                return redirect("projet-fiche", cpts_slug=into.slug, fiche_id=copy.pk)
    return render(request, "projet/library_fiche.html", {"fiche": fiche, "form": form})
