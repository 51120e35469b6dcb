"""HTML forms of SNP rosters (French labels)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from federation.models import Cpts
from shared_actions.forms import OwnerChoiceField


class RosterForm(forms.Form):
    name = forms.CharField(label=_("Nom du planning"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = OwnerChoiceField(label=_("Planning de"))
    participants = forms.ModelMultipleChoiceField(
        label=_("CPTS participantes (planning mutualisé)"),
        queryset=Cpts.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    swap_requires_approval = forms.BooleanField(
        label=_("Les échanges doivent être validés par un coordinateur"), required=False, initial=True
    )

    def __init__(self, *args, owners=(), participants=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
        if participants is not None:
            self.fields["participants"].queryset = participants


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Nom du site"), max_length=200)
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)


WEEKDAYS = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]


class ShiftsForm(forms.Form):
    site = forms.TypedChoiceField(label=_("Site"), coerce=int)
    first_day = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, initial=[5, 6]
    )
    start_time = forms.TimeField(
        label=_("Début"), widget=forms.TimeInput(attrs={"type": "time"}), initial="08:00"
    )
    end_time = forms.TimeField(
        label=_("Fin"), widget=forms.TimeInput(attrs={"type": "time"}), initial="20:00"
    )
    required_count = forms.IntegerField(label=_("Effectif requis"), min_value=1, max_value=50, initial=1)
    required_profession = forms.CharField(
        label=_("Profession requise (code TRE_G15, ex. 10 médecin, 60 infirmier)"),
        required=False,
        max_length=10,
    )

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]
