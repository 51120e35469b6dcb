"""Querysets compiled once per process, then run with one parameter: for the hottest paths only.

A reconnect storm (a deploy closes every socket) runs 1,000 handshakes at once under one interpreter
lock; building and compiling a queryset costs ~1.5-2 ms of Python each time, running its SQL ~0.2 ms
(tests/perf/chat.py --storm). `CompiledQuery` builds the queryset once per database vendor with a
marker value, checks the marker became a query parameter (never inlined in the SQL), and then only
substitutes the real value.
"""

from collections.abc import Callable

from django.db import connection
from django.db.models import F, Lookup, Q, QuerySet

_SLOT = object()  # where the value goes in a compiled parameter list


class CompiledQuery:
    def __init__(self, build: Callable[[object], QuerySet], marker):
        """`build(value)` returns the queryset for `value`; `marker` is a value no real row can have
        (it must be distinguishable from every other parameter of the query)."""
        self._build, self._marker = build, marker
        self._sql: dict[str, tuple[str, list]] = {}  # vendor -> (SQL, params with _SLOT for the value)

    def _compiled(self) -> tuple[str, list]:
        vendor = connection.vendor
        if vendor not in self._sql:
            sql, params = self._build(self._marker).query.sql_with_params()
            if self._marker not in params:
                raise RuntimeError(f"{self._build.__qualname__}: the value is not a query parameter")
            self._sql[vendor] = (sql, [_SLOT if p == self._marker else p for p in params])
        return self._sql[vendor]

    def sql(self, value) -> tuple[str, list]:
        sql, template = self._compiled()
        return sql, [value if p is _SLOT else p for p in template]

    def rows(self, value) -> list[tuple]:
        sql, params = self.sql(value)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def rows_of(self, values: list) -> list[tuple]:
        """`rows` of a query filtered with `any_of(..., values)`: compiled on PostgreSQL; elsewhere built
        for these values (`IN (...)` has one parameter per value, so it cannot be compiled once)."""
        if connection.vendor == "postgresql":
            return self.rows(values)
        return list(self._build(values))


def any_of(field: str, values: list) -> Q | Lookup:
    """`filter(any_of("field", values))`: on PostgreSQL `field = ANY(array)`, where the list, whatever its
    length, is one parameter, so one compiled statement serves every batch (marker: a list of one);
    elsewhere `field IN (...)`."""
    if connection.vendor == "postgresql":
        return _AnyOf(F(field), values)
    return Q(**{f"{field}__in": values})


class _AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]
