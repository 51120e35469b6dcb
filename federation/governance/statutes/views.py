"""Form handler of the governance page: proposing a change of the statutes (a poll of the AGE)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from federation.errors import show_service_error
from federation.governance.polls import services as poll_services
from federation.governance.statutes.forms import StatutesChangeForm, StatutesInitialForm
from federation.governance.statutes.selectors import statutes_of
from federation.governance.statutes.services import statutes_initialize


def propose_change(request, federation):
    form = StatutesChangeForm(request.POST, instance=statutes_of(federation), federation=federation)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''} : {error}"
                )
        return redirect("governance-federation", federation_slug=federation.slug)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            poll = poll_services.statutes_change_propose(
                actor=request.user,
                federation=federation,
                changes=form.changes(),
                meeting=data["meeting"],
                opens_at=None if data["meeting"] else data["opens_at"],
                closes_at=None if data["meeting"] else data["closes_at"],
            )
            if poll.meeting_id is None:
                poll_services.poll_open(actor=request.user, poll=poll)
    except ValidationError as exc:
        show_service_error(request, exc)
        return redirect("governance-federation", federation_slug=federation.slug)
    messages.success(request, _("La modification est soumise au vote de l'AGE."))
    return redirect("governance-poll", federation_slug=federation.slug, poll_id=poll.pk)


def initialize(request, federation):
    """The initial statutes, adopted at constitution (the managers record them once)."""
    form = StatutesInitialForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''} : {error}"
                )
        return redirect("governance-federation", federation_slug=federation.slug)
    try:
        statutes_initialize(actor=request.user, federation=federation, **form.cleaned_data)
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(
            request, _("Statuts initiaux enregistrés : toute modification sera désormais votée en AGE.")
        )
    return redirect("governance-federation", federation_slug=federation.slug)
