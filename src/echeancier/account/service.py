"""The account held in the store: a scenario whose events are stored (DESIGN §3, thin shell over the ledger).

An account is a contributor (the scenario's `contributor`, `incomes`, `amounts`, `options`) and its events in the
scenario's event format, amounts in integer cents (`amount_cents`) as the store keeps them. Its échéancier and its
relevé de compte are `build_echeancier` of the scenario the events make, as known on a date: the store's
projections are caches of that pure function.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from echeancier.kernel.inputs import pydantic_message
from echeancier.law import LawError, load_law
from echeancier.recovery.events import RECOVERY_EVENT_TYPES
from echeancier.schedule.echeancier import Echeancier, build_echeancier
from echeancier.schedule.scenario import Scenario, ScenarioError, parse_scenario

ACCOUNT_KEYS = ("contributor", "incomes", "amounts", "options")


class AccountError(ValueError):
    """An account or event the store must refuse; `field` names what is wrong (exit 2, or a 4xx)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def to_cents_payload(event: Mapping[str, Any]) -> dict[str, Any]:
    """A scenario event (euros) as the store keeps it: every amount in integer cents (`amount` → `amount_cents`),
    dates as ISO strings."""
    payload: dict[str, Any] = {}
    for key, value in event.items():
        if key in ("amount",) and value is not None:
            payload["amount_cents"] = int((Decimal(str(value)) * 100).to_integral_value())
        elif key == "instalments" and isinstance(value, list):
            payload[key] = [to_cents_payload(item) for item in value]
        elif isinstance(value, date):
            payload[key] = value.isoformat()
        elif isinstance(value, Decimal):
            payload[key] = str(value)
        else:
            payload[key] = value
    return payload


def from_cents_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The store's payload back as a scenario event (euros as exact decimal strings)."""
    event: dict[str, Any] = {}
    for key, value in payload.items():
        if key == "amount_cents":
            if value is not None:
                event["amount"] = str(Decimal(value) / 100)
        elif key == "instalments" and isinstance(value, list):
            event[key] = [from_cents_payload(item) for item in value]
        elif key in ("bank_id",):
            event["reference"] = value if value is None else str(value)[:140]
        else:
            event[key] = value
    if event.get("type") == "rejected_debit":
        event.pop("amount", None)  # the ledger knows what the debit presented
        event.pop("reference", None)
        if event.get("due_date") is None:
            event.pop("due_date", None)
    return event


def shown_years(contributor: Mapping[str, Any], events: Sequence[Mapping[str, Any]], as_of: date) -> list[int]:
    """The years an account's documents show: from the first year of its events (or of `as_of`) to `as_of`'s,
    within the law's parameters and not before the activity starts."""
    law = load_law()
    try:
        start = date.fromisoformat(str(contributor.get("contributor", {}).get("activity_start", as_of.isoformat())))
    except ValueError:
        start = as_of  # the scenario's validation names the field
    years = {as_of.year} | {date.fromisoformat(str(e["date"])).year for e in events if "date" in e}
    first = max(min(years), start.year, law.first_date.year)
    last = min(max(years), law.last_date.year + 1)
    return list(range(first, max(first, last) + 1))


def scenario_of(contributor: Mapping[str, Any], events: Sequence[Mapping[str, Any]], as_of: date) -> Scenario:
    """The scenario an account's events make (ScenarioError when the law refuses it)."""
    document = {key: contributor[key] for key in ACCOUNT_KEYS if key in contributor}
    # The recovery steps (recovery/events.py) are not the ledger's: the procedure reads them beside it.
    document["events"] = [from_cents_payload(e) for e in events if e.get("type") not in RECOVERY_EVENT_TYPES]
    document["years"] = shown_years(contributor, document["events"], as_of)
    return parse_scenario(_plain(document))


def echeancier_of(contributor: Mapping[str, Any], events: Sequence[Mapping[str, Any]], as_of: date) -> Echeancier:
    """The account's échéancier and ledger on `as_of`, a date within the law's parameters and the year after them
    (R613-5 I 3°: the échéancier shows the next year), as `statement_date` bounds the projections."""
    law = load_law()
    last = date(law.last_date.year + 1, 12, 31)
    if not law.first_date <= as_of <= last:
        raise LawError(
            f"{as_of:%d/%m/%Y} est hors de la période que couvrent les paramètres de la loi "
            f"(du {law.first_date:%d/%m/%Y} au {last:%d/%m/%Y})"
        )
    return build_echeancier(scenario_of(contributor, events, as_of), as_of)


def idempotency_key(account_id: str, event: Mapping[str, Any]) -> str:
    """The key of an event recorded without one: its account and content, so that re-running a command changes
    nothing (two identical events of one day need keys of their own)."""
    canonical = json.dumps({"account": account_id, "event": event}, sort_keys=True, ensure_ascii=True, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def statement_date(events: Sequence[Mapping[str, Any]], today: date) -> date:
    """The date the store's projection is computed on: today, within the law's parameters and not before the last
    event."""
    law = load_law()
    last = max((date.fromisoformat(str(e["date"])) for e in events if "date" in e), default=today)
    return min(max(today, last), date(law.last_date.year + 1, 12, 31))


def _plain(value: Any) -> Any:
    """JSON-like data as the scenario parser reads YAML (dates stay ISO strings, which it accepts)."""
    if isinstance(value, Mapping):
        return {(int(k) if isinstance(k, str) and k.isdigit() else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def projection_of(contributor: Mapping[str, Any], events: Sequence[Mapping[str, Any]], as_of: date) -> dict[str, Any]:
    """The projection the store caches: balance, next due date, what is late and since when, majorations."""
    result = echeancier_of(contributor, events, as_of)
    statement = result.statement
    assert statement is not None
    late = [p for p in statement.postings if p.kind == "debit" and p.settled_on is None]
    majorations = sum(p.amount for p in statement.postings if p.kind == "debit" and p.origin == "majoration")
    provisional = sum(d.amount for d in statement.majorations if d.status in ("provisional", "suspended"))
    next_due = next((i.due_date for i in result.instalments if i.due_date > as_of), None)
    return {
        "balance_cents": statement.outstanding - statement.credit,
        "outstanding_cents": statement.outstanding,
        "credit_cents": statement.credit,
        "majorations_cents": majorations + provisional,
        "next_due_date": next_due,
        "late_since": min((p.date for p in late), default=None),
        "late_amount_cents": statement.outstanding,
        # The organism's key (`cgss_guadeloupe`): its name does not fit the column's 32 characters.
        "organism": None if result.organism is None else result.organism.key,
        "payload": {"as_of": as_of.isoformat(), "called_cents": statement.called, "paid_cents": statement.paid},
    }


# --- The account as the store keeps it: shared by `echeancier account …` and the HTTP API -------------------------


def stored_payloads(events: Sequence[Any]) -> list[dict[str, Any]]:
    """Stored events as the account's scenario events: the type and effective date the store keeps as columns
    (a bank line's payload has only its amount, method and bank id)."""
    corrected = {e.corrects for e in events if e.corrects is not None}
    # A correction replaces the event it cites (nothing is ever updated in the store, DESIGN §3).
    return [
        {"type": e.type, "date": e.effective_date.isoformat(), **e.payload}
        for e in events
        if getattr(e, "sequence", None) not in corrected
    ]


def project(account: Any, events: list[Any], today: date) -> Any:
    """The store's projection of an account: the ledger on `today` (or the account's last event). An account the
    law cannot compute (its history refused after the fact, e.g. a bank rejection of nothing) keeps its events and
    says why."""
    from echeancier.store import Projection

    payloads = stored_payloads(events)
    as_of = statement_date(payloads, today)
    try:
        values = projection_of(account.contributor, payloads, as_of)
    except ScenarioError as error:
        return Projection(payload={"error": str(error), "as_of": as_of.isoformat()})
    return Projection(**values)


def validate_batch(account: Any, existing: list[Any], new: list[Any], today: date) -> None:
    """A batch of events is refused when the law refuses the account it makes (nothing is written)."""
    payloads = stored_payloads(existing) + stored_payloads(new)
    try:
        echeancier_of(account.contributor, payloads, statement_date(payloads, today))
    except ScenarioError as error:
        raise AccountError("event", error.message if error.line else str(error)) from None


def check_contributor(contributor: Mapping[str, Any], today: date) -> None:
    """The contributor must make a valid scenario (fields, département, dates), before anything is written."""
    scenario_of(contributor, [], today)


def new_events(account_id: str, document: Any, key: str | None = None, corrects: int | None = None) -> list[Any]:
    """The events to append from one event (a mapping in the scenario's event format) or a list of them, as
    `echeancier account record` and `POST /v1/accounts/{id}/events` read them: each validated by the scenario's
    `Event` model (AccountError naming `event.FIELD`, or `event.N.FIELD` in a list), amounts in cents, and an
    idempotency key: `key` (`key:N` in a list), else the event's content, so that sending it again adds nothing.
    `corrects` (the sequence number of the event replaced) applies to one event only."""
    from pydantic import TypeAdapter, ValidationError

    from echeancier.schedule.scenario import Event
    from echeancier.store import NewEvent

    items = document if isinstance(document, list) else [document]
    if not items:
        raise AccountError("event", "au moins un événement est nécessaire")
    if corrects is not None and len(items) != 1:
        raise AccountError("corrects", "une correction porte sur un seul événement")
    adapter: TypeAdapter[Any] = TypeAdapter(Event)
    events = []
    for index, item in enumerate(items):
        prefix = f"event.{index}" if isinstance(document, list) else "event"
        try:
            parsed = adapter.validate_python(item)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"][1:]) or "type"
            raise AccountError(f"{prefix}.{where}", pydantic_message(first)) from None
        payload = to_cents_payload(parsed.model_dump(mode="json", exclude_none=True))
        event_key = key if key is not None and len(items) == 1 else idempotency_key(account_id, payload)
        if key is not None and len(items) > 1:
            event_key = f"{key}:{index}"
        events.append(NewEvent(parsed.type, payload, parsed.date, event_key, corrects=corrects))
    return events


def account_row(account_id: str, values: Mapping[str, Any] | None, error: str | None = None) -> dict[str, Any]:
    """One line of `account list` (JSON shape): the balance, what is late and since when, in euros."""
    values = values or {}

    def day(name: str) -> str | None:
        value = values.get(name)
        return None if value is None else value.isoformat()

    return {
        "account": account_id,
        "balance": values.get("balance_cents", 0) / 100,
        "late_amount": values.get("late_amount_cents", 0) / 100,
        "late_since": day("late_since"),
        "majorations": values.get("majorations_cents", 0) / 100,
        "next_due_date": day("next_due_date"),
        "error": error,
    }


def account_rows(
    store: Any,
    late: bool,
    as_of: date | None,
    include: Callable[[Any], bool] | None = None,
    only: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The accounts and their balance (`account list`); with `late`, those with a sum exigible and unpaid on
    `as_of`. Without `as_of`, from the store's projections (the ledger on the day of each account's last write,
    late on today); with it, the ledger of each account on that day. `include(account)` keeps only some accounts
    (an HTTP client's), tested before anything is computed for them; `only` names the accounts to look at (a
    contributor's own), so that the others are not even read."""
    if only is None:
        accounts: Iterable[Any] = store.accounts()
    else:
        accounts = [store.account(account_id) for account_id in sorted(set(only)) if store.has_account(account_id)]
    rows = []
    if as_of is None:
        keep = {a.account_id for a in accounts if include is None or include(a)}
        for stored in store.projections(late_only=late):
            if (include is not None or only is not None) and stored.account_id not in keep:
                continue
            p = stored.projection
            rows.append(account_row(stored.account_id, asdict(p), p.payload.get("error")))
        return rows
    for account in accounts:
        if include is not None and not include(account):
            continue
        payloads = stored_payloads(store.events(account.account_id))
        try:
            values = projection_of(account.contributor, payloads, as_of)
        except ScenarioError as error:
            rows.append(account_row(account.account_id, None, str(error)))
            continue
        if late and (values["late_since"] is None or values["late_since"] > as_of):
            continue
        rows.append(account_row(account.account_id, values))
    return rows


__all__ = [
    "AccountError",
    "ScenarioError",
    "account_row",
    "account_rows",
    "check_contributor",
    "echeancier_of",
    "from_cents_payload",
    "idempotency_key",
    "new_events",
    "project",
    "projection_of",
    "scenario_of",
    "statement_date",
    "stored_payloads",
    "to_cents_payload",
    "validate_batch",
]
