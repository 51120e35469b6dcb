"""Phone numbers as phone numbers (issue 17, item 6): parsed and formatted with `phonenumbers`.

French numbers are the default (region FR) and stored in the national format ("04 67 12 34 56"), other
countries' in the international one. Anything else, control characters included (a `\\r` added lines to
the vCards others download), is refused with a French message on the field.
"""

import phonenumbers
from django.utils.translation import gettext as _

from federation.errors import ServiceError

MAX_LENGTH = 30


def phone_normalize(value: str | None, *, field: str = "phone", region: str = "FR") -> str:
    """The number in its canonical form, "" for an empty value; ServiceError `invalid_phone` otherwise."""
    value = (value or "").strip()
    if not value:
        return ""
    refused = ServiceError(
        _("« %(value)s » n'est pas un numéro de téléphone valide (ex. 04 67 12 34 56 ou +32 2 555 12 12).")
        % {"value": value.encode("unicode_escape").decode("ascii")[:40]},
        code="invalid_phone",
        field=field,
    )
    if len(value) > MAX_LENGTH or any(ord(ch) < 32 or ch == "\x7f" for ch in value):
        raise refused
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise refused from None
    if not phonenumbers.is_valid_number(number):
        raise refused
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
