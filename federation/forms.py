from django import forms
from django.utils.translation import gettext_lazy as _

from federation.models import CptsRole


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    display_name = forms.CharField(label=_("Nom affiché"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=CptsRole.choices, initial=CptsRole.MEMBER)
