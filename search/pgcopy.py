"""PostgreSQL COPY helpers for bulk writes (the ORM's bulk_create binds every value client-side: too slow
for national-scale imports). Generic: tables and columns are given by the caller."""

from collections.abc import Iterable, Sequence

from django.db import connection, transaction

# COPY text format: NULL, and the characters a value must escape.
NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text_fields(values: Sequence[str]) -> str:
    """Strings as tab-separated COPY text fields. Escaping is rarely needed: the joined line is checked
    once (a tab inside a value shows as one tab too many) instead of every value."""
    line = "\t".join(values)
    if line.count("\t") == len(values) - 1 and "\\" not in line and "\n" not in line and "\r" not in line:
        return line
    return "\t".join(value.translate(_ESCAPES) for value in values)


def copy_text(table: str, columns: Sequence[str], lines: Sequence[str]) -> int:
    """COPY lines already in text format (see `text_fields`; each ends with a newline): cheaper than
    `copy_rows` when the caller formats its rows directly. Returns the number of lines written."""
    if not lines:
        return 0
    column_sql = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{table}" ({column_sql}) FROM STDIN') as copy:
            copy.write("".join(lines))
    return len(lines)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY rows into `table` (columns quoted); returns the number of rows written."""
    count = 0
    column_sql = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{table}" ({column_sql}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def upsert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
    returning: Sequence[str] = (),
) -> list[tuple]:
    """COPY into a temporary staging table, then INSERT … ON CONFLICT DO UPDATE from it."""
    stage = f"_stage_{table}"
    column_sql = ", ".join(f'"{c}"' for c in columns)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Only the copied columns, without constraints (identity ids are assigned by the INSERT).
            cursor.execute(
                f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" ON COMMIT DELETE ROWS AS'
                f' SELECT {column_sql} FROM "{table}" WITH NO DATA'
            )
            cursor.execute(f'TRUNCATE "{stage}"')
        if not copy_rows(stage, columns, rows):
            return []
        with connection.cursor() as cursor:
            updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update)
            keys = ", ".join(f'"{c}"' for c in conflict)
            # In key order: concurrent upserts of the same keys then wait for each other instead of
            # deadlocking (imports write with several connections).
            sql = (
                f'INSERT INTO "{table}" ({column_sql}) SELECT {column_sql} FROM "{stage}" ORDER BY {keys}'
                f" ON CONFLICT ({keys}) DO UPDATE SET {updates}"
            )
            if returning:
                # Raw expressions allowed (e.g. "(xmax = 0)": true when the row was inserted).
                sql += " RETURNING " + ", ".join(c if "(" in c else f'"{c}"' for c in returning)
            cursor.execute(sql)
            return cursor.fetchall() if returning else []


def next_ids(table: str, count: int) -> list[int]:
    """Reserve `count` ids from the table's id sequence."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        # The sequence looked up once, not once per id (2000 catalog lookups made a batch 5 ms slower);
        # the ids come back as one text (one value to read instead of `count` rows).
        cursor.execute(
            "SELECT string_agg(nextval(s)::text, ' ') FROM CAST(pg_get_serial_sequence(%s, 'id') AS regclass) s,"
            " generate_series(1, %s)",
            [table, count],
        )
        return list(map(int, cursor.fetchone()[0].split()))
