"""The order of a step of the échéancier, written once for the replay of one account and for the campaign's arrays.

A step says which components of the échéancier of a year it reads, in which order it changes their targets and
re-spreads them, and with which rule of `schedule.rules` (the arithmetic, over integer cents). It works on a
`State`: the replay's components of one account and one year (`schedule.echeancier._Replay`, Decimal euros that are
whole cents, converted at the boundary by `_YearState`) or the campaign's arrays of a group of accounts
(`schedule.campaign_changes._Plan`, `(rows, 24)` int64 cents by slot). `k` is the `Ops` of `contributions.exact`
(`SCALAR` on ints, `VECTOR` on int64 arrays), as for the rules.

What a state does itself is the spreading (`replan`: what a component called before `effect` stays, the rest of its
target in equal instalments over its due dates from `effect`) and the date arithmetic (`effect` is given: the first
due date at least so many days after the event, each state's own `first_due_date` / `first_due`). Here: the
modulation, the declaration's ajustement and régularisation credit, a change of calendar. Not here yet: the
declaration's order of sub-steps itself, a cessation, the steady state (docs/campaign.md, "Sharing the step order:
what it takes").
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Protocol

from echeancier.contributions.exact import Bools, Ints, Ops
from echeancier.schedule.rules import ajustement_split, imputation, modulation

PROVISIONAL = "provisional"
AJUSTEMENT = "ajustement"


class State(Protocol):
    """The components of one year's échéancier a step reads and writes, by kind (`provisional`, `ajustement`), in
    cents. `effect` is a date (the replay) or an array of days (the campaign)."""

    def has(self, kind: str) -> bool:
        """Whether the component exists (for the campaign: in every row of the group)."""
        ...

    def called(self, kind: str, before: Any) -> Ints:
        """What the component called on due dates before `before`."""
        ...

    def target(self, kind: str) -> Ints: ...

    def set_target(self, kind: str, value: Ints) -> None: ...

    def replan(self, kind: str, effect: Any, active: Bools = True) -> None:
        """What the component called before `effect` stays, the rest of its target is spread again from `effect`
        (where `active`: for the campaign, the rows it is true on)."""
        ...

    def place(self, kind: str, value: Ints, effect: Any) -> None:
        """A new component of the year, `value` spread from `effect` over the year's due dates."""
        ...


def modulate(k: Ops, state: State, estimated: Ints, effect: Any) -> Ints:
    """R613-1-4 II: from `effect` (the first due date at least `delais.effet_modulation_jours` after the request),
    the provisional contributions of the year on the estimated income, `estimated` (cents): what was called stays,
    the ajustement calls nothing more, the provisional instalments to come call the rest of the estimate
    (`rules.modulation`). The ajustement is re-spread first, then the provisional contributions. Returns the excess
    already called (> 0 when there is one: not refunded before the real income is known)."""
    has_ajustement = state.has(AJUSTEMENT)
    called_provisional = state.called(PROVISIONAL, effect)
    called_ajustement = state.called(AJUSTEMENT, effect) if has_ajustement else 0
    target, adjust, excess = modulation(k, estimated, called_provisional, called_ajustement)
    if has_ajustement:
        state.set_target(AJUSTEMENT, adjust)
        state.replan(AJUSTEMENT, effect)
    state.set_target(PROVISIONAL, target)
    state.replan(PROVISIONAL, effect)
    return excess


def adjust(k: Ops, state: State, new_target: Ints, credited: Ints, effect: Any) -> Ints:
    """R613-5 I 2° and II: the provisional contributions of the year recomputed on the declared income,
    `new_target` (cents), from `effect` (the declaration's first due date): what the former plan keeps calling
    (`rules.ajustement_split`) stays in the provisional contributions, re-spread from `effect`; the complement is
    the ajustement, placed from `effect`; `credited` is what an earlier ajustement of the year already credited
    back. Returns the credit: what was called beyond the new amount, refunded."""
    has_ajustement = state.has(AJUSTEMENT)
    called_provisional = state.called(PROVISIONAL, effect)
    called_ajustement = state.called(AJUSTEMENT, effect) if has_ajustement else 0
    old_target = state.target(PROVISIONAL) + (state.target(AJUSTEMENT) if has_ajustement else 0)
    called = called_provisional + called_ajustement - credited
    remaining_old = k.maximum(old_target - credited - called, 0)
    credit, keep, complement = ajustement_split(k, new_target, called, remaining_old)
    state.set_target(PROVISIONAL, called_provisional + keep)
    state.replan(PROVISIONAL, effect)
    state.place(AJUSTEMENT, called_ajustement + complement, effect)
    return credit


def impute(k: Ops, state: State, credit: Ints, effect: Any) -> Ints:
    """R613-1-3 al. 2: a régularisation credit (cents) "imputé sur les versements provisionnels restant à échoir au
    titre de l'année en cours": taken from what the ajustement, then the provisional contributions, have still to
    call from `effect` (`rules.imputation`), each re-spread from `effect` where something was taken. Returns what
    is left, to refund (or to set against older debts)."""
    kinds = [kind for kind in (AJUSTEMENT, PROVISIONAL) if state.has(kind)]
    still = [state.target(kind) - state.called(kind, effect) for kind in kinds]
    taken, left = imputation(k, credit, still)
    for kind, part in zip(kinds, taken, strict=True):
        state.set_target(kind, state.target(kind) - part)
        state.replan(kind, effect, part != 0)
    return left


class CalendarState(Protocol):
    """The components of every year of an échéancier, for a change of calendar: named by any key (the replay's
    (kind, year, sequence), the campaign's names)."""

    def take_calendar(self) -> None:
        """The new calendar is in force from its effect on (the replay: its `modes`; the campaign: `_Plan.known`)."""
        ...

    def with_parts_from(self, effective: Any) -> Sequence[tuple[Hashable, Bools]]:
        """Each component with a part on a due date (of the calendar they were spread on) from `effective`, and
        where (for the campaign: the rows)."""
        ...

    def replan(self, kind: Any, effect: Any, active: Bools = True) -> None: ...


def change_calendar(state: CalendarState, effective: Any) -> None:
    """A change of payment day (R613-2 I al. 3), a quarterly option (R613-3 I) or its renunciation (R613-3 II),
    from `effective` (`echeancier.payment_day_effect`, `quarterly_option_effect`, `renunciation_effect`): the new
    calendar taken, what remains of each component with an instalment from that day is spread again over the due
    dates from it (R613-3 I al. 4, R613-3 II al. 2: "en autant de versements égaux"); what fell due before stays."""
    state.take_calendar()
    for kind, where in state.with_parts_from(effective):
        state.replan(kind, effective, where)
