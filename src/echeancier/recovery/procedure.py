"""The recovery procedure of an account's unpaid debts: a pure function of the ledger's statement, the recovery
steps recorded, the law and the date (CSS L244-2, L244-3, L244-8-1, L244-9, R244-1, R133-3, D133-1, L613-3 al. 3).

Each exigible debit of the ledger (a contribution, a majoration, a penalty — whatever its origin) is a *debt* with a
stable key (`provisional:2026:2026-05-05`). Its procedure goes:

    relance (practice) → mise en demeure (L244-2, R244-1) → receipt → contrainte (L244-9, R133-3 al. 1)
    → notification → [opposition within 15 days (R133-3 al. 3) → decision] → enforceable → execution

A step covers the debts it names; `check_step` refuses a step taken before its delay, on a debt that is not unpaid,
out of order, or (a mise en demeure) on prescribed sums (L244-3). `procedure` gives, on a date, each debt's stage
and the next step due, with its earliest date, its deadline and its article.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from echeancier.account.ledger import CONTRIBUTION_KINDS, Statement
from echeancier.documents.echeancier import kind_label
from echeancier.kernel.dates import add_months
from echeancier.kernel.fmt import format_date, format_euros
from echeancier.recovery.policy import Policy

ONE_DAY = timedelta(days=1)

# What each step is, in French, and the article it applies.
STEP_LABELS = {
    "relance": "relance amiable",
    "payment_plan_offer": "proposition d'un délai de paiement",
    "mise_en_demeure": "mise en demeure",
    "mise_en_demeure_receipt": "réception de la mise en demeure",
    "contrainte": "contrainte",
    "contrainte_notification": "signification de la contrainte",
    "opposition": "opposition à contrainte",
    "opposition_decision": "jugement sur l'opposition",
    "execution": "exécution forcée",
    "coordinated_plan": "plan concerté entre créanciers",
    "recovery_abandoned": "abandon de la mise en recouvrement",
}
STEP_ARTICLES = {
    "relance": "pratique de l'organisme (phase amiable, aucun texte)",
    "payment_plan_offer": "CSS R243-21",
    "mise_en_demeure": "CSS L244-2, R244-1",
    "mise_en_demeure_receipt": "CSS L244-2 (date certaine), R133-3 al. 1",
    "contrainte": "CSS L244-9, R133-3 al. 1",
    "contrainte_notification": "CSS R133-3 al. 1",
    "opposition": "CSS R133-3 al. 3",
    "opposition_decision": "CSS R133-3",
    "execution": "CSS L244-9",
    "coordinated_plan": "CSS L613-3 al. 3",
    "recovery_abandoned": "CSS L133-3, D133-1 al. 1",
}
STAGE_LABELS = {
    "none": "impayé, aucune démarche",
    "relance": "relancé",
    "mise_en_demeure": "mise en demeure envoyée",
    "mise_en_demeure_notifiee": "mise en demeure reçue",
    "contrainte": "contrainte décernée",
    "contrainte_notifiee": "contrainte signifiée, délai d'opposition en cours",
    "opposition": "opposition formée, jugement attendu",
    "executoire": "contrainte exécutoire",
    "contrainte_annulee": "contrainte annulée",
    "execution": "exécution forcée en cours",
    "abandonnee": "recouvrement abandonné (D133-1)",
    "prescrite": "prescrite (L244-3)",
    "reglee": "réglée",
    "suspendue": "délai de paiement en cours",
}


class RecoveryError(ValueError):
    """A step the procedure refuses: `field` names what is wrong, `message` says why in one French line."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Debt:
    """An exigible debit of the ledger as a debt to recover: `unpaid` cents on the date of the statement."""

    key: str
    due: date
    origin: str
    year: int | None
    amount: int
    unpaid: int
    nature: str  # cotisations | majorations | penalites
    label: str
    prescription: date  # the last day a mise en demeure may claim it (L244-3)


@dataclass(frozen=True, slots=True)
class Step:
    """A recorded step (an event of the account)."""

    type: str
    date: date
    agent: str
    creditor: str | None
    debts: tuple[str, ...]
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.type, self.type)


@dataclass(frozen=True, slots=True)
class DebtState:
    debt: Debt
    stage: str
    steps: tuple[Step, ...]
    next_step: str | None
    due_on: date | None  # the earliest date the next step may be taken
    deadline: date | None  # the last date it may be taken (prescription, L244-8-1, opposition window)
    article: str

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)


@dataclass(frozen=True, slots=True)
class NextStep:
    """A step due on the account: the debts it concerns and their unpaid amount (cents)."""

    step: str
    due_on: date
    deadline: date | None
    amount: int
    article: str
    debts: tuple[str, ...]

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.step, self.step)


@dataclass(frozen=True, slots=True)
class Procedure:
    """The recovery of an account on `as_of`."""

    as_of: date
    organism: str | None  # key of the collecting organism
    creditors: tuple[str, ...]
    debts: tuple[DebtState, ...]
    steps: tuple[Step, ...]
    outstanding: int  # unpaid exigible, cents
    abandon_threshold: int  # D133-1, cents
    abandon_possible: bool
    coordinated: bool  # L613-3 al. 3 thresholds passed
    coordinated_plan_until: date | None
    keepable_credit: int  # D133-1 al. 2: a credit below the threshold, paid 12 months ago or more
    next_steps: tuple[NextStep, ...]  # due on `as_of`

    def state(self, key: str) -> DebtState:
        return next(s for s in self.debts if s.debt.key == key)


# --- Debts from the ledger --------------------------------------------------------------------------------------


def nature_of(origin: str) -> str:
    """R244-1 "la nature … des sommes réclamées": contributions, majorations de retard, or penalties (any other
    debit the ledger holds, e.g. the late-declaration penalty of R613-1-1 III)."""
    if origin in CONTRIBUTION_KINDS:
        return "cotisations"
    return "majorations" if origin == "majoration" else "penalites"


def debt_label(origin: str, year: int | None) -> str:
    label = kind_label(origin)
    if origin in CONTRIBUTION_KINDS:
        return f"cotisations {label} {year}" if year is not None else f"cotisations {label}"
    return label if origin == "majoration" else f"pénalité : {label}"


def prescription_end(origin: str, year: int | None, due: date, policy: Policy) -> date:
    """The last day a mise en demeure may claim the debt (CSS L244-3).

    Contributions: "par trois ans à compter du 30 juin de l'année qui suit l'année au titre de laquelle elles sont
    dues" (al. 1): for the contributions of 2022, from 30 June 2023 to 30 June 2026 included.
    LAW: the delay counted as in C. proc. civ. 641–642 (the day it starts from is not counted, it ends on the same
    date three years later at midnight); the date compared is the mise en demeure's sending, which interrupts
    prescription. docs/law-choices.md row 102.
    Majorations (al. 3): three years "à compter de la fin de l'année" of the payment or exigibility of the
    contributions (a posted majoration's date is the payment that settled them). Penalties (al. 4, and any other
    debit): three years from the end of the year they were applied (their date). LAW: row 103."""
    years = policy.prescription_years
    if origin in CONTRIBUTION_KINDS and year is not None:
        month, day = policy.prescription_start
        return date(year + 1 + years, month, day)
    return date(due.year + years, 12, 31)


def debts_of(statement: Statement, policy: Policy) -> list[Debt]:
    """Every debit of the statement, with what is unpaid on its date and a key that does not depend on the
    ledger's numbering: `origin:year:due` (`#2`, `#3` for a second and third debit of the same origin, year and
    date)."""
    paid: dict[int, int] = {}
    for allocation in statement.allocations:
        paid[allocation.debit] = paid.get(allocation.debit, 0) + allocation.amount
    seen: dict[str, int] = {}
    debts = []
    for p in statement.postings:
        if p.kind != "debit":
            continue
        base = f"{p.origin}:{'' if p.year is None else p.year}:{p.date.isoformat()}"
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base}#{seen[base]}"
        debts.append(
            Debt(
                key=key,
                due=p.date,
                origin=p.origin,
                year=p.year,
                amount=p.amount,
                unpaid=p.amount - paid.get(p.id, 0),
                nature=nature_of(p.origin),
                label=debt_label(p.origin, p.year),
                prescription=prescription_end(p.origin, p.year, p.date, policy),
            )
        )
    return debts


# --- The state of each debt -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Track:
    stage: str = "none"
    steps: list[Step] = field(default_factory=list)
    relance: date | None = None
    mise_en_demeure: date | None = None
    receipt: date | None = None
    contrainte: date | None = None
    notified: date | None = None
    opposition: date | None = None
    enforceable_since: date | None = None


def _apply(track: _Track, step: Step, policy: Policy) -> None:
    track.steps.append(step)
    kind = step.type
    if kind == "relance":
        track.stage, track.relance = "relance", step.date
    elif kind == "mise_en_demeure":
        track.stage, track.mise_en_demeure = "mise_en_demeure", step.date
    elif kind == "mise_en_demeure_receipt":
        track.stage, track.receipt = "mise_en_demeure_notifiee", step.date
    elif kind == "contrainte":
        track.stage, track.contrainte = "contrainte", step.date
    elif kind == "contrainte_notification":
        # LAW: R133-3 al. 3 "dans les quinze jours à compter de la signification": enforceable from the 16th (row 107).
        track.stage, track.notified = "contrainte_notifiee", step.date
        track.enforceable_since = step.date + timedelta(days=policy.opposition_days) + ONE_DAY
    elif kind == "opposition":
        track.stage, track.opposition = "opposition", step.date
    elif kind == "opposition_decision":
        validated = step.payload.get("decision") == "validee"
        track.stage = "executoire" if validated else "contrainte_annulee"
        track.enforceable_since = step.date if validated else None
    elif kind == "execution":
        track.stage = "execution"
    elif kind == "recovery_abandoned":
        track.stage = "abandonnee"


def _tracks(debts: Iterable[Debt], steps: Sequence[Step], policy: Policy) -> dict[str, _Track]:
    tracks = {d.key: _Track() for d in debts}
    for step in steps:
        for key in step.debts:
            if key in tracks:
                _apply(tracks[key], step, policy)
    return tracks


def _stage(track: _Track, on: date) -> str:
    """The stage on `on`: a contrainte notified and not opposed within the delay is enforceable (L244-9)."""
    if track.stage == "contrainte_notifiee" and track.enforceable_since is not None and on >= track.enforceable_since:
        return "executoire"
    return track.stage


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def end_of_mise_en_demeure_delay(receipt: date, policy: Policy) -> date:
    """The last day of the month of L244-2 counted from the receipt (C. proc. civ. 641: 8 June → 8 July)."""
    return add_months(receipt, policy.mise_en_demeure_months)


def _next(debt: Debt, track: _Track, policy: Policy, on: date) -> tuple[str, str | None, date | None, date | None]:
    """(stage, next step, earliest date, deadline) of an unpaid debt on `on`."""
    stage = _stage(track, on)
    if stage in ("none", "relance") and on > debt.prescription:
        return "prescrite", None, None, None
    if stage == "none":
        # LAW: the amicable phase is practice, not law: its delays are dated parameters (law-choices row 100).
        return stage, "relance", debt.due + timedelta(days=policy.relance_days), debt.prescription
    if stage == "relance":
        assert track.relance is not None
        return (
            stage,
            "mise_en_demeure",
            track.relance + timedelta(days=policy.mise_en_demeure_after_days),
            (debt.prescription),
        )
    if stage == "mise_en_demeure":
        return stage, "mise_en_demeure_receipt", track.mise_en_demeure, None
    if stage == "mise_en_demeure_notifiee":
        assert track.receipt is not None
        end = end_of_mise_en_demeure_delay(track.receipt, policy)
        return stage, "contrainte", end + ONE_DAY, _add_years(end, policy.action_years)
    if stage == "contrainte":
        return stage, "contrainte_notification", track.contrainte, None
    if stage == "contrainte_notifiee":
        return stage, "execution", track.enforceable_since, None
    if stage == "opposition":
        return stage, "opposition_decision", None, None
    if stage == "executoire":
        return stage, "execution", track.enforceable_since, None
    return stage, None, None, None  # execution, abandonnee, contrainte_annulee


def _suspended(debt: Debt, statement: Statement, coordinated: Mapping[str, date], on: date) -> bool:
    """Under a délai de paiement in force (R243-21: it covers the sums exigible when granted) or a coordinated
    plan whose last instalment is not past."""
    # LAW: a délai de paiement is a "sursis à poursuites" (R243-21) for the sums it covers (row 110).
    for plan in statement.plans:
        if plan.date <= on and plan.date >= debt.due and (plan.ended_on is None or plan.ended_on > on):
            return True
    until = coordinated.get(debt.key)
    return until is not None and on <= until


def _coordinated_plans(steps: Sequence[Step], on: date) -> dict[str, date]:
    covered: dict[str, date] = {}
    for step in steps:
        if step.type == "coordinated_plan" and step.date <= on:
            last = max(date.fromisoformat(str(i["date"])) for i in step.payload.get("instalments", []))
            for key in step.debts:
                covered[key] = max(covered.get(key, last), last)
    return covered


def procedure(
    statement: Statement,
    steps: Sequence[Step],
    policy: Policy,
    *,
    organism: str | None = None,
    creditors: Sequence[str] = (),
    last_payment: date | None = None,
) -> Procedure:
    """The procedure on `statement.as_of` (the statement of the ledger on that date, `policy` the figures in force
    then): each unpaid debt's stage and next step, and the steps due on that date."""
    on = statement.as_of
    steps = sorted((s for s in steps if s.date <= on), key=_order)
    debts = debts_of(statement, policy)
    tracks = _tracks(debts, steps, policy)
    coordinated_plans = _coordinated_plans(steps, on)
    states = []
    for debt in debts:
        track = tracks[debt.key]
        if debt.unpaid <= 0:
            if track.steps:
                states.append(DebtState(debt, "reglee", tuple(track.steps), None, None, None, ""))
            continue
        stage, step, due_on, deadline = _next(debt, track, policy, on)
        if step is not None and _suspended(debt, statement, coordinated_plans, on):
            stage, step, due_on, deadline = "suspendue", None, None, None
        article = STEP_ARTICLES.get(step, "") if step else ""
        states.append(DebtState(debt, stage, tuple(track.steps), step, due_on, deadline, article))
    unpaid = [s for s in states if s.debt.unpaid > 0]
    outstanding = sum(s.debt.unpaid for s in unpaid)
    coordinated = is_coordinated(unpaid, policy, on)
    plan_until = max(coordinated_plans.values(), default=None)
    due: dict[str, list[DebtState]] = {}
    for state in unpaid:
        if state.next_step is not None and state.due_on is not None and state.due_on <= on:
            due.setdefault(state.next_step, []).append(state)
    next_steps = [
        NextStep(
            step=kind,
            due_on=min(s.due_on for s in group if s.due_on is not None),
            deadline=min((s.deadline for s in group if s.deadline is not None), default=None),
            amount=sum(s.debt.unpaid for s in group),
            article=STEP_ARTICLES[kind],
            debts=tuple(s.debt.key for s in group),
        )
        for kind, group in due.items()
    ]
    if coordinated and (plan_until is None or plan_until < on):
        active = [s for s in unpaid if s.stage not in ("abandonnee", "prescrite", "suspendue")]
        if active:
            oldest = min(s.debt.due for s in active)
            next_steps.append(
                NextStep(
                    "coordinated_plan",
                    add_months(oldest, policy.coordination_months),
                    None,
                    sum(s.debt.unpaid for s in active),
                    STEP_ARTICLES["coordinated_plan"],
                    tuple(s.debt.key for s in active),
                )
            )
    next_steps.sort(key=lambda n: (n.due_on, list(STEP_LABELS).index(n.step)))
    threshold = policy.abandon_threshold
    credit = statement.credit
    keepable = 0
    if 0 < credit < threshold and last_payment is not None:
        if add_months(last_payment, policy.trop_percu_months) <= on:
            keepable = credit  # D133-1 al. 2: "ne peut intervenir avant l'expiration d'un délai de douze mois"
    return Procedure(
        as_of=on,
        organism=organism,
        creditors=tuple(creditors),
        debts=tuple(states),
        steps=tuple(steps),
        outstanding=outstanding,
        abandon_threshold=threshold,
        abandon_possible=0 < outstanding < threshold,
        coordinated=coordinated,
        coordinated_plan_until=plan_until,
        keepable_credit=keepable,
        next_steps=tuple(next_steps),
    )


def is_coordinated(unpaid: Sequence[DebtState], policy: Policy, on: date) -> bool:
    """L613-3 al. 3: debts "dont le montant et l'ancienneté" pass the thresholds (no décret fixes them:
    `recouvrement.coordination_*`, overridable per organism). LAW: the amount is the account's whole unpaid debt,
    the age that of its oldest unpaid sum; row 108."""
    active = [s for s in unpaid if s.stage not in ("abandonnee", "prescrite")]
    if not active:
        return False
    total = sum(s.debt.unpaid for s in active)
    oldest = min(s.debt.due for s in active)
    return total >= policy.coordination_amount and add_months(oldest, policy.coordination_months) <= on


def _order(step: Step) -> tuple[date, int]:
    return step.date, list(STEP_LABELS).index(step.type) if step.type in STEP_LABELS else 99


# --- Checking a step before it is recorded ----------------------------------------------------------------------


def eligible(before: Procedure, kind: str) -> list[DebtState]:
    """The debts a step of `kind` taken on `before.as_of` may cover: those whose next step it is and is due."""
    on = before.as_of
    unpaid = [s for s in before.debts if s.debt.unpaid > 0]
    if kind == "opposition":  # the debtor's act, not a step due: on a contrainte served (R133-3 al. 3)
        return [s for s in unpaid if s.steps and s.steps[-1].type == "contrainte_notification"]
    if kind == "opposition_decision":
        return [s for s in unpaid if s.stage == "opposition"]
    if kind == "payment_plan_offer":
        return [s for s in unpaid if s.stage in ("none", "relance", "mise_en_demeure", "mise_en_demeure_notifiee")]
    return [s for s in unpaid if s.next_step == kind and s.due_on is not None and s.due_on <= on]


def _euros(cents: int) -> str:
    return format_euros(cents / 100, cents=True)


def check_step(before: Procedure, step: Step, policy: Policy) -> None:
    """Refuse `step` (RecoveryError, one French line) unless the procedure on its date (`before`: the ledger and
    the steps recorded so far, on `step.date`) allows it: the right order, each delay passed, sums unpaid and, for
    a mise en demeure, not prescribed (L244-3)."""
    on = step.date
    label = STEP_LABELS.get(step.type, step.type)
    if step.type == "recovery_abandoned":
        # LAW: D133-1's "créances" read over the account's whole unpaid debt, strictly below (row 109).
        if not 0 < before.outstanding < before.abandon_threshold:
            raise RecoveryError(
                "recovery_abandoned",
                f"la dette du compte ({_euros(before.outstanding)} le {format_date(on)}) n'est pas inférieure au "
                f"seuil de {_euros(before.abandon_threshold)} (D133-1 : 2,5 % du plafond mensuel, arrondi à l'euro "
                "supérieur)",
            )
    if step.type == "coordinated_plan" and not before.coordinated:
        raise RecoveryError(
            "coordinated_plan",
            f"le {format_date(on)}, la dette du compte ({_euros(before.outstanding)}) n'atteint pas les seuils du "
            f"recouvrement concerté (L613-3 al. 3 : {_euros(policy.coordination_amount)} et "
            f"{policy.coordination_months} mois d'ancienneté)",
        )
    if not step.debts:
        raise RecoveryError("debts", f"{label} du {format_date(on)} : aucune somme n'est concernée")
    states = {s.debt.key: s for s in before.debts}
    for key in step.debts:
        state = states.get(key)
        if state is None or state.debt.unpaid <= 0 or state.debt.due > on:
            raise RecoveryError("debts", f"{key} : pas une somme exigible et impayée le {format_date(on)}")
        _check_one(state, step, policy)


def check_order(recorded: Sequence[Step], step: Step) -> None:
    """A step may not be dated before a step already recorded on the same sums: the procedure is replayed in the
    order of dates, and each delay was checked against what came before."""
    later = sorted((s for s in recorded if s.date > step.date and set(s.debts) & set(step.debts)), key=_order)
    if later:
        raise RecoveryError(
            "date",
            f"{STEP_LABELS.get(step.type, step.type)} du {format_date(step.date)} : antérieure à l'étape "
            f"« {later[0].label} » du {format_date(later[0].date)} déjà enregistrée sur ces sommes",
        )


def _check_one(state: DebtState, step: Step, policy: Policy) -> None:
    on, kind, debt = step.date, step.type, state.debt
    what = f"{STEP_LABELS.get(kind, kind)} du {format_date(on)} sur {debt.label} (échéance du {format_date(debt.due)})"
    if kind in ("coordinated_plan", "recovery_abandoned"):
        if state.stage in ("abandonnee", "execution"):
            raise RecoveryError(kind, f"{what} : la somme est déjà au stade « {state.stage_label} »")
        return
    if kind == "payment_plan_offer":
        if state.stage not in ("none", "relance", "mise_en_demeure", "mise_en_demeure_notifiee"):
            raise RecoveryError(kind, f"{what} : la procédure est au stade « {state.stage_label} »")
        return
    if kind == "mise_en_demeure" and on > debt.prescription:
        raise RecoveryError(
            "mise_en_demeure",
            f"{what} : somme prescrite depuis le {format_date(debt.prescription + ONE_DAY)} (L244-3 : trois ans à "
            f"compter du 30 juin de l'année qui suit celle au titre de laquelle elle est due)",
        )
    if kind == "opposition" and state.steps and state.steps[-1].type == "contrainte_notification":
        # R133-3 al. 3: "dans les quinze jours à compter de la signification" (the day of service not counted).
        last = state.steps[-1].date + timedelta(days=policy.opposition_days)
        if on > last:
            raise RecoveryError(
                "opposition",
                f"{what} : hors délai, les {policy.opposition_days} jours à compter de la signification ont pris fin "
                f"le {format_date(last)} (R133-3 al. 3)",
            )
        return
    if state.next_step != kind:
        if kind == "mise_en_demeure" and state.stage == "none":
            pass  # the relance is practice, not law: a mise en demeure may come without one, after both delays
        elif kind == "mise_en_demeure" and state.stage == "contrainte_annulee":
            return  # a new mise en demeure after an annulled contrainte
        else:
            expected = STEP_LABELS.get(state.next_step or "", "aucune étape")
            raise RecoveryError(
                kind, f"{what} : la procédure est au stade « {state.stage_label} » (étape attendue : {expected})"
            )
    earliest = state.due_on
    if kind == "mise_en_demeure" and state.stage == "none":
        earliest = debt.due + timedelta(days=policy.relance_days + policy.mise_en_demeure_after_days)
    if earliest is not None and on < earliest:
        raise RecoveryError(kind, f"{what} : trop tôt, possible à partir du {format_date(earliest)}")
    if state.deadline is not None and on > state.deadline:
        raise RecoveryError(kind, f"{what} : trop tard, le délai a pris fin le {format_date(state.deadline)}")


def steps_from(payloads: Iterable[Mapping[str, Any]]) -> list[Step]:
    """The recovery steps of an account's stored events (payloads with `type` and `date`)."""
    from echeancier.recovery.events import RECOVERY_EVENT_TYPES

    out = []
    for payload in payloads:
        if payload.get("type") not in RECOVERY_EVENT_TYPES:
            continue
        out.append(
            Step(
                type=str(payload["type"]),
                date=date.fromisoformat(str(payload["date"])),
                agent=str(payload.get("agent", "")),
                creditor=payload.get("creditor"),
                debts=tuple(payload.get("debts") or ()),
                payload=payload,
            )
        )
    return out


PolicyFor = Callable[[date], Policy]
