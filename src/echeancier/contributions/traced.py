"""The scalar explanation of `simulate`, run once for many rows that take the same path (`simulate --jsonl`).

The explanation of a simulation (each `Line`, `Simulation.to_dict`, the flat-rate contributions of the first
years) is written once, for one situation, in the rule modules (`explain`), `contributions.lines`,
`contributions.engine` and `contributions.result`. To explain thousands of rows at the speed of the batch path
without writing it a second time, that same code is run on **traced columns**: a `Column` holds the values of one
integer for every row of a group and behaves like a Python int — arithmetic gives another column, computed with
NumPy for all rows at once. Whenever the code branches on a column (`if t.tranche_2:`, `min(a, b)`, `x if c else
y`, an index into a table), the branch of the first row of the group (the probe) is taken and the rows that would
branch the same way are kept (`Trace.keep`); a run therefore explains exactly the rows that follow the probe's
path, and the others are run again with their own probe. A comparison gives a column of truth values, so the
path splits only where the code branches on it; `TRACED` (the `Ops` of the rules for columns) computes `minimum`,
`maximum`, `where` and `take` on every row at once, for the computations the explanation runs itself (the
flat-rate block, the rights). The integers converted for display
(`contributions.result.decimal`) become `Ratio`s, which the template of the path (`contributions.jsonl`) writes
row by row exactly as `json.dumps` writes the `Decimal` the scalar path builds.

Exactness: the operations are those of Python ints on int64 arrays, switched to Python-int object arrays when a
bound of the result (propagated from the bounds of the operands) could leave int64, so nothing wraps; floor
division, comparisons and conversions are the same on both.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from echeancier.contributions.exact import Ops, Scalar

_SAFE = 1 << 62  # a result bounded below this fits in int64


class Trace:
    """The rows still on the path of the probe (the first row of `rows`), among the rows of a group."""

    __slots__ = ("keep", "probe")

    def __init__(self, rows: npt.NDArray[np.bool_]) -> None:
        self.keep = rows.copy()
        self.probe = int(np.argmax(rows))

    def branch(self, condition: Any) -> bool:
        """The probe's outcome of `condition`; the rows with another outcome leave the path."""
        outcome = bool(condition[self.probe])
        if outcome:
            self.keep &= condition
        else:
            self.keep &= ~np.asarray(condition, dtype=np.bool_)
        return outcome


class Tracer:
    """The trace the columns of a group branch on now (one group of rows is explained by several runs)."""

    __slots__ = ("current",)

    def __init__(self, rows: npt.NDArray[np.bool_]) -> None:
        self.current = Trace(rows)

    def follow(self, rows: npt.NDArray[np.bool_]) -> Trace:
        self.current = Trace(rows)
        return self.current

    def column(self, values: Any) -> Any:
        """`values` as a column of this group if it is an array (a constant stays a constant)."""
        if isinstance(values, np.ndarray):
            bound = int(np.abs(values).max()) if values.size and values.dtype != object else _SAFE
            return Column(values, self, bound)
        return values


def _bound(x: Any) -> int:
    return x.bound if isinstance(x, Column) else abs(int(x))


def _objects(values: Any) -> Any:
    if isinstance(values, np.ndarray):
        return values if values.dtype == object else values.astype(object)
    return int(values)


def _value(x: Any) -> Any:
    if isinstance(x, Column):
        return x.values
    if isinstance(x, bool | int | np.integer | np.bool_):
        return x
    return NotImplemented


class Column:
    """An integer (or a truth value) for every row of a group, used where the scalar code expects an int.

    `bound` bounds its absolute value (propagated through the operations, so that no row is read to know that a
    result fits in int64); beyond 2^61 the values become Python ints in an object array, which cannot overflow.
    """

    __slots__ = ("bound", "tracer", "values")

    def __init__(self, values: Any, tracer: Tracer, bound: int) -> None:
        self.values = values
        self.tracer = tracer
        self.bound = bound

    def _binary(self, other: Any, op: Any, bound: int, reflected: bool = False) -> Any:
        value = _value(other)
        if value is NotImplemented:
            return NotImplemented
        a, b = (value, self.values) if reflected else (self.values, value)
        if bound >= _SAFE:
            a, b = _objects(a), _objects(b)
        return Column(op(a, b), self.tracer, bound)

    def __add__(self, other: Any) -> Any:
        return self._binary(other, np.add, self.bound + _bound(other))

    def __radd__(self, other: Any) -> Any:
        return self._binary(other, np.add, self.bound + _bound(other), reflected=True)

    def __sub__(self, other: Any) -> Any:
        return self._binary(other, np.subtract, self.bound + _bound(other))

    def __rsub__(self, other: Any) -> Any:
        return self._binary(other, np.subtract, self.bound + _bound(other), reflected=True)

    def __mul__(self, other: Any) -> Any:
        return self._binary(other, np.multiply, self.bound * _bound(other))

    def __rmul__(self, other: Any) -> Any:
        return self._binary(other, np.multiply, self.bound * _bound(other), reflected=True)

    def __floordiv__(self, other: Any) -> Any:
        return self._binary(other, _floordiv, self.bound)  # |a // b| ≤ |a| for a whole b ≠ 0 (0 for b = 0)

    def __rfloordiv__(self, other: Any) -> Any:
        return self._binary(other, _floordiv, _bound(other), reflected=True)

    def __mod__(self, other: Any) -> Any:
        return self._binary(other, _mod, _bound(other))

    def __neg__(self) -> Column:
        return Column(-self.values, self.tracer, self.bound)

    def __and__(self, other: Any) -> Any:
        return self._binary(other, np.logical_and, 1)

    __rand__ = __and__

    def __or__(self, other: Any) -> Any:
        return self._binary(other, np.logical_or, 1)

    __ror__ = __or__

    def _compare(self, other: Any, op: Any) -> Any:
        value = _value(other)
        if value is NotImplemented:
            return NotImplemented
        # A column of truth values: the path splits only where the code branches on it (`__bool__`), so that a
        # comparison feeding `where` or `&` (a rule computed by the explanation) splits nothing.
        return Column(op(self.values, value), self.tracer, 1)

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, np.greater_equal)

    def __eq__(self, other: object) -> Any:
        return self._compare(other, np.equal)

    def __ne__(self, other: object) -> Any:
        return self._compare(other, np.not_equal)

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        return self.tracer.current.branch(self.values != 0)

    def __index__(self) -> int:
        """An index into a table of the law: the probe's value, for the rows that have the same."""
        trace = self.tracer.current
        probe = int(self.values[trace.probe])
        trace.branch(self.values == probe)
        return probe

    __int__ = __index__


def _floordiv(a: Any, b: Any) -> Any:
    if isinstance(b, np.ndarray) and b.dtype == object:
        b = np.where(b == 0, 1, b)  # a zero divisor only on rows that leave the path
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.floor_divide(a, b)


def _mod(a: Any, b: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.remainder(a, b)


class Ratio:
    """n / per for every row, where the scalar code builds `Decimal(n) / Decimal(per)` for display."""

    __slots__ = ("n", "per")

    def __init__(self, n: Any, per: Any) -> None:
        self.n, self.per = n, per

    def __bool__(self) -> bool:
        return bool(self.n != 0)

    def _compare(self, other: Any, op: Any) -> Any:
        """Compared exactly with a constant: n / per ? p / q ⇔ n × q ? p × per (per > 0)."""
        if not isinstance(other, Decimal | int):
            return NotImplemented
        p, q = Decimal(other).as_integer_ratio()
        return op(self.n * q, p * self.per)

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a >= b)

    __hash__ = None  # type: ignore[assignment]


def ratio(n: Any, per: Any) -> Any:
    """`contributions.result.decimal` for traced columns (`Decimal(n) / Decimal(per)` row by row)."""
    if not isinstance(n, Column) and not isinstance(per, Column):  # other integers (NumPy's): the scalar way
        return Decimal(int(n)) if int(per) == 1 else Decimal(int(n)) / Decimal(int(per))
    return Ratio(n, per)


def _tracer(*values: Any) -> Tracer | None:
    for value in values:
        if isinstance(value, Column):
            return value.tracer
    return None


class _Traced(Scalar):
    """The helpers of the rules (`contributions.exact.Ops`) for traced columns: `minimum`, `maximum`, `where`,
    `not_` and `take` are computed for every row at once (as `VECTOR` does), so that a computation run by the
    explanation itself (the flat-rate block of the first years, the rights) does not split the rows into paths
    at each of them; the explanation branches only where its own code does. The rest is the scalar helpers'."""

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        tracer = _tracer(a, b)
        if tracer is None:
            return Scalar.minimum(a, b)
        return Column(np.minimum(_value(a), _value(b)), tracer, max(_bound(a), _bound(b)))

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        tracer = _tracer(a, b)
        if tracer is None:
            return Scalar.maximum(a, b)
        return Column(np.maximum(_value(a), _value(b)), tracer, max(_bound(a), _bound(b)))

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        tracer = _tracer(condition, a, b)
        if tracer is None or not isinstance(condition, Column):
            return Scalar.where(condition, a, b)
        values = np.where(condition.values, _value(a), _value(b))
        if isinstance(a, bool) and isinstance(b, bool):
            return Column(values, tracer, 1)
        return Column(values, tracer, max(_bound(a), _bound(b)))

    @staticmethod
    def not_(condition: Any) -> Any:
        if isinstance(condition, Column):
            return Column(~np.asarray(condition.values, dtype=np.bool_), condition.tracer, 1)
        return Scalar.not_(condition)

    @staticmethod
    def take(table: Any, index: Any) -> Any:
        if isinstance(index, Column) and all(type(x) is int and abs(x) < _SAFE for x in table):
            values = np.asarray(table, dtype=np.int64)[index.values]
            return Column(values, index.tracer, max((abs(x) for x in table), default=0))
        return Scalar.take(table, index)


TRACED: Ops = _Traced()
