"""HTML pages of the federation cockpit, the federation's view of a member CPTS, and territory editing."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation import cockpit_selectors, selectors, territory_selectors, territory_services
from federation.errors import show_service_error
from federation.models import CptsRole, MaturityStage
from federation.territory import aci_size_tier
from federation.territory_access import (
    access_cockpit,
    access_member_cpts,
    access_territory,
    can_edit_territory,
)
from federation.territory_map import summary


def _map_context(api_url: str) -> dict:
    return {"map_url": api_url, "map_tile_url": settings.MAP_TILE_URL}


@login_required
def cockpit(request, federation_slug):
    federation = access_cockpit(request.user, federation_slug)
    data = cockpit_selectors.cockpit(federation, request.user)
    coverage = summary(territory_selectors.federation_map(federation))
    return render(
        request,
        "federation/cockpit.html",
        {
            "federation": federation,
            "cockpit": data,
            "coverage": coverage,
            "coverage_percent": round(coverage["coverage"] * 100),
            **_map_context(reverse("api-federation-map", kwargs={"federation_slug": federation.slug})),
        },
    )


@login_required
def federation_cpts(request, federation_slug, cpts_slug):
    """A member CPTS as the federation sees it: territory, and what the CPTS shares with the federation
    (the CPTS-scope panels); never its private documents or conversations."""
    federation, cpts = access_member_cpts(request.user, federation_slug, cpts_slug)
    population = territory_selectors.cpts_territory_population(cpts)
    managers = [m for m in selectors.cpts_members(cpts) if m.role in (CptsRole.COORDINATOR, CptsRole.ADMIN)]
    return render(
        request,
        "federation/federation_cpts.html",
        {
            "federation": federation,
            "cpts": cpts,
            "population": population,
            "size_tier": aci_size_tier(population),
            "warnings": territory_selectors.cpts_region_warnings(cpts, population),
            "managers": managers,
            "panels": cockpit_selectors.cpts_panels(cpts, request.user),
            "is_project": cpts.maturity_stage == MaturityStage.PROJECT,
            "can_edit": can_edit_territory(request.user, cpts),
            **_map_context(reverse("api-cpts-map", kwargs={"cpts_slug": cpts.slug})),
        },
    )


def _back(request, cpts):
    """Where the territory page leads back to: the CPTS's own space for its members, the federation's
    view of it for the federation."""
    if request.user.is_staff or selectors.user_cpts(request.user).filter(pk=cpts.pk).exists():
        return reverse("cpts-home", kwargs={"cpts_slug": cpts.slug}), cpts.name
    federation = selectors.cpts_federation(cpts)
    return (
        reverse("federation-cpts", kwargs={"federation_slug": federation.slug, "cpts_slug": cpts.slug}),
        cpts.name,
    )


@login_required
def territory(request, cpts_slug):
    cpts = access_territory(request.user, cpts_slug)
    population = territory_selectors.cpts_territory_population(cpts)
    back_url, back_label = _back(request, cpts)
    return render(
        request,
        "federation/territory.html",
        {
            "cpts": cpts,
            "population": population,
            "size_tier": aci_size_tier(population),
            "warnings": territory_selectors.cpts_region_warnings(cpts, population),
            "communes": selectors.cpts_communes(cpts).order_by("name"),
            "history": territory_selectors.territory_history_entries(cpts),
            "can_edit": can_edit_territory(request.user, cpts),
            "placeholder": territory_selectors.placeholder_commune(cpts),
            "back_url": back_url,
            "back_label": back_label,
            **_map_context(reverse("api-cpts-map", kwargs={"cpts_slug": cpts.slug})),
        },
    )


def _codes(values: list[str]) -> list[str]:
    codes = []
    for value in values:
        codes += [c.strip() for c in value.replace(";", ",").split(",") if c.strip()]
    return codes


@login_required
def territory_preview(request, cpts_slug):
    """What the change would give, before it is confirmed (nothing is written here)."""
    cpts = access_territory(request.user, cpts_slug, for_write=True)
    add, remove = _codes(request.GET.getlist("add")), _codes(request.GET.getlist("remove"))
    add = territory_selectors.resolve_communes(add, territory_selectors.territory_departements(cpts))
    if not add and not remove:
        messages.error(request, _("Choisissez d'abord une commune à ajouter ou à retirer."))
        return redirect("cpts-territory", cpts_slug=cpts.slug)
    preview = territory_selectors.territory_preview(cpts, add=add, remove=remove)
    return render(request, "federation/territory_preview.html", {"cpts": cpts, "preview": preview})


@login_required
@require_POST
def territory_confirm(request, cpts_slug):
    cpts = access_territory(request.user, cpts_slug, for_write=True)
    add, remove = _codes(request.POST.getlist("add")), _codes(request.POST.getlist("remove"))
    try:
        added, removed = territory_services.cpts_territory_edit(
            actor=request.user, cpts=cpts, add=add, remove=remove
        )
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        if added:
            messages.success(request, _("%(count)d commune(s) ajoutée(s) au territoire.") % {"count": added})
        if removed:
            messages.success(
                request, _("%(count)d commune(s) retirée(s) du territoire.") % {"count": removed}
            )
    return redirect("cpts-territory", cpts_slug=cpts.slug)
