"""The person's own account page: API tokens (see, revoke) and invitations waiting for an answer; the
page an invitation's e-mail link opens."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from federation import invitations, selectors, tokens
from federation.errors import show_service_error
from federation.forms import InvitationNewAccountForm


@login_required
def account(request):
    rows = [
        {
            "id": tokens.token_public_id(token),
            "created": token.created,
            "expires_at": tokens.token_expires_at(token.created),
            "expired": tokens.token_is_expired(token.created),
        }
        for token in tokens.user_api_tokens(request.user)
    ]
    return render(
        request,
        "federation/account.html",
        {
            "tokens": rows,
            "invitations": invitations.user_invitations(request.user),
            "memberships": selectors.user_memberships(request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request, token_id):
    token = tokens.access_api_token(request.user, token_id)
    tokens.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Jeton révoqué : les programmes qui l'utilisaient sont déconnectés."))
    return redirect("account-tokens")


@login_required
@require_POST
def invitation_answer(request, invitation_id):
    invitation = invitations.access_invitation(request.user, invitation_id)
    try:
        if request.POST.get("answer") == "accept":
            invitations.invitation_accept(actor=request.user, invitation=invitation)
            messages.success(request, _("Bienvenue dans « %(cpts)s ».") % {"cpts": invitation.cpts.name})
            return redirect("cpts-home", cpts_slug=invitation.cpts.slug)
        invitations.invitation_decline(actor=request.user, invitation=invitation)
        messages.info(request, _("Invitation déclinée."))
    except ValidationError as exc:
        show_service_error(request, exc)
    return redirect("account-home")


def invitation_respond(request, token):
    """The e-mail's link. Signed in with the invited address: accept or decline. Not signed in: sign in
    (an account has the address) or create the account with that address and accept."""
    try:
        invitation = invitations.invitation_from_token(token)
    except ValidationError as exc:
        return render(request, "federation/invitation.html", {"error": exc.messages[0]}, status=404)
    context = {"invitation": invitation, "token": token}
    if not invitation.is_open:
        context["error"] = (
            _("Cette invitation a expiré : demandez à la coordination de la CPTS de vous inviter à nouveau.")
            if invitation.status == invitation.Status.PENDING
            else _("Cette invitation n'est plus valable (%(status)s).")
            % {"status": invitation.get_status_display().lower()}
        )
        return render(request, "federation/invitation.html", context, status=410)
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email:
            context["error"] = _(
                "Cette invitation est adressée à %(email)s : déconnectez-vous puis connectez-vous avec ce compte."
            ) % {"email": invitation.email}
            return render(request, "federation/invitation.html", context, status=403)
        context["answer_url"] = reverse("account-invitation", kwargs={"invitation_id": invitation.pk})
        return render(request, "federation/invitation.html", context)
    if selectors.account_exists(invitation.email):
        # The link proves the mailbox: telling its holder that an account exists reveals nothing new.
        context["login_url"] = reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})
        return render(request, "federation/invitation.html", context)
    form = InvitationNewAccountForm(request.POST or None, initial={"display_name": invitation.display_name})
    if request.method == "POST" and form.is_valid():
        try:
            new_user = invitations.invitation_accept_new_account(invitation=invitation, **form.cleaned_data)
        except ValidationError as exc:
            show_service_error(request, exc, form=form)
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Bienvenue dans « %(cpts)s ».") % {"cpts": invitation.cpts.name})
            return redirect("cpts-home", cpts_slug=invitation.cpts.slug)
    context["form"] = form
    return render(request, "federation/invitation.html", context)
