"""Integration points with apps built in parallel (wired by the lead after the merge).

- `mssante_addresses(users)`: the MSSanté addresses of people, from the directory app. The patient-data
  notice of every conversation offers them ("pour un patient, écrivez par MSSanté à …").
- Attachments (shared documents of shared_actions) are not wired yet: a message would reference a
  shared document and the download would go through shared_actions' own permission check.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _


def mssante_addresses(users: Iterable) -> dict[int, str]:
    """{user id: MSSanté address} for the given users, when the directory knows it.

    TODO(lead, after merging `directory`): look the users' professional records up, e.g.
    `directory.selectors.mssante_by_user_ids([u.pk for u in users])`, and return their addresses.
    Until then no address is known and the notice shows the general advice only.
    """
    return {}


def patient_data_notice(users: Iterable = ()) -> dict | None:
    """The notice shown in every conversation, or None when the deployment declares HDS hosting."""
    if settings.HDS_HOSTING:
        return None
    users = list(users)
    addresses = mssante_addresses(users)
    names = {u.pk: (u.display_name or u.email) for u in users}
    return {
        "text": _(
            "Pas de données de santé identifiantes ici : cette messagerie n'est pas hébergée chez un "
            "hébergeur de données de santé (HDS). Pour échanger au sujet d'un patient, utilisez votre "
            "messagerie sécurisée MSSanté."
        ),
        "mssante": [
            {"user": pk, "name": names.get(pk, ""), "address": address} for pk, address in addresses.items()
        ],
    }
