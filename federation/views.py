from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation import cockpit_selectors, selectors, services
from federation.access import access_cpts, access_federation, can_manage_federation, membership_of
from federation.cockpit import Panel, build_panels
from federation.demo import DEMO_PASSWORD, demo_accounts
from federation.errors import show_service_error
from federation.models import CptsRole, MaturityStage
from federation.territory import aci_size_tier
from federation.territory_access import can_edit_territory, can_use_cockpit, federation_view_for


def home(request):
    if not request.user.is_authenticated:
        # In demo mode the welcome page lists the demo accounts by role (federation/demo.py).
        accounts = demo_accounts() if settings.DEMO_MODE else []
        return render(
            request, "federation/welcome.html", {"demo_accounts": accounts, "demo_password": DEMO_PASSWORD}
        )
    federations = (
        cockpit_selectors.cockpit_federations(request.user)
        if request.user.is_staff
        else selectors.user_federations(request.user)
    )
    return render(
        request,
        "federation/home.html",
        {
            "memberships": selectors.user_memberships(request.user),
            "federations": federations,
            # The home of a federation's coordinators and bureau leads to its cockpit.
            "cockpits": cockpit_selectors.cockpit_federations(request.user),
        },
    )


@login_required
def cpts_home(request, cpts_slug):
    try:
        cpts = access_cpts(request.user, cpts_slug)
    except Http404:
        # The federation's coordinators and bureau see a member CPTS through the federation's view.
        view = federation_view_for(request.user, cpts_slug)
        if view is None:
            raise
        return redirect("federation-cpts", federation_slug=view[0].slug, cpts_slug=view[1].slug)
    membership = membership_of(request.user, cpts)
    population = selectors.cpts_population(cpts)
    return render(
        request,
        "federation/cpts_home.html",
        {
            "cpts": cpts,
            "membership": membership,
            "can_manage": request.user.is_staff or (membership is not None and membership.can_manage),
            "population": population,
            "size_tier": aci_size_tier(population),
            "communes": selectors.cpts_communes(cpts).order_by("name"),
            "members": selectors.cpts_members(cpts),
            "federation": selectors.cpts_federation(cpts),
            "roles": CptsRole.choices,
            "is_project": cpts.maturity_stage == MaturityStage.PROJECT,
            "can_edit_territory": can_edit_territory(request.user, cpts),
            "map_url": reverse("api-cpts-map", kwargs={"cpts_slug": cpts.slug}),
            "map_tile_url": settings.MAP_TILE_URL,
            # What the apps above offer in this space (contract year, register, projet de santé, …).
            "panels": build_panels(Panel.SPACE, cpts, request.user),
        },
    )


@login_required
@require_POST
def cpts_territory_add(request, cpts_slug):
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    codes = [c.strip() for c in request.POST.get("communes", "").replace(";", ",").split(",")]
    try:
        added = services.cpts_add_communes(
            actor=request.user, cpts=cpts, commune_codes=[c for c in codes if c]
        )
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(request, _("%(count)d commune(s) ajoutée(s) au territoire.") % {"count": added})
    return redirect("cpts-home", cpts_slug=cpts.slug)


@login_required
def federation_home(request, federation_slug):
    federation = access_federation(request.user, federation_slug)
    cpts_rows = (
        selectors.cpts_with_population()
        .filter(pk__in=selectors.member_cpts(federation).values("pk"))
        .order_by("name")
    )
    return render(
        request,
        "federation/federation_home.html",
        {
            "federation": federation,
            "cpts_rows": [(cpts, aci_size_tier(cpts.population)) for cpts in cpts_rows],
            "partners": selectors.member_partners(federation).order_by("name"),
            "can_manage": can_manage_federation(request.user, federation),
            "can_cockpit": can_use_cockpit(request.user, federation),
        },
    )
