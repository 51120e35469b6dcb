"""HTML forms of shared documents (French labels)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from federation.models import Cpts
from shared_actions.documents.models import DocumentCategory, Visibility
from shared_actions.documents.uploads import allowed_types_label
from shared_actions.forms import OwnerChoiceField

# "Designated people" is set by the apps that share documents with named people (messaging).
UI_VISIBILITIES = [c for c in Visibility.choices if c[0] != Visibility.PEOPLE]


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
