"""Schemathesis against the app's own OpenAPI document: no input, valid or not, gets a 5xx, and every answer
matches the schema (status codes, content types, bodies). The account routes are exercised with an admin's bearer
token on an account store of their own (a temporary SQLite file), holding one account, so that generated requests
reach the handlers and not only the 401 of a missing token."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from echeancier.api import Settings, create_app

STORE = Path(tempfile.mkdtemp(prefix="echeancier-schema-")) / "accounts.db"
APP = create_app(Settings(db_url=f"sqlite:///{STORE}", rate_limit=0, today=lambda: date(2026, 12, 1)))
ADMIN = APP.state.accounts.tokens().create("admin")[1]
_created = TestClient(APP).post(
    "/v1/accounts",
    headers={"authorization": f"Bearer {ADMIN}"},
    json={
        "id": "TI-1",
        "contributor": {"profession": "artisan", "activity_start": "2015-01-01"},
        "incomes": {"2024": 30000},
    },
)
assert _created.status_code == 201, _created.text
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    headers = {"authorization": f"Bearer {ADMIN}"} if case.path.startswith(("/v1/accounts", "/v1/tokens")) else None
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.include(path_regex="^/v1/accounts/").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_account_routes_on_an_existing_account(case: schemathesis.Case) -> None:
    """The routes of one account, on the account that exists (generated ids are almost never `TI-1`)."""
    case.path_parameters = {**(case.path_parameters or {}), "account_id": "TI-1"}
    case.call_and_validate(headers={"authorization": f"Bearer {ADMIN}"}, checks=CHECKS)
