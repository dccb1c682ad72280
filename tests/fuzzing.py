"""Schemathesis over a served OpenAPI document, in-process (WSGI), for the API tests
(tests/certificates/test_print_schemathesis.py, tests/core/test_browser_apis_schemathesis.py)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

#: what every answer must keep: no 5xx, and the status, content type, headers and body the
#: document promises
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def operations(app, document: str, count: int) -> list:
    """The operations of the document served at ``document``; it must have ``count`` of them,
    none failing to load."""
    schema = schemathesis.openapi.from_wsgi(document, app)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) == count
    return found


def fuzz(operation, mode, run, examples: int) -> None:
    """``run(case)`` for ``examples`` requests generated for ``operation`` in ``mode``
    (valid or invalid ones), the same ones every run. Plain Hypothesis: the schemathesis pytest
    plugin does not support this pytest yet."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def each(case):
        run(case)

    each()
