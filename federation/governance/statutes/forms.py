"""Forms of the governance pages (the services validate again; forms only shape the input)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from federation.governance.models import Meeting, StatutesSettings
from federation.models import MaturityStage


class StatutesChangeForm(forms.ModelForm):
    """Every statutes setting, prefilled with the current value; only the changed ones are proposed."""

    min_join_stage = forms.ChoiceField(label=_("Stade minimal d'adhésion"), choices=MaturityStage.choices)
    meeting = forms.ModelChoiceField(
        label=_("Voter en séance d'AGE"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("— par consultation écrite —"),
    )
    opens_at = forms.DateTimeField(
        label=_("Ouverture (consultation écrite)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label=_("Date limite (consultation écrite)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    class Meta:
        model = StatutesSettings
        fields = StatutesSettings.EDITABLE

    def __init__(self, *args, federation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_join_stage"].initial = federation.min_join_stage
        self.fields["meeting"].queryset = Meeting.objects.filter(
            federation=federation, body="age", status__in=["draft", "convened", "open"]
        )

    def changes(self) -> dict:
        keys = [*StatutesSettings.EDITABLE, "min_join_stage"]
        return {key: self.cleaned_data[key] for key in self.changed_data if key in keys}


class StatutesInitialForm(forms.ModelForm):
    """The statutes' settings adopted at constitution (once; every later change is an AGE decision)."""

    class Meta:
        model = StatutesSettings
        fields = StatutesSettings.EDITABLE
