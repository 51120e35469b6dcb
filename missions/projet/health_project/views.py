"""Projet de santé pages (French): the projet, its draft's sections, its versions and their acknowledgement."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation.errors import show_service_error
from missions.projet.access import access_projet_cpts, access_register_member, can_manage
from missions.projet.fiches.selectors import cpts_fiches
from missions.projet.forms import (
    NewVersionForm,
    ProjectStartForm,
    ProjectStatusForm,
    PublishForm,
    VersionForm,
)
from missions.projet.health_project import pdf, selectors, services
from missions.projet.health_project.services import MIN_FICHES


@login_required
def project_page(request, cpts_slug):
    cpts = access_projet_cpts(request.user, cpts_slug)
    project = selectors.cpts_project(cpts)
    manager = can_manage(request.user, cpts)
    draft = selectors.draft_version(project) if project else None
    draft_form = VersionForm(instance=draft) if draft else None
    if request.method == "POST" and draft is not None:
        cpts = access_projet_cpts(request.user, cpts_slug, for_write=True)
        draft_form = VersionForm(request.POST, instance=selectors.draft_version(project))
        if draft_form.is_valid():
            try:
                services.version_update(actor=request.user, version=draft, data=draft_form.cleaned_data)
            except ValidationError as exc:
                show_service_error(request, exc, form=draft_form)
            else:
                messages.success(request, _("Brouillon enregistré."))
                return redirect("projet-health-project", cpts_slug=cpts.slug)
    fiches = list(cpts_fiches(cpts))
    counted = [f for f in fiches if f.status != "abandoned"]
    return render(
        request,
        "projet/health_project.html",
        {
            "cpts": cpts,
            "project": project,
            "can_manage": manager,
            "draft": draft,
            "draft_form": draft_form,
            "versions": selectors.project_versions(project) if project else [],
            "acknowledged": selectors.user_acknowledged_versions(request.user, project) if project else set(),
            "is_member": selectors.acknowledging_member(request.user, cpts) is not None,
            "diagnosis": selectors.territory_diagnosis(cpts),
            "fiches": fiches,
            "fiches_missing": max(0, MIN_FICHES - len(counted)),
            "start_form": ProjectStartForm(),
            "publish_form": PublishForm(),
            "new_version_form": NewVersionForm(),
            "status_form": ProjectStatusForm(initial={"status": project.status if project else None}),
        },
    )


@login_required
@require_POST
def project_action(request, cpts_slug):
    action = request.POST.get("action", "")
    cpts = access_projet_cpts(request.user, cpts_slug, for_write=action != "acknowledge")
    project = selectors.cpts_project(cpts)
    if project is None and action != "start":
        raise Http404
    try:
        if action == "start":
            form = ProjectStartForm(request.POST)
            form.is_valid()
            services.project_start(actor=request.user, cpts=cpts, title=form.cleaned_data.get("title", ""))
        elif action == "publish":
            form = PublishForm(request.POST)
            if not form.is_valid():
                messages.error(
                    request, _("Indiquez la date et cochez la confirmation pour publier la version.")
                )
                return redirect("projet-health-project", cpts_slug=cpts.slug)
            services.version_publish(actor=request.user, project=project, dated=form.cleaned_data["dated"])
        elif action == "new-version":
            form = NewVersionForm(request.POST)
            form.is_valid()
            services.version_new_draft(
                actor=request.user, project=project, kind=form.cleaned_data.get("kind", "")
            )
        elif action == "status":
            form = ProjectStatusForm(request.POST)
            form.is_valid()
            services.project_set_status(
                actor=request.user, project=project, status=form.cleaned_data.get("status", "")
            )
        elif action == "record-acknowledgement":
            version = selectors.project_version(project, int(request.POST.get("number") or 0))
            if version is None:
                raise Http404
            member = access_register_member(
                request.user, cpts, int(request.POST.get("member") or 0), for_write=True
            )
            services.version_acknowledge_record(
                actor=request.user, version=version, member=member, evidence=request.POST.get("evidence", "")
            )
            messages.success(request, _("Prise de connaissance enregistrée."))
            return redirect("projet-version", cpts_slug=cpts.slug, number=version.number)
        elif action == "acknowledge":
            version = selectors.project_version(project, int(request.POST.get("number") or 0))
            if version is None:
                raise Http404
            services.version_acknowledge(actor=request.user, version=version)
        else:
            raise Http404
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(request, _("C'est enregistré."))
    return redirect("projet-health-project", cpts_slug=cpts.slug)


@login_required
def version_page(request, cpts_slug, number):
    cpts = access_projet_cpts(request.user, cpts_slug)
    project = selectors.cpts_project(cpts)
    version = selectors.project_version(project, number) if project else None
    if version is None:
        raise Http404
    return render(
        request,
        "projet/version.html",
        {
            "cpts": cpts,
            "project": project,
            "version": version,
            "acknowledgements": selectors.version_acknowledgements(version),
            "signatures": selectors.members_for_signature(cpts, version),
            "can_manage": can_manage(request.user, cpts),
        },
    )


@login_required
def version_pdf(request, cpts_slug, number):
    cpts = access_projet_cpts(request.user, cpts_slug)
    project = selectors.cpts_project(cpts)
    version = selectors.project_version(project, number) if project else None
    if version is None:
        raise Http404
    response = HttpResponse(pdf.version_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="projet-de-sante-{cpts.slug}-v{number}.pdf"'
    return response
