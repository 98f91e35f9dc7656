"""Worked examples from the law and research (domain.md §2), exceptions, and invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier import simulate
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.situation import InputError

ORDER = CONTRIBUTIONS


def amounts(**situation: Any) -> list[int]:
    simulation = simulate({"profession": "artisan", **situation})
    return [int(line.amount) for line in simulation.lines]


# domain.md §2.6, artisan, full year. CSG-CRDS: URSSAF rounds its deductible part (6.8 %) and the rest (2.9 %)
# separately (docs/oracle-differences.md); §2.6 rounded the 9.7 % at once, one euro apart in three rows.
WORKED = [
    # year, income, maladie, IJ, retraite base, RCI, ID, AF, CSG-CRDS, CFP
    (2024, 0, [0, 93, 931, 0, 69, 0, 106, 134]),
    (2024, 20_000, [126, 100, 3550, 1400, 260, 0, 2468, 134]),
    (2024, 40_000, [2168, 200, 7100, 2800, 520, 0, 5121, 134]),
    (2024, 80_000, [5360, 400, 8432, 5971, 603, 2480, 10015, 134]),
    (2025, 0, [0, 94, 955, 0, 70, 0, 0, 137]),
    (2025, 20_000, [127, 94, 2645, 1199, 192, 0, 1435, 137]),
    (2025, 50_000, [1824, 185, 6612, 2997, 481, 0, 3589, 137]),
    (2025, 100_000, [5276, 370, 8610, 6263, 612, 2294, 7178, 137]),
    (2026, 50_000, [1795, 185, 6612, 2997, 481, 0, 3589, 139]),
    (2026, 100_000, [5247, 370, 8775, 6253, 625, 2294, 7178, 139]),
]


@pytest.mark.parametrize(("year", "income", "expected"), WORKED)
def test_worked_examples(year: int, income: int, expected: list[int]) -> None:
    assert amounts(year=year, income=income) == expected


def test_2025_at_50000_line_by_line() -> None:
    # Revenu brut 50 000 €: abatement 26 % = 13 000 € (between 829 and 61 230 €), base 37 000 €.
    s = simulate({"year": 2025, "profession": "artisan", "income": 50_000})
    assert s.abattement == 13_000 and s.assiette_sociale == 37_000
    # 37 000 / 47 100 = 78.56 % of the PASS: maladie rate 4 % + 2.5 % × (78.56 − 60) / 50 = 4.93 %.
    assert s.line("maladie_maternite").rate == Decimal("0.0493")
    assert s.line("maladie_maternite").amount == 1824  # 4.93 % × 37 000 = 1 824.10
    assert s.line("retraite_base").amount == 6612  # 17.87 % × 37 000 = 6 611.90
    assert s.line("retraite_complementaire").amount == 2997  # 8.1 % × 37 000
    assert s.line("csg_crds").amount == 2516 + 1073  # 6.8 % and 2.9 % of 37 000, each rounded


@pytest.mark.parametrize(
    ("year", "ij", "retraite", "invalidite"),
    [(2024, 93, 931, 69), (2025, 94, 955, 70), (2026, 96, 967, 72)],
)
def test_minimum_contributions(year: int, ij: int, retraite: int, invalidite: int) -> None:
    # IJ: 0.5 % × 40 % PASS; retraite de base: 17.75/17.87 % × 450 × SMIC of 1 January; ID: 1.3 % × 11.5 % PASS.
    s = simulate({"year": year, "profession": "commercant", "income": 0})
    assert (s.line("indemnites_journalieres").amount, s.line("retraite_base").amount) == (ij, retraite)
    assert s.line("invalidite_deces").amount == invalidite
    assert s.line("retraite_base").minimum == {2024: 5243, 2025: 5346, 2026: 5409}[year]


def test_2023_follows_the_2023_table_not_the_2024_scale() -> None:
    # URSSAF 2023 table (décret 2022-1529): maladie 0 → 3.65 % (60 % PASS) → 6.35 % (110 %); IJ 0.85 % from 40 %.
    s = simulate({"year": 2023, "profession": "artisan", "income": 40_000})
    # 40 000 / 43 992 = 90.93 % PASS: 3.65 + 2.7 × (90.93 − 60) / 50 = 5.32 %.
    assert s.line("maladie_maternite").rate == Decimal("0.0532")
    assert s.line("indemnites_journalieres").rate == Decimal("0.0085")
    low = simulate({"year": 2023, "profession": "artisan", "income": 10_000})
    assert low.line("indemnites_journalieres").rate == Decimal("0.005")
    assert low.line("indemnites_journalieres").amount == 88  # 0.5 % × 17 597


def test_rsa_beneficiaries_owe_no_minimum_contributions() -> None:
    s = simulate({"year": 2026, "profession": "artisan", "income": 0, "rsa": True})
    assert s.total == s.line("formation_professionnelle").amount


def test_no_retraite_minimum_for_less_than_90_days_of_activity() -> None:
    short = simulate({"year": 2026, "profession": "liberal", "income": 920, "end_date": "2026-01-08"})
    assert short.jours_activite == 8
    assert short.line("retraite_base").minimum is None
    longer = simulate({"year": 2026, "profession": "liberal", "income": 920, "end_date": "2026-03-31"})
    assert longer.jours_activite == 90 and longer.line("retraite_base").minimum == 5409


def test_partial_year_prorates_the_pass_but_not_the_ij_minimum_nor_the_cfp() -> None:
    s = simulate({"year": 2026, "profession": "artisan", "income": 141_300, "end_date": "2026-02-12"})
    assert s.jours_activite == 43
    assert s.pass_proratise == 5662  # 48 060 × 43 / 365 = 5 661.8
    assert s.line("indemnites_journalieres").base == 104_562  # not capped at 5 prorated PASS
    assert s.line("formation_professionnelle").amount == 139  # 0.29 % of the whole PASS
    assert s.abattement == 36_738  # 26 %: the bounds use the annual PASS


def test_flat_rate_base_of_the_first_two_years() -> None:
    first = simulate({"year": 2026, "profession": "commercant", "income": 30_000, "start_date": "2026-01-01"})
    assert first.forfait is not None and first.forfait.assiette_sociale == 9131  # 19 % × 48 060
    assert first.forfait.line("indemnites_journalieres").base == 19_224  # 40 % of the PASS
    second = simulate({"year": 2026, "profession": "commercant", "income": 30_000, "start_date": "2025-07-01"})
    assert second.forfait is not None
    third = simulate({"year": 2026, "profession": "commercant", "income": 30_000, "start_date": "2024-07-01"})
    assert third.forfait is None
    late = simulate({"year": 2024, "profession": "artisan", "income": 1, "start_date": "2024-07-01"})
    assert late.forfait is not None
    assert late.pass_proratise == 23_375  # 46 368 × 184 / 365 = 23 374.55
    assert late.forfait.assiette_sociale == 4441  # 19 % × 23 375 = 4 441.25


def test_acre_before_2026_exempts_fully_under_75_percent_of_the_pass() -> None:
    s = simulate({"year": 2025, "profession": "artisan", "income": 20_000, "start_date": "2025-03-01", "acre": True})
    assert s.acre_fraction == 1
    for key in ("maladie_maternite", "indemnites_journalieres", "retraite_base", "invalidite_deces"):
        assert s.line(key).amount == 0, key
    assert s.line("retraite_complementaire").amount > 0  # RCI is not exempted


def test_acre_from_2026_is_capped_at_25_percent() -> None:
    without = simulate({"year": 2026, "profession": "artisan", "income": 20_000, "start_date": "2026-03-01"})
    s = simulate({"year": 2026, "profession": "artisan", "income": 20_000, "start_date": "2026-03-01", "acre": True})
    gross = without.line("retraite_base").amount
    assert s.line("retraite_base").amount == (gross * Decimal("0.75")).quantize(Decimal(1))


def test_acre_is_split_between_the_two_civil_years() -> None:
    # Created 1 October 2024: 365 − 92 = 273 days of the 12 months fall in 2025.
    s = simulate({"year": 2025, "profession": "artisan", "income": 10_000, "start_date": "2024-10-01", "acre": True})
    assert s.acre_fraction == Decimal(273) / Decimal(365)


@pytest.mark.parametrize(
    ("situation", "line", "expected"),
    [
        # exactly 0.5 % × 34 439 × (1 − 3 × 11 113 / 34 439) = 5.50 € → 6 €
        ({"year": 2025, "income": 46539.17, "start_date": "2025-01-13"}, "indemnites_journalieres", 6),
        # exactly 1 000.72 × (1 − 0.25 × 147 / 343) = 893.50 € → 894 €
        (
            {"year": 2026, "income": 7568.31, "start_date": "2025-05-28", "end_date": "2026-12-09"},
            "retraite_base",
            894,
        ),
        (
            {"year": 2025, "income": 50648.85, "start_date": "2024-02-22", "end_date": "2025-11-19", "rsa": True},
            "maladie_maternite",
            1966,
        ),
    ],
)
def test_acre_amounts_on_an_exact_half_euro_round_up(situation: dict[str, Any], line: str, expected: int) -> None:
    s = simulate({"profession": "artisan", "acre": True, **situation})
    assert s.line(line).amount == expected


def test_numpy_numbers_are_numbers() -> None:
    import numpy as np

    s = simulate({"year": np.int64(2025), "profession": "artisan", "income": np.float64(1234.5)})
    assert s.income == Decimal("1234.5")


def test_deficit_is_a_nil_income() -> None:
    deficit = simulate({"year": 2025, "profession": "artisan", "income": -12_000})
    nil = simulate({"year": 2025, "profession": "artisan", "income": 0})
    assert deficit.total == nil.total and "deficit_as_zero" in deficit.notes


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"year": 2025, "profession": "boulanger", "income": 1}, "profession"),
        ({"year": 2031, "profession": "artisan", "income": 1}, "year"),
        ({"year": 2022, "profession": "artisan", "income": 1}, "year"),
        ({"year": 2025, "profession": "artisan", "income": "beaucoup"}, "income"),
        ({"year": 2025, "profession": "artisan", "income": 1e12}, "income"),
        ({"year": 2025, "profession": "artisan", "income": float("nan")}, "income"),
        ({"year": 2025, "profession": "artisan", "income": 1, "start_date": "2025-02-30"}, "start_date"),
        ({"year": 2025, "profession": "artisan", "income": 1, "end_date": "2026-01-05"}, "end_date"),
        (
            {"year": 2025, "profession": "artisan", "income": 1, "start_date": "2025-05-01", "end_date": "2025-04-01"},
            "end_date",
        ),
        ({"year": 2025, "profession": "artisan", "income": 1, "start_date": "2026-01-01"}, "start_date"),
        ({"year": 2025, "profession": "artisan", "income": 1, "acre": True}, "acre"),
        ({"year": 2025, "profession": "artisan"}, "income"),
        ({"year": 2025, "profession": "artisan", "income": 1, "color": "blue"}, "color"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as error:
        simulate(data)
    assert error.value.field == field
    assert "\n" not in str(error.value)


situations = st.fixed_dictionaries(
    {
        "year": st.sampled_from([2023, 2024, 2025, 2026]),
        "profession": st.sampled_from(["artisan", "commercant", "liberal"]),
        "income": st.integers(-50_000, 1_500_000),
        "rsa": st.booleans(),
    }
)


@settings(max_examples=300, deadline=None)
@given(situations)
def test_total_is_the_sum_of_whole_euro_lines(data: dict[str, Any]) -> None:
    s = simulate(data)
    assert [line.key for line in s.lines] == list(ORDER)
    assert all(line.amount >= 0 and line.amount == int(line.amount) for line in s.lines)
    assert s.total == sum(line.amount for line in s.lines)


@settings(max_examples=300, deadline=None)
@given(situations, st.integers(1, 30_000))
def test_every_contribution_is_non_decreasing_in_income(data: dict[str, Any], raise_by: int) -> None:
    # Without ACRE every base and every rate grows with the income (D621-2, D613-1 are increasing scales).
    low = simulate(data)
    high = simulate({**data, "income": data["income"] + raise_by})
    for before, after in zip(low.lines, high.lines, strict=True):
        assert after.amount >= before.amount, before.key


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([2023, 2024, 2025, 2026]),
    st.sampled_from(["artisan", "commercant", "liberal"]),
    st.integers(0, 600_000),
)
def test_net_income_is_reproduced_to_the_euro(year: int, profession: str, net: int) -> None:
    s = simulate({"year": year, "profession": profession, "income": net, "income_is_net": True})
    if "net_below_minimum_contributions" in s.notes:
        assert s.income == 0
        return
    if s.regime == "revenu_brut_abattu":
        kept = s.income - s.total
    else:
        kept = s.income - s.line("csg_crds").tranches[1].amount.quantize(Decimal(1), rounding="ROUND_HALF_UP")
    assert kept == net


def test_dates_are_dates() -> None:
    s = simulate({"year": 2026, "profession": "artisan", "income": 1, "start_date": date(2026, 2, 1)})
    assert s.jours_activite == 334
