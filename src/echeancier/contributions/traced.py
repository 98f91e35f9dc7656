"""The scalar explanation of `simulate`, run once for many rows that take the same path (`simulate --jsonl`).

The explanation of a simulation (each `Line`, `Simulation.to_dict`, the flat-rate contributions of the first
years) is written once, for one situation, in the rule modules (`explain`), `contributions.lines`,
`contributions.engine` and `contributions.result`. To explain thousands of rows at the speed of the batch path
without writing it a second time, that same code is run on **traced columns**: a `Column` holds the values of one
integer for every row of a group and behaves like a Python int — arithmetic gives another column, computed with
NumPy for all rows at once. Whenever the code branches on a column (`if t.tranche_2:`, `min(a, b)`, `x if c else
y`, an index into a table), the branch of the first row of the group (the probe) is taken and the rows that would
branch the same way are kept (`Trace.keep`); a run therefore explains exactly the rows that follow the probe's
path, and the others are run again with their own probe. The integers converted for display
(`contributions.result.decimal`) become `Ratio`s, which the template of the path (`contributions.jsonl`) writes
row by row exactly as `json.dumps` writes the `Decimal` the scalar path builds.

Exactness: the operations are those of Python ints on int64 arrays, switched to Python-int object arrays when a
product or a sum could leave int64 (so nothing wraps); floor division, comparisons and conversions are the same.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

_SAFE = 1 << 61  # operands below this in absolute value cannot overflow int64 in a sum; products are checked


class Trace:
    """The rows of a group still on the probe's path (the probe is row 0)."""

    __slots__ = ("keep",)

    def __init__(self, rows: int) -> None:
        self.keep = np.ones(rows, dtype=np.bool_)

    def branch(self, condition: npt.NDArray[Any]) -> bool:
        """The probe's outcome of `condition`; the rows with another outcome leave the path."""
        condition = np.asarray(condition, dtype=np.bool_)
        outcome = bool(condition[0])
        if outcome:
            self.keep &= condition
        else:
            self.keep &= ~condition
        return outcome


def _bound(values: Any) -> int:
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            return _SAFE
        return int(np.abs(values).max()) if values.size else 0
    return abs(int(values))


def _exact(a: Any, b: Any, product: bool) -> tuple[Any, Any]:
    """The operands as Python-int object arrays when the result could leave int64."""
    limit = _bound(a) * _bound(b) if product else max(_bound(a), _bound(b))
    if limit < _SAFE:
        return a, b
    return _objects(a), _objects(b)


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
    """An integer (or a truth value) for every row of a group, used where the scalar code expects an int."""

    __slots__ = ("trace", "values")

    def __init__(self, values: Any, trace: Trace) -> None:
        self.values = values
        self.trace = trace

    def _new(self, values: Any) -> Column:
        return Column(values, self.trace)

    def _binary(self, other: Any, op: Any, product: bool = False, reflected: bool = False) -> Any:
        value = _value(other)
        if value is NotImplemented:
            return NotImplemented
        a, b = (value, self.values) if reflected else (self.values, value)
        a, b = _exact(a, b, product)
        return self._new(op(a, b))

    def __add__(self, other: Any) -> Any:
        return self._binary(other, np.add)

    def __radd__(self, other: Any) -> Any:
        return self._binary(other, np.add, reflected=True)

    def __sub__(self, other: Any) -> Any:
        return self._binary(other, np.subtract)

    def __rsub__(self, other: Any) -> Any:
        return self._binary(other, np.subtract, reflected=True)

    def __mul__(self, other: Any) -> Any:
        return self._binary(other, np.multiply, product=True)

    def __rmul__(self, other: Any) -> Any:
        return self._binary(other, np.multiply, product=True, reflected=True)

    def __floordiv__(self, other: Any) -> Any:
        return self._binary(other, _floordiv)

    def __rfloordiv__(self, other: Any) -> Any:
        return self._binary(other, _floordiv, reflected=True)

    def __mod__(self, other: Any) -> Any:
        return self._binary(other, _mod)

    def __neg__(self) -> Column:
        return self._new(-self.values)

    def __and__(self, other: Any) -> Any:
        return self._binary(other, np.logical_and)

    __rand__ = __and__

    def __or__(self, other: Any) -> Any:
        return self._binary(other, np.logical_or)

    __ror__ = __or__

    def _compare(self, other: Any, op: Any) -> Any:
        value = _value(other)
        if value is NotImplemented:
            return NotImplemented
        return self.trace.branch(op(self.values, value))

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
        return self.trace.branch(self.values != 0)

    def __index__(self) -> int:
        """An index into a table of the law: the probe's value, for the rows that have the same."""
        probe = int(self.values[0])
        self.trace.branch(self.values == probe)
        return probe

    __int__ = __index__

    def rows(self, keep: npt.NDArray[np.bool_]) -> Any:
        return self.values[keep]


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

    __slots__ = ("n", "per", "trace")

    def __init__(self, n: Any, per: Any, trace: Trace) -> None:
        self.n, self.per, self.trace = n, per, trace

    def __bool__(self) -> bool:
        return bool(self.n != 0)

    def _compare(self, other: Any, op: Any) -> Any:
        """Compared exactly with a constant: n / per ? p / q ⇔ n × q ? p × per (per > 0)."""
        if not isinstance(other, Decimal | int):
            return NotImplemented
        p, q = Decimal(other).as_integer_ratio()
        left, right = self.n * q, p * self.per
        if isinstance(left, Column) or isinstance(right, Column):
            return op(left, right)
        return op(left, right)

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
    trace = n.trace if isinstance(n, Column) else per.trace if isinstance(per, Column) else None
    if trace is None:  # integers of another type (NumPy scalars): the scalar conversion
        return Decimal(int(n)) if int(per) == 1 else Decimal(int(n)) / Decimal(int(per))
    return Ratio(n, per, trace)
