"""HTML pages of the directory (thin: access helpers, services, templates)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directory import selectors, services, vcard
from directory.forms import ErrorReportForm, ProfessionalForm
from directory.search_index import SPEC
from directory.selectors.search import directory_search
from directory.serializers import SearchParamsSerializer
from federation.access import access_cpts
from federation.errors import ServiceError, show_service_error


@login_required
def directory_home(request):
    """Search page: server-rendered first results (works without JavaScript), then instant results."""
    data = {}
    for key in request.GET:
        values = [v for v in request.GET.getlist(key) if v != ""]
        if not values:
            continue
        data[key] = values if key in ("profession", "specialty", "cpts", "commune", "mode") else values[-1]
    serializer = SearchParamsSerializer(data=data)
    answer, errors = None, None
    if serializer.is_valid():
        try:
            answer = directory_search(serializer.validated_data, request.user)
        except ServiceError as exc:
            errors = exc.messages
    else:
        errors = [f"{field} : {' '.join(str(e) for e in errs)}" for field, errs in serializer.errors.items()]
    return render(
        request,
        "directory/search.html",
        {
            "answer": answer,
            "errors": errors,
            "params": request.GET,
            "professions": selectors.professions(),
            "map_tile_url": settings.MAP_TILE_URL,
            "radius_choices": [2, 5, 10, 20, 50],
            "default_radius": f"{SPEC.place_radius_km:g}",
            # Without tiles the map draws the outlines of the results' communes.
            "outlines_url": "" if settings.MAP_TILE_URL else reverse("api-directory-outlines"),
            "initial_communes": [v["value"] for v in (answer or {}).get("facets", {}).get("commune", [])],
            "handles_reports": request.user.is_staff or selectors.viewer_for(request.user).managed_cpts,
        },
    )


@login_required
def professional_detail(request, pk: int):
    professional = selectors.access_professional(request.user, pk)
    viewer = selectors.viewer_for(request.user)
    entry = selectors.EntryView(professional, viewer)
    return render(
        request,
        "directory/professional.html",
        {
            "pro": professional,
            "entry": entry,
            "report_form": ErrorReportForm(),
            "history": selectors.entry_history(professional=professional)[:20] if entry.can_edit else None,
            "managed_cpts": viewer.managed_cpts
            | ({link.cpts_id for link in professional.cpts_links.all()} if viewer.is_staff else set()),
            "map_tile_url": settings.MAP_TILE_URL,
        },
    )


@login_required
def professional_edit(request, pk: int):
    professional = selectors.access_professional(request.user, pk, for_write=True)
    form = ProfessionalForm(request.POST or None, instance=professional)
    if request.method == "POST" and form.is_valid():
        data, visibility = form.changed_data_and_visibility()
        try:
            services.professional_update(
                actor=request.user, professional=professional, data=data, visibility=visibility
            )
        except ValidationError as exc:  # ServiceError, or full_clean()'s
            show_service_error(request, exc, form)
        else:
            messages.success(request, _("Fiche mise à jour."))
            return redirect("directory-professional", pk=pk)
    return render(request, "directory/professional_edit.html", {"pro": professional, "form": form})


@login_required
def professional_leave(request, pk: int, cpts_slug: str):
    """Detach an entry from a CPTS the user coordinates, after a confirmation page."""
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    professional = selectors.cpts_professional(cpts, pk)
    if request.method == "POST":
        services.professional_leave_cpts(actor=request.user, professional=professional, cpts=cpts)
        messages.success(request, _("Fiche retirée de %(cpts)s.") % {"cpts": cpts.name})
        return redirect("directory-professional", pk=pk)
    return render(request, "directory/professional_leave.html", {"pro": professional, "cpts": cpts})


@login_required
def professional_vcard(request, pk: int):
    """vCard 3.0 of an entry, with only the fields the viewer may see."""
    professional = selectors.access_professional(request.user, pk)
    entry = selectors.EntryView(professional, selectors.viewer_for(request.user))

    card = vcard.professional_vcard(professional, entry)  # vobject escapes every value (issue 17)
    response = HttpResponse(card, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(professional.full_name) or "fiche"}.vcf"'
    )
    return response


@login_required
@require_POST
def professional_report(request, pk: int):
    professional = selectors.access_professional(request.user, pk)
    form = ErrorReportForm(request.POST)
    if form.is_valid():
        try:
            services.error_report_create(
                actor=request.user, professional=professional, message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            show_service_error(request, exc)
        else:
            messages.success(request, _("Merci : le signalement a été transmis aux coordinateurs."))
    else:
        messages.error(request, _("Décrivez l'erreur constatée (2 000 caractères au plus)."))
    return redirect("directory-professional", pk=pk)


@login_required
def error_reports(request):
    """Open reports on the entries of the CPTS the user coordinates (staff: all)."""
    viewer = selectors.viewer_for(request.user)
    if not (viewer.is_staff or viewer.managed_cpts):
        raise PermissionDenied
    if request.method == "POST":
        report = selectors.access_error_report(
            request.user, int(request.POST.get("report", 0) or 0), for_write=True
        )
        services.error_report_resolve(actor=request.user, report=report)
        messages.success(request, _("Signalement marqué comme traité."))
        return redirect("directory-reports")
    reports = selectors.open_error_reports(viewer)[:200]
    return render(request, "directory/reports.html", {"reports": reports})


@login_required
def structure_detail(request, pk: int):
    structure = selectors.access_structure(request.user, pk)
    viewer = selectors.viewer_for(request.user)
    return render(
        request,
        "directory/structure.html",
        {
            "structure": structure,
            "entry": selectors.EntryView(structure, viewer),
            "report_form": ErrorReportForm(),
            "map_tile_url": settings.MAP_TILE_URL,
        },
    )


@login_required
@require_POST
def structure_report(request, pk: int):
    structure = selectors.access_structure(request.user, pk)
    form = ErrorReportForm(request.POST)
    if form.is_valid():
        services.error_report_create(
            actor=request.user, structure=structure, message=form.cleaned_data["message"]
        )
        messages.success(request, _("Merci : le signalement a été transmis aux coordinateurs."))
    else:
        messages.error(request, _("Décrivez l'erreur constatée (2 000 caractères au plus)."))
    return redirect("directory-structure", pk=pk)
