"""Import of the national open-data extraction `PS_LibreAcces_Personne_activite_*.txt` (DOMAIN.md).

Three steps, one module each:
- `reading`: the file's header and lines, streamed, gathered into batches of persons;
- `merging`: the lines of one person merged into one professional with several activities; a person with
  any bad line (wrong column count, invalid id, unknown commune) is rejected whole, each bad line
  reported with its number and reason;
- `writing` (and `structures`): each batch upserted by national id in its own transactions; a digest of
  the imported record makes a re-import of unchanged data write nothing.
"""

import gc
import threading
from collections.abc import Callable, Iterable
from typing import BinaryIO

from django.db import connection

from directory import search_index
from directory.importing.merging import ImportReport, Person, settle
from directory.importing.reading import ImportFormatError, Reader
from directory.importing.writing import ANALYZE_AFTER, BatchWriter, ThreadedWriter, session_settings
from directory.models import PracticeSite, Professional, Structure
from federation.models import Commune


class RppsImporter:
    """Streams one extraction file into the directory. `run(stream)` returns an ImportReport."""

    def __init__(
        self,
        *,
        departments: Iterable[str] = (),
        batch_size: int = 2000,
        progress: Callable[[int], None] | None = None,
        index: bool = True,
        # Three rather than two: each writer alternates between PostgreSQL and the GIL, so with two the
        # reading thread waited for them 40 % of the time (at 200 k: 20 s of 55; 7-13 s with three).
        writers: int = 3,
    ):
        self.writers = writers  # PostgreSQL: connections writing batches at once
        self.report = ImportReport()
        communes = {
            code: (lat, lon, name)
            for code, lat, lon, name in Commune.objects.values_list(
                "insee_code", "latitude", "longitude", "name"
            )
        }
        self.reader = Reader(
            report=self.report,
            communes=communes,
            departments=departments,
            batch_size=batch_size,
            progress=progress,
            flush=self._flush,
        )
        self.batch_writer = BatchWriter(report=self.report, communes=communes, index=index)
        self.pg = self.batch_writer.pg
        self.writer: ThreadedWriter | None = None

    def run(self, stream: BinaryIO) -> ImportReport:
        # The import allocates millions of short-lived containers (lines, persons, rows, documents) and
        # creates no garbage cycles of its own: with the default thresholds the collector ran full passes
        # over every object of the process many times (about 40 % of the importer's CPU). Objects alive
        # before the import are frozen out of the passes, and the young generation is collected rarely.
        thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(50_000, 50, 1000)
        try:
            return self._run(stream)
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()

    def _run(self, stream: BinaryIO) -> ImportReport:
        self.reader.header(stream)
        # A second thread needs its own connection, which cannot see an enclosing transaction's rows.
        if self.pg and not connection.in_atomic_block:
            self.writer = ThreadedWriter(self.batch_writer.write, threads=self.writers)
            try:
                self.reader.read(stream)
            except BaseException:
                self.writer.abort()
                raise
            self.writer.finish()
        else:
            if self.pg:
                with connection.cursor() as cursor:
                    session_settings(cursor, True)
            self.reader.read(stream)
            if self.pg:
                with connection.cursor() as cursor:
                    session_settings(cursor, False)
        counts = self.report.counts
        if self.pg and counts["professionals_created"] + counts["professionals_updated"] >= ANALYZE_AFTER:
            # Searches choose their strategy from the planner's statistics: refresh them after a bulk
            # change rather than waiting for autovacuum.
            self._analyze(parallel=self.writer is not None)
        return self.report

    def _analyze(self, *, parallel: bool) -> None:
        """ANALYZE the directory's tables and the search index's: each takes seconds whatever the size
        of the import (a sample of rows is read), so outside a transaction both run at once, the
        directory's on a second connection."""
        errors: list[BaseException] = []

        def directory_tables() -> None:
            try:
                with connection.cursor() as cursor:
                    tables = ", ".join(m._meta.db_table for m in (Professional, PracticeSite, Structure))
                    cursor.execute(f"ANALYZE {tables}")
            except BaseException as exc:  # raised by the calling thread
                errors.append(exc)
            finally:
                if parallel:
                    connection.close()

        if not parallel:
            directory_tables()
            search_index.refresh_statistics()
        else:
            thread = threading.Thread(target=directory_tables, name="rpps-import-analyze")
            thread.start()
            try:
                search_index.refresh_statistics()
            finally:
                thread.join()
        if errors:
            raise errors[0]

    def _flush(self, batch: dict[str, Person]) -> None:
        valid = settle(batch, self.report)
        if not valid:
            return
        writer = self.batch_writer
        if writer.prepare_rows:
            # Here rather than in the writing thread, which is the one waiting on PostgreSQL.
            for person in valid:
                person.rows = writer.prepare(person)
        if self.writer is not None:
            self.writer.put(valid)
        else:
            writer.write(valid)


def import_file(path_or_stream, **options) -> ImportReport:
    if hasattr(path_or_stream, "read"):
        return RppsImporter(**options).run(path_or_stream)
    with open(path_or_stream, "rb") as stream:
        return RppsImporter(**options).run(stream)


__all__ = ["ImportFormatError", "ImportReport", "RppsImporter", "import_file"]
