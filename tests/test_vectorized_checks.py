"""The checks of `simulate_many` written for speed read the columns as the plain comparisons do (issue 9)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier import simulate_many
from echeancier.contributions.vectorized import PROFESSIONS, RowInputError, _profession_codes

NEAR = [*PROFESSIONS, "", "l", "a", "Artisan", "artisan ", "liberal_", "libera", "commercantx", "lib\x00eral", "ÿ"]


def _one_comparison_per_profession(names: np.ndarray) -> np.ndarray:
    codes = np.full(len(names), -1, dtype=np.int8)
    for code, name in enumerate(PROFESSIONS):
        np.copyto(codes, code, where=names == (name.encode() if names.dtype.kind == "S" else name))
    return codes


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NEAR) | st.text(max_size=22), min_size=1, max_size=40), st.booleans())
def test_profession_codes_equal_one_comparison_per_profession(values: list[str], as_bytes: bool) -> None:
    names = np.array(values)
    if as_bytes and all(value.isascii() for value in values):
        names = names.astype("S")
    for column in (names, names[::2], names[1:]):
        assert _profession_codes(column).tolist() == _one_comparison_per_profession(column).tolist()


def test_liberal_reglementee_beside_liberal_in_a_wide_column() -> None:
    names = np.array(["liberal", "liberal_reglementee", "liberal_reglementeeX", "liberal_", "artisan"])
    assert _profession_codes(names).tolist() == [2, 3, -1, -1, 0]


def test_an_unknown_profession_is_still_refused_at_its_row() -> None:
    rows = 300_000  # several blocks
    professions = np.array(["artisan", "commercant", "liberal"])[np.arange(rows) % 3]
    professions[200_001] = "artisanx"
    with pytest.raises(RowInputError) as error:
        simulate_many({"year": np.full(rows, 2025), "profession": professions, "income": np.full(rows, 30_000)})
    assert (error.value.row, error.value.field) == (200_001, "profession")


def test_one_year_batch_outside_the_law_is_refused() -> None:
    with pytest.raises(RowInputError) as error:
        simulate_many({"year": np.full(5, 1990), "profession": ["artisan"] * 5, "income": np.full(5, 30_000)})
    assert (error.value.row, error.value.field) == (0, "year")
