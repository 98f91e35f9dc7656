"""The penalty of a late declaration (CSS R613-1-1 III, R613-1-2 II al. 3) is one text over integer cents
(`schedule.rules.late_penalty`): the replay's `declarations.penalty` evaluates it on Python ints, the campaign's
arrays (`schedule.vectorized`) on int64 arrays; both are the rate of the contributions rounded to the cent half up.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.contributions.exact import SCALAR
from echeancier.contributions.vectorized import VECTOR
from echeancier.schedule import declarations
from echeancier.schedule.rules import late_penalty
from tests.test_one_text import law_with

BASES = st.integers(-(10**9), 10**12)  # the contributions of a year in cents (a credit counts as nil)
RATES = st.integers(0, 10**4).map(lambda n: Decimal(n).scaleb(-4))  # a rate of up to four decimals


def reference(base: int, rate: Decimal) -> int:
    """rate × max(base, 0) cents, rounded to the cent half up, in decimal arithmetic."""
    return int((max(base, 0) * rate).to_integral_value(rounding=ROUND_HALF_UP))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    bases=st.lists(BASES, min_size=1, max_size=20), late=st.lists(st.booleans(), min_size=20, max_size=20), rate=RATES
)
def test_python_ints_and_arrays_give_the_rate_of_the_contributions_rounded_half_up(
    bases: list[int], late: list[bool], rate: Decimal
) -> None:
    late = late[: len(bases)]
    num, den = rate.as_integer_ratio()
    on_arrays = late_penalty(VECTOR, np.array(late), np.array(bases, dtype=np.int64), num, den).tolist()
    one_by_one = [late_penalty(SCALAR, flag, base, num, den) for flag, base in zip(late, bases, strict=True)]
    assert on_arrays == one_by_one == [reference(b, rate) if flag else 0 for b, flag in zip(bases, late, strict=True)]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(base=BASES, fiscal=st.booleans())
def test_the_replay_s_penalty_is_that_text(base: int, fiscal: bool) -> None:
    limit = declarations.deadline(2024)
    assert limit is not None
    contributions = Decimal(base) / 100
    found = declarations.penalty(2024, limit + timedelta(days=1), contributions, fiscal)
    assert found is not None
    assert found.rate == (Decimal("0.10") if fiscal else Decimal("0.05"))
    assert found.amount == Decimal(reference(base, found.rate)) / 100
    assert found.base == max(contributions, Decimal(0))
    assert declarations.penalty(2024, limit, contributions, fiscal) is None  # filed on the deadline: none


def test_worked_by_hand() -> None:
    # 5 % of 8 312,10 € = 415,605 € → 415,61 €; 10 % of 0,05 € = 0,005 € → 0,01 €; a credit bears nothing.
    limit = declarations.deadline(2024)
    assert limit is not None
    late = limit + timedelta(days=1)
    assert declarations.penalty(2024, late, Decimal("8312.10"), False).amount == Decimal("415.61")  # type: ignore[union-attr]
    assert declarations.penalty(2024, late, Decimal("0.05"), True).amount == Decimal("0.01")  # type: ignore[union-attr]
    assert declarations.penalty(2024, late, Decimal("-100"), False).amount == 0  # type: ignore[union-attr]


def test_the_rate_is_read_from_the_law_passed_in(tmp_path: Path) -> None:
    law = law_with(
        tmp_path, "declaration", "2023-01-01: {value: 0.05, reference:", "2023-01-01: {value: 0.07, reference:"
    )
    limit = declarations.deadline(2024, law)
    assert limit is not None and limit > date(2025, 1, 1)
    found = declarations.penalty(2024, limit + timedelta(days=1), Decimal("1000.10"), False, law)
    assert found is not None and (found.rate, found.amount) == (Decimal("0.07"), Decimal("70.01"))
