"""The helpers of the rules on NumPy arrays (`contributions.vectorized.VECTOR`) equal their definition: `where` as
`np.where` and as the scalar helper row by row, for every kind of value the rules give it."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.contributions.exact import SCALAR
from echeancier.contributions.vectorized import VECTOR

INT64 = st.integers(-(2**62), 2**62)


def _column(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(st.booleans(), INT64, INT64), min_size=1, max_size=40),
    a_is_array=st.booleans(),
    b_is_array=st.booleans(),
)
def test_where_is_np_where_and_the_scalar_helper_row_by_row(
    rows: list[tuple[bool, int, int]], a_is_array: bool, b_is_array: bool
) -> None:
    condition = np.array([c for c, _, _ in rows], dtype=np.bool_)
    a: Any = _column([x for _, x, _ in rows]) if a_is_array else rows[0][1]
    b: Any = _column([y for _, _, y in rows]) if b_is_array else rows[0][2]
    # a number when both are the same number (every row has it), else a column
    got = np.broadcast_to(VECTOR.where(condition, a, b), condition.shape)
    assert got.dtype == np.int64
    assert np.array_equal(got, np.where(condition, a, b))
    for i, (c, x, y) in enumerate(rows):
        assert got[i] == SCALAR.where(c, x if a_is_array else a, y if b_is_array else b)


def test_where_on_a_constant_condition_chooses_without_a_pass() -> None:
    a, b = _column([1, 2, 3]), _column([4, 5, 6])
    assert VECTOR.where(True, a, b) is a
    assert VECTOR.where(False, a, b) is b
    assert VECTOR.where(False, 3, 9) == 9 and type(VECTOR.where(False, 3, 9)) is int
    assert VECTOR.where(np.bool_(False), 3, 9) == 9
    # a scalar chosen against a column: the column's shape, as np.where gives it
    assert np.array_equal(VECTOR.where(False, a, 7), np.full(3, 7))
    assert np.array_equal(VECTOR.where(True, 7, b), np.full(3, 7))


def test_where_leaves_other_types_to_np_where() -> None:
    condition = np.array([True, False])
    flags = VECTOR.where(condition, np.array([True, True]), np.array([False, False]))
    assert flags.dtype == np.bool_ and flags.tolist() == [True, False]
    # a difference beyond int64 between two Python ints
    assert VECTOR.where(condition, 2**62, -(2**62)).tolist() == [2**62, -(2**62)]


def test_where_reads_numpy_integers_as_python_ints_and_leaves_booleans_alone() -> None:
    condition = np.array([True, False, True])
    assert VECTOR.where(condition, np.int64(4), 9).tolist() == [4, 9, 4]
    assert VECTOR.where(condition, np.array(4), np.array([1, 2, 3])).tolist() == [4, 2, 4]
    assert VECTOR.where(np.True_, np.int64(4), 9) == 4
    assert VECTOR.where(condition, True, False).tolist() == [True, False, True]
    assert VECTOR.where(condition, np.array([1, 2, 3]), False).tolist() == [1, 0, 3]
    # a column of another length than the condition: NumPy's broadcasting, as np.where
    assert VECTOR.where(np.array([[True], [False]]), np.array([1, 2]), 0).tolist() == [[1, 2], [0, 0]]


def test_where_between_two_equal_numbers_is_that_number() -> None:
    assert VECTOR.where(np.array([True, False]), 5000, 5000) == 5000
    condition = np.array([True, False])
    assert np.array_equal(np.broadcast_to(VECTOR.where(condition, 5, 5), 2), np.where(condition, 5, 5))


def test_parts_are_of_equal_size_under_the_limit_and_cover_every_row_once() -> None:
    from echeancier.contributions.vectorized import PART, _parts

    for n in (0, 1, PART - 1, PART, PART + 1, 131_072, 3 * PART + 5):
        sizes = [len(range(n)[part]) for part in _parts(slice(None), n)]
        assert sum(sizes) == n and all(0 < size <= PART for size in sizes)
        assert max(sizes, default=0) - min(sizes, default=0) <= 1
        rows = np.arange(n, dtype=np.int64) * 2  # the rows of a year among others: an index array
        pieces = _parts(rows, 2 * n)
        assert [len(piece) for piece in pieces] == sizes
        assert np.array_equal(np.concatenate([rows[:0], *pieces]), rows)
