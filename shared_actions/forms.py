"""HTML form pieces every sub-domain shares. Forms only parse input; the services decide."""

from django import forms


class OwnerChoiceField(forms.ChoiceField):
    """ "cpts:<id>" or "federation:<id>" among the spaces the user may act for."""


def owner_choices(memberships, federations) -> list[tuple[str, str]]:
    choices = [(f"cpts:{m.cpts_id}", m.cpts.name) for m in memberships]
    choices += [(f"federation:{f.pk}", f.name) for f in federations]
    return choices
