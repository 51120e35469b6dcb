"""Form handler of the governance page: installing an elected bureau."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from federation.errors import show_service_error
from federation.governance.bureau import services
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
