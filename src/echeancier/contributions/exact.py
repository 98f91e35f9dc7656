"""The few helpers the contribution rules are written with, for one situation and for many.

Every rule of `echeancier.contributions` is written once, over integers: bases in cents, rates in millionths
(`RATE`), multiples of the PASS in ten-thousandths (`FRAC`), so that an amount before rounding (a base times a
rate) is an integer number of 1e-8 € (`EURO` per euro). A rule receives an `Ops` and its values are either Python
ints (one situation, `SCALAR`: the engine `simulate`, which also builds the explanation from them) or NumPy int64
arrays (many rows of one income year, `contributions.vectorized.VECTOR`: `simulate_many`). Arithmetic (`+ - * //`)
and comparisons read the same on both; the rest goes through the `Ops`:

- `minimum`, `maximum`, `where` (both branches are evaluated: they must be valid on every row), `not_`;
- `take(table, index)`: a value of a small table of the law by row;
- `mul_div_half_up(a, b, d)`: a × b / d rounded half up exactly, though a × b may not fit in int64;
- `select(condition)`, `gather(values, rows)`, `scatter(into, rows, values)`: the rows with an ACRE exemption
  (all or nothing for one situation, an index array for many), so that the batch computes it on those rows only.

`half_up(n, d)` is the same expression on both. Every rounding of the law is an exact integer division rounded
half up (URSSAF practice, `kernel.money`): there is no decimal or binary floating-point value in a rule, so one
situation and a batch cannot differ, and neither depends on a precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeAlias

Ints: TypeAlias = Any  # a Python int (one situation) or a NumPy int64 array (many rows)
Bools: TypeAlias = Any  # a Python bool or a NumPy bool array

RATE = 10**6  # rates in millionths
FRAC = 10**4  # multiples of the PASS in ten-thousandths
EURO = 100 * RATE  # an amount (cents × millionths) per euro


def half_up(numerator: Ints, denominator: Ints) -> Ints:
    """numerator / denominator rounded half up, exactly, for numerator ≥ 0 and denominator > 0 (every rounded value
    of the rules is non-negative, where half up and half away from zero agree)."""
    if type(denominator) is int and denominator % 2 == 0:
        return (numerator + denominator // 2) // denominator
    return (2 * numerator + denominator) // (2 * denominator)


class Ops(Protocol):
    """What a rule needs beyond arithmetic and comparisons (see the module docstring)."""

    def minimum(self, a: Ints, b: Ints) -> Ints: ...

    def maximum(self, a: Ints, b: Ints) -> Ints: ...

    def where(self, condition: Bools, a: Ints, b: Ints) -> Ints: ...

    def not_(self, condition: Bools) -> Bools: ...

    def take(self, table: Sequence[int], index: Ints) -> Ints: ...

    def mul_div_half_up(self, a: Ints, b: Ints, d: Ints) -> Ints: ...

    def select(self, condition: Bools) -> Any | None: ...

    def gather(self, values: Ints, rows: Any) -> Ints: ...

    def scatter(self, into: Ints, rows: Any, values: Ints) -> Ints: ...


class Scalar:
    """The helpers on Python ints: one situation (exact by construction, Python integers being unbounded)."""

    @staticmethod
    def minimum(a: int, b: int) -> int:
        return a if a <= b else b

    @staticmethod
    def maximum(a: int, b: int) -> int:
        return a if a >= b else b

    @staticmethod
    def where(condition: bool, a: int, b: int) -> int:
        return a if condition else b

    @staticmethod
    def not_(condition: bool) -> bool:
        return not condition

    @staticmethod
    def take(table: Sequence[int], index: int) -> int:
        return table[index]

    @staticmethod
    def mul_div_half_up(a: int, b: int, d: int) -> int:
        return half_up(a * b, d)  # type: ignore[no-any-return]

    @staticmethod
    def select(condition: bool) -> Any | None:
        return True if condition else None

    @staticmethod
    def gather(values: int, rows: Any) -> int:
        return values  # one situation: the exemption applies to it or the rule does not ask

    @staticmethod
    def scatter(into: int, rows: Any, values: int) -> int:
        return values


SCALAR: Ops = Scalar()
