"""The import's own builder of professional documents gives exactly `build_professional_document`'s."""

import pytest

from directory import search_index
from directory.importing.documents import ProfessionalDocuments
from directory.importing.merging import Person

COMMUNES = {
    "34172": (43.61, 3.87, "Montpellier"),
    "34145": (43.67, 4.13, "Lunel"),
    "34146": (43.65, 4.19, "Marsillargues"),
    "34999": (None, None, "Sans position"),
}
PROFESSIONS = {"10": "Médecin", "70": "Masseur-Kinésithérapeute"}
SPECIALTIES = {"SM53": "Spécialiste en Médecine Générale", "SM04": "Cardiologie"}


def site(**values) -> dict:
    return {
        "structure_id": "",
        "company": "",
        "trade_name": "",
        "mode": "L",
        "commune": "34172",
        "phone": "",
        **values,
    }


def person(national_id="810001234567", last="LEFÈVRE", first="Hélène", sites=(), specialties=None, code="70"):
    p = Person(national_id, 2)
    p.fields = {
        "id_type": "8",
        "civility": "Madame",
        "last_name": last,
        "first_name": first,
        "profession": code,
        "profession_label": "Libellé du fichier",
        "category": "Civil",
    }
    p.specialties = specialties or {}
    p.sites = {f"k{n}": s for n, s in enumerate(sites)}
    return p


def reference(pk: int, p: Person):
    """What the import built before: the site dicts of `build_professional_document`."""
    sites = []
    for s in p.sites.values():
        commune = COMMUNES.get(s["commune"])
        sites.append(
            {
                "name": s["trade_name"] or s["company"],
                "commune_code": s["commune"],
                "commune_name": commune[2] if commune else "",
                "structure_name": (s["company"] or s["trade_name"] or s["structure_id"])
                if s["structure_id"]
                else "",
                "mode": s["mode"],
                "latitude": commune[0] if commune else None,
                "longitude": commune[1] if commune else None,
                "phone": s["phone"],
            }
        )
    fields = p.fields
    code = fields["profession"]
    return search_index.build_professional_document(
        pk=pk,
        full_name=f"{fields['first_name'][:150]} {fields['last_name'][:150]}".strip(),
        profession_code=code,
        profession_label=PROFESSIONS.get(code) or fields["profession_label"] or code,
        specialties=[(c, SPECIALTIES.get(c) or v[0] or c) for c, v in p.specialties.items()],
        sites=sites,
        national_id=p.national_id,
        last_name=fields["last_name"][:150],
        first_name=fields["first_name"][:150],
    )


PERSONS = [
    person(),
    person(sites=[site(phone="0467000000", structure_id="S1", company="Cabinet Chrétien")]),
    # Two located sites, then the same commune again, then one without position, then none.
    person(
        sites=[
            site(commune="34145", trade_name="MSP du Lunellois", structure_id="S2", mode="S"),
            site(commune="34146", phone="0467111111"),
            site(commune="34145", company="Autre cabinet"),
            site(commune="34999"),
            site(commune=""),
        ],
        specialties={"SM53": ("", "S", "Spécialité"), "ZZ99": ("Libellé fichier", "S", "x")},
        code="10",
    ),
    # First site unplaced: the place shown is the first located one; a site with no position first.
    person(sites=[site(commune=""), site(commune="34146")]),
    person(sites=[site(commune="34999"), site(commune="")]),
    person(sites=[site(commune=""), site(commune="34999")]),
    person(sites=[site(commune="34999", phone="01")], code="99"),
    # Names: accents, ligatures, hyphens, punctuation only, empty first name, empty surname, Greek.
    person(last="D'ŒUVRE-SAINT-ÉTIENNE", first="Zoé-Anaïs"),
    person(last="NGUYỄN", first=""),
    person(last="-", first="Loïc"),
    person(last="", first="Jean"),
    person(last="ΟΔΥΣΣΕΥΣ", first="Άννα"),
    person(last="Ö" * 200, first="é" * 200),
    person(national_id="0349912345", last="MARTIN", first=" Jean "),
    person(national_id="", last="X", first="Y"),
]


def test_the_specialty_shown_does_not_depend_on_the_order_given():
    """The import's specialties come in the order of the lines, a rebuild's in the database's: the
    specialty shown is the one of lowest code either way."""
    builder = ProfessionalDocuments(COMMUNES, PROFESSIONS, SPECIALTIES)
    lines = {"SM53": ("", "S", "x"), "SM04": ("", "S", "x")}
    imported = builder.build(41, person(specialties=lines, code="10"))
    database_order = [("SM04", "Cardiologie"), ("SM53", "Spécialiste en Médecine Générale")][::-1]
    rebuilt = search_index.build_professional_document(
        pk=41,
        full_name="x",
        profession_code="10",
        profession_label="Médecin",
        specialties=database_order,
        sites=[],
    )
    assert imported.display["specialty"] == rebuilt.display["specialty"] == "Cardiologie"


@pytest.mark.parametrize("number", range(len(PERSONS)))
def test_import_documents_are_the_search_layers_documents(number):
    builder = ProfessionalDocuments(COMMUNES, PROFESSIONS, SPECIALTIES)
    p = PERSONS[number]
    assert builder.build(41, p) == reference(41, p)
    assert builder.build(41, p) == reference(41, p)  # again, from the name cache
