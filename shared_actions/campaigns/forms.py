"""HTML forms of prevention campaigns (French labels)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from federation.models import Commune, Cpts
from shared_actions.campaigns.models import CampaignTheme


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    theme = forms.ChoiceField(label=_("Thème"), choices=CampaignTheme.choices)
    federation = forms.TypedChoiceField(label=_("Fédération"), coerce=int)
    start_date = forms.DateField(label=_("Début"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Fin"), widget=forms.DateInput(attrs={"type": "date"}))
    lead_cpts = forms.ModelChoiceField(label=_("CPTS pilote"), queryset=Cpts.objects.none())
    participants = forms.ModelMultipleChoiceField(
        label=_("CPTS participantes"), queryset=Cpts.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    target_population = forms.CharField(label=_("Population cible"), required=False, max_length=300)
    objectives = forms.CharField(
        label=_("Objectifs"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, federations=(), cpts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].choices = [(f.pk, f.name) for f in federations]
        if cpts is not None:
            self.fields["lead_cpts"].queryset = cpts
            self.fields["participants"].queryset = cpts


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicateur"), max_length=200)
    unit = forms.CharField(label=_("Unité"), required=False, max_length=50)
    target = forms.DecimalField(label=_("Cible départementale"), min_value=0, max_digits=12, decimal_places=2)
    target_per_cpts = forms.DecimalField(
        label=_("Cible par CPTS (facultatif)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )


class IndicatorValueForm(forms.Form):
    indicator = forms.TypedChoiceField(label=_("Indicateur"), coerce=int)
    cpts = forms.ModelChoiceField(label=_("CPTS"), queryset=Cpts.objects.none())
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label=_("Valeur cumulée"), min_value=0, max_digits=12, decimal_places=2)

    def __init__(self, *args, indicators=(), cpts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.pk, i.name) for i in indicators]
        if cpts is not None:
            self.fields["cpts"].queryset = cpts


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    cpts = forms.ModelChoiceField(label=_("CPTS"), queryset=Cpts.objects.none())
    place = forms.CharField(label=_("Lieu"), required=False, max_length=200)
    commune = forms.CharField(label=_("Commune (code INSEE)"), required=False, max_length=5)
    resources = forms.CharField(
        label=_("Moyens nécessaires"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tasks = forms.CharField(
        label=_("Tâches (une par ligne)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, cpts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cpts is not None:
            self.fields["cpts"].queryset = cpts

    def clean_commune(self):
        code = self.cleaned_data["commune"].strip()
        if not code:
            return None
        commune = Commune.objects.filter(insee_code=code).first()
        if commune is None:
            raise forms.ValidationError(_("Code INSEE inconnu : %(code)s.") % {"code": code})
        return commune
