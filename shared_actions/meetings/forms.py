"""HTML forms of meetings (French labels)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_actions.forms import OwnerChoiceField
from shared_actions.meetings.models import Meeting


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=Meeting.Kind.choices)
    owner = OwnerChoiceField(label=_("Organisée par"))
    campaign = forms.TypedChoiceField(
        label=_("Campagne (réunion de campagne)"), coerce=int, required=False, empty_value=None
    )
    start = forms.DateTimeField(
        label=_("Début"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(label=_("Fin"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("Lieu"), required=False, max_length=300)
    video_url = forms.URLField(label=_("Lien de visioconférence"), required=False, assume_scheme="https")
    agenda = forms.CharField(
        label=_("Ordre du jour"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, owners=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
        self.fields["campaign"].choices = [("", "—"), *[(c.pk, c.title) for c in campaigns]]
