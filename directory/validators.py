"""Validation of the national identifiers (DOMAIN.md): RPPS, ADELI, FINESS, SIRET, SIREN."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RPPS_RE = re.compile(r"^\d{11}$")
# ADELI: département (2 chars, 2A/2B for Corsica), profession (2 digits), order (4 digits), key (1 digit).
ADELI_RE = re.compile(r"^\d[0-9AB]\d{7}$")
FINESS_RE = re.compile(r"^\d[0-9A-Z]\d{7}$")
SIRET_RE = re.compile(r"^\d{14}$")
SIREN_RE = re.compile(r"^\d{9}$")

# Type d'identifiant PP of the extraction: the national id is this digit + the identifier.
ID_TYPE_RPPS = "8"
ID_TYPE_ADELI = "0"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_valid_siret(value: str) -> bool:
    if not SIRET_RE.match(value):
        return False
    # La Poste's establishments (SIREN 356000000) use a sum-of-digits rule instead of Luhn.
    if value.startswith("356000000"):
        return sum(int(c) for c in value) % 5 == 0
    return luhn_ok(value)


def is_valid_siren(value: str) -> bool:
    return bool(SIREN_RE.match(value)) and luhn_ok(value)


def national_id_error(id_type: str, identifier: str, national_id: str = "") -> str | None:
    """None when the triple is consistent, else a French reason (used by the import report)."""
    if id_type == ID_TYPE_RPPS:
        if not RPPS_RE.match(identifier):
            return f"identifiant RPPS invalide « {identifier} » (11 chiffres attendus)"
    elif id_type == ID_TYPE_ADELI:
        if not ADELI_RE.match(identifier):
            return f"identifiant ADELI invalide « {identifier} » (9 caractères attendus)"
    else:
        return f"type d'identifiant inconnu « {id_type} » (8 = RPPS, 0 = ADELI)"
    if national_id and national_id != id_type + identifier:
        return f"identification nationale « {national_id} » incohérente avec l'identifiant « {identifier} »"
    return None


def validate_national_id(value: str) -> None:
    """A national id: `8` + RPPS (11 digits) or `0` + ADELI (9 characters)."""
    if not value or national_id_error(value[:1], value[1:]) is not None:
        raise ValidationError(
            _("Identifiant national invalide : 8 + RPPS (11 chiffres) ou 0 + ADELI (9 caractères)."),
            code="invalid_national_id",
        )


def validate_finess(value: str) -> None:
    if value and not FINESS_RE.match(value):
        raise ValidationError(_("Numéro FINESS invalide (9 caractères)."), code="invalid_finess")


def validate_siret(value: str) -> None:
    if value and not is_valid_siret(value):
        raise ValidationError(_("Numéro SIRET invalide (14 chiffres, clé de Luhn)."), code="invalid_siret")


def validate_siren(value: str) -> None:
    if value and not is_valid_siren(value):
        raise ValidationError(_("Numéro SIREN invalide (9 chiffres, clé de Luhn)."), code="invalid_siren")
