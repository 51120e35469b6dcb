"""Forms of the contract year's pages (French labels; the services re-check every rule)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from missions.autofill import auto_source_choices
from missions.models import CONTRACT_YEARS, Indicator, MissionNumber
from missions.rules import rule_set_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(forms.Form):
    signed_on = forms.DateField(label=_("Date de signature"), widget=DATE)
    rule_set = forms.ChoiceField(label=_("Règles ACI"), choices=rule_set_choices)
    ars_name = forms.CharField(label=_("ARS signataire"), max_length=200)
    cpam_name = forms.CharField(label=_("CPAM signataire"), max_length=200)
    population = forms.IntegerField(label=_("Population du territoire"), min_value=0)
    missions = forms.TypedMultipleChoiceField(
        label=_("Missions choisies (démarrage en année 1)"),
        choices=MissionNumber.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[1, 2, 3, 4],
    )


class AvenantForm(forms.Form):
    signed_on = forms.DateField(label=_("Signé le"), widget=DATE)
    effective_from = forms.DateField(label=_("Applicable à partir du"), widget=DATE)
    summary = forms.CharField(
        label=_("Ce qui change"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    rule_set = forms.ChoiceField(
        label=_("Nouvelles règles ACI"),
        choices=lambda: [("", _("inchangées")), *rule_set_choices()],
        required=False,
    )
    population = forms.IntegerField(
        label=_("Nouvelle population (si elle change)"), min_value=0, required=False
    )


class IndicatorValueForm(forms.Form):
    value = forms.DecimalField(
        label=_("Valeur mesurée"), max_digits=14, decimal_places=2, min_value=Decimal(0)
    )
    measured_on = forms.DateField(label=_("Mesurée le"), widget=DATE, required=False)
    comment = forms.CharField(label=_("Commentaire"), max_length=300, required=False)

    def clean_measured_on(self):
        return self.cleaned_data.get("measured_on") or timezone.localdate()


class IndicatorTargetForm(forms.Form):
    target = forms.DecimalField(label=_("Cible"), max_digits=14, decimal_places=2)
    weight = forms.DecimalField(label=_("Poids"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"))
    data_source = forms.CharField(label=_("Source des données"), max_length=300)


class IndicatorForm(forms.Form):
    mission = forms.TypedChoiceField(label=_("Mission"), choices=MissionNumber.choices, coerce=int)
    name = forms.CharField(label=_("Intitulé"), max_length=300)
    kind = forms.ChoiceField(label=_("Type"), choices=Indicator.Kind.choices)
    target = forms.DecimalField(label=_("Cible"), max_digits=14, decimal_places=2)
    unit = forms.CharField(label=_("Unité"), max_length=50, required=False)
    direction = forms.ChoiceField(label=_("Sens"), choices=Indicator.Direction.choices)
    data_source = forms.CharField(label=_("Source des données"), max_length=300)
    auto_source = forms.ChoiceField(
        label=_("Calcul automatique"), choices=auto_source_choices, required=False
    )


class ReviewForm(forms.Form):
    scheduled_on = forms.DateField(label=_("Date de la réunion annuelle"), widget=DATE)


class MissionYearForm(forms.Form):
    """One fact of a mission's year: `part` says which (a serious crisis occurred, or the rate agreed at the
    review), so that saving one never resets the other."""

    part = forms.ChoiceField(choices=[("crisis", "crisis"), ("agreed", "agreed")], widget=forms.HiddenInput)
    crisis_occurred = forms.BooleanField(
        label=_("Crise sanitaire grave survenue cette année"), required=False
    )
    agreed_rate = forms.DecimalField(
        label=_("Taux d'atteinte retenu à la revue (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        help_text=_("Vide : le taux calculé depuis les indicateurs de résultats."),
    )

    def changes(self) -> dict:
        data = self.cleaned_data
        if data["part"] == "crisis":
            return {"crisis_occurred": data["crisis_occurred"]}
        rate = data.get("agreed_rate")
        return {"agreed_achievement": None if rate is None else (rate / 100).quantize(Decimal("0.0001"))}


class SimulatorForm(forms.Form):
    """The simulator: population, members, whether the missions started, and one block per mission."""

    rule_set = forms.ChoiceField(label=_("Règles ACI"), choices=rule_set_choices)
    population = forms.IntegerField(label=_("Population du territoire"), min_value=0, initial=60000)
    members = forms.IntegerField(label=_("Membres ayant expressément adhéré"), min_value=0, initial=40)
    missions_started = forms.BooleanField(
        label=_("Les missions choisies ont démarré"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, label in MissionNumber.choices:
            self.fields[f"m{number}"] = forms.BooleanField(label=label, required=False, initial=number <= 3)
            self.fields[f"m{number}_rate"] = forms.DecimalField(
                label=_("Taux d'atteinte (%)"),
                min_value=0,
                max_value=100,
                initial=100,
                decimal_places=2,
                required=False,
            )
        self.fields["m4_plan"] = forms.ChoiceField(
            label=_("Plan de crise"),
            choices=[("first", _("1re rédaction")), ("update", _("mise à jour"))],
            required=False,
            initial="first",
        )
        self.fields["m4_crisis"] = forms.BooleanField(
            label=_("Crise sanitaire grave survenue"), required=False
        )

    def mission_blocks(self):
        return [
            {
                "number": number,
                "include": self[f"m{number}"],
                "rate": self[f"m{number}_rate"],
                "plan": self["m4_plan"] if number == 4 else None,
                "crisis": self["m4_crisis"] if number == 4 else None,
            }
            for number, _label in MissionNumber.choices
        ]

    def missions(self) -> list[dict]:
        data = self.cleaned_data
        chosen = []
        for number, _label in MissionNumber.choices:
            if data.get(f"m{number}"):
                rate = data.get(f"m{number}_rate")
                chosen.append(
                    {
                        "number": number,
                        "achievement": (Decimal(100) if rate is None else rate) / 100,
                        "crisis_plan": data.get("m4_plan") or "first",
                        "crisis_occurred": bool(data.get("m4_crisis")) if number == 4 else False,
                    }
                )
        return chosen


YEAR_CHOICES = [(year, year) for year in range(1, CONTRACT_YEARS + 1)]
