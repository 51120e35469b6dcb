"""What messaging takes from the apps below it.

- `mssante_addresses(users, viewer)`: the MSSanté addresses of people, from the directory, as the viewer
  may see them. The patient-data notice of every conversation offers them.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _

from directory import selectors as directory_selectors


def mssante_addresses(users: Iterable, viewer) -> dict[int, str]:
    """{user id: MSSanté address} for the given users, when the directory knows it and `viewer` may see it."""
    user_ids = [u.pk for u in users]
    if not user_ids or viewer is None:
        return {}
    return directory_selectors.mssante_addresses_for_users(directory_selectors.viewer_for(viewer), user_ids)


def patient_data_notice(users: Iterable = (), viewer=None) -> dict | None:
    """The notice shown in every conversation, or None when the deployment declares HDS hosting."""
    if settings.HDS_HOSTING:
        return None
    users = list(users)
    addresses = mssante_addresses(users, viewer)
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
