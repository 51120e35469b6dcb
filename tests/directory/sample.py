"""A small extraction with tricky lines (accents, several activities, ADELI, bad lines)."""

from directory.extraction import header_line, person_line

LUNEL, LUNEL_VIEL, SETE, MONTPELLIER = "34145", "34146", "34301", "34172"


def sample_text(extra: bool = True) -> str:
    extra_header = ["Code fonction", "Libellé genre activité"] if extra else []
    ex = ["FON-01", "Activité standard"] if extra else []
    lines = [header_line(extra_header)]
    lines.append(
        person_line(
            id_type="8",
            identifier="10001234567",
            last_name="LEFÈVRE",
            first_name="Hélène",
            civility="Madame",
            profession="70",
            structure_id="S001",
            company="Cabinet de kinésithérapie du Centre",
            street="Rue de la Libération",
            postal_code="34400",
            commune_code=LUNEL,
            commune_name="LUNEL",
            phone="0467000001",
            extra_values=ex,
        )
    )
    # Second activity of the same person (another structure, another commune).
    lines.append(
        person_line(
            id_type="8",
            identifier="10001234567",
            last_name="LEFÈVRE",
            first_name="Hélène",
            civility="Madame",
            profession="70",
            structure_id="S002",
            company="Maison de santé de Lunel-Viel",
            postal_code="34400",
            commune_code=LUNEL_VIEL,
            commune_name="LUNEL-VIEL",
            finess="340012345",
            extra_values=ex,
        )
    )
    # A doctor with a specialty, two savoir-faire lines on the same site.
    lines.append(
        person_line(
            id_type="8",
            identifier="10009876543",
            last_name="Dupont",
            first_name="Jean-François",
            profession="10",
            specialty=("SM53", "Médecine générale"),
            structure_id="S003",
            company="Cabinet médical",
            postal_code="34200",
            commune_code=SETE,
            commune_name="SÈTE",
            extra_values=ex,
        )
    )
    lines.append(
        person_line(
            id_type="8",
            identifier="10009876543",
            last_name="Dupont",
            first_name="Jean-François",
            profession="10",
            specialty=("SM04", "Cardiologie et maladies vasculaires"),
            structure_id="S003",
            company="Cabinet médical",
            postal_code="34200",
            commune_code=SETE,
            commune_name="SÈTE",
            extra_values=ex,
        )
    )
    # An ADELI nurse.
    lines.append(
        person_line(
            id_type="0",
            identifier="349912345",
            last_name="Nguyễn",
            first_name="Zoé",
            profession="60",
            structure_id="S004",
            company="Cabinet infirmier",
            postal_code="34000",
            commune_code=MONTPELLIER,
            commune_name="MONTPELLIER",
            extra_values=ex,
        )
    )
    # Malformed line: a column missing.
    bad = person_line(
        id_type="8",
        identifier="10005555555",
        last_name="Martin",
        first_name="Paul",
        profession="70",
        commune_code=LUNEL,
        extra_values=ex,
    )
    lines.append(bad.replace("|Paul|", "|Paul", 1))
    # Unknown commune: this physiotherapist's other line is valid but the person is not half-applied.
    lines.append(
        person_line(
            id_type="8",
            identifier="10007777777",
            last_name="Bernard",
            first_name="Luc",
            profession="70",
            structure_id="S005",
            commune_code=LUNEL,
            commune_name="LUNEL",
            extra_values=ex,
        )
    )
    lines.append(
        person_line(
            id_type="8",
            identifier="10007777777",
            last_name="Bernard",
            first_name="Luc",
            profession="70",
            structure_id="S006",
            commune_code="34999",
            commune_name="NULLE PART",
            extra_values=ex,
        )
    )
    # Invalid RPPS id.
    lines.append(
        person_line(
            id_type="8",
            identifier="12AB",
            last_name="Petit",
            first_name="Anne",
            profession="50",
            commune_code=LUNEL,
            extra_values=ex,
        )
    )
    # Outside the département filter (Gard).
    lines.append(
        person_line(
            id_type="8",
            identifier="10003333333",
            last_name="Garcia",
            first_name="Inès",
            profession="50",
            commune_code="30189",
            commune_name="NÎMES",
            extra_values=ex,
        )
    )
    return "".join(lines)
