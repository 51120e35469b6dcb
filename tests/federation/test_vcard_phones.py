"""Issue 17, item 6: a phone number holding `\\r` added lines to the vCard others download, and the postal
code was not escaped at all. Phone numbers are validated as phone numbers where they are entered
(`phonenumbers`, region FR) and vCards are built with `vobject`, which escapes every value."""

import pytest
import vobject
from django.urls import reverse

from directory.models import EntryChange, Professional, Structure
from federation.errors import ServiceError
from federation.phones import phone_normalize
from tests.directory.factories import PracticeSiteFactory, ProfessionalCptsFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def _card_lines(text: str) -> list[str]:
    return [line for line in text.split("\r\n") if line]


def test_a_carriage_return_and_a_newline_add_no_line_to_the_vcard(world, web):
    """Values stored before validation existed (or imported) must still not inject properties."""
    pro = ProfessionalFactory(
        first_name="Hélène", last_name="Lefèvre", mobile_phone="0611111111\rEMAIL:evil@x.org"
    )
    PracticeSiteFactory(
        professional=pro,
        name="Cabinet; du port",
        address="1 quai\nX-INJECTED:1",
        postal_code="34\nEMAIL:x",  # the column holds 10 characters
        phone="0467000001\r\nTEL:0899999999",
    )
    ProfessionalCptsFactory(professional=pro, cpts=world.cpts_a)
    text = web(world.member_a).get(reverse("directory-professional-vcard", args=[pro.pk])).content.decode()
    lines = _card_lines(text)
    assert all("\r" not in line and "\n" not in line for line in lines)
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in lines]
    assert "X-INJECTED" not in names and names.count("EMAIL") == 0 and names.count("TEL") == 2
    card = vobject.readOne(text)
    assert card.adr.value.code == "34\nEMAIL:x"  # one value, escaped
    assert {tel.value for tel in card.tel_list} == {
        "0611111111\nEMAIL:evil@x.org",
        "0467000001\nTEL:0899999999",
    }


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0467123456", "04 67 12 34 56"),
        ("+33 6 11 22 33 44", "06 11 22 33 44"),
        ("06.11.22.33.44", "06 11 22 33 44"),
        ("+32 2 555 12 12", "+32 2 555 12 12"),
        ("", ""),
        ("0611111111\r\n", "06 11 11 11 11"),  # surrounding whitespace: the stored value is clean
    ],
)
def test_phone_numbers_are_normalised(raw, stored):
    assert phone_normalize(raw) == stored


@pytest.mark.parametrize("raw", ["06\r11111111", "0611111111\rEMAIL:x", "12", "pas un numéro", "0" * 40])
def test_what_is_not_a_phone_number_is_refused(raw):
    with pytest.raises(ServiceError) as refused:
        phone_normalize(raw, field="mobile_phone")
    assert refused.value.error_dict["mobile_phone"][0].code == "invalid_phone"


def test_the_api_refuses_a_phone_with_a_carriage_return_and_writes_nothing(world, api):
    pro = ProfessionalFactory(mobile_phone="")
    ProfessionalCptsFactory(professional=pro, cpts=world.cpts_a)
    url = reverse("api-directory-professional", args=[pro.pk])
    response = api(world.coordinator_a).patch(url, {"mobile_phone": "0611111111\rEMAIL:x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_phone" and response.json()["fields"]["mobile_phone"]
    pro.refresh_from_db()
    assert pro.mobile_phone == "" and not EntryChange.objects.exists()
    ok = api(world.coordinator_a).patch(url, {"mobile_phone": "06.22.22.22.22"}, format="json")
    assert ok.status_code == 200
    assert Professional.objects.get(pk=pro.pk).mobile_phone == "06 22 22 22 22"


def test_the_edit_page_shows_the_phone_error_on_its_field(world, web):
    pro = ProfessionalFactory(mobile_phone="")
    ProfessionalCptsFactory(professional=pro, cpts=world.cpts_a)
    url = reverse("directory-professional-edit", args=[pro.pk])
    data = {
        "mobile_phone": "06 12",
        "email": "",
        "mssante": "",
        "languages": "",
        "skills": "",
        "interests": "",
        "accepts_new_patients": "unknown",
        **{f"visibility_{name}": "federation" for name in Professional.OPTIONAL_FIELDS},
    }
    page = web(world.coordinator_a).post(url, data)
    assert page.status_code == 200
    assert "n&#x27;est pas un numéro de téléphone valide" in page.content.decode()
    assert Professional.objects.get(pk=pro.pk).mobile_phone == ""


def test_a_structure_referent_phone_is_validated_where_it_is_entered():
    from directory import services

    structure = Structure(referent_phone="")
    with pytest.raises(ServiceError):
        services._apply_changes(structure, {"referent_phone": "04\r67"}, services.STRUCTURE_EDITABLE)
    assert structure.referent_phone == ""
    services._apply_changes(structure, {"referent_phone": "0467123456"}, services.STRUCTURE_EDITABLE)
    assert structure.referent_phone == "04 67 12 34 56"
