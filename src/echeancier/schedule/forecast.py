"""The cash forecast of the next 24 months: what the échéancier will call, and the modulation that smooths it.

Nothing here computes a contribution or places an instalment: the forecast runs the planner
(`schedule.echeancier.build_echeancier`) on the contributor's scenario plus hypothetical events, and reads what it
calls:

- the declaration of the current year's income (`estimate`) at the next declaration deadline (L613-2; parameter
  `delais.declaration_revenus_date_limite`), which calls the régularisation of the current year (R613-1-3) and the
  ajustement of the next (R613-5 I), and, when the window reaches it, the declaration of the next year's income
  (assumed equal to `estimate_next`, by default the same estimate);
- the declaration of the previous year's income when the scenario has not made it yet and knows that income;
- optional missed payments (`missed`), to show the majorations de retard (R243-16) and the recovery of R613-2 III;
- the modulation of R613-1-4 II requested on `as_of`: the smallest estimated income (whole euros) whose
  régularisation of the current year is closest to zero, found by bisection on the planner's own régularisation
  (it decreases as the estimated income grows); it is proposed only when it makes the régularisation smaller.

The window is 24 months from `as_of` (any date the law's parameters cover). LAW (DESIGN §2 decision 6,
docs/law-choices.md 220): the years past the last known parameters (at most two: `calendar.ESTIMATED_YEARS`) are
planned with the last known ones, as URSSAF calls the instalments before the new year's parameters are published and
recomputes them in January; every payment, month and call carrying an amount of such a year is flagged `estimated`
and the note `parametres_estimes:YEAR` names each year so computed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from echeancier.kernel.dates import add_months
from echeancier.kernel.money import ZERO
from echeancier.law import Law, load_law, supported_years
from echeancier.schedule.calendar import ESTIMATED_YEARS
from echeancier.schedule.echeancier import Echeancier, build_echeancier
from echeancier.schedule.scenario import (
    Cessation,
    Declaration,
    MissedPayment,
    Modulation,
    Scenario,
    ScenarioError,
)

HORIZON_MONTHS = 24
KINDS_CALLED = ("regularisation", "ajustement")
MAX_ESTIMATE = Decimal(100_000_000)  # as `contributions.situation.MAX_INCOME`


@dataclass(frozen=True, slots=True)
class Payment:
    """One debit of the window: its date, its amount and the parts by kind and year (`provisional 2026`…)."""

    due_date: date
    debit_date: date
    amount: Decimal
    parts: tuple[tuple[str, int, Decimal], ...]
    missed: bool = False
    estimated: bool = False  # a part belongs to a year past the known parameters (computed with the last known)


@dataclass(frozen=True, slots=True)
class Month:
    month: str  # YYYY-MM
    payments: Decimal
    payments_modulated: Decimal
    income: Decimal
    cash_left: Decimal
    cash_left_modulated: Decimal
    estimated: bool = False  # a payment of the month (with or without the modulation) is estimated


@dataclass(frozen=True, slots=True)
class Call:
    """What a declaration calls for one kind and year: its total and the due dates that carry it."""

    kind: str
    year: int
    amount: Decimal  # positive: called; negative: credited (refund or set against other sums)
    first: date | None
    last: date | None
    estimated: bool = False  # the year's amount is computed with the last known parameters


@dataclass(frozen=True, slots=True)
class ModulationProposal:
    """R613-1-4 II: the estimated income to declare on `requested`, the due date it takes effect from, and the
    instalments of the year it gives."""

    estimated_income: Decimal
    requested: date
    effect: date | None
    instalments: tuple[tuple[date, Decimal], ...]
    regularisation: Decimal  # the régularisation of the year with it
    regularisation_without: Decimal


@dataclass(frozen=True, slots=True)
class Forecast:
    as_of: date
    end: date
    year: int
    estimate: Decimal
    estimate_next: Decimal
    payments: tuple[Payment, ...]
    months: tuple[Month, ...]
    calls: tuple[Call, ...]  # régularisation and ajustement the hypothetical declarations call
    majorations: Decimal
    modulation: ModulationProposal | None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        def num(value: Decimal) -> int | float:
            return int(value) if value == value.to_integral_value() else float(value)

        modulation = self.modulation
        return {
            "as_of": self.as_of.isoformat(),
            "end": self.end.isoformat(),
            "year": self.year,
            "estimate": num(self.estimate),
            "estimate_next": num(self.estimate_next),
            "payments": [
                {
                    "due_date": p.due_date.isoformat(),
                    "debit_date": p.debit_date.isoformat(),
                    "amount": num(p.amount),
                    "parts": [{"kind": k, "year": y, "amount": num(a)} for k, y, a in p.parts],
                    **({"missed": True} if p.missed else {}),
                    **({"estimated": True} if p.estimated else {}),
                }
                for p in self.payments
            ],
            "months": [
                {
                    "month": m.month,
                    "payments": num(m.payments),
                    "payments_modulated": num(m.payments_modulated),
                    "income": num(m.income),
                    "cash_left": num(m.cash_left),
                    "cash_left_modulated": num(m.cash_left_modulated),
                    **({"estimated": True} if m.estimated else {}),
                }
                for m in self.months
            ],
            "calls": [
                {
                    "kind": c.kind,
                    "year": c.year,
                    "amount": num(c.amount),
                    "first_due_date": c.first.isoformat() if c.first else None,
                    "last_due_date": c.last.isoformat() if c.last else None,
                    **({"estimated": True} if c.estimated else {}),
                }
                for c in self.calls
            ],
            "majorations": num(self.majorations),
            "modulation": None
            if modulation is None
            else {
                "estimated_income": num(modulation.estimated_income),
                "requested": modulation.requested.isoformat(),
                "effect": modulation.effect.isoformat() if modulation.effect else None,
                "instalments": [{"due_date": d.isoformat(), "amount": num(a)} for d, a in modulation.instalments],
                "regularisation": num(modulation.regularisation),
                "regularisation_without": num(modulation.regularisation_without),
                "reference": "CSS R613-1-4 II",
            },
            "notes": list(self.notes),
        }


def regularisation_text(amount: Decimal) -> str:
    """A régularisation in French: a sum to pay, a credit, or nothing."""
    from echeancier.kernel.fmt import format_euros

    if amount > 0:
        return f"une régularisation de {format_euros(amount, cents=True)} à payer"
    if amount < 0:
        return f"un trop-versé de {format_euros(-amount, cents=True)} à rembourser"
    return "une régularisation nulle"


def estimated_sentence(year: int, law: Law | None = None) -> str:
    """DESIGN §2 decision 6 in French: the figures of `year` use the last known parameters until January."""
    return (
        f"montants {year} estimés avec les paramètres {supported_years(law)[-1]}, recalculés en janvier "
        f"(les paramètres {year} ne sont pas encore publiés)."
    )


def _deadline(year: int, law: Law) -> date:
    """The declaration deadline of `year` (the income of year − 1). LAW (docs/law-choices.md, 205): beyond the
    checked calendar, the last known day and month, in that year."""
    known = law.value_near("delais.declaration_revenus_date_limite", date(year, 1, 1))
    assert isinstance(known, date)
    return known if known.year == year else date(year, known.month, min(known.day, 28))


def _declared(scenario: Scenario, year: int) -> bool:
    return any(isinstance(e, Declaration) and (e.year or e.date.year - 1) == year for e in scenario.events)


def _with(scenario: Scenario, extra: Sequence[Any], years: list[int]) -> Scenario:
    pairs = [*zip(scenario.events, scenario.event_lines or (0,) * len(scenario.events), strict=False)]
    pairs += [(event, 0) for event in extra]
    pairs.sort(key=lambda pair: pair[0].date)  # stable: file order within a day, hypothetical events last
    return scenario.model_copy(
        update={"events": [e for e, _ in pairs], "event_lines": tuple(line for _, line in pairs), "years": years}
    )


def regularisation_of(echeancier: Echeancier, year: int) -> Decimal:
    """The régularisation of `year` the échéancier calls (credits negative: refunded, imputed or set against
    instalments, R613-1-3 al. 2)."""
    return _calls(echeancier, [("regularisation", year)])[0].amount


def _calls(echeancier: Echeancier, keys: Sequence[tuple[str, int]]) -> tuple[Call, ...]:
    out: list[Call] = []
    for kind, year in keys:
        dates = [
            i.due_date
            for i in echeancier.instalments
            if any(p.kind == kind and p.year == year and p.amount for p in i.parts)
        ]
        called = sum(
            (p.amount for i in echeancier.instalments for p in i.parts if p.kind == kind and p.year == year), ZERO
        )
        credited = sum(
            (r.amount + r.imputed + r.on_instalments for r in echeancier.refunds if r.kind == kind and r.year == year),
            ZERO,
        )
        out.append(Call(kind, year, called - credited, min(dates, default=None), max(dates, default=None)))
    return tuple(out)


def forecast(
    scenario: Scenario,
    as_of: date,
    estimate: Decimal | None = None,
    *,
    monthly: Sequence[Decimal] | None = None,
    estimate_next: Decimal | None = None,
    cash: Decimal = ZERO,
    missed: Sequence[date] = (),
    previous_income: Decimal | None = None,
    law: Law | None = None,
) -> Forecast:
    """The forecast of `scenario` seen on `as_of` (see the module docstring). `estimate`: the income of the current
    year (the scenario's income kind for that year: revenu brut from 2025); `monthly`: twelve monthly incomes of the
    current year instead (their sum is the estimate; they also set the cash coming in each month);
    `previous_income`: the previous year's income when the scenario does not give it. Raises ScenarioError naming
    the field for an impossible request. `law`: the parameters (the packaged law when None), those the scenario was
    read with (`parse_scenario(..., law)`)."""
    year = as_of.year
    if monthly is not None:
        if len(monthly) != 12:
            raise ScenarioError(None, "monthly: douze revenus mensuels sont attendus (janvier à décembre)")
        if any(m < 0 for m in monthly):
            raise ScenarioError(None, "monthly: un revenu mensuel ne peut être négatif")
        total = sum(monthly, ZERO)
        if estimate is not None and estimate != total:
            raise ScenarioError(None, f"estimate: {estimate} ne correspond pas à la somme des revenus mensuels {total}")
        estimate = total
    if estimate is None:
        raise ScenarioError(None, "estimate: le revenu estimé de l'année en cours est obligatoire")
    if not ZERO <= estimate <= MAX_ESTIMATE:
        raise ScenarioError(None, f"estimate: {estimate} n'est pas un revenu annuel plausible")
    estimate_next = estimate if estimate_next is None else estimate_next
    law = law or load_law()
    law_end = date(law.last_date.year + ESTIMATED_YEARS, 12, 31)  # never reached from a date the law covers
    if not law.first_date <= as_of <= law.last_date:
        raise ScenarioError(
            None,
            f"as_of: la prévision part d'une date couverte par les paramètres de la loi "
            f"({law.first_date.isoformat()} – {law.last_date.isoformat()})",
        )
    end = min(add_months(as_of, HORIZON_MONTHS), law_end)
    notes: list[str] = []
    if end < add_months(as_of, HORIZON_MONTHS):
        notes.append(f"horizon_limite_par_la_loi:{end.isoformat()}")
    if previous_income is not None and (year - 1) not in scenario.incomes:
        # the income of the previous year, which the provisional contributions of the next year are computed on
        # (R613-5 I), when the scenario gives only the amounts of its notices
        scenario = scenario.model_copy(update={"incomes": {**scenario.incomes, year - 1: previous_income}})
    if year < scenario.contributor.activity_start.year:
        raise ScenarioError(None, "as_of: la date est antérieure au début d'activité")

    extra: list[Any] = []
    if not _declared(scenario, year - 1) and (year - 1) in scenario.incomes and _deadline(year, law) >= as_of:
        extra.append(Declaration(date=_deadline(year, law), type="declaration", year=year - 1, income=None))
    # no income is declared for a year after the cessation (R613-1-5: the last declaration is the year's of it)
    ceased = min((e.date.year for e in scenario.events if isinstance(e, Cessation)), default=None)
    for declared_year, income in ((year, estimate), (year + 1, estimate_next)):
        on = _deadline(declared_year + 1, law)
        active = ceased is None or declared_year <= ceased
        if on <= end and active and not _declared(scenario, declared_year):
            extra.append(Declaration(date=on, type="declaration", year=declared_year, income=income))
    extra += [MissedPayment(date=day, type="missed_payment") for day in missed]
    years = list(range(min(scenario.years[0], year), end.year + 1))
    base = _with(scenario, extra, years)
    without = build_echeancier(base, end, law)

    # The modulation is sought on the plan without the hypothetical missed payments (a low estimate may leave
    # nothing due on a date assumed missed); its series then carries them when the planner accepts them.
    plain = [e for e in extra if not isinstance(e, MissedPayment)]
    base_plain = without if len(plain) == len(extra) else build_echeancier(_with(scenario, plain, years), end, law)
    reg_plain = regularisation_of(base_plain, year)
    try:
        proposal = _modulation(scenario, plain, years, end, as_of, year, estimate, reg_plain, base_plain, law)
    except ScenarioError as error:  # the planner refuses a modulation on that date (after a cessation…)
        proposal = None
        notes.append(f"modulation_impossible:{error.message}")
    modulated = without
    if proposal is not None:
        try:
            modulated = _run_modulated(scenario, extra, years, end, as_of, proposal[0], law)
        except ScenarioError:
            modulated = _run_modulated(scenario, plain, years, end, as_of, proposal[0], law)
            notes.append("modulation_sans_impayes")

    known = supported_years(law)[-1]
    payments = tuple(_payments(without, as_of, end, known))
    payments_modulated = tuple(_payments(modulated, as_of, end, known))
    months = _months(as_of, end, payments, payments_modulated, estimate, estimate_next, monthly, cash)
    majorations = sum((p.amount for i in without.instalments for p in i.parts if p.kind == "majoration"), ZERO)
    # what each declaration of the window calls: the régularisation of the year before and the ajustement
    keys = [(kind, y - (kind == "regularisation")) for y in range(year, end.year + 1) for kind in KINDS_CALLED]
    calls = tuple(replace(c, estimated=c.year > known) for c in _calls(without, keys) if c.amount or c.first)
    # One note for each year planned with the last known parameters (the planner's `parametres_provisoires` of
    # those years say the same: the forecast names them `parametres_estimes`, on every payment and call too).
    provisoires = {int(n.partition(":")[2]) for n in without.notes if n.startswith("parametres_provisoires:")}
    estimated_years = sorted(
        {y for p in (*payments, *payments_modulated) for _, y, _ in p.parts if y > known}
        | {c.year for c in calls if c.estimated}
        | {y for y in provisoires if y <= end.year}
    )
    notes += [f"parametres_estimes:{y}" for y in estimated_years]
    notes += [n for n in without.notes if n not in notes and not n.startswith("parametres_provisoires:")]
    modulation = None
    if proposal is not None:
        income, effect, instalments, reg = proposal[0], proposal[1], proposal[2], proposal[3]
        modulation = ModulationProposal(income, as_of, effect, instalments, reg, reg_plain)
    return Forecast(
        as_of, end, year, estimate, estimate_next, payments, months, calls, majorations, modulation, tuple(notes)
    )


def _run_modulated(
    scenario: Scenario, extra: list[Any], years: list[int], end: date, as_of: date, income: Decimal, law: Law
) -> Echeancier:
    event = Modulation(date=as_of, type="modulation", estimated_income=income)
    return build_echeancier(_with(scenario, [*extra, event], years), end, law)


def _modulation(
    scenario: Scenario,
    extra: list[Any],
    years: list[int],
    end: date,
    as_of: date,
    year: int,
    estimate: Decimal,
    reg_without: Decimal,
    without: Echeancier,
    law: Law,
) -> tuple[Decimal, date | None, tuple[tuple[date, Decimal], ...], Decimal] | None:
    """The modulation whose régularisation of `year` is closest to zero, or None when none makes it smaller."""
    if reg_without == 0:
        return None
    cache: dict[Decimal, Decimal] = {}

    def reg(income: Decimal) -> Decimal:
        if income not in cache:
            cache[income] = regularisation_of(_run_modulated(scenario, extra, years, end, as_of, income, law), year)
        return cache[income]

    # The smallest whole-euro income whose régularisation is ≤ 0 (it decreases as the estimated income grows);
    # the estimate itself, when it brings the régularisation to zero (the usual case), ends the search.
    guess = estimate.to_integral_value()
    if reg(guess) == 0:
        low = high = guess
    elif reg(guess) < 0:
        low, high = Decimal(0), guess
        if reg(low) <= 0:
            high = low
    else:
        low, high = guess, max(guess * 2, Decimal(1000))
        while reg(high) > 0 and high < MAX_ESTIMATE:
            low, high = high, min(high * 2, MAX_ESTIMATE)
    while high - low > 1:
        middle = (low + high) // 2
        if reg(middle) <= 0:
            high = middle
        else:
            low = middle
    # closest to zero; among equals, the closest to the estimate (what the contributor expects to earn)
    best = min((low, high, guess), key=lambda c: (abs(reg(c)), abs(c - estimate), c))
    if abs(reg(best)) >= abs(reg_without):
        return None
    modulated = _run_modulated(scenario, extra, years, end, as_of, best, law)
    before = {i.due_date: i.amount for i in without.instalments}
    changed = [i for i in modulated.instalments if i.due_date >= as_of and before.get(i.due_date) != i.amount]
    effect = min((i.due_date for i in changed), default=None)
    in_year = tuple(
        (i.due_date, sum((p.amount for p in i.parts if p.kind == "provisional" and p.year == year), ZERO))
        for i in modulated.instalments
        if i.due_date.year == year and i.due_date >= as_of
    )
    return best, effect, in_year, reg(best)


def _payments(echeancier: Echeancier, as_of: date, end: date, known: int) -> list[Payment]:
    """The debits of the window; `known`: the last year of known parameters (later years' parts are estimated)."""
    return [
        Payment(
            i.due_date,
            i.debit_date,
            i.amount,
            tuple((p.kind, p.year, p.amount) for p in i.parts if p.amount),
            i.missed,
            any(p.year > known for p in i.parts if p.amount),
        )
        for i in echeancier.instalments
        if as_of <= i.due_date <= end and i.amount
    ]


def _months(
    as_of: date,
    end: date,
    payments: Sequence[Payment],
    modulated: Sequence[Payment],
    estimate: Decimal,
    estimate_next: Decimal,
    monthly: Sequence[Decimal] | None,
    cash: Decimal,
) -> tuple[Month, ...]:
    """Month by month: payments with and without the modulation, the income coming in (the monthly incomes of the
    current year, else a twelfth of the yearly estimate) and the cash left."""
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    paid_modulated: dict[str, Decimal] = defaultdict(lambda: ZERO)
    estimated = {p.due_date.strftime("%Y-%m") for p in (*payments, *modulated) if p.estimated}
    for p in payments:
        if not p.missed:  # an unpaid instalment leaves the cash; it is carried to a later one
            paid[p.due_date.strftime("%Y-%m")] += p.amount
    for p in modulated:
        if not p.missed:
            paid_modulated[p.due_date.strftime("%Y-%m")] += p.amount
    out: list[Month] = []
    left = left_modulated = cash
    day = date(as_of.year, as_of.month, 1)
    while day <= end:
        key = day.strftime("%Y-%m")
        if day.year == as_of.year:
            income = monthly[day.month - 1] if monthly is not None else (estimate / 12).quantize(Decimal("0.01"))
        else:
            income = (estimate_next / 12).quantize(Decimal("0.01"))
        left += income - paid[key]
        left_modulated += income - paid_modulated[key]
        out.append(Month(key, paid[key], paid_modulated[key], income, left, left_modulated, key in estimated))
        day = add_months(day, 1)
    return tuple(out)
