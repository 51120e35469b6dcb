"""HTML forms (French): input checking only; the rules are the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from missions.projet.fiches.services import EDITABLE_FIELDS
from missions.projet.models import ExclusionDecision, FicheAction, HealthProject, Mission, ProjectVersion

CONFIRM = _("Je confirme")


class JoinForm(forms.Form):
    cpts = forms.ChoiceField(label=_("CPTS"))
    message = forms.CharField(
        label=_("Message à la coordination (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, cpts_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cpts"].choices = [("", "—")] + list(cpts_choices)


class AddMemberForm(forms.Form):
    KIND_CHOICES = [
        ("professional", _("Professionnel·le (RPPS ou ADELI)")),
        ("structure", _("Structure (FINESS ou SIRET)")),
    ]
    kind = forms.ChoiceField(label=_("Nature"), choices=KIND_CHOICES)
    identifier = forms.CharField(
        label=_("Identifiant"),
        max_length=14,
        help_text=_("RPPS (11 chiffres), ADELI (9), FINESS (9) ou SIRET (14)."),
    )
    category = forms.ChoiceField(label=_("Catégorie"))
    representative = forms.CharField(
        label=_("Représentant·e légal·e (structure)"), required=False, max_length=200
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.code, c.label) for c in categories]


class NewCategoryForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Lettres, chiffres et tirets, ex. « usagers ».")
    )
    label = forms.CharField(label=_("Libellé"), max_length=100)
    votes = forms.BooleanField(
        label=_("Voix délibérative en assemblée générale"), required=False, initial=True
    )


class FicheDeleteForm(forms.Form):
    confirm = forms.BooleanField(label=_("Je confirme la suppression de ce brouillon"), required=True)


class AcceptForm(forms.Form):
    category = forms.ChoiceField(label=_("Catégorie"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.code, c.label) for c in categories]


class CategoryForm(AcceptForm):
    pass


class ConsentRecordForm(forms.Form):
    evidence = forms.CharField(
        label=_("Preuve du consentement"),
        max_length=300,
        help_text=_("Bulletin d'adhésion signé, courrier, délibération…"),
    )
    consented_on = forms.DateField(
        label=_("Date du consentement"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ResignForm(forms.Form):
    on = forms.DateField(
        label=_("Date de la démission"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Référence (courrier…)"), required=False, max_length=500)
    confirm = forms.BooleanField(label=CONFIRM, required=True)


class ExcludeForm(forms.Form):
    decided_on = forms.DateField(
        label=_("Date de la décision"), widget=forms.DateInput(attrs={"type": "date"})
    )
    body = forms.ChoiceField(label=_("Instance qui a décidé"), choices=ExclusionDecision.Body.choices)
    reason = forms.CharField(label=_("Motif"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    defence_invited_on = forms.DateField(
        label=_("Invitation à présenter sa défense le"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Référence (procès-verbal…)"), required=False, max_length=200)
    confirm = forms.BooleanField(
        label=_("Je confirme l'exclusion, décidée par l'instance indiquée"), required=True
    )


class SelfResignForm(forms.Form):
    confirm = forms.BooleanField(label=_("Je confirme ma démission"), required=True)


class ProjectStartForm(forms.Form):
    title = forms.CharField(label=_("Titre"), required=False, max_length=200)


class VersionForm(forms.ModelForm):
    missions = forms.TypedMultipleChoiceField(
        label=_("Missions retenues"),
        choices=Mission.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ProjectVersion
        fields = [
            "kind",
            "changes",
            "diagnosis",
            "needs",
            "priorities",
            "missions",
            "coordination",
            "actors",
            "evaluation",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in [
                "changes",
                "diagnosis",
                "needs",
                "priorities",
                "coordination",
                "actors",
                "evaluation",
            ]
        }


class PublishForm(forms.Form):
    dated = forms.DateField(
        label=_("Date de la version"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    confirm = forms.BooleanField(
        label=_("Je confirme : une version publiée ne se modifie plus"), required=True
    )


class NewVersionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Nature"),
        choices=[
            (ProjectVersion.Kind.AMENDMENT, ProjectVersion.Kind.AMENDMENT.label),
            (ProjectVersion.Kind.REVISION, ProjectVersion.Kind.REVISION.label),
        ],
    )


class ProjectStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=HealthProject.Status.choices)


class FicheForm(forms.ModelForm):
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicateurs du contrat ACI"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ceux de la mission de la fiche, dans le contrat ACI de la CPTS."),
    )

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = indicators
        if not indicators.exists():
            del self.fields["indicators"]

    class Meta:
        model = FicheAction
        # The fields a fiche's author edits, as the service defines them; indicators are declared above.
        fields = [f for f in EDITABLE_FIELDS if f != "indicators"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in [
                    "problem",
                    "objectives",
                    "actions",
                    "actors",
                    "calendar",
                    "evaluation_criteria",
                    "resources",
                ]
            },
        }


class FicheStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=FicheAction._meta.get_field("status").choices)


class CopyForm(forms.Form):
    cpts = forms.ChoiceField(label=_("Copier dans le projet de"))

    def __init__(self, *args, cpts_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cpts"].choices = list(cpts_choices)
