from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation import selectors, services
from federation.access import access_cpts, access_federation, can_manage_federation, membership_of
from federation.errors import show_service_error
from federation.forms import MemberInviteForm
from federation.models import CptsRole
from federation.territory import aci_size_tier


def home(request):
    if not request.user.is_authenticated:
        return render(request, "federation/welcome.html")
    return render(
        request,
        "federation/home.html",
        {
            "memberships": selectors.user_memberships(request.user),
            "federations": selectors.user_federations(request.user),
        },
    )


@login_required
def cpts_home(request, cpts_slug):
    cpts = access_cpts(request.user, cpts_slug)
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
@require_POST
def cpts_member_invite(request, cpts_slug):
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    form = MemberInviteForm(request.POST)
    if form.is_valid():
        services.member_invite(actor=request.user, cpts=cpts, **form.cleaned_data)
        messages.success(
            request, _("%(email)s a été ajouté·e à la CPTS.") % {"email": form.cleaned_data["email"]}
        )
    else:
        show_service_error(request, ValidationError(form.errors.as_data()))
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
        },
    )
