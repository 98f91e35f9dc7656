"""The yearly campaign of one partition of accounts: every instalment of N and N+1, whatever the account's situation.

For income year N-1 declared in N, each account's échéancier of the years N and N+1 (the régularisation of N-1,
the ajustement of N, the provisional contributions of N+1, every instalment, refund and note) is the one the
replay `build_echeancier` gives for the scenario the account's row makes (`scenario_document`). Two evaluations of
the same texts, chosen by row (docs/campaign.md):

- an account whose only event of the campaign is its declaration, with an activity started in N-1 or earlier
  (the steady state, and the first and second years: flat-rate base, R613-4's 90 days, annualised income), with
  or without ACRE or RSA, goes through `schedule.vectorized.campaign_many`: the replay's own rules over integer
  cents (`spread.equal_instalments`, `rules.ajustement_split`, `rules.imputation`, `rules.annualised`) on arrays
  of accounts, the amounts of `simulate_many` (its `forfait` for the flat-rate base), the due dates of `calendar`;
- every other account (an activity started in N, cessation, report and étalement, missed payments, modulation,
  payment-day changes, an account of the store…) goes through `build_echeancier` itself.

Input rows (a PyArrow table; see docs/campaign.md for the schema): `id`, `profession`, `activity_start`,
`frequency`, `day`, `direct_debit`, `department`, `acre`, `rsa`, `income_n2`, `income_n1`, `declaration_date`,
`events` (a JSON list of scenario events), `scenario` (a JSON object: the account's stored document —
`contributor`, `incomes`, `amounts`, `options` — which then replaces the contributor columns).

Output (`Partition`), amounts in integer cents: `parts`, one row per part of an instalment (an instalment is the
rows of one account and due date); `refunds`; `accounts`, one row per input row (its path, organism, notes, total
called, or its error); `summary`, counts and totals. A bad row is reported with its row number and the rest is
computed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from echeancier.contributions.situation import InputError
from echeancier.contributions.territory import MAYOTTE, territory
from echeancier.contributions.vectorized import RowInputError
from echeancier.law import Law, LawError, supported_years
from echeancier.organisms import UnknownTerritory, organism_for
from echeancier.schedule import declarations
from echeancier.schedule.echeancier import KINDS, Echeancier, build_echeancier
from echeancier.schedule.scenario import ScenarioError, parse_scenario
from echeancier.schedule.vectorized import OFF_KINDS, PARTS, SLOTS, Campaign, campaign_many

COLUMNS = (
    "id",
    "profession",
    "activity_start",
    "frequency",
    "day",
    "direct_debit",
    "department",
    "acre",
    "rsa",
    "income_n2",
    "income_n1",
    "declaration_date",
    "events",
    "scenario",
)
FIRST_YEAR = 1  # the array path takes an activity started in N-1 or earlier (an N-1 start without income of N-2)

PARTS_SCHEMA = pa.schema(
    [
        ("account", pa.string()),
        ("due_date", pa.date32()),
        ("debit_date", pa.date32()),
        ("kind", pa.string()),
        ("year", pa.int16()),
        ("amount_cents", pa.int64()),
        ("missed", pa.bool_()),
    ]
)
REFUNDS_SCHEMA = pa.schema(
    [
        ("account", pa.string()),
        ("date", pa.date32()),
        ("kind", pa.string()),
        ("year", pa.int16()),
        ("amount_cents", pa.int64()),
        ("imputed_cents", pa.int64()),
        ("on_instalments_cents", pa.int64()),
    ]
)
ACCOUNTS_SCHEMA = pa.schema(
    [
        ("account", pa.string()),
        ("row", pa.int64()),
        ("path", pa.string()),
        ("organism", pa.string()),
        ("notes", pa.string()),
        ("called_cents", pa.int64()),
        ("error", pa.string()),
    ]
)


class CampaignError(ValueError):
    """A campaign that cannot run at all (a year the law cannot campaign, a column missing): one French line."""


def check_year(year: int, law: Law) -> None:
    """A campaign year needs the law of N-1 and of N (as `campaign_many`)."""
    covered = supported_years(law)
    first, last = covered[0], covered[-1]
    if not first + 1 <= year <= last:
        raise CampaignError(f"année : une campagne demande les paramètres de N-1 et de N ({first + 1} à {last})")


# --------------------------------------------------------------------------------------------------------------
# One row as a scenario


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any, default: bool) -> Any:
    """A flag as a CSV or Parquet gives it: a boolean, 0/1, true/false; anything else is left to the validation."""
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    return value


def _int(value: Any, default: int) -> Any:
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _day(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else _text(value)


def _amount(value: Any) -> Any:
    """An income as given (a number, or a string the input layer reads: `40000,50`, `40 000`)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return _text(value) if isinstance(value, str) else value


def _json(value: Any, what: str, kind: type) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return kind()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise InputError(what, f"n'est pas un JSON valide ({error.msg})") from None
    if not isinstance(value, kind):
        raise InputError(what, "doit être une liste d'événements" if kind is list else "doit être un objet JSON")
    return value


def _plain(value: Any) -> Any:
    """JSON data as the scenario parser reads YAML (year keys as ints)."""
    if isinstance(value, Mapping):
        return {(int(k) if isinstance(k, str) and k.isdigit() else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def scenario_document(row: Mapping[str, Any], year: int) -> dict[str, Any]:
    """The scenario of an account's row for the campaign of `year`: its contributor, the incomes of N-2 and N-1,
    the declaration of N-1 (`declaration_date`) and its events (`_in_campaign`), over the years N and N+1."""
    stored = _plain(_json(row.get("scenario"), "scenario", dict))
    document: dict[str, Any] = {
        key: stored[key] for key in ("contributor", "incomes", "amounts", "options") if key in stored
    }
    if "contributor" not in document:
        contributor: dict[str, Any] = {
            "profession": _text(row.get("profession")),
            "activity_start": _day(row.get("activity_start")),
            "payment": {
                "frequency": _text(row.get("frequency")) or "monthly",
                "day": _int(row.get("day"), 5),
                "direct_debit": _flag(row.get("direct_debit"), True),
            },
            "department": _text(row.get("department")) or "75",
            "acre": _flag(row.get("acre"), False),
            "rsa": _flag(row.get("rsa"), False),
        }
        document["contributor"] = contributor
    incomes = dict(document.get("incomes") or {})
    for key, income_year in (("income_n2", year - 2), ("income_n1", year - 1)):
        if row.get(key) is not None and row.get(key) != "":
            incomes[income_year] = _amount(row.get(key))
    document["incomes"] = incomes
    events = [event for event in _plain(_json(row.get("events"), "events", list)) if _in_campaign(event, year)]
    declared = _day(row.get("declaration_date"))
    if declared is not None:
        events.insert(0, {"date": declared, "type": "declaration", "year": year - 1})
    for event in events:
        # The income a declaration gives is that year's income: the provisional contributions of N+1 are computed
        # on it (`open_year` reads `incomes`).
        if isinstance(event, Mapping) and event.get("type") == "declaration" and event.get("income") is not None:
            try:
                declared_year = int(event.get("year") or date.fromisoformat(str(event.get("date"))).year - 1)
            except (TypeError, ValueError):
                continue  # the validation names it
            incomes.setdefault(declared_year, event["income"])
    document["events"] = events
    document["years"] = [year, year + 1]
    return document


# What concerns the instalments of a year before N (money, incidents, plans, remises): its ledger is not replayed.
_LEDGER_EVENTS = ("payment", "missed_payment", "rejected_debit", "payment_plan", "remise_request", "remise_decision")


def _in_campaign(event: Any, year: int) -> bool:
    """An event the campaign replays: up to the end of N+1, and before N only what shapes the échéancier of N
    (a start's report or étalement, a payment mode, a declaration…), not the ledger of a year before N. An event
    without a readable date is kept: the validation names it."""
    if not isinstance(event, Mapping):
        return True
    try:
        day = date.fromisoformat(str(event.get("date")))
    except ValueError:
        return True
    return day.year <= year + 1 and (day.year >= year or event.get("type") not in _LEDGER_EVENTS)


def echeancier_of_row(row: Mapping[str, Any], year: int) -> Echeancier:
    """The scalar replay of a row: `build_echeancier` of its scenario (the campaign's reference)."""
    return build_echeancier(parse_scenario(scenario_document(row, year)))


def lone_cessation(events: Any, year: int) -> date | None:
    """The date of `events` (a row's JSON text) when they are exactly one cessation in N, `{"date", "type":
    "cessation"}`: the one event besides the declaration the array evaluation takes (`campaign_many`'s
    `cessation`). None otherwise."""
    text = _text(events)
    if text is None or "cessation" not in text:
        return None
    try:
        found = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(found, list) or len(found) != 1 or not isinstance(found[0], dict):
        return None
    event = found[0]
    if set(event) != {"date", "type"} or event["type"] != "cessation" or not isinstance(event["date"], str):
        return None
    try:
        day = date.fromisoformat(event["date"])
    except ValueError:
        return None
    return day if day.year == year and event["date"] == day.isoformat() else None


def _steady(row: Mapping[str, Any], year: int) -> bool:
    """An account the array evaluation computes: its declaration its only event (or with one cessation in N), an
    activity started in N-1 or earlier (without the income of N-2 only when started in N-1: not read), ACRE and
    RSA readable flags."""
    if _text(row.get("scenario")):
        return False
    if _text(row.get("events")) not in (None, "[]") and lone_cessation(row.get("events"), year) is None:
        return False
    if row.get("declaration_date") in (None, "") or row.get("income_n1") in (None, ""):
        return False
    if any(not isinstance(_flag(row.get(name), False), bool) for name in ("acre", "rsa")):
        return False
    start = row.get("activity_start")
    try:
        start = start if isinstance(start, date) else date.fromisoformat(str(start))
    except ValueError:
        return False
    if row.get("income_n2") in (None, "") and start.year != year - FIRST_YEAR:
        return False
    return start.year <= year - FIRST_YEAR


# --------------------------------------------------------------------------------------------------------------
# The partition


@dataclass
class Partition:
    parts: pa.Table
    refunds: pa.Table
    accounts: pa.Table
    summary: dict[str, Any]
    errors: list[str] = field(default_factory=list)


@dataclass
class _Out:
    parts: dict[str, list[Any]] = field(default_factory=lambda: {name: [] for name in PARTS_SCHEMA.names})
    refunds: dict[str, list[Any]] = field(default_factory=lambda: {name: [] for name in REFUNDS_SCHEMA.names})
    accounts: dict[str, list[Any]] = field(default_factory=lambda: {name: [] for name in ACCOUNTS_SCHEMA.names})
    parts_arrays: list[dict[str, Any]] = field(default_factory=list)  # the array path's, already columns
    refunds_arrays: list[dict[str, Any]] = field(default_factory=list)
    accounts_arrays: list[dict[str, Any]] = field(default_factory=list)

    def account(
        self,
        account: str,
        row: int,
        path: str,
        organism: str | None,
        notes: Sequence[str],
        called: int,
        error: str | None = None,
    ) -> None:
        for key, value in zip(
            ACCOUNTS_SCHEMA.names,
            (account, row, path, organism, ";".join(notes), called, error),
            strict=True,
        ):
            self.accounts[key].append(value)


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def _account_id(row: Mapping[str, Any], number: int) -> str:
    return _text(row.get("id")) or f"#{number}"


def _planner(row: Mapping[str, Any], number: int, year: int, out: _Out) -> str | None:
    """One account through the replay; returns the error message of a bad row."""
    account = _account_id(row, number)
    try:
        if _text(row.get("id")) is None:
            raise InputError("id", "est obligatoire")
        result = echeancier_of_row(row, year)
    except (ScenarioError, InputError, UnknownTerritory, LawError, ValueError) as error:
        message = f"ligne {number} : {error}"
        out.account(account, number, "error", None, (), 0, message)
        return message
    called = 0
    for instalment in result.instalments:
        for part in instalment.parts:
            amount = _cents(part.amount)
            called += amount
            for key, value in zip(
                PARTS_SCHEMA.names,
                (account, instalment.due_date, instalment.debit_date, part.kind, part.year, amount, instalment.missed),
                strict=True,
            ):
                out.parts[key].append(value)
    for refund in result.refunds:
        values = (
            account,
            refund.date,
            refund.kind,
            refund.year,
            _cents(refund.amount),
            _cents(refund.imputed),
            _cents(refund.on_instalments),
        )
        for key, value in zip(REFUNDS_SCHEMA.names, values, strict=True):
            out.refunds[key].append(value)
    organism = None if result.organism is None else result.organism.key
    out.account(account, number, "planner", organism, result.notes, called)
    return None


def _is_text(column: Any) -> bool:
    return bool(pa.types.is_string(column.type) or pa.types.is_large_string(column.type))


def _blank(batch: pa.Table, name: str) -> npt.NDArray[np.bool_]:
    """Rows where column `name` is absent, null or empty text."""
    if name not in batch.column_names:
        return np.ones(len(batch), dtype=np.bool_)
    column = batch.column(name)
    if _is_text(column):
        blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(column), ""), True)
    else:
        blank = column.is_null()
    return np.asarray(blank.to_numpy(zero_copy_only=False), dtype=np.bool_)


def _steady_rows(batch: pa.Table, year: int) -> npt.NDArray[np.bool_]:
    """The rows the array evaluation computes (see `_steady`), decided on the columns. Conservative: a row it
    cannot read for sure goes to the replay, which computes the same échéancier or names the row's error."""
    names = batch.column_names
    mask = ~_blank(batch, "id") & _blank(batch, "scenario")
    for name in ("declaration_date", "income_n1"):
        mask &= ~_blank(batch, name)
    if "events" in names and not pa.types.is_null(batch.column("events").type):  # a column of nulls: none
        events = batch.column("events")
        if not _is_text(events):
            return np.zeros(len(batch), dtype=np.bool_)
        trimmed = pc.utf8_trim_whitespace(events)
        none = pc.fill_null(pc.or_(pc.equal(trimmed, ""), pc.equal(trimmed, "[]")), True)
        alone = np.asarray(none.to_numpy(zero_copy_only=False), dtype=np.bool_)
        # Or one cessation in N (read row by row, only where the text names one).
        named = np.asarray(pc.fill_null(pc.match_substring(events, "cessation"), False).to_numpy(zero_copy_only=False))
        for i in np.flatnonzero(mask & ~alone & named).tolist():
            alone[i] = lone_cessation(events[i].as_py(), year) is not None
        mask &= alone
    for name in ("acre", "rsa"):
        # A flag either way, read as `_flag` reads it; anything else is the replay's to name.
        if name not in names:
            continue
        flag = batch.column(name)
        if pa.types.is_boolean(flag.type) or pa.types.is_null(flag.type):
            continue
        if not _is_text(flag):
            return np.zeros(len(batch), dtype=np.bool_)
        readable = pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(flag)), pa.array(["", "false", "0", "true", "1"]))
        mask &= np.asarray(pc.fill_null(readable, True).to_numpy(zero_copy_only=False), dtype=np.bool_)
    if "activity_start" not in names:
        return np.zeros(len(batch), dtype=np.bool_)
    start = batch.column("activity_start")
    try:
        if _is_text(start):
            start = pc.cast(pc.utf8_trim_whitespace(start), pa.date32())
        if not pa.types.is_date32(start.type):
            return np.zeros(len(batch), dtype=np.bool_)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return np.array([_steady(row, year) for row in batch.to_pylist()], dtype=np.bool_)
    started = pc.year(start)
    old = pc.fill_null(pc.less_equal(started, year - FIRST_YEAR), False)
    # Without the income of N-2 only an activity started in N-1 (its N-1 and N on the flat-rate base).
    first = pc.fill_null(pc.equal(started, year - FIRST_YEAR), False)
    known = ~_blank(batch, "income_n2") | np.asarray(first.to_numpy(zero_copy_only=False), dtype=np.bool_)
    return mask & known & np.asarray(old.to_numpy(zero_copy_only=False), dtype=np.bool_)


_FAST_TEXT = ("profession", "frequency", "department", "income_n2", "income_n1", "declaration_date", "activity_start")
_NORMALISE: dict[str, Any] = {
    "profession": _text,
    "frequency": lambda v: _text(v) or "monthly",
    "day": lambda v: _int(v, 5),
    "direct_debit": lambda v: _flag(v, True),
    "department": lambda v: _text(v) or "75",
    "income_n2": _amount,
    "income_n1": _amount,
    "declaration_date": lambda v: v,
    "activity_start": lambda v: v,
    "acre": lambda v: _flag(v, False),
    "rsa": lambda v: _flag(v, False),
}
_DEFAULTS: dict[str, Any] = {
    "frequency": "monthly",
    "day": 5,
    "direct_debit": True,
    "department": "75",
    "acre": False,
    "rsa": False,
}


def _campaign_column(batch: pa.Table, name: str) -> Any:
    """A column for `campaign_many`: Arrow's own NumPy form when it needs no reading, else each value as the
    scenario path reads it (`_NORMALISE`)."""
    if name not in batch.column_names:
        return [_DEFAULTS.get(name)] * len(batch)
    column = batch.column(name)
    kind = column.type
    if column.null_count == 0:
        if pa.types.is_date32(kind) or pa.types.is_boolean(kind) or pa.types.is_integer(kind):
            return column.to_numpy()
        if pa.types.is_floating(kind) and name.startswith("income"):
            return column.to_numpy()
        if _is_text(column) and name in _FAST_TEXT:
            return pc.utf8_trim_whitespace(column).to_numpy(zero_copy_only=False)
    return [_NORMALISE[name](value) for value in column.to_pylist()]


def _array_path(
    batch: pa.Table, index: npt.NDArray[np.intp], first_row: int, year: int, law: Law | None, out: _Out
) -> list[int]:
    """The steady-state rows `index` of `batch` through `campaign_many`; returns the rows it refused (for the
    replay, which names their error)."""
    refused: list[int] = []
    while len(index):
        rows = batch.take(pa.array(index))
        columns = {name: _campaign_column(rows, name) for name in _NORMALISE}
        if "events" in rows.column_names:
            ceased = [lone_cessation(events, year) for events in rows.column("events").to_pylist()]
            if any(day is not None for day in ceased):
                columns["cessation"] = ceased
        try:
            campaign = campaign_many(columns, year, law)
        except RowInputError as error:
            refused.append(int(index[error.row]))
            index = np.delete(index, error.row)
            continue
        ids = [_text(value) for value in rows.column("id").to_pylist()]
        _array_rows(campaign, (first_row + index).tolist(), ids, columns["department"], year, out)
        break
    return refused


def _array_rows(
    campaign: Campaign, numbers: list[int], ids: list[str | None], departments: Any, year: int, out: _Out
) -> None:
    accounts = np.array(ids, dtype=object)
    calendar = campaign.calendar.astype(np.intp)
    zone = campaign.zone.astype(np.intp)
    pieces = []
    for kind, array in zip(
        PARTS, (campaign.provisional, campaign.ajustement, campaign.regularisation, campaign.cfp), strict=True
    ):
        index, slot = np.nonzero(array)
        if kind == "ajustement":
            years = np.full(len(index), year, dtype=np.int16)
        elif kind == "regularisation":
            years = np.full(len(index), year - 1, dtype=np.int16)
        else:
            years = (year + slot // 12).astype(np.int16)
        due, debit = campaign.due_dates[calendar[index], slot], campaign.debit_dates[zone[index], calendar[index], slot]
        pieces.append((index, due, debit, np.int8(KINDS.index(kind)), years, array[index, slot]))
    if campaign.penalty is not None:
        # R613-1-1 III: the late declaration's penalty, in the instalment of the effect date (`Campaign.instalments`)
        index = np.flatnonzero(campaign.penalty)
        slot = campaign.effect[index].astype(np.intp)
        due, debit = campaign.due_dates[calendar[index], slot], campaign.debit_dates[zone[index], calendar[index], slot]
        rank = np.int8(KINDS.index(declarations.PENALTY_KIND))
        pieces.append((index, due, debit, rank, np.full(len(index), year - 1, dtype=np.int16), campaign.penalty[index]))
    if campaign.off_parts is not None and campaign.off_dates is not None and campaign.off_debit_dates is not None:
        # A cessation's parts off the calendar (the settlement date, a declaration's after the cessation).
        for code, kind in enumerate(OFF_KINDS):
            index, i = np.nonzero(campaign.off_parts[:, :, code])
            due, debit = campaign.off_dates[index, i], campaign.off_debit_dates[index, i]
            part_year = year - 1 if kind in ("regularisation", declarations.PENALTY_KIND) else year
            years = np.full(len(index), part_year, dtype=np.int16)
            pieces.append((index, due, debit, np.int8(KINDS.index(kind)), years, campaign.off_parts[index, i, code]))
    columns: list[Any] = [
        np.concatenate([np.broadcast_to(value, len(piece[0])) for piece in pieces for value in (piece[n],)])
        for n in range(6)
    ]
    # By account, due date, then the order of KINDS (an instalment is the parts of one account and due date).
    order = np.lexsort((columns[3], columns[1].view(np.int64), columns[0]))
    index, due, debit, rank, years, amount = (values[order] for values in columns)
    out.parts_arrays.append(
        {
            "account": pa.array(accounts[index], pa.string()),
            "due_date": pa.array(due, pa.date32()),
            "debit_date": pa.array(debit, pa.date32()),
            "kind": pa.array(np.array(KINDS, dtype=object)[rank], pa.string()),
            "year": pa.array(years, pa.int16()),
            "amount_cents": pa.array(amount, pa.int64()),
            "missed": pa.array(np.zeros(len(index), dtype=np.bool_)),
        }
    )
    _array_refunds(campaign, accounts, year, out)
    # Notes and organisms depend on a few values (zone, quarterly fallback; département): asked once each.
    # A ceased row's notes name its date: made row by row below, never a group's example.
    ceased = np.zeros(len(zone), dtype=np.bool_) if campaign.cessation is None else ~np.isnat(campaign.cessation)
    pairs = np.where(ceased, -1, 2 * zone + campaign.quarterly_fallback.astype(np.intp))
    kinds, inverse = np.unique(pairs, return_inverse=True)
    texts = [";".join(campaign.notes(int(np.argmax(pairs == kind)))) for kind in kinds.tolist()]
    note_of = np.array(texts, dtype=object)[inverse.reshape(-1)]
    # At Mayotte the note depends on the income years each row's documents show (`Campaign.notes`): row by row.
    mayotte = [z for z, code in enumerate(campaign.zone_overseas) if code and territory(code) == MAYOTTE]
    for row in np.flatnonzero(np.isin(zone, mayotte) | ceased).tolist():  # a cessation's note names its date
        note_of[row] = ";".join(campaign.notes(row))
    end = date(year + 1, 12, 31)
    names, inverse = np.unique(np.asarray(departments, dtype=object), return_inverse=True)
    keys = np.array([organism_for(str(name).strip() or "75", end).key for name in names.tolist()], dtype=object)
    organism_of = keys[inverse.reshape(-1)]
    out.accounts_arrays.append(
        {
            "account": pa.array(accounts, pa.string()),
            "row": pa.array(numbers, pa.int64()),
            "path": pa.array(["array"] * len(numbers), pa.string()),
            "organism": pa.array(organism_of, pa.string()),
            "notes": pa.array(note_of, pa.string()),
            "called_cents": pa.array(campaign.called(), pa.int64()),
            "error": pa.nulls(len(numbers), pa.string()),
        }
    )


def _array_refunds(campaign: Campaign, accounts: npt.NDArray[Any], year: int, out: _Out) -> None:
    """The refunds of `Campaign.refunds`, as columns: the ajustement's and the régularisation's refunded on the
    refund date, the régularisation credit set against the instalments on the effect date; by date, then in that
    order (the order they arise in the replay)."""
    rows = np.arange(len(accounts))
    effect = campaign.due_dates[campaign.calendar.astype(np.intp), campaign.effect.astype(np.intp)]
    zero = np.zeros(len(accounts), dtype=np.int64)
    pieces = [
        # (amount, imputed on instalments, date, kind, year, rank)
        (campaign.ajustement_refund, zero, campaign.refund_date, "ajustement", year, 0),
        (zero, campaign.regularisation_on_instalments, effect, "regularisation", year - 1, 1),
        (campaign.regularisation_refund, zero, campaign.refund_date, "regularisation", year - 1, 2),
    ]
    columns: dict[str, list[Any]] = {name: [] for name in ("row", "date", "kind", "year", "amount", "on", "rank")}
    for amount, on_instalments, when, kind, refund_year, rank in pieces:
        found = (amount != 0) | (on_instalments != 0)
        count = int(found.sum())
        columns["row"].append(rows[found])
        columns["date"].append(when[found])
        columns["kind"].append(np.full(count, kind, dtype=object))
        columns["year"].append(np.full(count, refund_year, dtype=np.int16))
        columns["amount"].append(amount[found])
        columns["on"].append(on_instalments[found])
        columns["rank"].append(np.full(count, rank, dtype=np.int8))
    joined = {name: np.concatenate(values) for name, values in columns.items()}
    order = np.lexsort((joined["rank"], joined["date"].astype(np.int64), joined["row"]))
    out.refunds_arrays.append(
        {
            "account": pa.array(accounts[joined["row"][order]], pa.string()),
            "date": pa.array(joined["date"][order], pa.date32()),
            "kind": pa.array(joined["kind"][order], pa.string()),
            "year": pa.array(joined["year"][order], pa.int16()),
            "amount_cents": pa.array(joined["amount"][order], pa.int64()),
            "imputed_cents": pa.array(np.zeros(len(order), dtype=np.int64), pa.int64()),
            "on_instalments_cents": pa.array(joined["on"][order], pa.int64()),
        }
    )


def compute_partition(batch: pa.Table, year: int, first_row: int = 1, law: Law | None = None) -> Partition:
    """The campaign of `year` for the accounts of `batch` (its rows numbered from `first_row`)."""
    missing = [name for name in ("id",) if name not in batch.column_names]
    if missing:
        raise CampaignError(f"{missing[0]} : colonne obligatoire absente")
    unknown = [name for name in batch.column_names if name not in COLUMNS]
    if unknown:
        raise CampaignError(f"{unknown[0]} : colonne inconnue (colonnes : {', '.join(COLUMNS)})")
    out = _Out()
    steady = _steady_rows(batch, year)
    refused = _array_path(batch, np.flatnonzero(steady), first_row, year, law, out)
    replayed = np.union1d(np.flatnonzero(~steady), np.array(refused, dtype=np.intp)).astype(np.intp)
    errors = []
    rows = batch.take(pa.array(replayed)).to_pylist() if len(replayed) else []
    for index, row in zip(replayed.tolist(), rows, strict=True):
        message = _planner(row, first_row + index, year, out)
        if message is not None:
            errors.append(message)
    tables = [pa.table(out.parts, schema=PARTS_SCHEMA)] + [
        pa.table(columns, schema=PARTS_SCHEMA) for columns in out.parts_arrays
    ]
    parts = pa.concat_tables(tables)
    refunds = pa.concat_tables(
        [pa.table(out.refunds, schema=REFUNDS_SCHEMA)]
        + [pa.table(columns, schema=REFUNDS_SCHEMA) for columns in out.refunds_arrays]
    )
    accounts = pa.concat_tables(
        [pa.table(columns, schema=ACCOUNTS_SCHEMA) for columns in out.accounts_arrays]
        + [pa.table(out.accounts, schema=ACCOUNTS_SCHEMA)]
    ).sort_by("row")
    return Partition(parts, refunds, accounts, summarise(parts, refunds, accounts), errors)


# --------------------------------------------------------------------------------------------------------------
# The summary


def summarise(parts: pa.Table, refunds: pa.Table, accounts: pa.Table) -> dict[str, Any]:
    """Counts and totals (cents) of a partition: accounts by path, instalments, parts and refunds by kind, and by
    organism the accounts and what is called."""
    encoded = pc.dictionary_encode(parts.column("kind")).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    amounts = parts.column("amount_cents").to_numpy()
    totals = {name: int(amounts[codes == code].sum()) for code, name in enumerate(encoded.dictionary.to_pylist())}
    by_kind = {kind: totals[kind] for kind in KINDS if kind in totals}
    refunded: Counter[str] = Counter()
    for kind, amount in zip(
        refunds.column("kind").to_pylist(), refunds.column("amount_cents").to_pylist(), strict=True
    ):
        refunded[kind] += amount
    grouped = accounts.group_by("organism").aggregate([("called_cents", "sum"), ("called_cents", "count")])
    organisms = {
        organism: {"accounts": int(number), "called_cents": int(called)}
        for organism, called, number in zip(
            grouped.column("organism").to_pylist(),
            grouped.column("called_cents_sum").to_pylist(),
            grouped.column("called_cents_count").to_pylist(),
            strict=True,
        )
        if organism is not None
    }
    # An instalment is the parts of one account and due date, which follow each other.
    count = len(parts)
    instalments = 0
    if count:
        account, due = parts.column("account"), parts.column("due_date")
        changes = pc.or_(
            pc.not_equal(account.slice(1), account.slice(0, count - 1)),
            pc.not_equal(due.slice(1), due.slice(0, count - 1)),
        )
        instalments = 1 + int(pc.sum(changes).as_py() or 0)
    return {
        "accounts": len(accounts),
        "paths": dict(Counter(accounts.column("path").to_pylist())),
        "instalments": instalments,
        "called_cents": by_kind,
        "refunded_cents": dict(refunded),
        "organisms": dict(organisms),
    }


def merge_summaries(summaries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The campaign's summary: the partitions' added up."""
    total: dict[str, Any] = {
        "accounts": 0,
        "paths": Counter(),
        "instalments": 0,
        "called_cents": Counter(),
        "refunded_cents": Counter(),
        "organisms": {},
    }
    for summary in summaries:
        total["accounts"] += summary["accounts"]
        total["instalments"] += summary["instalments"]
        for key in ("paths", "called_cents", "refunded_cents"):
            total[key].update(summary[key])
        for organism, figures in summary["organisms"].items():
            mine = total["organisms"].setdefault(organism, {"accounts": 0, "called_cents": 0})
            mine["accounts"] += figures["accounts"]
            mine["called_cents"] += figures["called_cents"]
    for key in ("paths", "called_cents", "refunded_cents"):
        total[key] = dict(sorted(total[key].items()))
    total["organisms"] = dict(sorted(total["organisms"].items()))
    return total


__all__ = [
    "ACCOUNTS_SCHEMA",
    "COLUMNS",
    "PARTS_SCHEMA",
    "REFUNDS_SCHEMA",
    "SLOTS",
    "CampaignError",
    "Partition",
    "check_year",
    "compute_partition",
    "echeancier_of_row",
    "merge_summaries",
    "scenario_document",
    "summarise",
]
