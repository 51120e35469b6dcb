"""Hostile input against the whole API: schemathesis generates requests from /api/schema/ and
asserts no server error and no response that violates the schema. Authenticated as a coordinator.

Bounded (SCHEMATHESIS_EXAMPLES per operation) to keep the suite fast; raise it for a deeper run.
"""

import os

import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_api_never_fails_on_generated_input(world):
    token, _created = Token.objects.get_or_create(user=world.coordinator_a)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
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
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except Exception as exc:  # noqa: BLE001 — collect every operation's failure, report all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")
    assert operations > 5
    assert failures == [], "\n\n".join(failures)
