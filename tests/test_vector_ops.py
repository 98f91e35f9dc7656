"""The helpers of the rules on NumPy arrays (`contributions.vectorized.VECTOR`) equal their definition: `where` as
`np.where` and as the scalar helper row by row, `divide_half_up` as `half_up` on Python ints (exact integers, no
precision), including the rows where the float estimate is one off, at a half, and beyond its bounds."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.contributions.exact import SCALAR, half_up
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
    got = VECTOR.where(condition, a, b)
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


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2**61), st.integers(1, 2**40)),
        min_size=1,
        max_size=40,
    )
)
def test_divide_half_up_is_half_up(rows: list[tuple[int, int]]) -> None:
    # 2n + d must fit in int64, as for half_up on arrays
    rows = [(n, d) for n, d in rows if 2 * n + d < 2**63]
    if not rows:
        return
    numerators, denominators = _column([n for n, _ in rows]), _column([d for _, d in rows])
    got = VECTOR.divide_half_up(numerators, denominators)
    assert got.tolist() == [half_up(n, d) for n, d in rows]


def test_divide_half_up_at_halves_and_near_whole_quotients() -> None:
    rows = []
    for d in (1, 2, 3, 7, 10**6 + 1, 2**40 - 1, 3 * 10**12 + 7):
        for q in (0, 1, 5, 10**4, 2**30, 2**45):
            for extra in (-1, 0, 1):
                # exactly at a half (n / d = q + 1/2 when d is even), just below and above, and near q itself
                for n in (q * d + d // 2 + extra, q * d + extra):
                    if n >= 0 and 2 * n + d < 2**63:
                        rows.append((n, d))
    numerators, denominators = _column([n for n, _ in rows]), _column([d for _, d in rows])
    assert VECTOR.divide_half_up(numerators, denominators).tolist() == [half_up(n, d) for n, d in rows]


def test_divide_half_up_beyond_the_float_bounds_uses_the_integer_division() -> None:
    # quotients from 2^49 up, and denominators of 2^60: the integer division, exact
    rows = [(2**61 + 12345, 3), (2**60 + 1, 1), (2**61 - 1, 2**60), (2**61, 2**60 - 1)]
    numerators, denominators = _column([n for n, _ in rows]), _column([d for _, d in rows])
    assert VECTOR.divide_half_up(numerators, denominators).tolist() == [half_up(n, d) for n, d in rows]


def test_divide_half_up_by_one_number_is_half_up() -> None:
    numerators = _column([0, 1, 5, 149, 150, 151])
    assert VECTOR.divide_half_up(numerators, 100).tolist() == [0, 0, 0, 1, 2, 2]
    assert VECTOR.divide_half_up(numerators, 3).tolist() == [half_up(int(n), 3) for n in numerators]
    assert SCALAR.divide_half_up(150, 100) == 2


def test_where_reads_numpy_integers_as_python_ints_and_leaves_booleans_alone() -> None:
    condition = np.array([True, False, True])
    assert VECTOR.where(condition, np.int64(4), 9).tolist() == [4, 9, 4]
    assert VECTOR.where(condition, np.array(4), np.array([1, 2, 3])).tolist() == [4, 2, 4]
    assert VECTOR.where(np.True_, np.int64(4), 9) == 4
    assert VECTOR.where(condition, True, False).tolist() == [True, False, True]
    assert VECTOR.where(condition, np.array([1, 2, 3]), False).tolist() == [1, 0, 3]
    # a column of another length than the condition: NumPy's broadcasting, as np.where
    assert VECTOR.where(np.array([[True], [False]]), np.array([1, 2]), 0).tolist() == [[1, 2], [0, 0]]
