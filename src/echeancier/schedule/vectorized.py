"""The yearly campaign on many accounts at once, equal to `build_echeancier` row by row (DESIGN §3 and §5).

In year N every contributor declares the income of N-1, and the échéancier sent within fifteen days (R613-5 I)
calls, from the first due date at least 15 days after the declaration (DESIGN §2.3):
1. the régularisation of N-1 (R613-1-3): the definitive contributions of N-1 on its income less the provisional ones
   called for N-1 — on the income of N-2, as `called_for` computes them when N-1 is not replayed; a complement in
   equal instalments over the due dates of N still to come (at the first of N+1 when none remains), a credit set
   instalments of N still to come (ajustement first, then provisional) and the rest refunded (R613-1-3 al. 2, the
   scalar default);
2. the ajustement of N (R613-5 I 2° and II): the provisional contributions of N recomputed on the income of N-1; what
   is already called stays, a complement is spread like the régularisation, an excess already paid is refunded;
3. the provisional contributions of N+1 on the income of N-1 (R613-5 I 3°), in equal instalments (R613-2 II), and
   the CFP of N and of N+1 with the November instalment;
4. a declaration after the deadline of N-1's income (`declarations.deadline`) bears the penalty of R613-1-1 III,
   5 % of the definitive contributions of N-1, rounded to the cent half up, called alone with the first instalment
   of the échéancier (the effect date), as the scalar's `declaration` does.
Before the declaration, the provisional contributions of N on the income of N-2 are called in equal instalments
from January. The amounts are those of `schedule.amounts`, computed by the vectorised `simulate_many`: the 2025
provisional rules of `provisional_snapshot`, the conversion of an income of the former definition to the new base
(`converted`), and the last known law for N+1 past the parameters (DESIGN §2 decision 6).

`campaign_many(columns, year)` takes one row per account whose activity started in N-1 or earlier — columns `id`
(optional, echoed), `profession`, `frequency`, `day`, `direct_debit`, `department`, `income_n2` (empty when the
activity started in N-1: not read), `income_n1`, `declaration_date`, `activity_start`, and optionally `acre`, `rsa`
(false when not given) and `cessation` (a date of N, empty when none) — as a mapping of NumPy arrays or lists, a
Polars DataFrame or a PyArrow Table, and gives, for each row, what `build_echeancier` gives for the scenario

    contributor: {profession, activity_start, payment: {frequency, day, direct_debit}, department, acre, rsa,
                  abattement_outre_mer}
    incomes: {N-2: income_n2, N-1: income_n1}
    events: [{date: declaration_date, type: declaration, year: N-1}, {date: cessation, type: cessation}]
    years: [N, N+1]

`abattement_outre_mer` (optional, true when not given): the régime de croisière abattement of the collectivités of
L751-1 (CSS L756-4, `contributions.debut_outre_mer`), computed by `simulate_many` on the same arrays.

The first two years of activity (an activity started in N-2 or N-1): provisional contributions on the flat-rate
base (R613-5 III, `simulate_many(forfait=True)`, the engine's `Simulation.forfait`), the income of the year the
activity started brought to a whole year (R131-3-1 1°, `rules.annualised`), the first provisional due date at least
90 days after the start (R613-4), the start date and ACRE in the years `amounts._situation` gives them. A cessation
in N (R613-1-5, R131-9 IV): `_cessations`. One modulation, payment-day change, quarterly option or renunciation of
it in N (optional columns `event`, `event_date`, `estimated_income`, `new_day`, `quarterly_start`; the event of the
scenario `{date: event_date, type: event, …}`): `_changes` and `schedule.campaign_changes`.

Layout of the result (`Campaign`), all amounts in integer cents:
- slots: one per month of N and N+1, slot = 12 × (year − N) + month − 1 (24 slots). A monthly payer has a due date in
  every slot, a quarterly one in February, May, August and November only; other slots hold zeros.
- `provisional`, `ajustement`, `regularisation`, `cfp`: int64 arrays of shape (rows, 24), the part of each kind of
  each instalment. The year of a part is the slot's year for provisional and cfp, N for ajustement, N-1 for
  régularisation. A slot whose parts are all zero is no instalment (the scalar shows none).
- `calendar`: int8 per row, an index into `calendars` ('monthly-5', 'monthly-20', 'quarterly'); `due_dates`
  (calendars, 24) datetime64[D], shared by every row of a calendar (NaT where no due date).
- `zone`: int16 per row, an index into `zones` (the `holidays` subdivisions: None for the common calendar, '57',
  '6AE', '971'…); `debit_dates` (zones, calendars, 24) datetime64[D]: the debit date of row r in slot s is
  `debit_dates[zone[r], calendar[r], s]`.
- `penalty`: int64 per row, the penalty of a late declaration (R613-1-1 III), a part of kind
  `penalite_declaration` (year N-1) of the instalment in slot `effect`; zero when the declaration was on time.
- refunds, per row: `ajustement_refund` and `regularisation_refund` (refunded on `refund_date`, the declaration plus
  15 days, R613-5 II, R613-1-3 al. 2) and `regularisation_on_instalments` (the régularisation credit set against
  the instalments still to come, on the effect date `due_dates[calendar, effect]`); zero when there is none.
- `quarterly_fallback`: monthly requested without a direct-debit authorisation (quarterly, note
  `trimestriel_sans_prelevement`); `estimated_years`: years computed with the last known law
  (`parametres_provisoires`).
- a cessation (`cessation`, NaT where none): what falls due off the calendar is in `off_dates` / `off_debit_dates`
  (rows, 2) and `off_parts` (rows, 2, `OFF_KINDS`): the settlement date (a CFP of N not called yet, the rest of a
  régularisation) and, declared after the cessation (`closed_before`), the day the régularisation and the penalty
  fall due (the penalty then is not in `penalty`). `called()` is what each row calls in all.
- `started`: the start of activity's year less N (-1, -2, or -3 for N-3 and earlier), for information.
`Campaign.instalments(row)`, `.refunds(row)` and `.notes(row)` give one row as the scalar's own objects.

One text (docs/campaign.md): every amount is a whole number of euros from `simulate_many` (the contribution rules'
one text); the spreading is `spread.equal_instalments`, the ajustement `rules.ajustement_split`, the régularisation
credit `rules.imputation`, evaluated here on arrays and by the replay on ints; the effect date, the due dates that
carry a complement, the CFP's and the refund's dates are the replay's own functions (`first_due_date_at_least`,
`carrying`, `cfp_call_from`, `refund_date`, and after a cessation `settlement_after_cessation`,
`effect_after_cessation`), asked once per calendar and day; the flat-rate base is `contributions.year.forfait`, the
annualised income `rules.annualised`.

Bad input raises `RowInputError` naming the first invalid row (0-based) and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from echeancier.contributions import csg_crds
from echeancier.contributions.debut_outre_mer import CROISIERE_NOTE
from echeancier.contributions.situation import MAX_INCOME, InputError, Profession
from echeancier.contributions.territory import OUTRE_MER, account_note, territory
from echeancier.contributions.vectorized import ABATTEMENT, VECTOR, RowInputError, simulate_many
from echeancier.kernel.fmt import format_date, format_euros
from echeancier.kernel.inputs import shown
from echeancier.kernel.money import ZERO, to_decimal
from echeancier.law import Law, LawError, load_law
from echeancier.law.snapshot import provisional_snapshot, snapshot_of, supported_years
from echeancier.organisms import is_overseas
from echeancier.schedule import amounts, declarations
from echeancier.schedule.calendar import (
    Departement,
    Frequency,
    debit_date,
    due_dates,
    first_due_date_at_least,
    first_due_date_on_or_after,
    payment_days,
)
from echeancier.schedule.campaign_changes import Changes, Group, schedule_group
from echeancier.schedule.echeancier import (
    KINDS,
    Instalment,
    Part,
    Refund,
    carrying,
    cfp_call_from,
    effect_after_cessation,
    first_due_floor,
    payment_day_effect,
    quarterly_option_effect,
    refund_date,
    renunciation_effect,
    settlement_after_cessation,
)
from echeancier.schedule.rules import ajustement_split, annualised, imputation, late_penalty
from echeancier.schedule.spread import equal_instalments

__all__ = ["FIELDS", "SLOTS", "Campaign", "campaign_many"]

I64: TypeAlias = npt.NDArray[np.int64]
Bools: TypeAlias = npt.NDArray[np.bool_]
Dates: TypeAlias = npt.NDArray[np.datetime64]

SLOTS = 24  # the months of N and N+1
PARTS = ("provisional", "ajustement", "regularisation", "cfp")  # the order of `KINDS` in the scalar
OFF_KINDS = (*PARTS, "penalite_declaration")  # the parts that can fall due off the calendar (`Campaign.off_parts`)
FIELDS = (
    "id",
    "profession",
    "frequency",
    "day",
    "direct_debit",
    "department",
    "income_n2",
    "income_n1",
    "declaration_date",
    "activity_start",
    "acre",
    "rsa",
    "cessation",
    # One change of the échéancier of N besides the declaration (`schedule.campaign_changes`): `event` names it
    # (`modulation`, `payment_day_change`, `quarterly_option`, `quarterly_renounced`, empty for none) on
    # `event_date`, with the estimated income of a modulation (euros), the new day of a payment-day change, the
    # start of a quarterly option (`in_year`, `next_year`).
    *("event", "event_date", "estimated_income", "new_day", "quarterly_start"),
    "abattement_outre_mer",
)
# acre and rsa: false when not given; cessation: none; abattement_outre_mer: true (CSS L756-4); no event
OPTIONAL = (
    *("id", "acre", "rsa", "cessation", "event", "event_date", "estimated_income", "new_day", "quarterly_start"),
    "abattement_outre_mer",
)
EVENTS = ("modulation", "payment_day_change", "quarterly_option", "quarterly_renounced")
CHUNK = 1 << 14  # rows per block of the schedule: its (rows, 24) intermediate arrays stay in the cache
# The campaign's columns have no `section`: a profession libérale réglementée is not one of its professions (its
# accounts are replayed one by one, `schedule.echeancier`).
PROFESSIONS: tuple[str, ...] = tuple(p.value for p in Profession if p is not Profession.liberal_reglementee)
_NO_DATE = np.iinfo(np.int64).max  # a slot without a due date, after every date
_EPOCH = date(1970, 1, 1)


# --------------------------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True, slots=True)
class Campaign:
    """The échéanciers of one campaign year, columnar (see the module docstring for the layout)."""

    year: int
    ids: npt.NDArray[Any] | None
    calendars: tuple[str, ...]
    calendar: npt.NDArray[np.int8]
    due_dates: Dates
    zones: tuple[str | None, ...]
    zone: npt.NDArray[np.int16]
    debit_dates: Dates
    provisional: I64
    ajustement: I64
    regularisation: I64
    cfp: I64
    effect: npt.NDArray[np.int8]
    refund_date: Dates
    ajustement_refund: I64
    regularisation_refund: I64
    regularisation_on_instalments: I64
    quarterly_fallback: Bools
    estimated_years: tuple[int, ...]
    # Per zone, the COG code of an overseas territory, None elsewhere: each overseas territory has its own holiday
    # zone, so the zone says which overseas note a row carries (`contributions.territory.account_note`).
    zone_overseas: tuple[str | None, ...] = ()
    penalty: I64 | None = None  # R613-1-1 III, in the slot `effect` of each row
    # Per row, the year of the start of activity less N: -1 (N-1 the first year), -2, or -3 for N-3 or earlier
    # (the steady state). Informative: the layout is the same for every row.
    started: npt.NDArray[np.int8] | None = None
    # A cessation in N (R613-1-5, R131-9 IV): per row its date (NaT: none); what falls due off the calendar, on at
    # most two dates per row (`off_dates`, (rows, 2), NaT where none; `off_debit_dates` likewise): the settlement
    # date (a CFP not called yet, a régularisation's rest) and, for a declaration after the cessation, the day its
    # complement is due; `off_parts` (rows, 2, len(OFF_KINDS)) the cents of each kind there.
    cessation: Dates | None = None
    off_dates: Dates | None = None
    off_debit_dates: Dates | None = None
    off_parts: I64 | None = None
    closed_before: Bools | None = None  # ceased before the declaration: no ajustement, nothing of N+1 (R613-1-5)
    # A change of calendar in N (`schedule.campaign_changes`): from the slot `switch` on (SLOTS: never) a row's due
    # dates are those of `calendar_after`; `effect_date`, the declaration's effect (where a régularisation credit
    # is set against the instalments), when it is not the due date of the slot `effect` (which then is the
    # penalty's); `overpaid`: a modulation's excess already called (note `trop_verse_apres_revenu_reel`, 1 before
    # the notes of N+1's law, 2 after them); `replay`: rows the slots cannot hold, left to the replay.
    calendar_after: npt.NDArray[np.int8] | None = None
    switch: npt.NDArray[np.int8] | None = None
    effect_date: Dates | None = None
    overpaid: npt.NDArray[np.int8] | None = None
    replay: Bools | None = None
    law: Law | None = None  # the parameters it was computed with (the packaged law when None)
    abattement: Bools | None = None  # per row, the abattement of CSS L756-4 overseas (None: true for every row)

    def __len__(self) -> int:
        return len(self.calendar)

    def slot_calendars(self, rows: Any = slice(None)) -> npt.NDArray[np.intp]:
        """The calendar of each slot of `rows` (rows, SLOTS): `calendar`, or `calendar_after` from `switch` on."""
        calendar = self.calendar[rows].astype(np.intp)
        if self.calendar_after is None or self.switch is None:
            return np.repeat(calendar.reshape(-1, 1), SLOTS, axis=1)
        after = np.arange(SLOTS)[None, :] >= self.switch[rows].reshape(-1, 1)
        chosen: npt.NDArray[np.intp] = np.where(
            after, self.calendar_after[rows].reshape(-1, 1), calendar.reshape(-1, 1)
        )
        return chosen

    def effect_dates(self, rows: Any = slice(None)) -> Dates:
        """The declaration's effect date of `rows` (the due date of its slot `effect`, or `effect_date`)."""
        effect = self.effect[rows].astype(np.intp).reshape(-1)
        calendars = self.slot_calendars(rows)[np.arange(len(effect)), effect]
        due: Dates = self.due_dates[calendars, effect]
        if self.effect_date is not None:
            given = self.effect_date[rows].reshape(-1)
            due = np.where(np.isnat(given), due, given)
        return due

    def take(self, rows: npt.NDArray[np.intp]) -> Campaign:
        """The campaign of `rows` alone."""
        shared = ("year", "calendars", "due_dates", "zones", "debit_dates", "estimated_years", "zone_overseas", "law")
        values = {
            name: getattr(self, name) if name in shared or getattr(self, name) is None else getattr(self, name)[rows]
            for name in self.__dataclass_fields__
        }
        return Campaign(**values)

    def called(self) -> I64:
        """What each row's instalments call in all, cents (off-calendar parts included)."""
        # The sum of each part's row sums (exact integers: the same as `total()` summed, without its (rows, 24)).
        called: I64 = self.provisional.sum(axis=1) + self.ajustement.sum(axis=1)
        called += self.regularisation.sum(axis=1) + self.cfp.sum(axis=1)
        if self.penalty is not None:
            called += self.penalty
        if self.off_parts is not None:
            called = called + self.off_parts.sum(axis=(1, 2))
        return called

    def total(self) -> I64:
        """The amount of each instalment on the calendar's due dates, (rows, 24) cents (`off_parts` apart)."""
        total: I64 = self.provisional + self.ajustement + self.regularisation + self.cfp
        if self.penalty is not None:
            total = total.copy()
            total[np.arange(len(total)), self.effect.astype(np.intp)] += self.penalty
        return total

    def part_year(self, kind: str, slot: int) -> int:
        """The year a part of `kind` in `slot` is due for."""
        if kind == "ajustement":
            return self.year
        if kind == "regularisation":
            return self.year - 1
        return self.year + slot // 12

    def instalments(self, row: int) -> tuple[Instalment, ...]:
        """The instalments of `row`, as `build_echeancier` gives them."""
        calendars, zone = self.slot_calendars(slice(row, row + 1))[0], int(self.zone[row])
        arrays = (self.provisional, self.ajustement, self.regularisation, self.cfp)
        result = []
        for slot in range(SLOTS):
            calendar = int(calendars[slot])
            due = self.due_dates[calendar, slot]
            if np.isnat(due):
                continue
            parts = tuple(
                Part(kind, self.part_year(kind, slot), _euros(array[row, slot]))
                for kind, array in zip(PARTS, arrays, strict=True)
                if array[row, slot] != 0
            )
            if self.penalty is not None and self.penalty[row] and slot == self.effect[row]:
                parts += (Part(declarations.PENALTY_KIND, self.year - 1, _euros(self.penalty[row])),)
            if parts:
                result.append(Instalment(_date(due), _date(self.debit_dates[zone, calendar, slot]), parts))
        if self.off_parts is not None and self.off_dates is not None and self.off_debit_dates is not None:
            for i in range(self.off_dates.shape[1]):
                if np.isnat(self.off_dates[row, i]) or not self.off_parts[row, i].any():
                    continue
                day = _date(self.off_dates[row, i])
                # Only the CFP of N, the régularisation and the penalty of N-1 fall due off the calendar.
                year = {
                    "cfp": self.year,
                    "regularisation": self.year - 1,
                    declarations.PENALTY_KIND: self.year - 1,
                }
                off = tuple(
                    Part(kind, year.get(kind, day.year), _euros(amount))
                    for kind, amount in zip(OFF_KINDS, self.off_parts[row, i].tolist(), strict=True)
                    if amount
                )
                same = [n for n, instalment in enumerate(result) if instalment.due_date == day]
                if same:  # one instalment per date, its parts in the order of KINDS
                    merged = sorted(result[same[0]].parts + off, key=lambda part: KINDS.index(part.kind))
                    result[same[0]] = Instalment(day, result[same[0]].debit_date, tuple(merged))
                else:
                    result.append(Instalment(day, _date(self.off_debit_dates[row, i]), off))
            result.sort(key=lambda instalment: instalment.due_date)
        return tuple(result)

    def refunds(self, row: int) -> tuple[Refund, ...]:
        """The refunds of `row`, as `build_echeancier` gives them (in date order, then in the order they arise)."""
        on = _date(self.refund_date[row])
        effect = _date(self.effect_dates(slice(row, row + 1))[0])
        found = []
        if self.ajustement_refund[row]:
            found.append(Refund(on, "ajustement", self.year, _euros(self.ajustement_refund[row]), ZERO))
        if self.regularisation_on_instalments[row]:
            imputed = _euros(self.regularisation_on_instalments[row])
            found.append(Refund(effect, "regularisation", self.year - 1, ZERO, on_instalments=imputed))
        if self.regularisation_refund[row]:
            found.append(Refund(on, "regularisation", self.year - 1, _euros(self.regularisation_refund[row]), ZERO))
        return tuple(sorted(found, key=lambda refund: refund.date))

    def notes(self, row: int) -> tuple[str, ...]:
        overseas = self.zone_overseas[self.zone[row]] if self.zone_overseas else None
        note = None
        if overseas and territory(overseas) == OUTRE_MER and (self.abattement is None or self.abattement[row]):
            # CSS L756-4 computed (`build_echeancier`): its note in place of the warning.
            note = CROISIERE_NOTE
        elif overseas:
            # The income years the row's documents show, as `build_echeancier` reads them.
            years = {part.year for instalment in self.instalments(row) for part in instalment.parts}
            note = account_note(overseas, years | {refund.year for refund in self.refunds(row)}, law=self.law)
        warning = (note,) if note else ()
        fallback = ("trimestriel_sans_prelevement",) if self.quarterly_fallback[row] else ()
        estimated = self.estimated_years
        ceased = None if self.cessation is None or np.isnat(self.cessation[row]) else _date(self.cessation[row])
        if self.closed_before is not None and self.closed_before[row]:
            # Ceased before its declaration: N+1 was never opened (nor its law asked for).
            estimated = tuple(year for year in estimated if year <= self.year)
        cessation = () if ceased is None else (f"cessation:{ceased}",)
        provisional = tuple(f"parametres_provisoires:{year}" for year in estimated)
        overpaid = 0 if self.overpaid is None else int(self.overpaid[row])
        if overpaid:  # the modulation's note, where the replay makes it: before or after the declaration's
            note_of = (f"trop_verse_apres_revenu_reel:{self.year}",)
            provisional = note_of + provisional if overpaid == 1 else provisional + note_of
        return warning + fallback + provisional + cessation


def _euros(cents: Any) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _date(day: Any) -> date:
    """A datetime64 or a number of days since 1970-01-01, as a date."""
    if isinstance(day, np.datetime64):
        day = day.astype("datetime64[D]").astype(np.int64)
    return _EPOCH + timedelta(days=int(day))


# --------------------------------------------------------------------------------------------------------------
# Reading and checking the columns


class _Problems:
    """The first invalid row of each check; the earliest row is reported (then the field order of `FIELDS`, then
    the check made first)."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int, int, str, str]] = []  # row, field rank, check order, field, message

    def add(self, mask: Bools, field: str, message: Callable[[int], str]) -> None:
        if mask.any():
            row = int(np.argmax(mask))
            self.found.append((row, FIELDS.index(field), len(self.found), field, message(row)))

    def raise_first(self) -> None:
        if self.found:
            row, _, _, field, message = min(self.found)
            raise RowInputError(row, field, message)


def _columns(columns: Any) -> dict[str, Any]:
    module = type(columns).__module__.split(".")[0]
    if module == "polars":
        return {name: columns.get_column(name).to_numpy() for name in columns.columns}
    if module == "pyarrow":
        return {name: columns.column(name).to_numpy() for name in columns.column_names}
    if isinstance(columns, Mapping):
        return dict(columns)
    raise InputError(
        "columns",
        "doit être un dictionnaire de colonnes (nom du champ : tableau), un DataFrame Polars ou une table PyArrow",
    )


def _array(values: Any) -> npt.NDArray[Any]:
    if isinstance(values, np.ndarray):
        return values
    array = np.asarray(values)
    if array.ndim != 1 or (array.dtype.kind in "US" and not all(isinstance(v, str | np.str_) for v in values)):
        # NumPy would turn [True, 'yes'] into strings: keep the values as given.
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)
    return array


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _got(value: Any) -> str:
    return f" (reçu {shown(_plain(value))})"


def _codes(values: Any, names: tuple[str, ...], field: str, problems: _Problems) -> npt.NDArray[np.int8]:
    array = _array(values)
    codes = np.full(len(array), -1, dtype=np.int8)
    for code, name in enumerate(names):
        codes[array == name] = code
    problems.add(codes < 0, field, lambda i: f"doit être l'une des valeurs {', '.join(names)}{_got(array[i])}")
    return codes


def _days_of_month(values: Any, allowed: tuple[int, int], problems: _Problems) -> npt.NDArray[np.int64]:
    array = _array(values)
    if array.dtype.kind in "iu":
        good = (array == allowed[0]) | (array == allowed[1])
    else:
        good = np.array(
            [isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_) and v in allowed for v in array],
            dtype=np.bool_,
        )
    problems.add(~good, "day", lambda i: f"le jour de paiement est le {allowed[0]} ou le {allowed[1]}{_got(array[i])}")
    return np.where(good, array, allowed[0]).astype(np.int64)


def _flags(values: Any, field: str, problems: _Problems) -> Bools:
    array = _array(values)
    if array.dtype.kind == "b":
        return array
    if array.dtype.kind in "iu":
        good = (array == 0) | (array == 1)
    else:
        good = np.array([isinstance(v, bool | np.bool_) or (v in (0, 1) and v is not None) for v in array], np.bool_)
    problems.add(~good, field, lambda i: f"doit être true ou false{_got(array[i])}")
    return np.asarray(good & (array == 1), dtype=np.bool_)


def _too_large(value: Any) -> str:
    """The input layer's words for an income beyond MAX_INCOME (`parse_euros`), whatever its size."""
    return f"dépasse la limite de {format_euros(MAX_INCOME)} (reçu {shown(_plain(value))})"


def _cents(values: Any, field: str, problems: _Problems) -> I64:
    """Incomes in whole cents (the scalar reads any decimal; the vectorised path needs cents), |x| ≤ MAX_INCOME."""
    array = _array(values)
    limit = int(MAX_INCOME)
    if array.dtype.kind in "iu":
        too_large = np.abs(array) > limit
        problems.add(too_large, field, lambda i: _too_large(array[i]))
        cents: I64 = np.where(too_large, 0, array).astype(np.int64) * 100
        return cents
    if array.dtype.kind == "f":
        finite = np.isfinite(array)
        too_large = finite & (np.abs(np.where(finite, array, 0.0)) > limit)
        clean = np.where(finite & ~too_large, array, 0.0)
        rounded = np.rint(clean * 100)
        problems.add(too_large, field, lambda i: _too_large(array[i]))
        problems.add(
            ~finite | (rounded / 100 != clean),
            field,
            lambda i: f"doit être un montant en euros au centime près{_got(array[i])}",
        )
        whole: I64 = rounded.astype(np.int64)
        return whole
    cents = np.zeros(len(array), dtype=np.int64)
    bad = np.zeros(len(array), dtype=np.bool_)
    for i, value in enumerate(array):
        try:
            amount = to_decimal(value.item() if isinstance(value, np.generic) else value) * 100
        except ValueError:
            bad[i] = True
            continue
        if amount != amount.to_integral_value() or abs(amount) > limit * 100:
            bad[i] = True
        else:
            cents[i] = int(amount)
    problems.add(bad, field, lambda i: f"doit être un montant en euros au centime près{_got(array[i])}")
    return cents


def _missing(values: Any) -> Bools:
    """Where a column gives no value (None, NaN, empty text): an income that may be absent."""
    array = _array(values)
    if array.dtype.kind == "f":
        nan: Bools = np.isnan(array)
        return nan
    if array.dtype.kind == "M":
        nat: Bools = np.isnat(array)
        return nat
    if array.dtype.kind in "US":
        # Empty text, as in an object column (`str.strip`), without a Python object per row.
        empty: Bools = np.char.str_len(np.char.strip(array)) == 0
        return empty
    if array.dtype.kind != "O":
        return np.zeros(len(array), dtype=np.bool_)
    return np.array(
        [v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()) for v in array],
        dtype=np.bool_,
    )


def _fill(values: Any, missing: Bools) -> Any:
    """`values` with 0 where `missing` (the rows that do not read it)."""
    if not missing.any():
        return values
    array = _array(values).copy()
    array[missing] = 0
    return array


def _days(values: Any, field: str, problems: _Problems) -> I64:
    """Dates as days since 1970-01-01."""
    array = _array(values)
    if array.dtype.kind == "M":
        days: I64 = array.astype("datetime64[D]").view(np.int64)
        problems.add(np.isnat(array), field, lambda i: "est obligatoire")
        return days
    result = np.zeros(len(array), dtype=np.int64)
    bad = np.zeros(len(array), dtype=np.bool_)
    for i, value in enumerate(array):
        try:
            if isinstance(value, str):
                value = date.fromisoformat(value)
            if not isinstance(value, date) or hasattr(value, "hour"):
                raise TypeError(value)
            result[i] = (value - _EPOCH).days
        except (TypeError, ValueError):
            bad[i] = True
    problems.add(bad, field, lambda i: f"doit être une date AAAA-MM-JJ{_got(array[i])}")
    return result


def _zones(values: Any, problems: _Problems) -> tuple[npt.NDArray[np.int16], tuple[str | None, ...], tuple[str, ...]]:
    """Each row's holiday zone (the `holidays` subdivision of its département), the zones and a département of each."""
    array = _array(values)
    if array.dtype.kind in "iuUS":
        uniques, inverse = np.unique(array, return_inverse=True)
    else:
        values = array.tolist()
        # The distinct values in the order first seen, then each row's rank among them (C loops, not one
        # `setdefault` call per row).
        seen: dict[Any, int] = {value: rank for rank, value in enumerate(dict.fromkeys(values))}
        inverse = np.fromiter(map(seen.__getitem__, values), dtype=np.intp, count=len(values))
        uniques = np.empty(len(seen), dtype=object)
        uniques[:] = list(seen)
    parsed: list[Departement | None] = []
    for value in uniques.tolist():
        try:
            parsed.append(Departement.parse(value.strip() if isinstance(value, str) else value))
        except ValueError:
            parsed.append(None)
    bad = np.array([department is None for department in parsed], dtype=np.bool_)
    zones: dict[str | None, str] = {}  # zone -> a département of it, the common calendar first, then by name
    for department in sorted((d for d in parsed if d is not None), key=lambda d: (d.subdivision or "", d.code)):
        zones.setdefault(department.subdivision, department.code)
    order = list(zones)
    zone_of = np.array([0 if d is None else order.index(d.subdivision) for d in parsed], dtype=np.int16)
    problems.add(
        bad[inverse],
        "department",
        lambda i: (
            f"{shown(_plain(array[i]))} n'est pas un code de département (01 à 95 sauf 20, 2A, 2B, 971 à 974, "
            "976 à 978)"
        ),
    )
    return zone_of[inverse], tuple(zones), tuple(zones.values())


# --------------------------------------------------------------------------------------------------------------
# The calendar of the campaign


@dataclass(frozen=True, slots=True)
class _Calendars:
    """The due dates of N and N+1 of each calendar, by slot (R613-2 I, R613-3 I)."""

    labels: tuple[str, ...]
    due: I64  # (calendars, SLOTS), days since 1970-01-01, _NO_DATE where no due date
    valid: Bools  # (calendars, SLOTS)
    last: npt.NDArray[np.intp]  # (calendars, 2): the last slot of N, of N+1 (where a spread puts its remainder)
    cfp: npt.NDArray[np.intp]  # (calendars, 2): the slot of the CFP of N, of N+1 (first due date from 1 November)
    pools: Bools  # (calendars, SLOTS, SLOTS): the slots carrying a component of N from each slot (`carrying`)
    pool_last: npt.NDArray[np.intp]  # (calendars, SLOTS): the last of them


def _slot(day: date, year: int) -> int:
    return 12 * (day.year - year) + day.month - 1


def _calendars(year: int, law: Law) -> _Calendars:
    default_day, other_day = payment_days(year, law=law)
    modes = ((Frequency.MONTHLY, default_day), (Frequency.MONTHLY, other_day), (Frequency.QUARTERLY, None))
    due = np.full((len(modes), SLOTS), _NO_DATE, dtype=np.int64)
    for c, (frequency, day) in enumerate(modes):
        for y in (year, year + 1):
            for d in due_dates(y, frequency, day, law=law):
                due[c, _slot(d, year)] = (d - _EPOCH).days
    valid = due != _NO_DATE
    last = np.array([[max(np.flatnonzero(v[:12])), max(np.flatnonzero(v[12:])) + 12] for v in valid], dtype=np.intp)
    cfp = np.zeros((len(modes), 2), dtype=np.intp)
    for c, (frequency, day) in enumerate(modes):
        for i, y in enumerate((year, year + 1)):
            # The replay's own rule: the first due date of the year from `cfp_call_from` on.
            called = first_due_date_on_or_after(cfp_call_from(y, law=law), due_dates(y, frequency, day, law=law))
            if called is None:
                raise LawError(f"echeances: no due date of {y} from 1 November to call its CFP")
            cfp[c, i] = _slot(called, year)
    # The replay's `carrying` from each slot: the due dates of N still to come, or the first of N+1 alone.
    pools = np.zeros((len(modes), SLOTS, SLOTS), dtype=np.bool_)
    for c, (frequency, day) in enumerate(modes):
        by_year = [due_dates(y, frequency, day, law=law) for y in (year, year + 1)]
        for effect in np.flatnonzero(valid[c]).tolist():
            start = _date(due[c, effect])
            for later, dates in enumerate(by_year):
                remaining = [d for d in dates if d >= start]
                if remaining:
                    for d in carrying(remaining, later == 1, single=False, first_year=False):
                        pools[c, effect, _slot(d, year)] = True
                    break
    pool_last = np.where(pools.any(axis=2), SLOTS - 1 - np.argmax(pools[:, :, ::-1], axis=2), 0).astype(np.intp)
    labels = (f"monthly-{default_day}", f"monthly-{other_day}", "quarterly")
    return _Calendars(labels, due, valid, last, cfp, pools, pool_last)


def _effects(
    cal: _Calendars, calendar: npt.NDArray[np.int8], declared: I64, year: int, law: Law
) -> npt.NDArray[np.int8]:
    """The slot of each row's effect date: the replay's own `first_due_date_at_least` (the first due date at least
    `delais.effet_declaration_jours` after the declaration, of N or else of N+1, DESIGN §2.3), asked once per
    calendar and declaration day."""
    effects = np.zeros(len(calendar), dtype=np.int8)
    if not len(calendar):
        return effects
    # The distinct (calendar, day) pairs as one integer each: `np.unique` of a 1-D key, 25 times faster than of the
    # two rows stacked (`axis=1`, a sort of structured values), in the same order.
    first, span = int(declared.min()), int(declared.max()) - int(declared.min()) + 1
    keys, inverse = np.unique(calendar.astype(np.int64) * span + (declared - first), return_inverse=True)
    pairs = np.stack([keys // span, keys % span + first])
    found = np.zeros(pairs.shape[1], dtype=np.int8)
    by_year = []
    for c in range(len(cal.labels)):
        slots = np.flatnonzero(cal.valid[c])
        dates = [_date(cal.due[c, slot]) for slot in slots.tolist()]
        split = int(np.searchsorted(slots, 12))
        by_year.append((dates[:split], dates[split:]))
    for i, (c, day) in enumerate(pairs.T.tolist()):
        on = _date(day)
        delay = law.value_near("delais.effet_declaration_jours", on)
        assert isinstance(delay, int)
        for pool in by_year[c]:
            due = first_due_date_at_least(on, delay, pool)
            if due is not None:
                found[i] = _slot(due, year)
                break
        else:
            raise LawError("echeances: no due date is known after a declaration")  # not for a date in N
    effects[:] = found[inverse.reshape(-1)]
    return effects


# --------------------------------------------------------------------------------------------------------------
# The amounts (schedule.amounts, through simulate_many)


class _Amounts:
    """The yearly amounts of `schedule.amounts`, in cents, each computed once by `simulate_many`.

    Each row's situation in a year is `amounts._situation`'s: the start of activity and ACRE only for a year in
    which the activity started in that year or the one before (ACRE then applies, L131-6-4), RSA every year."""

    def __init__(
        self,
        professions: npt.NDArray[np.int8],
        incomes: dict[str, I64],
        departments: npt.NDArray[Any],
        law: Law,
        start: I64,
        acre: Bools,
        rsa: Bools,
        abattement: Bools | None = None,
    ) -> None:
        self.law = law
        self.abattement = abattement  # CSS L756-4 overseas, per row (None: the default, true)
        self.names = np.array(PROFESSIONS)[professions]
        self.departments = departments  # a département of each row's zone: its overseas rules (L751-1)
        self.codes = professions
        self.incomes = dict(incomes)
        self.start = start  # days since 1970-01-01
        self.start_year = start.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        self.acre = acre
        self.rsa = rsa
        self.incomes["zero"] = np.zeros(len(start), dtype=np.int64)  # the flat-rate base does not read it
        self.cache: dict[tuple[int, int, bool, str, bool, bool], tuple[I64, I64]] = {}
        self.estimated: set[int] = set()

    def _law_year(self, year: int) -> int:
        """The year of the law `amounts.law_for` gives: the year's own, or the last known one past the
        parameters (noted as estimated)."""
        law, estimated = amounts.law_for(year, self.law)
        if estimated:
            self.estimated.add(year)
        return law.year

    def _run(
        self, year: int, provisional: bool, income: str, forfait: bool = False, abated: bool = True
    ) -> tuple[I64, I64]:
        """(contributions CFP excluded, the six cotisations) in cents, of `income` in `year` (under its law, or the
        last known one), or of the flat-rate base of the first two years (`forfait`, R613-5 III); `abated`: with
        the abattement of CSS L756-4 of the rows that have it (the amounts due), else without (the CSG-CRDS base)."""
        law_year = self._law_year(year)
        provisional_law = provisional_snapshot(law_year, self.law) is not snapshot_of(self.law, law_year)
        key = (year, law_year, provisional and provisional_law, income, forfait, abated)
        if key not in self.cache:
            cents = self.incomes[income]
            whole = not (cents % 100).any()
            euros = cents // 100 if whole else cents / 100  # floats of whole cents are read exactly
            # `amounts._situation`: ACRE in the year of the start and the next; the start itself where a rule reads
            # it (those years, and every year at Mayotte: the 24-month exemption and the halving of ordonnance
            # 96-1122 art. 28-8, 28-5; an older start changes no other amount of the campaign's rows). A start after
            # the law's year is left out (such a row's amount is not used: see `campaign_many`).
            known = self.start_year <= law_year
            recent = (self.start_year >= year - 1) & known
            dated = recent | (known & (self.departments == "976"))
            columns = {
                "year": np.full(len(cents), law_year),
                "profession": self.names,
                "income": euros,
                "department": self.departments,
                "start_date": np.where(dated, self.start, np.iinfo(np.int64).min).view("datetime64[D]"),
                "acre": self.acre & recent,
                "rsa": self.rsa,
            }
            if not abated:
                columns["abattement_outre_mer"] = np.zeros(len(cents), dtype=np.bool_)
            elif self.abattement is not None:
                columns["abattement_outre_mer"] = self.abattement
            result = simulate_many(columns, provisional=key[2], law=self.law, forfait=forfait)
            amount = 100 * (result["total"] - result["formation_professionnelle"])
            self.cache[key] = (amount, amount - 100 * result["csg_crds"])
        return self.cache[key]

    def definitive(self, year: int, income: str) -> I64:
        """`amounts.definitive`: contributions of `year` on its own income."""
        return self._run(year, False, income)[0]

    def debut_activite(self, year: int) -> Bools:
        """`amounts.is_debut_activite`: `year` is one of the first two civil years of activity (R613-5 III)."""
        law, _ = amounts.law_for(year, self.law)
        since = year - self.start_year
        debut: Bools = (since >= 0) & (since < law.forfait_duree_annees)
        return debut

    def forfait(self, year: int) -> I64:
        """`amounts.forfait`: the provisional contributions of a first or second year on the flat-rate base."""
        return self._run(year, True, "zero", forfait=True)[0]

    def annualised(self, basis_year: int, income: str) -> str:
        """`amounts.annualised` (R131-3-1 1°): the income of the year the activity started, brought to a whole
        year — the one text `rules.annualised` on the rows that started after 1 January of `basis_year`."""
        partial = (self.start_year == basis_year) & (self.start != (date(basis_year, 1, 1) - _EPOCH).days)
        if not partial.any():
            return income
        name = f"{income} annualised from {basis_year}"
        if name not in self.incomes:
            law, _ = amounts.law_for(basis_year, self.law)
            end = (date(basis_year, 12, 31) - _EPOCH).days
            active = np.where(partial, end - self.start + 1, 1)
            counted = min(law.jours_prorata, (date(basis_year + 1, 1, 1) - date(basis_year, 1, 1)).days)
            whole = annualised(VECTOR, self.incomes[income], 100, counted, active)
            self.incomes[name] = np.where(partial, 100 * whole, self.incomes[income])
        return name

    def converted(self, basis_year: int, year: int, income: str) -> str:
        """`amounts.converted`: the income of `basis_year` in the definition of `year`'s provisional rules.

        LAW (DESIGN §2 decision 7): an income of the former definition becomes the former CSG-CRDS base, revenu (a
        deficit as zero) plus the compulsory contributions. (The scalar also looks up the law of `basis_year` when the
        target rules need no conversion; here it is only looked up when they do.)
        """
        self._law_year(year)
        if not amounts.needs_conversion(basis_year, year, self.law):
            return income
        name = f"{income} converted from {basis_year}"
        if name not in self.incomes:
            # `Simulation.assiette_csg`: the revenu plus the cotisations the rules compute, before the abattement of
            # CSS L756-4 (which reduces the amounts due, not the bases they are computed on).
            cotisations = self._run(basis_year, False, income, abated=False)[1]
            self.incomes[name] = csg_crds.former_base(VECTOR, self.incomes[income], cotisations)
        return name

    def provisional(self, year: int, basis_year: int, income: str) -> I64:
        """`amounts.provisional`: provisional contributions of `year` on the income of `basis_year` (annualised when
        the activity started during it, then converted to `year`'s definition)."""
        base = self.converted(basis_year, year, self.annualised(basis_year, income))
        return self._run(year, True, base)[0]

    def called(self, year: int, basis_year: int, income: str) -> I64:
        """The provisional contributions of `year`: on the flat-rate base in a first or second year
        (`_Replay.open_year`, `called_for`), else on the income of `basis_year`."""
        debut = self.debut_activite(year)
        if debut.all():
            return self.forfait(year)
        on_income = self.provisional(year, basis_year, income)
        if not debut.any():
            return on_income
        # The flat-rate base computed on the first and second years alone (a few rows of a partition), not on
        # every row: `simulate_many` is row by row, so each row's amount is the same.
        rows = np.flatnonzero(debut)
        called = on_income.copy()
        called[rows] = self.subset(rows).forfait(year)
        return called

    def subset(self, rows: npt.NDArray[np.intp], incomes: dict[str, I64] | None = None) -> _Amounts:
        """The amounts of `rows` alone (with `incomes`, else none read), their estimated years noted here too."""
        sub = _Amounts(
            self.codes[rows],
            incomes or {},
            self.departments[rows],
            self.law,
            self.start[rows],
            self.acre[rows],
            self.rsa[rows],
            None if self.abattement is None else self.abattement[rows],  # CSS L756-4, as the row's own
        )
        sub.estimated = self.estimated  # one set: a year estimated for some rows is noted for the campaign
        return sub

    def cfp(self, year: int) -> I64:
        """`amounts.cfp`: the CFP of `year` (the whole PASS, whatever the income), by row — under the law of the
        provisional contributions in a first or second year (`amounts.forfait`), else of the year's."""
        law_year = self._law_year(year)
        debut = self.debut_activite(year)
        # By profession, in metropolitan France (and overseas) then at Mayotte (its own PASS from 2025).
        n = len(PROFESSIONS)
        columns = {
            "year": np.full(2 * n, law_year),
            "profession": PROFESSIONS * 2,
            "income": [0] * (2 * n),
            "department": ["75"] * n + ["976"] * n,
        }
        index = self.codes.astype(np.intp) + n * (self.departments == "976")
        cfp: I64 = 100 * simulate_many(columns, law=self.law)["formation_professionnelle"][index]
        if debut.any():
            first: I64 = 100 * simulate_many(columns, provisional=True, law=self.law)["formation_professionnelle"]
            cfp = np.where(debut, first[index], cfp)
        return cfp


# --------------------------------------------------------------------------------------------------------------
# The schedule


def _spread(total: I64, mask: Bools, last: npt.NDArray[np.intp]) -> I64:
    """`spread` of each row's `total` over its slots `mask` — the one text `equal_instalments` on arrays, the
    remainder on the slot `last` — and nothing for a total of zero or less, as `_Replay.replan` places nothing."""
    count = mask.sum(axis=1)
    placed = total > 0
    each, remainder = equal_instalments(VECTOR, np.where(placed, total, 0), np.maximum(count, 1))
    parts: I64 = np.where(mask, each[:, None], 0)
    parts[np.arange(len(total)), last] = np.where(placed, remainder, 0)
    return parts


@dataclass(frozen=True, slots=True)
class _Targets:
    """The yearly amounts of each row, in cents."""

    provisional_n: I64  # provisional N on the income of N-2, called from January
    called_n1: I64  # provisional N-1 on the income of N-2 (`called_for`)
    definitive_n1: I64  # definitive N-1 on the income of N-1
    adjusted_n: I64  # provisional N on the income of N-1
    provisional_next: I64  # provisional N+1 on the income of N-1
    cfp_n: I64
    cfp_next: I64


def _schedule(
    cal: _Calendars,
    calendar: npt.NDArray[np.int8],
    effects: npt.NDArray[np.int8],
    earliest: npt.NDArray[np.int8],
    t: _Targets,
    s: slice,
    out: dict[str, Any],
) -> None:
    """The échéancier of the rows `s`, written into `out` (see `declaration`, `ajustement`,
    `regularisation_credit` and `open_year` of the scalar replay). `earliest`: the first slot of N the provisional
    contributions of N may use (R613-4: at least 90 days after the start of activity; 0 in the steady state)."""
    k = calendar[s].astype(np.intp)
    rows = np.arange(len(k))
    slot = np.arange(SLOTS)
    valid = cal.valid[k]
    effect = effects[s].astype(np.intp)
    first = earliest[s].astype(np.intp)
    before = slot < effect[:, None]
    # Provisional N in equal instalments from January, or from the first due date 90 days after the start of
    # activity (R613-2 II, R613-4).
    provisional_n = t.provisional_n[s]
    opened = _spread(provisional_n, valid & (slot < 12) & (slot >= first[:, None]), cal.last[k, 0])
    called = np.where(before, opened, 0).sum(axis=1)
    # Ajustement (R613-5 I 2°, II): what is called stays; the old plan is kept as far as the new amount goes.
    ajustement_refund, keep, adjust = ajustement_split(
        VECTOR, t.adjusted_n[s], called, np.maximum(provisional_n - called, 0)
    )
    # Régularisation (R613-1-3): a complement, or a credit set against the ajustement, then the provisional
    # instalments still to come, the rest refunded (al. 2).
    regularisation = t.definitive_n1[s] - t.called_n1[s]
    credit = np.maximum(-regularisation, 0)
    (on_adjust, on_provisional), refunded = imputation(VECTOR, credit, (adjust, keep))
    adjust = adjust - on_adjust
    keep = keep - on_provisional
    # From the effect date over the due dates of N still to come; when none remains, at the first due date of N+1
    # alone (DESIGN §2.3).
    pool = cal.pools[k, effect]
    last = cal.pool_last[k, effect]
    provisional = np.where(before, opened, 0)
    # The provisional component keeps its own earliest date (`_Replay.pool`: from max(effect, earliest)).
    kept_from = np.maximum(effect, first)
    provisional += _spread(keep, cal.pools[k, kept_from], cal.pool_last[k, kept_from])
    provisional += _spread(t.provisional_next[s], valid & (slot >= 12), cal.last[k, 1])
    out["provisional"][s] = provisional
    out["ajustement"][s] = _spread(adjust, pool, last)
    out["regularisation"][s] = _spread(np.maximum(regularisation, 0), pool, last)
    cfp = np.zeros((len(k), SLOTS), dtype=np.int64)
    cfp[rows, cal.cfp[k, 0]] = np.maximum(t.cfp_n[s], 0)
    cfp[rows, cal.cfp[k, 1]] = np.maximum(t.cfp_next[s], 0)
    out["cfp"][s] = cfp
    out["effect"][s] = effect
    out["ajustement_refund"][s] = ajustement_refund
    out["regularisation_on_instalments"][s] = on_adjust + on_provisional
    out["regularisation_refund"][s] = refunded


def _cessations(
    cal: _Calendars,
    calendar: npt.NDArray[np.int8],
    year: int,
    ceased: Bools,
    cessation: I64,
    declared: I64,
    start: I64,
    t: _Targets,
    penalty: I64,
    out: dict[str, Any],
    law: Law,
) -> tuple[Dates, I64, Bools] | None:
    """A cessation in N (`_Replay.cessation_event`), on the échéanciers of `out`: the provisional contributions
    and the ajustement stop at the cessation (R131-3-1 2°, R613-1-5), nothing of N+1 is due (its provisional
    contributions and CFP); a CFP of N not called yet and the rest of a régularisation fall due on the settlement
    date (R131-9 IV: 60 days after, `settlement_after_cessation`). A declaration after the cessation calls no
    ajustement and opens no N+1: its régularisation (and penalty) falls due 30 days after the call
    (`effect_after_cessation`, R613-1-5 2°), a credit is refunded (not imputed). Returns (the off-calendar dates,
    their parts, the rows ceased before their declaration), None when no row ceased."""
    rows = np.flatnonzero(ceased)
    if not len(rows):
        return None
    n = len(calendar)
    k = calendar[rows].astype(np.intp)
    # Slots after the cessation (the day itself is before: `called(key, cessation + 1 day)`).
    after = cal.valid[k] & (cal.due[k] > cessation[rows, None])
    before = declared[rows] > cessation[rows]  # ceased before the declaration (same day: the declaration first)
    dates = np.full((n, 2), np.iinfo(np.int64).min, dtype=np.int64)
    parts = np.zeros((n, 2, len(OFF_KINDS)), dtype=np.int64)
    # The settlement date, asked once per (cessation, start) pair.
    pairs, inverse = np.unique(np.stack([cessation[rows], start[rows]]), axis=1, return_inverse=True)
    settled = np.array(
        [
            (settlement_after_cessation(_date(day), first_due_floor(_date(begun), law), law) - _EPOCH).days
            for day, begun in pairs.T.tolist()
        ],
        dtype=np.int64,
    )[inverse.reshape(-1)]
    dates[rows, 0] = settled
    # The CFP of N not called by the cessation, on the settlement date; nothing of N+1.
    cfp = out["cfp"][rows]
    parts[rows, 0, OFF_KINDS.index("cfp")] = np.where(after[:, :12], cfp[:, :12], 0).sum(axis=1)
    regularisation = out["regularisation"][rows]
    moved = np.where(after, regularisation, 0).sum(axis=1)
    for kind in ("provisional", "ajustement", "regularisation", "cfp"):
        out[kind][rows] = np.where(after, 0, out[kind][rows])
    # Declared first: the régularisation's rest on the settlement date; the penalty stays where it was called.
    parts[rows, 0, OFF_KINDS.index("regularisation")] = np.where(before, 0, moved)
    # Ceased first: the declaration's complement and penalty 30 days after its call; its credit refunded.
    late = rows[before]
    if len(late):
        days, inverse = np.unique(declared[late], return_inverse=True)
        due = np.array(
            [
                (effect_after_cessation(_date(day), _effect_delay(_date(day), law), law) - _EPOCH).days
                for day in days.tolist()
            ],
            dtype=np.int64,
        )
        dates[late, 1] = due[inverse.reshape(-1)]
        balance = t.definitive_n1[late] - t.called_n1[late]
        parts[late, 1, OFF_KINDS.index("regularisation")] = np.maximum(balance, 0)
        parts[late, 1, OFF_KINDS.index(declarations.PENALTY_KIND)] = penalty[late]
        penalty[late] = 0
        out["ajustement_refund"][late] = 0
        out["regularisation_on_instalments"][late] = 0
        out["regularisation_refund"][late] = np.maximum(-balance, 0)
    closed = np.zeros(n, dtype=np.bool_)
    closed[late] = True
    return dates.view("datetime64[D]"), parts, closed


@dataclass(frozen=True)
class _ChangeRows:
    """The rows with one change of their échéancier in N (`schedule.campaign_changes`), computed by group."""

    rows: npt.NDArray[np.intp]
    after: npt.NDArray[np.int8]  # the calendar from the change on
    switch: npt.NDArray[np.int8]  # its slot (SLOTS for a modulation)
    result: Changes
    event_first: Bools

    def write(self, out: dict[str, Any], penalty: I64) -> None:
        r, c = self.rows, self.result
        for kind in PARTS:
            out[kind][r] = getattr(c, kind)
        for name in ("ajustement_refund", "regularisation_refund", "regularisation_on_instalments"):
            out[name][r] = getattr(c, name)
        out["effect"][r] = c.penalty_slot  # the penalty's slot; the effect date is `effect_date`
        penalty[r] = c.penalty

    def fields(self, calendar: npt.NDArray[np.int8]) -> dict[str, Any]:
        n = len(calendar)
        after, switch = calendar.copy(), np.full(n, SLOTS, dtype=np.int8)
        after[self.rows], switch[self.rows] = self.after, self.switch
        effect = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        effect[self.rows] = self.result.effect_date.astype("datetime64[D]")
        overpaid = np.zeros(n, dtype=np.int8)
        overpaid[self.rows] = np.where(self.result.overpaid, np.where(self.event_first, 1, 2), 0)
        replay = np.zeros(n, dtype=np.bool_)
        replay[self.rows] = self.result.lost
        return {
            "calendar_after": after,
            "switch": switch,
            "effect_date": effect,
            "overpaid": overpaid,
            "replay": replay if replay.any() else None,
        }


def _changes(
    data: dict[str, Any],
    year: int,
    law: Law,
    cal: _Calendars,
    calendar: npt.NDArray[np.int8],
    day: I64,
    direct_debit: Bools,
    declared: I64,
    earliest: I64,
    ceased: Bools,
    batch: _Amounts,
    t: _Targets,
    penalty: I64,
) -> _ChangeRows | None:
    """The rows whose `event` is a modulation, a change of payment day or a quarterly option in N: the replay's
    steps on arrays (`campaign_changes.schedule_group`), by group of rows whose event comes before their
    declaration (the declaration first on the same day: `EVENT_ORDER`) or after it."""
    if "event" not in data:
        return None
    problems = _Problems()
    kinds = _array(data["event"])
    code = np.full(len(kinds), -1, dtype=np.int8)
    for i, name in enumerate(EVENTS):
        code[kinds == name] = i
    given = ~_missing(kinds)
    problems.add(
        given & (code < 0), "event", lambda i: f"doit être l'un des événements {', '.join(EVENTS)}{_got(kinds[i])}"
    )
    rows = np.flatnonzero(code >= 0)
    if not len(rows):
        problems.raise_first()
        return None
    problems.add(ceased & (code >= 0), "event", lambda i: "avec une cessation : non calculé ici")
    # R613-3 II: monthly again only with a direct-debit authorisation (the replay names the error).
    problems.add(
        (code == 3) & ~direct_debit,
        "event",
        lambda i: "quarterly_renounced sans prélèvement automatique (le paiement mensuel le demande)",
    )
    n = len(kinds)
    for needed, name in ((code == 0, "estimated_income"), (code == 1, "new_day"), (code >= 0, "event_date")):
        lacking = _missing(data[name]) if name in data else np.ones(n, dtype=np.bool_)
        problems.add(needed & lacking, name, lambda i: "est obligatoire")
    problems.raise_first()
    # Read on the rows with an event only (the others' values are not read).
    checks = _Problems()
    event_kind = code[rows]

    def column(name: str, fill: Any, where: Bools) -> npt.NDArray[Any]:
        """The column's values at the rows with an event, `fill` where `where` is false (not read)."""
        if name not in data:
            return np.full(len(rows), fill, dtype=object)
        given = _array(data[name])[rows]
        if where.all():
            return given
        if given.dtype.kind == "O":
            given = given.copy()
            given[~where] = fill
            return given
        filled: npt.NDArray[Any] = np.where(where, given, fill)
        return filled

    on = np.full(n, (date(year, 1, 1) - _EPOCH).days, dtype=np.int64)
    on[rows] = _days(column("event_date", None, np.ones(len(rows), dtype=np.bool_)), "event_date", checks)
    first, after_year = (date(year, 1, 1) - _EPOCH).days, (date(year + 1, 1, 1) - _EPOCH).days
    checks.add((on[rows] < first) | (on[rows] >= after_year), "event_date", lambda i: f"n'est pas en {year}")
    estimated = np.zeros(n, dtype=np.int64)
    estimated[rows] = _cents(column("estimated_income", 0, event_kind == 0), "estimated_income", checks)
    new_day = np.zeros(n, dtype=np.int64)
    days_of = payment_days(year, law=law)
    new_day[rows] = _days_of_month(column("new_day", days_of[0], event_kind == 1), days_of, checks)
    option = event_kind == 2
    starts = column("quarterly_start", "in_year", option & ~_missing(column("quarterly_start", "", option)))
    next_year = np.zeros(n, dtype=np.bool_)
    next_year[rows] = starts == "next_year"
    checks.add(
        (starts != "next_year") & (starts != "in_year"), "quarterly_start", lambda i: "doit être in_year ou next_year"
    )
    if checks.found:
        row, _, _, field, message = min(checks.found)
        raise RowInputError(int(rows[row]), field, message)
    # The day each change takes effect: the replay's own rules, asked once per day.
    change = np.full(n, _NO_DATE, dtype=np.int64)
    for kind in (1, 2, 3):
        for later in (False, True):
            mine = rows[(code[rows] == kind) & (next_year[rows] == later)]
            if not len(mine):
                continue
            days, inverse = np.unique(on[mine], return_inverse=True)
            effects = []
            for number in days.tolist():
                received = _date(number)
                if kind == 1:
                    takes: date | None = payment_day_effect(received, law=law)
                elif kind == 2:
                    takes = quarterly_option_effect(received, "next_year" if later else "in_year", law=law)
                else:
                    takes = renunciation_effect(received, law=law)
                effects.append(_NO_DATE if takes is None else (takes - _EPOCH).days)
            change[mine] = np.array(effects, dtype=np.int64)[inverse.reshape(-1)]
    problems.add((code > 0) & (change == _NO_DATE), "event", lambda i: "ne prend effet à aucune date connue")
    problems.raise_first()
    months = np.where(change == _NO_DATE, 0, change).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    switch = np.where(change == _NO_DATE, SLOTS, months - 12 * (year - 1970))  # the slot of the change's month
    switch = np.minimum(switch, SLOTS)
    default_day = payment_days(year, law=law)[0]
    # The calendar from the change: quarterly on option; monthly on the row's day after a renunciation
    # (`mode_at(event.date).day`); a new day for a monthly payer (a quarterly payer's dates do not change).
    after = np.select(
        [code == 2, code == 3, (code == 1) & (calendar < 2)],
        [2, np.where(day == default_day, 0, 1), np.where(new_day == default_day, 0, 1)],
        calendar,
    ).astype(np.int8)
    # The provisional contributions of N on the estimated income (`amounts.estimated`), on the modulated rows.
    estimate = np.zeros(n, dtype=np.int64)
    modulated = rows[code[rows] == 0]
    if len(modulated):
        sub = batch.subset(modulated, {"estimated": estimated[modulated]})
        estimate[modulated] = sub._run(year, True, "estimated")[0]
    cfp_from = np.maximum((cfp_call_from(year, law=law) - _EPOCH).days, earliest)

    def delay(name: str) -> Callable[[date], int]:
        def of(on: date) -> int:
            value = law.value_near(f"delais.{name}", on)
            assert isinstance(value, int)
            return value

        return of

    result: dict[str, npt.NDArray[Any]] = {
        name: np.zeros((len(rows), SLOTS) if name in PARTS else len(rows), dtype=np.int64)
        for name in (*PARTS, *Changes.__dataclass_fields__)
    }
    first_of = on[rows] < declared[rows]
    for event_first in (True, False):
        for modulation in (True, False):
            group_rows = np.flatnonzero((first_of == event_first) & ((code[rows] == 0) == modulation))
            # Block by block, as `_schedule`: the (rows, 24) arrays of a step stay small.
            for begin in range(0, len(group_rows), CHUNK):
                mine = group_rows[begin : begin + CHUNK]
                r = rows[mine]
                group = Group(
                    event_first=event_first,
                    modulation=modulation,
                    old=cal.due[calendar[r].astype(np.intp)],
                    new=cal.due[after[r].astype(np.intp)],
                    change=change[r],
                    switch=switch[r],
                    event=on[r],
                    declared=declared[r],
                    earliest=earliest[r],
                    cfp_from=cfp_from[r],
                    cfp_next_from=np.full(len(r), (cfp_call_from(year + 1, law=law) - _EPOCH).days),
                    estimated=estimate[r],
                    provisional_n=t.provisional_n[r],
                    called_n1=t.called_n1[r],
                    definitive_n1=t.definitive_n1[r],
                    adjusted_n=t.adjusted_n[r],
                    provisional_next=t.provisional_next[r],
                    cfp_n=t.cfp_n[r],
                    cfp_next=t.cfp_next[r],
                    penalty=penalty[r],
                )
                found = schedule_group(group, year, delay("effet_declaration_jours"), delay("effet_modulation_jours"))
                for name in result:
                    result[name][mine] = getattr(found, name)
    # A slot holds one due date: where the change takes effect after the former calendar's due date of its month,
    # or the new calendar has one before the change in that month (a quarterly day other than the monthly day, under
    # an overridden law), the month would hold two: the replay's.
    held = switch[rows] < SLOTS
    at = np.minimum(switch[rows], SLOTS - 1).astype(np.intp)
    before = np.zeros(len(rows), dtype=np.bool_)
    for due in (cal.due[calendar[rows].astype(np.intp), at], cal.due[after[rows].astype(np.intp), at]):
        before |= held & (due != _NO_DATE) & (due < change[rows])
    result["lost"] = result["lost"] | before
    return _ChangeRows(
        rows=rows,
        after=after[rows],
        switch=switch[rows].astype(np.int8),
        result=Changes(**{name: result[name] for name in Changes.__dataclass_fields__}),
        event_first=first_of,
    )


def _effect_delay(on: date, law: Law) -> int:
    """R613-5 I: the days after a declaration before its échéancier takes effect (`delais.effet_declaration_jours`)."""
    delay = law.value_near("delais.effet_declaration_jours", on)
    assert isinstance(delay, int)
    return delay


def _off_debits(dates: Dates, zone: npt.NDArray[np.int16], departments: tuple[str, ...]) -> Dates:
    """The debit date of each off-calendar date (`calendar.debit_date` in the row's zone), once per (zone, day)."""
    debits = np.full(dates.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    days = dates.view(np.int64)
    for z, department in enumerate(departments):
        for i in range(dates.shape[1]):
            mine = (zone == z) & ~np.isnat(dates[:, i])
            if mine.any():
                unique, inverse = np.unique(days[mine, i], return_inverse=True)
                found = [(debit_date(_date(day), department) - _EPOCH).days for day in unique.tolist()]
                debits[mine, i] = np.array(found, dtype=np.int64)[inverse.reshape(-1)].view("datetime64[D]")
    return debits


# --------------------------------------------------------------------------------------------------------------
# The campaign


def campaign_many(columns: Mapping[str, Any] | Any, year: int, law: Law | None = None) -> Campaign:
    """The échéanciers of campaign year `year` for every row of `columns`, equal to `build_echeancier` row by row.

    See the module docstring for the columns, the scenario each row stands for, and the layout of the result.
    Raises `RowInputError` for the first invalid row, `ValueError` for a year the law cannot campaign.
    """
    law = law or load_law()
    covered = supported_years(law)
    if isinstance(year, bool) or not isinstance(year, int) or not covered[0] + 1 <= year <= covered[-1]:
        raise ValueError(
            f"year: une année de campagne demande les paramètres de N-1 et de N ({covered[0] + 1} à {covered[-1]})"
            f" (reçu {shown(year)})"
        )
    data = _columns(columns)
    for name in data:
        if name not in FIELDS:
            raise InputError(str(name), "n'est pas un champ connu")
    for name in FIELDS:
        if name not in data and name not in OPTIONAL:
            raise InputError(name, "est obligatoire")
    n = len(data["profession"])
    for name, values in data.items():
        if len(values) != n:
            raise InputError(name, f"a {len(values)} lignes, profession en a {n}")
    problems = _Problems()
    profession = _codes(data["profession"], PROFESSIONS, "profession", problems)
    frequency = _codes(data["frequency"], tuple(f.value for f in Frequency), "frequency", problems)
    day = _days_of_month(data["day"], payment_days(year, law=law), problems)
    direct_debit = _flags(data["direct_debit"], "direct_debit", problems)
    zone, zones, departments = _zones(data["department"], problems)
    no_n2 = _missing(data["income_n2"])
    income_n2 = _cents(_fill(data["income_n2"], no_n2), "income_n2", problems)
    income_n1 = _cents(data["income_n1"], "income_n1", problems)
    declared = _days(data["declaration_date"], "declaration_date", problems)
    start = _days(data["activity_start"], "activity_start", problems)
    acre = _flags(data["acre"], "acre", problems) if "acre" in data else np.zeros(n, dtype=np.bool_)
    rsa = _flags(data["rsa"], "rsa", problems) if "rsa" in data else np.zeros(n, dtype=np.bool_)
    abattement = _flags(data[ABATTEMENT], ABATTEMENT, problems) if ABATTEMENT in data else None
    ceased = ~_missing(data["cessation"]) if "cessation" in data else np.zeros(n, dtype=np.bool_)
    cessation = np.full(n, _NO_DATE, dtype=np.int64)
    if ceased.any():
        given = _array(data["cessation"])
        if given.dtype.kind == "M":
            cessation = np.where(ceased, given.astype("datetime64[D]").view(np.int64), _NO_DATE)
        else:
            given = given.copy()
            given[~ceased] = date(year, 1, 1)  # not read
            cessation = np.where(ceased, _days(given, "cessation", problems), _NO_DATE)
    first, after = (date(year, 1, 1) - _EPOCH).days, (date(year + 1, 1, 1) - _EPOCH).days
    problems.add(
        (declared < first) | (declared >= after),
        "declaration_date",
        lambda i: f"{format_date(_date(declared[i]))} n'est pas dans l'année de campagne {year}",
    )
    # An activity started in N or later opens its first year in the campaign (R613-4's first instalments, the
    # first year's spill-over): the replay's.
    problems.add(
        start >= first,
        "activity_start",
        lambda i: (
            f"{format_date(_date(start[i]))} : une activité commencée dans l'année de campagne {year}"
            " n'est pas calculée ici"
        ),
    )
    start_year = start.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    problems.add(
        (start_year == year - 2) & (year - 2 < covered[0]),
        "activity_start",
        lambda i: (
            f"{format_date(_date(start[i]))} : le revenu de {year - 2} est annualisé selon les paramètres de"
            f" {year - 2}, qui ne sont pas connus"
        ),
    )
    # The income of N-2 is read unless both N-1 and N are first or second years (their provisional
    # contributions on the flat-rate base, R613-5 III).
    flat_rate = (year - start_year < amounts.law_for(year, law)[0].forfait_duree_annees) & (
        year - 1 - start_year < amounts.law_for(year - 1, law)[0].forfait_duree_annees
    )
    problems.add(
        no_n2 & ~flat_rate,
        "income_n2",
        lambda i: "est obligatoire (l'activité a commencé avant les deux premières années)",
    )
    # R613-4: the provisional contributions of N start at the first due date at least 90 days after the start of
    # activity (an activity started in N-1); that date must be one of N, before the CFP's call.
    earliest_day = np.full(n, first, dtype=np.int64)
    recent = np.flatnonzero(start_year >= year - 1)
    if len(recent):
        days, inverse = np.unique(start[recent], return_inverse=True)
        floors = np.array([(first_due_floor(_date(day), law) - _EPOCH).days for day in days.tolist()], dtype=np.int64)
        earliest_day[recent] = np.maximum(first, floors[inverse.reshape(-1)])
    problems.add(
        ceased & ((cessation < np.maximum(first, start)) | (cessation >= after)),
        "cessation",
        lambda i: (
            f"{format_date(_date(cessation[i]))} n'est pas une cessation de l'année de campagne {year}"
            " après le début d'activité"
        ),
    )
    problems.add(
        earliest_day > (cfp_call_from(year, law=law) - _EPOCH).days,
        "activity_start",
        lambda i: f"{format_date(_date(start[i]))} : la première échéance de {year} suivrait l'appel de la CFP",
    )
    problems.raise_first()

    # R613-2 I, R613-3 I: monthly on the 5th or the 20th, quarterly on option or without a direct debit.
    monthly = (frequency == 0) & direct_debit
    calendar = np.where(monthly, np.where(day == payment_days(year, law=law)[0], 0, 1), 2).astype(np.int8)
    cal = _calendars(year, law)

    # Each overseas territory is a zone of its own, so a zone's département gives a row's overseas rules.
    # As text when every zone has one: `simulate_many` then reads the codes with `np.unique`, not value by value.
    as_text = all(isinstance(code, str) for code in departments)
    row_department = np.array(departments, dtype=str if as_text else object)[zone]
    names = {"income_n2": income_n2, "income_n1": income_n1}
    batch = _Amounts(profession, names, row_department, law or load_law(), start, acre, rsa, abattement)
    for basis, name in ((year - 2, "income_n2"), (year - 1, "income_n1")):
        # An income brought to a whole year beyond what `simulate_many` reads: the replay computes it.
        whole = batch.incomes[batch.annualised(basis, name)]
        problems.add(
            np.abs(whole) > 100 * int(MAX_INCOME),
            name,
            lambda i: "annualisé (R131-3-1 1°), dépasse les montants que le calcul par lot traite",
        )
    problems.raise_first()
    # `called_for(N-1)` of the replay: N-1 is not replayed, its provisional contributions are taken on the basis
    # `amounts.called_basis` chooses among the incomes the row gives (N-2, N-1), or on the flat-rate base.
    incomes = {year - 2: "income_n2", year - 1: "income_n1"}
    called_basis = amounts.called_basis(year - 1, incomes)
    assert called_basis is not None
    targets = _Targets(
        provisional_n=batch.called(year, year - 2, "income_n2"),  # `open_year(N)`
        called_n1=batch.called(year - 1, called_basis, incomes[called_basis]),  # `called_for(N-1)`
        definitive_n1=batch.definitive(year - 1, "income_n1"),
        adjusted_n=batch.provisional(year, year - 1, "income_n1"),  # `ajustement`: on the income, even in year 2
        provisional_next=batch.called(year + 1, year - 1, "income_n1"),  # `open_year(N+1)`
        cfp_n=batch.cfp(year),
        cfp_next=batch.cfp(year + 1),
    )
    batch.cache.clear()
    # R613-1-1 III: a declaration after the deadline of N-1's income bears 5 % of N-1's contributions (the one
    # text `rules.late_penalty`, which `declarations.penalty` evaluates for the replay).
    penalty = np.zeros(n, dtype=np.int64)
    limit = declarations.deadline(year - 1, law)
    if limit is not None:
        rate = (law or load_law()).value_near("declaration.penalite_retard_taux", limit)
        assert isinstance(rate, Decimal)
        late = declared > (limit - _EPOCH).days
        penalty = np.asarray(
            late_penalty(VECTOR, late, targets.definitive_n1, *rate.as_integer_ratio()), dtype=np.int64
        )

    out: dict[str, Any] = {kind: np.zeros((n, SLOTS), dtype=np.int64) for kind in PARTS}
    out["effect"] = np.zeros(n, dtype=np.int8)
    for name in ("ajustement_refund", "regularisation_refund", "regularisation_on_instalments"):
        out[name] = np.zeros(n, dtype=np.int64)
    effects = _effects(cal, calendar, declared, year, law or load_law())
    # The slot of each row's earliest day: the first due date of N on or after it (`_Replay.pool`).
    of_row = calendar.astype(np.intp)
    on_or_after = cal.valid[of_row, :12] & (cal.due[of_row, :12] >= earliest_day[:, None])
    earliest = np.argmax(on_or_after, axis=1).astype(np.int8)
    # The replay's `refund_date`, asked once per declaration day.
    days, inverse = np.unique(declared, return_inverse=True)
    refund_days = np.array([(refund_date(_date(day), law=law) - _EPOCH).days for day in days.tolist()], dtype=np.int64)
    refund_dates = refund_days[inverse.reshape(-1)].view("datetime64[D]")
    # One block after the other, in this process: the campaign's parallelism is its partitions (worker processes
    # or Dask workers), so that no thread pool here oversubscribes a worker's cores.
    for begin in range(0, n, CHUNK):
        _schedule(cal, calendar, effects, earliest, targets, slice(begin, min(begin + CHUNK, n)), out)
    changes = _changes(
        data,
        year,
        law or load_law(),
        cal,
        calendar,
        day,
        direct_debit,
        declared,
        earliest_day,
        ceased,
        batch,
        targets,
        penalty,
    )
    if changes is not None:
        changes.write(out, penalty)

    off = _cessations(cal, calendar, year, ceased, cessation, declared, start, targets, penalty, out, law)
    due = np.where(cal.valid, cal.due, np.iinfo(np.int64).min).view("datetime64[D]")
    debit = np.full((len(zones), len(cal.labels), SLOTS), np.datetime64("NaT"), dtype="datetime64[D]")
    for z, department in enumerate(departments):
        for c in range(len(cal.labels)):
            for slot in np.flatnonzero(cal.valid[c]):
                debit[z, c, slot] = debit_date(_date(due[c, slot]), department)
    ids = data.get("id")
    return Campaign(
        year=year,
        ids=None if ids is None else _array(ids),
        calendars=cal.labels,
        calendar=calendar,
        due_dates=due,
        zones=zones,
        zone=zone,
        debit_dates=debit,
        provisional=out["provisional"],
        ajustement=out["ajustement"],
        regularisation=out["regularisation"],
        cfp=out["cfp"],
        effect=out["effect"],
        refund_date=refund_dates,
        ajustement_refund=out["ajustement_refund"],
        regularisation_refund=out["regularisation_refund"],
        regularisation_on_instalments=out["regularisation_on_instalments"],
        quarterly_fallback=(frequency == 0) & ~direct_debit,
        estimated_years=tuple(sorted(batch.estimated)),
        zone_overseas=tuple(department if is_overseas(department) else None for department in departments),
        penalty=penalty,
        started=np.maximum(start_year - year, -3).astype(np.int8),
        cessation=np.where(ceased, cessation, np.iinfo(np.int64).min).view("datetime64[D]") if ceased.any() else None,
        off_dates=None if off is None else off[0],
        off_debit_dates=None if off is None else _off_debits(off[0], zone, departments),
        off_parts=None if off is None else off[1],
        closed_before=None if off is None else off[2],
        **({} if changes is None else changes.fields(calendar)),
        law=None if law is load_law() else law,
        abattement=abattement,
    )
