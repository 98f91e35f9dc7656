"""simulate_many with the professions encoded (a PyArrow dictionary array: integer codes plus their categories)
gives what the same professions given as text give: the same amounts, the same first refused row and message."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from echeancier.contributions.vectorized import RowInputError, simulate_many

# The categories a column may carry: the professions, and texts (or a null) that are not one.
CATEGORIES = ["artisan", "commercant", "liberal", "Artisan", "plombier", "", None]


def _outcome(columns: Any) -> Any:
    """The amounts as lists, or the error a batch is refused with."""
    try:
        result = simulate_many(columns)
    except RowInputError as error:
        return ("refused", error.row, error.field, str(error))
    if isinstance(result, pl.DataFrame):
        return {name: result.get_column(name).to_list() for name in result.columns}
    if isinstance(result, pa.Table):
        return {name: result.column(name).to_pylist() for name in result.column_names}
    return {name: values.tolist() for name, values in result.items()}


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[int], list[int], list[int], list[str | None]]:
    n = draw(st.integers(1, 60))
    valid_only = draw(st.booleans())
    categories = draw(st.permutations(CATEGORIES[:3] if valid_only else CATEGORIES))
    codes = draw(st.lists(st.integers(0, len(categories) - 1), min_size=n, max_size=n))
    years = draw(st.lists(st.integers(2023, 2026), min_size=n, max_size=n))
    incomes = draw(st.lists(st.integers(-5_000, 250_000), min_size=n, max_size=n))
    return years, incomes, codes, list(categories)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches(), st.sampled_from([np.int8, np.int32, np.int64]))
def test_a_dictionary_array_equals_the_texts(batch: Any, index_type: Any) -> None:
    years, incomes, codes, categories = batch
    texts = [categories[c] for c in codes]
    encoded = pa.DictionaryArray.from_arrays(np.array(codes, dtype=index_type), categories)
    expected = _outcome({"year": years, "profession": texts, "income": incomes})
    assert _outcome({"year": np.array(years), "profession": encoded, "income": np.array(incomes)}) == expected
    # in a PyArrow Table, and in several chunks
    table = pa.table({"year": years, "profession": encoded, "income": incomes})
    assert _outcome(table) == expected
    # a Polars Categorical column (read through its dictionary), when its categories are texts
    if all(c is not None for c in categories):
        frame = pl.DataFrame({"year": years, "profession": pl.Series(texts, dtype=pl.Categorical), "income": incomes})
        assert _outcome(frame) == expected
    half = len(codes) // 2
    chunked = pa.chunked_array([encoded[:half], encoded[half:]])
    assert _outcome({"year": years, "profession": chunked, "income": incomes}) == expected


def test_a_null_row_is_refused_as_a_missing_text_is() -> None:
    indices = pa.array([0, None, 1], type=pa.int8())
    encoded = pa.DictionaryArray.from_arrays(indices, ["artisan", "liberal"])
    with pytest.raises(RowInputError) as texts:
        simulate_many({"year": [2025] * 3, "profession": ["artisan", None, "liberal"], "income": [1000] * 3})
    with pytest.raises(RowInputError) as codes:
        simulate_many({"year": [2025] * 3, "profession": encoded, "income": [1000] * 3})
    assert (codes.value.row, codes.value.field, str(codes.value)) == (1, "profession", str(texts.value))
    assert "doit être artisan, commercant, liberal ou liberal_reglementee" in str(codes.value)


def test_categories_that_are_not_texts_are_refused_with_their_value() -> None:
    encoded = pa.DictionaryArray.from_arrays(np.array([1, 0]), pa.array([7, 8]))
    with pytest.raises(RowInputError) as refused:
        simulate_many({"year": [2025, 2025], "profession": encoded, "income": [1000, 1000]})
    assert refused.value.row == 0 and refused.value.field == "profession"
    assert "(reçu 8)" in str(refused.value)


def test_each_code_chooses_its_category() -> None:
    """The codes 0 and 2 of ["artisan", "commercant", "liberal"]: an artisan's and a libéral's amounts."""
    encoded = pa.DictionaryArray.from_arrays(np.array([0, 2]), ["artisan", "commercant", "liberal"])
    result = simulate_many({"year": [2025, 2025], "profession": encoded, "income": [40_000, 40_000]})
    texts = simulate_many({"year": [2025, 2025], "profession": ["artisan", "liberal"], "income": [40_000, 40_000]})
    assert result["total"].tolist() == texts["total"].tolist()
    assert result["total"][0] != result["total"][1]  # the codes chose two professions, not one


def test_a_polars_enum_equals_the_texts() -> None:
    texts = ["liberal", "artisan", None, "commercant"]
    kinds = pl.Enum(["artisan", "commercant", "liberal", "plombier"])
    for names in (texts, [*texts[:2], "plombier", texts[3]]):
        columns = {"year": [2025] * 4, "profession": names, "income": [30_000, 0, 55_000, 120_000]}
        frame = pl.DataFrame({**columns, "profession": pl.Series(names, dtype=kinds)})
        assert _outcome(frame) == _outcome(columns)
        assert isinstance(_outcome(frame), tuple)  # a null, then an unknown category: both refused on row 2
