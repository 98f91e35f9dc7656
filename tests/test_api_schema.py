"""Schemathesis against the app's own OpenAPI document: no input, valid or not, gets a 5xx, and every answer
matches the schema (status codes, content types, bodies). The account routes are exercised with an admin's bearer
token on an account store of their own holding one account, so that generated requests reach the handlers and not
only the 401 of a missing token: a temporary SQLite file for the whole API, and a PostgreSQL schema of its own
(`tests/store/conftest.py`'s database) for the account routes, since PostgreSQL refuses values SQLite keeps."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine, text

from echeancier.api import Settings, create_app
from tests.store.conftest import POSTGRESQL_URL

TODAY = date(2026, 12, 1)
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
ACCOUNT_ROUTES = "^/v1/(accounts|tokens)"
PG_SCHEMA = f"schemathesis_{uuid.uuid4().hex[:12]}"


def _app(url: str) -> tuple[FastAPI, str]:
    """An app on the store at `url`, an admin's token, and the account TI-1."""
    app = create_app(Settings(db_url=url, rate_limit=0, today=lambda: TODAY))
    admin = str(app.state.accounts.tokens().create("admin")[1])
    created = TestClient(app).post(
        "/v1/accounts",
        headers={"authorization": f"Bearer {admin}"},
        json={
            "id": "TI-1",
            "contributor": {"profession": "artisan", "activity_start": "2015-01-01"},
            "incomes": {"2024": 30000},
        },
    )
    assert created.status_code == 201, created.text
    return app, admin


with create_engine(POSTGRESQL_URL).begin() as _connection:
    _connection.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
APP, ADMIN = _app(f"sqlite:///{Path(tempfile.mkdtemp(prefix='echeancier-schema-')) / 'accounts.db'}")
PG_APP, PG_ADMIN = _app(f"{POSTGRESQL_URL}{'&' if '?' in POSTGRESQL_URL else '?'}options=-csearch_path%3D{PG_SCHEMA}")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
pg_schema = schemathesis.openapi.from_asgi("/openapi.json", PG_APP)


@pytest.fixture(scope="module", autouse=True)
def _drop_postgresql_schema() -> Iterator[None]:
    yield
    PG_APP.state.accounts.close()
    engine = create_engine(POSTGRESQL_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {PG_SCHEMA} CASCADE"))
    engine.dispose()


def _token_for(case: schemathesis.Case, admin: str) -> dict[str, str] | None:
    return {"authorization": f"Bearer {admin}"} if case.path.startswith(("/v1/accounts", "/v1/tokens")) else None


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=_token_for(case, ADMIN), checks=CHECKS)


@schema.include(path_regex="^/v1/accounts/").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_account_routes_on_an_existing_account(case: schemathesis.Case) -> None:
    """The routes of one account, on the account that exists (generated ids are almost never `TI-1`)."""
    case.path_parameters = {**(case.path_parameters or {}), "account_id": "TI-1"}
    case.call_and_validate(headers=_token_for(case, ADMIN), checks=CHECKS)


@pg_schema.include(path_regex=ACCOUNT_ROUTES).parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_account_routes_conform_on_postgresql(case: schemathesis.Case) -> None:
    if "account_id" in (case.path_parameters or {}):
        case.path_parameters = {**(case.path_parameters or {}), "account_id": "TI-1"}
    case.call_and_validate(headers=_token_for(case, PG_ADMIN), checks=CHECKS)
