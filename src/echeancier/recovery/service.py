"""The recovery procedure of accounts held in the store (thin shell over `procedure.py`).

`account_procedure` replays an account (its ledger on a date and its recovery steps); `prepare_step` turns an
agent's decision into the event to record — the debts it covers and, for a mise en demeure, what it states —
after checking it against the procedure on its date; `worklist` lists the steps due on a date over the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from echeancier.account.ledger import MONEY_METHODS, cents
from echeancier.account.service import echeancier_of
from echeancier.kernel.fmt import format_date, format_euros
from echeancier.kernel.inputs import pydantic_message
from echeancier.recovery.events import ADAPTER, RECOVERY_EVENT_TYPES
from echeancier.recovery.policy import Overrides, Policy, policy
from echeancier.recovery.procedure import (
    STEP_ARTICLES,
    STEP_LABELS,
    Procedure,
    RecoveryError,
    Step,
    check_order,
    check_step,
    eligible,
    procedure,
    steps_from,
)
from echeancier.schedule.echeancier import Echeancier

# Sections of the CNAVPL and the CNBF, co-creditors of the professions libérales réglementées (L613-3 al. 3):
# named by the account's `contributor.caisse_liberale` when it has one (none of the professions this project
# computes — artisans, commerçants, PLNR — has one: since 2020 the Urssaf or CGSS is their only creditor).
LIBERAL_FUNDS = ("cipav", "carmf", "carpimko", "carcdsf", "cavp", "carpv", "cavec", "cavom", "crn", "cavamac", "cnbf")


def split(payloads: Sequence[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """The account's events for the ledger, and its recovery steps."""
    ledger = [p for p in payloads if p.get("type") not in RECOVERY_EVENT_TYPES]
    return ledger, [p for p in payloads if p.get("type") in RECOVERY_EVENT_TYPES]


def creditors_of(contributor: Mapping[str, Any], organism: str | None) -> tuple[str, ...]:
    """The creditors of the account: the collecting organism (R613-6), and for a profession libérale
    réglementée its CNAVPL section or the CNBF."""
    out = [organism] if organism else []
    fund = contributor.get("contributor", {}).get("caisse_liberale")
    if isinstance(fund, str) and fund in LIBERAL_FUNDS:
        out.append(fund)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class AccountProcedure:
    procedure: Procedure
    echeancier: Echeancier
    policy: Policy


def account_procedure(
    contributor: Mapping[str, Any],
    payloads: Sequence[Mapping[str, Any]],
    as_of: date,
    overrides: Overrides | None = None,
) -> AccountProcedure:
    """The procedure of an account on `as_of` (ScenarioError when the law refuses its events)."""
    ledger, _ = split(payloads)
    return procedure_of(contributor, payloads, echeancier_of(contributor, ledger, as_of), overrides)


def procedure_of(
    contributor: Mapping[str, Any],
    payloads: Sequence[Mapping[str, Any]],
    result: Echeancier,
    overrides: Overrides | None = None,
) -> AccountProcedure:
    """The procedure beside an échéancier already computed from the account's events (its statement's date)."""
    statement = result.statement
    assert statement is not None
    organism = None if result.organism is None else result.organism.key
    rules = policy(statement.as_of, organism, overrides=overrides)
    payments = [p.date for p in statement.postings if p.kind == "credit" and p.origin in MONEY_METHODS]
    state = procedure(
        statement,
        steps_from(split(payloads)[1]),
        rules,
        organism=organism,
        creditors=creditors_of(contributor, organism),
        last_payment=max(payments, default=None),
    )
    return AccountProcedure(state, result, rules)


def check_date(day: date, field: str) -> None:
    """A date of the procedure within the law's parameters (a step, or the date of a worklist)."""
    from echeancier.law import load_law

    law = load_law()
    last = date(law.last_date.year + 1, 12, 31)  # the year after the checked parameters is shown (R613-5 I 3°)
    if not law.first_date <= day <= last:
        raise RecoveryError(
            field,
            f"{format_date(day)} est hors de la période couverte par les paramètres de la loi "
            f"({format_date(law.first_date)} – {format_date(last)})",
        )


# --- A step to record -------------------------------------------------------------------------------------------


def prepare_step(
    contributor: Mapping[str, Any],
    payloads: Sequence[Mapping[str, Any]],
    event: Mapping[str, Any],
    overrides: Overrides | None = None,
) -> dict[str, Any]:
    """The payload to store for a step (`event`: at least `type`, `date`, `agent`), checked against the procedure on
    its date. Without `debts`, the step covers every debt it is due for on that date (a mise en demeure: those
    not prescribed); a mise en demeure's `sent` is what it states (R244-1)."""
    try:
        parsed = ADAPTER.validate_python(dict(event))
    except Exception as error:  # pydantic's ValidationError: the first error, named
        errors = getattr(error, "errors", None)
        if errors is None:
            raise
        first = errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "type"
        raise RecoveryError(where, french_error(first)) from None
    day: date = parsed.date
    check_date(day, "date")  # the step's date
    before = account_procedure(contributor, payloads, day, overrides)
    state = before.procedure
    kind = parsed.type
    if parsed.debts is not None:
        debts = tuple(dict.fromkeys(parsed.debts))
    elif kind in ("coordinated_plan", "recovery_abandoned"):
        debts = tuple(s.debt.key for s in state.debts if s.debt.unpaid > 0 and s.stage not in ("prescrite",))
    else:
        debts = tuple(s.debt.key for s in eligible(state, kind))
        if kind == "mise_en_demeure":
            # Without a relance the mise en demeure waits for both delays; prescribed sums are never claimed.
            debts = tuple(
                s.debt.key
                for s in state.debts
                if s.debt.unpaid > 0
                and s.stage in ("none", "relance")
                and s.debt.prescription >= day
                and _mise_en_demeure_allowed(s.debt.key, state, before.policy, day)
            )
        if not debts:
            raise RecoveryError(kind, _nothing_due(kind, state, day))
    creditor = parsed.creditor or state.organism
    step = Step(kind, day, parsed.agent, creditor, debts, {})
    if creditor is not None and creditor not in state.creditors:
        raise RecoveryError("creditor", f"{creditor} n'est pas un créancier du compte ({', '.join(state.creditors)})")
    check_order(steps_from(split(payloads)[1]), step)
    check_step(state, step, before.policy)
    payload: dict[str, Any] = parsed.model_dump(mode="json", exclude_none=True)
    for group in ("creditors", "instalments"):  # amounts in integer cents, as the store keeps them
        for item in payload.get(group, []):
            item["amount_cents"] = cents(Decimal(item.pop("amount")))
    payload["debts"] = list(debts)
    payload["creditor"] = creditor
    if kind == "coordinated_plan":
        unknown = {str(c["creditor"]) for c in payload["creditors"]} - set(state.creditors)
        if unknown:
            raise RecoveryError("creditors", f"{', '.join(sorted(unknown))} : pas un créancier du compte")
        shares = sum(int(c["amount_cents"]) for c in payload["creditors"])
        scheduled = sum(int(i["amount_cents"]) for i in payload["instalments"])
        own = sum(int(c["amount_cents"]) for c in payload["creditors"] if c["creditor"] == state.organism)
        covered = sum(s.debt.unpaid for s in state.debts if s.debt.key in debts)
        if scheduled != shares:
            raise RecoveryError(
                "instalments",
                f"les échéances du plan ({_euros(scheduled)}) ne font pas la somme des parts des créanciers "
                f"({_euros(shares)}) : un seul plan pour tous (L613-3 al. 3)",
            )
        if own < covered:
            raise RecoveryError(
                "creditors",
                f"la part de {state.organism} ({_euros(own)}) ne couvre pas sa créance ({_euros(covered)})",
            )
    if kind == "mise_en_demeure":
        payload["sent"] = {**(payload.get("sent") or {}), **mise_en_demeure_content(before, debts)}
    return payload


def french_error(error: Mapping[str, Any]) -> str:
    """A pydantic error as one French line (the input layer's own messages are French already)."""
    kind = str(error.get("type", ""))
    given = error.get("input")
    context = error.get("ctx") or {}
    if kind == "missing":
        return "obligatoire"
    if kind == "extra_forbidden":
        return "clé inconnue"
    if kind == "literal_error":
        return f"valeur inconnue {given!r} (valeurs : {str(context.get('expected', '')).replace(' or ', ', ')})"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return f"étape inconnue (étapes : {', '.join(RECOVERY_EVENT_TYPES)})"
    if kind == "string_too_short":
        return "ne doit pas être vide"
    if kind in ("string_too_long", "too_long"):
        return "trop long"
    if kind == "too_short":
        return "au moins un élément"
    if kind == "string_pattern_mismatch":
        return "caractères de contrôle interdits"
    if kind in ("string_type", "list_type", "dict_type", "model_type"):
        return f"type inattendu ({type(given).__name__})"
    return pydantic_message(error)


def _euros(amount: int) -> str:
    return format_euros(amount / 100, cents=True)


def as_input(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A stored step back as `prepare_step` reads it (to check it again): amounts in euros, without `sent`."""
    event = {k: v for k, v in payload.items() if k != "sent"}
    for group in ("creditors", "instalments"):
        if isinstance(event.get(group), list):
            event[group] = [
                {
                    **{k: v for k, v in item.items() if k != "amount_cents"},
                    "amount": str(Decimal(item["amount_cents"]) / 100),
                }
                for item in event[group]
            ]
    return event


def already_recorded(existing: Sequence[Mapping[str, Any]], event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The same step recorded before (same type, date, agent and every field given): recording it again changes
    nothing."""
    wanted = {k: v.isoformat() if isinstance(v, date) else v for k, v in event.items()}
    for payload in existing:
        if all(payload.get(name) == value for name, value in wanted.items()):
            return payload
    return None


def _mise_en_demeure_allowed(key: str, state: Procedure, rules: Policy, day: date) -> bool:
    probe = Step("mise_en_demeure", day, "-", state.organism, (key,), {})
    try:
        check_step(state, probe, rules)
    except RecoveryError:
        return False
    return True


def _nothing_due(kind: str, state: Procedure, day: date) -> str:
    label = STEP_LABELS.get(kind, kind)
    upcoming = [s for s in state.debts if s.next_step == kind and s.due_on is not None and s.due_on > day]
    if upcoming:
        first = min(upcoming, key=lambda s: s.due_on or day)
        assert first.due_on is not None
        return (
            f"{label} : aucune somme n'y est encore due le {format_date(day)} (pour {first.debt.label}, échéance "
            f"du {format_date(first.debt.due)} : possible à partir du {format_date(first.due_on)})"
        )
    prescribed = [s for s in state.debts if s.stage == "prescrite"]
    if kind == "mise_en_demeure" and prescribed:
        return f"{label} : les sommes impayées sont prescrites (L244-3), aucune ne peut être réclamée"
    pending = [s for s in state.debts if s.debt.unpaid > 0 and s.stage not in ("none", "reglee")]
    if pending:
        first = pending[0]
        expected = STEP_LABELS.get(first.next_step or "", "aucune étape")
        return (
            f"{label} : aucune somme du compte n'en relève le {format_date(day)} ({first.debt.label}, échéance du "
            f"{format_date(first.debt.due)} : {first.stage_label}, étape attendue : {expected})"
        )
    return f"{label} : aucune somme du compte n'en relève le {format_date(day)}"


def mise_en_demeure_content(before: AccountProcedure, debts: Sequence[str]) -> dict[str, Any]:
    """What a mise en demeure states (R244-1: "la cause, la nature et le montant des sommes réclamées, les
    majorations et pénalités qui s'y appliquent ainsi que la période à laquelle elles se rapportent"), in cents.

    LAW: the majorations of contributions still unpaid are provisional in the ledger (they accrue until payment);
    the mise en demeure states them as computed on its date (R243-19: majorations are liquidated and notified by
    mise en demeure, the 0.2 % goes on accruing until payment, and the document says so). Row 105."""
    state = before.procedure
    statement = before.echeancier.statement
    assert statement is not None
    chosen = set(debts)
    lines: list[dict[str, Any]] = []
    majoration_dues: set[date] = set()
    for s in state.debts:
        if s.debt.key not in chosen:
            continue
        debt = s.debt
        majorations = 0
        if debt.nature == "cotisations" and debt.due not in majoration_dues:
            for detail in statement.majorations:
                if detail.due == debt.due and detail.posting is None and detail.status != "not_due":
                    majorations += detail.amount - detail.remitted
            majoration_dues.add(debt.due)
        lines.append(
            {
                "debt": debt.key,
                "nature": debt.nature,
                "label": debt.label,
                "year": debt.year,
                "due": debt.due.isoformat(),
                "period": _period(debt.origin, debt.year, debt.due),
                "amount_cents": debt.unpaid,
                "majorations_cents": majorations,
            }
        )
    contributions = sum(line["amount_cents"] for line in lines if line["nature"] == "cotisations")
    posted = sum(line["amount_cents"] for line in lines if line["nature"] == "majorations")
    provisional = sum(line["majorations_cents"] for line in lines)
    penalties = sum(line["amount_cents"] for line in lines if line["nature"] == "penalites")
    rules = before.policy
    return {
        "organism": None if before.echeancier.organism is None else before.echeancier.organism.name,
        "lines": lines,
        "contributions_cents": contributions,
        "majorations_cents": posted + provisional,
        "penalties_cents": penalties,
        "total_cents": contributions + posted + provisional + penalties,
        "after_relance": any(s.stage == "relance" for s in state.debts if s.debt.key in chosen),
        "delay_months": rules.mise_en_demeure_months,
        "recours_amiable_months": rules.recours_amiable_months,
        "as_of": state.as_of.isoformat(),
    }


def _period(origin: str, year: int | None, due: date) -> str:
    """The period the sum relates to, in French."""
    if origin == "majoration":
        return f"majorations liquidées le {format_date(due)}"
    if year is None:
        return f"exigible le {format_date(due)}"
    return f"année {year}, échéance du {format_date(due)}"


# --- The worklist -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A step due on an account: what, for how much, from when, until when, by which article."""

    account: str
    organism: str | None
    step: str
    amount: int  # cents
    due_on: date
    deadline: date | None
    article: str
    debts: tuple[str, ...]
    coordinated: bool
    creditors: tuple[str, ...]
    abandon_possible: bool

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.step, self.step)

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "organism": self.organism,
            "step": self.step,
            "label": self.label,
            "amount": self.amount / 100,
            "amount_cents": self.amount,
            "due_on": self.due_on.isoformat(),
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "article": self.article,
            "debts": list(self.debts),
            "coordinated": self.coordinated,
            "creditors": list(self.creditors),
            "abandon_possible": self.abandon_possible,
        }


def items_of(account_id: str, state: Procedure) -> list[WorkItem]:
    return [
        WorkItem(
            account_id,
            state.organism,
            n.step,
            n.amount,
            n.due_on,
            n.deadline,
            n.article,
            n.debts,
            state.coordinated,
            state.creditors,
            state.abandon_possible,
        )
        for n in state.next_steps
    ]


def _matches(state: Procedure, organism: str | None, name: str | None) -> bool:
    return organism is None or organism in (state.organism, name)


def may_have_work(projection: Any, as_of: date) -> bool:
    """Whether an account's cached projection leaves room for a step due on `as_of` (a conservative filter: the
    worklist replays only these accounts, and proves equal to replaying every one).

    A step is due only on an unpaid exigible debt. The projection was computed on its own date P (its payload's
    `as_of`), not before the account's last event. If P ≤ as_of, a debt unpaid on as_of was either unpaid on P
    (`late_since` ≤ P) or fell due after P (then the next due date after P is ≤ as_of, or unknown); if P > as_of,
    nothing can be told (the account is replayed)."""
    payload = projection.payload or {}
    if "error" in payload:
        return False  # the law refuses the account's events: it has no ledger to recover (listed by `account list`)
    try:
        computed_on = date.fromisoformat(str(payload.get("as_of")))
    except ValueError:
        return True
    if computed_on > as_of:
        return True
    if projection.late_since is not None and projection.late_since <= as_of:
        return True
    return projection.next_due_date is None or projection.next_due_date <= as_of


def worklist(store: Any, as_of: date, organism: str | None = None) -> list[WorkItem]:
    """The steps due on `as_of` over the store (optionally for one organism: its key, e.g. `urssaf_corse`, or its
    name), in the order of account ids: each with the step, the amount, the deadline and the article.

    Accounts are chosen from the cached projections (`may_have_work`) and only those are replayed."""
    from echeancier.schedule.scenario import ScenarioError

    items: list[WorkItem] = []
    check_date(as_of, "--as-of")
    cached = store.projections(organism=organism) if organism is not None else []
    if not cached:  # no organism asked, or asked by its name (projections keep the key)
        cached = store.projections()
    candidates = [p.account_id for p in cached if may_have_work(p.projection, as_of)]
    for account, events in store.accounts_and_events(candidates):
        try:
            replayed = account_procedure(account.contributor, payloads_of(events), as_of)
        except ScenarioError:
            continue
        name = None if replayed.echeancier.organism is None else replayed.echeancier.organism.name
        if _matches(replayed.procedure, organism, name):
            items.extend(items_of(account.account_id, replayed.procedure))
    return items


def payloads_of(events: Sequence[Any]) -> list[dict[str, Any]]:
    """Stored events as payloads with their type and date: the account commands' reading (a correction replaces
    the event it cites)."""
    from echeancier.cli_account import _payloads

    payloads: list[dict[str, Any]] = _payloads(list(events))
    return payloads


__all__ = [
    "STEP_ARTICLES",
    "AccountProcedure",
    "WorkItem",
    "account_procedure",
    "creditors_of",
    "may_have_work",
    "mise_en_demeure_content",
    "prepare_step",
    "worklist",
]
