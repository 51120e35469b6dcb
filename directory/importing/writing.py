"""Writing batches of merged persons: professionals, their sites and savoir-faire, history and search
documents, keyed by the national id; an unchanged record (same digest) writes nothing.

On PostgreSQL new entries are written with COPY (ids reserved from the sequence) and, outside a
transaction, batches are written by several threads (`RppsImporter.writers`) with their own connections
while the next batch is parsed (the GIL is released while PostgreSQL works), so that PostgreSQL works on
several batches at once; rows shared by batches (structures, new codes) are written by one writer at a
time, in key order.
"""

import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from directory import search_index
from directory.importing.documents import ProfessionalDocuments
from directory.importing.merging import ImportReport, Person
from directory.importing.structures import StructureUpserts
from directory.models import EntryChange, PracticeSite, Profession, Professional, Specialty
from search.bulk import BulkLoad
from search.pgcopy import NULL, copy_text, next_ids, text_fields

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
NULL_PAIR = f"{NULL}\t{NULL}"
# The entries of a batch, by national id (PostgreSQL).
EXISTING_SQL = (
    "SELECT national_id, id, import_digest, civility, last_name, first_name, profession_id"
    f" FROM {Professional._meta.db_table} WHERE national_id = ANY(string_to_array(%s, ' '))"
)
# Professionals written by one import above which the planner statistics are refreshed at the end.
ANALYZE_AFTER = 10_000


@dataclass(slots=True)
class Rows:
    """A professional's COPY text without the ids the writer assigns, and their search document."""

    professional: str  # the PRO_COPY_COLUMNS after `id`
    sites: list[tuple[str, str]]  # (structure source id, SITE_COPY_COLUMNS after `structure_id`)
    specialties: list[str]  # specialty_id
    document: object  # search Document; its object_id is set once the id is known
    structures: list  # `StructureUpserts.structures_named`


def session_settings(cursor, on: bool) -> None:
    if on:
        # Each batch commits on its own and a re-run completes an interrupted import, so the import may
        # skip waiting for the WAL flush; a larger GIN pending list batches the full-text index updates.
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET gin_pending_list_limit = 65536")
        # Every read of the import is by key: national ids, source ids, and the foreign-key checks at
        # commit. Planned from the statistics of tables that grew from empty, they read them whole (at
        # 400 k entries, 38 ms a batch instead of 2); refreshing the statistics as the tables grow cost
        # more than the reads (ANALYZE is not needed for index scans).
        cursor.execute("SET enable_seqscan = off")
    else:
        cursor.execute("RESET synchronous_commit")
        cursor.execute("RESET gin_pending_list_limit")
        cursor.execute("RESET enable_seqscan")


class ThreadedWriter:
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
                    session_settings(cursor, True)
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
                        session_settings(cursor, False)
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


class BatchWriter(StructureUpserts):
    """Writes batches of valid persons (`write`), from any thread: each batch in its own transactions."""

    def __init__(self, *, report: ImportReport, communes: dict, index: bool = True):
        self.report = report
        self.index = index
        self.communes = communes  # code → (latitude, longitude, name)
        self.profession_labels = dict(Profession.objects.values_list("code", "label"))
        self.specialty_labels = dict(Specialty.objects.values_list("code", "label"))
        self.professions = set(self.profession_labels)
        self.documents = ProfessionalDocuments(communes, self.profession_labels, self.specialty_labels)
        self.specialties = set(self.specialty_labels)
        self.structure_cache: dict[str, tuple[tuple, int]] = {}
        self.structure_lock = threading.Lock()
        # Commune code → "latitude\tlongitude" as COPY text.
        self.copy_coordinates = {
            code: f"{NULL if lat is None else lat}\t{NULL if lon is None else lon}"
            for code, (lat, lon, _name) in communes.items()
        }
        self.pg = connection.vendor == "postgresql"
        self.bulk_load = BulkLoad()
        # Whether the reading thread prepares the rows of valid persons (while the writer waits for
        # PostgreSQL): yes while batches create entries, not while a re-import finds them unchanged.
        self.prepare_rows = self.pg

    def write(self, persons: list[Person]) -> None:
        changed, existing = self._changes(persons)
        if not changed:
            return
        # Structures and new codes are shared by batches: committed apart (a structure is not part of a
        # professional), one writer at a time, and remembered once committed: a batch must not refer to
        # a structure it cannot see yet, and the next writer finds in the cache what this one wrote
        # instead of upserting it again (and rebuilding its search document from the database).
        with self.structure_lock:
            written: dict[str, tuple[tuple, int]] = {}
            with transaction.atomic():
                self._ensure_references(changed)
                structure_ids = self._upsert_structures(changed, written)
            cache = self.structure_cache
            if len(cache) > 200_000:  # bounded memory on national files
                cache.clear()
            cache.update(written)
        with transaction.atomic():
            self.apply(changed, existing, structure_ids)

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
                cursor.execute(EXISTING_SQL, [" ".join(national_ids)])
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
        changed = []
        for p in persons:
            old = existing.get(p.national_id)
            if old is None or old[1] != digests[p.national_id]:
                changed.append(p)
        self.report.add("professionals_unchanged", len(persons) - len(changed))
        return changed, existing

    def apply(self, changed: list[Person], existing: dict[str, tuple], structure_ids: dict[str, int]) -> None:
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
                    p.rows = self.prepare(p)
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

    def prepare(self, person: Person) -> Rows:
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
        return Rows(professional, sites, specialties, document, self.structures_named(person))

    def _document(self, pk: int, person: Person):
        return self.documents.build(pk, person)
