"""The campaign's accounts whose échéancier of N changes once besides the declaration, on arrays of accounts.

A modulation (R613-1-4 II), a change of payment day (R613-2 I al. 3), a quarterly option (R613-3 I) or its
renunciation (R613-3 II) in N, before or after the declaration of N-1: `schedule.vectorized.campaign_many` computes
these rows here, by the steps of the replay (`schedule.echeancier._Replay`) in the order the replay applies them,
each step on every row of a group at once (the rows whose event comes before their declaration, then those whose
event comes after it). The steps `steps.modulate`, `steps.adjust` and `steps.impute` are one text with the replay's
(`_Plan` is their `steps.State`); the order of the others is the replay's, stated again here and proved equal by
tests/test_campaign_changes.py:

- `open_year(N)`: the provisional contributions of N from January (or R613-4's first due date), the CFP of N;
- `declaration`: from the first due date at least `delais.effet_declaration_jours` after it (`calendar.
  first_due_date_at_least`), the régularisation of N-1, the ajustement of N (`steps.adjust`, not after a
  modulation), a régularisation credit set against the instalments to come (`steps.impute`), the provisional
  contributions and CFP of N+1, a late declaration's penalty;
- `modulation`: from the first due date at least `delais.effet_modulation_jours` after the request, the provisional
  contributions on the estimated income (`steps.modulate`);
- `change_mode`: from the day the new calendar takes effect (`echeancier.payment_day_effect`,
  `echeancier.quarterly_option_effect`, `echeancier.renunciation_effect`), each component with a part from that
  day re-spread over the new due dates (`steps.change_calendar`, one text with `_Replay.change_mode`).

Every spreading is `_Replay.replan` / `_Replay.allocate`: what a component called before the effect stays, what
remains is spread in equal instalments (`spread.equal_instalments`) over its due dates from the effect (the ones of
its year still to come, else the first of the next year alone: `echeancier.carrying`); when a change of calendar is
already scheduled, the instalments before it are those of the calendar in force, and at the change what remains is
spread again over the new due dates (R613-3 I al. 4).

The state of a row is a set of components (provisional N, CFP N, régularisation, ajustement, penalty, provisional
N+1, CFP N+1), each an array (rows, 24) of the cents it calls in each monthly slot of N and N+1, a target, an
earliest date and the year whose due dates carry it. A slot's date is the due date of the calendar in force in that
slot: before the change the former calendar's, from the change on the new one's (the change takes effect on the
first day of a month, or on a quarterly due date, so that a slot is on one side of it). A row the slots cannot hold
(the provisional contributions of N re-spread into N+1 by a modulation of December, a component with no due date
left in N+1) is flagged `lost`: the caller leaves it to the replay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from echeancier.contributions.vectorized import VECTOR
from echeancier.schedule import steps
from echeancier.schedule.calendar import first_due_date_at_least
from echeancier.schedule.echeancier import carrying
from echeancier.schedule.spread import equal_instalments

I64: TypeAlias = npt.NDArray[np.int64]
Bools: TypeAlias = npt.NDArray[np.bool_]

SLOTS = 24
NO_DATE = np.iinfo(np.int64).max  # a slot without a due date
_EPOCH = date(1970, 1, 1)
_SLOT = np.arange(SLOTS)
_SLOT_YEAR = _SLOT // 12  # 0: N, 1: N+1
# `carrying` asked once for each case, on two dates: whether it keeps every due date or the first alone.
_PROBE = [date(2000, 1, 5), date(2000, 2, 5)]
_ALL = {
    (next_year, single): len(carrying(_PROBE, next_year, single, first_year=False)) == len(_PROBE)
    for next_year in (False, True)
    for single in (False, True)
}


def _day(days: int) -> date:
    return _EPOCH + timedelta(days=int(days))


@dataclass
class _Component:
    parts: I64  # (rows, SLOTS) cents
    target: I64  # (rows,)
    earliest: I64  # (rows,) days since 1970-01-01: no part before it
    pool_year: I64  # (rows,) 0: the due dates of N carry it (then the first of N+1), 1: those of N+1
    single: bool  # one due date (the CFP, the penalty)


def _first(mask: Bools) -> Bools:
    """The first True of each row of `mask` alone."""
    found = np.zeros_like(mask)
    rows = np.flatnonzero(mask.any(axis=1))
    found[rows, np.argmax(mask[rows], axis=1)] = True
    return found


def _spread(total: I64, mask: Bools) -> I64:
    """`spread(total, count)` over each row's slots `mask`: the one text `equal_instalments`, the remainder on the
    last slot; nothing where the mask is empty."""
    count = mask.sum(axis=1)
    each, last = equal_instalments(VECTOR, total, np.maximum(count, 1))
    parts: I64 = np.where(mask, each[:, None], 0)
    rows = np.flatnonzero(count > 0)
    parts[rows, SLOTS - 1 - np.argmax(mask[rows, ::-1], axis=1)] = last[rows]
    return parts


class _Plan:
    """The components of a group of rows and their calendar: `old` due dates until the slot `switch` (from the
    date `change`), `new` ones from it once the change is `known`."""

    def __init__(self, old: I64, new: I64, change: I64, switch: I64) -> None:
        self.old, self.new, self.change = old, new, change
        self.after = _SLOT[None, :] >= switch[:, None]
        self.known = False
        self.components: dict[str, _Component] = {}
        self.lost = np.zeros(len(old), dtype=np.bool_)

    def dates(self) -> I64:
        """Each slot's due date under the modes known now (`_Replay.due_dates_of`), NO_DATE where none."""
        if not self.known:
            return self.old
        dates: I64 = np.where(self.after, self.new, self.old)
        return dates

    def pool(self, component: _Component, start: I64, dates: I64) -> Bools:
        """`_Replay.pool`: the due dates of the component's year from `start`, or the first of the next year
        alone (`carrying`)."""
        later = (dates != NO_DATE) & (dates >= start[:, None])
        this = later & (_SLOT_YEAR[None, :] == component.pool_year[:, None])
        following = later & (_SLOT_YEAR[None, :] == component.pool_year[:, None] + 1)
        has = this.any(axis=1)
        chosen = np.where(has[:, None], this, following)
        alone = np.where(has, not _ALL[(False, component.single)], not _ALL[(True, component.single)])
        pool: Bools = np.where(alone[:, None], _first(chosen), chosen)
        return pool

    def allocate(self, component: _Component, remaining: I64, effect: I64, active: Bools) -> I64:
        """`_Replay.allocate`: `remaining` in equal instalments over the due dates that carry the component from
        `effect`; with a change of calendar scheduled within them, the instalments before it as the former
        calendar would spread them, then what remains over the new due dates."""
        dates = self.dates()
        start = np.maximum(effect, component.earliest)
        pool = self.pool(component, start, dates)
        self.lost |= active & ~pool.any(axis=1)  # the replay's settlement date: not on the slots
        parts = _spread(remaining, pool)
        if self.known and not component.single:
            last = np.where(pool, dates, np.iinfo(np.int64).min).max(axis=1)
            change = active & (effect < self.change) & (self.change <= last)
            if change.any():
                current = self.pool(component, start, self.old)
                before: I64 = np.where(current & (self.old < self.change[:, None]), _spread(remaining, current), 0)
                rest = remaining - before.sum(axis=1)
                pool = self.pool(component, np.maximum(self.change, component.earliest), dates)
                self.lost |= change & ~pool.any(axis=1)
                parts = np.where(change[:, None], before + _spread(rest, pool), parts)
        placed: I64 = np.where(active[:, None], parts, 0)
        return placed

    def called(self, name: str, before: I64) -> I64:
        """`_Replay.called`: what the component called on due dates before `before`."""
        if name not in self.components:
            return np.zeros(len(before), dtype=np.int64)
        called: I64 = np.where(self.dates() < before[:, None], self.components[name].parts, 0).sum(axis=1)
        return called

    def replan(self, name: str, effect: I64, active: Bools | None = None) -> None:
        """`_Replay.replan`: what the component called before `effect` stays, the rest of its target is spread
        again from `effect` (nothing when nothing remains)."""
        component = self.components[name]
        active = np.ones(len(effect), dtype=np.bool_) if active is None else active
        kept: I64 = np.where(self.dates() < effect[:, None], component.parts, 0)
        remaining = component.target - kept.sum(axis=1)
        place = active & (remaining > 0)
        placed = self.allocate(component, np.where(place, remaining, 0), effect, place)
        component.parts = np.where(active[:, None], kept + placed, component.parts)

    def set(self, name: str, component: _Component, effect: I64) -> None:
        """`_Replay.set_component`."""
        self.components[name] = component
        self.replan(name, effect)

    # `steps.State`: the steps written once for the replay and for these arrays (`steps.modulate`, `steps.adjust`)

    def has(self, name: str) -> bool:
        return name in self.components

    def target(self, name: str) -> I64:
        return self.components[name].target

    def set_target(self, name: str, value: I64) -> None:
        self.components[name].target = value

    def take_calendar(self) -> None:
        self.known = True

    def with_parts_from(self, effective: I64) -> list[tuple[str, Bools]]:
        """`steps.CalendarState.with_parts_from`: the rows of each component with a part on a due date from
        `effective`, of the calendar it was spread on (the former one: the parts of the slots from the switch
        were spread before the change)."""
        on = (self.old != NO_DATE) & (self.old >= effective[:, None])
        return [(name, (on & (c.parts != 0)).any(axis=1)) for name, c in self.components.items()]

    def place(self, name: str, value: I64, effect: I64) -> None:
        """`_Replay.place`: a component of N from `effect`."""
        n = len(effect)
        zeros = np.zeros(n, dtype=np.int64)
        parts = np.zeros((n, SLOTS), dtype=np.int64)
        self.set(name, _Component(parts, np.asarray(value, dtype=np.int64).copy(), effect, zeros, False), effect)

    def first_due(self, after: I64, delay: Callable[[date], int]) -> I64:
        """`_Replay.first_due_date`: the first due date of N or N+1 at least `delay(after)` days after `after` —
        `first_due_date_at_least`, asked once per calendar and day."""
        # The distinct calendars: each row's dates as one opaque value (`np.unique` of a 1-D array of bytes, not
        # of rows compared column by column, `axis=0`); then the distinct (calendar, day) pairs as one integer each.
        if not len(after):
            return np.zeros(0, dtype=np.int64)
        dates = np.ascontiguousarray(self.dates())
        as_bytes = dates.view(np.dtype((np.void, dates.dtype.itemsize * dates.shape[1]))).reshape(-1)
        _, chosen, of_row = np.unique(as_bytes, return_index=True, return_inverse=True)
        listed = [[_day(d) for d in days if d != NO_DATE] for days in dates[chosen].tolist()]
        low = int(after.min())  # days of N (a declaration, an event): the key cannot overflow
        span = int(after.max()) - low + 1
        keys, inverse = np.unique(of_row.reshape(-1).astype(np.int64) * span + (after - low), return_inverse=True)
        found = np.full(len(keys), NO_DATE, dtype=np.int64)
        delays: dict[int, int] = {}
        for i, (calendar, day) in enumerate(zip((keys // span).tolist(), (keys % span + low).tolist(), strict=True)):
            on = _day(day)
            if day not in delays:
                delays[day] = delay(on)
            due = first_due_date_at_least(on, delays[day], listed[calendar])
            if due is not None:
                found[i] = (due - _EPOCH).days
        effect: I64 = found[inverse.reshape(-1)]
        self.lost |= effect == NO_DATE
        return effect


@dataclass(frozen=True)
class Changes:
    """The échéancier of a group of rows: the parts of each kind by slot (cents), the declaration's effect date,
    refunds, the penalty and its slot, the modulation's excess, `lost`."""

    provisional: I64
    ajustement: I64
    regularisation: I64
    cfp: I64
    effect_date: I64
    ajustement_refund: I64
    regularisation_refund: I64
    regularisation_on_instalments: I64
    penalty: I64
    penalty_slot: I64
    overpaid: Bools
    lost: Bools


@dataclass(frozen=True)
class Group:
    """Rows of one kind of event (`modulation`, or a change of calendar) on the same side of their declaration."""

    event_first: bool
    modulation: bool
    old: I64  # (rows, SLOTS) due dates of the calendar at the start of N
    new: I64  # (rows, SLOTS) those of the calendar after the change (= old for a modulation)
    change: I64  # the day the new calendar takes effect (NO_DATE for a modulation)
    switch: I64  # its slot (SLOTS for a modulation)
    event: I64  # the day of the event (days since 1970-01-01)
    declared: I64
    earliest: I64  # the first day of N the provisional contributions of N may use (R613-4)
    cfp_from: I64  # max(`cfp_call_from(N)`, earliest)
    cfp_next_from: I64  # `cfp_call_from(N+1)`
    estimated: I64  # the provisional contributions of N on the estimated income (a modulation), cents
    provisional_n: I64
    called_n1: I64
    definitive_n1: I64
    adjusted_n: I64
    provisional_next: I64
    cfp_n: I64
    cfp_next: I64
    penalty: I64


def schedule_group(
    g: Group, year: int, declaration_delay: Callable[[date], int], modulation_delay: Callable[[date], int]
) -> Changes:
    """The replay's steps for the rows of `g` (see the module docstring)."""
    n = len(g.declared)
    zero = np.zeros(n, dtype=np.int64)
    plan = _Plan(g.old, g.new, g.change, g.switch)

    def component(target: I64, earliest: I64, pool_year: I64 | int, single: bool = False) -> _Component:
        years = np.broadcast_to(np.asarray(pool_year, dtype=np.int64), (n,)).copy()
        return _Component(np.zeros((n, SLOTS), dtype=np.int64), target.copy(), earliest, years, single)

    # open_year(N): the provisional contributions from the earliest day, the CFP from November (open_cfp).
    plan.set("provisional", component(g.provisional_n, g.earliest, 0), g.earliest)
    plan.set("cfp", component(np.maximum(g.cfp_n, 0), g.cfp_from, 0, single=True), g.cfp_from)
    result: dict[str, I64] = {
        name: zero.copy()
        for name in ("effect_date", "ajustement_refund", "regularisation_refund", "regularisation_on_instalments")
    }
    overpaid = np.zeros(n, dtype=np.bool_)
    modulated = False

    def declaration() -> None:
        effect = plan.first_due(g.declared, declaration_delay)
        result["effect_date"] = effect
        known = np.where(effect == NO_DATE, 0, effect)
        effect_offset = known.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970 - year
        # 1° the régularisation of N-1 (R613-1-3): a complement from the effect date
        regularisation = g.definitive_n1 - g.called_n1
        plan.set("regularisation", component(np.maximum(regularisation, 0), effect, 0), effect)
        # 2° the ajustement of N (R613-5 I 2°, II), not after a modulation
        if not modulated:
            result["ajustement_refund"] = steps.adjust(VECTOR, plan, g.adjusted_n, 0, effect)
        # the régularisation credit on the instalments still to come (R613-1-3 al. 2), the rest refunded
        credit = np.maximum(-regularisation, 0)
        left = steps.impute(VECTOR, plan, credit, effect)
        result["regularisation_on_instalments"] = credit - left
        result["regularisation_refund"] = left
        # 3° the provisional contributions and the CFP of N+1 (open_year(N+1))
        january = np.full(n, (date(year + 1, 1, 1) - _EPOCH).days, dtype=np.int64)
        november = g.cfp_next_from.astype(np.int64)  # `cfp_call_from(N+1)` (open_cfp)
        plan.set("provisional_next", component(g.provisional_next, january, 1), january)
        plan.set("cfp_next", component(np.maximum(g.cfp_next, 0), november, 1, single=True), november)
        # R613-1-1 III: the penalty alone with the first instalment of the échéancier
        plan.set("penalty", component(g.penalty, effect, effect_offset, single=True), effect)

    def modulate() -> None:
        effect = plan.first_due(g.event, modulation_delay)
        overpaid[:] = steps.modulate(VECTOR, plan, g.estimated, effect) > 0

    def change_mode() -> None:
        steps.change_calendar(plan, g.change)

    event = modulate if g.modulation else change_mode
    for step in (event, declaration) if g.event_first else (declaration, event):
        step()
        if step is modulate:
            modulated = True

    parts = {name: c.parts for name, c in plan.components.items()}
    provisional, following = parts["provisional"], parts["provisional_next"]
    lost = plan.lost | (provisional[:, 12:] != 0).any(axis=1) | (following[:, :12] != 0).any(axis=1)
    lost |= (parts["cfp"][:, 12:] != 0).any(axis=1) | (parts["cfp_next"][:, :12] != 0).any(axis=1)
    penalty = parts["penalty"]
    return Changes(
        provisional=provisional + following,
        ajustement=parts.get("ajustement", np.zeros((n, SLOTS), dtype=np.int64)),
        regularisation=parts["regularisation"],
        cfp=parts["cfp"] + parts["cfp_next"],
        effect_date=result["effect_date"],
        ajustement_refund=result["ajustement_refund"],
        regularisation_refund=result["regularisation_refund"],
        regularisation_on_instalments=result["regularisation_on_instalments"],
        penalty=penalty.sum(axis=1),
        penalty_slot=np.argmax(penalty != 0, axis=1).astype(np.int64),
        overpaid=overpaid,
        lost=lost,
    )
