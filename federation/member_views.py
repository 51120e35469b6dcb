"""Managing a CPTS's members: invitations (sent, pending, withdrawn), role changes, removals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation import invitations, selectors, services
from federation.access import access_cpts
from federation.errors import show_service_error
from federation.forms import MemberInviteForm, MemberRoleForm
from federation.models import CptsRole


def _member(cpts, user_id):
    membership = selectors.cpts_members(cpts).filter(user_id=user_id).first()
    if membership is None:
        raise Http404
    return membership


@login_required
def members(request, cpts_slug, form=None):
    if request.method == "POST" and form is None:
        return invite(request, cpts_slug)
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    return render(
        request,
        "federation/members.html",
        {
            "cpts": cpts,
            "members": selectors.cpts_members(cpts),
            "invitations": invitations.cpts_invitations(cpts),
            "form": form or MemberInviteForm(),
            "roles": CptsRole.choices,
        },
    )


@login_required
@require_POST
def invite(request, cpts_slug):
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    form = MemberInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, resent = invitations.invitation_send(
                actor=request.user, cpts=cpts, **form.cleaned_data
            )
        except ValidationError as exc:
            show_service_error(request, exc, form=form)
        else:
            if resent:
                message = _("Une invitation était déjà en attente pour %(email)s : elle a été renvoyée.")
            else:
                message = _(
                    "Invitation envoyée à %(email)s. La personne rejoindra la CPTS quand elle l'aura acceptée."
                )
            messages.success(request, message % {"email": invitation.email})
            return redirect("cpts-members", cpts_slug=cpts.slug)
    return members(request, cpts_slug, form=form)


@login_required
@require_POST
def role_change(request, cpts_slug, user_id):
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    membership = _member(cpts, user_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        show_service_error(request, ValidationError(form.errors.as_data()))
        return redirect("cpts-members", cpts_slug=cpts.slug)
    try:
        services.membership_set(
            actor=request.user, cpts=cpts, user=membership.user, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(request, _("Rôle de %(who)s modifié.") % {"who": membership.user})
    return redirect("cpts-members", cpts_slug=cpts.slug)


@login_required
@require_POST
def remove(request, cpts_slug, user_id):
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    membership = _member(cpts, user_id)
    try:
        services.membership_remove(actor=request.user, cpts=cpts, user=membership.user)
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(request, _("%(who)s ne fait plus partie de la CPTS.") % {"who": membership.user})
    return redirect("cpts-members", cpts_slug=cpts.slug)


@login_required
@require_POST
def invitation_withdraw(request, cpts_slug, invitation_id):
    cpts = access_cpts(request.user, cpts_slug, for_write=True)
    invitation = invitations.access_cpts_invitation(cpts, invitation_id)
    try:
        invitations.invitation_withdraw(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        show_service_error(request, exc)
    else:
        messages.success(request, _("Invitation à %(email)s retirée.") % {"email": invitation.email})
    return redirect("cpts-members", cpts_slug=cpts.slug)
