"""Form handlers of the governance page: installing an elected bureau; partners proposed to the bureau
and the bureau members' answers (statutes option: admission by the bureau, unanimously)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from federation.errors import show_service_error
from federation.governance.bureau import selectors, services
from federation.governance.bureau.models import BureauRole
from federation.governance.membership.selectors import active_delegates


def install(request, federation):
    delegates = {str(d.user_id): d.user for d in active_delegates(federation)}
    seats = []
    for role, _label in BureauRole.choices:
        for user_id in request.POST.getlist(role):
            if user_id:
                if user_id not in delegates:
                    raise Http404
                seats.append((delegates[user_id], role))
    starts_on = parse_date(request.POST.get("starts_on") or "") or timezone.localdate()
    try:
        services.bureau_set(actor=request.user, federation=federation, seats=seats, starts_on=starts_on)
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(request, _("Nouveau bureau installé."))
    return redirect("governance-federation", federation_slug=federation.slug)


def partner_propose(request, federation):
    try:
        services.partner_admission_propose(
            actor=request.user,
            federation=federation,
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", ""),
        )
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(
            request, _("Partenaire proposé au bureau : chaque membre du bureau doit donner son accord.")
        )
    return redirect("governance-federation", federation_slug=federation.slug)


def partner_answer(request, federation):
    admission = selectors.partner_admission_of(federation, request.POST.get("admission"))
    if admission is None:
        raise Http404
    try:
        admission = services.partner_admission_answer(
            actor=request.user, admission=admission, agrees=request.POST.get("agrees") == "1"
        )
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(
            request, _("Réponse enregistrée — %(status)s.") % {"status": admission.get_status_display()}
        )
    return redirect("governance-federation", federation_slug=federation.slug)
