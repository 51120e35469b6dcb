"""vCard 3.0 of a directory entry, built with `vobject` (issue 17, item 6).

vobject escapes every property value (`\\`, `,`, `;`, and line breaks, `\\r` included, as `\\n`), so a
value can never add a line to the card: a phone number holding `\\r` once added properties to the vCards
others downloaded, and the postal code was not escaped at all.
"""

import vobject
from django.utils.translation import gettext as _


def professional_vcard(professional, entry) -> str:
    """The card with only what `entry` (directory.selectors.EntryView for the viewer) lets them see."""
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(
        family=professional.last_name or "",
        given=professional.first_name or "",
        prefix=professional.civility or "",
    )
    card.add("fn").value = professional.full_name or ""
    card.add("title").value = professional.profession.label
    card.add("note").value = f"{_('Identifiant national')} {professional.national_id}"
    for site in professional.sites.all():
        address = card.add("adr")
        address.value = vobject.vcard.Address(
            extended=site.name or "",
            street=site.address or "",
            city=site.commune.name if site.commune_id else "",
            code=site.postal_code or "",
            country="France",
        )
        address.type_param = "WORK"
        if site.phone:
            _tel(card, site.phone, ["WORK", "VOICE"])
    if entry.value("mobile_phone"):
        _tel(card, professional.mobile_phone, ["CELL"])
    if entry.value("email"):
        _email(card, professional.email, "WORK")
    if entry.value("mssante"):
        _email(card, professional.mssante, "MSSANTE")
    return card.serialize()


def _tel(card, number: str, types: list[str]) -> None:
    tel = card.add("tel")
    tel.value = number
    tel.type_param = types


def _email(card, address: str, kind: str) -> None:
    email = card.add("email")
    email.value = address
    email.type_param = kind
