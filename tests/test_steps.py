"""The steps written once for the replay and the campaign (`schedule/steps.py`): hand-checked on a minimal state
that records what a step reads, writes and re-spreads, on Python ints (`SCALAR`) and on int64 arrays (`VECTOR`) in
the same order; the replay and the campaign calling them are proved equal by tests/test_campaign_changes.py,
tests/test_campaign.py and tests/test_echeancier.py."""

from __future__ import annotations

from typing import Any

import numpy as np

from echeancier.contributions.exact import SCALAR, Ops
from echeancier.contributions.vectorized import VECTOR
from echeancier.schedule import steps


class Recording:
    """Targets and what was called before the effect, by kind, in cents; `log` lists the writes in order."""

    def __init__(self, targets: dict[str, Any], called: dict[str, Any]) -> None:
        self.targets, self.called_before, self.log = dict(targets), called, list[tuple[str, str]]()

    def has(self, kind: str) -> bool:
        return kind in self.targets

    def called(self, kind: str, before: Any) -> Any:
        return self.called_before[kind]

    def target(self, kind: str) -> Any:
        return self.targets[kind]

    def set_target(self, kind: str, value: Any) -> None:
        self.targets[kind] = value
        self.log.append(("set", kind))

    def replan(self, kind: str, effect: Any, active: Any = True) -> None:
        if np.any(active):
            self.log.append(("replan", kind))

    def place(self, kind: str, value: Any, effect: Any) -> None:
        self.targets[kind] = value
        self.log.append(("place", kind))


def _both(targets: dict[str, int], called: dict[str, int]) -> tuple[Recording, Recording]:
    return Recording(targets, called), Recording(
        {k: np.array([v], dtype=np.int64) for k, v in targets.items()},
        {k: np.array([v], dtype=np.int64) for k, v in called.items()},
    )


def _ops() -> tuple[Ops, Ops]:
    return SCALAR, VECTOR


def test_modulation_keeps_what_was_called_and_respreads_the_ajustement_first() -> None:
    # Provisional 6 000 € of which 2 500 € called, an ajustement of 600 € of which 200 € called; estimate 4 000 €:
    # the ajustement stops at 200 €, the provisional contributions call 4 000 − 2 500 − 200 = 1 300 € more.
    for k, state in zip(
        _ops(),
        _both({"provisional": 600_000, "ajustement": 60_000}, {"provisional": 250_000, "ajustement": 20_000}),
        strict=True,
    ):
        excess = steps.modulate(k, state, 400_000 if k is SCALAR else np.array([400_000]), effect=None)
        assert int(np.sum(excess)) == 0
        assert int(np.sum(state.targets["provisional"])) == 250_000 + 130_000
        assert int(np.sum(state.targets["ajustement"])) == 20_000
        assert state.log == [
            ("set", "ajustement"),
            ("replan", "ajustement"),
            ("set", "provisional"),
            ("replan", "provisional"),
        ]


def test_modulation_below_what_was_called_is_an_excess_not_refunded() -> None:
    # Estimate 2 000 € after 2 500 € called: nothing more is called, 500 € of excess stays (R613-1-4 II).
    for k, state in zip(_ops(), _both({"provisional": 600_000}, {"provisional": 250_000}), strict=True):
        excess = steps.modulate(k, state, 200_000 if k is SCALAR else np.array([200_000]), effect=None)
        assert int(np.sum(excess)) == 50_000
        assert int(np.sum(state.targets["provisional"])) == 250_000
        assert state.log == [("set", "provisional"), ("replan", "provisional")]


def test_ajustement_keeps_the_former_plan_as_far_as_it_goes_and_places_the_complement() -> None:
    # 6 000 € provisional, 3 000 € called; declared income gives 7 000 €: the former plan keeps its 3 000 € to
    # come, the ajustement calls 1 000 €, no credit.
    for k, state in zip(_ops(), _both({"provisional": 600_000}, {"provisional": 300_000}), strict=True):
        credit = steps.adjust(k, state, 700_000 if k is SCALAR else np.array([700_000]), 0, effect=None)
        assert int(np.sum(credit)) == 0
        assert int(np.sum(state.targets["provisional"])) == 600_000
        assert int(np.sum(state.targets["ajustement"])) == 100_000
        assert state.log == [("set", "provisional"), ("replan", "provisional"), ("place", "ajustement")]


def test_ajustement_below_what_was_called_is_a_credit() -> None:
    # 3 000 € called, the declared income gives 2 000 €: 1 000 € credited, nothing more called (R613-5 II).
    for k, state in zip(_ops(), _both({"provisional": 600_000}, {"provisional": 300_000}), strict=True):
        credit = steps.adjust(k, state, 200_000 if k is SCALAR else np.array([200_000]), 0, effect=None)
        assert int(np.sum(credit)) == 100_000
        assert int(np.sum(state.targets["provisional"])) == 300_000
        assert int(np.sum(state.targets["ajustement"])) == 0


def test_imputation_takes_the_ajustement_first_and_respreads_only_what_it_took_from() -> None:
    # A 500 € credit; the ajustement has 300 € still to call, the provisional contributions 1 000 €: 300 € then
    # 200 €, nothing left to refund.
    for k, state in zip(
        _ops(),
        _both({"provisional": 600_000, "ajustement": 30_000}, {"provisional": 500_000, "ajustement": 0}),
        strict=True,
    ):
        left = steps.impute(k, state, 50_000 if k is SCALAR else np.array([50_000]), effect=None)
        assert int(np.sum(left)) == 0
        assert int(np.sum(state.targets["ajustement"])) == 0
        assert int(np.sum(state.targets["provisional"])) == 580_000
        assert state.log == [
            ("set", "ajustement"),
            ("replan", "ajustement"),
            ("set", "provisional"),
            ("replan", "provisional"),
        ]
    # A credit the ajustement alone absorbs: the provisional contributions are not re-spread.
    for k, state in zip(
        _ops(),
        _both({"provisional": 600_000, "ajustement": 30_000}, {"provisional": 500_000, "ajustement": 0}),
        strict=True,
    ):
        left = steps.impute(k, state, 10_000 if k is SCALAR else np.array([10_000]), effect=None)
        assert int(np.sum(left)) == 0
        assert ("replan", "provisional") not in state.log


class Calendar:
    """Components by key with the days of their parts; `log` lists the calendar taken and the re-spreads."""

    def __init__(self, parts: dict[Any, list[int]]) -> None:
        self.parts, self.log = parts, list[tuple[str, Any]]()

    def take_calendar(self) -> None:
        self.log.append(("calendar", None))

    def with_parts_from(self, effective: int) -> list[tuple[Any, bool]]:
        return [(key, True) for key, days in self.parts.items() if any(day >= effective for day in days)]

    def replan(self, kind: Any, effect: Any, active: Any = True) -> None:
        if active:
            self.log.append(("replan", kind))


def test_a_change_of_calendar_takes_the_calendar_then_respreads_only_what_falls_due_from_it() -> None:
    # The provisional contributions of N have parts up to day 340, the CFP of N on day 310, the régularisation
    # up to day 200; a new calendar from day 300 re-spreads the first two, in their order, not the third.
    state = Calendar({"provisional": [5, 100, 340], "regularisation": [150, 200], "cfp": [310]})
    steps.change_calendar(state, 300)
    assert state.log == [("calendar", None), ("replan", "provisional"), ("replan", "cfp")]
