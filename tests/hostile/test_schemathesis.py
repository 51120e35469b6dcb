"""Hostile input against the whole API: schemathesis generates requests from /api/schema/ and
asserts no server error and no response that violates the schema. Authenticated as a coordinator.

On PostgreSQL the requests go to a real daphne (real transactions: a refused value must not poison
the test's own transaction); on SQLite to the WSGI application in process.
Bounded (SCHEMATHESIS_EXAMPLES per operation) to keep the suite fast; raise it for a deeper run.
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connection
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests import processes

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def target(request, tmp_path):
    """(schema, base URL or None for in-process calls)."""
    if connection.vendor == "postgresql":
        request.getfixturevalue("transactional_db")
        with processes.daphne(tmp_path) as base:
            yield schemathesis.openapi.from_url(base + "/api/schema/"), base
    else:
        request.getfixturevalue("db")
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application()), None


def _refused_by_twisted(case, response) -> bool:
    """daphne's HTTP layer (Twisted) parses multipart bodies itself and answers a malformed one with a bare
    400 (no Content-Type, empty body) before Django sees the request: that answer is not the API's."""
    sent = (case.media_type or "").startswith("multipart/")
    return (
        sent
        and response.status_code == 400
        and not response.headers.get("Content-Type")
        and not response.content
    )


def test_api_never_fails_on_generated_input(target, world):
    schema, base_url = target
    token, _created = Token.objects.get_or_create(user=world.coordinator_a)
    headers = {"Authorization": f"Token {token.key}"}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            response = (
                case.call(base_url=base_url, headers=headers) if base_url else case.call(headers=headers)
            )
            if _refused_by_twisted(case, response):
                return
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except Exception as exc:  # noqa: BLE001 — collect every operation's failure, report all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")
    assert operations > 5
    assert failures == [], "\n\n".join(failures)
