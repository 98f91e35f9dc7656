"""The public API, `/v1`: simulations, schedules, law parameters (DESIGN §4, issue #8).

Each endpoint reads its body through `parsing.py` and answers with the serialiser the command line uses, so that
`POST /v1/simulations` returns what `echeancier simulate --json` prints and `POST /v1/schedules` what
`echeancier schedule --format json` prints.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from echeancier.api import parsing
from echeancier.api.models import (
    BatchOut,
    ErrorBody,
    ParameterOut,
    ParametersOut,
    ScheduleOut,
    SimulationOut,
    request_schemas,
)
from echeancier.api.parsing import ApiError
from echeancier.api.ratelimit import limit_rate
from echeancier.kernel.inputs import InputError, parse_date, parse_euros, shown
from echeancier.kernel.money import ZERO

router = APIRouter(prefix="/v1", dependencies=[Depends(limit_rate)])

JSON = "application/json"
BODIES = request_schemas()[0]


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "The body is not JSON, or JSON a reader refuses (duplicate key, lone surrogate, huge number…)",
        404: "Unknown parameter",
        406: "No format of the Accept header is available",
        413: "The body or one of its lists is too large",
        422: "A field is invalid: `error.field` names it",
        429: "Too many requests from this client: see Retry-After",
    }
    return {status: {"model": ErrorBody, "description": described[status]} for status in (*statuses, 429)}


def _body(name: str) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {JSON: {"schema": BODIES[name]}}}}


def _json(document: Any) -> Response:
    return Response(json.dumps(document, ensure_ascii=False).encode("utf-8"), media_type=JSON)


# --- Simulations --------------------------------------------------------------------------------------------------


def _simulate(situations: Any) -> Any:
    from echeancier.contributions.engine import simulate
    from echeancier.contributions.situation import InputError
    from echeancier.law.loader import LawError

    single = not isinstance(situations, list)
    results = []
    for index, situation in enumerate([situations] if single else situations):
        try:
            results.append(simulate(situation).to_dict())
        except InputError as error:
            raise ApiError(422, error.field if single else f"{index}.{error.field}", error.message) from None
        except LawError as error:
            raise ApiError(422, "year" if single else f"{index}.year", str(error)) from None
    return results[0] if single else results


@router.post(
    "/simulations",
    summary="Simulate one situation or a list",
    response_model=SimulationOut | list[SimulationOut],
    responses=_errors(400, 413, 422),
    openapi_extra=_body("simulations"),
)
async def simulations(request: Request) -> Response:
    """One situation (a JSON object) or a list of at most 1,000: every contribution with its base, rate, amount
    and reference, exactly as `echeancier simulate --json`."""
    situations = parsing.read_situations(parsing.read_json(await request.body()))
    if isinstance(situations, list) and len(situations) > 20:
        return _json(await run_in_threadpool(_simulate, situations))
    return _json(_simulate(situations))


def _batch(columns: dict[str, list[Any]], rights: bool = False) -> dict[str, list[Any]]:
    from echeancier.contributions.situation import InputError
    from echeancier.contributions.vectorized import RowInputError, simulate_many
    from echeancier.law.loader import LawError

    try:
        out = simulate_many(columns, rights=rights)
    except RowInputError as error:
        raise ApiError(422, f"{error.field}[{error.row}]", error.message) from None
    except InputError as error:
        raise ApiError(422, error.field, error.message) from None
    except LawError as error:
        raise ApiError(422, "year", str(error)) from None
    return {name: (columns["id"] if name == "id" else values.tolist()) for name, values in out.items()}


@router.post(
    "/simulations:batch",
    summary="Simulate up to 100,000 situations given as columns",
    response_model=BatchOut,
    responses=_errors(400, 413, 422),
    openapi_extra=_body("batch"),
)
async def simulations_batch(request: Request, rights: bool = False) -> Response:
    """Columns in (`year`, `profession`, `income`, optional `id`, `start_date`, `end_date`, `acre`, `rsa`,
    `income_is_net`, `department`, `conjoint_collaborateur`, each a list with one value per row), columns out: the
    whole-euro amount of every contribution (with a `conjoint_collaborateur` column, the conjoint's four too) and
    the total per row, through the vectorised engine (`simulate_many`). With
    `?rights=true`, the rights these contributions open as exact integer columns (`simulate_many(...,
    rights=True)`: `rights.retraite_base.trimestres`, `rights.retraite_base.revenu_cotise_cents`, …)."""
    body = await request.body()
    columns = parsing.read_columns(await run_in_threadpool(parsing.read_json, body, parsing.MAX_BATCH_BODY))
    return _json(await run_in_threadpool(_batch, columns, rights))


# --- Schedules ----------------------------------------------------------------------------------------------------

SCHEDULE_TYPES = {
    "application/json": "json",
    "text/csv": "csv",
    "text/calendar": "ics",
    "application/pdf": "pdf",
}
MEDIA_TYPES = {"json": JSON, "csv": "text/csv; charset=utf-8", "ics": "text/calendar; charset=utf-8"}
MEDIA_TYPES["pdf"] = "application/pdf"


def negotiate(accept: str | None) -> str:
    """The format for an Accept header: the first supported media type it lists (JSON for */* or none)."""
    if not accept or not accept.strip():
        return "json"
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in SCHEDULE_TYPES:
            return SCHEDULE_TYPES[media]
        if media in ("*/*", "application/*"):
            return "json"
        if media == "text/*":
            return "csv"
    raise ApiError(
        406, "Accept", f"aucun des formats {shown(accept)} n'est disponible (connus : {', '.join(SCHEDULE_TYPES)})"
    )


def render_schedule(scenario: Any, output: str, name: str = "echeancier", organism: str = "URSSAF") -> bytes:
    """The échéancier of a validated scenario in one of the formats of `schedule --format` (json, csv, ics, pdf)."""
    from echeancier.documents import echeancier as documents
    from echeancier.law.loader import LawError
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import ScenarioError

    try:
        result = build_echeancier(scenario)
    except ScenarioError as error:
        raise parsing.scenario_error(error) from None
    except LawError as error:
        raise ApiError(422, "years", str(error)) from None
    if output == "json":
        return json.dumps(documents.to_json(result), ensure_ascii=False).encode("utf-8")
    if output == "csv":
        return documents.to_csv(result).encode("utf-8")
    if output == "ics":
        return documents.to_ics(result, name).encode("utf-8")
    from echeancier.documents.pdf import schedule_pdf

    return schedule_pdf(result, scenario, issued_on=date.today(), organism=organism)


_SCHEDULE_CONTENT = {
    JSON: {"schema": {"$ref": "#/components/schemas/ScheduleOut"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/calendar": {"schema": {"type": "string"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
}


@router.post(
    "/schedules",
    summary="The échéancier of a scenario",
    response_model=ScheduleOut,
    responses={200: {"content": _SCHEDULE_CONTENT}, **_errors(400, 406, 413, 422)},
    openapi_extra=_body("schedules"),
)
async def schedules(request: Request) -> Response:
    """A scenario as JSON, with the structure of the YAML scenario files (contributor, incomes, amounts, events,
    years) → the échéancier as `echeancier schedule --format json`; `Accept: text/csv`, `text/calendar` or
    `application/pdf` for the other documents."""
    output = negotiate(request.headers.get("accept"))
    scenario = parsing.read_scenario(parsing.read_json(await request.body()))
    siren = getattr(scenario.contributor, "siren", None)
    organism = request.app.state.settings.organism
    content = await run_in_threadpool(render_schedule, scenario, output, siren or "echeancier", organism)
    return Response(content, media_type=MEDIA_TYPES[output])


# --- Forecasts ----------------------------------------------------------------------------------------------------

_FORECAST_FIELDS = {"scenario", "as_of", "estimate", "monthly", "estimate_next", "cash", "missed"}


def _forecast_money(value: Any, field: str) -> Decimal:
    """An amount read by the input layer (`parse_euros`: `40 000,50`, no ambiguous `40.000`, not negative)."""
    try:
        return parse_euros(value, field)
    except InputError as error:
        raise ApiError(422, field, error.message) from None


def _forecast_date(value: Any, field: str) -> date:
    try:
        return parse_date(value, field)
    except InputError as error:
        raise ApiError(422, field, error.message) from None


def _forecast(document: Any) -> Any:
    from echeancier.law.loader import LawError
    from echeancier.schedule.forecast import forecast
    from echeancier.schedule.scenario import ScenarioError

    if not isinstance(document, dict):
        raise ApiError(422, "body", "une prévision est un objet avec scenario, as_of et estimate")
    unknown = sorted(set(document) - _FORECAST_FIELDS)
    if unknown:
        raise ApiError(422, unknown[0], "n'est pas un champ connu")
    scenario = parsing.read_scenario(document.get("scenario"))
    as_of = _forecast_date(document.get("as_of"), "as_of")
    estimate = None if document.get("estimate") is None else _forecast_money(document["estimate"], "estimate")
    monthly = document.get("monthly")
    if monthly is not None:
        if not isinstance(monthly, list):
            raise ApiError(422, "monthly", "doit être une liste de douze revenus mensuels")
        monthly = [_forecast_money(m, "monthly") for m in monthly]
    estimate_next = document.get("estimate_next")
    next_year = None if estimate_next is None else _forecast_money(estimate_next, "estimate_next")
    cash = ZERO if document.get("cash") is None else _forecast_money(document["cash"], "cash")  # null: not given
    missed = document.get("missed") or []
    if not isinstance(missed, list) or len(missed) > 24:
        raise ApiError(422, "missed", "doit être une liste de 24 échéances au plus")
    days = [_forecast_date(day, "missed") for day in missed]
    try:
        result = forecast(scenario, as_of, estimate, monthly=monthly, estimate_next=next_year, cash=cash, missed=days)
    except ScenarioError as error:
        refusal = parsing.scenario_error(error)
        if refusal.field in ("missed_payment", "rejected_debit"):  # a due date assumed missed that is not one
            refusal.field = "missed"
        raise refusal from None
    except LawError as error:
        raise ApiError(422, "as_of", str(error)) from None
    return result.to_dict()


@router.post("/forecasts", summary="The 24-month cash forecast of a scenario", responses=_errors(400, 413, 422))
async def forecasts(request: Request) -> Response:
    """`echeancier forecast --format json`: `scenario` (as for /v1/schedules), `as_of`, `estimate` (or `monthly`,
    twelve incomes), optionally `estimate_next`, `cash` and `missed` (due dates assumed unpaid) → every payment of
    the next 24 months, the calls of the next declarations and the modulation of R613-1-4 II that smooths them."""
    document = parsing.read_json(await request.body())
    return _json(await run_in_threadpool(_forecast, document))


# --- Law ----------------------------------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [[_value(threshold), _value(rate)] for threshold, rate in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _dated(value: Any) -> dict[str, Any]:
    return {
        "start": value.start.isoformat(),
        "value": _value(value.value),
        "reference": value.reference,
        "url": value.url,
    }


def _parameter(parameter: Any, on: date | None) -> dict[str, Any]:
    from echeancier.law.loader import LawError

    document = {
        "key": parameter.key,
        "description": parameter.description,
        "unit": parameter.unit,
        "valid_until": parameter.valid_until.isoformat(),
        "values": [_dated(value) for value in parameter.values],
    }
    if on is not None:
        try:
            document["value_on"] = _dated(parameter.at(on))
        except LawError as error:
            raise ApiError(422, "on", str(error)) from None
    return document


@router.get(
    "/law/parameters",
    summary="Every dated parameter of the law, with its references",
    response_model=ParametersOut,
    responses=_errors(422),
)
def law_parameters(on: date | None = None) -> Response:
    """As `echeancier law status --json` on the `on` date (default today), with every parameter's dated values;
    with `on`, each parameter also gives the value in force that day."""
    from echeancier.cli import status_document
    from echeancier.law.loader import load_law

    law = load_law()
    document = status_document(law, on or date.today())
    covered = [p for p in law if on is None or p.values[0].start <= on <= p.valid_until]
    document["parameters"] = [_parameter(p, on) for p in covered]
    return _json(document)


@router.get(
    "/law/parameters/{name}",
    summary="One parameter, its dated values and the one in force on a date",
    response_model=ParameterOut,
    responses=_errors(404, 422),
)
def law_parameter(name: str, on: date | None = None) -> Response:
    """`echeancier law show NAME --on DATE`: the parameter (e.g. `plafond_securite_sociale.annuel`), every dated
    value with its legal reference and source, and with `on` the value in force that day."""
    from echeancier.cli import unknown_key
    from echeancier.law.loader import load_law

    law = load_law()
    if name not in law.parameters:
        raise ApiError(404, "name", unknown_key(law, name))
    return _json(_parameter(law.parameter(name), on))
