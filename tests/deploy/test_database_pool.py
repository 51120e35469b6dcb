"""The servers' PostgreSQL pool (config/postgresql): a loan costs no round trip, and a connection the
server ended while it sat in the pool is still replaced (what CONN_HEALTH_CHECKS was for).

The test process itself does not pool (DB_POOL=0): each test builds a small pool of its own, under an
alias of its own, on the test database.
"""

import time
from unittest import mock

import psycopg
import pytest
from django.db import connection

from config.postgresql.base import DatabaseWrapper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's"),
]


@pytest.fixture
def pooled():
    settings_dict = {**connection.settings_dict, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False}
    settings_dict["OPTIONS"] = {
        **settings_dict["OPTIONS"],
        "pool": {"min_size": 2, "max_size": 2, "timeout": 10},
    }
    wrapper = DatabaseWrapper(settings_dict, alias="pool_test")
    try:
        yield wrapper
    finally:
        wrapper.close()
        wrapper.close_pool()


def backend_pid(wrapper) -> int:
    """The server process of the connection a request would get (loaned, used, given back)."""
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    wrapper.close()  # back to the pool, as at the end of a request
    return pid


def test_a_loan_sends_nothing_before_the_request_statements(pooled):
    backend_pid(pooled)
    # The pool's check (Django's CONN_HEALTH_CHECKS) sends an empty statement with Connection.execute
    # on every loan; Django's cursors do not use it.
    execute = psycopg.Connection.execute
    with mock.patch.object(psycopg.Connection, "execute", autospec=True, side_effect=execute) as sent:
        backend_pid(pooled)
        backend_pid(pooled)
    sent.assert_not_called()


def test_connections_ended_by_the_server_in_the_pool_are_replaced(pooled):
    pooled.pool.open(wait=True)
    pids = {backend_pid(pooled) for _ in range(4)}
    with connection.cursor() as cursor:
        # Both pooled connections, as a PostgreSQL restart (or an idle timeout) would end them.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid = ANY(%s)",
            [list(pids)],
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pids)])
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.05)
    # Each request after that gets a live connection (the first ones included).
    new_pids = {backend_pid(pooled) for _ in range(4)}
    assert not new_pids & pids
