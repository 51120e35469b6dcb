"""Writing files in the format of the national extraction (demo data, tests, benchmark).

The header is the one of `PS_LibreAcces_Personne_activite_*.txt`: pipe-separated, trailing `|`.
"""

from collections.abc import Iterable

HEADER = [
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Code civilité",
    "Libellé civilité",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)",
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)",
    "Code commune (coord. structure)",
    "Libellé commune (coord. structure)",
    "Code pays (coord. structure)",
    "Libellé pays (coord. structure)",
    "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
]
_POSITION = {name: i for i, name in enumerate(HEADER)}

PROFESSIONS = {
    "10": "Médecin",
    "21": "Pharmacien",
    "26": "Audioprothésiste",
    "40": "Chirurgien-Dentiste",
    "50": "Sage-Femme",
    "60": "Infirmier",
    "70": "Masseur-Kinésithérapeute",
    "80": "Pédicure-Podologue",
    "91": "Orthophoniste",
    "92": "Orthoptiste",
    "93": "Psychomotricien",
    "94": "Ergothérapeute",
    "95": "Diététicien",
    "96": "Psychologue",
}
SPECIALTIES_BY_PROFESSION = {
    "10": [
        ("SM53", "Médecine générale"),
        ("SM04", "Cardiologie et maladies vasculaires"),
        ("SM15", "Dermatologie et vénéréologie"),
        ("SM20", "Gynécologie-obstétrique"),
        ("SM38", "Ophtalmologie"),
        ("SM40", "Pédiatrie"),
        ("SM42", "Psychiatrie"),
    ],
    "40": [("SCD01", "Orthopédie dento-faciale")],
}


def header_line(extra_columns: Iterable[str] = ()) -> str:
    return "|".join([*HEADER, *extra_columns]) + "|\n"


def line(values: dict[str, str], extra_values: Iterable[str] = ()) -> str:
    """One line from {header name: value}; missing columns are empty."""
    row = [""] * len(HEADER)
    for name, value in values.items():
        row[_POSITION[name]] = str(value).replace("|", " ").replace("\n", " ")
    return "|".join([*row, *extra_values]) + "|\n"


def person_line(
    *,
    id_type: str,
    identifier: str,
    last_name: str,
    first_name: str,
    profession: str,
    civility: str = "",
    specialty: tuple[str, str] | None = None,
    mode: str = "L",
    structure_id: str = "",
    company: str = "",
    street: str = "",
    postal_code: str = "",
    commune_code: str = "",
    commune_name: str = "",
    phone: str = "",
    email: str = "",
    finess: str = "",
    finess_legal: str = "",
    siret: str = "",
    extra_values: Iterable[str] = (),
) -> str:
    values = {
        "Type d'identifiant PP": id_type,
        "Identifiant PP": identifier,
        "Identification nationale PP": id_type + identifier,
        "Libellé civilité d'exercice": civility,
        "Nom d'exercice": last_name,
        "Prénom d'exercice": first_name,
        "Code profession": profession,
        "Libellé profession": PROFESSIONS.get(profession, profession),
        "Code catégorie professionnelle": "C",
        "Libellé catégorie professionnelle": "Civil",
        "Code mode exercice": mode,
        "Libellé mode exercice": {"L": "Libéral", "S": "Salarié", "B": "Bénévole"}.get(mode, ""),
        "Identifiant technique de la structure": structure_id,
        "Raison sociale site": company,
        "Libellé Voie (coord. structure)": street,
        "Code postal (coord. structure)": postal_code,
        "Code commune (coord. structure)": commune_code,
        "Libellé commune (coord. structure)": commune_name,
        "Code pays (coord. structure)": "99000" if commune_code else "",
        "Libellé pays (coord. structure)": "France" if commune_code else "",
        "Téléphone (coord. structure)": phone,
        "Adresse e-mail (coord. structure)": email,
        "Numéro FINESS site": finess,
        "Numéro FINESS établissement juridique": finess_legal,
        "Numéro SIRET site": siret,
        "Code Département (structure)": commune_code[:2] if commune_code else "",
        "Autorité d'enregistrement": "RPPS/ARS" if id_type == "8" else "ADELI/ARS",
    }
    if specialty:
        values.update(
            {
                "Code type savoir-faire": "S",
                "Libellé type savoir-faire": "Spécialité ordinale",
                "Code savoir-faire": specialty[0],
                "Libellé savoir-faire": specialty[1],
            }
        )
    return line(values, extra_values)
