import pytest
from django.core.exceptions import ValidationError

from directory.validators import (
    is_valid_siren,
    is_valid_siret,
    national_id_error,
    validate_finess,
    validate_national_id,
)


def test_national_ids():
    assert national_id_error("8", "10001234567", "810001234567") is None
    assert national_id_error("0", "2A1234567") is None
    assert "11 chiffres" in national_id_error("8", "1000123456")
    assert "9 caractères" in national_id_error("0", "12345")
    assert "incohérente" in national_id_error("8", "10001234567", "810001234568")
    assert "type d'identifiant" in national_id_error("3", "10001234567")
    validate_national_id("810001234567")
    with pytest.raises(ValidationError):
        validate_national_id("910001234567")


def test_structure_ids():
    assert is_valid_siret("73282932000074")  # a real SIRET (Luhn)
    assert not is_valid_siret("73282932000075")
    assert is_valid_siret("35600000000047")  # La Poste: sum of digits multiple of 5
    assert is_valid_siren("732829320") and not is_valid_siren("732829321")
    validate_finess("340780477")
    validate_finess("2A0000014")
    with pytest.raises(ValidationError):
        validate_finess("34078047")
