from django import forms
from django.utils.translation import gettext_lazy as _

from federation.models import CptsRole


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    display_name = forms.CharField(label=_("Nom affiché"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=CptsRole.choices, initial=CptsRole.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=CptsRole.choices)


class InvitationNewAccountForm(forms.Form):
    """Accepting an invitation without an account yet: the account gets the invited address."""

    display_name = forms.CharField(label=_("Votre nom (tel qu'il sera affiché)"), max_length=150)
    password = forms.CharField(
        label=_("Choisissez un mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
