"""Schemathesis against the app's own OpenAPI document: no input, valid or not, gets a 5xx, and every answer
matches the schema (status codes, content types, bodies)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from echeancier.api import Settings, create_app

APP = create_app(Settings(rate_limit=0))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
    )
