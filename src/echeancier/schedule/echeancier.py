"""The échéancier of L613-3 al. 2: every due date and amount, replayed from a contributor's events.

The account is event-sourced: the scenario's events are applied in date order (file order for the same date) to
an initially empty plan, and each one re-plans what it changes from the due date at which it takes effect. A plan
is a set of *components* — (kind, year) such as the provisional contributions of 2025 or the régularisation of
2024 — each with a target amount spread in equal instalments (R613-2 II) over its due dates. What a component has
already called (its parts on due dates before the effect date) is never changed: an event only re-spreads what
remains.

Rules, each under its article in the code below:
- provisional contributions in equal instalments Jan–Dec (R613-2 II), quarterly on option (R613-3 I);
- the declaration of N-1: régularisation of N-1 (R613-1-3), ajustement of N and provisional N+1 (R613-5 I);
  complements spread over the instalments still to come from the first due date at least 15 days after the
  declaration (DESIGN §2.3); credits refunded (R613-1-3 al. 2, R613-5 II) after imputation on older debts;
- CFP with the November instalment;
- modulation on an estimated income (R613-1-4 II);
- payment-day change (R613-2 I al. 3), quarterly option and its renunciation (R613-3);
- start of activity: flat-rate provisional contributions, first due date ≥ 90 days after the start (R613-4),
  year-1 amounts over the remaining due dates of year 1 or else over year 2;
- report and étalement (L131-6-1, R131-9), cessation (R613-1-5, R131-9 IV);
- missed payments (R613-2 III) and majorations de retard (R243-16);
- a declaration filed after the deadline bears the penalty of R613-1-1 III (10 % in the case of R613-1-2 II), called
  in one amount with the first due date of the échéancier that follows it; no declaration: the taxation d'office
  (R613-1-2) notified as an event, its contributions called like a régularisation and replaced by the real figures
  when the declaration arrives (`schedule/declarations.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from echeancier.account.ledger import (
    Call,
    CreditNote,
    Incident,
    Ledger,
    LedgerError,
    Money,
    Plan,
    Statement,
    cents,
    euros,
)
from echeancier.account.ledger import RemiseDecision as LedgerRemiseDecision
from echeancier.account.ledger import RemiseRequest as LedgerRemiseRequest
from echeancier.contributions import debut_outre_mer
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.professions_liberales import SECTION_NOTE
from echeancier.contributions.territory import OUTRE_MER, account_note, territory
from echeancier.kernel.dates import ONE_DAY, add_months
from echeancier.kernel.fmt import format_date, format_euros, format_rate
from echeancier.kernel.money import ZERO, round_cent
from echeancier.law import Law, LawError, load_law
from echeancier.organisms import Organism, organism_for
from echeancier.schedule import amounts, declarations, steps
from echeancier.schedule.calendar import (
    Frequency,
    debit_date,
    due_dates,
    first_due_date_at_least,
    first_due_date_on_or_after,
    frequency_for,
    months_effective,
    payment_days,
)
from echeancier.schedule.majorations import Majoration
from echeancier.schedule.scenario import (
    EVENT_TYPES,
    Cessation,
    Contributor,
    Declaration,
    EtalementRequest,
    MissedPayment,
    Modulation,
    PaymentDayChange,
    PaymentEvent,
    PaymentPlan,
    QuarterlyOption,
    QuarterlyRenounced,
    RejectedDebit,
    RemiseDecision,
    RemiseRequest,
    ReportRequest,
    Scenario,
    ScenarioError,
    TaxationOffice,
)
from echeancier.schedule.spread import spread

KINDS = (
    "provisional",
    "conjoint_collaborateur",  # the conjoint collaborateur's share of the provisional instalments (CSS L662-1)
    "ajustement",
    "regularisation",
    "taxation_office",
    "cfp",
    "etalement",
    "report",
    "penalite_declaration",
    "majoration",
    "carried_over",
)
# Events of the same day apply in the order of EVENT_TYPES, whatever their order in the file.
EVENT_ORDER = EVENT_TYPES
Key = tuple[str, int, int]  # (kind, year the amount is due for, sequence: the étalement fraction)


# --- Results ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    kind: str
    year: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Instalment:
    due_date: date  # the legal exigibility date
    debit_date: date  # the next business day of the département when the due date is not one
    parts: tuple[Part, ...]
    missed: bool = False
    credit_used: Decimal = ZERO  # the part of it the account's credit settled before the debit

    @property
    def amount(self) -> Decimal:
        return sum((part.amount for part in self.parts), ZERO)


@dataclass(frozen=True, slots=True)
class Refund:
    date: date
    kind: str  # regularisation | ajustement | etalement …
    year: int
    amount: Decimal  # refunded
    imputed: Decimal = ZERO  # set against older debts, oldest first
    on_instalments: Decimal = ZERO  # set against the provisional instalments still to come (R613-1-3 al. 2)


@dataclass(frozen=True, slots=True)
class Notice:
    """A document sent to the contributor (the échéancier itself, R613-5)."""

    date: date
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class Echeancier:
    instalments: tuple[Instalment, ...]
    refunds: tuple[Refund, ...]
    majorations: tuple[Majoration, ...]
    notices: tuple[Notice, ...]
    as_of: date
    called: Decimal  # exigible on or before as_of (carried amounts counted once), majorations included
    paid: Decimal  # money received on or before as_of (direct debits, transfers, plan instalments)
    notes: tuple[str, ...]
    outstanding: Decimal = ZERO  # exigible and unpaid on as_of
    credited: Decimal = ZERO  # régularisation, ajustement and remise credits
    refunded: Decimal = ZERO
    credit: Decimal = ZERO  # received and neither used nor refunded yet
    statement: Statement | None = None  # the ledger (account/ledger.py)
    organism: Organism | None = None  # who collects, on the as-of date (CSS R613-6 al. 1); set by build_echeancier
    residence_organism: Organism | None = None  # the residence's, when elsewhere: démarches only (R613-6 al. 2)
    penalties: tuple[declarations.Penalty, ...] = ()  # late declarations (R613-1-1 III, R613-1-2 II)
    taxations: tuple[Taxation, ...] = ()  # taxations d'office (R613-1-2)

    def year_total(self, year: int, kinds: tuple[str, ...] = KINDS) -> Decimal:
        """What the instalments call for `year` (the parts of that year, carried amounts excluded)."""
        return sum(
            (
                part.amount
                for instalment in self.instalments
                for part in instalment.parts
                if part.year == year and part.kind in kinds and part.kind != "carried_over"
            ),
            ZERO,
        )


@dataclass(frozen=True, slots=True)
class Taxation:
    """A taxation d'office (R613-1-2): the base of I, the contributions computed on it, called from `effect`;
    `replaced_on`: the day the real declaration replaced it (R613-1-2 IV al. 2)."""

    year: int
    notified_on: date
    effect: date
    base: declarations.TaxationBase
    retained: Decimal  # the base the contributions are computed on (I, or the higher one of V)
    unraised: Decimal  # that base without the 25 % of I al. 4: what a later taxation counts for this year (I a)
    contributions: Decimal
    replaced_on: date | None = None


# --- The plan ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mode:
    effective: date
    frequency: Frequency
    day: int


@dataclass(slots=True)
class Component:
    kind: str
    year: int  # the year the amount is due for
    target: Decimal
    pool_year: int  # the year whose due dates carry it (with the next year as fallback)
    earliest: date  # no part before this date
    single: bool = False  # one due date only (CFP)
    sequence: int = 0

    @property
    def key(self) -> Key:
        return (self.kind, self.year, self.sequence)


@dataclass(frozen=True, slots=True)
class _Incident:
    due: date
    known_on: date
    reason: str | None
    majorable: bool
    switched: bool  # the second consecutive incident of a monthly payer: the rest of the year quarterly
    line: int


def _param(key: str, day: date, law: Law | None = None) -> int:
    value = (law or load_law()).value_near(key, day)
    assert isinstance(value, int), key
    return value


def _rate(key: str, day: date, law: Law | None = None) -> Decimal:
    value = (law or load_law()).value_near(key, day)
    assert isinstance(value, Decimal), key
    return value


def carrying(dates: list[date], next_year: bool, single: bool, first_year: bool) -> list[date]:
    """The due dates that carry a component among `dates`, the first ones still to come of its year, or of the
    next year (`next_year`) when none remains. DESIGN §2.3: a complement with no due date left in its year is
    called at the first due date of the next year alone; only the first year's provisional contributions are spread
    over the second year's instalments (R613-4, `first_year`); a `single` component (the CFP) on one due date."""
    if single or (next_year and not first_year):
        return dates[:1]
    return dates


def recovered_on(after: date, dates: Iterable[date]) -> date | None:
    """R613-2 III al. 1: "Si un paiement mensuel n'est pas effectué à sa date d'exigibilité, la somme est recouvrée
    avec le paiement mensuel suivant": the first of `dates` after `after` (the due date, or the day the rejection
    is known when later), None when none is. The replay (`_Replay.ledger_incidents`) and the campaign's arrays
    (`campaign._carried`) ask this one rule."""
    return first_due_date_on_or_after(after + ONE_DAY, dates)


def nothing_due(label: str, day: date, parts: Iterable[object]) -> str | None:
    """R613-2 III, R613-3 I: an incident is about an instalment "non effectué à sa date d'exigibilité": the day it
    names must carry an amount called. The error of an incident (`label`, its type) on `day` whose `parts` (the
    amounts called on that day, in any unit: none when it is no due date) are all nothing — a day off the
    calendar, or an instalment a credit brought to nothing — else None. The replay (`_Replay.missed_payment`) and
    the campaign's arrays (`campaign._refusals`) ask this one rule."""
    return None if any(parts) else f"{label} : rien n'est dû le {format_date(day)}"


def cfp_call_from(year: int, *, law: Law | None = None) -> date:
    """LAW: the CFP of `year` is called with the November instalment: the first due date from this day on."""
    return date(year, _param("formation_professionnelle.mois_appel", date(year, 1, 1), law), 1)


def refund_date(day: date, *, law: Law | None = None) -> date:
    """A credit arising on `day` (a declaration) is refunded `delais.effet_declaration_jours` later (R613-5 II)."""
    return day + timedelta(days=_param("delais.effet_declaration_jours", day, law))


def first_due_floor(start: date, law: Law | None = None) -> date:
    """R613-4: "la première échéance … ne peut intervenir moins de 90 jours après le début d'activité": the day
    before which no provisional due date of an activity started on `start` falls."""
    return start + timedelta(days=_param("delais.premiere_echeance_jours", start, law))


def settlement_after_cessation(cessation: date, earliest: date, law: Law | None = None) -> date:
    """R131-9 IV, R613-1-5 2°: after a cessation, what remains due (a CFP not called yet, a régularisation's rest)
    falls due `delais.cessation_report_jours` after it, never before `earliest` (R613-4's first due date).

    LAW: R613-4 (no first exigibility less than 90 days after the start) prevails over the 60 days of R131-9 IV
    when the activity ceases within a month of starting (docs/law-choices.md)."""
    return max(cessation + timedelta(days=_param("delais.cessation_report_jours", cessation, law)), earliest)


def payment_day_effect(received: date, *, law: Law | None = None) -> date:
    """R613-2 I al. 3: a change of payment day "prend effet au plus tard le deuxième mois suivant celui de sa
    réception": the first day of the month `delais.changement_mois` months after the month of `received`."""
    return months_effective(received, _param("delais.changement_mois", received, law))


def renunciation_effect(received: date, *, law: Law | None = None) -> date:
    """R613-3 II: the renunciation of the quarterly option "prend effet au plus tard le deuxième mois suivant celui
    de sa réception": monthly again from the first day of the month `delais.changement_mois` months after the month
    of `received`."""
    return months_effective(received, _param("delais.changement_mois", received, law))


def quarterly_option_effect(received: date, start: str, *, law: Law | None = None) -> date | None:
    """R613-3 I: the day a quarterly option received on `received` takes effect — 1 January of the next year for
    `start: next_year` (al. 2, exercised before 1 December; None after it: refused), else the next quarterly due
    date at least `delais.option_trimestrielle_jours` after the request (al. 3); with no quarterly due date left
    in the year, 1 January of the next one when received before 1 December, else the first quarterly due date of
    the next year at least that many days away."""
    days = _param("delais.option_trimestrielle_jours", received, law)
    next_january = date(received.year + 1, 1, 1)
    december = date(received.year, 12, 1)
    if start == "next_year":
        return next_january if received < december else None
    effective = first_due_date_at_least(received, days, due_dates(received.year, Frequency.QUARTERLY, law=law))
    if effective is None:
        # No quarterly due date left this year: before 1 December the option takes effect on 1 January of the
        # next year (R613-3 I al. 2), so that the whole year is paid quarterly; later, at the first quarterly due
        # date at least 30 days away (al. 3).
        if received < december:
            return next_january
        return first_due_date_at_least(received, days, due_dates(received.year + 1, Frequency.QUARTERLY, law=law))
    return effective


def effect_after_cessation(on: date, delay: int, law: Law | None = None) -> date:
    """R613-1-5 2°: after a cessation, a declaration's complement is due 30 days after the call sent within
    `delay` days of it (not on a due date of the calendar)."""
    sent = on + timedelta(days=delay)
    return sent + timedelta(days=_param("delais.cessation_paiement_jours", sent, law))


@dataclass
class _Replay:
    scenario: Scenario
    law: Law = field(default_factory=load_law)  # the parameters (an organism's overridden ones: DESIGN §2.5)
    modes: list[Mode] = field(default_factory=list)
    components: dict[Key, Component] = field(default_factory=dict)
    parts: dict[date, dict[Key, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    missed: set[date] = field(default_factory=set)
    incidents: list[_Incident] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    # Credits already given for a year, so that no later declaration gives them again: the ajustement's
    # (R613-5 II) and the net régularisation of a declared year (a second declaration calls or credits only the
    # difference).
    ajustement_credits: dict[int, Decimal] = field(default_factory=dict)
    regularised: dict[int, Decimal] = field(default_factory=dict)
    imputed_credits: dict[int, Decimal] = field(default_factory=dict)  # R613-1-3 al. 2, set against `year`
    notices: list[Notice] = field(default_factory=list)
    payments: list[PaymentEvent] = field(default_factory=list)
    plan_dates: set[date] = field(default_factory=set)
    known: list[tuple[Any, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    modulated: set[int] = field(default_factory=set)
    declared: dict[int, date] = field(default_factory=dict)
    filed: dict[int, date] = field(default_factory=dict)  # the day each year's first declaration was filed
    declared_incomes: dict[int, Decimal] = field(default_factory=dict)
    taxations: dict[int, Taxation] = field(default_factory=dict)  # R613-1-2, by income year
    penalties: dict[int, declarations.Penalty] = field(default_factory=dict)  # R613-1-1 III, by income year
    call_details: dict[Key, str] = field(default_factory=dict)  # what a call is, for the ledger's posting
    declared_before: set[int] = field(default_factory=set)  # years declared again (corrections)
    cessation: date | None = None
    report_until: date | None = None
    etalement_years: int = 0
    payment_day_changes: dict[int, int] = field(default_factory=dict)
    dates_cache: dict[tuple[int, tuple[Mode, ...], date | None], list[date]] = field(default_factory=dict)
    # by year: (the conjoint collaborateur's contributions, the provisional contributions that include them)
    conjoint_shares: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)

    # -- calendar ------------------------------------------------------------------------------------------------

    @property
    def contributor(self) -> Contributor:
        return self.scenario.contributor

    def mode_at(self, day: date) -> Mode:
        current = self.modes[0]
        for mode in self.modes:
            if mode.effective <= day:
                current = mode
        return current

    def due_dates_of(self, year: int) -> list[date]:
        """The due dates of `year` under the payment modes in force on each of them (R613-2 I, R613-3 I)."""
        key = (year, tuple(self.modes), self.cessation)  # what they depend on: computed once for each
        if key not in self.dates_cache:
            self.dates_cache[key] = self._due_dates_of(year)
        return list(self.dates_cache[key])

    def _due_dates_of(self, year: int) -> list[date]:
        candidates = set(due_dates(year, Frequency.QUARTERLY, law=self.law))
        for day in payment_days(year, law=self.law):
            candidates.update(due_dates(year, Frequency.MONTHLY, day, law=self.law))
        dates = []
        of_mode: dict[Mode, list[date]] = {}  # each mode's dates asked once (the campaign replays many accounts)
        for candidate in sorted(candidates):
            mode = self.mode_at(candidate)
            if mode not in of_mode:
                of_mode[mode] = due_dates(
                    year, mode.frequency, mode.day if mode.frequency is Frequency.MONTHLY else None, law=self.law
                )
            if candidate in of_mode[mode]:
                dates.append(candidate)
        if self.cessation is not None:
            dates = [d for d in dates if d <= self.cessation]
        return dates

    def first_due_date(self, after: date, days: int = 0) -> date | None:
        """The first due date at least `days` after `after` (this year or the next)."""
        for year in (after.year, after.year + 1):
            try:
                found = first_due_date_at_least(after, days, self.due_dates_of(year))
            except LawError:
                return None  # past the years whose calendar is known
            if found is not None:
                return found
        return None

    # -- components ----------------------------------------------------------------------------------------------

    def called(self, key: Key, before: date) -> Decimal:
        return sum((amounts_.get(key, ZERO) for day, amounts_ in self.parts.items() if day < before), ZERO)

    def pool(self, component: Component, effect: date, mode: Mode | None = None) -> list[date]:
        """The due dates that carry `component` from `effect` (under `mode` alone when given)."""
        start = max(effect, component.earliest)
        for year in (component.pool_year, component.pool_year + 1):
            try:
                if mode is None:
                    dates = [d for d in self.due_dates_of(year) if d >= start]
                else:
                    day = mode.day if mode.frequency is Frequency.MONTHLY else None
                    dates = [d for d in due_dates(year, mode.frequency, day, law=self.law) if d >= start]
            except LawError:
                return []  # past the years whose calendar is known
            if self.cessation is not None:
                dates = [d for d in dates if d <= self.cessation]
            if self.report_until is not None and component.kind in ("provisional", "ajustement", "cfp"):
                dates = [d for d in dates if d >= self.report_until]
            if dates:
                first_year = component.kind == "provisional" and component.year == self.contributor.activity_start.year
                return carrying(dates, year > component.pool_year, component.single, first_year)
        return []

    def allocate(self, component: Component, remaining: Decimal, effect: date) -> list[tuple[date, Decimal]]:
        """Equal instalments over the due dates still to come (R613-2 II, R613-1-3, R613-5 II, R613-1-4 II).

        When a change of payment mode is already scheduled, the instalments before it are those of the mode in
        force — the amount spread as if that mode went on — and at the change what remains is spread again in
        equal parts over the new mode's due dates (R613-3 I al. 4, R613-3 II al. 2).
        """
        dates = self.pool(component, effect)
        if not dates:
            # After a cessation an amount falls due on its own date (R131-9 IV, R613-1-5 2°).
            floor = max(effect, component.earliest)
            if self.report_until is not None and component.kind in ("provisional", "ajustement", "cfp"):
                floor = max(floor, self.report_until)  # L131-6-1 al. 1: nothing before the twelve months end
            dates = [floor] if self.cessation else [self.settlement_date(floor)]
            return list(zip(dates, spread(remaining, 1), strict=True))
        change = next(
            (m.effective for m in self.modes if effect < m.effective <= dates[-1] and not component.single), None
        )
        if change is None:
            return list(zip(dates, spread(remaining, len(dates)), strict=True))
        current = self.pool(component, effect, self.mode_at(effect))
        before = [
            (day, amount)
            for day, amount in zip(current, spread(remaining, len(current)) if current else [], strict=True)
            if day < change
        ]
        rest = remaining - sum((amount for _, amount in before), ZERO)
        return before + self.allocate(component, rest, change)

    def replan(self, key: Key, effect: date) -> Decimal:
        """Re-spread what remains of component `key` from `effect`; returns the remainder (negative: a credit)."""
        component = self.components[key]
        for day in [d for d in self.parts if d >= effect and key in self.parts[d]]:
            del self.parts[day][key]
        remaining = component.target - self.called(key, effect)
        if remaining <= ZERO:
            return remaining
        for day, amount in self.allocate(component, remaining, effect):
            self.parts[day][key] = self.parts[day].get(key, ZERO) + amount
        return remaining

    def set_component(self, component: Component, effect: date) -> Decimal:
        self.components[component.key] = component
        return self.replan(component.key, effect)

    def keys_with_parts_from(self, effect: date) -> list[Key]:
        """The components with a part on a due date from `effect`."""
        return [
            key
            for key in list(self.components)
            if any(day >= effect for day, amounts_ in self.parts.items() if key in amounts_)
        ]

    def replan_all(self, effect: date) -> None:
        for key in self.keys_with_parts_from(effect):
            self.replan(key, effect)

    def settlement_date(self, after: date) -> date:
        """Where an amount goes when no due date remains: after a cessation, the settlement date (R131-9 IV,
        R613-1-5 2°); otherwise the first due date after `after`."""
        if self.cessation is not None:
            return settlement_after_cessation(self.cessation, self.earliest(), self.law)
        found = self.first_due_date(after)
        return found if found is not None else after  # a date past the known calendar: its legal date

    def credit(self, day: date, kind: str, year: int, amount: Decimal) -> None:
        """A credit is refunded after imputation on older debts, oldest first (R613-1-3 al. 2, R613-5 II): the
        ledger does both; after a cessation within 30 days of the call (R613-1-5 3°)."""
        refund_on = refund_date(day, law=self.law)
        if amount > ZERO:
            self.credit_notes.append(CreditNote(day, kind, year, cents(round_cent(amount)), refund_on))

    # -- the years -----------------------------------------------------------------------------------------------

    def earliest(self) -> date:
        """R613-4: the first provisional due date is not less than 90 days after the start of activity."""
        return first_due_floor(self.contributor.activity_start, self.law)

    def open_year(self, year: int) -> None:
        """The initial schedule of `year`: provisional contributions (R613-2 II) and CFP."""
        contributor = self.contributor
        given = self.scenario.amounts.get(year)
        start = contributor.activity_start
        if given is not None and given.provisional is not None:
            target = given.provisional
        elif amounts.is_debut_activite(contributor, year, law=self.law):
            computed = amounts.forfait(contributor, year, law=self.law)
            target = computed.amount
            self.note_law(computed.provisional_law, year)
            self.share_conjoint(year, computed)
        else:
            basis_year = year - 2
            income = self.scenario.incomes.get(basis_year)
            if income is None and basis_year in self.taxations:
                # R613-1-2 I: the taxed base, until the declaration replaces it (IV al. 2).
                taxation = self.taxations[basis_year]
                income = self.declared_incomes.get(basis_year) if taxation.replaced_on else taxation.retained
            if income is None:
                # LAW (docs/law-choices.md 220), R613-5 I 3°: the income a declaration of the replay gave (the
                # forecast's hypothetical declarations carry theirs; a scenario's `incomes` wins where it has it).
                income = self.declared_incomes.get(basis_year)
            if income is None:
                raise ScenarioError(
                    None,
                    f"incomes : le revenu de {basis_year} est nécessaire pour calculer les cotisations provisionnelles "
                    f"de {year} (ou donner amounts.{year}.provisional)",
                )
            first_known = self.law.first_date.year
            if basis_year < first_known and start.year == basis_year and start != date(basis_year, 1, 1):
                # R131-3-1 1°: the income of the year the activity started is brought to a whole year with that
                # year's law, which is not known: said as such rather than as a missing parameter.
                raise ScenarioError(
                    None,
                    f"incomes : le revenu de {basis_year}, année du début d'activité, est rapporté à l'année entière "
                    f"(R131-3-1 1°) selon les paramètres de {basis_year}, qui ne sont pas connus (la loi commence en "
                    f"{first_known}) : donner amounts.{year}.provisional",
                )
            computed = amounts.provisional(contributor, year, basis_year, income, law=self.law)
            target = computed.amount
            self.note_law(computed.provisional_law, year)
            self.share_conjoint(year, computed)
        earliest = max(date(year, 1, 1), self.earliest())
        pool_year = year
        if start.year == year and not [d for d in self.due_dates_of(year) if d >= earliest]:
            pool_year = year + 1  # R613-4: over the instalments of the second year when none remains in the first
        if self.report_until is not None and year == start.year:
            target = ZERO  # L131-6-1 al. 1: nothing is called for the first twelve months (R131-9 I)
        self.set_component(Component("provisional", year, target, pool_year, earliest), earliest)
        self.open_cfp(year, earliest)
        if start.year == year:
            first = self.first_due_date(earliest)
            if first is not None:
                sent = first - timedelta(days=_param("delais.envoi_echeancier_debut_jours", first, self.law))
                self.notices.append(Notice(sent, "echeancier_debut_activite", f"première échéance le {first}"))

    def share_conjoint(self, year: int, computed: amounts.Computed) -> None:
        if computed.conjoint and computed.amount:
            self.conjoint_shares[year] = (computed.conjoint, computed.amount)

    def conjoint_parts(self) -> dict[tuple[date, int], Decimal]:
        """The conjoint collaborateur's part of each provisional instalment (CSS L662-1: their contributions are
        called with the head's, on the same due dates, R613-2): the provisional parts of a year in the share of
        the conjoint's contributions in that year's provisional contributions, rounded to the cent on the running
        sum so that the parts add up to the share of the total."""
        found: dict[tuple[date, int], Decimal] = {}
        running: dict[int, tuple[Decimal, Decimal]] = {}
        for day in sorted(self.parts):
            for (kind, year, _), amount in self.parts[day].items():
                if kind != "provisional" or year not in self.conjoint_shares or amount == ZERO:
                    continue
                conjoint, whole = self.conjoint_shares[year]
                total, given = running.get(year, (ZERO, ZERO))
                total += amount
                share = round_cent(total * conjoint / whole) - given
                running[year] = (total, given + share)
                found[(day, year)] = share
        return found

    def open_cfp(self, year: int, earliest: date) -> None:
        """The CFP of the year is called with the November instalment (or the first one after)."""
        if ("cfp", year, 0) in self.components:
            return
        november = max(cfp_call_from(year, law=self.law), earliest)
        target = amounts.cfp(self.contributor, year, law=self.law)
        self.set_component(Component("cfp", year, target, november.year, november, single=True), november)

    def note_law(self, provisional_law: bool, year: int) -> None:
        if provisional_law and f"parametres_provisoires:{year}" not in self.notes:
            self.notes.append(f"parametres_provisoires:{year}")

    def called_for(self, year: int) -> Decimal:
        """Provisional contributions called for `year` (paid or not: unpaid ones remain separate debts), net of
        the ajustement credit already given for it (R613-5 II), which the régularisation must not give again."""
        keys = [("provisional", year, 0), ("ajustement", year, 0)]
        if any(key in self.components for key in keys):
            called = sum((self.components[key].target for key in keys if key in self.components), ZERO)
            return called - self.ajustement_credits.get(year, ZERO) + self.imputed_credits.get(year, ZERO)
        given = self.scenario.amounts.get(year)
        if given is not None and (given.adjusted is not None or given.provisional is not None):
            value = given.adjusted if given.adjusted is not None else given.provisional
            assert value is not None
            return value
        contributor = self.contributor
        if amounts.is_debut_activite(contributor, year, law=self.law):
            return amounts.forfait(contributor, year, law=self.law).amount
        known = [basis for basis, income in self.scenario.incomes.items() if income is not None]
        basis = amounts.called_basis(year, known)
        if basis is not None:
            return amounts.provisional(contributor, year, basis, self.scenario.incomes[basis], law=self.law).amount
        raise ScenarioError(
            None,
            f"amounts : les cotisations provisionnelles appelées pour {year} sont nécessaires "
            f"(amounts.{year}.provisional ou le revenu de {year - 2} dans incomes)",
        )

    # -- events --------------------------------------------------------------------------------------------------

    def declaration(self, event: Declaration, line: int) -> None:
        """R613-5 I: the declaration of year Y's income calls the régularisation of Y (R613-1-3), the ajustement
        of the current year's provisional contributions and the provisional contributions of the next year. Filed
        after the deadline, it bears the penalty of R613-1-1 III (R613-1-2 II al. 3: 10 %); after a taxation
        d'office, the contributions are regularised on its figures (R613-1-2 IV al. 2), the penalty kept."""
        declared = event.year if event.year is not None else event.date.year - 1
        given = self.scenario.amounts.get(declared)
        income = event.income if event.income is not None else self.scenario.incomes.get(declared)
        if income is None and (given is None or given.definitive is None):
            raise ScenarioError(
                line,
                f"declaration : le revenu de {declared} est nécessaire (income, ou incomes.{declared}"
                f", ou amounts.{declared}.definitive)",
            )
        correction = declared in self.declared or declared in self.taxations
        if declared in self.declared:
            self.declared_before.add(declared)
        else:
            self.filed[declared] = event.filed_on
        self.declared[declared] = event.date
        if income is not None:
            self.declared_incomes[declared] = income
        taxation = self.taxations.get(declared)
        if taxation is not None and taxation.replaced_on is None:
            self.taxations[declared] = replace(taxation, replaced_on=event.date)
        delay = _param("delais.effet_declaration_jours", event.date, self.law)
        effect = self.effect_after(event.date, delay, line)
        # 1° régularisation of the declared year (R613-1-3)
        if given is not None and given.definitive is not None:
            definitive = given.definitive
        else:
            assert income is not None
            end = self.cessation if self.cessation is not None and self.cessation.year == declared else None
            definitive = amounts.definitive(self.contributor, declared, income, end, law=self.law).amount
        kind = (
            "report"
            if self.report_until is not None and declared == self.contributor.activity_start.year
            else "regularisation"
        )
        self.notices.append(
            Notice(
                event.date + timedelta(days=delay),
                "echeancier",
                f"régularisation {declared}, ajustement {event.date.year}, provisionnelles {event.date.year + 1}",
            )
        )
        self.settle(declared, event.date, definitive, income, effect, kind, correction)
        if declared not in self.penalties and declared not in self.declared_before:
            found = declarations.penalty(
                declared, self.filed[declared], definitive, event.source == "administration_fiscale", self.law
            )
            if found is not None:
                # LAW: the penalty is called in one amount with the first due date of the échéancier that follows
                # the declaration, and only once per income year (docs/law-choices.md).
                self.penalties[declared] = found
                key: Key = (declarations.PENALTY_KIND, declared, 0)
                self.call_details[key] = (
                    f"{format_rate(found.rate)} de {format_euros(found.base)} — revenus {declared} déclarés le "
                    f"{found.filed_on}, date limite {found.deadline} ({found.reference})"
                )
                self.set_component(
                    Component(declarations.PENALTY_KIND, declared, found.amount, effect.year, effect, single=True),
                    effect,
                )

    def effect_after(self, on: date, delay: int, line: int) -> date:
        """The first due date at least `delay` days after `on`; after a cessation, 30 days after the call sent
        within the delay (R613-1-5 2°)."""
        if self.cessation is not None:
            return effect_after_cessation(on, delay, self.law)
        found = self.first_due_date(on, delay)
        if found is None:
            raise ScenarioError(line, f"declaration : aucune échéance connue après le {format_date(on)}")
        return found

    def settle(
        self,
        declared: int,
        on: date,
        definitive: Decimal,
        income: Decimal | None,
        effect: date,
        kind: str,
        correction: bool,
    ) -> None:
        """The régularisation of `declared` on its definitive contributions, the ajustement of the year of `on`
        and the provisional contributions of the next (R613-5 I 1° to 3°), from `effect`."""
        year = on.year
        called = self.called_for(declared)
        # A later declaration of the same year (a correction, or the real figures after a taxation d'office) calls
        # or credits only the difference with what the earlier ones already regularised.
        regularisation = definitive - called - self.regularised.get(declared, ZERO)
        self.regularised[declared] = self.regularised.get(declared, ZERO) + regularisation
        if regularisation > ZERO and correction:
            self.place_more(kind, declared, regularisation, effect, year)
            regularisation = ZERO
        elif regularisation < ZERO and correction:
            left = -regularisation
            for taken_kind in (declarations.TAXATION_KIND, kind):
                left = self.reduce_remaining((taken_kind, declared, 0), left, effect)
            regularisation = -left
        if regularisation > ZERO:
            ordinary, fractions = self.etalement_fractions(declared, regularisation)
            if ordinary > ZERO:
                self.place(kind, declared, ordinary, effect, year)
            for sequence, fraction in enumerate(fractions, start=1):
                # R131-9 II: the first fraction with this régularisation, each later one with the following
                # definitive contributions, a year apart.
                later = add_months(effect, 12 * (sequence - 1))
                first_kind = kind if kind == "report" and sequence == 1 else "etalement"
                self.place(first_kind, declared, fraction, later, later.year, sequence)
        # 2° ajustement of the current year (L131-6-2 al. 2: not the first year's, not after a modulation)
        # LAW: a modulation on the estimated income of the year is more recent information than the declared
        # income of the year before: the ajustement does not override it.
        adjustable = year != self.contributor.activity_start.year and year not in self.modulated
        if (
            declared == year - 1
            and ("provisional", year, 0) in self.components
            and adjustable
            and self.cessation is None
        ):
            self.ajustement(year, declared, income, effect, on, force=kind == declarations.TAXATION_KIND)
        if regularisation < ZERO:
            # After the ajustement, so that the credit is set against the adjusted instalments.
            self.regularisation_credit(on, declared, year, -regularisation, effect)
        # 3° provisional contributions of the next year
        following: Key = ("provisional", year + 1, 0)
        if declared == year - 1 and year + 1 in self.scenario.years and self.cessation is None:
            if following in self.components and correction and kind != declarations.TAXATION_KIND:
                taxation = self.taxations.get(declared)
                if taxation is not None and taxation.notified_on.year == year:
                    # R613-1-2 IV al. 2: opened on the taxed base, they are called on the real income instead.
                    del self.components[following]
                    for amounts_ in self.parts.values():
                        amounts_.pop(following, None)
            if following not in self.components:
                self.open_year(year + 1)

    def taxation_office(self, event: TaxationOffice, line: int) -> None:
        """R613-1-2: without the declaration of `year`, the contributions are computed "provisoirement et à titre
        forfaitaire" on the base of I (or the higher one of V), notified from the 30th to the 180th day after the
        deadline with an échéancier whose first due date is at least 15 days after the notification (IV); they are
        recovered as the definitive contributions of the year (IV al. 1) — here as its régularisation, kind
        `taxation_office` — and regularised on the real figures when the declaration arrives (IV al. 2)."""
        year = event.year
        if year in self.declared:
            raise ScenarioError(line, f"taxation_office : les revenus {year} ont été déclarés le {self.declared[year]}")
        if year in self.taxations:
            raise ScenarioError(line, f"taxation_office : les revenus {year} sont déjà taxés d'office")
        window = declarations.notification_window(year, law=self.law)
        if window is None:
            raise ScenarioError(
                line, f"taxation_office : la date limite de déclaration des revenus {year} n'est pas connue"
            )
        if not window[0] <= event.date <= window[1]:
            raise ScenarioError(
                line,
                f"taxation_office : la taxation des revenus {year} est notifiée du {window[0]} au {window[1]} "
                f"(CSS R613-1-2 IV), pas le {event.date}",
            )
        known = {y: v for y, v in self.scenario.incomes.items() if y < year}
        known.update({y: v for y, v in self.declared_incomes.items() if y < year})
        undeclared = 0
        for earlier in range(year - 1, self.contributor.activity_start.year - 1, -1):
            if earlier not in self.taxations or earlier in self.declared:
                break
            undeclared += 1
        for earlier, taxation in self.taxations.items():
            if earlier not in self.declared and earlier < year:
                # R613-1-2 I a): an undeclared year counts for the base of its contributions, without its 25 %.
                known[earlier] = taxation.unraised
        last_known = None
        end = self.cessation if self.cessation is not None and self.cessation.year == year else None
        if end is not None:
            last_known = known[max(known)] if known else None
        base = declarations.taxation_base(
            year,
            self.contributor.activity_start,
            known,
            undeclared,
            last_known,
            last_year=end is not None,
            law=self.law,
        )
        retained = base.base
        if event.base is not None:
            if event.base < base.base:
                raise ScenarioError(
                    line,
                    f"taxation_office.base : {format_euros(event.base)} est inférieure à la base de R613-1-2 I "
                    f"({format_euros(base.base)}) : le V ne permet de retenir qu'un montant supérieur",
                )
            retained = event.base
        if end is not None and last_known is None and event.base is None:
            # R613-1-2 I al. 5: without a known income, the revenu forfaitaire of L131-6-2 — not computed here for a
            # year that is not a start of activity: the organism gives the base it retains.
            raise ScenarioError(
                line,
                f"taxation_office.base : aucun revenu connu pour la dernière année d'activité ({year}) : la base "
                "forfaitaire de R613-1-2 I al. 5 (L131-6-2) est à donner",
            )
        contributions = amounts.definitive(self.contributor, year, retained, end, law=self.law).amount
        effect = self.effect_after(event.date, declarations.first_due_delay(event.date, law=self.law), line)
        unraised = retained if event.base is not None else base.unraised
        self.taxations[year] = Taxation(year, event.date, effect, base, retained, unraised, contributions)
        self.notices.append(
            Notice(event.date, "taxation_office", f"revenus {year} taxés d'office sur {format_euros(retained)}")
        )
        self.settle(year, event.date, contributions, retained, effect, declarations.TAXATION_KIND, False)

    def regularisation_credit(self, on: date, declared: int, year: int, amount: Decimal, effect: date) -> None:
        """R613-1-3 al. 2: an overpayment is "remboursé sans délai ou imputé sur les versements provisionnels
        restant à échoir au titre de l'année en cours"; imputed, what exceeds the instalments still to come is set
        against older debts, oldest first, and the rest refunded. Scenario option `regularisation_credit`:
        `impute` (default, the detailed path of the text) or `refund`."""
        if self.scenario.options.regularisation_credit == "refund" or self.cessation is not None:
            self.credit(on, "regularisation", declared, amount)
            return
        left = euros(steps.impute(SCALAR, _YearState(self, year), cents(amount), effect))
        on_instalments = amount - left
        # The instalments of `year` are called net of the credit, but they are paid for in full: the
        # régularisation of `year` counts the imputed credit as paid for it.
        self.imputed_credits[year] = self.imputed_credits.get(year, ZERO) + on_instalments
        if on_instalments:
            self.refunds.append(Refund(effect, "regularisation", declared, ZERO, on_instalments=on_instalments))
        if left > ZERO:
            self.credit(on, "regularisation", declared, left)

    def place_more(self, kind: str, year: int, amount: Decimal, effect: date, pool_year: int) -> None:
        """Add `amount` to what the component (kind, year) still has to call, from `effect`."""
        key = (kind, year, 0)
        if key in self.components:
            self.components[key].target += amount
            self.replan(key, effect)
        else:
            self.place(kind, year, amount, effect, pool_year)

    def reduce_remaining(self, key: Key, amount: Decimal, effect: date) -> Decimal:
        """Take up to `amount` off what component `key` has not yet called; returns what could not be taken."""
        if key not in self.components:
            return amount
        component = self.components[key]
        taken = min(amount, max(ZERO, component.target - self.called(key, effect)))
        component.target -= taken
        self.replan(key, effect)
        return amount - taken

    def place(self, kind: str, year: int, amount: Decimal, effect: date, pool_year: int, sequence: int = 0) -> None:
        self.set_component(Component(kind, year, amount, pool_year, effect, sequence=sequence), effect)

    def etalement_fractions(self, declared: int, amount: Decimal) -> tuple[Decimal, list[Decimal]]:
        """L131-6-1 al. 2, R131-9 II-III: the definitive contributions of the first twelve months are paid in equal
        annual fractions (each at least 20 %). For a year that extends beyond the twelve months, only the share
        "égale au rapport entre le nombre de mois ouvrant droit à ce bénéfice et le nombre de mois de cet exercice"
        is spread. Returns (the amount due as usual, the fractions).

        LAW: a month counts as "ouvrant droit" when it begins before the end of the twelve months.
        """
        start = self.contributor.activity_start
        if not self.etalement_years or declared > start.year + 1:
            return amount, []
        window_end = add_months(start, _param("delais.report_duree_mois", start, self.law))
        first = max(start, date(declared, 1, 1))
        last = min(date(declared, 12, 31), self.cessation or date(declared, 12, 31))
        exercise = [date(first.year, m, 1) for m in range(first.month, last.month + 1)]
        within = [month for month in exercise if month < window_end]
        if not within:
            return amount, []
        share = round_cent(amount * Decimal(len(within)) / Decimal(len(exercise)))
        return amount - share, spread(share, self.etalement_years)

    def ajustement(
        self, year: int, declared: int, income: Decimal | None, effect: date, on: date, force: bool = False
    ) -> None:
        """R613-5 I 2° and II: provisional contributions of `year` recomputed on the declared income; a complement
        over the instalments still to come, an excess already paid refunded. `force`: on the income given (a
        taxation d'office's base), not on a notice's adjusted amount."""
        given = self.scenario.amounts.get(year)
        if given is not None and given.adjusted is not None and not force:
            new_target = given.adjusted
        else:
            if income is None:
                return
            computed = amounts.provisional(self.contributor, year, declared, income, law=self.law)
            new_target = computed.amount
            self.note_law(computed.provisional_law, year)
        # What an earlier ajustement of the year already credited back (R613-5 II).
        credited = self.ajustement_credits.get(year, ZERO)
        credit = euros(steps.adjust(SCALAR, _YearState(self, year), cents(new_target), cents(credited), effect))
        if credit > ZERO:
            self.credit(on, "ajustement", year, credit)
            self.ajustement_credits[year] = credited + credit

    def modulation(self, event: Modulation, line: int) -> None:
        """R613-1-4 II: provisional contributions on the estimated income of the year, from the first due date at
        least 15 days after the request; an excess already paid is refunded only once the real income is known."""
        year = event.date.year
        if ("provisional", year, 0) not in self.components:
            raise ScenarioError(line, f"modulation : aucune cotisation provisionnelle de {year} à moduler")
        delay = _param("delais.effet_modulation_jours", event.date, self.law)
        effect = self.first_due_date(event.date, delay)
        assert effect is not None
        computed = amounts.estimated(self.contributor, year, event.estimated_income, self.cessation, law=self.law)
        self.note_law(computed.provisional_law, year)
        excess = steps.modulate(SCALAR, _YearState(self, year), cents(computed.amount), effect)
        if excess > 0:
            self.notes.append(f"trop_verse_apres_revenu_reel:{year}")
        self.modulated.add(year)
        self.notices.append(
            Notice(
                effect - timedelta(days=delay),
                "echeancier_modulation",
                f"revenu estimé {format_euros(event.estimated_income)}",
            )
        )

    def change_mode(self, effective: date, frequency: Frequency, day: int) -> None:
        steps.change_calendar(_CalendarChange(self, Mode(effective, frequency, day)), effective)

    def payment_day_change(self, event: PaymentDayChange, line: int) -> None:
        """R613-2 I al. 3: once per civil year, effective at the latest the second month after receipt."""
        effective = payment_day_effect(event.date, law=self.law)
        current = self.mode_at(effective)
        self.change_mode(effective, current.frequency, event.day)

    def quarterly_option(self, event: QuarterlyOption, line: int) -> None:
        """R613-3 I: quarterly from the next quarterly due date at least 30 days after the request (an option made
        before 1 December for 1 January comes to the same: the first quarterly date of January's year)."""
        effective = quarterly_option_effect(event.date, event.start, law=self.law)
        if effective is None:
            raise ScenarioError(
                line,
                "quarterly_option : pour prendre effet au 1er janvier, l'option doit être exercée avant le "
                "1er décembre",
            )
        self.change_mode(effective, Frequency.QUARTERLY, self.mode_at(event.date).day)

    def quarterly_renounced(self, event: QuarterlyRenounced, line: int) -> None:
        """R613-3 II: monthly again at the latest the second month after receipt; the remaining provisional
        contributions in as many equal monthly payments as calendar months remain."""
        if not self.contributor.payment.direct_debit:
            raise ScenarioError(
                line, "quarterly_renounced : le paiement mensuel demande une autorisation de prélèvement"
            )
        effective = renunciation_effect(event.date, law=self.law)
        self.change_mode(effective, Frequency.MONTHLY, self.mode_at(event.date).day)

    def missed_payment(self, event: MissedPayment | RejectedDebit, line: int) -> None:
        """R613-2 III: an unpaid monthly instalment is recovered with the next one; after two consecutive incidents
        in the civil year the sums still due for the year are recovered quarterly (R613-3 I al. 4) and the
        majorations de retard of R243-16 apply (R613-2 III al. 2); for a quarterly payer from the first incident
        (R613-3 I). The planner only re-plans the calendar; what was unpaid, carried and surcharged is the
        ledger's (account/ledger.py)."""
        day = event.due_date if isinstance(event, RejectedDebit) and event.due_date is not None else event.date
        if isinstance(event, RejectedDebit) and event.due_date is None:
            # A return without its collection date: the last instalment due on or before the rejection.
            called = [d for d in sorted(self.parts) if d <= event.date and any(self.parts[d].values())]
            if not called:
                raise ScenarioError(line, f"rejected_debit : rien n'était dû au plus tard le {format_date(event.date)}")
            day = called[-1]
        if day in self.plan_dates:
            return  # an instalment of a payment plan: the ledger breaks the plan
        label = event.type
        refused = nothing_due(label, day, self.parts.get(day, {}).values())
        if refused is not None:
            raise ScenarioError(line, refused)
        if day in self.missed:
            raise ScenarioError(line, f"{label} : l'échéance du {format_date(day)} est déjà impayée")
        year_dates = [d for d in sorted(self.parts) if d.year == day.year and d < day and any(self.parts[d].values())]
        consecutive = bool(year_dates) and year_dates[-1] in self.missed
        quarterly = self.mode_at(day).frequency is Frequency.QUARTERLY
        self.missed.add(day)
        reason = event.reason if isinstance(event, RejectedDebit) else None
        switched = consecutive and not quarterly
        self.incidents.append(_Incident(day, event.date, reason, quarterly or consecutive, switched, line))
        if switched:
            # Rest of the year quarterly, then back to the chosen mode on 1 January.
            effect = max(day, event.date) + ONE_DAY
            current = self.mode_at(day)
            resume = date(day.year + 1, 1, 1)
            later = [m for m in self.modes if m.effective >= resume]
            self.modes = [m for m in self.modes if m.effective < effect] + [
                Mode(effect, Frequency.QUARTERLY, current.day)
            ]
            if not later:
                self.modes.append(Mode(resume, current.frequency, current.day))
            else:
                self.modes.extend(later)
            self.replan_all(effect)

    def ledger_incidents(self) -> list[Incident]:
        """The incidents as the ledger takes them, with where their unpaid sums are presented again: the next due
        date (R613-2 III al. 1), or the remaining quarterly due dates of the year after the second consecutive one
        (al. 1, R613-3 I al. 4); after a cessation, its settlement date."""
        result = []
        streak = 0
        ordered = sorted(self.incidents, key=lambda i: i.due)
        for index, incident in enumerate(ordered):
            called = [d for d in sorted(self.parts) if any(self.parts[d].values())]
            previous = [d for d in called if d < incident.due and d.year == incident.due.year]
            if not (previous and previous[-1] in self.missed):
                streak += 1
            after = max(incident.due, incident.known_on)
            carry: list[date] = []
            if incident.switched:
                try:
                    carry = [d for d in self.due_dates_of(incident.due.year) if d > after]
                except LawError:
                    carry = []
            if not carry:
                found = None
                for year in (after.year, after.year + 1):
                    try:
                        found = recovered_on(after, self.due_dates_of(year))
                    except LawError:
                        break
                    if found is not None:
                        break
                if self.cessation is not None and (found is None or found > self.cessation):
                    found = max(self.settlement_date(after), after + ONE_DAY)
                carry = [found] if found is not None else []
            following = ordered[index + 1] if index + 1 < len(ordered) else None
            next_in_streak = None
            if following is not None:
                between = [d for d in called if incident.due < d < following.due]
                if not between and following.due.year == incident.due.year:
                    next_in_streak = following.due
            result.append(
                Incident(
                    incident.due,
                    incident.known_on,
                    incident.reason,
                    incident.majorable,
                    streak,
                    next_in_streak,
                    tuple(carry),
                    incident.line,
                )
            )
        return result

    def payment(self, event: PaymentEvent) -> None:
        """Money received: the ledger allocates it; the planner only remembers it (R131-9 I: no report after a
        payment)."""
        self.payments.append(event)

    def report_request(self, event: ReportRequest, line: int) -> None:
        """L131-6-1 al. 1, R131-9 I: on a written request within 30 days of the affiliation and before any payment,
        nothing is called for the first twelve months; the deferred contributions fall due with the following
        definitive contributions. LAW: the provisional contributions of the second year are spread over its
        instalments after the twelve months."""
        start = self.contributor.activity_start
        delay = _param("delais.report_demande_jours", start, self.law)
        limit = start + timedelta(days=delay)
        if event.date > limit:
            raise ScenarioError(
                line,
                f"report_request : à demander dans les {delay} jours de l'affiliation "
                f"(au plus tard le {format_date(limit)})",
            )
        if any(p.date <= event.date for p in self.payments):
            raise ScenarioError(line, "report_request : à demander avant tout paiement (R131-9 I)")
        self.report_until = add_months(start, _param("delais.report_duree_mois", start, self.law))
        for key, component in list(self.components.items()):
            if component.kind == "provisional" and component.year == start.year:
                component.target = ZERO
            self.replan(key, start)

    def etalement_request(self, event: EtalementRequest, line: int) -> None:
        """R131-9 II: requested at the latest with the declaration of the year the twelve months began."""
        first_year = self.contributor.activity_start.year
        if first_year in self.declared and event.date > self.declared[first_year]:
            raise ScenarioError(
                line,
                f"etalement_request : à demander au plus tard avec la déclaration des revenus "
                f"{first_year} ({format_date(self.declared[first_year])})",
            )
        self.etalement_years = event.years

    def cessation_event(self, event: Cessation, line: int) -> None:
        """Provisional contributions stop (the year's are reduced pro rata, R131-3-1 2°, and settled by the final
        régularisation, R613-1-5); sums deferred or spread fall due within 60 days (R131-9 IV)."""
        self.cessation = event.date
        settlement = self.settlement_date(event.date)
        for key, component in list(self.components.items()):
            if component.kind in ("provisional", "ajustement") or (
                component.kind == "cfp" and component.year > event.date.year
            ):
                # Nothing of a year after the cessation is due: its provisional contributions and CFP, opened by
                # an earlier échéancier, are cancelled (R613-1-5; L6331-48 C. trav.: the CFP of a year of activity).
                component.target = self.called(key, event.date + ONE_DAY)
                self.replan(key, event.date + ONE_DAY)
            elif component.kind in ("report", "etalement", "cfp", "regularisation"):
                component.earliest = settlement
                self.replan(key, event.date + ONE_DAY)
        self.notes.append(f"cessation:{event.date}")

    # -- the run -------------------------------------------------------------------------------------------------

    def run(self, as_of: date | None) -> Echeancier:
        contributor = self.contributor
        payment = contributor.payment
        frequency = frequency_for(payment.direct_debit, Frequency(payment.frequency))
        if frequency is not Frequency(payment.frequency):
            self.notes.append("trimestriel_sans_prelevement")
        self.modes = [Mode(date(1900, 1, 1), frequency, payment.day)]
        first_year = self.scenario.years[0]
        self.open_year(max(first_year, contributor.activity_start.year))
        ordered = sorted(
            zip(self.scenario.events, self.scenario.event_lines or [0] * len(self.scenario.events), strict=False),
            # Same day: the order of EVENT_TYPES, then the content, so that the order of the file never matters.
            key=lambda pair: (pair[0].date, EVENT_ORDER.index(pair[0].type), pair[0].model_dump_json()),
        )
        handlers = {
            Declaration: self.declaration,
            TaxationOffice: self.taxation_office,
            Modulation: self.modulation,
            PaymentDayChange: self.payment_day_change,
            QuarterlyOption: self.quarterly_option,
            QuarterlyRenounced: self.quarterly_renounced,
            MissedPayment: self.missed_payment,
            RejectedDebit: self.missed_payment,
            ReportRequest: self.report_request,
            EtalementRequest: self.etalement_request,
            Cessation: self.cessation_event,
        }
        self.plan_dates = {
            instalment.date
            for event in self.scenario.events
            if isinstance(event, PaymentPlan) and (as_of is None or event.date <= as_of)
            for instalment in event.instalments
        }
        for event, line in ordered:
            if as_of is not None and event.date > as_of:
                break
            self.open_years_until(event.date)
            if isinstance(event, PaymentEvent):
                self.payment(event)
                continue
            if isinstance(event, PaymentPlan | RemiseRequest | RemiseDecision):
                continue  # the ledger's
            if self.cessation is not None and not isinstance(
                event, Declaration | MissedPayment | RejectedDebit | TaxationOffice
            ):
                # After the cessation only the declarations of the last incomes, the payments and what recovery
                # decides remain (R613-1-5).
                raise ScenarioError(
                    line, f"{event.type} : impossible après la cessation du {format_date(self.cessation)}"
                )
            handlers[type(event)](event, line)  # type: ignore[operator]
        self.open_years_until(date(self.scenario.years[-1], 12, 31))
        self.known = [(e, line) for e, line in ordered if as_of is None or e.date <= as_of]
        return self.result(as_of, self.known)

    def open_years_until(self, day: date) -> None:
        """A year starts with the provisional contributions on the last known income when no declaration opened it."""
        for year in self.scenario.years:
            if (
                year <= day.year
                and ("provisional", year, 0) not in self.components
                and (self.cessation is None or year <= self.cessation.year)
                and year >= self.contributor.activity_start.year
            ):
                self.open_year(year)

    def declared_on_time(self, due: date) -> tuple[bool, str]:
        """R243-11: "le cotisant, qui respecte les obligations déclaratives … de l'article L. 613-2": the last
        declaration whose deadline passed before `due` was made by that deadline (or its definitive amounts are
        known from a notice). LAW: docs/law-choices.md."""
        law = self.law
        year = due.year - 1
        deadline = law.value_near("delais.declaration_revenus_date_limite", date(due.year, 1, 1))
        assert isinstance(deadline, date)
        if due <= deadline:
            year -= 1
            try:
                deadline_value = law.value_near("delais.declaration_revenus_date_limite", date(due.year - 1, 1, 1))
            except LawError:
                return True, f"aucune déclaration connue n'était due avant le {due}"
            assert isinstance(deadline_value, date)
            deadline = deadline_value
        if year < self.contributor.activity_start.year:
            return True, f"aucune déclaration n'était encore due le {due}"
        made = self.filed.get(year)
        history = min([date(self.scenario.years[0], 1, 1), *(e.date for e in self.scenario.events)])
        if made is None and deadline < history:
            # LAW: a deadline before the account's history (its first event or first year shown): presumed met.
            return True, f"revenus {year} : déclaration antérieure à l'historique du compte, présumée faite"
        if made is not None and made <= deadline:
            return True, f"revenus {year} déclarés le {made} (date limite {deadline})"
        given = self.scenario.amounts.get(year)
        if made is None and given is not None and given.definitive is not None:
            return True, f"revenus {year} connus (cotisations définitives de l'avis)"
        if made is not None:
            return False, f"revenus {year} déclarés le {made}, après la date limite du {deadline}"
        return False, f"revenus {year} non déclarés à la date limite du {deadline}"

    def make_ledger(self, as_of: date | None, events: list[tuple[Any, int]]) -> Ledger:
        """The account's ledger from what the planner called and the money events known on `as_of`."""
        end = as_of or date(self.scenario.years[-1], 12, 31)
        calls = [
            Call(day, kind, year, cents(amount), self.call_details.get((kind, year, sequence), ""))
            for day, amounts_ in self.parts.items()
            for (kind, year, sequence), amount in amounts_.items()
            if amount > ZERO
        ]
        money = [
            Money(e.date, cents(e.amount), e.method, e.reference, line)
            for e, line in events
            if isinstance(e, PaymentEvent)
        ]
        plans = [
            Plan(e.date, tuple((i.date, cents(i.amount)) for i in e.instalments), line)
            for e, line in events
            if isinstance(e, PaymentPlan)
        ]
        plan_rejections = frozenset(
            day
            for e, _ in events
            if isinstance(e, MissedPayment | RejectedDebit)
            for day in [e.due_date if isinstance(e, RejectedDebit) and e.due_date is not None else e.date]
            if day in self.plan_dates
        )
        return Ledger(
            calls=calls,
            credit_notes=self.credit_notes,
            incidents=self.ledger_incidents(),
            money=money,
            plans=plans,
            remise_requests=[LedgerRemiseRequest(e.date, line) for e, line in events if isinstance(e, RemiseRequest)],
            remise_decisions=[
                LedgerRemiseDecision(
                    e.date, e.decision, None if e.amount is None else cents(e.amount), e.force_majeure, line
                )
                for e, line in events
                if isinstance(e, RemiseDecision)
            ],
            as_of=end,
            declared_on_time=self.declared_on_time,
            majorations_incidents=self.scenario.options.majorations_incidents,
            plan_rejections=plan_rejections,
            law=self.law,
        )

    def result(self, as_of: date | None, events: list[tuple[Any, int]]) -> Echeancier:
        years = set(self.scenario.years)
        department = self.contributor.department
        end = as_of or date(self.scenario.years[-1], 12, 31)
        ledger = self.make_ledger(as_of, events)
        try:
            statement = ledger.run()
        except LedgerError as error:
            raise ScenarioError(error.line, error.message) from None
        presented = {p.due: p for p in statement.presentations}
        conjoint = self.conjoint_parts()
        instalments = []
        for day in sorted(set(self.parts) | set(presented)):
            parts = []
            for (kind, year, _), amount in sorted(
                self.parts.get(day, {}).items(), key=lambda item: KINDS.index(item[0][0])
            ):
                share = conjoint.get((day, year), ZERO) if kind == "provisional" else ZERO
                if amount - share != ZERO:
                    parts.append(Part(kind, year, amount - share))
                if share != ZERO:
                    parts.append(Part("conjoint_collaborateur", year, share))
            presentation = presented.get(day)
            credit_used = ZERO
            if presentation is not None:
                if presentation.carried:
                    parts.append(Part("carried_over", day.year, euros(presentation.carried)))
                parts += [Part("majoration", year, euros(amount)) for year, amount in presentation.majoration_years]
                credit_used = euros(presentation.credit_used)
            shown = day.year in years or any(p.year in years and p.kind not in ("carried_over",) for p in parts)
            if not parts or not shown:
                continue
            missed = presentation is not None and presentation.rejected
            instalments.append(Instalment(day, debit_date(day, department), tuple(parts), missed, credit_used))
        refunds = list(self.refunds)
        for note, imputed, refunded in statement.refunds:
            refunds.append(Refund(note.refund_on, note.kind, note.year, euros(refunded), euros(imputed)))
        return Echeancier(
            instalments=tuple(instalments),
            refunds=tuple(sorted(refunds, key=lambda r: r.date)),
            majorations=tuple(_majoration_rows(statement)),
            notices=tuple(sorted(self.notices, key=lambda n: n.date)),
            as_of=end,
            called=euros(statement.called),
            paid=euros(statement.paid),
            notes=tuple(self.notes),
            outstanding=euros(statement.outstanding),
            credited=euros(statement.credited),
            refunded=euros(statement.refunded),
            credit=euros(statement.credit),
            statement=statement,
            penalties=tuple(self.penalties[y] for y in sorted(self.penalties)),
            taxations=tuple(self.taxations[y] for y in sorted(self.taxations)),
        )


def _majoration_rows(statement: Statement) -> list[Majoration]:
    """The majorations as the documents show them: one row per settled (or still unpaid) portion of each unpaid
    debit, the 5 % on its first row."""
    rows = []
    for detail in statement.majorations:
        for index, portion in enumerate(detail.portions):
            rows.append(
                Majoration(
                    due_date=detail.due,
                    paid_on=portion.settled_on or statement.as_of,
                    base=euros(portion.amount),
                    initial=euros(detail.initial) if index == 0 else ZERO,
                    months=portion.months,
                    complementary=euros(portion.complementary),
                    status=detail.status,
                    settled_on=portion.settled_on,
                    unpaid_base=euros(detail.base),
                )
            )
    return rows


class _YearState:
    """The replay's components of `year` as a `steps.State`: the kinds of the year (sequence 0), in cents (the
    replay's amounts are whole cents in Decimal euros: `cents` and `euros` are exact)."""

    def __init__(self, replay: _Replay, year: int) -> None:
        self.replay, self.year = replay, year

    def key(self, kind: str) -> Key:
        return (kind, self.year, 0)

    def has(self, kind: str) -> bool:
        return self.key(kind) in self.replay.components

    def called(self, kind: str, before: date) -> int:
        return cents(self.replay.called(self.key(kind), before))

    def target(self, kind: str) -> int:
        return cents(self.replay.components[self.key(kind)].target)

    def set_target(self, kind: str, value: int) -> None:
        self.replay.components[self.key(kind)].target = euros(value)

    def replan(self, kind: str, effect: date, active: bool = True) -> None:
        if active:
            self.replay.replan(self.key(kind), effect)

    def place(self, kind: str, value: int, effect: date) -> None:
        self.replay.place(kind, self.year, euros(value), effect, self.year)


class _CalendarChange:
    """The replay as a `steps.CalendarState`: its components by key, `mode` taken from its effect."""

    def __init__(self, replay: _Replay, mode: Mode) -> None:
        self.replay, self.mode = replay, mode

    def take_calendar(self) -> None:
        modes = [m for m in self.replay.modes if m.effective < self.mode.effective] + [self.mode]
        self.replay.modes = sorted(modes, key=lambda m: m.effective)

    def with_parts_from(self, effective: date) -> list[tuple[Key, bool]]:
        return [(key, True) for key in self.replay.keys_with_parts_from(effective)]

    def replan(self, kind: Key, effect: date, active: bool = True) -> None:
        if active:
            self.replay.replan(kind, effect)


def build_echeancier(scenario: Scenario, as_of: date | None = None, law: Law | None = None) -> Echeancier:
    """The échéancier of `scenario` as known on `as_of` (events after it are ignored); deterministic, no I/O.
    `law`: the parameters of the amounts and delays (the packaged law when None).

    The planner replays the events into what is called (the instalments); the ledger (account/ledger.py) then
    says what was paid, carried, refunded and surcharged."""
    law = law or load_law()
    result = _Replay(scenario, law).run(as_of)
    contributor = scenario.contributor
    organism = organism_for(contributor.department, result.as_of, commune=contributor.commune)
    residence = None
    if contributor.residence_department is not None:
        residence = organism_for(contributor.residence_department, result.as_of)
        if residence.key == organism.key:
            residence = None  # the same organism: nothing else to address
    notes = result.notes
    years = {part.year for instalment in result.instalments for part in instalment.parts}
    years |= {refund.year for refund in result.refunds}
    overseas = account_note(organism.code, years, law=law)
    if overseas is not None and territory(organism.code) == OUTRE_MER:
        # CSS L756-2 (asked for) and L756-4 (by law, unless switched off or with an exemption it does not cumulate
        # with): the note stays while a year of the document lies after the 24 months without the abattement.
        inside = False
        if contributor.exoneration_debut_outre_mer:
            notes = (debut_outre_mer.NOTE, *notes)
            months = _param("outre_mer.exoneration_debut_activite_duree_mois", date(max(years), 1, 1), law)
            inside = debut_outre_mer.covers_years(contributor.activity_start, years, months)
        abated = debut_outre_mer.abated(contributor)  # L756-4, not with the exemptions it does not cumulate with
        if abated and not inside:
            notes = (debut_outre_mer.CROISIERE_NOTE, *notes)
        if inside or abated:
            overseas = None
    if overseas is not None:
        # LAW (docs/law-choices.md, 49 and 182): the rates of the collectivités of L751-1 apply, not their
        # exemptions (L756-2, L756-4); Mayotte's own law applies from income 2025 (metropolitan amounts before).
        # Every document says so (notes `exonerations_outre_mer_non_appliquees`, `regles_metropolitaines`).
        notes = (overseas, *notes)
    if contributor.section is not None:
        # LAW (docs/law-choices.md, 265): R613-1 puts under these payment rules the contributions of R642-2 the
        # Urssaf collects for the section; every document says which body each contribution is collected for.
        notes = (f"{SECTION_NOTE}:{contributor.section.value}", *notes)
    return replace(result, organism=organism, residence_organism=residence, notes=notes)


def build_ledger(scenario: Scenario, as_of: date | None = None) -> Ledger:
    """The ledger of `scenario` on `as_of`, not yet replayed (`run`, or `advance` to a date, save, resume)."""
    replay = _Replay(scenario)
    replay.run(as_of)
    return replay.make_ledger(as_of, replay.known)
