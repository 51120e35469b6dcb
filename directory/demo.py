"""Demo directory: a generated extraction of the demo département, imported through the same path as
the national file (import_rpps), then attached to the demo CPTS by commune. Idempotent (same seed, same
file: a re-run changes nothing)."""

import os
import random
import tempfile

from django.conf import settings
from faker import Faker

from directory import search_index, services
from directory.extraction import SPECIALTIES_BY_PROFESSION, header_line, person_line
from directory.models import Professional
from federation.models import Commune, User

DEMO_SIZE = 3000
# Share of each profession among the professionals of a département (rounded national figures).
PROFESSION_WEIGHTS = {
    "60": 30,
    "10": 24,
    "70": 15,
    "21": 9,
    "40": 6,
    "91": 4,
    "50": 3,
    "80": 2,
    "96": 3,
    "92": 1,
    "94": 1,
    "95": 1,
    "93": 1,
}
STREETS = [
    "Rue de la République",
    "Avenue Victor Hugo",
    "Boulevard Gambetta",
    "Place de la Mairie",
    "Rue des Écoles",
    "Avenue de la Gare",
    "Rue du Marché",
    "Chemin des Oliviers",
    "Rue Jean Jaurès",
]


def _rpps(rng: random.Random) -> str:
    digits = [1, 0] + [rng.randint(0, 9) for _ in range(8)]
    # Luhn key, like the real numbers.
    total = 0
    for index, value in enumerate(reversed(digits)):
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def generate(path: str, departement: str = "34", size: int = DEMO_SIZE, seed: int = 34) -> int:
    """Write a realistic extraction for `departement`; returns the number of lines."""
    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    communes = list(
        Commune.objects.filter(departement_id=departement, latitude__isnull=False)
        .order_by("insee_code")
        .values_list("insee_code", "name", "postal_codes", "population")
    )
    if not communes:
        return 0
    weights = [max(population, 50) for *_rest, population in communes]
    by_name = {name: c for c in communes for name in [c[1]]}
    professions = list(PROFESSION_WEIGHTS)
    profession_weights = list(PROFESSION_WEIGHTS.values())
    structures: dict[tuple[str, bool], list[tuple[str, str, str]]] = {}
    structure_count = 0
    msp: dict[str, tuple[str, str, str]] = {}  # commune code -> its MSP

    def structure_for(commune, profession: str) -> tuple[str, str]:
        nonlocal structure_count
        # Pharmacists work in pharmacies, the others in practices and MSP: a pool for each.
        pool = structures.setdefault((commune[0], profession == "21"), [])
        if pool and rng.random() < 0.6:
            return rng.choice(pool)
        if commune[3] > 5000 and profession != "21" and rng.random() < 0.25:
            if commune[0] not in msp:  # one MSP per commune: it takes in the newcomers
                structure_count += 1
                msp[commune[0]] = (
                    f"D{departement}{structure_count:07d}",
                    f"Maison de santé pluriprofessionnelle de {commune[1]}",
                    "",
                )
                pool.append(msp[commune[0]])
            return msp[commune[0]]
        structure_count += 1
        if profession == "21":
            # Pharmacies are known by their FINESS only, as in the national extraction.
            item = ("", f"Pharmacie {fake.last_name()}", f"{departement}{structure_count:07d}"[:9])
        else:
            item = (f"D{departement}{structure_count:07d}", f"Cabinet {fake.last_name()}", "")
        pool.append(item)
        return item

    def site_line(person: dict, commune, specialty=None) -> str:
        structure_id, company, finess = structure_for(commune, person["profession"])
        return person_line(
            id_type=person["id_type"],
            identifier=person["identifier"],
            last_name=person["last_name"],
            first_name=person["first_name"],
            civility=person["civility"],
            profession=person["profession"],
            specialty=specialty,
            mode="S" if "Maison" not in company and rng.random() < 0.15 else "L",
            structure_id=structure_id,
            finess=finess,
            company=company,
            street=f"{rng.randint(1, 80)} {rng.choice(STREETS)}",
            postal_code=(commune[2] or "").split(" ")[0],
            commune_code=commune[0],
            commune_name=commune[1].upper(),
            phone=f"04{rng.randint(10000000, 99999999)}",
        )

    lines = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(header_line())
        people = []
        lunel = by_name.get("Lunel")
        if lunel:
            people.append(
                {
                    "id_type": "8",
                    "identifier": "10001234567",
                    "last_name": "LEFÈVRE",
                    "first_name": "Hélène",
                    "civility": "Madame",
                    "profession": "70",
                    "communes": [lunel],
                }
            )
            for _ in range(6):  # physiotherapists of the Lunel area
                people.append(None)
        for _index in range(size - len(people)):
            people.append(None)
        used = set()
        for index, person in enumerate(people):
            if person is None:
                profession = (
                    "70" if (lunel and 1 <= index <= 6) else rng.choices(professions, profession_weights)[0]
                )
                female = rng.random() < 0.6
                commune = lunel if (lunel and 1 <= index <= 6) else rng.choices(communes, weights)[0]
                adeli = profession in ("96", "93", "94", "95") or rng.random() < 0.03
                identifier = f"{departement}{rng.randint(9000000, 9999999)}" if adeli else _rpps(rng)
                if identifier in used:
                    continue
                person = {
                    "id_type": "0" if adeli else "8",
                    "identifier": identifier,
                    "last_name": fake.last_name().upper(),
                    "first_name": fake.first_name_female() if female else fake.first_name_male(),
                    "civility": "Madame" if female else "Monsieur",
                    "profession": profession,
                    "communes": [commune],
                }
                if rng.random() < 0.15:  # a second activity nearby
                    person["communes"].append(rng.choices(communes, weights)[0])
            used.add(person["identifier"])
            specialties = SPECIALTIES_BY_PROFESSION.get(person["profession"])
            specialty = None
            if specialties:
                specialty = specialties[0] if rng.random() < 0.6 else rng.choice(specialties)
            for commune in person["communes"]:
                out.write(site_line(person, commune, specialty))
                lines += 1
    return lines


def seed(stdout) -> None:
    departement = settings.DEMO_DEPARTMENT
    handle, path = tempfile.mkstemp(prefix="PS_LibreAcces_Personne_activite_demo_", suffix=".txt")
    os.close(handle)
    try:
        lines = generate(path, departement)
        if not lines:
            stdout.write("Annuaire : aucune commune chargée, rien à importer.\n")
            return
        run = services.import_run_execute(actor=None, path=path, departments=[departement])
    finally:
        os.unlink(path)
    counts = run.counts
    stdout.write(
        f"Annuaire : {lines} lignes générées ; {counts['professionals_created']} créés, "
        f"{counts['professionals_unchanged']} inchangés, {counts['lines_rejected']} lignes rejetées.\n"
    )
    # Practising on a territory makes no one a member of its CPTS (seed 000: "sur la base du volontariat"):
    # missions/projet/demo.py builds each CPTS's register explicitly, which links the members here.
    _demo_profiles(stdout)


def _demo_profiles(stdout) -> None:
    """Optional fields a few professionals filled in, and an account linked to its entry."""
    rng = random.Random(3434)
    doctors = list(
        Professional.objects.filter(
            profession_id="10", specialties__code="SM53", accepts_new_patients__isnull=True
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    open_ids = [pk for pk in doctors if rng.random() < 0.3]
    snp_ids = [pk for pk in doctors if rng.random() < 0.4]
    Professional.objects.filter(id__in=doctors).update(accepts_new_patients=False)
    Professional.objects.filter(id__in=open_ids).update(accepts_new_patients=True)
    Professional.objects.filter(id__in=snp_ids).update(takes_part_in_snp=True)
    search_index.schedule_professionals(doctors)
    helene = Professional.objects.filter(national_id="810001234567").first()
    user = User.objects.filter(email="member2.pays-de-lunel@demo.maillage.fr").first()
    if helene and user and helene.user_id is None and not hasattr(user, "professional"):
        # The demo account is Hélène's own: same name in the chat as in the directory.
        User.objects.filter(pk=user.pk).update(display_name=f"{helene.first_name} {helene.last_name}")
        services.professional_link_user(actor=None, professional=helene, user=user)
        services.professional_update(
            actor=user,
            professional=helene,
            data={
                "mssante": "helene.lefevre@kine.mssante.fr",
                "skills": "Rééducation à domicile, kinésithérapie respiratoire, gestion de projet",
                "languages": "français, anglais, occitan",
                "takes_part_in_snp": True,
            },
            visibility={"mssante": "cpts"},
        )
        stdout.write(f"  Fiche d'Hélène Lefèvre reliée au compte {user.email}.\n")
