"""The account routes, `/v1/accounts/…`, and `/v1/tokens` (issue #8): the account store behind a bearer token.

Each route does what a command of `echeancier account …` does, through the same functions
(`account/service.py`): create an account, record events (same validation, same idempotency: a refused event
writes nothing and answers 4xx naming the field), show the échéancier and the relevé (`account show`: JSON, or
`Accept: text/csv` for the relevé's postings, `text/calendar` for the due dates), list the accounts and the late
ones (`account list [--late] [--as-of]`).

Access (`account/access.py`): every route needs `Authorization: Bearer TOKEN` (401 without a valid one); a
contributor's token opens its own account, an agent's the accounts its organism collects, an admin's all of them.
Any other account answers 403 with the same body whether it exists or not; only an admin learns that an account
does not exist (404). The check is a dependency that runs before the query and the body are read, so a refused
request learns nothing from them either. One thing cannot be hidden from those who create accounts (agents and
admins): account ids and payment references are unique across the store, so creating one already taken is
refused (403 for another organism's id, 422 for a reference), without saying whose it is.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from echeancier.account.access import Scope, check_organism, may_access
from echeancier.account.service import AccountError
from echeancier.api import parsing
from echeancier.api.models import ErrorBody, ScheduleOut
from echeancier.api.parsing import ApiError
from echeancier.api.ratelimit import limit_rate
from echeancier.api.security import Principal, require_principal
from echeancier.kernel.inputs import shown
from echeancier.schedule.scenario import Amounts, Contributor, Options

JSON = "application/json"
FORBIDDEN = "accès refusé"
MAX_EVENTS_BODY = 1 << 20  # as `account record`'s MAX_EVENT_BYTES
ACCOUNT_KEYS = ("contributor", "incomes", "amounts", "options")


# --- The store behind the routes ----------------------------------------------------------------------------------


class AccountBackend:
    """The account store of `Settings.db_url`, opened (and created or migrated) on first use, and its tokens."""

    def __init__(self, url: str, today: Callable[[], date] = date.today) -> None:
        self.url = url
        self.today = today
        self._store: Any = None
        self._lock = threading.Lock()

    def store(self) -> Any:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    from echeancier.account.service import project
                    from echeancier.store import EventStore

                    self._store = EventStore(self.url, projector=lambda a, e: project(a, e, self.today()))
        return self._store

    def tokens(self) -> Any:
        from echeancier.store.tokens import TokenStore

        return TokenStore(self.store().engine)

    def resolve(self, token: str) -> Principal | None:
        """The principal of a valid token (`security.TokenResolver`)."""
        record = self.tokens().resolve(token)
        if record is None:
            return None
        return Principal(record.role, account=record.account_id, organism=record.organism)

    def validator(self) -> Callable[[Any, list[Any], list[Any]], None]:
        from echeancier.account.service import validate_batch

        return lambda account, existing, new: validate_batch(account, existing, new, self.today())

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def backend(request: Request) -> AccountBackend:
    found: AccountBackend = request.app.state.accounts
    return found


def scope_of(principal: Principal) -> Scope:
    return Scope(principal.role, principal.account, principal.organism)


def visible(request: Request, principal: Principal) -> Callable[[Any], bool]:
    """Which accounts (store records) the principal may see: for the routes that list accounts."""
    scope, today = scope_of(principal), backend(request).today()
    return lambda account: may_access(scope, account.account_id, account.contributor, today)


def forbidden() -> ApiError:
    return ApiError(403, None, FORBIDDEN)


def _account_record(request: Request, account_id: str, principal: Principal) -> Any:
    """The account the principal may open, or 403 (404 for an admin asking for an account that does not exist)."""
    scope = scope_of(principal)
    if scope.role == "contributor" and account_id != scope.account:
        raise forbidden()  # decided before the store is asked: nothing depends on the other account
    from echeancier.store import StoreInputError

    try:
        if not _plausible_id(account_id):
            raise StoreInputError("account_id", "aucun compte n'a cet identifiant")  # never sent to the database
        account = backend(request).store().account(account_id)
    except StoreInputError:
        if scope.role == "admin":
            raise ApiError(404, "account_id", f"compte inconnu {account_id}") from None
        raise forbidden() from None
    if not may_access(scope, account_id, account.contributor, backend(request).today()):
        raise forbidden()
    return account


def _plausible_id(value: str) -> bool:
    """An id the API reads or creates: printable, trimmed, at most 100 characters (the store's limit)."""
    return 0 < len(value) <= 100 and value.isprintable() and value == value.strip()


def opened_account(
    request: Request, account_id: str, principal: Annotated[Principal, Depends(require_principal)]
) -> Any:
    """FastAPI dependency of the routes of one account: the account, after the access check."""
    return _account_record(request, account_id, principal)


Principal_ = Annotated[Principal, Depends(require_principal)]
Account_ = Annotated[Any, Depends(opened_account)]


# --- Bodies and answers (for the OpenAPI document) ----------------------------------------------------------------


class AccountIn(BaseModel):
    """A new account: its id, the contributor and its incomes as in a scenario file, payment references."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=100, description="The account's identifier.")
    contributor: Contributor
    incomes: dict[str, Decimal | int | str] = Field(default_factory=dict, description='{"2024": "30000"}: euros')
    amounts: dict[str, Amounts] = Field(default_factory=dict)
    options: Options = Options()
    references: list[str] = Field(default_factory=list, max_length=100, description="Payment references.")


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(description="contributor, agent or admin")
    account: str | None = Field(None, description="A contributor's account.")
    organism: str | None = Field(None, description="An agent's organism (a key of organismes.yaml).")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class AccountCreated(_Open):
    account: str
    created: bool
    references: list[str]


class StoredEventOut(_Open):
    sequence: int
    type: str
    date: str
    idempotency_key: str
    corrects: int | None


class EventsOut(_Open):
    account: str
    recorded: int
    events: list[StoredEventOut]


class AccountOut(ScheduleOut):
    """`echeancier account show --format json` and the account's id: the échéancier, its ledger (the relevé), the
    ledger's `account` details (allocations, majorations, plans, remises) and the balance."""

    account_id: str


class AccountRowOut(_Open):
    """One line of `echeancier account list --format json`."""

    account: str
    balance: float
    late_amount: float
    late_since: str | None
    majorations: float
    next_due_date: str | None
    error: str | None


class TokenOut(_Open):
    token_id: str
    role: str
    account: str | None
    organism: str | None
    created_at: str
    revoked_at: str | None
    token: str = Field(description="The token itself, shown this once: only its SHA-256 is kept.")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "The body is not JSON, or JSON a reader refuses (duplicate key, lone surrogate, huge number…)",
        401: "No valid bearer token",
        403: "The token does not open this account (said the same whether it exists or not)",
        404: "No such account (said to admins only)",
        406: "No format of the Accept header is available",
        409: "The account exists with another contributor",
        413: "The body is too large",
        422: "A field is invalid: `error.field` names it",
    }
    return {status: {"model": ErrorBody, "description": described[status]} for status in (401, 403, *statuses)}


def _body(model: type[BaseModel]) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {JSON: {"schema": schema}}}}


def _json(document: Any, status: int = 200) -> Response:
    return Response(json.dumps(document, ensure_ascii=False).encode("utf-8"), status_code=status, media_type=JSON)


def _store_error(error: Exception) -> ApiError:
    field = getattr(error, "field", None)
    return ApiError(422, field if isinstance(field, str) else None, str(getattr(error, "message", error)))


# The rate limit first: a client trying tokens is slowed down as any other (429 before the 401).
_GUARDS = [Depends(limit_rate), Depends(require_principal)]
router = APIRouter(prefix="/v1/accounts", tags=["accounts"], dependencies=_GUARDS)
tokens_router = APIRouter(prefix="/v1/tokens", tags=["accounts"], dependencies=_GUARDS)


# --- Create ---------------------------------------------------------------------------------------------------


def read_account(document: Any, today: date) -> tuple[str, dict[str, Any], list[str]]:
    """The id, the contributor as the store keeps it (the scenario's keys) and the references of a new account.

    The contributor is validated as `account create` validates it: it must make a scenario the law accepts."""
    from echeancier.account.service import check_contributor
    from echeancier.schedule.scenario import ScenarioError

    if not isinstance(document, Mapping):
        raise ApiError(422, "body", "un compte est un objet avec id, contributor, incomes")
    for key in document:
        if key not in ("id", "references", *ACCOUNT_KEYS):
            raise ApiError(422, str(key), "n'est pas un champ connu")
    account_id = document.get("id")
    if not isinstance(account_id, str) or not _plausible_id(account_id):
        raise ApiError(
            422, "id", "doit être un texte imprimable de 1 à 100 caractères, sans espace au début ni à la fin"
        )
    references = document.get("references", [])
    if not isinstance(references, list) or len(references) > 100:
        raise ApiError(422, "references", "doit être une liste de 100 textes au plus")
    for index, reference in enumerate(references):
        if not isinstance(reference, str) or not _plausible_id(reference):
            raise ApiError(422, f"references.{index}", "doit être un texte imprimable de 1 à 100 caractères")
    for key in ACCOUNT_KEYS:
        if key in document and not isinstance(document[key], Mapping):
            raise ApiError(422, key, "doit être un objet JSON")
    if "contributor" not in document:
        raise ApiError(422, "contributor", "est obligatoire")
    given = {key: document[key] for key in ACCOUNT_KEYS if key in document}
    parsing.check_texts(given)
    try:
        check_contributor(given, today)
        from echeancier.account.service import scenario_of

        scenario = scenario_of(given, [], today)
    except ScenarioError as error:
        raise parsing.scenario_error(error) from None
    except RecursionError:
        raise ApiError(400, "body", "imbrication trop profonde") from None
    contributor = {
        "contributor": scenario.contributor.model_dump(mode="json", exclude_none=True),
        "incomes": {str(y): str(v) for y, v in scenario.incomes.items()},
        "amounts": {
            str(y): {k: str(v) for k, v in a.model_dump().items() if v is not None} for y, a in scenario.amounts.items()
        },
        "options": scenario.options.model_dump(mode="json"),
    }
    return account_id, contributor, references


def _create(request: Request, principal: Principal, document: Any) -> Response:
    from echeancier.account.access import account_organism
    from echeancier.store import StoreInputError

    accounts = backend(request)
    today = accounts.today()
    scope = scope_of(principal)
    if scope.role == "contributor":
        raise forbidden()
    account_id, contributor, references = read_account(document, today)
    store = accounts.store()
    if scope.role == "agent":
        if account_organism(contributor, today) != scope.organism:
            raise forbidden()
        if store.has_account(account_id):
            _account_record(request, account_id, principal)  # another organism's account: 403, as if absent
    existed = store.has_account(account_id)
    try:
        # Idempotent by content: the same account again is a no-op, another contributor under its id a 409 (not the
        # command's `create:ID` key, with which a second `account create` keeps the first contributor silently).
        record = store.create_account(account_id, contributor, references)
    except StoreInputError as error:
        if error.field == "account_id" and existed:
            raise ApiError(409, "id", f"le compte {account_id} existe déjà avec un autre cotisant") from None
        # Never the name of the other account a reference or an id belongs to.
        field = "references" if error.field == "references" else "id"
        raise ApiError(422, field, "est déjà utilisé par un autre compte") from None
    body = {"account": record.account_id, "created": not existed, "references": list(record.references)}
    return _json(body, 200 if existed else 201)


@router.post(
    "",
    summary="Create an account",
    status_code=201,
    response_model=AccountCreated,
    responses={
        200: {"model": AccountCreated, "description": "It existed already, identical"},
        **_errors(400, 409, 413, 422),
    },
    openapi_extra=_body(AccountIn),
)
async def create_account(request: Request, principal: Principal_) -> Response:
    """`echeancier account create`: the contributor as in a scenario file (`contributor`, `incomes`, `amounts`,
    `options`), an `id` and payment `references`. Sending it again changes nothing (200); an admin creates any
    account, an agent one its organism collects, a contributor none."""
    document = parsing.read_json(await request.body())
    return await run_in_threadpool(_create, request, principal, document)


# --- Events ---------------------------------------------------------------------------------------------------


def _record(request: Request, account: Any, document: Any, key: str | None, corrects: int | None) -> Response:
    from echeancier.account.service import new_events
    from echeancier.store import StoreInputError

    account_id = account.account_id
    parsing.check_texts(document)
    if key is not None:
        if not key.strip() or len(key) > 100 or not key.isprintable():
            raise ApiError(422, "Idempotency-Key", "doit être un texte imprimable de 100 caractères au plus")
        key = f"{account_id}/{key}"  # a client's key is its account's: it never meets another account's events
    try:
        events = new_events(account_id, document, key, corrects)
    except AccountError as error:
        raise ApiError(422, error.field, error.message) from None
    store = backend(request).store()
    try:
        before = store.last_sequence(account_id)
        stored = store.append(account_id, events, validate=backend(request).validator())
        added = store.last_sequence(account_id) - before
    except (AccountError, StoreInputError) as error:
        raise _store_error(error) from None
    body = {
        "account": account_id,
        "recorded": added,
        "events": [
            {
                "sequence": e.sequence,
                "type": e.type,
                "date": e.effective_date.isoformat(),
                "idempotency_key": e.idempotency_key,
                "corrects": e.corrects,
            }
            for e in stored
        ],
    }
    return _json(body, 201 if added else 200)


_EVENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            JSON: {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/AccountEvent"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/AccountEvent"}, "minItems": 1},
                    ]
                }
            }
        },
    }
}


@router.post(
    "/{account_id}/events",
    summary="Record an event of the account, or a list",
    status_code=201,
    response_model=EventsOut,
    responses={
        200: {"model": EventsOut, "description": "Already recorded: nothing added"},
        **_errors(400, 404, 413, 422),
    },
    openapi_extra=_EVENT_BODY,
)
async def record_events(
    request: Request,
    account: Account_,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)] = None,
    corrects: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """`echeancier account record`: one event in the scenario's format (payment, rejected_debit, declaration,
    payment_plan, remise_request…) or a list. Idempotent: an event already recorded (same `Idempotency-Key`, or
    the same content) is not added again (200). Refused when the law refuses the account it makes: nothing is
    written, 422 naming the field. `corrects=N` replaces the account's event number N."""
    document = parsing.read_json(await request.body(), MAX_EVENTS_BODY)
    return await run_in_threadpool(_record, request, account, document, idempotency_key, corrects)


# --- Show -----------------------------------------------------------------------------------------------------

ACCOUNT_TYPES = {
    "json": JSON,
    "csv": "text/csv; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
    "pdf": "application/pdf",
}
_ACCOUNT_CONTENT = {
    JSON: {"schema": {"$ref": "#/components/schemas/AccountOut"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/calendar": {"schema": {"type": "string"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
}


def _show(request: Request, account: Any, as_of: date | None, output: str) -> Response:
    from echeancier.account.service import echeancier_of, statement_date, stored_payloads
    from echeancier.cli_account import statement_csv
    from echeancier.documents import echeancier as documents
    from echeancier.law.loader import LawError
    from echeancier.schedule.scenario import ScenarioError

    accounts = backend(request)
    payloads = stored_payloads(accounts.store().events(account.account_id))
    on = as_of or statement_date(payloads, accounts.today())
    try:
        result = echeancier_of(account.contributor, payloads, on)
    except LawError as error:
        raise ApiError(422, "as_of", str(error)) from None
    except ScenarioError as error:
        raise ApiError(422, "as_of" if as_of else "account_id", str(error)) from None
    if output == "csv":
        return Response(statement_csv(result).encode("utf-8"), media_type=ACCOUNT_TYPES["csv"])
    if output == "ics":
        return Response(documents.to_ics(result, account.account_id).encode("utf-8"), media_type=ACCOUNT_TYPES["ics"])
    if output == "pdf":
        from echeancier.account.service import scenario_of
        from echeancier.documents.releve import statement_pdf

        scenario = scenario_of(account.contributor, payloads, on)
        document = statement_pdf(result, scenario, account=account.account_id, issued_on=accounts.today())
        return Response(document, media_type=ACCOUNT_TYPES["pdf"])
    from echeancier.cli_recovery import procedure_json
    from echeancier.recovery.service import procedure_of

    recovery = procedure_json(procedure_of(account.contributor, payloads, result).procedure)
    return _json({"account_id": account.account_id, **documents.to_json(result), "recovery": recovery})


@router.get(
    "/{account_id}",
    summary="The échéancier and the relevé of the account",
    response_model=AccountOut,
    responses={200: {"content": _ACCOUNT_CONTENT}, **_errors(404, 406, 422)},
)
def show_account(
    request: Request, account: Account_, as_of: date | None = None, accept: Annotated[str | None, Header()] = None
) -> Response:
    """`echeancier account show --format json`: the échéancier, every posting of the ledger (the relevé de
    compte), the balance and the recovery procedure, on `as_of` (default: today, or the last event). `Accept:
    text/csv` gives the relevé's postings (`--format csv`), `text/calendar` the due dates (`--format ics`),
    `application/pdf` the relevé de compte (`--format pdf`)."""
    from echeancier.api.v1 import negotiate

    output = negotiate(accept)
    if output not in ACCOUNT_TYPES:
        raise ApiError(
            406,
            "Accept",
            f"aucun des formats {shown(accept)} n'est disponible (connus : application/json, text/csv, text/calendar, "
            "application/pdf)",
        )
    return _show(request, account, as_of, output)


# --- List -----------------------------------------------------------------------------------------------------


@router.get(
    "",
    summary="The accounts the token opens, or the late ones",
    response_model=list[AccountRowOut],
    responses=_errors(422),
)
def list_accounts(request: Request, principal: Principal_, late: bool = False, as_of: date | None = None) -> Response:
    """`echeancier account list --format json [--late] [--as-of DATE]`: the accounts the token opens (an agent:
    its organism's; a contributor: its own) with their balance; with `late`, those with a sum exigible and unpaid
    on `as_of` (default today): how much, since when, the majorations."""
    from echeancier.account.service import account_rows
    from echeancier.law.loader import LawError

    only = [principal.account] if principal.role == "contributor" and principal.account else None
    try:
        rows = account_rows(backend(request).store(), late, as_of, visible(request, principal), only)
    except LawError as error:
        raise ApiError(422, "as_of", str(error)) from None
    return _json(rows)


# --- Recovery worklist ---------------------------------------------------------------------------------------

worklist_router = APIRouter(prefix="/v1/accounts", tags=["accounts"], dependencies=_GUARDS)


class WorkItemOut(_Open):
    """One line of `echeancier recovery worklist --format json`: a step of the recovery procedure due on an account
    (L244-2, L244-9, R133-3, D133-1, L613-3 al. 3)."""

    account: str
    step: str
    amount_cents: int
    due_on: str
    article: str


@worklist_router.get(
    "/worklist",
    summary="The recovery steps due on the accounts the token opens (agents and admins)",
    response_model=list[WorkItemOut],
    responses=_errors(422),
)
def recovery_worklist(
    request: Request, principal: Principal_, as_of: date | None = None, organism: str | None = None
) -> Response:
    """`echeancier recovery worklist --format json [--as-of DATE] [--organism KEY|NAME|CODE]`: for each account the
    token opens, the step of the recovery procedure due on `as_of` (default today), its amount, earliest date,
    deadline and article. A contributor's token is refused (403): the worklist is the organism's tool."""
    from echeancier.recovery.service import worklist

    if principal.role == "contributor":
        raise forbidden()
    accounts = backend(request)
    day = as_of or accounts.today()
    key = None
    if organism is not None:
        if not organism.isprintable() or not 0 < len(organism) <= 100:
            raise ApiError(422, "organism", "an organism's key, name or COG code: printable, at most 100 characters")
        from echeancier.organisms import UnknownTerritory, organism_for

        try:
            key = organism_for(organism, day).key
        except UnknownTerritory:
            key = organism  # an organism's key or name, as the command takes it
    store = accounts.store()
    from echeancier.law.loader import LawError
    from echeancier.recovery.procedure import RecoveryError

    try:
        items = worklist(store, day, key)
    except (LawError, RecoveryError) as error:
        raise ApiError(422, "as_of", getattr(error, "message", str(error))) from None
    allowed = visible(request, principal)
    seen: dict[str, bool] = {}
    rows = []
    for item in items:
        if item.account not in seen:
            seen[item.account] = allowed(store.account(item.account))
        if seen[item.account]:
            rows.append(item.to_dict())
    return _json(rows)


# --- Tokens ---------------------------------------------------------------------------------------------------


def _create_token(request: Request, principal: Principal, document: Any) -> Response:
    from echeancier.store import StoreInputError

    if principal.role != "admin":
        raise forbidden()
    if not isinstance(document, Mapping):
        raise ApiError(422, "body", "a token is an object with role, account or organism")
    for key, value in document.items():
        if key not in ("role", "account", "organism"):
            raise ApiError(422, str(key), "n'est pas un champ connu")
        if value is not None and not isinstance(value, str):
            raise ApiError(422, str(key), "doit être un texte")
    try:
        organism = document.get("organism")
        scope = None if organism is None else check_organism(organism)
        record, token = backend(request).tokens().create(str(document.get("role")), document.get("account"), scope)
    except (AccountError, StoreInputError) as error:
        raise _store_error(error) from None
    return _json({**record.to_dict(), "token": token}, 201)


@tokens_router.post(
    "",
    summary="Create a token (admins)",
    status_code=201,
    response_model=TokenOut,
    responses=_errors(400, 413, 422),
    openapi_extra=_body(TokenIn),
)
async def create_token(request: Request, principal: Principal_) -> Response:
    """`echeancier tokens create`: a token for a contributor's account, an agent's organism, or an admin. The
    token is in this answer only; the store keeps its SHA-256."""
    document = parsing.read_json(await request.body())
    return await run_in_threadpool(_create_token, request, principal, document)


# --- Mounting -------------------------------------------------------------------------------------------------


def include_account_routes(app: FastAPI) -> None:
    """Mount the account routes on the app, every one behind the rate limit (`limit_rate`, 429) and
    `require_principal` (401 without a valid token).

    This is where the recovery worklist joins them: its router, with paths under `/v1/accounts` that are fixed
    words (`/v1/accounts/worklist`), is included here before `router`, whose `/{account_id}` would otherwise
    take the word for an account id, with `dependencies=[Depends(require_principal)]`; its handlers list only the
    accounts `visible(request, principal)` accepts. `tests/store/test_api_accounts.py` enumerates the app's routes, so
    each route mounted here is checked for 401 and 403 like the others."""
    app.include_router(tokens_router)
    app.include_router(worklist_router)  # before `router`, whose `/{account_id}` would take the word
    app.include_router(router)


def document_security(schema: dict[str, Any]) -> None:
    """Say in the OpenAPI document that the account routes take a bearer token (`Authorization: Bearer …`)."""
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["bearer"] = {"type": "http", "scheme": "bearer", "description": "echeancier tokens create"}
    for path, item in schema.get("paths", {}).items():
        if path.startswith((router.prefix, tokens_router.prefix, worklist_router.prefix)):
            for operation in item.values():
                operation["security"] = [{"bearer": []}]


def request_schemas() -> dict[str, Any]:
    """The components of the account bodies, for the OpenAPI document."""
    from pydantic import TypeAdapter
    from pydantic.json_schema import models_json_schema

    from echeancier.schedule.scenario import Event

    _, top = models_json_schema(
        [(AccountIn, "validation"), (TokenIn, "validation")], ref_template="#/components/schemas/{model}"
    )
    components: dict[str, Any] = top.get("$defs", {})
    event_schema = TypeAdapter(Event).json_schema(ref_template="#/components/schemas/{model}")
    components.update(event_schema.pop("$defs", {}))
    components["AccountEvent"] = event_schema
    return components
