"""HTML forms (French labels). They only parse input; the services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from federation.models import Commune, Cpts
from shared_actions.models import CampaignTheme, DocumentCategory, Meeting, Visibility
from shared_actions.uploads import allowed_types_label

# "Designated people" is set by the apps that share documents with named people (messaging).
UI_VISIBILITIES = [c for c in Visibility.choices if c[0] != Visibility.PEOPLE]


class OwnerChoiceField(forms.ChoiceField):
    """ "cpts:<id>" or "federation:<id>" among the spaces the user may act for."""


def owner_choices(memberships, federations) -> list[tuple[str, str]]:
    choices = [(f"cpts:{m.cpts_id}", m.cpts.name) for m in memberships]
    choices += [(f"federation:{f.pk}", f.name) for f in federations]
    return choices


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Catégorie"), choices=DocumentCategory.choices)
    owner = OwnerChoiceField(label=_("Propriétaire"))
    visibility = forms.ChoiceField(label=_("Visibilité"), choices=UI_VISIBILITIES)
    shared_with = forms.ModelMultipleChoiceField(
        label=_("CPTS destinataires (visibilité « CPTS sélectionnées »)"),
        queryset=Cpts.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    file = forms.FileField(label=_("Fichier"), allow_empty_file=True)

    def __init__(self, *args, owners=(), recipients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
        self.fields["file"].help_text = upload_help()
        if recipients is not None:
            self.fields["shared_with"].queryset = recipients


class DocumentEditForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Catégorie"), choices=DocumentCategory.choices)
    visibility = forms.ChoiceField(label=_("Visibilité"), choices=UI_VISIBILITIES)
    shared_with = forms.ModelMultipleChoiceField(
        label=_("CPTS destinataires (visibilité « CPTS sélectionnées »)"),
        queryset=Cpts.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, recipients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if recipients is not None:
            self.fields["shared_with"].queryset = recipients


class VersionForm(forms.Form):
    file = forms.FileField(label=_("Nouvelle version"), allow_empty_file=True)
    comment = forms.CharField(label=_("Commentaire"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help()


def upload_help() -> str:
    return _(
        "Types acceptés : %(types)s. Taille maximale : %(size)s Mo. Aucune donnée de patient identifiable."
    ) % {
        "types": allowed_types_label(),
        "size": f"{settings.UPLOAD_MAX_BYTES / (1024 * 1024):.0f}",
    }


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


class SignUpForm(forms.Form):
    profession = forms.CharField(label=_("Ma profession (code TRE_G15)"), required=False, max_length=10)
    user = forms.IntegerField(required=False, widget=forms.HiddenInput)


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
