"""Import of the national open-data extraction `PS_LibreAcces_Personne_activite_*.txt` (DOMAIN.md).

Pipe-separated UTF-8 with a header line and a trailing `|`. Columns are found by name (accents, case and
the " (coord. structure)" suffix ignored), unknown columns are ignored. The file is streamed: lines of one
person (they are contiguous in the extraction) are merged into one professional with several activities,
and professionals are written in batches, each batch in one transaction.

A professional is never half-applied: if any of their lines is bad (wrong column count, invalid id,
unknown commune), none of their lines is applied and every bad line is reported with its number and
reason. Upserts are keyed by the national id; a digest of the imported record makes a re-import of
unchanged data write nothing.

On PostgreSQL, outside a transaction, batches are written by two threads with their own connections
while the next batch is parsed (the GIL is released while PostgreSQL works), so that PostgreSQL works on
two batches at once; rows shared by batches (structures, new codes) are written in key order.
"""

import hashlib
import operator
import queue
import re
import sys
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO

from django.db import connection, transaction
from django.utils import timezone

from directory import search_index
from directory.models import (
    EntryChange,
    PracticeSite,
    Profession,
    Professional,
    Specialty,
    Structure,
)
from directory.validators import (
    FINESS_RE,
    ID_TYPE_ADELI,
    ID_TYPE_RPPS,
    is_valid_siren,
    is_valid_siret,
    national_id_error,
)
from federation.models import Commune
from search.bulk import BulkLoad
from search.pgcopy import NULL, copy_text, next_ids, text_fields, upsert_rows
from search.text import fold

# Internal name → folded header name (see `_header_key`).
COLUMNS = {
    "id_type": "type d identifiant pp",
    "identifier": "identifiant pp",
    "national_id": "identification nationale pp",
    "civility_ex": "libelle civilite d exercice",
    "civility": "libelle civilite",
    "last_name": "nom d exercice",
    "first_name": "prenom d exercice",
    "profession_code": "code profession",
    "profession_label": "libelle profession",
    "category_label": "libelle categorie professionnelle",
    "sf_kind_code": "code type savoir faire",
    "sf_kind_label": "libelle type savoir faire",
    "sf_code": "code savoir faire",
    "sf_label": "libelle savoir faire",
    "mode": "code mode exercice",
    "siret": "numero siret site",
    "siren": "numero siren site",
    "finess": "numero finess site",
    "finess_legal": "numero finess etablissement juridique",
    "structure_id": "identifiant technique de la structure",
    "company": "raison sociale site",
    "trade_name": "enseigne commerciale site",
    "recipient": "complement destinataire",
    "geo_complement": "complement point geographique",
    "street_number": "numero voie",
    "street_repeat": "indice repetition voie",
    "street_type": "libelle type de voie",
    "street": "libelle voie",
    "distribution": "mention distribution",
    "cedex": "bureau cedex",
    "postal_code": "code postal",
    "commune_code": "code commune",
    "commune_label": "libelle commune",
    "phone": "telephone",
    "phone2": "telephone 2",
    "fax": "telecopie",
    "email": "adresse e mail",
    "department": "code departement",
    "sector": "libelle secteur d activite",
}
# A new professional: the columns from the file, then the others with their defaults (COPY text).
PRO_COPY_COLUMNS = [
    "id",
    "national_id",
    "id_type",
    "civility",
    "last_name",
    "first_name",
    "profession_id",
    "category",
    "import_digest",
]
PRO_COPY_DEFAULTS = {
    "mobile_phone": "",
    "email": "",
    "mssante": "",
    "languages": "",
    "skills": "",
    "interests": "",
    "accepts_new_patients": NULL,
    "takes_part_in_snp": "f",
    "takes_part_in_sas": "f",
    "hosts_trainees": "f",
    "visibility": "{}",
    "user_id": NULL,
}
SITE_FIELDS = [
    "professional_id",
    "source_key",
    "structure_id",
    "mode",
    "sector",
    "name",
    "address",
    "postal_code",
    "commune_id",
    "latitude",
    "longitude",
    "phone",
    "phone2",
    "fax",
    "email",
    "mssante",
]
# The same in the order of the COPY lines: ids and coordinates, the text fields, the commune.
SITE_COPY_COLUMNS = [
    "professional_id",
    "structure_id",
    "latitude",
    "longitude",
    "source_key",
    "mode",
    "sector",
    "name",
    "address",
    "postal_code",
    "phone",
    "phone2",
    "fax",
    "email",
    "mssante",
    "commune_id",
]
STRUCTURE_COPY_COLUMNS = [
    "source_id",
    "kind",
    "name",
    "trade_name",
    "finess",
    "finess_legal",
    "siret",
    "siren",
    "address",
    "postal_code",
    "commune_id",
    "latitude",
    "longitude",
    "phone",
    "email",
    "mssante",
    "website",
    "referent_name",
    "referent_phone",
    "services",
    "public_served",
    "coverage",
    "care_modalities",
    "visibility",
    "created_at",
    "updated_at",
]
STRUCTURE_UPDATE_COLUMNS = [
    "name",
    "trade_name",
    "finess",
    "finess_legal",
    "siret",
    "siren",
    "address",
    "postal_code",
    "commune_id",
    "latitude",
    "longitude",
    "phone",
    "updated_at",
]


# What the import writes of a structure: the update columns but `updated_at`.
STRUCTURE_SIGNATURE = STRUCTURE_UPDATE_COLUMNS[:-1]


NULL_PAIR = f"{NULL}\t{NULL}"
# Professionals written by one import above which the planner statistics are refreshed at the end.
ANALYZE_AFTER = 10_000
REQUIRED = ("id_type", "identifier", "last_name", "profession_code")
_SUFFIX = re.compile(r"\s*\((coord\.?\s*structure|structure)\)\s*$", re.IGNORECASE)
_BAD_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# One parsed line: the known columns, stripped ("" when the file lacks the column).
Line = namedtuple("Line", list(COLUMNS))
# Digests written by this version start with this prefix; older ones are plain md5 (`legacy_digest`).
DIGEST_PREFIX = "2."
# Structures repeat on many lines (about ten professionals each): check their numbers once.
_siret_ok = lru_cache(maxsize=1 << 16)(is_valid_siret)
_siren_ok = lru_cache(maxsize=1 << 16)(is_valid_siren)


class ImportFormatError(Exception):
    """The file cannot be imported at all (missing header or required columns)."""


def _header_key(name: str) -> str:
    return fold(_SUFFIX.sub("", name.strip().lstrip("\ufeff")))


# Words of a structure's name → its kind (the first that matches); several words match as a phrase.
_KIND_NEEDLES = (
    ("maison de sante", Structure.Kind.MSP),
    ("msp", Structure.Kind.MSP),
    ("equipe de soins primaires", Structure.Kind.ESP),
    ("centre de sante", Structure.Kind.HEALTH_CENTRE),
    ("ehpad", Structure.Kind.EHPAD),
    ("ssiad", Structure.Kind.SSIAD),
    ("hospitalisation a domicile", Structure.Kind.HAD),
    ("centre hospitalier", Structure.Kind.HOSPITAL),
    ("clinique", Structure.Kind.HOSPITAL),
    ("chu", Structure.Kind.HOSPITAL),
    ("hopital", Structure.Kind.HOSPITAL),
    ("pharmacie", Structure.Kind.PHARMACY),
    ("laboratoire", Structure.Kind.LABORATORY),
)


def structure_kind(name: str, finess: str) -> str:
    folded = fold(name)
    words = set(folded.split())
    for needle, kind in _KIND_NEEDLES:
        if needle in words or (" " in needle and needle in folded):
            return kind
    return Structure.Kind.OTHER if finess else Structure.Kind.PRACTICE


def _department(line: Line) -> str:
    code = line.commune_code
    if code:
        return code[:3] if code.startswith("97") else code[:2]
    if line.department:
        return line.department.zfill(2)
    postal = line.postal_code
    return (
        ("2A" if postal.startswith("20") else postal[:3] if postal.startswith("97") else postal[:2])
        if postal
        else ""
    )


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
    rows: "_Rows | None" = None  # what PostgreSQL is sent for this person, prepared ahead (`_prepare`)

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

    def legacy_digest(self) -> str:
        """The digest of earlier versions: only computed for entries they wrote, so that the first
        import with this version does not rewrite unchanged entries."""
        payload = repr(
            (
                sorted(self.fields.items()),
                sorted(self.specialties.items()),
                sorted((k, sorted(v.items())) for k, v in self.sites.items()),
            )
        )
        return hashlib.md5(payload.encode(), usedforsecurity=False).hexdigest()


@dataclass(slots=True)
class _Rows:
    """A professional's COPY text without the ids the writer assigns, and their search document."""

    professional: str  # the PRO_COPY_COLUMNS after `id`
    sites: list[tuple[str, str]]  # (structure source id, SITE_COPY_COLUMNS after `structure_id`)
    specialties: list[str]  # specialty_id
    document: object  # search Document; its object_id is set once the id is known


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


def _session_settings(cursor, on: bool) -> None:
    if on:
        # Each batch commits on its own and a re-run completes an interrupted import, so the import may
        # skip waiting for the WAL flush; a larger GIN pending list batches the full-text index updates.
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET gin_pending_list_limit = 65536")
    else:
        cursor.execute("RESET synchronous_commit")
        cursor.execute("RESET gin_pending_list_limit")


class _Writer:
    """Applies batches on `threads` threads, each with its own database connection (Django connections
    are per thread), while the reading thread parses the next ones: PostgreSQL works on several batches
    at once. Batches may commit out of order; a batch holding a person of a batch still being written
    waits for it (lines of one person are contiguous in the extraction, so this is rare). The bounded
    queue keeps memory flat. After an error the writers drain the queue without applying, and the
    reader raises the error."""

    def __init__(self, apply: Callable[[list], None], threads: int = 2):
        self.apply = apply
        self.queue: queue.Queue = queue.Queue(maxsize=threads)
        self.error: BaseException | None = None
        self.stopped = False
        self.in_flight: dict[int, set[str]] = {}  # batch number → national ids, until written
        self.done = threading.Condition()
        self.batches = 0
        # The writers wait on PostgreSQL then need the GIL back quickly: hand it over sooner than the
        # default 5 ms while the reader is busy parsing.
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(0.001)
        self.threads = [
            threading.Thread(target=self._run, name=f"rpps-import-writer-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        try:
            try:
                with connection.cursor() as cursor:
                    _session_settings(cursor, True)
            except BaseException as exc:  # still drain the queue: the reader must not wait forever
                self.error = exc
            while (item := self.queue.get()) is not None:
                number, batch = item
                if self.error is None and not self.stopped:
                    try:
                        self.apply(batch)
                    except BaseException as exc:  # re-raised by the reading thread
                        self.error = exc
                with self.done:
                    del self.in_flight[number]
                    self.done.notify_all()
        finally:
            try:
                if connection.connection is not None and connection.is_usable():
                    with connection.cursor() as cursor:
                        _session_settings(cursor, False)
            finally:
                connection.close()

    def put(self, batch: list) -> None:
        self._raise()
        ids = {person.national_id for person in batch}
        with self.done:
            self.done.wait_for(lambda: all(ids.isdisjoint(other) for other in self.in_flight.values()))
            self.batches += 1
            self.in_flight[self.batches] = ids
        self.queue.put((self.batches, batch))

    def finish(self) -> None:
        """Wait for every batch to be written; raise the writers' error if any."""
        self._stop()
        self._raise()

    def abort(self) -> None:
        """The reader failed: drop the queued batches and end the threads."""
        self.stopped = True
        self._stop()

    def _stop(self) -> None:
        for _thread in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        sys.setswitchinterval(self.switch_interval)

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error


class RppsImporter:
    """Streams one extraction file into the directory. `run(stream)` returns an ImportReport."""

    def __init__(
        self,
        *,
        departments: Iterable[str] = (),
        batch_size: int = 2000,
        progress: Callable[[int], None] | None = None,
        index: bool = True,
        writers: int = 2,
    ):
        self.writers = writers  # PostgreSQL: connections writing batches at once
        self.departments = {d.strip().upper().zfill(2) for d in departments if d.strip()}
        self.batch_size = batch_size
        self.progress = progress
        self.index = index
        self.report = ImportReport()
        self.communes = {
            code: (lat, lon, name)
            for code, lat, lon, name in Commune.objects.values_list(
                "insee_code", "latitude", "longitude", "name"
            )
        }
        self.profession_labels = dict(Profession.objects.values_list("code", "label"))
        self.specialty_labels = dict(Specialty.objects.values_list("code", "label"))
        self.professions = set(self.profession_labels)
        self.specialties = set(self.specialty_labels)
        self.structure_cache: dict[str, tuple[tuple, int]] = {}
        # Commune code → "latitude\tlongitude" as COPY text.
        self.copy_coordinates = {
            code: f"{NULL if lat is None else lat}\t{NULL if lon is None else lon}"
            for code, (lat, lon, _name) in self.communes.items()
        }
        self.pg = connection.vendor == "postgresql"
        self.bulk_load = BulkLoad()
        self.next_analyze = ANALYZE_AFTER  # entries created (see `_analyze_while_growing`)
        self.writer: _Writer | None = None
        # Whether the reading thread prepares the rows of valid persons (while the writer waits for
        # PostgreSQL): yes while batches create entries, not while a re-import finds them unchanged.
        self.prepare_rows = self.pg

    # --- reading ----------------------------------------------------------------------------------
    def run(self, stream: BinaryIO) -> ImportReport:
        header_raw = stream.readline()
        if not header_raw:
            raise ImportFormatError("Fichier vide.")
        if self.progress:
            self.progress(len(header_raw))
        header = header_raw.decode("utf-8-sig").rstrip("\r\n").split("|")
        if len(header) > 1 and header[-1] == "":
            header = header[:-1]
        positions = {_header_key(name): i for i, name in enumerate(header) if name.strip()}
        self.width = len(header)
        self.col = {key: positions.get(name) for key, name in COLUMNS.items()}
        missing = [COLUMNS[key] for key in REQUIRED if self.col[key] is None]
        if missing:
            raise ImportFormatError("Colonnes obligatoires absentes : " + ", ".join(missing))
        # Lines are split with one more value than the header, always "" (the trailing separator, or
        # added): absent columns read it.
        self._pick = operator.itemgetter(*(self.width if i is None else i for i in self.col.values()))

        # A second thread needs its own connection, which cannot see an enclosing transaction's rows.
        if self.pg and not connection.in_atomic_block:
            self.writer = _Writer(self._write, threads=self.writers)
            try:
                self._read(stream)
            except BaseException:
                self.writer.abort()
                raise
            self.writer.finish()
        else:
            if self.pg:
                with connection.cursor() as cursor:
                    _session_settings(cursor, True)
            self._read(stream)
            if self.pg:
                with connection.cursor() as cursor:
                    _session_settings(cursor, False)
        counts = self.report.counts
        if self.pg and counts["professionals_created"] + counts["professionals_updated"] >= ANALYZE_AFTER:
            # Searches choose their strategy from the planner's statistics: refresh them after a bulk
            # change rather than waiting for autovacuum.
            with connection.cursor() as cursor:
                tables = ", ".join(m._meta.db_table for m in (Professional, PracticeSite, Structure))
                cursor.execute(f"ANALYZE {tables}")
            search_index.refresh_statistics()
        return self.report

    def _read(self, stream: BinaryIO) -> None:
        counts, width, pick, progress = self.report.counts, self.width, self._pick, self.progress
        read = 0  # bytes not yet reported to `progress` (reported once per batch)
        batch: dict[str, Person] = {}
        # readline() rather than iteration: Django's File.__iter__ rewinds to the start.
        for number, raw in enumerate(iter(stream.readline, b""), start=2):
            read += len(raw)
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if not text or text.isspace():
                continue
            counts["lines"] += 1
            values = text.split("|")
            if not text.endswith("|"):  # the extraction ends every line with a separator
                values.append("")
            if len(values) == width + 1:
                line = Line._make(map(str.strip, pick(values)))
                national_id = line.national_id or (line.id_type + line.identifier if line.identifier else "")
            else:
                line = None
                national_id = self._national_id(values[:-1])
            if len(batch) >= self.batch_size and national_id not in batch:
                if progress:
                    progress(read)
                    read = 0
                self._flush(batch)
                batch = {}
            if line is None:
                reason = f"nombre de colonnes incorrect ({len(values) - 1} au lieu de {width})"
                if national_id:
                    person = batch.setdefault(national_id, Person(national_id, number))
                    person.errors.append((number, reason))
                    person.lines.append(number)
                else:
                    self.report.reject(number, "", reason)
                continue
            self._read_line(number, line, national_id, batch)
        if progress and read:
            progress(read)
        if batch:
            self._flush(batch)

    def _get(self, values: list[str], key: str) -> str:
        index = self.col[key]
        if index is None or index >= len(values):
            return ""
        return values[index].strip()

    def _national_id(self, values: list[str]) -> str:
        """National id of a line with the wrong number of columns (read as far as it goes)."""
        national_id = self._get(values, "national_id")
        if not national_id:
            id_type, identifier = self._get(values, "id_type"), self._get(values, "identifier")
            national_id = id_type + identifier if identifier else ""
        return national_id

    def _read_line(self, number: int, line: Line, national_id: str, batch: dict) -> None:
        if self.departments and _department(line) not in self.departments:
            self.report.counts["lines_filtered"] += 1
            return
        person = batch.get(national_id)
        if person is None:
            person = batch[national_id] = Person(national_id or f"?{number}", number)
        person.lines.append(number)
        error = national_id_error(line.id_type, line.identifier, line.national_id)
        if error is None and not line.last_name:
            error = "nom d'exercice manquant"
        if error is None and not line.profession_code:
            error = "code profession manquant"
        commune_code = line.commune_code
        if error is None and commune_code and commune_code not in self.communes:
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
        site = self._site(line, commune_code)
        if site is not None:
            key = site.pop("key")
            person.sites.setdefault(key, site)

    def _site(self, line: Line, commune_code: str) -> dict | None:
        street = " ".join(
            filter(None, (line.street_number + line.street_repeat, line.street_type, line.street))
        )
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
        site = {
            "structure_id": structure_id,
            "company": line.company[:250],
            "trade_name": line.trade_name[:250],
            "siret": siret if _siret_ok(siret) else "",
            "siren": line.siren if _siren_ok(line.siren) else "",
            "finess": finess if FINESS_RE.match(finess) else "",
            "finess_legal": finess_legal if FINESS_RE.match(finess_legal) else "",
            "mode": mode if mode in ("L", "S", "B") else "",
            "sector": line.sector[:150],
            "address": address[:300],
            "postal_code": line.postal_code[:10],
            "commune": commune_code,
            "phone": line.phone[:30],
            "phone2": line.phone2[:30],
            "fax": line.fax[:30],
            "email": email[:200] if _BAD_EMAIL.match(email) else "",
        }
        key = (
            structure_id
            or hashlib.md5(
                "|".join((address, commune_code, siret, finess, name)).encode(), usedforsecurity=False
            ).hexdigest()
        )
        site["key"] = key[:64]
        return site

    # --- writing ----------------------------------------------------------------------------------
    def _flush(self, batch: dict[str, Person]) -> None:
        valid = []
        for person in batch.values():
            if person.errors:
                self.report.counts["professionals_rejected"] += 1
                bad = {line for line, _ in person.errors}
                for line, reason in person.errors:
                    self.report.reject(line, person.national_id, reason)
                others = [line for line in person.lines if line not in bad]
                if others:
                    self.report.reject(
                        others[0],
                        person.national_id,
                        "professionnel·le non importé·e : ligne(s) "
                        + ", ".join(str(n) for n in others)
                        + " ignorée(s) car une autre ligne de la même personne est invalide",
                    )
                    self.report.counts["lines_rejected"] += len(others) - 1
            elif person.fields:
                # Here rather than in the writing thread, which is the one waiting on PostgreSQL.
                person.record_digest = person.digest()
                if self.prepare_rows:
                    person.rows = self._prepare(person)
                valid.append(person)
        if not valid:
            return
        if self.writer is not None:
            self.writer.put(valid)
        else:
            self._write(valid)

    def _write(self, persons: list[Person]) -> None:
        changed, existing = self._changes(persons)
        if not changed:
            return
        # Structures and new codes are shared by batches: committed apart (a structure is not part of a
        # professional), so that a concurrent batch naming the same structure waits for this short
        # transaction only. They are remembered once committed: a batch must not refer to a structure
        # it cannot see yet.
        written: dict[str, tuple[tuple, int]] = {}
        with transaction.atomic():
            self._ensure_references(changed)
            structure_ids = self._upsert_structures(changed, written)
        cache = self.structure_cache
        if len(cache) > 200_000:  # bounded memory on national files
            cache.clear()
        cache.update(written)
        with transaction.atomic():
            self._apply(changed, existing, structure_ids)
        if self.pg:
            self._analyze_while_growing()

    def _analyze_while_growing(self) -> None:
        """Batches look entries up by national id with a plan chosen from the planner's statistics: a
        table that grew from empty still looks tiny and would be read whole for each batch (at 400 k
        entries, 38 ms a batch instead of 2). Refreshed each time the import has doubled its writes."""
        written = self.report.counts["professionals_created"]
        if written < self.next_analyze:
            return
        self.next_analyze = 2 * written
        with connection.cursor() as cursor:
            # The tables' sizes are what the plans need, those of the foreign-key checks included
            # (ANALYZE updates them whatever the columns, and makes the sessions plan again): one column
            # each is sorted instead of all (full ANALYZEs took 17 % of PostgreSQL's time at 200 k).
            cursor.execute(
                f"ANALYZE {Professional._meta.db_table} (national_id), {Structure._meta.db_table} (id)"
            )

    def _ensure_references(self, persons: list[Person]) -> None:
        professions, specialties = {}, {}
        for person in persons:
            code = person.fields["profession"]
            if code not in self.professions:
                professions[code] = Profession(code=code, label=person.fields["profession_label"] or code)
            for sf_code, (label, kind_code, kind_label) in person.specialties.items():
                if sf_code not in self.specialties:
                    specialties[sf_code] = Specialty(
                        code=sf_code, label=label or sf_code, kind_code=kind_code, kind_label=kind_label
                    )
        # Sorted: concurrent batches then insert shared new codes in the same order (no deadlock).
        if professions:
            Profession.objects.bulk_create(
                sorted(professions.values(), key=lambda p: p.code), ignore_conflicts=True
            )
            self.professions |= set(professions)
            self.profession_labels.update(
                Profession.objects.filter(code__in=list(professions)).values_list("code", "label")
            )
        if specialties:
            Specialty.objects.bulk_create(
                sorted(specialties.values(), key=lambda s: s.code), ignore_conflicts=True
            )
            self.specialties |= set(specialties)
            self.specialty_labels.update(
                Specialty.objects.filter(code__in=list(specialties)).values_list("code", "label")
            )

    def _existing(self, national_ids: list[str]) -> dict[str, tuple]:
        """national id → (id, import_digest, civility, last_name, first_name, profession_id)."""
        if self.pg:
            # One text parameter split by the server: the ORM's IN list costs a parameter per id, and a
            # list parameter is dumped element by element in Python. National ids hold no spaces.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT national_id, id, import_digest, civility, last_name, first_name, profession_id"
                    f" FROM {Professional._meta.db_table}"
                    " WHERE national_id = ANY(string_to_array(%s, ' '))",
                    [" ".join(national_ids)],
                )
                rows = cursor.fetchall()
        else:
            rows = Professional.objects.filter(national_id__in=national_ids).values_list(
                "national_id", "id", "import_digest", "civility", "last_name", "first_name", "profession_id"
            )
        return {row[0]: row[1:] for row in rows}

    def _changes(self, persons: list[Person]) -> tuple[list[Person], dict[str, tuple]]:
        """The persons to write (new or changed) and the entries found by national id."""
        digests = {p.national_id: p.record_digest for p in persons}
        existing = self._existing(list(digests))
        changed, upgraded = [], []
        for p in persons:
            old = existing.get(p.national_id)
            if old is None:
                changed.append(p)
            elif old[1] == digests[p.national_id]:
                continue
            elif not old[1].startswith(DIGEST_PREFIX) and old[1] == p.legacy_digest():
                upgraded.append(Professional(id=old[0], import_digest=digests[p.national_id]))
            else:
                changed.append(p)
        if upgraded:  # unchanged entries written by an earlier version: only their digest changes
            Professional.objects.bulk_update(upgraded, ["import_digest"], batch_size=1000)
        self.report.add("professionals_unchanged", len(persons) - len(changed))
        return changed, existing

    def _apply(
        self, changed: list[Person], existing: dict[str, tuple], structure_ids: dict[str, int]
    ) -> None:
        """Write the professionals of a batch, their sites, specialties, history and documents."""
        digests = {p.national_id: p.record_digest for p in changed}
        now = timezone.now()
        pg = self.pg
        new = [p for p in changed if p.national_id not in existing]
        updated = [p for p in changed if p.national_id in existing]
        ids: dict[str, int] = {p.national_id: existing[p.national_id][0] for p in updated}
        if pg:
            self.prepare_rows = bool(new)
            for p in changed:
                if p.rows is None:
                    p.rows = self._prepare(p)
        if pg and new:
            # COPY with ids reserved from the sequence: the fast path of a first import.
            fresh = next_ids(Professional._meta.db_table, len(new))
            ids.update(zip((p.national_id for p in new), fresh, strict=True))
            defaults = "\t".join([*PRO_COPY_DEFAULTS.values(), str(now), str(now)])
            copy_text(
                Professional._meta.db_table,
                [*PRO_COPY_COLUMNS, *PRO_COPY_DEFAULTS, "created_at", "updated_at"],
                [f"{ids[p.national_id]}\t{p.rows.professional}\t{defaults}\n" for p in new],
            )
        orm_rows = updated if pg else changed
        if orm_rows:
            Professional.objects.bulk_create(
                [
                    Professional(
                        national_id=p.national_id,
                        id_type=p.fields["id_type"],
                        civility=p.fields["civility"][:20],
                        last_name=p.fields["last_name"][:150],
                        first_name=p.fields["first_name"][:150],
                        profession_id=p.fields["profession"],
                        category=p.fields["category"],
                        import_digest=digests[p.national_id],
                        created_at=now,
                        updated_at=now,
                    )
                    for p in orm_rows
                ],
                update_conflicts=True,
                unique_fields=["national_id"],
                update_fields=[
                    "id_type",
                    "civility",
                    "last_name",
                    "first_name",
                    "profession",
                    "category",
                    "import_digest",
                    "updated_at",
                ],
            )
            if not pg:
                ids.update(
                    Professional.objects.filter(
                        national_id__in=[p.national_id for p in orm_rows]
                    ).values_list("national_id", "id")
                )
        updated_ids = [ids[p.national_id] for p in updated]
        if updated_ids:
            Professional.specialties.through.objects.filter(professional_id__in=updated_ids).delete()
            PracticeSite.objects.filter(professional_id__in=updated_ids, source_key__isnull=False).delete()
        through = Professional.specialties.through
        if pg:
            sites = self._copy_sites_and_links(changed, ids, structure_ids)
        else:
            link_rows = [(ids[p.national_id], code) for p in changed for code in p.specialties]
            site_rows = [
                (
                    ids[p.national_id],
                    key,
                    structure_ids.get(s["structure_id"]),
                    s["mode"],
                    s["sector"],
                    s["trade_name"] or s["company"],
                    s["address"],
                    s["postal_code"],
                    s["commune"] or None,
                    *self.communes.get(s["commune"], (None, None))[:2],
                    s["phone"],
                    s["phone2"],
                    s["fax"],
                    s["email"],
                    "",
                )
                for p in changed
                for key, s in p.sites.items()
            ]
            through.objects.bulk_create(
                [through(professional_id=a, specialty_id=b) for a, b in link_rows], batch_size=2000
            )
            PracticeSite.objects.bulk_create(
                [PracticeSite(**dict(zip(SITE_FIELDS, row, strict=True))) for row in site_rows],
                batch_size=2000,
            )
            sites = len(site_rows)
        self.report.add("sites", sites)
        self.report.add("professionals_created", len(new))
        self.report.add("professionals_updated", len(updated))
        history = []
        for p in updated:
            old = existing[p.national_id]
            values = (
                p.fields["civility"],
                p.fields["last_name"],
                p.fields["first_name"],
                p.fields["profession"],
            )
            names = ("civility", "last_name", "first_name", "profession")
            diff = {n: [o, v] for n, o, v in zip(names, old[2:], values, strict=True) if o != v}
            diff.setdefault("activities", "mises à jour par l'import")
            history.append(
                EntryChange(professional_id=old[0], source=EntryChange.Source.IMPORT, changes=diff)
            )
        EntryChange.objects.bulk_create(history)
        if self.index:
            # New entries: documents from the data in hand; updated ones are rebuilt from the database
            # (they may carry CPTS links and optional fields).
            documents = []
            for p in new:
                if p.rows is not None:
                    p.rows.document.object_id = ids[p.national_id]
                    documents.append(p.rows.document)
                else:
                    documents.append(self._document(ids[p.national_id], p))
            search_index.index_new_professionals(documents, self.bulk_load)
            search_index.schedule_professionals(ids[p.national_id] for p in updated)

    def _copy_sites_and_links(
        self, persons: list[Person], ids: dict[str, int], structure_ids: dict[str, int]
    ) -> int:
        """PostgreSQL: COPY the sites and specialty links of these professionals; returns the site count."""
        links, sites = [], []
        for p in persons:
            pk = ids[p.national_id]
            links += [f"{pk}\t{code}\n" for code in p.rows.specialties]
            for source_id, rest in p.rows.sites:
                structure = structure_ids.get(source_id)
                sites.append(f"{pk}\t{NULL if structure is None else structure}\t{rest}\n")
        through = Professional.specialties.through
        copy_text(through._meta.db_table, ["professional_id", "specialty_id"], links)
        return copy_text(PracticeSite._meta.db_table, SITE_COPY_COLUMNS, sites)

    def _prepare(self, person: Person) -> _Rows:
        """PostgreSQL: the person's rows as COPY text and their document, without ids."""
        fields = person.fields
        coordinates = self.copy_coordinates
        sites = [
            (
                s["structure_id"],
                f"{coordinates.get(s['commune'], NULL_PAIR)}\t"
                + text_fields(
                    (
                        key,
                        s["mode"],
                        s["sector"],
                        s["trade_name"] or s["company"],
                        s["address"],
                        s["postal_code"],
                        s["phone"],
                        s["phone2"],
                        s["fax"],
                        s["email"],
                        "",
                    )
                )
                # Commune codes were checked against the reference table.
                + f"\t{s['commune'] or NULL}",
            )
            for key, s in person.sites.items()
        ]
        professional = text_fields(
            (
                person.national_id,
                fields["id_type"],
                fields["civility"][:20],
                fields["last_name"][:150],
                fields["first_name"][:150],
                fields["profession"],
                fields["category"],
                person.record_digest,
            )
        )
        specialties = [text_fields((code,)) for code in person.specialties]
        document = self._document(0, person) if self.index else None
        return _Rows(professional, sites, specialties, document)

    def _document(self, pk: int, person: Person):
        sites = []
        for s in person.sites.values():
            commune = self.communes.get(s["commune"])
            structure_id = s["structure_id"]
            sites.append(
                {
                    "name": s["trade_name"] or s["company"],
                    "commune_code": s["commune"],
                    "commune_name": commune[2] if commune else "",
                    "structure_name": (s["company"] or s["trade_name"] or structure_id)
                    if structure_id
                    else "",
                    "mode": s["mode"],
                    "latitude": commune[0] if commune else None,
                    "longitude": commune[1] if commune else None,
                }
            )
        fields = person.fields
        code = fields["profession"]
        return search_index.build_professional_document(
            pk=pk,
            full_name=f"{fields['first_name'][:150]} {fields['last_name'][:150]}".strip(),
            profession_code=code,
            # Labels of codes new to the database are stored as below (`_ensure_references`).
            profession_label=self.profession_labels.get(code) or fields["profession_label"] or code,
            specialties=[
                (sf_code, self.specialty_labels.get(sf_code) or v[0] or sf_code)
                for sf_code, v in person.specialties.items()
            ],
            sites=sites,
        )

    def _upsert_structures(self, persons: list[Person], written: dict) -> dict[str, int]:
        """Upsert the structures of these persons not already written by this run; returns their ids by
        source id. `written` receives those written (source id → (signature, id))."""
        # source id → (signature, site): the values written, in STRUCTURE_UPDATE_COLUMNS order.
        seen: dict[str, tuple[tuple, dict]] = {}
        known: dict[str, int] = {}
        cache = self.structure_cache
        for person in persons:
            for site in person.sites.values():
                source_id = site["structure_id"]
                if not source_id or source_id in seen or source_id in known:
                    continue
                commune = self.communes.get(site["commune"])
                signature = (
                    site["company"] or site["trade_name"] or source_id,
                    site["trade_name"],
                    site["finess"],
                    site["finess_legal"],
                    site["siret"],
                    site["siren"],
                    site["address"],
                    site["postal_code"],
                    site["commune"] or None,
                    commune[0] if commune else None,
                    commune[1] if commune else None,
                    site["phone"],
                )
                cached = cache.get(source_id)
                if cached is not None and cached[0] == signature:
                    known[source_id] = cached[1]  # already written by an earlier batch of this run
                else:
                    seen[source_id] = (signature, site)
        if not seen:
            return known
        kinds = {
            source_id: structure_kind(signature[0] + " " + site["trade_name"], site["finess"])
            for source_id, (signature, site) in seen.items()
        }

        def structure(source_id: str) -> Structure:
            signature, site = seen[source_id]
            return Structure(
                source_id=source_id,
                kind=kinds[source_id],
                email=site["email"],
                **dict(zip(STRUCTURE_SIGNATURE, signature, strict=True)),
            )

        if self.pg:
            now = timezone.now()
            # STRUCTURE_COPY_COLUMNS: the signature, the e-mail, then what the import leaves empty.
            blank = ("",) * 8
            rows = upsert_rows(
                Structure._meta.db_table,
                STRUCTURE_COPY_COLUMNS,
                (
                    (source_id, kinds[source_id], *signature, site["email"], *blank, "{}", now, now)
                    for source_id, (signature, site) in seen.items()
                ),
                conflict=["source_id"],
                update=STRUCTURE_UPDATE_COLUMNS,
                returning=["source_id", "id", "(xmax = 0)"],
            )
            ids = {source_id: pk for source_id, pk, _inserted in rows}
            inserted = {source_id for source_id, _pk, was_inserted in rows if was_inserted}
        else:
            Structure.objects.bulk_create(
                [structure(source_id) for source_id in seen],
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["source_id"],
                update_fields=[c.removesuffix("_id") for c in STRUCTURE_UPDATE_COLUMNS],
            )
            ids = dict(Structure.objects.filter(source_id__in=list(seen)).values_list("source_id", "id"))
            inserted = set()  # SQLite: documents rebuilt from the database
        self.report.add("structures", len(seen))
        for source_id, (signature, _site) in seen.items():
            written[source_id] = (signature, ids[source_id])
        if self.index:
            # New structures: documents from the data in hand; existing ones may have CPTS links.
            documents, labels = [], search_index.kind_labels()
            for source_id in inserted:
                signature, site = seen[source_id]
                commune = self.communes.get(site["commune"])
                documents.append(
                    search_index.build_structure_document(
                        pk=ids[source_id],
                        kind=kinds[source_id],
                        name=signature[0],
                        trade_name=site["trade_name"],
                        commune_code=site["commune"],
                        commune_name=commune[2] if commune else "",
                        latitude=commune[0] if commune else None,
                        longitude=commune[1] if commune else None,
                        labels=labels,
                    )
                )
            search_index.index_new_structures(documents, self.bulk_load)
            search_index.schedule_structures(ids[s] for s in ids if s not in inserted)
        return {**known, **ids}


def import_file(path_or_stream, **options) -> ImportReport:
    if hasattr(path_or_stream, "read"):
        return RppsImporter(**options).run(path_or_stream)
    with open(path_or_stream, "rb") as stream:
        return RppsImporter(**options).run(stream)


__all__ = [
    "ID_TYPE_ADELI",
    "ID_TYPE_RPPS",
    "ImportFormatError",
    "ImportReport",
    "RppsImporter",
    "import_file",
]
