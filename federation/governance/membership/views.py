"""Form handlers of the governance page for membership: delegates (designate, revoke) and fees."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from federation.errors import show_service_error
from federation.governance.membership import selectors, services


def _back(federation):
    return redirect("governance-federation", federation_slug=federation.slug)


def designate(request, federation, designable):
    """`designable`: the (member, users) pairs the page offered this user (`designable_members`)."""
    member_id, _sep, user_id = (request.POST.get("choice") or "").partition(":")
    allowed = {str(member.pk): (member, {str(u.pk): u for u in users}) for member, users in designable}
    if member_id not in allowed or user_id not in allowed[member_id][1]:
        raise PermissionDenied
    member, users = allowed[member_id]
    try:
        services.delegate_designate(
            actor=request.user,
            federation=federation,
            cpts=member.cpts,
            user=users[user_id],
            kind=request.POST.get("kind") or "titular",
        )
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(request, _("Délégué·e désigné·e."))
    return _back(federation)


def revoke(request, federation):
    delegate = selectors.delegate_of(federation, request.POST.get("delegate"))
    if delegate is None:
        raise Http404
    try:
        services.delegate_revoke(actor=request.user, delegate=delegate)
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(
            request,
            _(
                "La délégation de %(user)s pour %(cpts)s a pris fin. La CPTS peut désigner un·e autre délégué·e."
            )
            % {"user": delegate.user, "cpts": delegate.member.cpts.name},
        )
    return _back(federation)


def fee_status(request, federation):
    fee = selectors.fee_of(federation, request.POST.get("fee"))
    if fee is None:
        raise Http404
    try:
        services.fee_mark(actor=request.user, fee=fee, status=request.POST.get("status", ""))
    except ValidationError as exc:
        show_service_error(request, exc)
    return _back(federation)


def join(request, federation):
    """A CPTS declares it joins (no vote, seed 004)."""
    cpts = selectors.cpts_by_slug(request.POST.get("cpts") or "")
    if cpts is None:
        raise Http404
    try:
        services.cpts_join_declare(
            actor=request.user,
            federation=federation,
            cpts=cpts,
            cross_border=request.POST.get("cross_border") == "on",
        )
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(
            request,
            _("La CPTS « %(cpts)s » a rejoint la fédération : désignez maintenant son ou sa délégué·e.")
            % {"cpts": cpts.name},
        )
    return _back(federation)


def leave(request, federation):
    """A member CPTS declares it leaves (no vote); its delegations end today."""
    member = selectors.member_of(federation, request.POST.get("member"))
    if member is None:
        raise Http404
    try:
        services.member_leave_declare(actor=request.user, member=member)
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(
            request,
            _("La CPTS « %(cpts)s » a quitté la fédération ; ses délégations ont pris fin.")
            % {"cpts": member.cpts},
        )
    return _back(federation)


def fee_remind(request, federation):
    fee = selectors.fee_of(federation, request.POST.get("fee"))
    if fee is None:
        raise Http404
    try:
        fee = services.fee_remind(actor=request.user, fee=fee)
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(
            request,
            _("Rappel n° %(n)d envoyé aux délégué·es de %(member)s.")
            % {"n": fee.reminders_sent, "member": selectors.member_label(fee.member)},
        )
    return _back(federation)


def proceeding_open(request, federation):
    member = selectors.member_of(federation, request.POST.get("member"))
    if member is None:
        raise Http404
    try:
        services.member_proceeding_open(
            actor=request.user,
            member=member,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(
            request,
            _(
                "%(member)s est invité·e à présenter sa défense ou ses explications écrites ; le/la président·e décidera ensuite."
            )
            % {"member": selectors.member_label(member)},
        )
    return _back(federation)


def proceeding_decide(request, federation):
    proceeding = selectors.proceeding_of(federation, request.POST.get("proceeding"))
    if proceeding is None:
        raise Http404
    pronounce = request.POST.get("pronounce") == "1"
    try:
        services.member_proceeding_decide(actor=request.user, proceeding=proceeding, pronounce=pronounce)
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(
            request,
            (
                _("%(member)s ne fait plus partie de la fédération.")
                if pronounce
                else _("Procédure abandonnée pour %(member)s.")
            )
            % {"member": selectors.member_label(proceeding.member)},
        )
    return _back(federation)
