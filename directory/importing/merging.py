"""Per-person merging: the lines of one person (contiguous in the extraction) become one professional
with their fields, savoir-faire and activities; a person with a bad line is rejected whole.

`merge_line` reads what one valid line contributes; `settle` reports the rejected persons of a batch and
digests the others (a re-import of an unchanged record then writes nothing).
"""

import hashlib
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from directory.validators import FINESS_RE, is_valid_siren, is_valid_siret, national_id_error

_BAD_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Digests written by this version start with this prefix (entries of older versions are rewritten once).
DIGEST_PREFIX = "2."
# Structures repeat on many lines (about ten professionals each): check their numbers once.
_siret_ok = lru_cache(maxsize=1 << 16)(is_valid_siret)
_siren_ok = lru_cache(maxsize=1 << 16)(is_valid_siren)


@dataclass(slots=True)
class Person:
    national_id: str
    first_line: int
    fields: dict = field(default_factory=dict)
    specialties: dict = field(default_factory=dict)
    sites: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    record_digest: str = ""
    rows: object = None  # what PostgreSQL is sent for this person, prepared ahead (`writing.Rows`)

    def digest(self) -> str:
        """The imported record (fields, specialties and sites in a fixed order), hashed. Values come
        from split lines, so they hold no "|"."""
        parts = [*self.fields.values(), str(len(self.specialties))]
        for code in sorted(self.specialties):
            parts += (code, *self.specialties[code])
        for key in sorted(self.sites):
            parts += (key, *self.sites[key].values())
        payload = "|".join(parts).encode()
        return DIGEST_PREFIX + hashlib.md5(payload, usedforsecurity=False).hexdigest()[:30]


@dataclass
class ImportReport:
    counts: dict = field(
        default_factory=lambda: dict.fromkeys(
            [
                "lines",
                "lines_filtered",
                "lines_rejected",
                "professionals_created",
                "professionals_updated",
                "professionals_unchanged",
                "professionals_rejected",
                "structures",
                "sites",
            ],
            0,
        )
    )
    rejected: list = field(default_factory=list)  # {"line", "national_id", "reason"}
    max_rejected: int = 10_000
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, key: str, count: int = 1) -> None:
        """Counts kept by the writing threads (several at once): `+=` on a dict item is not atomic."""
        with self._lock:
            self.counts[key] += count

    def reject(self, line: int, national_id: str, reason: str) -> None:
        self.counts["lines_rejected"] += 1
        if len(self.rejected) < self.max_rejected:
            self.rejected.append({"line": line, "national_id": national_id, "reason": reason})


def merge_line(person: Person, number: int, line, communes) -> None:
    """Add one line of the extraction (a `reading.Line` of this person) to `person`: an error on the
    line is recorded (the whole person will be rejected), otherwise its fields, savoir-faire and site."""
    person.lines.append(number)
    error = national_id_error(line.id_type, line.identifier, line.national_id)
    if error is None and not line.last_name:
        error = "nom d'exercice manquant"
    if error is None and not line.profession_code:
        error = "code profession manquant"
    commune_code = line.commune_code
    if error is None and commune_code and commune_code not in communes:
        error = f"commune inconnue « {commune_code} »"
    if error:
        person.errors.append((number, error))
        return
    if not person.fields:
        person.fields = {
            "id_type": line.id_type,
            "civility": line.civility_ex or line.civility,
            "last_name": line.last_name,
            "first_name": line.first_name,
            "profession": line.profession_code,
            "profession_label": line.profession_label,
            "category": line.category_label[:50],
        }
    if line.sf_code:
        person.specialties[line.sf_code] = (line.sf_label, line.sf_kind_code, line.sf_kind_label)
    structure_id = line.structure_id
    if structure_id and structure_id[:64] in person.sites:
        return  # the activity of an earlier line (a line per savoir-faire): the first line's site is kept
    site = site_of(line, commune_code)
    if site is not None:
        key = site.pop("key")
        person.sites.setdefault(key, site)


def site_of(line, commune_code: str) -> dict | None:
    """The activity a line describes (None when it names no place), keyed by its structure or address."""
    street = " ".join(filter(None, (line.street_number + line.street_repeat, line.street_type, line.street)))
    address = ", ".join(filter(None, (line.geo_complement, street, line.distribution)))
    structure_id = line.structure_id
    name = line.trade_name or line.company
    if not (structure_id or address or commune_code or name):
        return None
    siret = line.siret
    finess = line.finess.upper()
    finess_legal = line.finess_legal.upper()
    email = line.email
    mode = line.mode[:1]
    siren = line.siren
    # Checked when given (most lines leave them empty).
    site = {
        "structure_id": structure_id,
        "company": line.company[:250],
        "trade_name": line.trade_name[:250],
        "siret": siret if siret and _siret_ok(siret) else "",
        "siren": siren if siren and _siren_ok(siren) else "",
        "finess": finess if finess and FINESS_RE.match(finess) else "",
        "finess_legal": finess_legal if finess_legal and FINESS_RE.match(finess_legal) else "",
        "mode": mode if mode in ("L", "S", "B") else "",
        "sector": line.sector[:150],
        "address": address[:300],
        "postal_code": line.postal_code[:10],
        "commune": commune_code,
        "phone": line.phone[:30],
        "phone2": line.phone2[:30],
        "fax": line.fax[:30],
        "email": email[:200] if email and _BAD_EMAIL.match(email) else "",
    }
    if not structure_id:
        # A site known only by its FINESS or SIRET (a pharmacy, a laboratory…) is a structure too, keyed by
        # that number: found again on every line and every import that names it.
        structure_id = (
            f"FINESS-{site['finess']}"
            if site["finess"]
            else f"SIRET-{site['siret']}"
            if site["siret"]
            else ""
        )
        site["structure_id"] = structure_id
    key = (
        line.structure_id
        or hashlib.md5(
            "|".join((address, commune_code, siret, finess, name)).encode(), usedforsecurity=False
        ).hexdigest()
    )
    site["key"] = key[:64]
    return site


def settle(batch: dict[str, Person], report: ImportReport) -> list[Person]:
    """The persons of a batch to write (digested); the others are reported with every line they had."""
    valid = []
    for person in batch.values():
        if person.errors:
            report.counts["professionals_rejected"] += 1
            bad = {line for line, _ in person.errors}
            for line, reason in person.errors:
                report.reject(line, person.national_id, reason)
            others = [line for line in person.lines if line not in bad]
            if others:
                report.reject(
                    others[0],
                    person.national_id,
                    "professionnel·le non importé·e : ligne(s) "
                    + ", ".join(str(n) for n in others)
                    + " ignorée(s) car une autre ligne de la même personne est invalide",
                )
                report.counts["lines_rejected"] += len(others) - 1
        elif person.fields:
            person.record_digest = person.digest()
            valid.append(person)
    return valid
