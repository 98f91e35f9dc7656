"""The HTTP API (issue #8): each endpoint, the same answers as the command line, and hostile bodies get a 4xx."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import pytest
import yaml
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from echeancier.api import Settings, create_app
from echeancier.api.ratelimit import RateLimiter
from echeancier.api.security import Principal, require_principal
from echeancier.api.v1 import negotiate
from echeancier.cli import app as cli_app

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
SITUATION = {"year": 2025, "profession": "artisan", "income": 40000}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli_app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _error(response: Any, status: int, field: str | None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["field"] == field, body
    message: str = body["error"]["message"]
    assert message and "\n" not in message
    assert not ENGLISH.search(message), message  # users read French
    return message


# Words of an English message (none is French).
ENGLISH = re.compile(r"\b(is|are|must|not|the|of|got|required|unknown|invalid|already|another|should|expected)\b")


# --- Simulations ----------------------------------------------------------------------------------------------


def test_simulation_is_exactly_the_cli_json(client: TestClient) -> None:
    response = client.post("/v1/simulations", json={**SITUATION, "start_date": "2025-03-01", "acre": True, "id": 7})
    assert response.status_code == 200
    cli = _cli(
        "simulate",
        "--year",
        "2025",
        "--profession",
        "artisan",
        "--income",
        "40000",
        "--start-date",
        "2025-03-01",
        "--acre",
        "--json",
    )
    assert response.json() == {**json.loads(cli), "id": 7}
    assert response.json()["total"] == 5406  # as the hand-checked PDF and the CLI table


def test_simulation_list_keeps_order_and_names_the_bad_item(client: TestClient) -> None:
    items = [{**SITUATION, "id": "a"}, {**SITUATION, "profession": "liberal", "id": "b"}]
    response = client.post("/v1/simulations", json=items)
    assert [r["id"] for r in response.json()] == ["a", "b"]
    bad = client.post("/v1/simulations", json=[SITUATION, {**SITUATION, "income": "beaucoup"}])
    assert "doit être un montant en euros" in _error(bad, 422, "1.income")


def test_simulation_list_is_bounded(client: TestClient) -> None:
    _error(client.post("/v1/simulations", json=[SITUATION] * 1001), 413, "body")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**SITUATION, "year": 1990}, 422, "year"),
        ({**SITUATION, "year": "2025"}, 422, "year"),
        ({**SITUATION, "year": True}, 422, "year"),
        ({**SITUATION, "profession": "notaire"}, 422, "profession"),
        ({**SITUATION, "income": 1e300}, 422, "income"),
        ({**SITUATION, "income": "1E+99999999999999999"}, 422, "income"),
        ({**SITUATION, "income": None}, 422, "income"),
        ({**SITUATION, "income": [1, 2]}, 422, "income"),
        ({**SITUATION, "start_date": 1735689600}, 422, "start_date"),
        ({**SITUATION, "start_date": "2025-02-30"}, 422, "start_date"),
        ({**SITUATION, "acre": True}, 422, "acre"),
        ({**SITUATION, "id": {"nested": [1]}}, 422, "id"),
        ({**SITUATION, "surprise": 1}, 422, "surprise"),
        ({"year": 2025}, 422, "profession"),
        ("a string", 422, "body"),
        (42, 422, "body"),
        ([1], 422, "0.situation"),
    ],
)
def test_bad_situations_name_their_field(client: TestClient, body: Any, status: int, field: str) -> None:
    _error(client.post("/v1/simulations", json=body), status, field)


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        (b'{"year": 2025, "year": 2024, "profession": "artisan", "income": 1}', "year", "deux fois"),
        (b'{"year": 2025, "profession": "artisan", "income": NaN}', "body", "NaN"),
        (b'{"year": 2025, "profession": "artisan", "income": Infinity}', "body", "Infinity"),
        (b'{"year": 2025, "profession": "artisan", "income": ' + b"9" * 5000 + b"}", "body", "chiffres"),
        (b'{"year": 2025, "profession": "artisan", "income": 1, "id": "\\ud800"}', "body", "substitution"),
        (b"[" * 100_000 + b"]" * 100_000, "body", "imbrication"),
        (
            b'{"year": 2025,',
            "body",
            "JSON invalide : un nom de clé entre guillemets doubles est attendu (ligne 1, colonne 15)",
        ),
        (
            b'{"year": 2025 "income": 1}',
            "body",
            "JSON invalide : « , » est attendue entre deux éléments (ligne 1, colonne 15)",
        ),
        (b"\xff\xfe{}", "body", "UTF-8"),
        (b"", "body", "obligatoire"),
    ],
)
def test_hostile_bytes_get_400(client: TestClient, raw: bytes, field: str, words: str) -> None:
    response = client.post("/v1/simulations", content=raw, headers={"content-type": "application/json"})
    assert words in _error(response, 400, field)


_HOSTILE_COLUMNS = {"year": [2025], "profession": ["artisan"], "income": [1]}
# One request per message of the API's own checks (`api.parsing`): method path, JSON body or raw bytes, status, field.
_HOSTILE_REQUESTS: list[tuple[str, Any, int, str]] = [
    ("/v1/simulations", b'{"year": 2025, "year": 2024, "profession": "artisan", "income": 1}', 400, "year"),
    ("/v1/simulations", b'{"year": 2025, "profession": "artisan", "income": NaN}', 400, "body"),
    ("/v1/simulations", b'{"year": 2025, "profession": "artisan", "income": ' + b"9" * 5000 + b"}", 400, "body"),
    ("/v1/simulations", b'{"year": 2025, "profession": "artisan", "income": 1, "id": "\\ud800"}', 400, "body"),
    ("/v1/simulations", b"[" * 100_000 + b"]" * 100_000, 400, "body"),
    ("/v1/simulations", b'{"year": 2025,', 400, "body"),
    ("/v1/simulations", b"\xff\xfe{}", 400, "body"),
    ("/v1/simulations", b"", 400, "body"),
    ("/v1/simulations", b" " * 300_000 + b"{}", 413, "body"),
    ("/v1/simulations", "a string", 422, "body"),
    ("/v1/simulations", [SITUATION] * 1001, 413, "body"),
    ("/v1/simulations", {**SITUATION, "income": "1E+99999999999999999"}, 422, "income"),
    ("/v1/simulations", {**SITUATION, "surprise": 1}, 422, "surprise"),
    ("/v1/simulations", {"year": 2025, "income": 1}, 422, "profession"),
    ("/v1/simulations:batch", [1, 2], 422, "body"),
    ("/v1/simulations:batch", {**_HOSTILE_COLUMNS, "x": [1]}, 422, "x"),
    ("/v1/simulations:batch", {**_HOSTILE_COLUMNS, "year": 2025}, 422, "year"),
    ("/v1/simulations:batch", {**_HOSTILE_COLUMNS, "year": [0]}, 422, "year[0]"),
    ("/v1/simulations:batch", {**_HOSTILE_COLUMNS, "income": ["1E+99999999999999999"]}, 422, "income[0]"),
    ("/v1/simulations:batch", {"year": [2025], "profession": ["artisan"]}, 422, "income"),
    ("/v1/simulations:batch", {**_HOSTILE_COLUMNS, "profession": ["artisan"] * 2}, 422, "profession"),
    ("/v1/simulations:batch", {"year": [2025] * 100_001}, 413, "year"),
    ("/v1/schedules", [1], 422, "body"),
    # a value of the wrong JSON type in each column: every `_TYPE_NAMES` text
    *(
        ("/v1/simulations:batch", {**_HOSTILE_COLUMNS, name: [{"x": 1}]}, 422, f"{name}[0]")
        for name in (
            "id year profession income start_date end_date acre rsa income_is_net department conjoint_collaborateur "
            "section pension_invalidite_mois exoneration_age exoneration_debut_outre_mer secteur metier classe_cnbf "
            "remplacant abattement_outre_mer"
        ).split()
    ),
]
_ENGLISH = re.compile(
    r"\b(must|is not|not a|required|got|rows?|per request|at most|exceeds|twice|nested|given|"
    r"whole number|string|or null|true or false|integer|digits|invalid|known field)\b"
)


@pytest.mark.parametrize(("path", "body", "status", "field"), _HOSTILE_REQUESTS)
def test_every_refusal_of_the_api_is_french_and_names_its_field(
    client: TestClient, path: str, body: Any, status: int, field: str
) -> None:
    if isinstance(body, bytes):
        response = client.post(path, content=body, headers={"content-type": "application/json"})
    else:
        response = client.post(path, json=body)
    message = _error(response, status, field)
    assert not _ENGLISH.search(message), message  # the developers' rule: error messages in French


def test_deep_nesting_inside_a_field_is_refused(client: TestClient) -> None:
    nested: Any = 1
    for _ in range(500):
        nested = [nested]
    response = client.post("/v1/simulations", json={**SITUATION, "id": nested})
    _error(response, 422, "id")


def test_huge_body_gets_413(client: TestClient) -> None:
    response = client.post("/v1/simulations", content=b" " * 300_000 + b"{}")
    _error(response, 413, "body")


def test_a_valid_surrogate_pair_is_text(client: TestClient) -> None:
    raw = b'{"year": 2025, "profession": "artisan", "income": 1, "id": "\\ud83d\\ude00"}'
    assert client.post("/v1/simulations", content=raw).json()["id"] == "\U0001f600"


# --- Batch ----------------------------------------------------------------------------------------------------


def test_batch_equals_the_scalar_engine(client: TestClient) -> None:
    columns = {
        "id": ["x", 2, None],
        "year": [2024, 2025, 2026],
        "profession": ["artisan", "commercant", "liberal"],
        "income": [30000, "45000.50", 0],
        "start_date": [None, "2025-04-01", None],
        "acre": [False, True, False],
    }
    out = client.post("/v1/simulations:batch", json=columns).json()
    assert out["id"] == ["x", 2, None]
    for row in range(3):
        one = {name: values[row] for name, values in columns.items() if name != "id"}
        single = client.post("/v1/simulations", json={k: v for k, v in one.items() if v is not None}).json()
        assert out["total"][row] == single["total"]
        assert out["retraite_base"][row] == single["contributions"]["retraite_base"]["amount"]
    # ?rights=true: the rights of each row as exact integer columns, equal to the `rights` of one simulation
    with_rights = client.post("/v1/simulations:batch", params={"rights": "true"}, json=columns).json()
    assert "rights.retraite_base.trimestres" not in out
    for row in range(3):
        one = {name: values[row] for name, values in columns.items() if name != "id"}
        single = client.post("/v1/simulations", json={k: v for k, v in one.items() if v is not None}).json()
        rights = single["rights"]
        assert with_rights["rights.retraite_base.trimestres"][row] == rights["retraite_base"]["trimestres"]
        assert with_rights["rights.indemnites_journalieres.montant_journalier_cents"][row] == round(
            rights["indemnites_journalieres"]["montant_journalier"] * 100
        )
        assert with_rights["rights.retraite_complementaire.points_centiemes"][row] == round(
            rights["retraite_complementaire"]["points"] * 100
        )


@pytest.mark.parametrize(
    ("columns", "status", "field"),
    [
        ({"year": [2025], "profession": ["artisan"]}, 422, "income"),
        ({"year": [2025, 2025], "profession": ["artisan"], "income": [1, 2]}, 422, "profession"),
        ({"year": [2025], "profession": ["artisan"], "income": [1], "x": [1]}, 422, "x"),
        ({"year": [10**25], "profession": ["artisan"], "income": [1]}, 422, "year[0]"),
        ({"year": [2025.0], "profession": ["artisan"], "income": [1]}, 422, "year[0]"),
        ({"year": 2025, "profession": ["artisan"], "income": [1]}, 422, "year"),
        ({"year": [2025], "profession": ["artisan"], "income": [[1]]}, 422, "income[0]"),
        ({"year": [2025], "profession": ["artisan"], "income": [1], "acre": [1]}, 422, "acre[0]"),
        ({"year": [2025, 2019], "profession": ["artisan", "artisan"], "income": [1, 2]}, 422, "year[1]"),
        ({"year": [2025], "profession": ["plombier"], "income": [1]}, 422, "profession[0]"),
        ({"year": [2025], "profession": ["artisan"], "income": ["1e999"]}, 422, "income[0]"),
        ({"year": [2025], "profession": ["artisan"], "income": [1], "start_date": [20250101]}, 422, "start_date[0]"),
        (
            {"year": [2025], "profession": ["artisan"], "income": [1], "start_date": ["2025-13-01"]},
            422,
            "start_date[0]",
        ),
        ([1, 2], 422, "body"),
    ],
)
def test_bad_batches_name_the_row(client: TestClient, columns: Any, status: int, field: str) -> None:
    _error(client.post("/v1/simulations:batch", json=columns), status, field)


def test_batch_of_100000_rows(client: TestClient) -> None:
    n = 100_000
    columns = {"year": [2026] * n, "profession": ["artisan"] * n, "income": list(range(n))}
    out = client.post("/v1/simulations:batch", json=columns).json()
    assert (
        len(out["total"]) == n
        and out["total"][40000]
        == client.post("/v1/simulations", json={"year": 2026, "profession": "artisan", "income": 40000}).json()["total"]
    )
    too_many = {"year": [2026] * (n + 1), "profession": ["artisan"] * (n + 1), "income": [1] * (n + 1)}
    _error(client.post("/v1/simulations:batch", json=too_many), 413, "year")


# --- Schedules ------------------------------------------------------------------------------------------------


def _scenario(name: str) -> dict[str, Any]:
    document = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    return json.loads(json.dumps(document, default=str))  # dates as ISO strings, as a JSON client sends them


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_schedule_json_is_the_cli_json(client: TestClient, name: str) -> None:
    response = client.post("/v1/schedules", json=_scenario(name))
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(_cli("schedule", str(EXAMPLES / name), "--format", "json"))


def test_schedule_other_formats_by_accept(client: TestClient) -> None:
    body = _scenario("01-declaration-mensuel.yaml")
    csv = client.post("/v1/schedules", json=body, headers={"accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    cli = _cli("schedule", str(EXAMPLES / "01-declaration-mensuel.yaml"), "--format", "csv")
    assert csv.text.replace("\r\n", "\n") == cli.replace("\r\n", "\n")
    ics = client.post("/v1/schedules", json=body, headers={"accept": "text/calendar"})
    assert ics.headers["content-type"].startswith("text/calendar") and "BEGIN:VCALENDAR" in ics.text
    pdf = client.post("/v1/schedules", json=body, headers={"accept": "application/pdf"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    _error(client.post("/v1/schedules", json=body, headers={"accept": "image/png"}), 406, "Accept")


def test_accept_negotiation() -> None:
    assert negotiate(None) == "json"
    assert negotiate("*/*") == "json"
    assert negotiate("text/html, text/calendar;q=0.9") == "ics"
    assert negotiate("application/pdf") == "pdf"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contributor": {"profession": "artisan"}}, "contributor.activity_start"),
        ({"years": []}, "years"),
        ({"years": [2019]}, "years"),
        ({"events": [{"date": "2026-05-20", "type": "fête"}]}, "events.0.type"),
        ({"incomes": {"2024": "beaucoup"}}, "incomes"),
        (
            {"contributor": {"profession": "artisan", "activity_start": "2015-01-01", "siren": "732829321"}},
            "contributor.siren",
        ),
        (
            {"contributor": {"profession": "artisan", "activity_start": "2015-01-01", "department": "99"}},
            "contributor.department",
        ),
    ],
)
def test_bad_scenarios_name_their_field(client: TestClient, change: dict[str, Any], field: str) -> None:
    body = {**_scenario("01-declaration-mensuel.yaml"), **change}
    _error(client.post("/v1/schedules", json=body), 422, field)


def test_schedule_error_found_while_replaying_is_422(client: TestClient) -> None:
    body = _scenario("06-modulation.yaml")
    body["incomes"] = {}
    assert "le revenu de 2024 est nécessaire" in _error(client.post("/v1/schedules", json=body), 422, "incomes")


# --- Law ------------------------------------------------------------------------------------------------------


def test_law_parameter_as_law_show(client: TestClient) -> None:
    response = client.get("/v1/law/parameters/plafond_securite_sociale.annuel", params={"on": "2026-01-01"})
    document = response.json()
    assert document["value_on"]["value"] == 48060 and document["value_on"]["start"] == "2026-01-01"
    shown = _cli("law", "show", "plafond_securite_sociale.annuel", "--on", "2026-01-01")
    assert document["value_on"]["reference"] in shown and document["description"] in shown
    assert [v["start"] for v in document["values"]] == ["2023-01-01", "2024-01-01", "2025-01-01", "2026-01-01"]


def test_law_parameters_as_law_status(client: TestClient) -> None:
    document = client.get("/v1/law/parameters", params={"on": "2026-06-01"}).json()
    status = json.loads(CliRunner().invoke(cli_app, ["law", "status", "--on", "2026-06-01", "--json"]).stdout)
    assert {k: document[k] for k in status} == status
    keys = {p["key"] for p in document["parameters"]}
    assert "majorations.taux_initial" in keys
    assert all(p["value_on"]["reference"] for p in document["parameters"])


def test_law_errors(client: TestClient) -> None:
    assert "vouliez-vous dire" in _error(client.get("/v1/law/parameters/plafond_securite_sociale.annuell"), 404, "name")
    _error(client.get("/v1/law/parameters/plafond_securite_sociale.annuel", params={"on": "2099-01-01"}), 422, "on")
    _error(client.get("/v1/law/parameters", params={"on": "demain"}), 422, "on")


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    _error(client.get("/v1/nothing"), 404, None)
    _error(client.get("/v1/simulations"), 405, None)


# --- Rate limit and access -------------------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after() -> None:
    limited = TestClient(create_app(Settings(rate_limit=60, burst=3)))
    statuses = [limited.post("/v1/simulations", json=SITUATION).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = limited.post("/v1/simulations", json=SITUATION)
    assert response.headers["retry-after"] == "1"
    _error(response, 429, None)


def test_token_bucket_refills() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)
    assert [limiter.acquire("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    assert limiter.acquire("b", now=0.0) == 0.0  # per client
    assert limiter.acquire("a", now=1.0) == 0.0  # one token a second
    assert RateLimiter(per_minute=0).acquire("a") == 0.0


def test_settings_refuse_an_unknown_database() -> None:
    with pytest.raises(ValueError, match="--db"):
        Settings(db_url="mysql://host/db")
    assert Settings(db_url="postgresql+psycopg://u@h/db").db_url.startswith("postgresql")


def test_the_auth_dependency_for_account_routes() -> None:
    def resolver(token: str) -> Principal | None:
        return Principal("contributor", account="A1") if token == "good" else None

    app = create_app(Settings(rate_limit=0, token_resolver=resolver))
    accounts = APIRouter()

    @accounts.get("/v1/probe/me")
    def me(principal: Annotated[Principal, Depends(require_principal)]) -> dict[str, Any]:
        return {"account": principal.account}

    app.include_router(accounts)
    test = TestClient(app)
    assert test.get("/v1/probe/me", headers={"authorization": "Bearer good"}).json() == {"account": "A1"}
    for headers in ({}, {"authorization": "Bearer bad"}, {"authorization": "Basic good"}):
        assert test.get("/v1/probe/me", headers=headers).json() == {
            "error": {"field": None, "message": "authentification requise (Authorization: Bearer …)"}
        }


def test_worker_processes_read_their_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from echeancier.api.app import app_from_environment

    monkeypatch.setenv("ECHEANCIER_DB", "postgresql://u@localhost/echeancier")
    monkeypatch.setenv("ECHEANCIER_RATE_LIMIT", "0")
    settings = app_from_environment().state.settings
    assert settings.db_url == "postgresql://u@localhost/echeancier" and settings.rate_limit == 0


def test_serve_refuses_a_bad_database_url_before_starting() -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--db", "mysql://x"])
    assert result.exit_code == 2 and result.stderr.startswith("erreur: --db: 'mysql://x' n'est pas une URL sqlite")
