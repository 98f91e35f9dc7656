"""The FastAPI application: settings, error handling, routers (issue #8, DESIGN §4).

Routers: `v1` (simulations, schedules, law: public, rate-limited), `web` (the French page at `/`) and `accounts`
(`/v1/accounts/…` and `/v1/tokens`: the account store of `settings.db_url`, behind a bearer token,
`security.py`).

Every refused request answers 4xx with `{"error": {"field": …, "message": …}}`; FastAPI's own 422 is rewritten
to that shape. A 500 is a defect: the handler still answers JSON and says nothing of the cause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from echeancier import __version__
from echeancier.api.parsing import ApiError, error_body
from echeancier.api.ratelimit import RateLimited, RateLimiter
from echeancier.api.security import TokenResolver
from echeancier.kernel.inputs import pydantic_message

HERE = Path(__file__).resolve().parent
DEFAULT_DB = "sqlite:///echeancier.db"  # the account commands' default too (`store.engine.DEFAULT_URL`)
DB_SCHEMES = ("sqlite", "postgresql")
LOG = logging.getLogger("echeancier.api")


@dataclass(frozen=True)
class Settings:
    """`db_url`: the account store (SQLite by default, PostgreSQL with `--db`) of the account routes;
    `rate_limit`: requests a minute per client on every route (0: none), `burst` at once;
    `token_resolver`: who holds a bearer token (default: the store's `tokens` table); `today`: the date the
    account routes compute on when none is asked (tests fix it)."""

    db_url: str = DEFAULT_DB
    rate_limit: int = 600
    burst: int | None = None
    organism: str = "URSSAF"
    token_resolver: TokenResolver | None = None
    today: Callable[[], date] = date.today

    def __post_init__(self) -> None:
        scheme = self.db_url.partition(":")[0].split("+")[0]
        if scheme not in DB_SCHEMES:
            raise ValueError(f"--db: {self.db_url!r} n'est pas une URL sqlite:/// ou postgresql://")


def _error(status: int, field: str | None, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(field, message), status_code=status, headers=headers)


async def _api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    headers = {"Retry-After": error.retry_after} if isinstance(error, RateLimited) else None
    return _error(error.status, error.field, error.message, headers)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {"loc": (), "type": "", "msg": ""}
    location = [str(part) for part in first.get("loc", ())]
    field = (
        ".".join(location[1:]) if location[:1] in (["query"], ["path"], ["header"], ["body"]) else ".".join(location)
    )
    return _error(422, field or None, pydantic_message(first))


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return _error(error.status_code, None, str(error.detail), dict(error.headers or {}))


async def _internal_error(request: Request, error: Exception) -> JSONResponse:
    LOG.exception("internal error on %s %s", request.method, request.url.path)
    return _error(500, None, "erreur interne")


def create_app(settings: Settings | None = None) -> FastAPI:
    from echeancier.api import accounts, v1, web
    from echeancier.api.models import ErrorBody, request_schemas

    settings = settings or Settings()
    app = FastAPI(
        title="echeancier",
        version=__version__,
        description="Cotisations sociales des travailleurs indépendants (CSS L613-3) : simulation, échéancier, "
        "paramètres de la loi. Every refused request answers 4xx with an `error` object naming the field.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.limiter = RateLimiter(settings.rate_limit, settings.burst)
    app.state.accounts = accounts.AccountBackend(settings.db_url, settings.today)
    app.state.token_resolver = settings.token_resolver or app.state.accounts.resolve
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
    app.include_router(v1.router)
    accounts.include_account_routes(app)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(request_schemas()[1])
            components.update(accounts.request_schemas())
            accounts.document_security(schema)
            components["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(components["ErrorBody"].pop("$defs", {}))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


ENVIRONMENT = {"db_url": "ECHEANCIER_DB", "rate_limit": "ECHEANCIER_RATE_LIMIT"}


def app_from_environment() -> FastAPI:
    """The app of each worker process of `echeancier serve --workers N` (uvicorn imports it by name), with the
    settings the command put in the environment."""
    import os

    return create_app(
        Settings(
            db_url=os.environ.get(ENVIRONMENT["db_url"], DEFAULT_DB),
            rate_limit=int(os.environ.get(ENVIRONMENT["rate_limit"], "600")),
        )
    )
