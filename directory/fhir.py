"""FHIR R4 export: Practitioner, PractitionerRole and Organization with the FR Core identifier systems.

Plain dicts (JSON) built here; the tests validate them with `fhir.resources` (its R4B package: version 8
of the library defaults to R5, and R4B is the R4-compatible release for these three resources).
Only fields visible to the reader are exported (public imported fields; optional fields per visibility).
"""

import json
from collections.abc import Iterable, Iterator
from typing import IO

from django.conf import settings
from django.utils import timezone

from directory.models import PracticeSite, Professional, Structure

RPPS_SYSTEM = "https://rpps.esante.gouv.fr"
IDNATPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
ADELI_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"  # ADELI ids are carried by the idNatPs (0 + ADELI)
FINESS_SYSTEM = "http://finess.sante.gouv.fr"
SIRENE_SYSTEM = "http://sirene.fr"
PROFESSION_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
SPECIALTY_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
MODE_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R23-ModeExercice/FHIR/TRE-R23-ModeExercice"
# Identifier types of the French profiles (FR Core's extension of HL7 table 0203).
IDENTIFIER_TYPE_SYSTEM = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
IDENTIFIER_TYPES = {
    "IDNPS": "Identifiant National de Professionnel de Santé",
    "RPPS": "N° RPPS",
    "ADELI": "N° ADELI",
    "FINEG": "N° FINESS d'entité géographique",
    "FINEJ": "N° FINESS d'entité juridique",
    "SIRET": "N° SIRET",
    "SIREN": "N° SIREN",
}
MSSANTE_EXTENSION = (
    "https://interop.esante.gouv.fr/ig/fhir/core/StructureDefinition/fr-core-contact-point-email-type"
)


def _telecom(phone: str = "", email: str = "", mssante: str = "") -> list[dict]:
    out = []
    if phone:
        out.append({"system": "phone", "value": phone, "use": "work"})
    if email:
        out.append({"system": "email", "value": email, "use": "work"})
    if mssante:
        out.append(
            {
                "system": "email",
                "value": mssante,
                "use": "work",
                "extension": [
                    {
                        "url": MSSANTE_EXTENSION,
                        "valueCoding": {
                            "system": "https://interop.esante.gouv.fr/ig/fhir/core/CodeSystem/fr-core-cs-contact-point-email-type",
                            "code": "MSSANTE",
                        },
                    }
                ],
            }
        )
    return out


def _address(address: str, postal_code: str, commune) -> list[dict]:
    if not (address or postal_code or commune):
        return []
    entry: dict = {"use": "work", "country": "FR"}
    if address:
        entry["line"] = [address]
    if postal_code:
        entry["postalCode"] = postal_code
    if commune is not None:
        entry["city"] = commune.name
        entry["district"] = commune.insee_code
    return [entry]


def _identifier(system: str, value: str, kind: str) -> dict:
    """An official identifier with its type (`identifier.type` of the French profiles)."""
    coding = {"system": IDENTIFIER_TYPE_SYSTEM, "code": kind, "display": IDENTIFIER_TYPES[kind]}
    return {"use": "official", "type": {"coding": [coding]}, "system": system, "value": value}


def practitioner(pro: Professional, can_see=lambda entry, name: True) -> dict:
    identifiers = [_identifier(IDNATPS_SYSTEM, pro.national_id, "IDNPS")]
    if pro.id_type == Professional.IdType.RPPS:
        identifiers.insert(0, _identifier(RPPS_SYSTEM, pro.identifier, "RPPS"))
    name: dict = {"use": "usual", "family": pro.last_name}
    if pro.first_name:
        name["given"] = [pro.first_name]
    if pro.civility:
        name["prefix"] = [pro.civility]
    resource = {
        "resourceType": "Practitioner",
        "id": f"pro-{pro.pk}",
        "meta": {"lastUpdated": pro.updated_at.isoformat()},
        "identifier": identifiers,
        "active": True,
        "name": [name],
    }
    telecom = _telecom(
        pro.mobile_phone if can_see(pro, "mobile_phone") else "",
        pro.email if can_see(pro, "email") else "",
        pro.mssante if can_see(pro, "mssante") else "",
    )
    if telecom:
        resource["telecom"] = telecom
    if pro.languages and can_see(pro, "languages"):
        resource["communication"] = [
            {"text": lang.strip()} for lang in pro.languages.split(",") if lang.strip()
        ]
    return resource


def practitioner_role(pro: Professional, site: PracticeSite) -> dict:
    resource: dict = {
        "resourceType": "PractitionerRole",
        "id": f"role-{site.pk}",
        "active": True,
        "practitioner": {"reference": f"Practitioner/pro-{pro.pk}", "display": pro.full_name},
        "code": [
            {
                "coding": [
                    {"system": PROFESSION_SYSTEM, "code": pro.profession_id, "display": pro.profession.label}
                ]
            }
        ],
    }
    if site.mode:
        resource["code"].append(
            {"coding": [{"system": MODE_SYSTEM, "code": site.mode, "display": site.get_mode_display()}]}
        )
    specialties = list(pro.specialties.all())
    if specialties:
        resource["specialty"] = [
            {"coding": [{"system": SPECIALTY_SYSTEM, "code": s.code, "display": s.label}]}
            for s in specialties
        ]
    if site.structure_id:
        resource["organization"] = {"reference": f"Organization/org-{site.structure_id}"}
    resource["location"] = [{"reference": f"Location/loc-{site.pk}"}]
    telecom = _telecom(site.phone, site.email)
    if telecom:
        resource["telecom"] = telecom
    return resource


def location(site: PracticeSite) -> dict:
    """A practice site: its address, its position where known (the commune's centre), its structure."""
    resource: dict = {
        "resourceType": "Location",
        "id": f"loc-{site.pk}",
        "status": "active",
        "mode": "instance",
        "name": site.name or (site.commune.name if site.commune_id else "") or f"Lieu {site.pk}",
    }
    address = _address(site.address, site.postal_code, site.commune if site.commune_id else None)
    if address:
        resource["address"] = address[0]
    if site.latitude is not None and site.longitude is not None:
        resource["position"] = {"latitude": site.latitude, "longitude": site.longitude}
    if site.structure_id:
        resource["managingOrganization"] = {"reference": f"Organization/org-{site.structure_id}"}
    telecom = _telecom(site.phone, site.email)
    if telecom:
        resource["telecom"] = telecom
    return resource


def organization(structure: Structure, can_see=lambda entry, name: True) -> dict:
    identifiers = []
    if structure.finess:
        identifiers.append(_identifier(FINESS_SYSTEM, structure.finess, "FINEG"))
    if structure.finess_legal:
        identifiers.append(_identifier(FINESS_SYSTEM, structure.finess_legal, "FINEJ"))
    if structure.siret:
        identifiers.append(_identifier(SIRENE_SYSTEM, structure.siret, "SIRET"))
    if structure.siren:
        identifiers.append(_identifier(SIRENE_SYSTEM, structure.siren, "SIREN"))
    resource: dict = {
        "resourceType": "Organization",
        "id": f"org-{structure.pk}",
        "active": True,
        "name": structure.name,
        "type": [{"text": structure.get_kind_display()}],
    }
    if identifiers:
        resource["identifier"] = identifiers
    if structure.legal_entity_id:
        resource["partOf"] = {"reference": f"Organization/org-{structure.legal_entity_id}"}
    if structure.trade_name:
        resource["alias"] = [structure.trade_name]
    telecom = _telecom(
        structure.phone,
        structure.email if can_see(structure, "email") else "",
        structure.mssante if can_see(structure, "mssante") else "",
    )
    if telecom:
        resource["telecom"] = telecom
    address = _address(structure.address, structure.postal_code, structure.commune)
    if address:
        resource["address"] = address
    return resource


def resources(professionals: Iterable[Professional], can_see=lambda entry, name: True) -> Iterator[dict]:
    """Practitioner, its Locations and PractitionerRoles, their Organizations (each Organization once)."""
    seen_structures: set[int] = set()
    for pro in professionals:
        yield practitioner(pro, can_see)
        for site in pro.sites.all():
            if site.structure_id and site.structure_id not in seen_structures:
                seen_structures.add(site.structure_id)
                yield organization(site.structure, can_see)
            yield location(site)
            yield practitioner_role(pro, site)


def _entry(resource: dict) -> dict:
    return {
        "fullUrl": f"{settings.SITE_URL}/fhir/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
    }


def bundle(
    items: Iterable[dict], *, bundle_type: str = "collection", total: int | None = None, links=None
) -> dict:
    result: dict = {
        "resourceType": "Bundle",
        "type": bundle_type,
        "timestamp": timezone.now().isoformat(),
        "entry": [_entry(r) for r in items],
    }
    if total is not None and bundle_type == "searchset":
        result["total"] = total
    if links:
        result["link"] = links
    return result


def stream_bundle(
    items: Iterable[dict], *, bundle_type: str = "searchset", total: int | None = None, links=None
) -> Iterator[str]:
    """The same Bundle as `bundle`, as JSON text chunks (one per entry): a large page is sent as it is
    built, memory stays flat."""
    head: dict = {"resourceType": "Bundle", "type": bundle_type, "timestamp": timezone.now().isoformat()}
    if total is not None and bundle_type == "searchset":
        head["total"] = total
    if links:
        head["link"] = links
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "entry": ['
    for count, resource in enumerate(items):
        yield (",\n" if count else "\n") + json.dumps(_entry(resource), ensure_ascii=False)
    yield "\n]}\n"


def write_bundle(out: IO[str], items: Iterable[dict]) -> int:
    """Write one collection Bundle to `out` entry by entry (memory stays flat on big exports)."""
    out.write(
        '{"resourceType": "Bundle", "type": "collection", "timestamp": '
        + json.dumps(timezone.now().isoformat())
        + ', "entry": ['
    )
    count = 0
    for resource in items:
        out.write((",\n" if count else "\n") + json.dumps(_entry(resource), ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count
