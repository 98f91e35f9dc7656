"""The campaign's output built without sorting every part: `_slot_parts` (the slots' non-zero parts in the order of
rows, slots, then kinds, by their counts) and `_merged` (the few parts off the slots put in their places by a binary
search) give what the stable sort they replace gives; `campaign_many` reads empty NumPy strings as missing, as it
reads empty Python strings (the typed change columns, docs/campaign.md)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.schedule.campaign import _KIND_CODE, _merged, _Parts, _slot_parts
from echeancier.schedule.vectorized import SLOTS, _missing

RANKED = ("provisional", "ajustement", "regularisation", "cfp", "penalite_declaration")  # the slots' kinds in order


def _slot_parts_by_hand(amounts: list[np.ndarray], keep: np.ndarray | None) -> list[tuple[int, int, int, int]]:
    """Every non-zero part of each slot of each kept row, in the order of the rows, the slots, then `amounts`."""
    rows, slots = amounts[0].shape
    return [
        (row, slot, rank, int(part[row, slot]))
        for row in range(rows)
        if keep is None or keep[row]
        for slot in range(slots)
        for rank, part in enumerate(amounts)
        if part[row, slot] != 0
    ]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(0, 12),
    seed=st.integers(0, 2**32 - 1),
    density=st.floats(0.0, 1.0),
    with_keep=st.booleans(),
)
def test_the_slots_parts_come_in_the_order_of_rows_slots_then_kinds(
    rows: int, seed: int, density: float, with_keep: bool
) -> None:
    rng = np.random.default_rng(seed)
    amounts = [
        np.where(rng.random((rows, SLOTS)) < density, rng.integers(-5_000, 5_000, (rows, SLOTS)), 0).astype(np.int64)
        for _ in RANKED
    ]
    keep = rng.random(rows) < 0.7 if with_keep else None
    row, slot, rank, value = _slot_parts(amounts, keep)
    found = list(zip(row.tolist(), slot.tolist(), rank.tolist(), value.tolist(), strict=True))
    assert found == _slot_parts_by_hand(amounts, keep)


def _pieces(rng: np.random.Generator, accounts: int) -> tuple[tuple[np.ndarray, ...], list[tuple[np.ndarray, ...]]]:
    """The slots' parts of `accounts` rows (due dates one per month, by `_slot_parts`) and two pieces off the slots:
    dates of their own or on a slot's due date (the same instalment), kinds of the slots' or carried/majoration."""
    amounts = [np.where(rng.random((accounts, SLOTS)) < 0.3, 100 + rank, 0).astype(np.int64) for rank in range(5)]
    row, slot, rank, value = _slot_parts(amounts, None)
    first = np.datetime64("2026-01-05")
    months = (np.datetime64("2026-01", "M") + np.arange(SLOTS)).astype("datetime64[D]")
    due = months[slot] + np.timedelta64(4, "D")
    kinds = np.array([_KIND_CODE[kind] for kind in RANKED], dtype=np.int8)
    main = (row, due, due + np.timedelta64(1, "D"), kinds[rank], np.full(len(row), 2026, np.int16), value)
    extras = []
    for kind_names in (("regularisation", "cfp", "penalite_declaration"), ("carried_over", "majoration", "cfp")):
        count = int(rng.integers(0, 3 * accounts + 1))
        extra_row = rng.integers(0, max(accounts, 1), count)
        on_slot = rng.random(count) < 0.5  # the same day as a slot's due date: the same instalment
        extra_due = np.where(
            on_slot,
            months[rng.integers(0, SLOTS, count)] + np.timedelta64(4, "D"),
            first + rng.integers(0, 730, count).astype("timedelta64[D]"),
        ).astype("datetime64[D]")
        codes = np.array([_KIND_CODE[name] for name in kind_names], dtype=np.int8)
        extras.append(
            (
                extra_row.astype(np.intp),
                extra_due,
                extra_due + np.timedelta64(2, "D"),
                codes[rng.integers(0, len(codes), count)],
                np.full(count, 2025, np.int16),
                rng.integers(1, 1_000, count).astype(np.int64),
            )
        )
    return main, extras


@settings(max_examples=60, deadline=None)
@given(accounts=st.integers(1, 15), seed=st.integers(0, 2**32 - 1))
def test_the_parts_off_the_slots_merged_in_give_the_instalments_of_a_stable_sort(accounts: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    main, extras = _pieces(rng, accounts)
    ids = pa.array([f"A{i}" for i in range(accounts)])
    merged = _merged(main, extras)
    assert merged is not None
    joined = tuple(np.concatenate([piece[n] for piece in (main, *extras)]) for n in range(6))
    # The reference: every part sorted at once (`_Parts._order`, a stable sort of one key), as before.
    assert _Parts(*merged).instalments(ids, ordered=True).equals(_Parts(*joined).instalments(ids))
    assert len(merged[0]) == len(joined[0])


def test_parts_not_in_order_are_left_to_the_sort() -> None:
    """`_merged` checks the order it relies on: slots' parts out of order make it answer None (the caller sorts)."""
    rng = np.random.default_rng(3)
    main, extras = _pieces(rng, 6)
    assert len(main[0]) > 1 and sum(len(piece[0]) for piece in extras) > 0
    backwards = tuple(column[::-1] for column in main)
    assert _merged(backwards, extras) is None
    assert _merged(main, []) is main


def test_empty_numpy_strings_are_missing_as_empty_python_strings() -> None:
    values = ["", "  ", "modulation", "\t", "in_year"]
    typed = np.array(values)
    assert typed.dtype.kind == "U"
    expected = [True, True, False, True, False]
    assert _missing(typed).tolist() == expected
    as_objects = np.empty(len(values), dtype=object)
    as_objects[:] = values
    assert _missing(as_objects).tolist() == expected
    assert _missing(np.array([b"", b"x"])).tolist() == [True, False]
