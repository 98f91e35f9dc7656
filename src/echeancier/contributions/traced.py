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
    """The rows still on the path of the probe (the first row of `rows`), among the rows of a group.

    `rows` holds their indices in the group (ascending): the columns computed on this path hold values for those
    rows only, so that an operation costs what the rows left on the path need, not the whole group."""

    __slots__ = ("_keep", "probe", "rows", "size")

    def __init__(self, rows: npt.NDArray[np.bool_]) -> None:
        self.rows: npt.NDArray[np.intp] = np.flatnonzero(rows)
        self.size = len(rows)
        self.probe = int(self.rows[0])
        self._keep: npt.NDArray[np.bool_] | None = None

    @property
    def keep(self) -> npt.NDArray[np.bool_]:
        """The rows on the path, as a mask over the group."""
        if self._keep is None:
            keep = np.zeros(self.size, dtype=np.bool_)
            keep[self.rows] = True
            self._keep = keep
        return self._keep

    def branch(self, condition: Any) -> bool:
        """The probe's outcome of `condition` (values on `rows`); the rows with another outcome leave the path."""
        condition = np.asarray(condition, dtype=np.bool_)
        outcome = bool(condition[0])  # the probe is the first row of the path
        if not (condition.all() if outcome else not condition.any()):
            self.rows = self.rows[condition if outcome else ~condition]
            self._keep = None
        return outcome


class Tracer:
    """The trace the columns of a group branch on now (one group of rows is explained by several runs)."""

    __slots__ = ("current", "everyone")

    def __init__(self, rows: npt.NDArray[np.bool_]) -> None:
        self.current = Trace(rows)
        self.everyone = self.current.rows

    def follow(self, rows: npt.NDArray[np.bool_]) -> Trace:
        self.current = Trace(rows)
        return self.current

    def column(self, values: Any) -> Any:
        """`values` (one for each row of the group) as a column of this group if it is an array (a constant
        stays a constant)."""
        if isinstance(values, np.ndarray):
            bound = int(np.abs(values).max()) if values.size and values.dtype != object else _SAFE
            return Column(values, self, bound, self.everyone)
        return values


def _bound(x: Any) -> int:
    return x.bound if isinstance(x, Column) else abs(int(x))


def _objects(values: Any) -> Any:
    if isinstance(values, np.ndarray):
        return values if values.dtype == object else values.astype(object)
    return int(values)


def _value(x: Any, rows: npt.NDArray[np.intp]) -> Any:
    if isinstance(x, Column):
        return x.on(rows)
    if isinstance(x, bool | int | np.integer | np.bool_):
        return x
    return NotImplemented


class Column:
    """An integer (or a truth value) for every row of a group, used where the scalar code expects an int.

    `bound` bounds its absolute value (propagated through the operations, so that no row is read to know that a
    result fits in int64); beyond 2^61 the values become Python ints in an object array, which cannot overflow.
    """

    __slots__ = ("_last", "bound", "rows", "tracer", "values")

    def __init__(self, values: Any, tracer: Tracer, bound: int, rows: npt.NDArray[np.intp]) -> None:
        self.values = values  # one for each row of `rows` (indices in the group, ascending)
        self.tracer = tracer
        self.bound = bound
        self.rows = rows
        self._last: tuple[Any, Any] | None = None

    def on(self, rows: npt.NDArray[np.intp]) -> Any:
        """The values of `rows` (indices in the group, ascending, all among this column's own rows)."""
        if rows is self.rows:
            return self.values
        last = self._last
        if last is not None and last[0] is rows:
            return last[1]
        if self.rows is self.tracer.everyone:
            values = self.values[rows]
        else:
            at = np.searchsorted(self.rows, rows)
            if at.size and (at[-1] >= len(self.rows) or not np.array_equal(self.rows[at], rows)):
                raise AssertionError("a traced column read on rows it was not computed for")
            values = self.values[at]
        self._last = (rows, values)
        return values

    def _binary(self, other: Any, op: Any, bound: int, reflected: bool = False) -> Any:
        rows = self.tracer.current.rows
        value = _value(other, rows)
        if value is NotImplemented:
            return NotImplemented
        mine = self.on(rows)
        a, b = (value, mine) if reflected else (mine, value)
        if bound >= _SAFE:
            a, b = _objects(a), _objects(b)
        return Column(op(a, b), self.tracer, bound, rows)

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
        rows = self.tracer.current.rows
        return Column(-self.on(rows), self.tracer, self.bound, rows)

    def __and__(self, other: Any) -> Any:
        return self._binary(other, np.logical_and, 1)

    __rand__ = __and__

    def __or__(self, other: Any) -> Any:
        return self._binary(other, np.logical_or, 1)

    __ror__ = __or__

    def _compare(self, other: Any, op: Any) -> Any:
        rows = self.tracer.current.rows
        value = _value(other, rows)
        if value is NotImplemented:
            return NotImplemented
        # A column of truth values: the path splits only where the code branches on it (`__bool__`), so that a
        # comparison feeding `where` or `&` (a rule computed by the explanation) splits nothing.
        return Column(op(self.on(rows), value), self.tracer, 1, rows)

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
        trace = self.tracer.current
        return trace.branch(self.on(trace.rows) != 0)

    def __index__(self) -> int:
        """An index into a table of the law: the probe's value, for the rows that have the same."""
        trace = self.tracer.current
        values = self.on(trace.rows)
        probe = int(values[0])
        trace.branch(values == probe)
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
        rows = tracer.current.rows
        return Column(np.minimum(_value(a, rows), _value(b, rows)), tracer, max(_bound(a), _bound(b)), rows)

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        tracer = _tracer(a, b)
        if tracer is None:
            return Scalar.maximum(a, b)
        rows = tracer.current.rows
        return Column(np.maximum(_value(a, rows), _value(b, rows)), tracer, max(_bound(a), _bound(b)), rows)

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        tracer = _tracer(condition, a, b)
        if tracer is None or not isinstance(condition, Column):
            return Scalar.where(condition, a, b)
        rows = tracer.current.rows
        values = np.where(condition.on(rows), _value(a, rows), _value(b, rows))
        if isinstance(a, bool) and isinstance(b, bool):
            return Column(values, tracer, 1, rows)
        return Column(values, tracer, max(_bound(a), _bound(b)), rows)

    @staticmethod
    def not_(condition: Any) -> Any:
        if isinstance(condition, Column):
            rows = condition.tracer.current.rows
            return Column(~np.asarray(condition.on(rows), dtype=np.bool_), condition.tracer, 1, rows)
        return Scalar.not_(condition)

    @staticmethod
    def take(table: Any, index: Any) -> Any:
        if isinstance(index, Column) and all(type(x) is int and abs(x) < _SAFE for x in table):
            rows = index.tracer.current.rows
            values = np.asarray(table, dtype=np.int64)[index.on(rows)]
            return Column(values, index.tracer, max((abs(x) for x in table), default=0), rows)
        return Scalar.take(table, index)


TRACED: Ops = _Traced()
