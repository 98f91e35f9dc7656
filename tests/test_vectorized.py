"""The vectorised path `simulate_many` equals the scalar `simulate`, row by row and line by line (DESIGN §3)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from echeancier import simulate
from echeancier.contributions import exact, vectorized
from echeancier.contributions.assiettes import activity
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.situation import InputError, Situation
from echeancier.contributions.vectorized import VECTOR, RowInputError, simulate_many
from echeancier.kernel.money import round_euro
from echeancier.law.snapshot import snapshot, supported_years
from tests.conftest import ORACLE_GRID

YEARS = tuple(supported_years())
PROFESSIONS = ("artisan", "commercant", "liberal")
KEYS = (*CONTRIBUTIONS, "total")
FIELDS = ("year", "profession", "income", "start_date", "end_date", "acre", "rsa", "income_is_net", "department")


def columns_of(situations: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    return {name: [s.get(name) for s in situations] for name in FIELDS if any(name in s for s in situations)}


def scalar_amounts(situation: Mapping[str, Any]) -> dict[str, int]:
    data = {k: v for k, v in situation.items() if v is not None}
    result = simulate(data)
    amounts = {line.key: int(line.amount) for line in result.lines}
    amounts["total"] = int(result.total)
    return amounts


def assert_equal_to_scalar(situations: Sequence[Mapping[str, Any]], result: Mapping[str, Any]) -> None:
    differences = []
    for i, situation in enumerate(situations):
        expected = scalar_amounts(situation)
        got = {key: int(result[key][i]) for key in KEYS}
        if got != expected:
            differing = {k: (expected[k], got[k]) for k in KEYS if expected[k] != got[k]}
            differences.append(f"row {i}: {situation} (scalar, vectorised): {differing}")
    assert not differences, "\n".join(differences[:20])


# --------------------------------------------------------------------------------------------------------------
# (a) random situations, Hypothesis


@st.composite
def situations(draw: st.DrawFn) -> dict[str, Any]:
    year = draw(st.sampled_from(YEARS))
    first, last = date(year, 1, 1), date(year, 12, 31)
    cents = draw(
        st.one_of(
            st.integers(-1_000_000, 200_000_000),  # up to 2,000,000 € with cents
            st.integers(-100_000, 8_000_000),  # the dense part of the scales
            st.integers(-1000, 200_000).map(lambda euros: euros * 100),  # whole euros
        )
    )
    income: Any = draw(st.sampled_from(["float", "decimal", "string"]))
    income = {"float": cents / 100, "decimal": Decimal(cents) / 100, "string": str(Decimal(cents) / 100)}[income]
    kind = draw(st.sampled_from(["none", "in_year", "previous_year", "older"]))
    start = None
    if kind == "in_year":
        start = first + timedelta(days=draw(st.integers(0, (last - first).days)))
    elif kind == "previous_year":
        start = date(year - 1, 1, 1) + timedelta(days=draw(st.integers(0, 365)))
        start = min(start, last)
    elif kind == "older":
        start = date(year - draw(st.integers(2, 30)), 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    end = None
    if draw(st.booleans()):
        begin = max(start, first) if start else first
        end = begin + timedelta(days=draw(st.integers(0, (last - begin).days)))
    return {
        "year": year,
        "profession": draw(st.sampled_from(PROFESSIONS)),
        "income": income,
        "start_date": start,
        "end_date": end,
        "acre": start is not None and draw(st.booleans()),
        "rsa": draw(st.booleans()),
        # metropolitan France, the collectivités of L751-1, Mayotte (its own law from 2025)
        "department": draw(st.sampled_from([None, None, "75", "2A", "971", "974", "977", "976"])),
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(st.lists(situations(), min_size=1, max_size=200))
def test_random_situations_equal_the_scalar_engine(batch: list[dict[str, Any]]) -> None:
    assert_equal_to_scalar(batch, simulate_many(columns_of(batch)))


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(
    st.lists(situations(), min_size=150, max_size=300),
    st.lists(st.integers(-150_000, 150_000), min_size=12, max_size=12, unique=True),
)
def test_thousands_of_hypothesis_situations_in_one_batch(templates: list[dict[str, Any]], offsets: list[int]) -> None:
    # Hypothesis cannot draw thousands of rows in one example: each drawn situation is repeated with drawn income
    # offsets (in cents), in one batch of 1,800 to 3,600 rows.
    batch = [
        {**situation, "income": str(Decimal(str(situation["income"])) + Decimal(offset) / 100)}
        for situation in templates
        for offset in offsets
    ]
    assert len(batch) >= 1800
    assert_equal_to_scalar(batch, simulate_many(columns_of(batch)))


def random_batch(rows: int, seed: int) -> list[dict[str, Any]]:
    """A batch drawn with NumPy (Hypothesis cannot draw thousands of rows in one example)."""
    rng = np.random.default_rng(seed)
    batch = []
    for _ in range(rows):
        year = int(rng.choice(YEARS))
        first = date(year, 1, 1)
        days_in_year = (date(year + 1, 1, 1) - first).days
        cents = int(rng.choice([rng.integers(-1_000_000, 200_000_000), rng.integers(0, 8_000_000)]))
        start = None
        draw = rng.random()
        if draw < 0.35:
            start = first + timedelta(days=int(rng.integers(0, days_in_year)))
        elif draw < 0.65:
            start = first - timedelta(days=int(rng.integers(1, 400)))
        elif draw < 0.7:
            start = first - timedelta(days=int(rng.integers(400, 4000)))
        end = None
        if rng.random() < 0.3:
            begin = max(start, first) if start else first
            end = begin + timedelta(days=int(rng.integers(0, (date(year, 12, 31) - begin).days + 1)))
        batch.append(
            {
                "year": year,
                "profession": PROFESSIONS[int(rng.integers(0, 3))],
                "income": cents / 100,
                "start_date": start,
                "end_date": end,
                "acre": start is not None and bool(rng.random() < 0.6),
                "rsa": bool(rng.random() < 0.2),
            }
        )
    return batch


def test_a_batch_of_thousands_of_random_situations() -> None:
    batch = random_batch(5000, seed=20260101)
    assert_equal_to_scalar(batch, simulate_many(columns_of(batch)))


def test_numpy_columns_with_datetime64_dates() -> None:
    batch = random_batch(1500, seed=7)
    columns: dict[str, Any] = {
        "year": np.array([s["year"] for s in batch]),
        "profession": np.array([s["profession"] for s in batch]),
        "income": np.array([s["income"] for s in batch]),
        "start_date": np.array([s["start_date"] for s in batch], dtype="datetime64[D]"),
        "end_date": np.array([s["end_date"] for s in batch], dtype="datetime64[D]"),
        "acre": np.array([s["acre"] for s in batch]),
        "rsa": np.array([s["rsa"] for s in batch]),
    }
    result = simulate_many(columns)
    assert set(result) == set(KEYS) and all(result[key].dtype == np.int64 for key in KEYS)
    assert_equal_to_scalar(batch, result)


# --------------------------------------------------------------------------------------------------------------
# (a) every threshold of every scale, ± 1 cent and ± 1 euro


def periods(year: int) -> Iterator[tuple[str, date | None, date | None]]:
    first = date(year, 1, 1)
    yield "full year", None, None
    yield "started in March", date(year, 3, 17), None
    yield "ended after 60 days", None, first + timedelta(days=59)
    yield "73 days (365 | 5 × days)", date(year, 5, 1), date(year, 5, 1) + timedelta(days=72)
    yield "started the year before", first - timedelta(days=200), None
    yield "started the year before, ended in June", first - timedelta(days=100), date(year, 6, 30)


def thresholds(year: int, start: date | None, end: date | None) -> list[Decimal]:
    """Every base at which a rule of `year` changes, in euros of assiette sociale."""
    law = snapshot(year)
    period = activity(Situation(year=year, profession="artisan", income=0, start_date=start, end_date=end), law)
    pass_, annual = period.pass_proratise, law.pass_annuel
    values = [t * pass_ for t, _ in (*law.maladie_bareme, *law.af_bareme)]
    values += [law.maladie_plafond_tranche_1 * pass_, law.rci_plafond_tranche_2 * pass_, pass_]
    values += [law.ij_seuil_revenu_faible * pass_, law.ij_plafond * annual]
    values += [round_euro(law.ij_assiette_minimale * annual), round_euro(law.id_assiette_minimale * pass_)]
    values += [law.id_assiette_minimale * pass_, law.id_plafond * pass_]
    values += [round_euro(law.rb_assiette_minimale_heures * law.smic_horaire)]
    values += [law.acre_seuil_degressivite * pass_, law.acre_seuil_sortie * pass_]
    values += [4 * pass_, 5 * pass_, 5 * annual, 4 * annual]
    if law.rci_plafond_tranche_1_pass is not None:
        values.append(law.rci_plafond_tranche_1_pass * pass_)
    if law.rci_plafond_tranche_1_montant is not None:
        values.append(law.rci_plafond_tranche_1_montant * period.prorata)
    return values


def incomes_at(year: int, base: Decimal) -> set[Decimal]:
    """Incomes whose assiette sociale is `base` ± 1 cent and ± 1 euro (from 2025 the revenu brut less 26 %)."""
    law = snapshot(year)
    deltas = (Decimal("-1"), Decimal("-0.01"), Decimal(0), Decimal("0.01"), Decimal("1"))
    cent = Decimal("0.01")
    if not law.apres_reforme:
        return {(base + d).quantize(cent) for d in deltas}
    assert law.abattement_taux is not None
    gross = base / (1 - law.abattement_taux)
    return {(gross + d).quantize(cent) for d in (*deltas, Decimal("-0.5"), Decimal("0.5"), Decimal("-2"), Decimal("2"))}


def edge_batch() -> list[dict[str, Any]]:
    batch = []
    for year in YEARS:
        law = snapshot(year)
        extra: list[Decimal] = []
        if law.apres_reforme:
            assert law.abattement_taux and law.abattement_plancher and law.abattement_plafond
            # incomes where the 26 % abatement reaches its floor and its ceiling
            for bound in (law.abattement_plancher, law.abattement_plafond):
                extra += [
                    (bound * law.pass_annuel / law.abattement_taux + d).quantize(Decimal("0.01")) for d in (-1, 0, 1)
                ]
        for index, (_, start, end) in enumerate(periods(year)):
            incomes = {Decimal(0), Decimal("-0.01"), Decimal("0.01"), *extra}
            for base in thresholds(year, start, end):
                incomes |= incomes_at(year, base)
            for i, income in enumerate(sorted(incomes)):
                for acre, rsa in ((False, False), (True, False), (False, True)):
                    if acre and start is None:
                        continue
                    batch.append(
                        {
                            "year": year,
                            "profession": PROFESSIONS[(i + index) % 3],
                            "income": str(income),
                            "start_date": start,
                            "end_date": end,
                            "acre": acre,
                            "rsa": rsa,
                        }
                    )
    return batch


def test_every_threshold_of_every_scale() -> None:
    batch = edge_batch()
    assert len(batch) > 3000
    assert_equal_to_scalar(batch, simulate_many(columns_of(batch)))


def test_acre_at_its_thresholds_with_every_day_count() -> None:
    # The ACRE share divides by the base and by the days of activity: every day count of a creation of the year
    # before, at 75 % and 100 % of the prorated PASS and between.
    batch = []
    for year in YEARS:
        law = snapshot(year)
        for days_before in range(1, 366, 7):
            start = date(year, 1, 1) - timedelta(days=days_before)
            end = date(year, 1, 1) + timedelta(days=(days_before * 37) % 365)
            situation = Situation(year=year, profession="artisan", income=0, start_date=start, end_date=end)
            pass_ = activity(situation, law).pass_proratise
            for share in ("0.75", "0.8", "0.9137", "1"):
                for income in incomes_at(year, Decimal(share) * pass_):
                    batch.append(
                        {
                            "year": year,
                            "profession": "liberal",
                            "income": str(income),
                            "start_date": start,
                            "end_date": end,
                            "acre": True,
                        }
                    )
    assert_equal_to_scalar(batch, simulate_many(columns_of(batch)))


# --------------------------------------------------------------------------------------------------------------
# net incomes (the scalar search, row by row) and incomes below the cent (both paths round them to the cent)


def test_net_incomes_and_incomes_below_the_cent() -> None:
    batch: list[dict[str, Any]] = [
        {"year": 2025, "profession": "artisan", "income": 30_000, "income_is_net": True},
        {"year": 2024, "profession": "commercant", "income": "12345.678"},
        {"year": 2026, "profession": "liberal", "income": 1234.5678, "start_date": date(2026, 2, 1), "acre": True},
        {"year": 2023, "profession": "artisan", "income": 40_000},
        {"year": 2024, "profession": "liberal", "income": 20_000, "income_is_net": True, "rsa": True},
    ]
    assert_equal_to_scalar(batch, simulate_many(columns_of(batch)))


ACRE_TIES = [
    # Exact ACRE amounts on a half euro (both paths compute the same exact ratio and round it half up).
    # 2025, assiette 34 439 €, PASS prorated to 45 552 €: IJ = 0.5 % × 34 439 × (1 − 3 × 11 113 / 34 439) = 5.50 €
    # exactly.
    {"year": 2025, "profession": "artisan", "income": 46539.17, "start_date": date(2025, 1, 13), "acre": True},
    # 2026, retraite de base 1 000.72 € × (1 − 25 % × 147 / 343) = 893.50 € exactly.
    {
        "year": 2026,
        "profession": "artisan",
        "income": 7568.31,
        "start_date": date(2025, 5, 28),
        "end_date": date(2026, 12, 9),
        "acre": True,
    },
    # 2025, maladie-maternité exemption × 51 / 323 of the year on a half euro.
    {
        "year": 2025,
        "profession": "artisan",
        "income": 50648.85,
        "start_date": date(2024, 2, 22),
        "end_date": date(2025, 11, 19),
        "acre": True,
        "rsa": True,
    },
    {"year": 2025, "profession": "artisan", "income": 40416.64, "start_date": date(2025, 3, 7), "acre": True},
    {"year": 2025, "profession": "artisan", "income": 49882.76, "start_date": date(2025, 2, 5), "acre": True},
]


def test_acre_half_euro_ties_are_equal_on_both_paths() -> None:
    assert_equal_to_scalar(ACRE_TIES, simulate_many(columns_of(ACRE_TIES)))


def test_many_blocks_in_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectorized, "CHUNK", 97)
    monkeypatch.setattr(vectorized, "WORKERS", 2)
    batch = random_batch(1000, seed=3)
    assert_equal_to_scalar(batch, simulate_many(columns_of(batch)))


def test_empty_batch() -> None:
    result = simulate_many({"year": [], "profession": [], "income": []})
    assert set(result) == set(KEYS) and all(len(result[key]) == 0 for key in KEYS)


# --------------------------------------------------------------------------------------------------------------
# the exact integer helpers


def half_up(value: Fraction) -> int:
    """Round half up (as kernel.money, for non-negative values), exactly."""
    return math.floor(value + Fraction(1, 2))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2**53 - 1), st.integers(0, 2**53 - 1), st.integers(1, 2**60 - 1)).filter(
            lambda t: t[0] * t[1] // t[2] < 2**40
        ),
        min_size=1,
        max_size=50,
    )
)
def test_mul_div_half_up_is_exact_beyond_int64(triples: list[tuple[int, int, int]]) -> None:
    a, b, d = (np.array(column, dtype=np.int64) for column in zip(*triples, strict=True))
    value = VECTOR.mul_div_half_up(a, b, d)
    for (x, y, z), v in zip(triples, value, strict=True):
        assert int(v) == half_up(Fraction(x * y, z)) == SCALAR.mul_div_half_up(x, y, z)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 4 * 10**17), st.integers(1, 10**12), st.sampled_from([100, 10**8, 7]))
def test_half_up_is_exact(numerator: int, denominator: int, constant: int) -> None:
    # The same helper on Python ints (one situation) and on int64 arrays (many), with a variable or constant divisor.
    expected = half_up(Fraction(numerator, denominator))
    assert exact.half_up(numerator, denominator) == expected
    assert int(exact.half_up(np.array([numerator]), np.array([denominator]))[0]) == expected
    assert int(exact.half_up(np.array([numerator]), constant)[0]) == half_up(Fraction(numerator, constant))
    assert exact.half_up(numerator, constant) == half_up(Fraction(numerator, constant))
    assert half_up(Fraction(numerator, constant)) == round_euro(Decimal(numerator) / Decimal(constant))


# --------------------------------------------------------------------------------------------------------------
# (b) Polars and PyArrow


def frame_batch() -> list[dict[str, Any]]:
    batch = random_batch(800, seed=11)
    batch[5]["income_is_net"] = True
    return batch


def test_polars_in_polars_out() -> None:
    batch = frame_batch()
    frame = pl.DataFrame(
        {
            "id": [f"s{i}" for i in range(len(batch))],
            "year": [s["year"] for s in batch],
            "profession": pl.Series([s["profession"] for s in batch], dtype=pl.Categorical),
            "income": [s["income"] for s in batch],
            "start_date": pl.Series([s["start_date"] for s in batch], dtype=pl.Date),
            "end_date": pl.Series([s["end_date"] for s in batch], dtype=pl.Date),
            "acre": [s["acre"] for s in batch],
            "rsa": [s["rsa"] or None for s in batch],  # a null flag is "not given"
            "income_is_net": [s.get("income_is_net", False) for s in batch],
        }
    )
    result = simulate_many(frame)
    assert isinstance(result, pl.DataFrame)
    assert result.columns == ["id", *KEYS]
    assert result["id"].to_list() == frame["id"].to_list()
    assert all(result[key].dtype == pl.Int64 for key in KEYS)
    assert_equal_to_scalar(batch, result.to_dict(as_series=False))


def test_polars_string_professions_and_decimal_incomes() -> None:
    batch = frame_batch()[:200]
    frame = pl.DataFrame(
        {
            "year": pl.Series([s["year"] for s in batch], dtype=pl.Int16),
            "profession": [s["profession"] for s in batch],
            "income": pl.Series([Decimal(str(s["income"])) for s in batch], dtype=pl.Decimal(14, 2)),
            "start_date": [s["start_date"] for s in batch],
            "acre": [s["acre"] for s in batch],
        }
    )
    expected = [{**s, "end_date": None, "rsa": False, "income_is_net": False} for s in batch]
    assert_equal_to_scalar(expected, simulate_many(frame).to_dict(as_series=False))


def test_pyarrow_in_pyarrow_out() -> None:
    batch = frame_batch()
    table = pa.table(
        {
            "id": pa.array(range(len(batch)), type=pa.int64()),
            "year": pa.array([s["year"] for s in batch], type=pa.int32()),
            "profession": pa.array([s["profession"] for s in batch]),
            "income": pa.array([s["income"] for s in batch], type=pa.float64()),
            "start_date": pa.array([s["start_date"] for s in batch], type=pa.date32()),
            "end_date": pa.array([s["end_date"] for s in batch], type=pa.date32()),
            "acre": pa.array([s["acre"] for s in batch]),
            "rsa": pa.array([s["rsa"] for s in batch]),
            "income_is_net": pa.array([s.get("income_is_net", False) for s in batch]),
        }
    )
    result = simulate_many(table)
    assert isinstance(result, pa.Table)
    assert result.column_names == ["id", *KEYS]
    assert result.column("id").to_pylist() == list(range(len(batch)))
    assert all(result.schema.field(key).type == pa.int64() for key in KEYS)
    assert_equal_to_scalar(batch, result.to_pydict())


def test_mapping_with_ids_echoes_them_first() -> None:
    result = simulate_many({"id": ["a", "b"], "year": [2026, 2025], "profession": ["artisan"] * 2, "income": [1, 2]})
    assert list(result) == ["id", *KEYS]
    assert list(result["id"]) == ["a", "b"]


# --------------------------------------------------------------------------------------------------------------
# (c) bad input


GOOD: dict[str, list[Any]] = {
    "year": [2025, 2025, 2025, 2025],
    "profession": ["artisan", "commercant", "liberal", "artisan"],
    "income": [10_000, 20_000, 30_000, 40_000],
}


def with_row(field: str, row: int, value: Any, base: Mapping[str, list[Any]] = GOOD) -> dict[str, list[Any]]:
    columns = {name: list(values) for name, values in base.items()}
    if field not in columns:
        columns[field] = [None] * len(GOOD["year"])
    columns[field][row] = value
    return columns


@pytest.mark.parametrize(
    ("columns", "row", "field", "message"),
    [
        (
            with_row("profession", 2, "plombier"),
            2,
            "profession",
            "doit être artisan, commercant, liberal ou liberal_reglementee",
        ),
        (with_row("year", 1, 2031), 1, "year", "2031 n'est pas couverte par les paramètres de la loi"),
        (with_row("year", 3, 2025.0), 3, "year", "doit être un nombre entier (reçu 2025.0)"),
        (with_row("income", 0, "abc"), 0, "income", "doit être un montant en euros"),
        (with_row("income", 3, None), 3, "income", "est obligatoire"),
        (
            with_row("income", 1, 1e9),
            1,
            "income",
            "dépasse la limite de 100\u202f000\u202f000\xa0€ (reçu 1000000000.0)",
        ),
        (with_row("income", 2, float("nan")), 2, "income", "doit être un nombre fini d'euros"),
        (with_row("start_date", 1, "2026-01-01"), 1, "start_date", "est après l'année de revenus 2025"),
        (with_row("start_date", 1, "not a date"), 1, "start_date", "doit être une date AAAA-MM-JJ (reçu 'not a date')"),
        (with_row("end_date", 2, date(2024, 12, 31)), 2, "end_date", "n'est pas dans l'année de revenus 2025"),
        (with_row("acre", 0, True), 0, "acre", "l'ACRE demande la date de début d'activité start_date"),
        (with_row("rsa", 3, "maybe"), 3, "rsa", "doit être true ou false (reçu 'maybe')"),
    ],
)
def test_bad_input_names_the_row_and_the_field(columns: dict[str, Any], row: int, field: str, message: str) -> None:
    with pytest.raises(RowInputError) as caught:
        simulate_many(columns)
    error = caught.value
    assert isinstance(error, InputError)
    assert (error.row, error.field) == (row, field)
    assert message in error.message
    assert str(error).startswith(f"row {row}: {field}: ")


def test_end_before_start() -> None:
    columns = with_row("start_date", 1, "2025-06-01")
    columns["end_date"] = [None, "2025-05-31", None, None]
    with pytest.raises(RowInputError, match=r"row 1: end_date: 2025-05-31 est avant start_date 2025-06-01"):
        simulate_many(columns)


def test_the_first_invalid_row_is_reported_with_the_scalar_engines_first_check() -> None:
    columns = with_row("profession", 3, "x", with_row("year", 3, 2040, with_row("year", 2, 2050)))
    with pytest.raises(RowInputError) as caught:
        simulate_many(columns)
    assert (caught.value.row, caught.value.field) == (2, "year")
    # row 3 alone: a Situation checks the fields before the year's coverage
    columns = with_row("profession", 3, "x", with_row("year", 3, 2040))
    with pytest.raises(RowInputError) as caught:
        simulate_many(columns)
    assert (caught.value.row, caught.value.field) == (3, "profession")


def test_bad_rows_are_found_in_any_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectorized, "CHUNK", 3)
    monkeypatch.setattr(vectorized, "WORKERS", 2)
    columns = {name: values * 5 for name, values in GOOD.items()}
    columns["profession"][13] = "boulanger"
    columns["income"][17] = "x"
    with pytest.raises(RowInputError, match="row 13: profession"):
        simulate_many(columns)


def test_bad_columns() -> None:
    with pytest.raises(InputError, match="incom: n'est pas un champ connu"):
        simulate_many({**GOOD, "incom": [1, 2, 3, 4]})
    with pytest.raises(InputError, match="income: est obligatoire"):
        simulate_many({"year": [2025], "profession": ["artisan"]})
    with pytest.raises(InputError, match="rsa: a 2 lignes, year en a 4"):
        simulate_many({**GOOD, "rsa": [True, False]})
    with pytest.raises(InputError, match="columns: doit être un dictionnaire de colonnes"):
        simulate_many([1, 2, 3])


def test_polars_bad_profession_names_the_row() -> None:
    frame = pl.DataFrame({"year": [2025, 2025], "profession": ["artisan", "pilote"], "income": [1.0, 2.0]})
    with pytest.raises(RowInputError, match=r"row 1: profession: doit être .* \(reçu 'pilote'\)"):
        simulate_many(frame)


def test_arrow_null_income_names_the_row() -> None:
    table = pa.table({"year": [2025, 2025], "profession": ["artisan", "liberal"], "income": [1.0, None]})
    with pytest.raises(RowInputError, match="row 1: income: est obligatoire"):
        simulate_many(table)


# --------------------------------------------------------------------------------------------------------------
# (d) the official grid


def test_the_whole_oracle_grid() -> None:
    rows = [json.loads(line) for line in ORACLE_GRID.read_text().splitlines() if line.strip()]
    batch = [{key: value for key, value in row["situation"].items() if key != "id"} for row in rows]
    columns = columns_of(batch)
    columns["id"] = [row["situation"]["id"] for row in rows]
    result = simulate_many(columns)
    assert list(result["id"]) == columns["id"]
    assert_equal_to_scalar(batch, result)
