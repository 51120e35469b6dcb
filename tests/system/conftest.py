"""System tests run real processes (daphne, Celery) against this run's PostgreSQL and Redis.

Fault cases restart shared services, so `make test` runs this folder on its own, serially, after the
parallel suite (marker `system`)."""

import pytest

from tests import processes


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/system/" in str(item.fspath):
            item.add_marker(pytest.mark.system)


@pytest.fixture
def server(transactional_db, tmp_path):
    processes.require_postgres()
    with processes.daphne(tmp_path) as base:
        yield base
