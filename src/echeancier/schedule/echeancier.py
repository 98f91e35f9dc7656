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
- missed payments (R613-2 III) and majorations de retard (R243-16).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from echeancier.kernel.dates import ONE_DAY, add_months
from echeancier.kernel.fmt import format_euros
from echeancier.kernel.money import ZERO, round_cent
from echeancier.law import LawError, load_law
from echeancier.schedule import amounts
from echeancier.schedule.calendar import (
    Frequency,
    debit_date,
    due_dates,
    first_due_date_at_least,
    frequency_for,
    months_effective,
    payment_days,
)
from echeancier.schedule.majorations import Majoration, majoration
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
    QuarterlyOption,
    QuarterlyRenounced,
    ReportRequest,
    Scenario,
    ScenarioError,
)
from echeancier.schedule.spread import spread

KINDS = (
    "provisional",
    "ajustement",
    "regularisation",
    "cfp",
    "etalement",
    "report",
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
    called: Decimal  # due on or before as_of (carried amounts counted once)
    paid: Decimal  # instalments debited and payments received on or before as_of
    notes: tuple[str, ...]

    @property
    def outstanding(self) -> Decimal:
        return self.called - self.paid

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


@dataclass(slots=True)
class Debt:
    due: date
    amount: Decimal


def _param(key: str, day: date) -> int:
    value = load_law().value_near(key, day)
    assert isinstance(value, int), key
    return value


def _rate(key: str, day: date) -> Decimal:
    value = load_law().value_near(key, day)
    assert isinstance(value, Decimal), key
    return value


@dataclass
class _Replay:
    scenario: Scenario
    modes: list[Mode] = field(default_factory=list)
    components: dict[Key, Component] = field(default_factory=dict)
    parts: dict[date, dict[Key, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    missed: set[date] = field(default_factory=set)
    debts: list[Debt] = field(default_factory=list)
    majorations: list[Majoration] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    payments: list[PaymentEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    modulated: set[int] = field(default_factory=set)
    declared: dict[int, date] = field(default_factory=dict)
    cessation: date | None = None
    report_until: date | None = None
    etalement_years: int = 0
    payment_day_changes: dict[int, int] = field(default_factory=dict)

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
        candidates = set(due_dates(year, Frequency.QUARTERLY))
        for day in payment_days(year):
            candidates.update(due_dates(year, Frequency.MONTHLY, day))
        dates = []
        for candidate in sorted(candidates):
            mode = self.mode_at(candidate)
            if candidate in due_dates(year, mode.frequency, mode.day if mode.frequency is Frequency.MONTHLY else None):
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
                    dates = [d for d in due_dates(year, mode.frequency, day) if d >= start]
            except LawError:
                return []  # past the years whose calendar is known
            if self.cessation is not None:
                dates = [d for d in dates if d <= self.cessation]
            if self.report_until is not None and component.kind in ("provisional", "ajustement", "cfp"):
                dates = [d for d in dates if d >= self.report_until]
            if dates:
                first_year = component.kind == "provisional" and component.year == self.contributor.activity_start.year
                if component.single or (year > component.pool_year and not first_year):
                    # DESIGN §2.3: a complement with no due date left in its year is called at the first due
                    # date of the next year; only the first year's provisional contributions are spread over the
                    # second year's instalments (R613-4).
                    return dates[:1]
                return dates
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
            dates = [max(effect, component.earliest)] if self.cessation else [self.settlement_date(effect)]
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

    def replan_all(self, effect: date) -> None:
        for key in list(self.components):
            if any(day >= effect for day, amounts_ in self.parts.items() if key in amounts_):
                self.replan(key, effect)

    def settlement_date(self, after: date) -> date:
        """Where an amount goes when no due date remains: after a cessation, the settlement date (R131-9 IV,
        R613-1-5 2°); otherwise the first due date after `after`."""
        if self.cessation is not None:
            return self.cessation + timedelta(days=_param("delais.cessation_report_jours", self.cessation))
        found = self.first_due_date(after)
        return found if found is not None else after  # a date past the known calendar: its legal date

    def outstanding_debts(self, on: date) -> Decimal:
        """Unpaid sums of earlier due dates not yet recovered on `on`."""
        recovered = sum(
            (
                amount
                for day, amounts_ in self.parts.items()
                if day < on and day not in self.missed
                for key, amount in amounts_.items()
                if key[0] == "carried_over"
            ),
            ZERO,
        )
        return max(ZERO, sum((debt.amount for debt in self.debts), ZERO) - recovered)

    def credit(self, day: date, kind: str, year: int, amount: Decimal) -> None:
        """A credit is refunded after imputation on older debts, oldest first (R613-1-3 al. 2, R613-5 II)."""
        imputed = min(amount, self.outstanding_debts(day))
        refund_on = day + timedelta(days=_param("delais.effet_declaration_jours", day))
        self.refunds.append(Refund(refund_on, kind, year, round_cent(amount - imputed), round_cent(imputed)))

    # -- the years -----------------------------------------------------------------------------------------------

    def earliest(self) -> date:
        """R613-4: the first provisional due date is not less than 90 days after the start of activity."""
        start = self.contributor.activity_start
        return start + timedelta(days=_param("delais.premiere_echeance_jours", start))

    def open_year(self, year: int) -> None:
        """The initial schedule of `year`: provisional contributions (R613-2 II) and CFP."""
        contributor = self.contributor
        given = self.scenario.amounts.get(year)
        start = contributor.activity_start
        if given is not None and given.provisional is not None:
            target = given.provisional
        elif amounts.is_debut_activite(contributor, year):
            computed = amounts.forfait(contributor, year)
            target = computed.amount
            self.note_law(computed.provisional_law, year)
        else:
            basis_year = year - 2
            income = self.scenario.incomes.get(basis_year)
            if income is None:
                raise ScenarioError(
                    None,
                    f"incomes: the income of {basis_year} is needed for the provisional "
                    f"contributions of {year} (or give amounts.{year}.provisional)",
                )
            computed = amounts.provisional(contributor, year, basis_year, income)
            target = computed.amount
            self.note_law(computed.provisional_law, year)
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
                sent = first - timedelta(days=_param("delais.envoi_echeancier_debut_jours", first))
                self.notices.append(Notice(sent, "echeancier_debut_activite", f"première échéance le {first}"))

    def open_cfp(self, year: int, earliest: date) -> None:
        """The CFP of the year is called with the November instalment (or the first one after)."""
        if ("cfp", year, 0) in self.components:
            return
        november = max(date(year, _param("formation_professionnelle.mois_appel", date(year, 1, 1)), 1), earliest)
        target = amounts.cfp(self.contributor, year)
        self.set_component(Component("cfp", year, target, november.year, november, single=True), november)

    def note_law(self, provisional_law: bool, year: int) -> None:
        if provisional_law and f"parametres_provisoires:{year}" not in self.notes:
            self.notes.append(f"parametres_provisoires:{year}")

    def called_for(self, year: int) -> Decimal:
        """Provisional contributions called for `year` (paid or not: unpaid ones remain separate debts)."""
        keys = [("provisional", year, 0), ("ajustement", year, 0)]
        if any(key in self.components for key in keys):
            return sum((self.components[key].target for key in keys if key in self.components), ZERO)
        given = self.scenario.amounts.get(year)
        if given is not None and (given.adjusted is not None or given.provisional is not None):
            value = given.adjusted if given.adjusted is not None else given.provisional
            assert value is not None
            return value
        contributor = self.contributor
        if amounts.is_debut_activite(contributor, year):
            return amounts.forfait(contributor, year).amount
        for basis in (year - 1, year - 2):
            income = self.scenario.incomes.get(basis)
            if income is not None:
                return amounts.provisional(contributor, year, basis, income).amount
        raise ScenarioError(
            None,
            f"amounts: the provisional contributions called for {year} are needed "
            f"(amounts.{year}.provisional or incomes of {year - 2})",
        )

    # -- events --------------------------------------------------------------------------------------------------

    def declaration(self, event: Declaration, line: int) -> None:
        """R613-5 I: the declaration of year Y's income calls the régularisation of Y (R613-1-3), the ajustement
        of the current year's provisional contributions and the provisional contributions of the next year."""
        declared = event.year if event.year is not None else event.date.year - 1
        year = event.date.year
        given = self.scenario.amounts.get(declared)
        income = event.income if event.income is not None else self.scenario.incomes.get(declared)
        if income is None and (given is None or given.definitive is None):
            raise ScenarioError(
                line,
                f"declaration: the income of {declared} is needed (income, or incomes.{declared}"
                f", or amounts.{declared}.definitive)",
            )
        self.declared[declared] = event.date
        delay = _param("delais.effet_declaration_jours", event.date)
        sent = event.date + timedelta(days=delay)
        self.notices.append(
            Notice(sent, "echeancier", f"régularisation {declared}, ajustement {year}, provisionnelles {year + 1}")
        )
        if self.cessation is not None:
            # R613-1-5 2°: after a cessation, complements are paid within 30 days of the call.
            effect = sent + timedelta(days=_param("delais.cessation_paiement_jours", sent))
        else:
            found = self.first_due_date(event.date, delay)
            if found is None:
                raise ScenarioError(line, f"declaration: no due date is known after {event.date}")
            effect = found
        # 1° régularisation of the declared year (R613-1-3)
        if given is not None and given.definitive is not None:
            definitive = given.definitive
        else:
            assert income is not None
            end = self.cessation if self.cessation is not None and self.cessation.year == declared else None
            definitive = amounts.definitive(self.contributor, declared, income, end).amount
        called = self.called_for(declared)
        regularisation = definitive - called
        kind = (
            "report"
            if self.report_until is not None and declared == self.contributor.activity_start.year
            else "regularisation"
        )
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
            self.ajustement(year, declared, income, effect, event.date)
        if regularisation < ZERO:
            # After the ajustement, so that the credit is set against the adjusted instalments.
            self.regularisation_credit(event.date, declared, year, -regularisation, effect)
        # 3° provisional contributions of the next year
        if (
            declared == year - 1
            and year + 1 in self.scenario.years
            and ("provisional", year + 1, 0) not in self.components
            and self.cessation is None
        ):
            self.open_year(year + 1)

    def regularisation_credit(self, on: date, declared: int, year: int, amount: Decimal, effect: date) -> None:
        """R613-1-3 al. 2: an overpayment is "remboursé sans délai ou imputé sur les versements provisionnels
        restant à échoir au titre de l'année en cours"; imputed, what exceeds the instalments still to come is set
        against older debts, oldest first, and the rest refunded. Scenario option `regularisation_credit`:
        `impute` (default, the detailed path of the text) or `refund`."""
        if self.scenario.options.regularisation_credit == "refund" or self.cessation is not None:
            self.credit(on, "regularisation", declared, amount)
            return
        left = amount
        for kind in ("ajustement", "provisional"):
            key = (kind, year, 0)
            if key not in self.components or left <= ZERO:
                continue
            component = self.components[key]
            remaining = component.target - self.called(key, effect)
            taken = min(left, max(ZERO, remaining))
            if taken:
                component.target -= taken
                self.replan(key, effect)
                left -= taken
        on_instalments = amount - left
        if on_instalments:
            self.refunds.append(Refund(effect, "regularisation", declared, ZERO, on_instalments=on_instalments))
        if left > ZERO:
            self.credit(on, "regularisation", declared, left)

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
        window_end = add_months(start, _param("delais.report_duree_mois", start))
        first = max(start, date(declared, 1, 1))
        last = min(date(declared, 12, 31), self.cessation or date(declared, 12, 31))
        exercise = [date(first.year, m, 1) for m in range(first.month, last.month + 1)]
        within = [month for month in exercise if month < window_end]
        if not within:
            return amount, []
        share = round_cent(amount * Decimal(len(within)) / Decimal(len(exercise)))
        return amount - share, spread(share, self.etalement_years)

    def ajustement(self, year: int, declared: int, income: Decimal | None, effect: date, on: date) -> None:
        """R613-5 I 2° and II: provisional contributions of `year` recomputed on the declared income; a complement
        over the instalments still to come, an excess already paid refunded."""
        given = self.scenario.amounts.get(year)
        if given is not None and given.adjusted is not None:
            new_target = given.adjusted
        else:
            if income is None:
                return
            computed = amounts.provisional(self.contributor, year, declared, income)
            new_target = computed.amount
            self.note_law(computed.provisional_law, year)
        provisional_key, adjust_key = ("provisional", year, 0), ("ajustement", year, 0)
        old_target = self.components[provisional_key].target + (
            self.components[adjust_key].target if adjust_key in self.components else ZERO
        )
        called_provisional = self.called(provisional_key, effect)
        called_adjust = self.called(adjust_key, effect) if adjust_key in self.components else ZERO
        called = called_provisional + called_adjust
        remaining_old = max(ZERO, old_target - called)
        remaining_new = new_target - called
        if remaining_new < ZERO:
            self.credit(on, "ajustement", year, -remaining_new)
            remaining_new = ZERO
        keep = min(remaining_old, remaining_new)
        component = self.components[provisional_key]
        component.target = called_provisional + keep
        self.replan(provisional_key, effect)
        self.place("ajustement", year, called_adjust + remaining_new - keep, effect, year)

    def modulation(self, event: Modulation, line: int) -> None:
        """R613-1-4 II: provisional contributions on the estimated income of the year, from the first due date at
        least 15 days after the request; an excess already paid is refunded only once the real income is known."""
        year = event.date.year
        if ("provisional", year, 0) not in self.components:
            raise ScenarioError(line, f"modulation: no provisional contributions of {year} to modulate")
        delay = _param("delais.effet_modulation_jours", event.date)
        effect = self.first_due_date(event.date, delay)
        assert effect is not None
        computed = amounts.estimated(self.contributor, year, event.estimated_income, self.cessation)
        self.note_law(computed.provisional_law, year)
        provisional_key, adjust_key = ("provisional", year, 0), ("ajustement", year, 0)
        called_provisional = self.called(provisional_key, effect)
        called_adjust = ZERO
        if adjust_key in self.components:
            called_adjust = self.called(adjust_key, effect)
            self.components[adjust_key].target = called_adjust
            self.replan(adjust_key, effect)
        remaining = computed.amount - called_provisional - called_adjust
        if remaining < ZERO:
            self.notes.append(f"trop_verse_apres_revenu_reel:{year}")
        self.components[provisional_key].target = called_provisional + max(ZERO, remaining)
        self.replan(provisional_key, effect)
        self.modulated.add(year)
        self.notices.append(
            Notice(
                effect - timedelta(days=delay),
                "echeancier_modulation",
                f"revenu estimé {format_euros(event.estimated_income)}",
            )
        )

    def change_mode(self, effective: date, frequency: Frequency, day: int) -> None:
        self.modes = [m for m in self.modes if m.effective < effective] + [Mode(effective, frequency, day)]
        self.modes.sort(key=lambda m: m.effective)
        self.replan_all(effective)

    def payment_day_change(self, event: PaymentDayChange, line: int) -> None:
        """R613-2 I al. 3: once per civil year, effective at the latest the second month after receipt."""
        months = _param("delais.changement_mois", event.date)
        effective = months_effective(event.date, months)
        current = self.mode_at(effective)
        self.change_mode(effective, current.frequency, event.day)

    def quarterly_option(self, event: QuarterlyOption, line: int) -> None:
        """R613-3 I: quarterly from the next quarterly due date at least 30 days after the request (an option made
        before 1 December for 1 January comes to the same: the first quarterly date of January's year)."""
        days = _param("delais.option_trimestrielle_jours", event.date)
        for year in (event.date.year, event.date.year + 1):
            effective = first_due_date_at_least(event.date, days, due_dates(year, Frequency.QUARTERLY))
            if effective is not None:
                break
        assert effective is not None
        self.change_mode(effective, Frequency.QUARTERLY, self.mode_at(event.date).day)

    def quarterly_renounced(self, event: QuarterlyRenounced, line: int) -> None:
        """R613-3 II: monthly again at the latest the second month after receipt; the remaining provisional
        contributions in as many equal monthly payments as calendar months remain."""
        if not self.contributor.payment.direct_debit:
            raise ScenarioError(line, "quarterly_renounced: monthly payment needs a direct-debit authorisation")
        effective = months_effective(event.date, _param("delais.changement_mois", event.date))
        self.change_mode(effective, Frequency.MONTHLY, self.mode_at(event.date).day)

    def missed_payment(self, event: MissedPayment, line: int) -> None:
        """R613-2 III: an unpaid monthly instalment is recovered with the next one; after two consecutive incidents
        in the civil year the sums still due for the year are recovered quarterly (R613-3 I al. 4) and the
        majorations de retard of R243-16 apply (R613-2 III al. 2); for a quarterly payer from the first incident
        (R613-3 I)."""
        day = event.date
        if day not in self.parts or not any(self.parts[day].values()):
            raise ScenarioError(line, f"missed_payment: nothing is due on {day}")
        if day in self.missed:
            raise ScenarioError(line, f"missed_payment: {day} is already missed")
        own = sum((a for k, a in self.parts[day].items() if k[0] != "carried_over"), ZERO)
        year_dates = [d for d in sorted(self.parts) if d.year == day.year and d < day and any(self.parts[d].values())]
        consecutive = bool(year_dates) and year_dates[-1] in self.missed
        quarterly = self.mode_at(day).frequency is Frequency.QUARTERLY
        self.missed.add(day)
        self.debts.append(Debt(day, own))
        streak = [debt for debt in self.debts if debt.due.year == day.year and self.unrecovered(debt, day)]
        if consecutive and not quarterly:
            # Rest of the year quarterly, then back to the chosen mode on 1 January.
            current = self.mode_at(day)
            resume = date(day.year + 1, 1, 1)
            later = [m for m in self.modes if m.effective >= resume]
            self.modes = [m for m in self.modes if m.effective <= day] + [
                Mode(day + ONE_DAY, Frequency.QUARTERLY, current.day)
            ]
            if not later:
                self.modes.append(Mode(resume, current.frequency, current.day))
            else:
                self.modes.extend(later)
            self.replan_all(day + ONE_DAY)
            self.recover(streak, day, with_majorations=True)
        else:
            self.recover(streak, day, with_majorations=quarterly)

    def unrecovered(self, debt: Debt, on: date) -> bool:
        later = [d for d in sorted(self.parts) if debt.due < d <= on and any(self.parts[d].values())]
        return all(d in self.missed for d in later)

    def recover(self, debts: list[Debt], day: date, with_majorations: bool) -> None:
        """The unpaid sums on the next instalment(s) of the year (all the remaining quarterly ones after the switch),
        with their majorations on the same instalments."""
        total = sum((debt.amount for debt in debts), ZERO)
        key = ("carried_over", day.year, 0)
        for d in [d for d in self.parts if d > day and key in self.parts[d]]:
            del self.parts[d][key]
        remaining_year = [d for d in self.due_dates_of(day.year) if d > day]
        switched = (
            with_majorations
            and self.mode_at(day + ONE_DAY).frequency is Frequency.QUARTERLY
            and len(remaining_year) > 1
        )
        if switched:
            dates = remaining_year
        else:
            nxt = self.first_due_date(day + ONE_DAY)
            dates = [nxt] if nxt is not None else [self.settlement_date(day)]
        for d, amount in zip(dates, spread(total, len(dates)), strict=True):
            self.parts[d][key] = amount
        if not with_majorations:
            return
        rate = _rate("majorations.taux_initial", day)
        monthly = _rate("majorations.taux_complementaire_mensuel", day)
        mkey = ("majoration", day.year, 0)
        for d in [d for d in self.parts if d > day and mkey in self.parts[d]]:
            del self.parts[d][mkey]
        self.majorations = [m for m in self.majorations if m.due_date not in {debt.due for debt in debts}]
        for debt in debts:
            portions = spread(debt.amount, len(dates))
            for index, (d, portion) in enumerate(zip(dates, portions, strict=True)):
                m = majoration(portion, debt.due, d, rate, monthly)
                if index > 0:
                    m = Majoration(m.due_date, m.paid_on, m.base, ZERO, m.months, m.complementary)
                else:
                    m = Majoration(
                        m.due_date, m.paid_on, m.base, round_cent(debt.amount * rate), m.months, m.complementary
                    )
                self.majorations.append(m)
                self.parts[d][mkey] = self.parts[d].get(mkey, ZERO) + m.amount

    def payment(self, event: PaymentEvent) -> None:
        """A payment outside the debits (transfer, card) first settles unpaid sums still waiting to be recovered
        with a later instalment, which are then not debited again; any rest is a credit on the account."""
        self.payments.append(event)
        left = event.amount
        for day in sorted(d for d in self.parts if d > event.date):
            for key in [k for k in self.parts[day] if k[0] == "carried_over"]:
                taken = min(left, self.parts[day][key])
                self.parts[day][key] -= taken
                left -= taken
            if left <= ZERO:
                break

    def report_request(self, event: ReportRequest, line: int) -> None:
        """L131-6-1 al. 1, R131-9 I: on a written request within 30 days of the affiliation and before any payment,
        nothing is called for the first twelve months; the deferred contributions fall due with the following
        definitive contributions. LAW: the provisional contributions of the second year are spread over its
        instalments after the twelve months."""
        start = self.contributor.activity_start
        delay = _param("delais.report_demande_jours", start)
        limit = start + timedelta(days=delay)
        if event.date > limit:
            raise ScenarioError(line, f"report_request: to be made within {delay} days of the affiliation (by {limit})")
        if any(p.date <= event.date for p in self.payments):
            raise ScenarioError(line, "report_request: to be made before any payment (R131-9 I)")
        self.report_until = add_months(start, _param("delais.report_duree_mois", start))
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
                f"etalement_request: to be made at the latest with the declaration of "
                f"{first_year} ({self.declared[first_year]})",
            )
        self.etalement_years = event.years

    def cessation_event(self, event: Cessation, line: int) -> None:
        """Provisional contributions stop (the year's are reduced pro rata, R131-3-1 2°, and settled by the final
        régularisation, R613-1-5); sums deferred or spread fall due within 60 days (R131-9 IV)."""
        self.cessation = event.date
        settlement = self.settlement_date(event.date)
        for key, component in list(self.components.items()):
            if component.kind in ("provisional", "ajustement"):
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
            key=lambda pair: (pair[0].date, EVENT_ORDER.index(pair[0].type)),
        )
        handlers = {
            Declaration: self.declaration,
            Modulation: self.modulation,
            PaymentDayChange: self.payment_day_change,
            QuarterlyOption: self.quarterly_option,
            QuarterlyRenounced: self.quarterly_renounced,
            MissedPayment: self.missed_payment,
            ReportRequest: self.report_request,
            EtalementRequest: self.etalement_request,
            Cessation: self.cessation_event,
        }
        for event, line in ordered:
            if as_of is not None and event.date > as_of:
                break
            self.open_years_until(event.date)
            if isinstance(event, PaymentEvent):
                self.payment(event)
                continue
            if self.cessation is not None and not isinstance(event, Declaration | MissedPayment):
                # After the cessation only the declarations of the last incomes and the payments remain (R613-1-5).
                raise ScenarioError(line, f"{event.type}: not possible after the cessation of {self.cessation}")
            handlers[type(event)](event, line)  # type: ignore[operator]
        self.open_years_until(date(self.scenario.years[-1], 12, 31))
        return self.result(as_of)

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

    def result(self, as_of: date | None) -> Echeancier:
        years = set(self.scenario.years)
        department = self.contributor.department
        instalments = []
        for day in sorted(self.parts):
            parts = tuple(
                Part(kind, year, amount)
                for (kind, year, _), amount in sorted(self.parts[day].items(), key=lambda item: KINDS.index(item[0][0]))
                if amount != ZERO
            )
            if not parts or day.year not in years:
                continue
            instalments.append(Instalment(day, debit_date(day, department), parts, day in self.missed))
        end = as_of or date(self.scenario.years[-1], 12, 31)
        called = sum(
            (p.amount for i in instalments if i.due_date <= end for p in i.parts if p.kind != "carried_over"),
            ZERO,
        )
        paid = sum((i.amount for i in instalments if i.due_date <= end and not i.missed), ZERO)
        paid += sum((p.amount for p in self.payments if p.date <= end), ZERO)
        return Echeancier(
            instalments=tuple(instalments),
            refunds=tuple(sorted(self.refunds, key=lambda r: r.date)),
            majorations=tuple(self.majorations),
            notices=tuple(sorted(self.notices, key=lambda n: n.date)),
            as_of=end,
            called=called,
            paid=paid,
            notes=tuple(self.notes),
        )


def build_echeancier(scenario: Scenario, as_of: date | None = None) -> Echeancier:
    """The échéancier of `scenario` as known on `as_of` (events after it are ignored); deterministic, no I/O."""
    return _Replay(scenario).run(as_of)
