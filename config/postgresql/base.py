"""Django's PostgreSQL backend whose pool loans are checked without a round trip.

With CONN_HEALTH_CHECKS, Django gives the psycopg pool `ConnectionPool.check_connection`, which sends an
empty statement on every loan: one more round trip per request, ~0.26 ms on a loaded 2-core server, where
a search needs 2 to 7 of them. What the check is for, a connection the server ended while it sat in the
pool (a PostgreSQL restart, `pg_terminate_backend`, an idle timeout), shows without asking: the server
then sends its FATAL message and closes the socket, which becomes readable. A connection idle in the pool
otherwise has nothing to read, since the server speaks only when asked. So a loan whose socket has nothing
to read is lent as is; one with something to read gets the pool's full check, and is replaced if it fails.
Settings: CONN_HEALTH_CHECKS False with the pool (the check is this one), as config/settings.py does.

`binding_cursor()`: a cursor for statements run on every request (the API token's), which PostgreSQL
then plans once per connection instead of on every run.
"""

import select

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg import Cursor
from psycopg_pool import ConnectionPool


def looks_alive(connection) -> bool:
    """Whether a pooled connection, idle since it was returned, may be lent without a round trip."""
    if connection.closed or connection.broken:
        return False
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN)
        if not poller.poll(0):
            return True  # nothing from the server since the connection went idle
    except (OSError, ValueError):
        return False
    # A notice, or the end of the session: ask as the pool's own check does.
    try:
        ConnectionPool.check_connection(connection)
    except Exception:
        return False
    return True


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self.pool is None:
            return connection  # a new connection (no pool: the test process)
        # An ended connection is closed and given back (the pool drops it and opens another), and the
        # next one tried: after as many as the pool holds, the loan is a connection opened since.
        for _attempt in range(self.pool.max_size):
            if looks_alive(connection):
                break
            connection.close()
            self.pool.putconn(connection)
            connection = super().get_new_connection(conn_params)
        return connection

    def binding_cursor(self):
        """A cursor binding its parameters on the server (psycopg's `Cursor`; Django's bind on the
        client, so every statement is planned again): a statement run through it is prepared on the
        connection at its `prepare_threshold`-th run (OPTIONS; None: never, as behind a PgBouncer
        before 1.21), and PostgreSQL plans it no more after a few runs. Wrapped as Django's cursors
        are (errors, query log, execute wrappers)."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = Cursor(self.connection)
            # As create_cursor: the time zone of timestamps read, when the connection's differs.
            loader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
            if self.timezone != loader.timezone:
                register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)
