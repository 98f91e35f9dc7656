"""The yearly campaign of one partition of accounts: every instalment of N and N+1, whatever the account's situation.

For income year N-1 declared in N, each account's échéancier of the years N and N+1 (the régularisation of N-1,
the ajustement of N, the provisional contributions of N+1, every instalment, refund and note) is the one the
replay `build_echeancier` gives for the scenario the account's row makes (`scenario_document`). Two evaluations of
the same texts, chosen by row (docs/campaign.md):

- an account whose only event of the campaign is its declaration, with an activity started in N-1 or earlier
  (the steady state, and the first and second years: flat-rate base, R613-4's 90 days, annualised income), with
  or without ACRE or RSA, and at most one cessation, modulation, payment-day change or quarterly option in N
  (`lone_cessation`, `lone_change`), or payment incidents of N each of its own (`payment_incidents`, `_carried`:
  the instalment missed, its sum carried to the next due date, R613-2 III al. 1, a quarterly payer's
  majorations, a monthly payer's credit of the declaration set against it first; an incident where nothing is
  due is the replay's error, named by its rule `echeancier.nothing_due` without replaying the row), goes
  through `schedule.vectorized.campaign_many`: the replay's own rules over integer cents
  (`spread.equal_instalments`, `rules.ajustement_split`, `rules.imputation`, `rules.annualised`,
  `rules.modulation`) on arrays of accounts, the amounts of `simulate_many` (its `forfait` for the flat-rate
  base), the due dates of `calendar`;
- every other account (an activity started in N, report and étalement, consecutive payment incidents, more than
  one event of different kinds, an account of the store…) goes through `build_echeancier` itself.

Input rows (a PyArrow table; see docs/campaign.md for the schema): `id`, `profession`, `activity_start`,
`frequency`, `day`, `direct_debit`, `department`, `acre`, `rsa`, `income_n2`, `income_n1`, `declaration_date`,
`events` (a JSON list of scenario events), `scenario` (a JSON object: the account's stored document —
`contributor`, `incomes`, `amounts`, `options` — which then replaces the contributor columns).

Output (`Partition`), amounts in integer cents: `instalments`, one row per instalment (account, due date, debit
date, missed) with its parts nested (kind, year, amount); `refunds`; `accounts`, one row per input row
(its path, organism, notes, total called, or its error); `summary`, counts and totals. A bad row is reported
with its row number and the rest is computed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from pydantic import ValidationError

from echeancier.account.ledger import initial_majoration, majoration_rates, portion
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.situation import MAX_INCOME, InputError
from echeancier.contributions.territory import MAYOTTE, mayotte_rules_for, territory
from echeancier.contributions.vectorized import RowInputError
from echeancier.kernel.inputs import json_problem
from echeancier.law import Law, LawError, load_law, supported_years
from echeancier.organisms import UnknownTerritory, organism_for
from echeancier.schedule import declarations
from echeancier.schedule.calendar import payment_days
from echeancier.schedule.echeancier import (
    EVENT_ORDER,
    KINDS,
    Echeancier,
    build_echeancier,
    nothing_due,
    recovered_on,
)
from echeancier.schedule.rules import imputation
from echeancier.schedule.scenario import MissedPayment, RejectedDebit, ScenarioError, parse_scenario
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
    *("conjoint_collaborateur", "section", "pension_invalidite_mois", "exoneration_age", "secteur", "metier"),
    "classe_cnbf",
    "remplacant",
    "exoneration_debut_outre_mer",
    "abattement_outre_mer",
)
# The populations of issue 10 the arrays do not compute: a row giving one of these is replayed (the contributor's
# fields of the same names, `schedule.scenario.Contributor`).
POPULATIONS = (
    *("conjoint_collaborateur", "section", "pension_invalidite_mois", "exoneration_age"),
    "exoneration_debut_outre_mer",
    *("secteur", "metier", "classe_cnbf", "remplacant"),
)
_NOT_GIVEN = ("", "0", "false", "non")
FIRST_YEAR = 1  # the array path takes an activity started in N-1 or earlier (an N-1 start without income of N-2)

# The kinds of a part, as a dictionary column: its codes are the ranks in `KINDS` (the order parts take in an
# instalment), the same dictionary for every partition and both paths.
KIND_TYPE = pa.dictionary(pa.int8(), pa.string())
_KIND_DICTIONARY = pa.array(KINDS, pa.string())
_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
# The order of an instalment's parts: that of KINDS, but the carried sum before the majorations (as
# `build_echeancier` gives them: the calls, then what the ledger carried and surcharged).
_PART_ORDER = np.array(
    [KINDS.index("carried_over") + 0.5 if kind == "majoration" else code for code, kind in enumerate(KINDS)]
)
_PART_RANK = np.argsort(np.argsort(_PART_ORDER, kind="stable"), kind="stable").astype(np.int64)  # 0, 1, … in that order
PART_TYPE = pa.struct([("kind", KIND_TYPE), ("year", pa.int16()), ("amount_cents", pa.int64())])
INSTALMENTS_SCHEMA = pa.schema(
    [
        ("account", pa.string()),
        ("due_date", pa.date32()),
        ("debit_date", pa.date32()),
        ("missed", pa.bool_()),
        ("parts", pa.list_(PART_TYPE)),  # in the order of the échéancier (that of `KINDS`)
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
            raise InputError(what, json_problem(error)) from None
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
                "direct_debit": _flag(row.get("direct_debit"), True),
            },
            "department": _text(row.get("department")) or "75",
            "acre": _flag(row.get("acre"), False),
            "rsa": _flag(row.get("rsa"), False),
        }
        if row.get("day") is not None and row.get("day") != "":
            # A day not given is the law's "à défaut de choix" (R613-2 I, law-choices 431), which `parse_scenario`
            # takes from the campaign's law.
            contributor["payment"]["day"] = _int(row.get("day"), 0)
        for name in POPULATIONS:
            if _population(row.get(name)):
                contributor[name] = _POPULATION_READERS[name](row.get(name))
        if row.get("abattement_outre_mer") not in (None, ""):
            contributor["abattement_outre_mer"] = _flag(row.get("abattement_outre_mer"), True)
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


def echeancier_of_row(row: Mapping[str, Any], year: int, law: Law | None = None) -> Echeancier:
    """The scalar replay of a row: `build_echeancier` of its scenario with `law` (the campaign's reference)."""
    return build_echeancier(parse_scenario(scenario_document(row, year), law=law), law=law)


def _events_named(events: Any, names: Sequence[str]) -> list[dict[str, Any]] | None:
    """The events of a row's JSON text as a non-empty list of objects, read only where the text names one of
    `names` (a cheap test before parsing); None when it names none or is not such a list (the replay's to read)."""
    text = _text(events)
    if text is None or not any(name in text for name in names):
        return None
    try:
        found = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(found, list) or not found or not all(isinstance(event, dict) for event in found):
        return None
    return found


def lone_cessation(events: Any, year: int) -> date | None:
    """The date of `events` (a row's JSON text) when they are exactly one cessation in N, `{"date", "type":
    "cessation"}`: the one event besides the declaration the array evaluation takes (`campaign_many`'s
    `cessation`). None otherwise."""
    found = _events_named(events, ("cessation",))
    if found is None or len(found) != 1:
        return None
    event = found[0]
    if set(event) != {"date", "type"} or event["type"] != "cessation" or not isinstance(event["date"], str):
        return None
    try:
        day = date.fromisoformat(event["date"])
    except ValueError:
        return None
    return day if day.year == year and event["date"] == day.isoformat() else None


CHANGES = ("modulation", "payment_day_change", "quarterly_option", "quarterly_renounced")
_CHANGE_KEYS = {
    "modulation": ({"date", "type", "estimated_income"},),
    "payment_day_change": ({"date", "type", "day"},),
    "quarterly_option": ({"date", "type"}, {"date", "type", "start"}),
    "quarterly_renounced": ({"date", "type"},),
}


def lone_change(events: Any, year: int) -> tuple[str, date, Any] | None:
    """(type, date, value) when `events` (a row's JSON text) are exactly one modulation (value: its estimated
    income, whole euros), payment-day change (the day, 5 or 20), quarterly option (its start) or renunciation of
    it (None) on a day of N, as the replay reads them: the one event besides the declaration `campaign_many`'s
    `event` columns take. None otherwise (the replay then computes the row, or names its error)."""
    found = _events_named(events, CHANGES)
    if found is None or len(found) != 1:
        return None
    event = found[0]
    kind = event.get("type")
    if kind not in CHANGES or set(event) not in _CHANGE_KEYS[kind] or not isinstance(event["date"], str):
        return None
    try:
        day = date.fromisoformat(event["date"])
    except ValueError:
        return None
    if day.year != year or event["date"] != day.isoformat():
        return None
    if kind == "modulation":
        value = event["estimated_income"]
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > int(MAX_INCOME):
            return None
    elif kind == "payment_day_change":
        value = event["day"]
        if isinstance(value, bool) or value not in (5, 20):
            return None
    elif kind == "quarterly_option":
        value = event.get("start", "in_year")
        if value not in ("in_year", "next_year") or (value == "next_year" and day >= date(year, 12, 1)):
            return None
    else:
        value = None
    return kind, day, value


_INCIDENTS: dict[str, type[MissedPayment] | type[RejectedDebit]] = {
    "missed_payment": MissedPayment,
    "rejected_debit": RejectedDebit,
}


PaymentIncident = tuple[date, date, str]  # the due date of the instalment missed, the day it is known unpaid, the type


def payment_incidents(events: Any, year: int) -> tuple[PaymentIncident, ...] | None:
    """The (due date, day it is known unpaid, type) of each event, in due date order, when `events` (a row's JSON text)
    are only payment incidents of instalments of N, each of its own instalment, read by the scenario's own models:
    a missed payment `{"date", "type": "missed_payment"}`, or a rejected direct debit with its collection date
    `{"date", "type": "rejected_debit", "due_date"[, "reason"]}` known on or after it, in N. None otherwise (the
    replay's: another event, a rejection without its date…)."""
    found = _events_named(events, tuple(_INCIDENTS))
    if found is None:
        return None
    incidents = []
    for given in found:
        kind = given.get("type")
        model = _INCIDENTS.get(kind) if isinstance(kind, str) else None
        if model is None:
            return None
        try:
            event = model.model_validate(given)
        except ValidationError:
            return None
        due = event.due_date if isinstance(event, RejectedDebit) else event.date
        if due is None or due.year != year or event.date.year != year or event.date < due:
            return None
        incidents.append((due, event.date, event.type))
    if len({due for due, _, _ in incidents}) != len(incidents) or len({(e["type"], e["date"]) for e in found}) != len(
        found
    ):
        return None  # the same instalment twice, or two events of a type on one day: the replay names it
    return tuple(sorted(incidents))


# As `Contributor` reads them, from a CSV's text or a Parquet's typed column.
_POPULATION_READERS: dict[str, Callable[[Any], Any]] = {
    "conjoint_collaborateur": _text,
    "section": _text,
    "pension_invalidite_mois": lambda value: _int(value, 0),
    "exoneration_age": lambda value: _flag(value, False),
    "exoneration_debut_outre_mer": lambda value: _flag(value, False),
    "secteur": _text,
    "metier": _text,
    "classe_cnbf": _text,
    "remplacant": lambda value: _flag(value, False),
}


def _population(value: Any) -> bool:
    """A value of a population column that the contributor takes (text "0", "false" or "non", 0, false: none)."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value.strip().lower() not in _NOT_GIVEN
    return not (isinstance(value, int | float) and value == 0)


def _unread(abattement: Any) -> bool:
    """Whether a row's `abattement_outre_mer` (CSS L756-4, computed on the arrays as by the replay) is something
    else than a flag or empty: the replay names it."""
    return not isinstance(_flag(abattement, True), bool)


def _steady(row: Mapping[str, Any], year: int) -> bool:
    """An account the array evaluation computes: its declaration its only event (or with one cessation in N, or
    one modulation, payment-day change, quarterly option or renunciation of it: `lone_change`), an
    activity started in N-1 or earlier (without the income of N-2 only when started in N-1: not read), ACRE and
    RSA readable flags, none of the populations the arrays do not compute (`POPULATIONS`)."""
    if _text(row.get("scenario")) or any(_population(row.get(name)) for name in POPULATIONS):
        return False
    if _unread(row.get("abattement_outre_mer")):
        return False
    events = row.get("events")
    change = lone_change(events, year)
    if change is not None and change[0] == "quarterly_renounced" and _flag(row.get("direct_debit"), True) is not True:
        change = None
    if _text(events) not in (None, "[]") and lone_cessation(events, year) is None and change is None:
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
    instalments: pa.Table
    refunds: pa.Table
    accounts: pa.Table
    summary: dict[str, Any]
    errors: list[str] = field(default_factory=list)


@dataclass
class _Out:
    """The rows of a partition: the replayed accounts' as Python lists (a few per account), the array path's
    already as Arrow tables."""

    instalments: dict[str, list[Any]] = field(
        default_factory=lambda: {name: [] for name in ("account", "due_date", "debit_date", "missed")}
    )
    part_counts: list[int] = field(default_factory=list)  # the number of parts of each instalment
    parts: dict[str, list[int]] = field(default_factory=lambda: {"kind": [], "year": [], "amount_cents": []})
    refunds: dict[str, list[Any]] = field(default_factory=lambda: {name: [] for name in REFUNDS_SCHEMA.names})
    accounts: dict[str, list[Any]] = field(default_factory=lambda: {name: [] for name in ACCOUNTS_SCHEMA.names})
    tables: dict[str, list[pa.Table]] = field(
        default_factory=lambda: {"instalments": [], "refunds": [], "accounts": []}
    )
    # Rows of the batch (by index) whose replay's error is known without replaying them (`_refusal`).
    refusals: dict[int, str] = field(default_factory=dict)

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

    def replayed_instalments(self) -> pa.Table:
        columns = self.instalments
        offsets = np.zeros(len(self.part_counts) + 1, dtype=np.int32)
        np.cumsum(self.part_counts, out=offsets[1:])
        return _instalments_table(
            pa.array(columns["account"], pa.string()),
            pa.array(columns["due_date"], pa.date32()),
            pa.array(columns["debit_date"], pa.date32()),
            np.array(columns["missed"], dtype=np.bool_),
            offsets,
            np.array(self.parts["kind"], dtype=np.int8),
            np.array(self.parts["year"], dtype=np.int16),
            np.array(self.parts["amount_cents"], dtype=np.int64),
        )


def _instalments_table(
    account: pa.Array,
    due: Any,
    debit: Any,
    missed: npt.NDArray[np.bool_],
    offsets: npt.NDArray[np.int32],
    kind: npt.NDArray[np.int8],
    year: npt.NDArray[np.int16],
    part_amount: npt.NDArray[np.int64],
) -> pa.Table:
    """The instalments' table from columns: one row per instalment, its parts `offsets[i]:offsets[i + 1]` of the
    part columns (`kind` a rank in `KINDS`)."""
    parts = pa.StructArray.from_arrays(
        [
            pa.DictionaryArray.from_arrays(pa.array(kind, pa.int8()), _KIND_DICTIONARY),
            pa.array(year),
            pa.array(part_amount),
        ],
        fields=list(PART_TYPE),
    )
    return pa.table(
        [
            account,
            pa.array(due, pa.date32()),
            pa.array(debit, pa.date32()),
            pa.array(missed, pa.bool_()),
            pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), parts),
        ],
        schema=INSTALMENTS_SCHEMA,
    )


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def _account_id(row: Mapping[str, Any], number: int) -> str:
    return _text(row.get("id")) or f"#{number}"


def _planner(
    row: Mapping[str, Any], number: int, year: int, law: Law | None, out: _Out, *, refused: str | None = None
) -> str | None:
    """One account through the replay; returns the error message of a bad row. `refused`: the replay's error,
    already named on the arrays by the replay's own rule (`_refusal`): the row is not replayed."""
    account = _account_id(row, number)
    try:
        if _text(row.get("id")) is None:
            raise InputError("id", "est obligatoire")
        if refused is not None:
            raise ScenarioError(0, refused)  # as the replay raises it: a campaign's events have no line
        result = echeancier_of_row(row, year, law)
    except (ScenarioError, InputError, UnknownTerritory, LawError, ValueError) as error:
        message = f"ligne {number} : {error}"
        out.account(account, number, "error", None, (), 0, message)
        return message
    called = 0
    instalments, parts = out.instalments, out.parts
    for instalment in result.instalments:
        for part in instalment.parts:
            amount = _cents(part.amount)
            called += amount
            parts["kind"].append(_KIND_CODE[part.kind])
            parts["year"].append(part.year)
            parts["amount_cents"].append(amount)
        out.part_counts.append(len(instalment.parts))
        for key, value in zip(
            instalments, (account, instalment.due_date, instalment.debit_date, instalment.missed), strict=True
        ):
            instalments[key].append(value)
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
    for name in POPULATIONS:
        if name in names and not pa.types.is_null(batch.column(name).type):
            given = [_population(value) for value in batch.column(name).to_pylist()]
            mask &= ~np.array(given, dtype=np.bool_)
    if "abattement_outre_mer" in names and not pa.types.is_boolean(batch.column("abattement_outre_mer").type):
        # CSS L756-4: a flag either way (the arrays compute it); anything else is the replay's to name.
        unread = [_unread(value) for value in batch.column("abattement_outre_mer").to_pylist()]
        mask &= ~np.array(unread, dtype=np.bool_)
    if "events" in names and not pa.types.is_null(batch.column("events").type):  # a column of nulls: none
        events = batch.column("events")
        if not _is_text(events):
            return np.zeros(len(batch), dtype=np.bool_)
        trimmed = pc.utf8_trim_whitespace(events)
        none = pc.fill_null(pc.or_(pc.equal(trimmed, ""), pc.equal(trimmed, "[]")), True)
        alone = np.asarray(none.to_numpy(zero_copy_only=False), dtype=np.bool_)
        # Or one cessation, modulation, payment-day change or quarterly option in N, or payment incidents in N each
        # of its own (read row by row, only where the text names one).
        named = np.zeros(len(batch), dtype=np.bool_)
        for name in ("cessation", *CHANGES):
            named |= np.asarray(pc.fill_null(pc.match_substring(events, name), False).to_numpy(zero_copy_only=False))
        debit = batch.column("direct_debit") if "direct_debit" in names else None
        for i in np.flatnonzero(mask & ~alone & named).tolist():
            text = events[i].as_py()
            change = lone_change(text, year)
            if change is not None and change[0] == "quarterly_renounced":
                # R613-3 II: monthly payment needs a direct-debit authorisation; without one, the replay's error.
                change = change if debit is None or _flag(debit[i].as_py(), True) is True else None
            alone[i] = lone_cessation(text, year) is not None or change is not None
        incident = pc.or_(pc.match_substring(events, "missed_payment"), pc.match_substring(events, "rejected_debit"))
        incident = np.asarray(pc.fill_null(incident, False).to_numpy(zero_copy_only=False))
        for i in np.flatnonzero(mask & ~alone & incident).tolist():
            alone[i] = payment_incidents(events[i].as_py(), year) is not None
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
    "direct_debit": lambda v: _flag(v, True),
    "department": lambda v: _text(v) or "75",
    "income_n2": _amount,
    "income_n1": _amount,
    "declaration_date": lambda v: v,
    "activity_start": lambda v: v,
    "acre": lambda v: _flag(v, False),
    "rsa": lambda v: _flag(v, False),
    "abattement_outre_mer": lambda v: _flag(v, True),
}
_DEFAULTS: dict[str, Any] = {
    "frequency": "monthly",
    "direct_debit": True,
    "department": "75",
    "acre": False,
    "rsa": False,
    "abattement_outre_mer": True,
}


_COLUMNS = ("day", *_NORMALISE)  # the payment day: its default is the campaign law's (`_campaign_column`)


def _campaign_column(batch: pa.Table, name: str, day: int) -> Any:
    """A column for `campaign_many`: Arrow's own NumPy form when it needs no reading, else each value as the
    scenario path reads it (`_NORMALISE`). `day`: the payment day of a row that gives none, the campaign law's
    day "à défaut de choix" (R613-2 I al. 2, law-choices 431), as the replay's `with_default_day` takes it."""
    if name not in batch.column_names:
        return [day if name == "day" else _DEFAULTS.get(name)] * len(batch)
    column = batch.column(name)
    kind = column.type
    if column.null_count == 0:
        if pa.types.is_date32(kind) or pa.types.is_boolean(kind) or pa.types.is_integer(kind):
            return column.to_numpy()
        if pa.types.is_floating(kind) and name.startswith("income"):
            return column.to_numpy()
        if _is_text(column) and name in _FAST_TEXT:
            return pc.utf8_trim_whitespace(column).to_numpy(zero_copy_only=False)
    elif name.startswith("income") and (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        # An income with empty values (N-2 of a first year): floats, NaN where empty, which `campaign_many` reads as
        # absent; a whole number of euros below its bound is exact in a float, a larger one is refused either way.
        return column.to_numpy(zero_copy_only=False).astype(np.float64)
    if name == "day":
        return [_int(value, day) for value in column.to_pylist()]
    return [_NORMALISE[name](value) for value in column.to_pylist()]


def _array_path(
    batch: pa.Table, index: npt.NDArray[np.intp], first_row: int, year: int, law: Law | None, out: _Out
) -> list[int]:
    """The steady-state rows `index` of `batch` through `campaign_many`; returns the rows it refused (for the
    replay, which names their error)."""
    refused: list[int] = []
    readings: dict[str, tuple[date | None, tuple[str, date, Any] | None, tuple[PaymentIncident, ...] | None]] = {}
    # The replay's scenario shows N and N+1 (`scenario_document`): its default day is the law's of N.
    default_day = payment_days(year, law=law)[0]
    while len(index):
        rows = batch.take(pa.array(index))
        columns = {name: _campaign_column(rows, name, default_day) for name in _COLUMNS}
        incidents: list[tuple[PaymentIncident, ...] | None] = []
        if "events" in rows.column_names:
            texts = rows.column("events").to_pylist()
            ceased = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[D]")
            changes: list[tuple[str, date, Any] | None] = [None] * len(texts)
            incidents = [None] * len(texts)
            for i, events in enumerate(texts):
                if events is not None:  # most rows have no event: no call for them
                    if events not in readings:  # each text read once (the same text, the same reading)
                        readings[events] = (
                            lone_cessation(events, year),
                            lone_change(events, year),
                            payment_incidents(events, year),
                        )
                    cessation, changes[i], incidents[i] = readings[events]
                    if cessation is not None:
                        ceased[i] = cessation
            if not np.isnat(ceased).all():
                # As datetime64 (NaT: none), which `campaign_many` reads without a Python object per row.
                columns["cessation"] = ceased
            if changes.count(None) < len(changes):
                columns.update(_change_columns(changes))
        try:
            campaign = campaign_many(columns, year, law)
        except RowInputError as error:
            refused.append(int(index[error.row]))
            index = np.delete(index, error.row)
            continue
        keep = None
        if campaign.replay is not None:
            # Rows the slots cannot hold (`campaign_changes`): the replay's. Left out of the output by `keep`, not by
            # a copy of every array of the campaign (`Campaign.take`).
            refused.extend(index[campaign.replay].tolist())
            keep = ~campaign.replay
            if not keep.any():
                break
            if incidents:  # (a row with a change has no incident: its events are that change alone)
                incidents = [None if campaign.replay[i] else found for i, found in enumerate(incidents)]
        ids = rows.column("id").combine_chunks()
        ids = pc.utf8_trim_whitespace(ids) if _is_text(ids) else pc.cast(ids, pa.string())
        carried = None
        if incidents.count(None) < len(incidents):
            carried = _carried(campaign, incidents, columns["declaration_date"])
            refused += index[~carried.keep].tolist()  # the replay's: it computes them, or names their error
            # Those whose error is known without replaying them (`nothing_due`): written as the replay's error.
            out.refusals.update({int(index[row]): message for row, message in carried.refused.items()})
            keep = carried.keep if keep is None else keep & carried.keep
        _array_rows(campaign, first_row + index, ids, columns["department"], year, out, carried=carried, keep=keep)
        break
    return refused


def _change_columns(changes: Sequence[tuple[str, date, Any] | None]) -> dict[str, npt.NDArray[Any]]:
    """`campaign_many`'s `event` columns from `lone_change` of each row, typed so that `campaign_many` reads them
    without a Python object per row: the texts as NumPy strings (empty: none), the date as datetime64 (NaT: none),
    the estimated income as floats (NaN: none; a whole number of euros within `MAX_INCOME` is exact in a float),
    the new day as integers (0: none, read only on a payment-day change)."""
    count = len(changes)
    given = [i for i, change in enumerate(changes) if change is not None]
    event = np.full(count, "", dtype="<U19")
    on = np.full(count, np.datetime64("NaT"), dtype="datetime64[D]")
    estimated = np.full(count, np.nan, dtype=np.float64)
    new_day = np.zeros(count, dtype=np.int64)
    start = np.full(count, "", dtype="<U9")
    for i in given:
        kind, day, value = changes[i]  # type: ignore[misc]
        event[i], on[i] = kind, day
        if kind == "modulation":
            estimated[i] = value
        elif kind == "payment_day_change":
            new_day[i] = value
        elif kind == "quarterly_option":
            start[i] = value
    return {
        "event": event,
        "event_date": on,
        "estimated_income": estimated,
        "new_day": new_day,
        "quarterly_start": start,
    }


@dataclass(frozen=True)
class _Carried:
    """The payment incidents the arrays take (`payment_incidents`): per row `keep` (False: left to the replay);
    per incident its `row`, the day its missed instalment is due (`missed`), the unpaid sum carried (`carried`,
    cents) to the slot `to` of the row's calendar, and the majoration taken with it (`majoration`, cents, of N)."""

    keep: npt.NDArray[np.bool_]
    row: npt.NDArray[np.intp]
    missed: npt.NDArray[Any]
    carried: npt.NDArray[np.int64]
    to: npt.NDArray[np.intp]
    majoration: npt.NDArray[np.int64]  # R243-16, of N, taken with the carried sum (a quarterly payer's)
    refused: dict[int, str] = field(default_factory=dict)  # row → the replay's error (`_refusal`), not replayed
    # Per row, the ajustement's and the régularisation's credit set against the unpaid sum (R613-1-3 al. 2), cents
    imputed: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None

    def taken(self) -> npt.NDArray[np.bool_]:
        """Per incident, whether its row is kept on the arrays."""
        taken: npt.NDArray[np.bool_] = self.keep[self.row]
        return taken


def _carried(campaign: Campaign, incidents: Sequence[tuple[PaymentIncident, ...] | None], declared: Any) -> _Carried:
    """R613-2 III al. 1 and R613-3 I on the arrays, for one payment incident: the instalment due on the missed day
    is not paid, its whole amount is presented again with the next due date after the day it is known
    (`recovered_on`, the replay's rule, asked once per calendar and day) — what the ledger does when nothing else
    touches that unpaid sum. A monthly payer's first incident bears no majoration (R613-2 III al. 2: from the
    second consecutive one) and switches nothing; a quarterly payer's bears them from the first (R613-3 I): the
    5 % of R243-16 I on the contributions unpaid (the late declaration's penalty is no base, R613-1-1 III) and
    0.2 % per month or fraction of month to the day they are collected (R243-16 II) — the ledger's own functions
    (`ledger.majoration_rates`, `initial_majoration`, `portion`) — posted and collected with the carried sum;
    the droit à l'erreur of R243-11 cannot waive them, the sum not being paid within its 30 days (a row where it
    would be is the replay's, which weighs the other conditions). A credit note (a refund of the ajustement or the
    régularisation, arising on the declaration day) while a monthly payer's sum is unpaid is set against that debt
    first (R613-1-3 al. 2: `rules.imputation`, as `Ledger.credit_note`), the rest carried (`imputed`). Left to the
    replay (`keep` False) too: a day that is no due date of the row or with nothing due (the replay names the
    error: `refused`, found by `_refusal` without replaying the row), no due date after it in N or N+1, and a
    quarterly payer's credit note while the sum is unpaid. Several incidents are taken
    when each is of its own: an instalment called (not nothing) falls between two of them, and each sum is carried
    before the next incident's due date — a monthly payer's second consecutive incident switches the rest of the
    year to quarterly and bears majorations (R613-2 III), the replay's."""
    count = len(campaign)
    keep = np.ones(count, dtype=np.bool_)
    found_rows: list[int] = []
    missed: list[date] = []
    carried: list[int] = []
    to: list[int] = []
    majoration: list[int] = []
    law = campaign.law or load_law()
    total = campaign.total()
    credit = (campaign.ajustement_refund != 0) | (campaign.regularisation_refund != 0)
    imputed: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
    dates_of = {
        c: [_calendar_day(due) for due in campaign.due_dates[c] if not np.isnat(due)]
        for c in range(len(campaign.calendars))
    }
    recovery: dict[tuple[int, date], date | None] = {}
    for row, row_incidents in enumerate(incidents):
        if row_incidents is None:
            continue
        c = int(campaign.calendar[row])
        previous: tuple[int, int] | None = None  # the slots of the last incident and of the date it carried to
        for due, known, _ in row_incidents:
            slot = 12 * (due.year - campaign.year) + due.month - 1
            if (
                not 0 <= slot < SLOTS
                or np.isnat(campaign.due_dates[c, slot])
                or _calendar_day(campaign.due_dates[c, slot]) != due
                or total[row, slot] <= 0
                or (
                    previous is not None and (previous[1] >= slot or not (total[row, previous[0] + 1 : slot] > 0).any())
                )
            ):
                keep[row] = False
                break
            after = max(due, known)
            if (c, after) not in recovery:
                recovery[c, after] = recovered_on(after, dates_of[c])
            found = recovery[c, after]
            if found is None:
                keep[row] = False
                break
            unpaid = int(total[row, slot])
            quarterly = not campaign.calendars[c].startswith("monthly")
            if credit[row] and due < _declared_on(declared[row]) <= found:
                # The credit notes of the declaration arise while the sum is unpaid: the ledger sets them against
                # it first, the ajustement's then the régularisation's (the order `_Replay.settle` makes them; on
                # the day of the collection, before it), and carries the rest. A quarterly payer's majorations
                # would then run on two portions: the replay's.
                if quarterly:
                    keep[row] = False
                    break
                if imputed is None:
                    imputed = (np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64))
                for credits, given in zip(
                    imputed, (campaign.ajustement_refund, campaign.regularisation_refund), strict=True
                ):
                    (taken,), _ = imputation(SCALAR, int(given[row]), [unpaid])
                    credits[row] += taken
                    unpaid -= taken
            surcharge = 0
            if quarterly:
                delay = law.value_near("majorations.droit_erreur_delai_jours", due)
                assert isinstance(delay, int)
                if found <= due + timedelta(days=delay):
                    keep[row] = False
                    break
                penalty = campaign.penalty is not None and int(campaign.effect[row]) == slot
                base = int(total[row, slot]) - (int(campaign.penalty[row]) if penalty else 0)  # type: ignore[index]
                rate, monthly = majoration_rates(law, due)
                surcharge = initial_majoration(base, rate) + portion(base, due, found, monthly).complementary
            target = 12 * (found.year - campaign.year) + found.month - 1
            found_rows.append(row)
            missed.append(due)
            carried.append(unpaid)
            to.append(target)
            majoration.append(surcharge)
            previous = (slot, target)
    refused = {}
    for row in np.flatnonzero(~keep).tolist():  # only where the checks above failed: the others have their due
        message = _refusal(campaign, row, incidents[row] or ())
        if message is not None:
            refused[row] = message
    return _Carried(
        keep,
        np.array(found_rows, dtype=np.intp),
        np.array(missed, dtype="datetime64[D]"),
        np.array(carried, dtype=np.int64),
        np.array(to, dtype=np.intp),
        np.array(majoration, dtype=np.int64),
        refused,
        imputed,
    )


def _refusal(campaign: Campaign, row: int, incidents: Sequence[PaymentIncident]) -> str | None:
    """The error the replay gives `row` for its payment incidents when one names a day where nothing is due —
    `echeancier.nothing_due`, the replay's rule, asked on the parts of the row's slot on that day — else None.
    The incidents are taken in the replay's order (the day each is known, then `EVENT_ORDER`): the first refused
    is the replay's error. The parts of a slot are those the replay holds when it reaches the incident: a
    declaration reaches only the due dates from its effect date, after it. Undecided (None, the replay's) from an
    incident that would switch a monthly payer to quarterly (R613-2 III: the second consecutive one re-spreads
    the rest of the year, `_Replay.missed_payment`); a quarterly payer's switches nothing."""
    c = int(campaign.calendar[row])
    penalty = campaign.penalty is not None and campaign.penalty[row] != 0
    effect = int(campaign.effect[row]) if penalty else -1
    components = (campaign.provisional, campaign.ajustement, campaign.regularisation, campaign.cfp)

    def parts(slot: int) -> tuple[int, ...]:
        """The amounts called on the row's due date of `slot` (as cents)."""
        found = tuple(int(component[row, slot]) for component in components)
        return (*found, int(campaign.penalty[row])) if slot == effect else found  # type: ignore[index]

    def slot_of(day: date) -> int | None:
        slot = 12 * (day.year - campaign.year) + day.month - 1
        if not 0 <= slot < SLOTS or np.isnat(campaign.due_dates[c, slot]):
            return None
        return slot if _calendar_day(campaign.due_dates[c, slot]) == day else None

    monthly = campaign.calendars[c].startswith("monthly")
    missed: set[int] = set()
    for due, _, label in sorted(incidents, key=lambda incident: (incident[1], EVENT_ORDER.index(incident[2]))):
        slot = slot_of(due)
        message = nothing_due(label, due, () if slot is None else parts(slot))
        if message is not None:
            return message
        assert slot is not None
        called = [s for s in range(12 * (slot // 12), slot) if not np.isnat(campaign.due_dates[c, s]) and any(parts(s))]
        if monthly and called and called[-1] in missed:
            return None  # consecutive: the rest of the year re-spread quarterly, the replay's
        missed.add(slot)
    return None


def _declared_on(value: Any) -> date:
    """A declaration date `campaign_many` accepted, as it was given (a date, a datetime64, an ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    return _calendar_day(value)


def _calendar_day(value: Any) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + int(np.datetime64(value, "D").astype(np.int64)))


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class _Parts:
    """The array path's parts as columns, one entry per part: its row, due and debit dates (datetime64[D]), kind (a
    rank in `KINDS`), year and cents. Parts off the 24 monthly slots (a date of their own) are more entries."""

    row: npt.NDArray[np.intp]
    due: npt.NDArray[Any]
    debit: npt.NDArray[Any]
    kind: npt.NDArray[np.int8]
    year: npt.NDArray[np.int16]
    amount: npt.NDArray[np.int64]

    def _order(self) -> npt.NDArray[np.intp]:
        """The parts by row, due date, then rank in KINDS, each tie in its given order: one stable sort of one
        integer key (a few sorted runs — the slots, then the parts off them — which the stable sort merges), in
        place of a sort on three keys; the three keys where the key could overflow."""
        rank = _PART_RANK[self.kind]
        days = self.due.astype("datetime64[D]").view(np.int64)
        if not len(days):
            return np.zeros(0, dtype=np.intp)
        first, span = int(days.min()), int(days.max()) - int(days.min()) + 1
        ranks = len(_PART_RANK)
        if (int(self.row.max()) + 1) * span * ranks >= 1 << 62:
            order: npt.NDArray[np.intp] = np.lexsort((rank, days, self.row))
            return order
        key = (self.row.astype(np.int64) * span + (days - first)) * ranks + rank
        order = np.argsort(key, kind="stable")
        return order

    def instalments(
        self,
        ids: pa.Array,
        ordered: bool = False,
        missed: tuple[npt.NDArray[np.intp], npt.NDArray[Any]] | None = None,
    ) -> pa.Table:
        """One row per (account, due date), its parts in the order of KINDS; `ordered`: already in that order;
        `missed`: (rows, due dates) of the instalments not paid."""
        columns: tuple[npt.NDArray[Any], ...] = (self.row, self.due, self.debit, self.kind, self.year, self.amount)
        if not ordered:
            order = self._order()
            columns = tuple(column[order] for column in columns)
        row, due, debit, kind, year, amount = columns
        count = len(row)
        first = np.ones(count, dtype=np.bool_)
        first[1:] = (row[1:] != row[:-1]) | (due[1:] != due[:-1])
        starts = np.flatnonzero(first)
        offsets = np.empty(len(starts) + 1, dtype=np.int32)
        offsets[:-1], offsets[-1] = starts, count
        flags = np.zeros(len(starts), dtype=np.bool_)
        if missed is not None:
            days = due[starts].astype("datetime64[D]").view(np.int64)
            keys = row[starts].astype(np.int64) * (1 << 32) + days  # ascending: the parts are in that order
            given = missed[0].astype(np.int64) * (1 << 32) + missed[1].astype("datetime64[D]").view(np.int64)
            # Each missed instalment looked up among the sorted keys (a few per thousand), not every key in them.
            if len(keys) and bool((keys[1:] > keys[:-1]).all()):
                found = np.minimum(np.searchsorted(keys, given), len(keys) - 1)
                flags[found[keys[found] == given]] = True
            else:
                flags = np.isin(keys, given)
        return _instalments_table(
            ids.take(pa.array(row[starts])),
            due[starts],
            debit[starts],
            flags,
            offsets,
            kind,
            year,
            amount,
        )


def _slot_parts(
    amounts: Sequence[npt.NDArray[np.int64]], keep: npt.NDArray[np.bool_] | None
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.int64]]:
    """The non-zero slots of the (rows, SLOTS) `amounts` (of the rows `keep`), as (row, slot, rank in `amounts`,
    cents), in the order of the rows, the slots, then `amounts`, without a sort: each part's non-zero cells come in
    row-major order, and a cell's entries are written after the cell's start (the running count of the non-zero
    entries before it) in the order of the parts. No (rows, 24, 5) stack, no argsort of the parts."""
    present = [part != 0 for part in amounts]
    if keep is not None:
        for mask in present:
            mask &= keep[:, None]
    counts = np.zeros(present[0].shape, dtype=np.int8)
    for mask in present:
        counts += mask
    flat = counts.reshape(-1)
    start = np.cumsum(flat, dtype=np.int64)
    total = int(start[-1]) if len(start) else 0
    start -= flat  # each cell's first entry
    cell = np.empty(total, dtype=np.intp)
    rank = np.empty(total, dtype=np.intp)
    value = np.empty(total, dtype=np.int64)
    for rank_of, (mask, part) in enumerate(zip(present, amounts, strict=True)):
        cells = np.flatnonzero(mask)
        at = start[cells]
        start[cells] = at + 1  # the cell's next entry
        cell[at] = cells
        rank[at] = rank_of
        value[at] = part.reshape(-1)[cells]
    row, slot = np.divmod(cell, SLOTS)
    return row, slot, rank, value


_Piece = tuple[npt.NDArray[Any], ...]  # (row, due, debit, kind, year, cents), as `_Parts`


def _merged(main: _Piece, extras: Sequence[_Piece]) -> _Piece | None:
    """`main` (the slots' parts, already in the order of `_Parts._order`) with the few `extras` (the parts off the
    calendar, the carried sums and their majorations) put in their places: the order a stable sort of the
    concatenated pieces gives (on equal keys, `main` first, then the extras in their order), found by a binary
    search of each extra among the sorted keys instead of a sort of every part. None where the one-integer key
    could overflow or `main` is not in that order (the caller then sorts)."""
    if not extras:
        return main
    extra = tuple(np.concatenate([piece[n] for piece in extras]) for n in range(6))
    if not len(extra[0]):
        return main
    if not len(main[0]):
        return None
    days = main[1].astype("datetime64[D]", copy=False).view(np.int64)
    extra_days = extra[1].astype("datetime64[D]", copy=False).view(np.int64)
    first = min(int(days.min()), int(extra_days.min()))
    span = max(int(days.max()), int(extra_days.max())) - first + 1
    ranks = len(_PART_RANK)
    rows = max(int(main[0].max()), int(extra[0].max())) + 1
    if rows * span * ranks >= 1 << 62:
        return None
    key = (main[0].astype(np.int64) * span + (days - first)) * ranks + _PART_RANK[main[3]]
    if not bool((key[1:] >= key[:-1]).all()):
        return None
    extra_key = (extra[0].astype(np.int64) * span + (extra_days - first)) * ranks + _PART_RANK[extra[3]]
    order = np.argsort(extra_key, kind="stable")
    # Where each extra goes in the merged columns (after the equal keys of `main`), the rest is `main` in its order.
    at = np.searchsorted(key, extra_key[order], side="right") + np.arange(len(order))
    is_main = np.ones(len(key) + len(order), dtype=np.bool_)
    is_main[at] = False
    merged = []
    for column, added in zip(main, extra, strict=True):
        joined = np.empty(len(is_main), dtype=column.dtype)
        joined[is_main] = column
        joined[at] = added[order]
        merged.append(joined)
    return tuple(merged)


def _array_rows(
    campaign: Campaign,
    numbers: npt.NDArray[np.intp],
    ids: pa.Array,
    departments: Any,
    year: int,
    out: _Out,
    *,
    carried: _Carried | None = None,
    keep: npt.NDArray[np.bool_] | None = None,
) -> None:
    """The array path's rows as Arrow columns, without a Python object per row: the instalments (the non-zero
    slots), the refunds, the accounts, of the rows `keep` (all when None; the others are the replay's).
    `carried`: the payment incidents (a missed instalment, its sum carried to the next)."""
    calendar = campaign.calendar.astype(np.intp)
    zone = campaign.zone.astype(np.intp)
    count = len(campaign)
    # The parts of each slot in the order of KINDS: the four of PARTS, then the late declaration's penalty
    # (R613-1-1 III, in the instalment of the effect date, `Campaign.instalments`).
    penalty = np.zeros((count, SLOTS), dtype=np.int64)
    if campaign.penalty is not None:
        penalty[np.arange(count), campaign.effect.astype(np.intp)] = campaign.penalty
    amounts = (campaign.provisional, campaign.ajustement, campaign.regularisation, campaign.cfp, penalty)
    kinds = np.array([_KIND_CODE[kind] for kind in (*PARTS, declarations.PENALTY_KIND)], dtype=np.int8)
    row, slot, rank, value = _slot_parts(amounts, keep)
    # `Campaign.part_year`: the ajustement is of N, the régularisation and its penalty of N-1, the rest of its slot
    years_of = np.array(
        [
            [year + later if rank_of in (0, 3) else year - (rank_of != 1) for later in (0, 1)]
            for rank_of in range(len(amounts))
        ],
        dtype=np.int16,
    )  # (rank, slot of N or N+1): one look-up per part
    part_year = years_of[rank, slot // 12]
    row_calendar = calendar[row] if campaign.switch is None else campaign.slot_calendars()[row, slot]
    pieces = [
        (
            row,
            campaign.due_dates[row_calendar, slot],
            campaign.debit_dates[zone[row], row_calendar, slot],
            kinds[rank],
            part_year,
            value,
        )
    ]
    if campaign.off_parts is not None and campaign.off_dates is not None and campaign.off_debit_dates is not None:
        # A cessation's parts off the calendar (the settlement date, a declaration's after the cessation).
        for code, kind in enumerate(OFF_KINDS):
            index, i = np.nonzero(campaign.off_parts[:, :, code])
            if not len(index):
                continue
            off_year = year - 1 if kind in ("regularisation", declarations.PENALTY_KIND) else year
            pieces.append(
                (
                    index,
                    campaign.off_dates[index, i],
                    campaign.off_debit_dates[index, i],
                    np.full(len(index), _KIND_CODE[kind], dtype=np.int8),
                    np.full(len(index), off_year, dtype=np.int16),
                    campaign.off_parts[index, i, code],
                )
            )
    called = campaign.called()
    if carried is not None:
        # R613-2 III al. 1: the missed instalment's sum, presented again with the next due date (its year's).
        taken = carried.taken()
        chosen = np.flatnonzero(taken & (carried.carried != 0))
        index, to = carried.row[chosen], carried.to[chosen]
        pieces.append(
            (
                index,
                campaign.due_dates[calendar[index], to],
                campaign.debit_dates[zone[index], calendar[index], to],
                np.full(len(index), _KIND_CODE["carried_over"], dtype=np.int8),
                (year + to // 12).astype(np.int16),
                carried.carried[chosen],
            )
        )
        np.add.at(called, carried.row[taken], (carried.carried + carried.majoration)[taken])
        chosen = np.flatnonzero(taken & (carried.majoration != 0))
        index, to = carried.row[chosen], carried.to[chosen]
        pieces.append(
            (
                index,
                campaign.due_dates[calendar[index], to],
                campaign.debit_dates[zone[index], calendar[index], to],
                np.full(len(index), _KIND_CODE["majoration"], dtype=np.int8),
                np.full(len(index), year, dtype=np.int16),
                carried.majoration[chosen],
            )
        )
    merged = _merged(pieces[0], pieces[1:])
    ordered = merged is not None
    if merged is None:
        merged = tuple(np.concatenate([piece[n] for piece in pieces]) for n in range(6))
    missed = None if carried is None else (carried.row, carried.missed)
    out.tables["instalments"].append(_Parts(*merged).instalments(ids, ordered=ordered, missed=missed))
    _array_refunds(campaign, ids, year, out, keep=keep, imputed=None if carried is None else carried.imputed)
    accounts = pa.table(
        [
            ids,
            pa.array(numbers, pa.int64()),
            pa.repeat(pa.scalar("array"), count),
            _organisms(departments, year),
            _array_notes(campaign, amounts, year),
            pa.array(called, pa.int64()),  # `Campaign.total`, summed, with the off-calendar and carried parts
            pa.nulls(count, pa.string()),
        ],
        schema=ACCOUNTS_SCHEMA,
    )
    out.tables["accounts"].append(accounts if keep is None else accounts.filter(pa.array(keep)))


def _organisms(departments: Any, year: int) -> pa.Array:
    """The organism of each row (`organism_for` on 31 December N+1), asked once per département."""
    try:
        names = pa.array(departments, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers (a Parquet column of ints): as text
        names = pa.array([str(name) for name in departments], pa.string())
    encoded = pc.dictionary_encode(names)
    end = date(year + 1, 12, 31)
    keys = pa.array([organism_for((name or "").strip() or "75", end).key for name in encoded.dictionary.to_pylist()])
    return keys.take(encoded.indices)


def _array_notes(campaign: Campaign, amounts: Sequence[npt.NDArray[np.int64]], year: int) -> pa.Array:
    """The notes of each row: `Campaign.notes` of one row of each class that shares them — its holiday zone, its
    abattement of CSS L756-4, its quarterly fallback and, at Mayotte, whether one of the income years its documents
    show is computed with the metropolitan rules (`territory.account_note`), found on the columns; a ceased row's
    notes are those of its class (and whether it ceased before its declaration) with its date added."""
    zone = campaign.zone.astype(np.intp)
    metropolitan = np.zeros(len(campaign), dtype=np.bool_)
    mayotte = [z for z, code in enumerate(campaign.zone_overseas) if code and territory(code) == MAYOTTE]
    rows = np.flatnonzero(np.isin(zone, mayotte)) if mayotte else np.zeros(0, dtype=np.intp)
    if len(rows):
        # The years of a row's parts and refunds (`Campaign.part_year`, `Campaign.refunds`).
        shown = [part[rows] != 0 for part in amounts]
        slots = np.logical_or.reduce(shown)
        years = {
            year - 1: shown[2].any(axis=1)
            | shown[len(PARTS)].any(axis=1)
            | (campaign.regularisation_refund[rows] != 0)
            | (campaign.regularisation_on_instalments[rows] != 0),
            year: slots[:, :12].any(axis=1) | (campaign.ajustement_refund[rows] != 0),
            year + 1: slots[:, 12:].any(axis=1),
        }
        for income_year, found in years.items():
            if not mayotte_rules_for(income_year, law=campaign.law):
                metropolitan[rows] |= found
    # CSS L756-4 overseas: the note of the abattement, or the warning where a row switches it off.
    abated = np.ones(len(campaign), np.intp) if campaign.abattement is None else campaign.abattement.astype(np.intp)
    classes = 8 * zone + 4 * abated + 2 * campaign.quarterly_fallback.astype(np.intp) + metropolitan
    if campaign.overpaid is not None:  # a modulation's note, before or after those of the declaration
        classes = 3 * classes + campaign.overpaid.astype(np.intp)
    grouped = np.zeros(len(campaign), dtype=np.bool_)
    if campaign.cessation is not None:
        ceased = ~np.isnat(campaign.cessation)
        # A ceased row's notes end with its date (`cessation:…`, `Campaign.notes`) and, ceased before its
        # declaration (`closed_before`), leave out N+1's: its class is its own class and that flag, and its date is
        # added to the notes of the class (all but their last). At Mayotte the years its documents show (the parts
        # off the calendar too) decide the note: its own class, never another row's example.
        size = int(classes.max()) + 1 if len(classes) else 1
        closed = np.zeros(len(campaign), np.intp) if campaign.closed_before is None else campaign.closed_before
        grouped = ceased.copy()
        grouped[rows] = False
        classes = np.where(grouped, size + closed.astype(np.intp) * size + classes, classes)
        classes = np.where(ceased & ~grouped, -1 - np.arange(len(campaign)), classes)
    _, first, inverse = np.unique(classes, return_index=True, return_inverse=True)
    written = []
    for row in first.tolist():
        notes = campaign.notes(row)
        if grouped[row]:
            assert notes and notes[-1].startswith("cessation:")
            notes = notes[:-1]
        written.append(";".join(notes))
    texts = pa.array(written, pa.string()).take(pa.array(inverse.reshape(-1).astype(np.int32)))
    if grouped.any():
        where = np.flatnonzero(grouped)
        days = np.datetime_as_string(campaign.cessation[where], unit="D")  # type: ignore[index]
        dated = [
            f"{prefix};cessation:{day}" if prefix else f"cessation:{day}"
            for prefix, day in zip(texts.take(pa.array(where)).to_pylist(), days.tolist(), strict=True)
        ]
        texts = pc.replace_with_mask(texts, pa.array(grouped), pa.array(dated, pa.string()))
    return texts


def _array_refunds(
    campaign: Campaign,
    ids: pa.Array,
    year: int,
    out: _Out,
    *,
    keep: npt.NDArray[np.bool_] | None = None,
    imputed: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
) -> None:
    """The refunds of `Campaign.refunds`, as columns: the ajustement's and the régularisation's refunded on the
    refund date, the régularisation credit set against the instalments on the effect date; by date, then in that
    order (the order they arise in the replay). `imputed`: the ajustement's and the régularisation's credit set
    against an unpaid sum (`_Carried.imputed`), not refunded."""
    rows = np.arange(len(campaign))
    effect = campaign.effect_dates()
    zero = np.zeros(len(campaign), dtype=np.int64)
    on_debts = (zero, zero) if imputed is None else imputed
    pieces = [
        # (credit, imputed on instalments, on older debts, date, year), in the order they arise (their rank)
        (campaign.ajustement_refund, zero, on_debts[0], campaign.refund_date, year),
        (zero, campaign.regularisation_on_instalments, zero, effect, year - 1),
        (campaign.regularisation_refund, zero, on_debts[1], campaign.refund_date, year - 1),
    ]
    kinds = pa.array(["ajustement", "regularisation", "regularisation"])
    columns: dict[str, list[Any]] = {name: [] for name in ("row", "date", "year", "amount", "imputed", "on", "rank")}
    for rank, (amount, on_instalments, on_older, when, refund_year) in enumerate(pieces):
        found = (amount != 0) | (on_instalments != 0)
        if keep is not None:
            found &= keep
        columns["row"].append(rows[found])
        columns["date"].append(when[found])
        columns["year"].append(np.full(int(found.sum()), refund_year, dtype=np.int16))
        columns["amount"].append((amount - on_older)[found])
        columns["imputed"].append(on_older[found])
        columns["on"].append(on_instalments[found])
        columns["rank"].append(np.full(int(found.sum()), rank, dtype=np.int8))
    joined = {name: np.concatenate(values) for name, values in columns.items()}
    order = np.lexsort((joined["rank"], joined["date"].astype(np.int64), joined["row"]))
    out.tables["refunds"].append(
        pa.table(
            [
                ids.take(pa.array(joined["row"][order])),
                pa.array(joined["date"][order], pa.date32()),
                kinds.take(pa.array(joined["rank"][order])),
                pa.array(joined["year"][order], pa.int16()),
                pa.array(joined["amount"][order], pa.int64()),
                pa.array(joined["imputed"][order], pa.int64()),
                pa.array(joined["on"][order], pa.int64()),
            ],
            schema=REFUNDS_SCHEMA,
        )
    )


def compute_partition(batch: pa.Table, year: int, first_row: int = 1, law: Law | None = None) -> Partition:
    """The campaign of `year` for the accounts of `batch` (its rows numbered from `first_row`), with `law` (the
    packaged law when None) on both paths."""
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
        message = _planner(row, first_row + index, year, law, out, refused=out.refusals.get(index))
        if message is not None:
            errors.append(message)
    instalments = pa.concat_tables([out.replayed_instalments(), *out.tables["instalments"]])
    refunds = pa.concat_tables([pa.table(out.refunds, schema=REFUNDS_SCHEMA), *out.tables["refunds"]])
    accounts = pa.concat_tables([*out.tables["accounts"], pa.table(out.accounts, schema=ACCOUNTS_SCHEMA)])
    if len(out.accounts["row"]) and out.tables["accounts"]:
        accounts = accounts.sort_by("row")  # both paths: back in the input's order
    return Partition(instalments, refunds, accounts, summarise(instalments, refunds, accounts), errors)


# --------------------------------------------------------------------------------------------------------------
# The summary


def _sums_by(
    codes: npt.NDArray[np.integer[Any]], amounts: npt.NDArray[np.int64], names: Sequence[str]
) -> dict[str, int]:
    """The exact sum of `amounts` for each code present (`names[code]`), in the order of `names`."""
    found = np.unique(codes)
    return {names[code]: int(amounts[codes == code].sum()) for code in sorted(found.tolist())}


def summarise(instalments: pa.Table, refunds: pa.Table, accounts: pa.Table) -> dict[str, Any]:
    """Counts and totals (cents) of a partition: accounts by path, instalments, parts and refunds by kind, and by
    organism the accounts and what is called."""
    parts = pc.list_flatten(instalments.column("parts").combine_chunks())
    kinds = parts.field("kind")
    by_kind = _sums_by(kinds.indices.to_numpy(zero_copy_only=False), parts.field("amount_cents").to_numpy(), KINDS)
    refund_kinds = pc.dictionary_encode(refunds.column("kind")).combine_chunks()
    refunded = _sums_by(
        refund_kinds.indices.to_numpy(zero_copy_only=False),
        refunds.column("amount_cents").to_numpy(),
        refund_kinds.dictionary.to_pylist(),
    )
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
    paths = accounts.group_by("path").aggregate([("path", "count")])
    return {
        "accounts": len(accounts),
        "paths": dict(zip(paths.column("path").to_pylist(), paths.column("path_count").to_pylist(), strict=True)),
        "instalments": len(instalments),
        "called_cents": by_kind,
        "refunded_cents": dict(sorted(refunded.items())),
        "organisms": dict(sorted(organisms.items())),
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
    "INSTALMENTS_SCHEMA",
    "KIND_TYPE",
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
