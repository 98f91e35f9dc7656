"""The account routes of the API (`/v1/accounts/…`, `/v1/tokens`) on SQLite and on PostgreSQL (issue #8): the
same answers as `echeancier account …`, tokens kept as their SHA-256 only, and access control — a contributor
cannot read or write another's account by any route (the routes are enumerated from the app, so a new one cannot
escape), an agent sees its organism's accounts only, a revoked token or a malformed header opens nothing, and the
refusals say nothing of whether the account exists."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from echeancier.api import Settings, create_app
from echeancier.cli import app as cli_app

TODAY = date(2026, 12, 1)
PUBLIC = {
    "/v1/simulations",
    "/v1/simulations:batch",
    "/v1/schedules",
    "/v1/law/parameters",
    "/v1/law/parameters/{name}",
    "/v1/forecasts",
}
UNAUTHENTICATED = {"error": {"field": None, "message": "authentification requise (Authorization: Bearer …)"}}
FORBIDDEN = {"error": {"field": None, "message": "accès refusé"}}
PAYMENT = {"date": "2026-06-08", "type": "payment", "amount": 100}
runner = CliRunner()


def account(account_id: str, department: str = "75", **extra: Any) -> dict[str, Any]:
    return {
        "id": account_id,
        "contributor": {"profession": "artisan", "activity_start": "2015-01-01", "department": department},
        "incomes": {"2024": "30000"},
        "references": [f"REF-{account_id}"],
        **extra,
    }


class Api:
    """A client of an app on the test's database, with a token per role: the accounts TI-1 and TI-2 (Paris, Urssaf
    Île-de-France) and LY-1 (Rhône, Urssaf Rhône-Alpes)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.app = create_app(Settings(db_url=url, rate_limit=0, today=lambda: TODAY))
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.backend = self.app.state.accounts
        self.admin = self.token("admin")
        for account_id, department in (("TI-1", "75"), ("TI-2", "75"), ("LY-1", "69")):
            response = self.post("/v1/accounts", self.admin, json=account(account_id, department))
            assert response.status_code == 201, response.text
        self.ti1 = self.token("contributor", "TI-1")
        self.ti2 = self.token("contributor", "TI-2")
        self.paris = self.token("agent", organism="urssaf_ile_de_france")
        self.lyon = self.token("agent", organism="urssaf_rhone_alpes")

    def token(self, role: str, account_id: str | None = None, organism: str | None = None) -> str:
        _, token = self.backend.tokens().create(role, account_id, organism)
        return str(token)

    def get(self, path: str, token: str | None, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, headers=_auth(token, kwargs.pop("headers", {})), **kwargs)

    def post(self, path: str, token: str | None, **kwargs: Any) -> httpx.Response:
        return self.client.post(path, headers=_auth(token, kwargs.pop("headers", {})), **kwargs)

    def events(self, account_id: str) -> int:
        return int(self.backend.store().last_sequence(account_id))

    def accounts(self) -> list[str]:
        return [a.account_id for a in self.backend.store().accounts()]


def _auth(token: str | None, headers: dict[str, str]) -> dict[str, str]:
    return headers if token is None else {"authorization": f"Bearer {token}", **headers}


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    opened = Api(database_url)
    yield opened
    opened.backend.close()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("echeancier.cli_account._today", lambda: TODAY)


# Words of an English message (none is French): a refusal reads them in no route.
ENGLISH = re.compile(r"\b(is|are|must|not|the|of|got|required|unknown|invalid|already|another|should|expected)\b")


def cli(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(cli_app, list(args), input=stdin)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def error(response: httpx.Response, status: int, field: str | None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["field"] == field, body
    message: str = body["error"]["message"]
    assert message and "\n" not in message
    assert not ENGLISH.search(message), message  # users read French
    return message


# --- Each route does what the command does ---------------------------------------------------------------------


def test_create_is_idempotent_and_refusals_name_the_field(api: Api) -> None:
    again = api.post("/v1/accounts", api.admin, json=account("TI-1"))
    assert again.status_code == 200 and again.json() == {
        "account": "TI-1",
        "created": False,
        "references": ["REF-TI-1"],
    }
    other = account("TI-1", incomes={"2024": "45000"})
    assert "existe déjà avec un autre cotisant" in error(api.post("/v1/accounts", api.admin, json=other), 409, "id")
    for body, field in (
        (account("X", department="975"), "contributor.department"),
        (account("X", department="20"), "contributor.department"),
        (
            {**account("X"), "contributor": {"profession": "notaire", "activity_start": "2015-01-01"}},
            "contributor.profession",
        ),
        (
            {**account("X"), "contributor": {"profession": "artisan", "activity_start": 1420070400}},
            "contributor.activity_start",
        ),
        ({**account("X"), "contributor": "artisan"}, "contributor"),
        ({**account("X"), "incomes": {"2024": "40,000"}}, "incomes"),
        ({**account("X"), "incomes": {"2024": "1E+99999999999999999"}}, "incomes.2024"),
        ({**account("X"), "surprise": 1}, "surprise"),
        ({**account("X"), "id": " X"}, "id"),
        ({**account("X"), "id": "x" * 101}, "id"),
        ({**account("X"), "references": "REF"}, "references"),
        ({**account("X"), "references": ["R\x00"]}, "references.0"),
        ({**account("X"), "id": "X\x00"}, "id"),
        (account("X", references=["REF-TI-2"]), "references"),  # another account's: never says whose
        ({k: v for k, v in account("X").items() if k != "contributor"}, "contributor"),
        ([account("X")], "body"),
    ):
        message = error(api.post("/v1/accounts", api.admin, json=body), 422, field)
        assert "TI-2" not in message
        assert not ENGLISH.search(message), message  # users read French
    assert api.accounts() == ["LY-1", "TI-1", "TI-2"]  # nothing written


def test_record_and_show_are_the_commands(api: Api) -> None:
    declaration = {"date": "2026-05-20", "type": "declaration", "year": 2025, "income": 35000}
    rejected = {"date": "2026-06-07", "type": "rejected_debit", "due_date": "2026-06-05", "reason": "AM04"}
    first = api.post("/v1/accounts/TI-1/events", api.ti1, json=declaration)
    assert first.status_code == 201 and first.json()["recorded"] == 1
    assert first.json()["events"][0]["sequence"] == 1
    # The same event by the command line: the same idempotency key, nothing added.
    assert "déjà présent" in cli("account", "record", "TI-1", "--db", api.url, stdin=json.dumps(declaration))
    second = api.post("/v1/accounts/TI-1/events", api.ti1, json=[rejected])
    assert second.status_code == 201 and second.json()["recorded"] == 1
    again = api.post("/v1/accounts/TI-1/events", api.paris, json=[rejected])
    assert again.status_code == 200 and again.json()["recorded"] == 0 and again.json()["events"][0]["sequence"] == 2
    assert api.events("TI-1") == 2
    shown = api.get("/v1/accounts/TI-1", api.ti1)
    assert shown.status_code == 200
    document = shown.json()
    assert document["account_id"] == "TI-1"
    assert document == json.loads(cli("account", "show", "TI-1", "--db", api.url, "--format", "json"))  # one document
    debit = next(p for p in document["ledger"] if p["kind"] == "debit" and p["date"] == "2026-06-05")
    assert debit["settled_on"] == "2026-07-05"  # carried to July's debit (R613-2 III), as the command shows it
    csv = api.get("/v1/accounts/TI-1", api.ti1, headers={"accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    shown_csv = cli("account", "show", "TI-1", "--db", api.url, "--format", "csv")
    assert csv.text.replace("\r\n", "\n") == shown_csv.replace("\r\n", "\n")
    ics = api.get("/v1/accounts/TI-1", api.ti1, headers={"accept": "text/calendar"})
    shown_ics = cli("account", "show", "TI-1", "--db", api.url, "--format", "ics")
    assert ics.text.replace("\r\n", "\n") == shown_ics.replace("\r\n", "\n")
    pdf = api.get("/v1/accounts/TI-1", api.ti1, headers={"accept": "application/pdf"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True)
    assert "TI-1" in text.stdout.decode("utf-8")  # the relevé de compte of `account show --format pdf`
    error(api.get("/v1/accounts/TI-1", api.ti1, headers={"accept": "image/png"}), 406, "Accept")
    on = api.get("/v1/accounts/TI-1", api.admin, params={"as_of": "2026-06-30"}).json()
    assert on["account_id"] == "TI-1"
    assert on == json.loads(
        cli("account", "show", "TI-1", "--db", api.url, "--format", "json", "--as-of", "2026-06-30")
    )
    error(api.get("/v1/accounts/TI-1", api.admin, params={"as_of": "2099-01-01"}), 422, "as_of")
    error(api.get("/v1/accounts/TI-1", api.admin, params={"as_of": "demain"}), 422, "as_of")
    error(api.get("/v1/accounts/NOBODY", api.admin), 404, "account_id")
    error(api.get("/v1/accounts/A%00B", api.admin), 404, "account_id")  # never sent to PostgreSQL, which has no NUL


def test_refused_events_write_nothing_and_name_the_field(api: Api) -> None:
    for body, field in (
        ({"date": "2026-06-08", "type": "payment", "amount": -5}, "event.amount"),
        ({"date": "2026-06-08", "type": "payment", "amount": 0}, "event.amount"),
        ({"date": "2026-06-08", "type": "payment", "amount": "40.000"}, "event.amount"),
        ({"date": "2026-06-08", "type": "payment", "amount": "1E+99999999999999999"}, "amount"),
        ({"date": 1780000000, "type": "payment", "amount": 5}, "event.date"),
        ({"date": "2014-06-08", "type": "payment", "amount": 5}, "event"),  # before the activity starts
        ({"date": "2026-06-08", "type": "declaration", "year": 2026}, "event"),  # a year not yet over
        ({"date": "2026-06-08", "type": "teleportation"}, "event.type"),
        ({"date": "2026-06-08", "type": "payment", "amount": 5, "extra": 1}, "event.extra"),
        ({"date": "2026-06-07", "type": "rejected_debit", "reason": "A\x00"}, "events[0].payload.reason"),
        ([PAYMENT, {"date": "2026-06-09", "type": "payment", "amount": -1}], "event.1.amount"),  # none of the list
        ([], "event"),
        ("payment", "event.type"),
    ):
        message = error(api.post("/v1/accounts/TI-1/events", api.ti1, json=body), 422, field)
        assert api.events("TI-1") == 0, message
    error(api.post("/v1/accounts/TI-1/events", api.ti1, json=PAYMENT, params={"corrects": 9}), 422, "corrects")
    error(api.post("/v1/accounts/TI-1/events", api.ti1, json=PAYMENT, params={"corrects": 0}), 422, "corrects")
    assert api.events("TI-1") == 0


def test_idempotency_key_and_corrections(api: Api) -> None:
    keyed = {"headers": {"Idempotency-Key": "virement-juin"}}
    wrong = {"date": "2026-06-08", "type": "payment", "amount": 5000}
    assert api.post("/v1/accounts/TI-1/events", api.ti1, json=wrong, **keyed).status_code == 201
    assert api.post("/v1/accounts/TI-1/events", api.ti1, json=wrong, **keyed).json()["recorded"] == 0
    other = {"date": "2026-06-09", "type": "payment", "amount": 7}
    error(api.post("/v1/accounts/TI-1/events", api.ti1, json=other, **keyed), 422, "idempotency_key")
    # The same key on another account is that account's own: it never meets TI-1's event.
    assert api.post("/v1/accounts/TI-2/events", api.ti2, json=other, **keyed).status_code == 201
    right = {"date": "2026-06-08", "type": "payment", "amount": 500}
    fixed = api.post("/v1/accounts/TI-1/events", api.ti1, json=right, params={"corrects": 1})
    assert fixed.status_code == 201 and fixed.json()["events"][0]["corrects"] == 1
    ledger = api.get("/v1/accounts/TI-1", api.ti1, params={"as_of": "2026-06-30"}).json()["ledger"]
    assert [p["amount"] for p in ledger if p["origin"] == "transfer"] == [500.0]


def test_late_accounts_as_the_command_lists_them(api: Api) -> None:
    missed = {"date": "2026-10-05", "type": "missed_payment"}
    assert api.post("/v1/accounts/TI-2/events", api.admin, json=missed).status_code == 201
    assert api.post("/v1/accounts/LY-1/events", api.admin, json=missed).status_code == 201
    late = {"late": "true", "as_of": "2026-10-20"}
    rows = api.get("/v1/accounts", api.admin, params=late).json()
    assert rows == json.loads(
        cli("account", "list", "--late", "--as-of", "2026-10-20", "--db", api.url, "--format", "json")
    )
    assert [r["account"] for r in rows] == ["LY-1", "TI-2"] and rows[1]["late_since"] == "2026-10-05"
    assert [r["account"] for r in api.get("/v1/accounts", api.paris, params=late).json()] == ["TI-2"]
    assert [r["account"] for r in api.get("/v1/accounts", api.lyon, params=late).json()] == ["LY-1"]
    assert api.get("/v1/accounts", api.ti1, params=late).json() == []
    assert [r["account"] for r in api.get("/v1/accounts", api.ti2, params=late).json()] == ["TI-2"]
    everything = api.get("/v1/accounts", api.admin).json()
    assert everything == json.loads(cli("account", "list", "--db", api.url, "--format", "json"))
    assert [r["account"] for r in api.get("/v1/accounts", api.paris).json()] == ["TI-1", "TI-2"]
    error(api.get("/v1/accounts", api.admin, params={"as_of": "2026-02-30"}), 422, "as_of")
    error(api.get("/v1/accounts", api.admin, params={"late": "peut-être"}), 422, "late")


def test_agents_create_and_open_their_organisms_accounts_only(api: Api) -> None:
    assert api.post("/v1/accounts", api.paris, json=account("TI-3")).status_code == 201
    assert api.get("/v1/accounts/TI-3", api.paris).status_code == 200
    assert api.post("/v1/accounts/TI-1/events", api.paris, json=PAYMENT).status_code == 201
    # Another organism's account, existing or not, and an account created in another organism: the same 403.
    assert api.get("/v1/accounts/TI-3", api.lyon).json() == FORBIDDEN
    assert api.post("/v1/accounts", api.lyon, json=account("LY-2", department="75")).json() == FORBIDDEN
    assert api.post("/v1/accounts", api.lyon, json=account("TI-1", department="69")).json() == FORBIDDEN
    assert api.post("/v1/accounts", api.lyon, json=account("LY-2", department="69")).status_code == 201
    assert api.post("/v1/accounts", api.ti1, json=account("TI-9")).json() == FORBIDDEN
    assert api.accounts() == ["LY-1", "LY-2", "TI-1", "TI-2", "TI-3"]


def test_an_overseas_account_and_its_organism(api: Api) -> None:
    # The projection keeps the organism's name: "Caisse générale de sécurité sociale de la Guadeloupe" is 52
    # characters, beyond the 32 of migration 0001 (PostgreSQL refused the account before 0002 widened it).
    assert api.post("/v1/accounts", api.admin, json=account("GP-1", department="971")).status_code == 201
    guadeloupe = api.token("agent", organism="cgss_guadeloupe")
    shown = api.get("/v1/accounts/GP-1", guadeloupe).json()
    assert shown["organism"]["name"] == "Caisse générale de sécurité sociale de la Guadeloupe"
    assert [r["account"] for r in api.get("/v1/accounts", guadeloupe).json()] == ["GP-1"]
    assert api.get("/v1/accounts/GP-1", api.paris).json() == FORBIDDEN


# --- Nobody opens another's account, by any route ----------------------------------------------------------------


Probe = Callable[[dict[str, Any], str], httpx.Response]


def _probes(api: Api) -> dict[tuple[str, str], Probe]:
    """One way to reach `target` (an account id) through each protected route, with the headers given; a route of
    the app missing here fails `test_every_protected_route_is_probed`."""
    client = api.client
    return {
        ("POST", "/v1/accounts"): lambda headers, target: client.post(
            "/v1/accounts", headers=headers, json=account(target)
        ),
        ("GET", "/v1/accounts"): lambda headers, target: client.get("/v1/accounts", headers=headers),
        ("GET", "/v1/accounts/{account_id}"): lambda headers, target: client.get(
            f"/v1/accounts/{target}", headers=headers
        ),
        ("POST", "/v1/accounts/{account_id}/events"): lambda headers, target: client.post(
            f"/v1/accounts/{target}/events", headers=headers, json=PAYMENT
        ),
        ("POST", "/v1/tokens"): lambda headers, target: client.post(
            "/v1/tokens", headers=headers, json={"role": "contributor", "account": target}
        ),
        ("GET", "/v1/accounts/worklist"): lambda headers, target: client.get(
            "/v1/accounts/worklist", headers=headers, params={"as_of": "2026-09-30"}
        ),
    }


def bearer(token: str) -> dict[str, Any]:
    return {"authorization": f"Bearer {token}"}


def _routes(routes: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every (method, path) of the app's routes, through the routers it includes (FastAPI ≥ 0.16x wraps them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield from ((method, prefix + route.path) for method in route.methods)
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes, prefix + route.include_context.prefix)


def _protected_routes(api: Api) -> set[tuple[str, str]]:
    """The routes of the app (walked, and as its OpenAPI document lists them) that are not public."""
    walked = set(_routes(api.app.routes))
    documented = {(method.upper(), path) for path, item in api.app.openapi()["paths"].items() for method in item}
    assert walked >= documented and {path for _, path in walked} >= PUBLIC
    return {(method, path) for method, path in walked if path.startswith("/v1/") and path not in PUBLIC}


def test_every_protected_route_is_probed(api: Api) -> None:
    assert _protected_routes(api) == set(_probes(api))


def _state(api: Api) -> tuple[Any, ...]:
    with create_engine(api.url).connect() as connection:
        tokens = connection.execute(text("SELECT count(*) FROM tokens")).scalar()
    return tuple(api.accounts()), tuple(api.events(a) for a in api.accounts()), tokens


def test_a_contributor_cannot_read_or_write_another_account_by_any_route(api: Api) -> None:
    before = _state(api)
    for (method, path), probe in _probes(api).items():
        if (method, path) == ("GET", "/v1/accounts"):
            listed = probe(bearer(api.ti1), "TI-2")
            assert listed.status_code == 200 and [r["account"] for r in listed.json()] == ["TI-1"]
            continue
        existing, absent = probe(bearer(api.ti1), "TI-2"), probe(bearer(api.ti1), "GHOST")
        assert existing.status_code == absent.status_code == 403, (method, path, existing.text)
        assert existing.json() == absent.json() == FORBIDDEN  # nothing said of whether it exists
        assert existing.headers.get("content-length") == absent.headers.get("content-length")
    # Refused before the query is read: a bad parameter on another's account says nothing either.
    assert api.get("/v1/accounts/TI-2", api.ti1, params={"as_of": "demain"}).json() == FORBIDDEN
    assert api.get("/v1/accounts/GHOST", api.ti1, headers={"accept": "image/png"}).json() == FORBIDDEN
    assert _state(api) == before  # nothing written


def test_an_agent_cannot_open_another_organisms_account_by_any_route(api: Api) -> None:
    before = _state(api)
    for (method, path), probe in _probes(api).items():
        if (method, path) == ("GET", "/v1/accounts"):
            assert [r["account"] for r in probe(bearer(api.lyon), "TI-1").json()] == ["LY-1"]
            continue
        if (method, path) == ("GET", "/v1/accounts/worklist"):
            assert {r["account"] for r in probe(bearer(api.lyon), "TI-1").json()} <= {"LY-1"}
            continue
        existing, absent = probe(bearer(api.lyon), "TI-1"), probe(bearer(api.lyon), "GHOST")
        assert existing.json() == absent.json() == FORBIDDEN, (method, path, existing.text)
        assert existing.status_code == absent.status_code == 403
    assert _state(api) == before


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dGk6MQ==",
        "Token {token}",
        "{token}",
        "Bearer {token}x",
        "Bearer {token} {token}",
        "Bearer ech_",
        "Bearer ech_" + "A" * 10_000,
        "Bearer " + hashlib.sha256(b"x").hexdigest(),
        "Bearer \u00e9t\u00e9",
    ],
)
def test_no_valid_token_opens_nothing_and_says_nothing(api: Api, authorization: str | None) -> None:
    before = _state(api)
    for probe in _probes(api).values():
        headers = {} if authorization is None else {"authorization": authorization.format(token=api.admin).encode()}
        response = probe(headers, "TI-1")
        assert response.status_code == 401 and response.json() == UNAUTHENTICATED
    assert _state(api) == before


def test_every_account_route_is_rate_limited_before_its_token_is_read(api: Api) -> None:
    """The account routes share the client's bucket with the others (`limit_rate`): beyond it every one of them,
    with a valid token or none, answers 429 in French with Retry-After — a client trying tokens is slowed down as
    any other — and writes nothing."""
    limited = create_app(Settings(db_url=api.url, rate_limit=1, burst=1, today=lambda: TODAY))
    try:
        api.client = TestClient(limited, raise_server_exceptions=False)
        probes = _probes(api)
        before = _state(api)
        assert api.client.get("/v1/law/parameters/plafond_securite_sociale.annuel").status_code == 200  # the burst
        for name, probe in probes.items():
            for headers in ({}, bearer(api.admin), {"authorization": "Bearer nope"}):
                response = probe(headers, "TI-1")
                assert response.status_code == 429, (name, response.text)
                assert response.json() == {
                    "error": {"field": None, "message": "trop de requêtes : réessayer dans 60 s"}
                }, name
                assert response.headers["retry-after"] == "60"
        assert _state(api) == before
    finally:
        limited.state.accounts.close()


def test_a_revoked_token_opens_nothing(api: Api) -> None:
    assert api.get("/v1/accounts/TI-1", api.ti1).status_code == 200
    listed = json.loads(cli("tokens", "list", "--json", "--db", api.url))
    token_id = next(t["token_id"] for t in listed if t["account"] == "TI-1")
    assert cli("tokens", "revoke", token_id, "--db", api.url).startswith(f"jeton {token_id} : révoqué")
    assert api.get("/v1/accounts/TI-1", api.ti1).json() == UNAUTHENTICATED
    assert api.post("/v1/accounts/TI-1/events", api.ti1, json=PAYMENT).json() == UNAUTHENTICATED
    assert api.events("TI-1") == 0


# --- Tokens --------------------------------------------------------------------------------------------------


def test_tokens_are_stored_as_their_sha256_only(api: Api) -> None:
    out = json.loads(cli("tokens", "create", "--role", "contributor", "--account", "TI-1", "--json", "--db", api.url))
    token = out["token"]
    assert token.startswith("ech_") and len(token) == 4 + 43  # 32 random bytes, URL-safe base64
    with create_engine(api.url).connect() as connection:
        rows = connection.execute(text("SELECT * FROM tokens")).mappings().all()
    stored = json.dumps([dict(r) for r in rows], default=str)
    assert token not in stored and token[4:] not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in cli("tokens", "list", "--db", api.url) + cli("tokens", "list", "--json", "--db", api.url)
    assert api.get("/v1/accounts/TI-1", token).status_code == 200
    printed = runner.invoke(cli_app, ["tokens", "create", "--role", "admin", "--db", api.url])
    assert printed.exit_code == 0 and printed.stdout.count("\n") == 1 and printed.stdout.startswith("ech_")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--role", "root"], "role"),
        (["--role", "contributor"], "account"),
        (["--role", "contributor", "--account", "NOBODY"], "account"),
        (["--role", "agent"], "organism"),
        (["--role", "agent", "--organism", "urssaf_atlantide"], "organism"),
        (["--role", "admin", "--account", "TI-1"], "account"),
        (["--role", "contributor", "--account", "TI-1", "--organism", "urssaf_alsace"], "organism"),
    ],
)
def test_tokens_create_refuses_a_scope_that_does_not_fit(api: Api, args: list[str], field: str) -> None:
    result = runner.invoke(cli_app, ["tokens", "create", *args, "--db", api.url])
    assert result.exit_code == 2 and result.stderr.startswith(f"erreur: {field}: ") and result.stderr.count("\n") == 1
    answer = api.post(
        "/v1/tokens", api.admin, json=dict(zip(["role", *[a[2:] for a in args[2::2]]], args[1::2], strict=True))
    )
    error(answer, 422, field)


def test_admins_create_tokens_by_the_api(api: Api) -> None:
    made = api.post("/v1/tokens", api.admin, json={"role": "agent", "organism": "urssaf_rhone_alpes"})
    assert made.status_code == 201 and made.json()["organism"] == "urssaf_rhone_alpes"
    assert [r["account"] for r in api.get("/v1/accounts", made.json()["token"]).json()] == ["LY-1"]
    error(api.post("/v1/tokens", api.admin, json={"role": "admin", "extra": 1}), 422, "extra")
    error(api.post("/v1/tokens", api.admin, json={"role": 1}), 422, "role")
    assert api.post("/v1/tokens", api.paris, json={"role": "admin"}).json() == FORBIDDEN


# --- Hostile bodies --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/accounts", "/v1/accounts/TI-1/events", "/v1/tokens"])
@pytest.mark.parametrize(
    ("raw", "status", "field"),
    [
        (b'{"date": "2026-06-08", "date": "2026-06-09", "type": "payment", "amount": 1}', 400, "date"),
        (b'{"date": "2026-06-08", "type": "payment", "amount": NaN}', 400, "body"),
        (b'{"date": "2026-06-08", "type": "payment", "amount": ' + b"9" * 5000 + b"}", 400, "body"),
        (b'{"date": "2026-06-08", "type": "payment", "amount": 1, "reason": "\\udc00"}', 400, "body"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "body"),
        (b"\xff\xfe{}", 400, "body"),
        (b"", 400, "body"),
        (b" " * (2 << 20), 413, "body"),
    ],
)
def test_hostile_bodies_get_4xx_naming_the_field(api: Api, path: str, raw: bytes, status: int, field: str) -> None:
    before = _state(api)
    response = api.post(path, api.admin, content=raw, headers={"content-type": "application/json"})
    error(response, status, field)
    assert _state(api) == before


def test_deep_nesting_inside_an_event_is_refused(api: Api) -> None:
    nested: Any = 1
    for _ in range(500):
        nested = [nested]
    response = api.post("/v1/accounts/TI-1/events", api.ti1, json={**PAYMENT, "reason": nested})
    assert response.status_code == 422 and response.json()["error"]["field"].startswith("event")


# --- echeancier serve ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_creates_the_store_and_serves_its_accounts(new_database: Callable[[], str]) -> None:
    url = new_database()
    port = _free_port()
    command = [sys.executable, "-c", "from echeancier.cli import main; main()", "serve", "--port", str(port)]
    server = subprocess.Popen([*command, "--db", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            server.terminate()
            pytest.fail(f"the server did not start: {server.communicate(timeout=30)[1].decode()}")
        engine = create_engine(url)
        with engine.connect() as connection:
            assert {"accounts", "events", "tokens"} <= set(inspect(connection).get_table_names())
        engine.dispose()
        token = cli("tokens", "create", "--role", "admin", "--db", url).strip()
        base = f"http://127.0.0.1:{port}/v1/accounts"
        created = httpx.post(base, json=account("TI-1"), headers={"authorization": f"Bearer {token}"}, timeout=30)
        assert created.status_code == 201, created.text
        assert httpx.get(base + "/TI-1", headers={"authorization": f"Bearer {token}"}, timeout=30).status_code == 200
        assert httpx.get(base + "/TI-1", timeout=30).json() == UNAUTHENTICATED
        assert cli("account", "list", "--format", "json", "--db", url).count('"TI-1"') == 1
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_postgresql_url_without_driver_uses_the_installed_one() -> None:
    from echeancier.store import make_engine

    engine = make_engine("postgresql://postgres@127.0.0.1:5432/test")
    assert engine.dialect.driver == "psycopg"  # psycopg 3, installed with the package; not psycopg2
    engine.dispose()


def test_the_recovery_worklist_is_the_command_for_the_accounts_the_token_opens(api: Api) -> None:
    """`GET /v1/accounts/worklist` is `echeancier recovery worklist --format json`, cut to the accounts the token
    opens: an admin sees every step due, the Paris agent those of its organism, the Lyon agent none of Paris's, a
    contributor is refused (the worklist is the organism's tool)."""
    rejected = [
        {"date": f"2026-{month}-07", "type": "rejected_debit", "due_date": f"2026-{month}-05"}
        for month in ("05", "06", "08")
    ]
    assert api.post("/v1/accounts/TI-1/events", api.admin, json=rejected).status_code == 201
    params = {"as_of": "2026-09-30"}
    everything = api.get("/v1/accounts/worklist", api.admin, params=params)
    assert everything.status_code == 200
    command = json.loads(cli("recovery", "worklist", "--db", api.url, "--format", "json", "--as-of", "2026-09-30"))
    assert everything.json() == command
    assert "TI-1" in {row["account"] for row in command}  # debits of May, June, August rejected: relance due
    paris = api.get("/v1/accounts/worklist", api.paris, params=params).json()
    assert paris == [row for row in command if row["account"] in ("TI-1", "TI-2")]
    assert "TI-1" not in {row["account"] for row in api.get("/v1/accounts/worklist", api.lyon, params=params).json()}
    assert api.get("/v1/accounts/worklist", api.ti1, params=params).json() == FORBIDDEN
    error(api.get("/v1/accounts/worklist", api.admin, params={"as_of": "1999-01-01"}), 422, "as_of")
    error(api.get("/v1/accounts/worklist", api.admin, params={"as_of": "demain"}), 422, "as_of")
    error(api.get("/v1/accounts/worklist", api.admin, params={"organism": "urssaf\x00"}), 422, "organism")
    error(api.get("/v1/accounts/worklist", api.admin, params={"organism": "x" * 101}), 422, "organism")
