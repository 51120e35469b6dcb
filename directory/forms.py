from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Professional, Visibility
from directory.services import PROFESSIONAL_EDITABLE


class ProfessionalForm(forms.ModelForm):
    """Optional fields of an entry, each with its visibility."""

    class Meta:
        model = Professional
        fields = list(PROFESSIONAL_EDITABLE)
        widgets = {
            "skills": forms.Textarea(attrs={"rows": 3}),
            "interests": forms.Textarea(attrs={"rows": 3}),
            "accepts_new_patients": forms.NullBooleanSelect(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Professional.OPTIONAL_FIELDS:
            self.fields[f"visibility_{name}"] = forms.ChoiceField(
                label=_("Visibilité"),
                choices=Visibility.choices,
                initial=self.instance.visibility_of(name),
            )

    def field_pairs(self):
        return [(self[name], self[f"visibility_{name}"]) for name in Professional.OPTIONAL_FIELDS]

    def changed_data_and_visibility(self) -> tuple[dict, dict]:
        data = {name: self.cleaned_data[name] for name in PROFESSIONAL_EDITABLE}
        visibility = {name: self.cleaned_data[f"visibility_{name}"] for name in Professional.OPTIONAL_FIELDS}
        return data, visibility


class ErrorReportForm(forms.Form):
    message = forms.CharField(
        label=_("Quelle erreur avez-vous constatée ?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
