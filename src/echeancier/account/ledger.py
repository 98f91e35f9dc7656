"""The contributor's account: what is owed, paid, refunded and surcharged, in integer cents (DESIGN §3).

The planner (`schedule/echeancier.py`) says what is called and when; this ledger says what was paid and when, and
what that costs. It is a pure function of the calls, the credits the planner's régularisations and ajustements
give, the money events of the account (payments, rejected direct debits, payment plans, remises) and the law.

Postings, each in cents with its date, origin and article:
- a **debit** when a sum becomes exigible: each part of an instalment on its due date, a majoration once the
  debt it is computed on is settled;
- a **credit** when money is received (a direct debit honoured, a transfer, a payment-plan instalment) or when a
  régularisation or ajustement gives one (R613-1-3 al. 2, R613-5 II), or a remise (R243-20);
- an **allocation** of a credit to a debit, on a date; a credit is never allocated beyond its amount and a debit
  never beyond its own, so no euro counts twice, and each debit knows the date it was settled;
- a **refund** of what a régularisation or ajustement credit leaves after the older debts.

Majorations de retard (R243-16) are computed from each unpaid debit's settlement dates, never on majorations nor on
the penalty of a late declaration (R613-1-1 III): a penalty is a debit the planner calls (collected with the
instalment of its due date, carried like it when unpaid) but not a contribution.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from echeancier.contributions.exact import SCALAR
from echeancier.kernel.dates import add_months
from echeancier.kernel.fmt import format_euros
from echeancier.law import Law, load_law
from echeancier.schedule.majorations import months_elapsed
from echeancier.schedule.rules import imputation
from echeancier.schedule.spread import spread

Day = date  # for annotations in classes that have a field named `date`

CONTRIBUTION_KINDS = ("provisional", "ajustement", "regularisation", "taxation_office", "cfp", "etalement", "report")
# Debits the planner calls that are not contributions: never a base for majorations (R243-16 applies to "cotisations").
PENALTY_KINDS = ("penalite_declaration",)
CALLED_KINDS = CONTRIBUTION_KINDS + PENALTY_KINDS
MONEY_METHODS = ("direct_debit", "transfer", "card", "cheque", "cash", "plan")

REFERENCES = {
    "provisional": "CSS R613-2 II (cotisations provisionnelles)",
    "ajustement": "CSS R613-5 I 2° (ajustement)",
    "regularisation": "CSS R613-1-3 (régularisation)",
    "taxation_office": "CSS R613-1-2 (taxation d'office)",
    "penalite_declaration": "CSS R613-1-1 III, R613-1-2 II (pénalité de déclaration tardive)",
    "cfp": "CGI 1601 B; C. trav. L6331-48 (contribution à la formation professionnelle)",
    "etalement": "CSS L131-6-1 al. 2, R131-9 II (étalement)",
    "report": "CSS L131-6-1 al. 1, R131-9 I (report)",
    "majoration": "CSS R243-16 (majorations de retard)",
    "direct_debit": "CSS R613-2 I (prélèvement)",
    "transfer": "paiement reçu",
    "card": "paiement reçu",
    "cheque": "paiement reçu",
    "cash": "paiement reçu",
    "plan": "CSS R243-21 (délai de paiement)",
    "regularisation_credit": "CSS R613-1-3 al. 2 (trop-versé de régularisation)",
    "ajustement_credit": "CSS R613-5 II (trop-versé d'ajustement)",
    "etalement_credit": "CSS R613-1-3 al. 2 (trop-versé)",
    "report_credit": "CSS R613-1-3 al. 2 (trop-versé)",
    "remise": "CSS R243-20 (remise gracieuse)",
    "refund": "remboursement",
}


class LedgerError(ValueError):
    """An event the account cannot take (the message names it); nothing is recorded."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(f"ligne {line} : {message}" if line else message)
        self.line = line
        self.message = message


def cents(amount: Decimal) -> int:
    """Euros (whole cents) as integer cents."""
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def euros(amount: int) -> Decimal:
    return Decimal(amount) / 100


def _percent_of(base: int, rate: Decimal, times: int = 1) -> int:
    """`base` cents × `rate` × `times`, rounded to the cent, half up."""
    return int((Decimal(base) * rate * times).to_integral_value(rounding=ROUND_HALF_UP))


# --- Majorations de retard (R243-16): one text for the ledger and the campaign's arrays --------------------------


def majoration_rates(law: Law, due: date) -> tuple[Decimal, Decimal]:
    """R243-16 I and II, in force on the due date: the majoration of the contributions unpaid on it (5 %) and the
    complementary one per month or fraction of month elapsed (0.2 %)."""
    rate = law.value_near("majorations.taux_initial", due)
    monthly = law.value_near("majorations.taux_complementaire_mensuel", due)
    assert isinstance(rate, Decimal) and isinstance(monthly, Decimal)
    return rate, monthly


def initial_majoration(base: int, rate: Decimal) -> int:
    """R243-16 I: `rate` of the `base` cents unpaid on the due date, rounded to the cent half up."""
    return _percent_of(base, rate)


def portion(paid: int, due: date, settled: date, monthly: Decimal) -> Portion:
    """R243-16 II: `paid` cents of a sum due on `due` settled on `settled` bear `monthly` per month or fraction of
    month elapsed (`months_elapsed`), rounded to the cent half up."""
    months = months_elapsed(due, settled)
    return Portion(settled, paid, months, _percent_of(paid, monthly, months))


# --- What the planner hands over --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """A part of an instalment: `amount` cents of (kind, year) exigible on `due`."""

    due: date
    kind: str
    year: int
    amount: int
    detail: str = ""  # what it is, for the posting (a penalty's rate, base and dates)


@dataclass(frozen=True, slots=True)
class CreditNote:
    """A credit a régularisation or ajustement gives on `date`: set against the older debts, oldest first, and the
    rest refunded on `refund_on` (R613-1-3 al. 2, R613-5 II, R613-1-5 3°)."""

    date: date
    kind: str
    year: int
    amount: int
    refund_on: Day


@dataclass(frozen=True, slots=True)
class Incident:
    """A due date whose direct debit (or expected payment) did not come (R613-2 III, R613-3 I).

    `majorable`: R243-16 applies to it by itself (a quarterly payer, or the second consecutive incident of a civil
    year for a monthly payer); `next_in_streak`: the due date of the next consecutive incident, if any (under the
    `streak` reading the first one's sum bears majorations too when it is still unpaid then); `carry_to`: the due
    dates on which the unpaid sums are presented again (the next one, or the remaining quarterly ones of the year
    after two consecutive incidents)."""

    due: date
    known_on: date
    reason: str | None
    majorable: bool
    streak: int
    next_in_streak: date | None
    carry_to: tuple[date, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Money:
    """Money received outside the scheduled collections (transfer, card, cheque)."""

    date: date
    amount: int
    method: str
    reference: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Plan:
    """A délai de paiement (R243-21) granted on `date`: instalments (date, cents)."""

    date: date
    instalments: tuple[tuple[Day, int], ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class RemiseRequest:
    date: date
    line: int = 0


@dataclass(frozen=True, slots=True)
class RemiseDecision:
    date: date
    decision: str  # total | partial | refused
    amount: int | None
    force_majeure: bool
    line: int = 0


# --- Results ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of the account. `kind`: debit | credit | refund; `origin`: what it is (provisional, majoration,
    direct_debit, transfer, regularisation_credit, remise…); `year`: the year the sum is due for."""

    id: int
    date: date
    kind: str
    origin: str
    year: int | None
    amount: int
    reference: str
    settled_on: Day | None = None  # debits: the date the last cent was allocated
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Allocation:
    credit: int
    debit: int
    date: date
    amount: int


@dataclass(frozen=True, slots=True)
class Condition:
    name: str  # declarations | paiement_30_jours | aucun_retard_24_mois | montant_inferieur_pmss
    met: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Portion:
    """A part of an unpaid debit settled on `settled_on` (None: still unpaid, accrued to the date of the
    statement), with the 0.2 % of R243-16 II for its months."""

    settled_on: date | None
    amount: int
    months: int
    complementary: int


@dataclass(frozen=True, slots=True)
class MajorationDetail:
    """The R243-16 majorations of one unpaid debit.

    `status`: `definitive` (the debt is settled, the majoration is posted), `provisional` (still accruing),
    `suspended` (under a payment plan in force), `not_due` (R243-11, droit à l'erreur), `lifted`
    (after a broken plan the suspended amount is due again: posted)."""

    debit: int
    due: date
    kind: str
    year: int
    base: int  # unpaid on the due date
    initial: int  # R243-16 I
    portions: tuple[Portion, ...]
    status: str
    posting: int | None = None  # the majoration debit, once posted
    remitted: int = 0
    droit_erreur: tuple[Condition, ...] = ()

    @property
    def complementary(self) -> int:
        return sum(p.complementary for p in self.portions)

    @property
    def amount(self) -> int:
        return self.initial + self.complementary


@dataclass(frozen=True, slots=True)
class PlanState:
    date: date
    instalments: tuple[tuple[Day, int], ...]
    covered: int  # cents exigible when granted
    status: str  # in_force | kept | broken
    ended_on: Day | None


@dataclass(frozen=True, slots=True)
class RemiseState:
    requested_on: date
    admissible: bool
    reason: str
    decided_on: date | None = None
    decision: str | None = None
    amount: int = 0
    remissible: int = 0
    authority: str | None = None  # directeur | commission_recours_amiable


@dataclass(frozen=True, slots=True)
class Presentation:
    """What a scheduled collection on `due` takes: unpaid sums carried there (R613-2 III), majorations, and the
    account's credit used."""

    due: date
    carried: int
    majorations: int
    credit_used: int
    collected: int
    rejected: bool
    majoration_years: tuple[tuple[int, int], ...] = ()  # the majorations by the year of the debt they are on


@dataclass(frozen=True, slots=True)
class Statement:
    """The account on `as_of`: every posting and allocation up to that date, and the balance.

    Invariant: called = paid + credited − refunded + outstanding − credit, to the cent."""

    as_of: date
    postings: tuple[Posting, ...]
    allocations: tuple[Allocation, ...]
    majorations: tuple[MajorationDetail, ...]
    presentations: tuple[Presentation, ...]  # every collection, planned ones after as_of included
    plans: tuple[PlanState, ...]
    remises: tuple[RemiseState, ...]
    refunds: tuple[tuple[CreditNote, int, int], ...]  # note, imputed on debts, refunded
    called: int
    paid: int  # money received
    credited: int  # régularisation, ajustement and remise credits
    refunded: int
    outstanding: int  # exigible and unpaid
    credit: int  # received and not yet used or refunded

    def posting(self, posting_id: int) -> Posting:
        return next(p for p in self.postings if p.id == posting_id)

    @property
    def late(self) -> tuple[Posting, ...]:
        """Debits exigible on `as_of` and not settled."""
        return tuple(p for p in self.postings if p.kind == "debit" and p.settled_on is None)


# --- The engine -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Debit:
    id: int
    due: date
    kind: str
    year: int
    amount: int
    unpaid: int
    settled_on: date | None = None
    base_of: int | None = None  # majorations: the debit they are computed on
    presented_on: date | None = None  # majorations: the collection that takes them
    covered_by: int | None = None  # index of the payment plan covering it
    detail: str = ""

    @property
    def contribution(self) -> bool:
        """A contribution: the base of majorations (R243-16), settled before majorations and penalties."""
        return self.kind in CONTRIBUTION_KINDS

    @property
    def called(self) -> bool:
        """Called by the planner on a due date (a contribution or a penalty): collected with its instalment and
        carried to the next one when unpaid (R613-2 III)."""
        return self.kind in CALLED_KINDS


@dataclass(slots=True)
class _Credit:
    id: int
    date: date
    origin: str
    year: int | None
    amount: int
    left: int
    refund_on: Day | None = None
    note: CreditNote | None = None


@dataclass(slots=True)
class _PlanRun:
    plan: Plan
    covered: list[int]
    total: int
    status: str = "in_force"
    ended_on: date | None = None


@dataclass
class Ledger:
    """The account replayed day by day (pure: `run` returns a Statement and changes nothing outside)."""

    calls: Sequence[Call]
    credit_notes: Sequence[CreditNote]
    incidents: Sequence[Incident]
    money: Sequence[Money]
    plans: Sequence[Plan]
    remise_requests: Sequence[RemiseRequest]
    remise_decisions: Sequence[RemiseDecision]
    as_of: date
    declared_on_time: Callable[[date], tuple[bool, str]]
    majorations_incidents: str = "streak"
    plan_rejections: frozenset[date] = frozenset()
    # The parameters of the majorations and remises (an organism's overridden ones, DESIGN §2.5; the packaged law
    # when None).
    law: Law | None = None
    postings: list[Posting] = field(default_factory=list)
    debits: dict[int, _Debit] = field(default_factory=dict)
    credits: dict[int, _Credit] = field(default_factory=dict)
    allocations: list[Allocation] = field(default_factory=list)
    majoration_details: dict[date, MajorationDetail] = field(default_factory=dict)
    presentations: list[Presentation] = field(default_factory=list)
    plan_runs: list[_PlanRun] = field(default_factory=list)
    remises: list[RemiseState] = field(default_factory=list)
    refund_rows: list[tuple[CreditNote, int, int]] = field(default_factory=list)
    carry: dict[date, int] = field(default_factory=dict)
    pending_remise: dict[date, int] = field(default_factory=dict)
    next_id: int = 1
    collecting: date | None = None
    collection_days: list[date] = field(default_factory=list)
    rejected: dict[date, Incident] = field(default_factory=dict)
    calls_by_day: dict[date, list[Call]] = field(default_factory=dict)
    plan_days: dict[date, list[tuple[int, int]]] = field(default_factory=dict)
    days: list[date] = field(default_factory=list)
    position: int = 0
    prepared: bool = False
    by_day: dict[tuple[str, date], list[Any]] = field(default_factory=dict)

    # -- postings ------------------------------------------------------------------------------------------------

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def post_debit(
        self, due: date, kind: str, year: int, amount: int, base_of: int | None = None, detail: str = ""
    ) -> _Debit:
        debit = _Debit(self._id(), due, kind, year, amount, amount, base_of=base_of, detail=detail)
        self.debits[debit.id] = debit
        return debit

    def post_credit(self, day: date, origin: str, year: int | None, amount: int) -> _Credit:
        credit = _Credit(self._id(), day, origin, year, amount, amount)
        self.credits[credit.id] = credit
        return credit

    def allocate(self, credit: _Credit, debit: _Debit, day: date, limit: int | None = None) -> int:
        """Allocate what the credit has left to the debit (at most `limit`), on `day`; returns the cents taken."""
        taken = min(credit.left, debit.unpaid, debit.unpaid if limit is None else limit)
        if taken <= 0:
            return 0
        credit.left -= taken
        debit.unpaid -= taken
        self.allocations.append(Allocation(credit.id, debit.id, day, taken))
        if debit.unpaid == 0:
            debit.settled_on = day
            self.settled(debit, day)
        return taken

    def exigible(self, day: date, plan_too: bool = True) -> list[_Debit]:
        """Unpaid debits exigible on `day`: contributions oldest first, then majorations oldest first.

        LAW: a payment the payer does not assign settles the oldest exigible contributions first, then the
        majorations (C. civ. 1342-10: the debts the debtor has most interest in paying — contributions bear
        majorations, majorations do not — then the oldest). docs/law-choices.md."""
        rows = [
            d for d in self.debits.values() if d.unpaid > 0 and d.due <= day and (plan_too or not self.under_plan(d))
        ]
        return sorted(rows, key=lambda d: (not d.contribution, d.due, d.id))

    def under_plan(self, debit: _Debit) -> bool:
        return debit.covered_by is not None and self.plan_runs[debit.covered_by].status == "in_force"

    def spend(self, credit: _Credit, day: date, debits: Iterable[_Debit]) -> None:
        for debit in debits:
            if credit.left <= 0:
                return
            self.allocate(credit, debit, day)

    # -- the days ------------------------------------------------------------------------------------------------

    def run(self) -> Statement:
        """Replay every day and return the statement on `as_of`."""
        self.advance(None)
        return self.statement()

    def prepare(self) -> None:
        calls_by_day: dict[date, list[Call]] = {}
        for call in self.calls:
            if call.amount > 0:
                calls_by_day.setdefault(call.due, []).append(call)
        self.calls_by_day = calls_by_day
        self.collection_days = sorted(calls_by_day)
        self.rejected = {i.due: i for i in self.incidents}
        plan_days: dict[date, list[tuple[int, int]]] = {}
        for index, plan in enumerate(self.plans):
            for day, amount in plan.instalments:
                plan_days.setdefault(day, []).append((index, amount))
        self.plan_days = plan_days
        days = set(calls_by_day) | set(plan_days)
        days |= {n.date for n in self.credit_notes} | {n.refund_on for n in self.credit_notes}
        days |= {m.date for m in self.money} | {p.date for p in self.plans} | {i.known_on for i in self.incidents}
        days |= {r.date for r in self.remise_requests} | {r.date for r in self.remise_decisions}
        days |= {day for i in self.incidents for day in i.carry_to}
        self.days = sorted(days)
        # Each day's events, so that a long history is replayed in one pass (no scan of every event each day).
        by_day: dict[tuple[str, date], list[Any]] = {}
        events: list[tuple[str, Day, Any]] = [("note", n.date, n) for n in self.credit_notes]
        events += [("money", m.date, m) for m in self.money]
        events += [("request", r.date, r) for r in self.remise_requests]
        events += [("decision", r.date, r) for r in self.remise_decisions]
        events += [("incident", i.known_on, i) for i in self.incidents]
        for kind, when, item in events:
            by_day.setdefault((kind, when), []).append(item)
        self.by_day = by_day
        self.position = 0
        self.prepared = True

    def advance(self, until: date | None) -> None:
        """Replay the days up to `until` included (all of them with None). The ledger can be saved between two
        calls (it is plain data: `pickle` or `copy.deepcopy`) and resumed: the result is the same."""
        if not self.prepared:
            self.prepare()
        calls_by_day, plan_days = self.calls_by_day, self.plan_days
        while self.position < len(self.days) and (until is None or self.days[self.position] <= until):
            day = self.days[self.position]
            self.position += 1
            for call in sorted(calls_by_day.get(day, []), key=lambda c: (CALLED_KINDS.index(c.kind), c.year)):
                self.post_debit(day, call.kind, call.year, call.amount, detail=call.detail)
            for note in self.by_day.get(("note", day), []):
                self.credit_note(note)
            self.use_credit(day)
            if day in calls_by_day or day in self.carry:
                self.collect(day)
            for index, amount in plan_days.get(day, []):
                self.plan_collect(index, day, amount)
            for money in self.by_day.get(("money", day), []):
                credit = self.post_credit(day, money.method, None, money.amount)
                self.spend(credit, day, self.exigible(day))
            for index, plan in enumerate(self.plans):
                if plan.date == day:
                    self.grant_plan(index, plan)
            for request in self.by_day.get(("request", day), []):
                self.remise_request(request)
            for decision in self.by_day.get(("decision", day), []):
                self.remise_decision(decision)
            for credit in [c for c in self.credits.values() if c.refund_on == day]:
                self.refund(credit, day)
            for incident in self.by_day.get(("incident", day), []):
                self.incident(incident)

    def credit_note(self, note: CreditNote) -> None:
        """R613-1-3 al. 2, R613-5 II: the credit is first set against the older debts, oldest first; the rest is
        refunded: `rules.imputation`, the rule the campaign's arrays ask too (`campaign._carried`)."""
        credit = self.post_credit(note.date, f"{note.kind}_credit", note.year, note.amount)
        credit.refund_on = note.refund_on
        credit.note = note
        older = [d for d in self.exigible(note.date) if d.due < note.date]
        taken, _ = imputation(SCALAR, credit.left, [d.unpaid for d in older])
        for debit, part in zip(older, taken, strict=True):
            if part:
                self.allocate(credit, debit, note.date, limit=part)

    def refund(self, credit: _Credit, day: date) -> None:
        assert credit.note is not None
        imputed = credit.amount - credit.left
        refunded = credit.left
        if refunded:
            credit.left = 0
            self.postings.append(
                Posting(
                    self._id(),
                    day,
                    "refund",
                    "refund",
                    credit.year,
                    refunded,
                    REFERENCES[credit.origin],
                    detail=f"crédit {credit.id}",
                )
            )
        self.refund_rows.append((credit.note, imputed, refunded))

    def use_credit(self, day: date) -> None:
        """Money already on the account settles what falls due (before the collection presents it)."""
        open_credits = [
            c for c in self.credits.values() if c.left > 0 and c.refund_on is None and c.origin in MONEY_METHODS
        ]
        if not open_credits:
            return
        debits = self.exigible(day, plan_too=False)
        for credit in sorted(open_credits, key=lambda c: c.id):
            self.spend(credit, day, [d for d in debits if d.unpaid > 0])

    def collect(self, day: date) -> None:
        """The scheduled collection of `day` (a direct debit, or the payment expected on the due date): the
        instalment, the unpaid sums carried to it (R613-2 III) and the majorations presented with it."""
        own = [d for d in self.debits.values() if d.due == day and d.unpaid > 0 and d.called]
        carried_amount = self.carry.pop(day, 0)
        targets = [d for d in self.exigible(day, plan_too=False) if d.due < day and d.called]
        carried_amount = min(carried_amount, sum(d.unpaid for d in targets))
        presented_majorations = [
            d for d in self.debits.values() if d.kind == "majoration" and d.presented_on == day and d.unpaid > 0
        ]
        credit_used = sum(a.amount for a in self.allocations if a.date == day and self.debits[a.debit].due == day)
        incident = self.rejected.get(day)
        if incident is not None:
            if carried_amount + sum(d.unpaid for d in own) + sum(d.unpaid for d in presented_majorations) == 0:
                raise LedgerError(
                    incident.line,
                    f"nothing was to be collected on {day}: the credit on the account had already settled it",
                )
            for majoration in presented_majorations:
                majoration.presented_on = next((d for d in self.collection_days if d > day), None)
            self.presentations.append(
                Presentation(
                    day,
                    carried_amount,
                    sum(d.unpaid for d in presented_majorations),
                    credit_used,
                    0,
                    True,
                    _by_year((d.year, d.unpaid) for d in presented_majorations),
                )
            )
            return
        self.collecting = day
        credit = self.post_credit(day, "direct_debit", None, 0)
        want = carried_amount + sum(d.unpaid for d in own) + sum(d.unpaid for d in presented_majorations)
        credit.amount = credit.left = want
        left_carried = carried_amount
        for debit in targets:
            if left_carried <= 0:
                break
            left_carried -= self.allocate(credit, debit, day, limit=left_carried)
        self.spend(credit, day, own)
        # Majorations posted by this very collection (the debts it settles) are taken with it.
        late = [d for d in self.debits.values() if d.kind == "majoration" and d.presented_on == day and d.unpaid > 0]
        extra = sum(d.unpaid for d in late) - sum(d.unpaid for d in presented_majorations)
        credit.amount += extra
        credit.left += extra
        self.spend(credit, day, late)
        taken = [
            (self.debits[a.debit].year, a.amount)
            for a in self.allocations
            if a.credit == credit.id and self.debits[a.debit].kind == "majoration"
        ]
        assert credit.left == 0, "a collection takes exactly what it presents"
        self.collecting = None
        self.presentations.append(
            Presentation(
                day,
                carried_amount - left_carried,
                sum(a for _, a in taken),
                credit_used,
                credit.amount,
                False,
                _by_year(taken),
            )
        )

    def incident(self, incident: Incident) -> None:
        """R613-2 III: the unpaid sum is recovered with the next payment; after two consecutive incidents the sums
        still due for the year are recovered in equal parts at the remaining quarterly due dates (R613-3 I al. 4)."""
        unpaid = sum(
            d.unpaid for d in self.exigible(incident.known_on, plan_too=False) if d.due <= incident.due and d.called
        )
        self.carry = {day: amount for day, amount in self.carry.items() if day <= incident.known_on}
        dates = [d for d in incident.carry_to if d > incident.known_on]
        if not dates or unpaid <= 0:
            return
        # Equal parts to the cent, the remainder on the last (DESIGN §2.1): the one rule of `schedule.spread`.
        shares = [cents(part) for part in spread(euros(unpaid), len(dates))]
        for day, share in zip(dates, shares, strict=True):
            self.carry[day] = self.carry.get(day, 0) + share

    # -- majorations (R243-16, R613-2 III, R613-3 I, R243-11) ----------------------------------------------------

    def group(self, due: date) -> list[_Debit]:
        """The contributions exigible on `due`: one instalment, the unit the majorations are computed on."""
        return [d for d in self.debits.values() if d.due == due and d.contribution]

    def group_settled_on(self, due: date) -> date | None:
        rows = self.group(due)
        if any(d.unpaid > 0 for d in rows):
            return None
        return max((d.settled_on for d in rows if d.settled_on is not None), default=None)

    def incident_of(self, debit: _Debit) -> Incident | None:
        if not debit.contribution:
            return None
        incident = self.rejected.get(debit.due)
        if incident is None:
            return None
        if incident.majorable:
            return incident
        if self.majorations_incidents == "streak" and incident.next_in_streak is not None:
            # Still unpaid at the second consecutive incident: majorations apply to it too (R613-2 III al. 2).
            settled_on = self.group_settled_on(debit.due)
            if settled_on is None or settled_on > incident.next_in_streak:
                return incident
        return None

    def compute(self, due: date, until: date) -> tuple[int, int, tuple[Portion, ...]]:
        """(base, initial, portions) of the majorations of the instalment due on `due` as known on `until`: 5 % of
        what was unpaid on the due date (R243-16 I), 0.2 % per month or fraction of month from the due date to the
        settlement of each portion (R243-16 II); what is still unpaid on `until` accrues to that date. Majorations
        are never a base: only contributions are."""
        rate, monthly = majoration_rates(self.law or load_law(), due)
        ids = {d.id for d in self.group(due)}
        amount = sum(d.amount for d in self.group(due))
        mine = [a for a in self.allocations if a.debit in ids and a.date <= until]
        base = amount - sum(a.amount for a in mine if a.date <= due)
        by_day: dict[date, int] = {}
        for allocation in mine:
            if allocation.date > due:
                by_day[allocation.date] = by_day.get(allocation.date, 0) + allocation.amount
        portions = [portion(paid, due, day, monthly) for day, paid in sorted(by_day.items())]
        unpaid = amount - sum(a.amount for a in mine)
        if unpaid > 0:
            accrued = portion(unpaid, due, until, monthly)
            portions.append(Portion(None, unpaid, accrued.months, accrued.complementary))
        return base, initial_majoration(base, rate), tuple(portions)

    def droit_erreur(self, debit: _Debit, total: int, plan: _PlanRun | None) -> tuple[Condition, ...]:
        """R243-11: the majorations are not due when the declarations were made, the sum paid within 30 days of the
        due date (or a plan signed within them and kept), no late payment in the previous 24 months, and the
        majorations below the monthly PASS."""
        law = self.law or load_law()
        delay = law.value_near("majorations.droit_erreur_delai_jours", debit.due)
        months = law.value_near("majorations.droit_erreur_anteriorite_mois", debit.due)
        pmss_count = law.value_near("majorations.droit_erreur_plafond_mois_pass", debit.due)
        pass_annual = law.value_near("plafond_securite_sociale.annuel", date(debit.due.year, 1, 1))
        assert isinstance(delay, int) and isinstance(months, int) and isinstance(pmss_count, int)
        assert isinstance(pass_annual, Decimal)
        declared, declared_detail = self.declared_on_time(debit.due)
        limit = debit.due + timedelta(days=delay)
        settled_on = self.group_settled_on(debit.due)
        paid_in_time = settled_on is not None and settled_on <= limit
        plan_in_time = plan is not None and plan.plan.date <= limit and plan.status == "kept"
        if paid_in_time:
            paid_detail = f"payé le {settled_on} (au plus tard le {limit})"
        elif plan_in_time:
            assert plan is not None
            paid_detail = f"plan d'apurement accordé le {plan.plan.date} (au plus tard le {limit}) et respecté"
        else:
            paid_detail = f"ni payé ni plan d'apurement respecté souscrit au plus tard le {limit}"
        incident = self.rejected[debit.due]
        window = add_months(debit.due, -months)
        earlier = [i for i in self.incidents if window <= i.due < debit.due and i.streak != incident.streak]
        ceiling = int(pass_annual * 100) * pmss_count // 12
        return (
            Condition("declarations", declared, declared_detail),
            Condition("paiement_30_jours", paid_in_time or plan_in_time, paid_detail),
            Condition(
                "aucun_retard_24_mois",
                not earlier,
                f"retard de paiement le {earlier[-1].due}" if earlier else f"aucun retard depuis le {window}",
            ),
            Condition(
                "montant_inferieur_pmss",
                total < ceiling,
                f"{format_euros(euros(total), cents=True)} pour un plafond mensuel de "
                f"{format_euros(euros(ceiling), cents=True)}",
            ),
        )

    def settled(self, debit: _Debit, day: date) -> None:
        """A debit is settled: once its whole instalment is, the majorations it bears become definitive (or not
        due, or suspended under a plan)."""
        if not debit.contribution or any(d.unpaid > 0 for d in self.group(debit.due)):
            return
        if self.incident_of(debit) is None or debit.due in self.majoration_details:
            return
        base, initial, portions = self.compute(debit.due, day)
        plan = self.plan_of(debit.due)
        if plan is not None and plan.status == "in_force":
            self.majoration_details[debit.due] = MajorationDetail(
                debit.id, debit.due, "echeance", debit.due.year, base, initial, portions, "suspended"
            )
            return
        status = "lifted" if plan is not None and plan.status == "broken" else "definitive"
        self.finalise(debit, base, initial, portions, plan, day, status)

    def plan_of(self, due: date) -> _PlanRun | None:
        indexes = {d.covered_by for d in self.group(due) if d.covered_by is not None}
        return self.plan_runs[min(indexes)] if indexes else None

    def finalise(
        self,
        debit: _Debit,
        base: int,
        initial: int,
        portions: tuple[Portion, ...],
        plan: _PlanRun | None,
        day: date,
        status: str,
    ) -> None:
        total = initial + sum(p.complementary for p in portions)
        conditions = self.droit_erreur(debit, total, plan)
        due = debit.due
        if all(c.met for c in conditions):
            self.majoration_details[due] = MajorationDetail(
                debit.id, due, "echeance", due.year, base, initial, portions, "not_due", droit_erreur=conditions
            )
            return
        remitted = min(self.pending_remise.pop(due, 0), total)
        posting = None
        if total - remitted > 0:
            majoration = self.post_debit(day, "majoration", due.year, total - remitted, base_of=debit.id)
            majoration.presented_on = self.next_collection(day)
            posting = majoration.id
        self.majoration_details[due] = MajorationDetail(
            debit.id, due, "echeance", due.year, base, initial, portions, status, posting, remitted, conditions
        )

    def next_collection(self, day: date) -> date | None:
        """The collection that takes a majoration posted on `day`: that day's own when one is under way, else the
        next one."""
        if day == self.collecting:
            return day
        return next((d for d in self.collection_days if d > day), None)

    # -- payment plans (R243-21) ---------------------------------------------------------------------------------

    def grant_plan(self, index: int, plan: Plan) -> None:
        covered = [d for d in self.exigible(plan.date) if not self.under_plan(d)]
        total = sum(d.unpaid for d in covered)
        if total <= 0:
            raise LedgerError(plan.line, f"payment_plan: nothing is exigible and unpaid on {plan.date}")
        scheduled = sum(amount for _, amount in plan.instalments)
        if scheduled < total:
            raise LedgerError(
                plan.line,
                f"payment_plan: the instalments ({euros(scheduled)} €) do not cover the exigible sums "
                f"({euros(total)} €) on {plan.date}",
            )
        for debit in covered:
            debit.covered_by = index
        # The carried presentations of covered sums stop: they are paid under the plan.
        self.carry.clear()
        while len(self.plan_runs) < index:
            self.plan_runs.append(_PlanRun(self.plans[len(self.plan_runs)], [], 0))
        self.plan_runs.append(_PlanRun(plan, [d.id for d in covered], total))

    def plan_collect(self, index: int, day: date, amount: int) -> None:
        if index >= len(self.plan_runs) or self.plan_runs[index].status != "in_force":
            return
        run = self.plan_runs[index]
        covered = sorted(
            (self.debits[i] for i in run.covered if self.debits[i].unpaid > 0),
            key=lambda d: (not d.contribution, d.due, d.id),
        )
        if day in self.plan_rejections:
            self.break_plan(run, day)
            return
        take = min(amount, sum(d.unpaid for d in covered))
        if take > 0:
            credit = self.post_credit(day, "plan", None, take)
            self.spend(credit, day, covered)
        if all(self.debits[i].unpaid == 0 for i in run.covered):
            self.end_plan(run, day, "kept")

    def end_plan(self, run: _PlanRun, day: date, status: str) -> None:
        run.status = status
        run.ended_on = day
        for due in sorted({self.debits[i].due for i in run.covered}):
            detail = self.majoration_details.get(due)
            if detail is not None and detail.status == "suspended":
                del self.majoration_details[due]
                debit = self.debits[detail.debit]
                base, initial, portions = self.compute(due, day)
                self.finalise(debit, base, initial, portions, run, day, "definitive" if status == "kept" else "lifted")

    def break_plan(self, run: _PlanRun, day: date) -> None:
        """A plan not kept brings back the majorations it suspended (R243-11, R243-20 al. 1: a remise granted
        under a plan is acquired only if the plan is kept)."""
        for debit_id in run.covered:
            self.pending_remise.pop(self.debits[debit_id].due, None)
        self.end_plan(run, day, "broken")

    # -- remise gracieuse (R243-20) ------------------------------------------------------------------------------

    def majorable_debits(self, day: date) -> list[_Debit]:
        return [d for d in self.debits.values() if d.due <= day and self.incident_of(d) is not None]

    def remise_request(self, request: RemiseRequest) -> None:
        """R243-20 al. 1: admissible only once the contributions that bore majorations are paid, or under a plan."""
        debits = self.majorable_debits(request.date)
        if not debits and not self.majoration_details:
            self.remises.append(RemiseState(request.date, False, "aucune majoration de retard sur le compte"))
            return
        unpaid = [
            d
            for d in debits
            if d.unpaid > 0 and not (d.covered_by is not None and self.plan_runs[d.covered_by].status == "in_force")
        ]
        if unpaid:
            self.remises.append(
                RemiseState(request.date, False, f"cotisations de l'échéance du {unpaid[0].due} non réglées")
            )
        else:
            self.remises.append(RemiseState(request.date, True, "cotisations réglées ou sous plan d'apurement"))

    def remise_decision(self, decision: RemiseDecision) -> None:
        open_requests = [r for r in self.remises if r.decided_on is None]
        if not open_requests:
            raise LedgerError(decision.line, "remise_decision: no remise request is waiting for a decision")
        request = open_requests[-1]
        if not request.admissible and decision.decision != "refused":
            raise LedgerError(
                decision.line,
                f"remise_decision: the request of {request.requested_on} is not admissible "
                f"({request.reason}): only a refusal can answer it",
            )
        law = self.law or load_law()
        delay = law.value_near("majorations.remise_complementaire_delai_jours", decision.date)
        threshold = law.value_near("majorations.remise_seuil_competence", decision.date)
        assert isinstance(delay, int) and isinstance(threshold, Decimal)
        remissible = 0
        shares: list[tuple[date, int]] = []
        for due, detail in sorted(self.majoration_details.items()):
            if detail.status not in ("definitive", "suspended", "lifted"):
                continue
            # R243-20 al. 2: the 0.2 % only when the contributions were paid within 30 days, or force majeure.
            settled_on = self.group_settled_on(due)
            in_time = settled_on is not None and settled_on <= due + timedelta(days=delay)
            share = detail.initial + (detail.complementary if in_time or decision.force_majeure else 0)
            share = max(0, share - detail.remitted - self.pending_remise.get(due, 0))
            remissible += share
            shares.append((due, share))
        if decision.decision == "total":
            amount = remissible
        elif decision.decision == "partial":
            assert decision.amount is not None
            amount = decision.amount
            if amount > remissible:
                raise LedgerError(
                    decision.line,
                    f"remise_decision: {euros(amount)} € is more than the remissible majorations "
                    f"({euros(remissible)} €, R243-20 al. 2)",
                )
        else:
            amount = 0
        if decision.decision == "partial" and decision.amount is None:
            raise LedgerError(decision.line, "remise_decision.amount: a partial remise needs its amount")
        authority = "directeur" if Decimal(amount) / 100 < threshold else "commission_recours_amiable"
        self.remises[self.remises.index(request)] = RemiseState(
            request.requested_on,
            request.admissible,
            request.reason,
            decision.date,
            decision.decision,
            amount,
            remissible,
            authority,
        )
        left = amount
        posted_targets: list[_Debit] = []
        posted = 0
        for due, share in shares:
            take = min(left, share)
            if take <= 0:
                continue
            left -= take
            detail = self.majoration_details[due]
            if detail.status == "suspended":
                # Acquired only if the plan is kept (R243-20 al. 1).
                self.pending_remise[due] = self.pending_remise.get(due, 0) + take
            else:
                self.majoration_details[due] = _with_remitted(detail, detail.remitted + take)
                posted += take
                if detail.posting is not None:
                    posted_targets.append(self.debits[detail.posting])
        if posted > 0:
            credit = self.post_credit(decision.date, "remise", None, posted)
            self.spend(credit, decision.date, posted_targets)
            if credit.left:
                # Majorations already paid: the remise is refunded.
                self.postings.append(
                    Posting(
                        self._id(),
                        decision.date,
                        "refund",
                        "refund",
                        None,
                        credit.left,
                        REFERENCES["remise"],
                        detail=f"crédit {credit.id}",
                    )
                )
                credit.left = 0

    # -- the statement -------------------------------------------------------------------------------------------

    def statement(self) -> Statement:
        as_of = self.as_of
        # Debts still unpaid at the end bear provisional majorations accrued to `as_of`.
        details: dict[date, MajorationDetail] = {}
        for due, detail in self.majoration_details.items():
            settled_on = self.group_settled_on(due)
            decided = settled_on if detail.posting is None else self.debits[detail.posting].due
            if due <= as_of and decided is not None and decided <= as_of and detail.status != "suspended":
                details[due] = detail
        for debit in self.debits.values():
            if debit.due > as_of or debit.due in details or self.incident_of(debit) is None:
                continue
            # Not settled on `as_of` (or settled later in the projection): provisional, accrued to that date.
            base, initial, portions = self.compute(debit.due, as_of)
            plan = self.plan_of(debit.due)
            status = "suspended" if plan is not None and _in_force(plan, as_of) else "provisional"
            details[debit.due] = MajorationDetail(
                debit.id, debit.due, "echeance", debit.due.year, base, initial, portions, status
            )
        allocations = tuple(a for a in self.allocations if a.date <= as_of)
        settled: dict[int, date] = {}
        paid_by_debit: dict[int, int] = {}
        for a in allocations:
            paid_by_debit[a.debit] = paid_by_debit.get(a.debit, 0) + a.amount
            settled[a.debit] = a.date
        postings: list[Posting] = []
        for debit in self.debits.values():
            if debit.due > as_of:
                continue
            done = settled.get(debit.id) if paid_by_debit.get(debit.id, 0) == debit.amount else None
            reference = REFERENCES.get(debit.kind, debit.kind)
            text = f"sur l'échéance {debit.base_of}" if debit.base_of is not None else debit.detail
            postings.append(
                Posting(debit.id, debit.due, "debit", debit.kind, debit.year, debit.amount, reference, done, text)
            )
        for credit in self.credits.values():
            if credit.date <= as_of and credit.amount > 0:
                postings.append(
                    Posting(
                        credit.id,
                        credit.date,
                        "credit",
                        credit.origin,
                        credit.year,
                        credit.amount,
                        REFERENCES.get(credit.origin, credit.origin),
                    )
                )
        postings += [p for p in self.postings if p.date <= as_of]
        postings.sort(key=lambda p: (p.date, p.id))
        called = sum(p.amount for p in postings if p.kind == "debit")
        paid = sum(p.amount for p in postings if p.kind == "credit" and p.origin in MONEY_METHODS)
        credited = sum(p.amount for p in postings if p.kind == "credit" and p.origin not in MONEY_METHODS)
        refunded = sum(p.amount for p in postings if p.kind == "refund")
        allocated = sum(a.amount for a in allocations)
        outstanding = called - allocated
        balance = paid + credited - refunded - allocated
        plans = tuple(
            PlanState(r.plan.date, r.plan.instalments, r.total, r.status, r.ended_on)
            for r in self.plan_runs
            if r.plan.date <= as_of and r.covered
        )
        return Statement(
            as_of=as_of,
            postings=tuple(postings),
            allocations=allocations,
            majorations=tuple(details[k] for k in sorted(details)),
            presentations=tuple(self.presentations),
            plans=plans,
            remises=tuple(self.remises),
            refunds=tuple(self.refund_rows),
            called=called,
            paid=paid,
            credited=credited,
            refunded=refunded,
            outstanding=outstanding,
            credit=balance,
        )


def _with_remitted(detail: MajorationDetail, remitted: int) -> MajorationDetail:
    return MajorationDetail(
        detail.debit,
        detail.due,
        detail.kind,
        detail.year,
        detail.base,
        detail.initial,
        detail.portions,
        detail.status,
        detail.posting,
        remitted,
        detail.droit_erreur,
    )


def _by_year(amounts: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    totals: dict[int, int] = {}
    for year, amount in amounts:
        totals[year] = totals.get(year, 0) + amount
    return tuple(sorted((year, amount) for year, amount in totals.items() if amount))


def _in_force(plan: _PlanRun, on: date) -> bool:
    """A plan is in force on `on` when it was granted by then and had not ended (kept or broken) by then."""
    return plan.plan.date <= on and (plan.ended_on is None or plan.ended_on > on)
