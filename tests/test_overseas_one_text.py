"""The exemptions of CSS L756-2 and L756-4 (D756-4) are one text over integers (`contributions.debut_outre_mer`):
the same `factors` and `exemptions` evaluated on Python ints (one situation, with its explanation) and on int64
arrays (`simulate_many`, the campaign) give the same whole euros, and both are D756-4's formula in exact fractions
over the whole range of inputs; the figures are those of the law passed in.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier import simulate
from echeancier.contributions.debut_outre_mer import (
    OverseasFigures,
    Ratio,
    exemptions,
    factors,
    limit,
    overseas_figures,
)
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.vectorized import VECTOR, simulate_many
from echeancier.kernel.inputs import MAX_EUROS
from echeancier.law import snapshot
from tests.test_one_text import as_lists, law_with, scalar

NOT_ABATED = {"retraite_complementaire", "invalidite_deces", "formation_professionnelle"}
NOT_EXEMPTED = {"retraite_complementaire", "formation_professionnelle"}
N = len(CONTRIBUTIONS)
MAX_CENTS = int(MAX_EUROS) * 100


def reference(
    figures: OverseasFigures,
    cents: int,
    pass_cents: int,
    share: Fraction | None,
    rate: Fraction | None,
    amounts: list[int],
    at_cap: list[int],
    at_pass: list[int],
) -> list[int]:
    """D756-4 in exact fractions, as the scalar engine wrote it before: per contribution, its amount at 110 % of
    the PASS × share × f(R) plus its amount at the PASS × rate × (1 − share) × f(R), rounded half up to the euro,
    at most the amount; f(R) = 1 up to 150 % of the PASS, (250 % PASS − R) / PASS up to 250 %, 0 beyond."""

    def fraction(ratio: Ratio) -> Fraction:
        return Fraction(ratio.num, ratio.den)

    def f(low: Ratio, high: Ratio) -> Fraction:
        if pass_cents <= 0 or cents <= fraction(low) * pass_cents:
            return Fraction(1)
        if cents >= fraction(high) * pass_cents:
            return Fraction(0)
        return (fraction(high) * pass_cents - cents) / pass_cents

    debut = Fraction(0) if share is None else share * f(figures.debut_degressivite, figures.debut_sortie)
    kept = 1 - (share or 0)
    croisiere = (
        Fraction(0) if rate is None else rate * kept * f(figures.croisiere_degressivite, figures.croisiere_sortie)
    )
    out = []
    for key, amount, capped, limited in zip(CONTRIBUTIONS, amounts, at_cap, at_pass, strict=True):
        value = (0 if key in NOT_EXEMPTED else capped * debut) + (0 if key in NOT_ABATED else limited * croisiere)
        out.append(min(amount, int((value * 2 + 1) // 2)))
    return out


def ratios(max_den: int) -> st.SearchStrategy[Ratio]:
    return st.builds(Ratio, st.integers(0, max_den), st.integers(1, max_den)).map(
        lambda r: Ratio(*Fraction(r.num, r.den).as_integer_ratio())
    )


# The figures of the law, and any others with 150 % ≤ 250 % of the same kind: thresholds of up to four decimals, at
# most 5 PASS.
THRESHOLDS = st.tuples(st.integers(0, 50_000), st.integers(0, 50_000)).map(
    lambda pair: (
        Ratio(*Fraction(min(pair), 10_000).as_integer_ratio()),
        Ratio(*Fraction(max(pair), 10_000).as_integer_ratio()),
    )
)
FIGURES = st.one_of(
    st.sampled_from([overseas_figures(snapshot(year)) for year in (2023, 2024, 2025)]),
    st.builds(
        lambda debut, croisiere, totale, limite, taux: OverseasFigures(totale, *debut, taux, taux, limite, *croisiere),
        THRESHOLDS,
        THRESHOLDS,
        ratios(10_000),
        ratios(10_000),
        ratios(10_000),
    ),
)
AMOUNTS = st.lists(st.integers(0, 10**7), min_size=N, max_size=N)


@st.composite
def rows(draw: st.DrawFn) -> tuple[int, int, list[int], list[int], list[int]]:
    """(income in cents over the whole range, prorated PASS in cents, amounts, at 110 %, at the PASS ≤ amounts)."""
    cents = draw(st.one_of(st.integers(0, MAX_CENTS), st.integers(0, 30_000_000)))
    pass_cents = 100 * draw(st.integers(0, 100_000))
    amounts = draw(AMOUNTS)
    at_cap = [draw(st.integers(0, a)) for a in amounts]
    at_pass = [draw(st.integers(0, a)) for a in amounts]
    return cents, pass_cents, amounts, at_cap, at_pass


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    figures=FIGURES,
    row=rows(),
    share=st.none() | st.integers(1, 366).flatmap(lambda d: st.builds(Ratio, st.integers(1, d), st.just(d))),
    rate=st.none() | ratios(10**6).filter(lambda r: r.num > 0),
    flat=st.booleans(),
)
def test_one_situation_is_d756_4_in_exact_fractions(
    figures: OverseasFigures,
    row: tuple[int, int, list[int], list[int], list[int]],
    share: Ratio | None,
    rate: Ratio | None,
    flat: bool,
) -> None:
    cents, pass_cents, amounts, at_cap, at_pass = row
    debut, croisiere = factors(SCALAR, figures, cents, pass_cents, share, rate, flat=flat)
    found = [int(e.amount) for e in exemptions(SCALAR, amounts, at_cap, at_pass, debut, croisiere)]
    as_fraction = None if share is None else Fraction(share.num, share.den)
    rate_fraction = None if rate is None else Fraction(rate.num, rate.den)
    if flat:  # the flat-rate bases are below the PASS: f = 1
        pass_cents, cents = 1, 0
    assert found == reference(figures, cents, pass_cents, as_fraction, rate_fraction, amounts, at_cap, at_pass)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    figures=FIGURES,
    many=st.lists(rows(), min_size=1, max_size=12),
    rate=st.sampled_from([Ratio(1, 2), Ratio(3, 4)]) | ratios(10**6).filter(lambda r: r.num > 0),
    flat=st.booleans(),
)
def test_many_rows_on_arrays_are_each_row_on_python_ints(
    figures: OverseasFigures,
    many: list[tuple[int, int, list[int], list[int], list[int]]],
    rate: Ratio,
    flat: bool,
) -> None:
    # The batch computes the abattement alone (the rows with the start exemption take the scalar engine), exactly on
    # int64 over the range `exemption` states: amounts up to 10^7 €, any rate of denominator up to 10^6, thresholds
    # of up to four decimals up to 5 PASS, the prorated PASS up to 100 000 €, incomes up to the largest accepted.
    def column(i: int) -> Any:
        return np.array([r[i] for r in many], dtype=np.int64)

    cents, pass_cents = column(0), column(1)
    amounts, at_cap, at_pass = ([np.array([r[i][j] for r in many], np.int64) for j in range(N)] for i in (2, 3, 4))
    debut, croisiere = factors(VECTOR, figures, cents, pass_cents, None, rate, flat=flat)
    found = exemptions(VECTOR, amounts, at_cap, at_pass, debut, croisiere)
    on_arrays = [np.broadcast_to(np.asarray(e.amount, np.int64), cents.shape).tolist() for e in found]
    for i, (c, p, a, cap, pas) in enumerate(many):
        one = factors(SCALAR, figures, c, p, None, rate, flat=flat)
        expected = [int(e.amount) for e in exemptions(SCALAR, a, cap, pas, *one)]
        assert [on_arrays[j][i] for j in range(N)] == expected


def test_arrays_are_exact_at_the_bounds_exemption_states() -> None:
    # Amounts of 10^7 €, a rate of 999 999 millionths, thresholds of 0 and 4.9999 PASS, a PASS of 100 000 €: the
    # products reach 5 × 10^24, far beyond int64, and the result is still each row's on Python ints.
    figures = OverseasFigures(
        *(Ratio(*Fraction(n, 10_000).as_integer_ratio()) for n in (11_000, 0, 49_999)),
        *(
            Ratio(999_999, 10**6),
            Ratio(999_999, 10**6),
            Ratio(1, 1),
            Ratio(0, 1),
            Ratio(49_999, 10_000),
        ),
    )
    cents = np.array([0, 1, 10**7, 3 * 10**7, 10**10], dtype=np.int64)
    pass_cents = np.full(len(cents), 10**7, dtype=np.int64)
    amounts = [np.full(len(cents), 10**7, dtype=np.int64) for _ in range(N)]
    rate = figures.croisiere_taux
    _, croisiere = factors(VECTOR, figures, cents, pass_cents, None, rate)
    found = [
        np.broadcast_to(np.asarray(e.amount, np.int64), cents.shape).tolist()
        for e in exemptions(VECTOR, amounts, amounts, amounts, None, croisiere)
    ]
    for i in range(len(cents)):
        one = factors(SCALAR, figures, int(cents[i]), 10**7, None, rate)
        expected = [int(e.amount) for e in exemptions(SCALAR, [10**7] * N, [10**7] * N, [10**7] * N, *one)]
        assert [column[i] for column in found] == expected
    assert found[0][0] == 9_999_990  # 10^7 € × 999 999 / 10^6 below the threshold: f = 1


def test_the_limits_are_the_published_incomes() -> None:
    figures = overseas_figures(snapshot(2024))
    assert limit(100 * 46368, figures.debut_totale) == 5_100_480  # 51 004,80 €
    assert limit(100 * 46368, figures.croisiere_limite) == 4_636_800
    assert limit(np.array([100 * 46368, 100 * 23_000]), figures.debut_totale).tolist() == [5_100_480, 2_530_000]


OVERSEAS = [
    {"year": year, "profession": profession, "income": income, "department": department, **extra}
    for year in (2024, 2025)
    for profession in ("artisan", "liberal")
    for income in (20_000, 46_368, 60_000, 90_000, 120_000)
    for department in ("971", "974")
    for extra in ({}, {"start_date": f"{year - 1}-05-01"}, {"end_date": f"{year}-09-30"})
]


def test_the_abattement_reads_its_rate_from_the_law_passed_in(tmp_path: Path) -> None:
    # The rate of the fourth year and later, 50 % → 40 %, in a copy of outre_mer.yaml.
    law = law_with(tmp_path, "outre_mer", "2023-01-01: {value: 0.5, reference:", "2023-01-01: {value: 0.4, reference:")
    columns = {name: [row.get(name) for row in OVERSEAS] for name in ("year", "profession", "income", "department")}
    columns["start_date"] = [row.get("start_date") for row in OVERSEAS]
    columns["end_date"] = [row.get("end_date") for row in OVERSEAS]
    expected = scalar(OVERSEAS, law)
    assert as_lists(simulate_many(columns, law=law)) == expected
    default = scalar(OVERSEAS)
    assert as_lists(simulate_many(columns)) == default
    # A smaller abattement: more is due, on every row below 250 % of the PASS.
    assert sum(expected["total"]) > sum(default["total"])
    assert all(a >= b for a, b in zip(expected["total"], default["total"], strict=True))
    explained = simulate(OVERSEAS[0], law).line("maladie_maternite")
    assert explained.exoneration is not None and explained.gross is not None
    assert explained.amount == explained.gross - explained.exoneration


def test_the_degressive_thresholds_read_from_the_law_passed_in(tmp_path: Path) -> None:
    # The abattement nil from 200 % of the PASS instead of 250 %.
    old = 'value: 2.5, reference: "CSS L756-4 (revenus'
    law = law_with(tmp_path, "outre_mer", old, old.replace("2.5", "2.0"))
    columns = {name: [row.get(name) for row in OVERSEAS] for name in ("year", "profession", "income", "department")}
    columns["start_date"] = [row.get("start_date") for row in OVERSEAS]
    columns["end_date"] = [row.get("end_date") for row in OVERSEAS]
    expected = scalar(OVERSEAS, law)
    assert as_lists(simulate_many(columns, law=law)) == expected
    assert expected != scalar(OVERSEAS)
