"""The vectorised path: every contribution of many situations at once, equal to `simulate` to the euro (DESIGN §3).

`simulate_many(columns)` takes the situation fields of DESIGN §4 as columns — a mapping of field names to NumPy
arrays or lists, a Polars DataFrame or a PyArrow Table — and returns one whole-euro int64 column per contribution,
named like the lines of the scalar engine, plus `total` (and `id`, echoed, when given): a dict of NumPy arrays for
a mapping, a Polars DataFrame for a Polars input, a PyArrow Table for a PyArrow input.

The rules are not written here: they are those of the engine `simulate` (`contributions.year` and one module per
contribution), written once over integers (`contributions.exact`) and evaluated here on NumPy int64 arrays
(`VECTOR`), the engine evaluating them on Python ints. The law figures are the exact integer form
(`LawSnapshot.exact`) of the snapshot of each income year of the batch, taken from the `law` passed in (by default
the law shipped with the package). The batch is cut into blocks of `CHUNK` rows (so that the intermediate arrays
stay in the processor's cache), computed by `WORKERS` threads (NumPy releases the GIL in its loops); within a
block, the rows of each income year are computed together on whole arrays. On its first call in a process it asks
glibc to keep freed memory for the next arrays rather than give it back to the system (`_keep_freed_memory`, a
process-wide setting, see there and docs/one-text-of-the-law.md).

Exactness — why every row equals `simulate` to the euro: both evaluate the same integer expressions, with no
decimal or binary floating-point rounding anywhere. Python ints are unbounded; on int64 every value stays far
below 2^63: incomes are at most 10^8 € (`MAX_INCOME`), so a base is at most 10^10 cents and, the loader keeping
rates within [0, 1], an amount is at most 10^16 units of 1e-8 €. The one product that can exceed int64 (the ACRE
share of a proportional contribution, 1e-8 € × a fraction whose denominator reaches 10^10) goes through
`_mul_div_half_up`, exact by a modular argument given there, within bounds the snapshot checks for each year.
Incomes are counted in whole cents, rounded half up, by both. The rows of incomes given net of contributions
(`income_is_net`) are solved by the engine's search, one by one.

Invalid input raises `RowInputError` (an `InputError`) naming the first invalid row (0-based) and the field, with
the same rules and messages as a single `Situation`: unknown profession, year outside the law parameters, income
not a number or beyond `MAX_INCOME`, start after the year, end outside the year or before the start, ACRE without
a start date, an unknown column, columns of different lengths. A null in an optional column means "not given"
(no date, false); a null in `year`, `profession` or `income` is an error.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from echeancier.contributions import conjoint_collaborateur, csg_crds, formation_professionnelle, pamc
from echeancier.contributions.assiettes import income_cents
from echeancier.contributions.debut_outre_mer import OverseasFigures, exemptions, factors, limit, overseas_figures
from echeancier.contributions.exact import EURO, Ops, half_up
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.contributions.situation import (
    ACRE_NEEDS_START,
    CONJOINT_REGLEMENTEE,
    MAX_INCOME,
    SECTION_ONLY,
    SECTION_OVERSEAS,
    SECTION_REQUIRED,
    InputError,
    Profession,
    end_before_start,
    end_outside_year,
    section_not_computed,
    start_after_year,
    year_not_covered,
)
from echeancier.contributions.territory import MAYOTTE, OUTRE_MER, territory
from echeancier.contributions.year import LONG_AGO, forfait, rows_of, with_conjoint
from echeancier.kernel.inputs import parse_date, parse_euros, shown
from echeancier.kernel.money import to_decimal
from echeancier.law.loader import Law, load_law
from echeancier.law.snapshot import (
    SECTIONS,
    Figures,
    mayotte_snapshot,
    provisional_snapshot,
    section_snapshot,
    snapshot_of,
    supported_years,
)
from echeancier.rights import COLUMNS as RIGHTS_COLUMNS
from echeancier.rights import columns as rights_columns
from echeancier.rights import columns_of as rights_columns_of
from echeancier.rights.figures import RightsFigures, rights_figures
from echeancier.rights.rules import year_rights

__all__ = ["CHUNK", "RowInputError", "simulate_many"]

I64: TypeAlias = npt.NDArray[np.int64]
Bools: TypeAlias = npt.NDArray[np.bool_]

CHUNK = 1 << 17  # rows per block: checked together, and the unit of work of the threads
# Rows computed together, at most: the int64 arrays of a part (just under 256 KiB) stay in the processor's L2
# cache, and below the 256 KiB from which NumPy looks for a temporary to reuse (a check that walks the C stack at
# every operation). A block is cut into parts of equal size (`_parts`): five parts of 26,215 rows for a block of
# CHUNK rows rather than eight of 16,384, so fewer operations of the rules for the same rows.
PART = (1 << 15) - 1
WORKERS = min(4, os.cpu_count() or 1)  # blocks computed in parallel (NumPy releases the GIL in its loops)
NAT = np.iinfo(np.int64).min  # datetime64 NaT as int64
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

PROFESSIONS: tuple[str, ...] = tuple(p.value for p in Profession)
# Fields of a contributor's own situation that few rows give: the rows that give one are checked and computed by
# the scalar engine (the same rules, `contributions.exonerations`), as incomes given net are.
SCALAR_FIELDS = ("pension_invalidite_mois", "exoneration_age", "exoneration_debut_outre_mer", "remplacant")
# The fields that choose the variant of a section's law (`contributions.pamc.variant`): a médecin's secteur, a
# CARCDSF member's métier, an avocat's class; a row's code is its variant's (law.snapshot.SECTIONS), so that the
# rows of one variant are computed together with its figures. A row whose fields the rules refuse is computed by
# the scalar engine, which says why.
VARIANT_FIELDS = ("secteur", "metier", "classe_cnbf")
# The health sections' codes (law.snapshot.SECTIONS): their rows have the columns of `pamc.EXTRAS`.
HEALTH_CODES = range(4, 11)
_FIRST_VARIANT = {"carmf": "carmf_1", "carcdsf": "carcdsf_chirurgien_dentiste", "carpimko": "carpimko", "cavp": "cavp"}
FIELDS = (
    "id",
    "year",
    "profession",
    "income",
    "start_date",
    "end_date",
    "acre",
    "rsa",
    "income_is_net",
    "department",
    "conjoint_collaborateur",
    "section",
    *VARIANT_FIELDS,
    *SCALAR_FIELDS,
    "abattement_outre_mer",
)
# The régime de croisière abattement of the collectivités of L751-1 (CSS L756-4, `contributions.debut_outre_mer`):
# computed on the arrays for the overseas rows that do not switch it off (false) (`_abattement`); a row giving
# something else than a boolean goes to the scalar engine, which names it.
ABATTEMENT = "abattement_outre_mer"
REGLEMENTEE = PROFESSIONS.index(Profession.liberal_reglementee.value)
COTISATIONS = CONTRIBUTIONS[:6]  # the six contributions before CSG-CRDS and the CFP


class RowInputError(InputError):
    """An input that cannot be simulated, in row `row` (0-based) of a batch."""

    def __init__(self, row: int, field: str, message: str) -> None:
        super().__init__(field, message)
        self.row = row
        self.args = (f"row {row}: {field}: {message}",)


# --------------------------------------------------------------------------------------------------------------
# Memory kept for the next batch

# Blocks up to 32 MiB (glibc's own upper bound for its dynamic mapping threshold on 64-bit systems) are taken from
# the heap rather than mapped, and up to 256 MiB of freed heap (glibc's dynamic bound: 64 MiB) is kept for the next
# allocations: the result columns and temporaries of a batch of a million rows come to about 100 MB.
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)
_heap_kept = False


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed memory for the next arrays rather than give it back to the system at once.

    A batch allocates its result columns (8 MB each for a million rows) and, by part, many temporary arrays of
    128–256 KiB. With glibc's defaults each freed block at the top of the heap beyond 128 KiB (raised dynamically
    by the largest block freed) is returned to the system, and every page of it is faulted and zeroed again by the
    kernel at the next use: measured on 1,000,000 rows, about 6,000 page faults and 0.07–0.14 s of system time per
    call on a loaded virtual machine, as much as the computation itself. Fixing the two thresholds (which glibc
    otherwise adjusts itself) keeps that memory in the process for the next part and the next call. What is kept
    was in use a moment before, so the peak hardly moves (`bench_simulate_many.py`: 253 MB against 245 MB, the
    8 MB result columns taken from the heap rather than mapped); a long-lived process keeps up to 256 MiB of freed
    heap for reuse. Once per process, on Linux with glibc only (elsewhere, or if `mallopt` is missing, nothing is
    done); an application that wants glibc's defaults sets the environment variable `ECHEANCIER_MALLOC_DEFAULTS=1`.
    """
    global _heap_kept
    if _heap_kept:
        return
    _heap_kept = True
    if not sys.platform.startswith("linux") or os.environ.get("ECHEANCIER_MALLOC_DEFAULTS") == "1":
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


# --------------------------------------------------------------------------------------------------------------
# The helpers of contributions.exact on NumPy arrays


def _mul_div_half_up(a: I64, b: I64, d: I64) -> I64:
    """a × b / d rounded half up, exactly, though a × b may exceed int64.

    For 0 ≤ a, b < 2^53, 0 < d < 2^60 and a quotient below 2^40: the float64 estimate q of a × b / d is within 1 of
    the true quotient, so the true remainder r = a × b − q × d lies in [−2d, 2d] ⊂ (−2^63, 2^63). NumPy's int64
    products wrap modulo 2^64, and the difference of two numbers congruent to a × b and q × d modulo 2^64 that is
    known to lie in (−2^63, 2^63) is r itself. Two corrections bring r into [0, d); the half up step compares 2r
    with d (below 2^61). The bounds hold for every figure the law snapshot accepts (`law.snapshot.figures`).
    """
    q = np.floor(a.astype(np.float64) * b.astype(np.float64) / d.astype(np.float64)).astype(np.int64)
    with np.errstate(over="ignore"):
        r = a * b - q * d  # wraps modulo 2^64 to the exact remainder
    low = r < 0
    q, r = np.where(low, q - 1, q), np.where(low, r + d, r)
    high = r >= d
    q, r = np.where(high, q + 1, q), np.where(high, r - d, r)
    result: I64 = q + (2 * r >= d)
    return result


# The law's tables (tuples of the snapshot) as arrays, made once rather than at every part of every batch.
_TABLES: dict[int, tuple[Sequence[int], I64]] = {}


_INT64 = np.dtype(np.int64)
_LOW, _HIGH = -(1 << 63), (1 << 63) - 1


def _where(condition: Any, a: Any, b: Any) -> Any:
    """`np.where(condition, a, b)` for int64 values, computed as b + condition × (a − b).

    A condition the same on every row (a Python bool: `_compute` passes a constant column as its value) chooses
    one of the two values without a pass over the rows. On a boolean array, NumPy's `where` branches on each row
    and costs, on a random mask, as much as five additions; the product by the mask does not branch. It is exact on
    int64: the sum is computed modulo 2^64 (NumPy's integer arrays wrap), b + 1 × (a − b) ≡ a and b + 0 ≡ b, and
    the true result is a or b, which fits. Other values (booleans, objects, shapes that broadcast further) go to
    `np.where`."""
    if type(a) is not int:
        a = _plain(a)
    if type(b) is not int:
        b = _plain(b)
    if type(condition) is bool or type(condition) is np.bool_:
        chosen, other = (a, b) if condition else (b, a)
        if not isinstance(chosen, np.ndarray):
            if not isinstance(other, np.ndarray):
                return chosen
        elif type(other) is int or chosen.shape == other.shape:
            return chosen  # never written into: the rules write only into arrays they computed (`scatter`)
    elif isinstance(condition, np.ndarray) and condition.dtype == np.bool_:
        shape = condition.shape
        if type(a) is int:
            if type(b) is int:
                if a == b:  # the same value either way (a rate unchanged since a reform): no pass
                    return a
                step = a - b
                if _LOW <= step <= _HIGH:
                    values: I64 = condition.astype(np.int64)
                    values *= step
                    values += b
                    return values
            elif isinstance(b, np.ndarray) and b.dtype == _INT64 and b.shape == shape:
                values = np.subtract(a, b)
                values *= condition
                values += b
                return values
        elif (
            isinstance(a, np.ndarray)
            and a.dtype == _INT64
            and a.shape == shape
            and (type(b) is int or (isinstance(b, np.ndarray) and b.dtype == _INT64 and b.shape == shape))
        ):
            values = np.subtract(a, b)
            values *= condition
            values += b
            return values
    return np.where(condition, a, b)


def _plain(value: Any) -> Any:
    """A NumPy integer scalar (or 0-d array) of int64 as a Python int; anything else as it is."""
    if type(value) is np.int64 or (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype == _INT64):
        return int(value)
    return value


class _Vector:
    """`contributions.exact.Ops` on NumPy int64 arrays: the rows of one income year (`simulate_many`)."""

    minimum = staticmethod(np.minimum)
    maximum = staticmethod(np.maximum)
    where = staticmethod(_where)
    not_ = staticmethod(np.logical_not)

    @staticmethod
    def take(table: Sequence[int], index: I64) -> I64:
        entry = _TABLES.get(id(table))
        if entry is None or entry[0] is not table:  # the table kept with its array, so that its id is not reused
            if len(_TABLES) > 4096:  # many laws (organisms' overrides): bounded
                _TABLES.clear()
            entry = _TABLES[id(table)] = (table, np.asarray(table, dtype=np.int64))
        values: I64 = entry[1].take(index)
        return values

    mul_div_half_up = staticmethod(_mul_div_half_up)

    @staticmethod
    def select(condition: Any) -> I64 | None:
        if (type(condition) is bool or type(condition) is np.bool_) and not condition:
            return None  # no row (a constant column, `_compute`): no pass
        rows = np.flatnonzero(condition)
        return rows if rows.size else None

    @staticmethod
    def gather(values: I64, rows: I64) -> I64:
        return values[rows]

    @staticmethod
    def scatter(into: I64, rows: I64, values: I64) -> I64:
        into[rows] = values  # `into` is always a fresh array of the rule
        return into


VECTOR: Ops = _Vector()


def _compute(
    law: Figures,
    block: _Block,
    where: slice | I64,
    out: dict[str, I64],
    rights: RightsFigures | None = None,
    flat_rate: bool = False,
) -> None:
    """Every contribution of the rows `where` of a block, all of income year `law.year`: the rules of
    `contributions.year`, those of the engine `simulate`, on arrays. `flat_rate`: the provisional contributions of
    the first two years on the flat-rate base instead (`year.forfait`, the engine's `Simulation.forfait`)."""
    income = np.maximum(block.cents[where], 0)  # CSS L131-6, R613-1-2 VI: a deficit counts as a nil income
    # A column with one value on every row is passed as that value (a Python int or bool, as for one situation;
    # NumPy broadcasts it), so the rules do not make a pass over the rows for what is the same on all of them.
    start, has_start = _given(block.start[where], LONG_AGO)
    acre = False if has_start is False else _any(block.acre[where] & has_start)
    end, _ = _given(block.end[where], law.last_day)
    rsa, outre_mer = _any(block.rsa[where]), _any(block.outre_mer[where])
    minimums = True if rsa is False else ~rsa
    rows, _ = rows_of(VECTOR, law, income, start, end, acre, minimums, outre_mer)
    option = None if block.conjoint is None else block.conjoint[where].astype(np.int64)
    if flat_rate:
        # R613-5 III, R131-2-1, D131-1: CSG-CRDS on the flat-rate base itself.
        rows, computed, base, conjoint = forfait(VECTOR, rows, option)
    else:
        computed, conjoint = with_conjoint(VECTOR, rows, option)
    for key, trace in zip(COTISATIONS, computed.traces, strict=True):
        out[key][where] = trace.amount
    total = computed.total
    if conjoint is not None:
        amounts = conjoint_collaborateur.amounts(VECTOR, conjoint)
        for key, amount in zip(conjoint_collaborateur.COLUMNS, amounts, strict=True):
            out[key][where] = amount
        total = total + conjoint.amount
    extras = None if flat_rate or law.pamc is None or not law.pamc.conventionne else pamc.extras(VECTOR, rows)
    if extras is not None:
        total = total + extras.pcv  # a cotisation (CSS L645-2), in the CSG-CRDS base up to 2024 (`engine.of_year`)
    if not flat_rate:
        # L136-3: from 2025 the single assiette; before, the revenu professionnel plus the compulsory contributions.
        base = rows.assiette if law.apres_reforme else csg_crds.former_base(VECTOR, income, 100 * total)
    csg_ = csg_crds.rule(law, base)
    csg = csg_.amount
    cfp = formation_professionnelle.rule(VECTOR, law, block.profession[where], None if option is None else option > 0)
    if extras is not None:
        before = total + csg + cfp + extras.cma  # every contribution but the CURPS (`engine.of_year`)
        extras = pamc.curps_due(VECTOR, rows, extras, income, before, half_up(csg_.other, EURO))
        for key, amount in zip(pamc.EXTRAS, extras.amounts, strict=True):
            out[key][where] = amount
        total = total + extras.cma + extras.curps
    out["csg_crds"][where] = csg
    out["formation_professionnelle"][where] = cfp
    if isinstance(where, slice):  # a view of the result: the sum written in place
        summed = np.add(total, csg, out=out["total"][where])
        summed += cfp
    else:
        out["total"][where] = total + csg + cfp
    if rights is not None:
        # The rights of the same contributions (`echeancier.rights`), the rules of `Simulation.rights` on arrays.
        _maladie, ij, rb, rci, _id, _af = computed.traces
        droits = year_rights(
            VECTOR, rights, law, rb, rci.amount, ij.base, rows.assiette, rows.days, start, has_start, rows.minimums
        )
        for key, values in zip(RIGHTS_COLUMNS, rights_columns(droits), strict=True):
            out[key][where] = values


def _given(days: I64, default: int) -> tuple[I64 | int, Bools | bool]:
    """(the dates, `default` where not given; where they are given), or (`default`, False) when no row has one
    (see `_compute`)."""
    if days.strides == (0,) and days.size and days[0] == NAT:  # no column (`_dates`): known without a pass
        return default, False
    given = days != NAT
    if not given.any():
        return default, False
    return np.where(given, days, default), given


def _any(flags: Bools) -> Bools | bool:
    """The flags, or False when no row has one (see `_compute`)."""
    if flags.strides == (0,) and flags.size:  # one value seen on every row (no column, `_flags`)
        return bool(flags[0]) and flags
    return flags if flags.any() else False


def _parts(where: slice | I64, n: int) -> list[slice | I64]:
    """The rows `where` of a block of `n` rows by parts of equal size, at most `PART` rows each."""
    rows = n if isinstance(where, slice) else len(where)
    count = -(-rows // PART)
    bounds = [rows * i // count for i in range(count + 1)] if count else []  # no part for no row
    if isinstance(where, slice):
        return [slice(begin, end) for begin, end in pairwise(bounds)]
    return [where[begin:end] for begin, end in pairwise(bounds)]


# --------------------------------------------------------------------------------------------------------------
# Reading and checking the columns

# Order in which a single Situation reports problems: field types in field order, then Situation._coherent_dates.
_TYPE_RANK = {name: rank for rank, name in enumerate(FIELDS)}
_YEAR_RANK, _START_RANK, _END_RANK, _ORDER_RANK, _CONJOINT_RANK, _ACRE_RANK, _SECTION_RANK, _COMBINATION_RANK = range(
    len(FIELDS), len(FIELDS) + 8
)

_Problem: TypeAlias = tuple[int, int, str, str]  # row, rank, field, message


class _Problems:
    """The first invalid row of each check; the earliest row is reported, with the check the scalar makes first."""

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset
        self.found: list[_Problem] = []

    def add(self, mask: Bools, rank: int, field: str, message: Callable[[int], str]) -> None:
        if mask.any():
            row = int(np.argmax(mask))
            self.found.append((self.offset + row, rank, field, message(row)))


def _raise_first(found: Sequence[_Problem]) -> None:
    if found:
        row, _, field, message = min(found)
        raise RowInputError(row, field, message)


@dataclass(slots=True)
class _Columns:
    """The batch's columns, normalised without any per-row Python work for NumPy, Polars and PyArrow inputs."""

    n: int
    year: npt.NDArray[Any]  # an integer array
    profession: npt.NDArray[Any]  # strings, compared block by block, or int8 codes (`coded`)
    coded: bool
    profession_original: Any  # for the error message
    income: npt.NDArray[Any]  # euros (integer or float array), or int64 cents (`income_in_cents`)
    income_in_cents: bool  # incomes read one by one, already in cents
    start: I64  # days since 1970-01-01, NAT when not given
    end: I64
    acre: Bools
    rsa: Bools
    net: Bools
    department: npt.NDArray[Any] | None  # normalised COG codes (objects, None when not given), or no column
    outre_mer: Bools  # the activity is in a collectivité of CSS L751-1 (`contributions.territory`)
    mayotte: Bools  # the activity is at Mayotte (its own law from 2025, `law.snapshot.mayotte_snapshot`)
    conjoint: npt.NDArray[np.int8] | None  # option codes of `conjoint_collaborateur.OPTIONS`, or no column
    section: npt.NDArray[np.int8]  # 0: none, else the index in `law.snapshot.SECTIONS` + 1; −1: a section not computed
    section_names: list[Any] | None  # the section of each row as given (for the messages); None: no column
    income_raw: Any  # the incomes as given, for the scalar engine
    ids: Any
    own: dict[str, list[Any]]  # the SCALAR_FIELDS given, as Python values
    by_scalar: Bools  # the rows that give one of them (not None, 0 or false)
    variants: dict[str, list[Any]]  # the VARIANT_FIELDS given, as Python values
    abate: Bools | None = None  # the rows with the régime de croisière abattement (CSS L756-4, `_abattement`)


@dataclass(slots=True)
class _Block:
    """A contiguous block of checked rows."""

    offset: I64  # year − first supported year
    profession: npt.NDArray[np.integer[Any]]  # codes (int8)
    cents: I64
    start: I64
    end: I64
    acre: Bools
    rsa: Bools
    outre_mer: Bools
    mayotte: Bools
    section: npt.NDArray[np.int8]
    conjoint: npt.NDArray[np.int8] | None


def _is_from(columns: object, package: str) -> bool:
    return type(columns).__module__.split(".")[0] == package


def _from_polars(frame: Any) -> dict[str, Any]:
    import polars as pl

    data: dict[str, Any] = {}
    for name in frame.columns:
        series = frame.get_column(name)
        if name == "id":
            data[name] = series
        elif name == "profession" and series.dtype in (pl.Categorical, pl.Enum):
            data[name] = _dictionary_codes(series.to_arrow())  # encoded: each category read once, as a text
        elif name == "profession" and series.dtype == pl.String:
            codes = series.cast(pl.String).replace_strict(
                {p: i for i, p in enumerate(PROFESSIONS)}, default=-1, return_dtype=pl.Int8
            )
            data[name] = _Codes(codes.fill_null(-1).to_numpy(), series)
        elif series.dtype == pl.Boolean and name in ("acre", "rsa", "income_is_net"):
            data[name] = series.fill_null(False).to_numpy()
        elif series.dtype in (pl.Date, pl.Datetime):
            data[name] = series.to_numpy()  # NaT for nulls
        elif series.dtype in (pl.Decimal, pl.String, pl.Object) or series.null_count():
            data[name] = series.to_list()
        else:
            data[name] = series.to_numpy()
    return data


def _from_arrow(table: Any) -> dict[str, Any]:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    data: dict[str, Any] = {}
    for name in table.column_names:
        column = table.column(name)
        kind = column.type
        if name == "id":
            data[name] = column
        elif name == "profession" and (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            codes = pc.fill_null(pc.index_in(column, value_set=pa.array(PROFESSIONS)), -1)
            data[name] = _Codes(codes.to_numpy().astype(np.int8), column)
        elif name == "profession" and pa.types.is_dictionary(kind):
            data[name] = _dictionary_codes(column)
        elif pa.types.is_boolean(kind) and name in ("acre", "rsa", "income_is_net"):
            data[name] = pc.fill_null(column, False).to_numpy()
        elif pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            data[name] = column.to_numpy()  # NaT for nulls
        elif pa.types.is_decimal(kind) or pa.types.is_string(kind) or column.null_count:
            data[name] = column.to_pylist()
        else:
            data[name] = column.to_numpy()
    return data


@dataclass(slots=True)
class _Codes:
    """Professions already coded (0, 1, 2; −1 when unknown) by Polars or PyArrow, with the original column."""

    codes: npt.NDArray[np.int8]
    original: Any

    def __len__(self) -> int:
        return len(self.codes)


def _dictionary_codes(column: Any) -> _Codes:
    """Professions given encoded, as a PyArrow dictionary array (or chunked array): integer indices into a few
    categories, e.g. `pyarrow.DictionaryArray.from_arrays(codes, ["artisan", "commercant", "liberal"])` from a NumPy
    code array. Each category is read once as a text would be (its code among PROFESSIONS, −1 when it is not one,
    or not a text), then every row takes its category's code; a null row is −1 too. A row refused so is reported
    with its category, as the same text is (`_check_block`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts: list[npt.NDArray[np.int8]] = []
    for chunk in chunks:
        categories = chunk.dictionary
        if pa.types.is_string(categories.type) or pa.types.is_large_string(categories.type):
            found = pc.fill_null(pc.index_in(categories, value_set=pa.array(PROFESSIONS)), -1)
            table = found.to_numpy(zero_copy_only=False).astype(np.int8)
        else:
            table = np.full(len(categories), -1, dtype=np.int8)
        indices = chunk.indices
        if chunk.null_count:
            valid = chunk.is_valid().to_numpy(zero_copy_only=False)
            codes = table.take(pc.fill_null(indices, 0).to_numpy())
            codes[~valid] = -1
        else:
            codes = table.take(indices.to_numpy())
        parts.append(codes)
    if len(parts) == 1:
        return _Codes(parts[0], column)
    return _Codes(np.concatenate(parts) if parts else np.empty(0, dtype=np.int8), column)


def _array(values: Any) -> npt.NDArray[Any]:
    if isinstance(values, np.ndarray):
        return values
    try:
        array = np.asarray(values)
    except ValueError:  # ragged (a list among scalars): one object per row, the row's check names it
        array = np.empty(0)
    if array.ndim != 1 or len(array) != len(values):
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)
    return array


def _objects(values: Any) -> list[Any]:
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return [v.item() if isinstance(v, np.generic) else v for v in items]


def _got(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    elif hasattr(value, "as_py"):
        value = value.as_py()
    return f" (reçu {shown(value)})"


def _years(values: Any, problems: _Problems) -> npt.NDArray[Any]:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values
    # Read one by one (a list of ints and floats would become floats in an array): a year is an int, never 2025.0.
    items = _objects(values) if isinstance(values, np.ndarray) else list(values)
    bad = np.array([not (isinstance(v, int) and not isinstance(v, bool)) for v in items], dtype=np.bool_)
    problems.add(
        bad,
        _TYPE_RANK["year"],
        "year",
        lambda i: "est obligatoire" if items[i] is None else f"doit être un nombre entier{_got(items[i])}",
    )
    return np.array([v if isinstance(v, int) else 0 for v in items], dtype=np.int64)


def _professions(values: Any, problems: _Problems) -> tuple[npt.NDArray[Any], bool, Any]:
    if isinstance(values, _Codes):
        return values.codes, True, values.original
    if _is_from(values, "pyarrow"):
        import pyarrow as pa

        if pa.types.is_dictionary(values.type):  # encoded professions (a dictionary array)
            return _professions(_dictionary_codes(values), problems)
    array = _array(values)
    if array.dtype.kind in "US":
        return array, False, array
    codes = np.full(len(array), -1, dtype=np.int8)
    for code, name in enumerate(PROFESSIONS):
        codes[array == name] = code
    return codes, True, array


def _incomes(values: Any, problems: _Problems) -> tuple[npt.NDArray[Any], bool, Any]:
    array = _array(values)
    if array.dtype.kind in "iuf":
        return array, False, array
    items = _objects(array)
    cents = np.zeros(len(items), dtype=np.int64)
    bad = np.zeros(len(items), dtype=np.bool_)
    messages: dict[int, str] = {}
    for i, value in enumerate(items):
        # read by the input layer, as a single situation's income (`Situation.income`): the same texts accepted
        # (40 000,50) and refused (1e5, 40,000), with the same message
        try:
            if value is None:
                raise InputError("income", "est obligatoire")
            amount = parse_euros(value, "income", maximum=MAX_INCOME, negative=True)
        except InputError as error:
            bad[i] = True
            messages[i] = error.message
            continue
        cents[i] = income_cents(amount)
    problems.add(bad, _TYPE_RANK["income"], "income", lambda i: messages[i])
    return cents, True, items


def _refused(income: Any) -> str:
    """Why the input layer refuses `income`: the words a single situation is refused with (`Situation.income`)."""
    try:
        parse_euros(income, "income", maximum=MAX_INCOME, negative=True)
    except InputError as error:
        return error.message
    return f"doit être un montant en euros (reçu {shown(income)})"  # read by the input layer, not by the batch


def _dates(values: Any, field: str, n: int, problems: _Problems) -> I64:
    if values is None:  # no column: one read-only NaT seen on every row, not an array of them
        absent: I64 = np.broadcast_to(np.int64(NAT), (n,))
        return absent
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        days: I64 = values.astype("datetime64[D]").view(np.int64)
        return days
    items = _objects(values)
    # Strings must be whole ISO dates (NumPy would also read "2025-03" as 1 March, and a number as days).
    if all(v is None or isinstance(v, date) or (isinstance(v, str) and _ISO_DATE.fullmatch(v)) for v in items):
        try:
            return np.array(items, dtype="datetime64[D]").view(np.int64)
        except (ValueError, TypeError):
            pass
    result = np.full(n, NAT, dtype=np.int64)
    bad = np.zeros(n, dtype=np.bool_)
    for i, value in enumerate(items):
        try:
            if isinstance(value, str):
                if not _ISO_DATE.fullmatch(value):
                    raise ValueError(value)
                value = date.fromisoformat(value)
            elif not (value is None or isinstance(value, date)):
                raise TypeError(value)
            result[i] = np.array([value], dtype="datetime64[D]").view(np.int64)[0]
        except (ValueError, TypeError):
            bad[i] = True
    problems.add(bad, _TYPE_RANK[field], field, lambda i: _date_refused(items[i], field))
    return result


def _date_refused(value: Any, field: str) -> str:
    """Why the input layer refuses `value` as a date (`Situation.start_date`, `end_date`): the same words."""
    try:
        parse_date(value, field)
    except InputError as error:
        return error.message
    return f"doit être une date AAAA-MM-JJ (reçu {shown(value)})"


def _flags(values: Any, field: str, n: int, problems: _Problems) -> Bools:
    if values is None:  # no column: one read-only false seen on every row (`_any` knows it without a pass)
        absent: Bools = np.broadcast_to(np.False_, (n,))
        return absent
    array = _array(values)
    if array.dtype.kind == "b":
        return array
    rank = _TYPE_RANK[field]
    if array.dtype.kind in "iu":
        problems.add((array != 0) & (array != 1), rank, field, lambda i: f"doit être true ou false{_got(array[i])}")
        return np.asarray(array == 1, dtype=np.bool_)
    items = _objects(array)
    bad = np.array([not (v is None or isinstance(v, bool) or v in (0, 1)) for v in items], dtype=np.bool_)
    problems.add(bad, rank, field, lambda i: f"doit être true ou false{_got(items[i])}")
    return np.array([bool(v) and not b for v, b in zip(items, bad, strict=True)], dtype=np.bool_)


def _conjoints(values: Any, problems: _Problems) -> npt.NDArray[np.int8] | None:
    """The option code of each row's conjoint collaborateur (0: none), each value read as a single Situation."""
    if values is None:
        return None
    from echeancier.contributions.situation import Situation

    items = _objects(_array(values))
    known = {option: code for code, option in enumerate(conjoint_collaborateur.OPTIONS)}

    def code(value: Any) -> int:
        if isinstance(value, bytes):
            value = _text(value)
        return known.get(value, -1) if value is None or isinstance(value, str) else -1

    try:  # each distinct value looked up once (values equal as keys, such as True and 1, are both refused)
        table = {value: code(value) for value in dict.fromkeys(items)}
        codes = np.fromiter(map(table.__getitem__, items), dtype=np.int8, count=len(items))
    except TypeError:  # an unhashable value (a list…): one by one
        codes = np.fromiter((code(value) for value in items), dtype=np.int8, count=len(items))

    def message(i: int) -> str:
        try:
            Situation._known_option(_text(items[i]) if isinstance(items[i], bytes) else items[i])
        except InputError as error:
            return error.message
        raise AssertionError(items[i])  # pragma: no cover — a value the Situation accepts has a code

    problems.add(codes < 0, _TYPE_RANK["conjoint_collaborateur"], "conjoint_collaborateur", message)
    return np.maximum(codes, 0)


def _departments(values: Any, n: int, problems: _Problems) -> tuple[npt.NDArray[Any] | None, Bools, Bools]:
    """(the normalised COG codes, whether each row is in a collectivité of L751-1, whether it is at Mayotte): each
    distinct value is read once by the rule of a single Situation (`organisms.normalise_department`)."""
    if values is None:
        return None, np.broadcast_to(np.False_, (n,)), np.broadcast_to(np.False_, (n,))  # read-only, as `_flags`
    from echeancier.contributions.situation import Situation

    array = _array(values)
    distinct: list[Any] = []
    if array.dtype.kind in "iuU":
        uniques, inverse = np.unique(array, return_inverse=True)
        distinct = uniques.tolist()
    else:  # objects (None for "not given", mixed types): grouped by type and value, unhashable ones one by one
        index: dict[Any, int] = {}
        inverse = np.empty(len(array), dtype=np.intp)
        for row, value in enumerate(_objects(array)):
            try:
                key: Any = (type(value), value)
                position = index.setdefault(key, len(distinct))
            except TypeError:
                position = len(distinct)
            if position == len(distinct):
                distinct.append(value)
            inverse[row] = position
    codes: list[str | None] = []
    errors: list[str | None] = []
    for value in distinct:
        try:
            codes.append(None if value is None else Situation._known_department(value))
            errors.append(None)
        except InputError as error:
            codes.append(None)
            errors.append(error.message)
    bad = np.array([error is not None for error in errors], dtype=np.bool_)[inverse]
    problems.add(bad, _TYPE_RANK["department"], "department", lambda i: str(errors[inverse[i]]))
    normalised = np.array(codes, dtype=object)[inverse]
    where = np.array([territory(code) for code in codes], dtype=np.int8)[inverse]
    return normalised, where == OUTRE_MER, where == MAYOTTE


def _sections(values: Any, n: int, problems: _Problems) -> tuple[npt.NDArray[np.int8], list[Any] | None]:
    """The section of each row as a code (see `_Columns.section`): each distinct value is read once by the rule of
    a single Situation (`Situation._known_section`)."""
    if values is None:
        return np.zeros(n, dtype=np.int8), None
    from echeancier.contributions.situation import Situation

    items = _objects(_array(values))
    codes = np.zeros(n, dtype=np.int8)
    bad = np.zeros(n, dtype=np.bool_)
    errors: dict[int, str] = {}
    read: dict[Any, int | str] = {}
    for i, value in enumerate(items):
        key = (type(value), value) if isinstance(value, str | None) else None
        found = read.get(key) if key is not None else None
        if found is None:
            try:
                name = Situation._known_section(value)
                name = _FIRST_VARIANT.get(name, name) if name is not None else None
                found = 0 if name is None else (SECTIONS.index(name) + 1 if name in SECTIONS else -1)
            except InputError as error:
                found = error.message
            if key is not None:
                read[key] = found
        if isinstance(found, str):
            bad[i], errors[i] = True, found
        else:
            codes[i] = found
    problems.add(bad, _TYPE_RANK["section"], "section", lambda i: errors[i])
    return codes, items


def _absent(name: str, value: Any) -> bool:
    """A value of SCALAR_FIELDS that a single Situation reads as not given (null, false, 0): its row stays on the
    arrays. `remplacant` is a strict boolean and `pension_invalidite_mois` a strict integer: 0 and false are refused
    there, by the scalar engine."""
    if value is None:
        return True
    if name == "remplacant":
        return value is False
    if name == "pension_invalidite_mois":
        return type(value) is int and value == 0
    return value is False or (type(value) is int and value == 0)


def _variants(section: npt.NDArray[np.int8], variants: dict[str, list[Any]], by_scalar: Bools) -> None:
    """Each row's code becomes its variant's (`pamc.variant`), read once per distinct (section, secteur, métier,
    class) by the rules of a single Situation (`Situation._known_secteur`…, `check_health`); a row they refuse is
    left to the scalar engine (`by_scalar`), which raises the same message."""
    from echeancier.contributions.situation import Situation, check_health

    n = len(section)
    columns = [variants.get(name, [None] * n) for name in VARIANT_FIELDS]
    read: dict[tuple[Any, ...], int] = {}
    for i in np.flatnonzero(section > 0):
        values = tuple(column[i] for column in columns)
        key = (int(section[i]), *((type(v), v) for v in values))
        code = read.get(key)
        if code is None:
            name = pamc.section_name(SECTIONS[section[i] - 1])
            try:
                secteur = Situation._known_secteur(values[0])
                metier = Situation._known_metier(values[1])
                classe = Situation._known_classe(values[2])
                check_health(name, secteur, metier, classe_cnbf=classe)
                code = SECTIONS.index(pamc.variant(name, secteur, metier, classe)) + 1
            except (InputError, ValueError, TypeError):
                code = 0
            read[key] = code
        if code:
            section[i] = code
        else:
            by_scalar[i] = True


def _read(columns: Any, problems: _Problems) -> tuple[str, _Columns]:
    if _is_from(columns, "polars"):
        kind, data = "polars", _from_polars(columns)
    elif _is_from(columns, "pyarrow"):
        kind, data = "arrow", _from_arrow(columns)
    elif isinstance(columns, Mapping):
        kind, data = "mapping", dict(columns)
    else:
        raise InputError(
            "columns",
            "doit être un dictionnaire de colonnes, un DataFrame Polars ou une Table PyArrow",
        )
    for name in data:
        if name not in FIELDS:
            raise InputError(str(name), "n'est pas un champ connu")
    for name in ("year", "profession", "income"):
        if name not in data:
            raise InputError(name, "est obligatoire")
    n = len(data["year"])
    for name, values in data.items():
        if len(values) != n:
            raise InputError(name, f"a {len(values)} lignes, year en a {n}")
    year = _years(data["year"], problems)
    profession, coded, original = _professions(data["profession"], problems)
    income, in_cents, raw = _incomes(data["income"], problems)
    department, outre_mer, mayotte = _departments(data.get("department"), n, problems)
    section, section_names = _sections(data.get("section"), n, problems)
    own = {name: _objects(_array(data[name])) for name in SCALAR_FIELDS if name in data}
    by_scalar = np.zeros(n, dtype=np.bool_)
    for name, values in own.items():
        by_scalar |= np.array([not _absent(name, v) for v in values], bool)
    variants = {name: _objects(_array(data[name])) for name in VARIANT_FIELDS if name in data}
    if (section > 0).any():
        _variants(section, variants, by_scalar)
    for values in variants.values():
        # a secteur, métier or class without a section: the scalar engine refuses it (`check_health`)
        by_scalar |= (section <= 0) & np.array([v is not None for v in values], bool)
    abate = outre_mer.copy()
    if ABATTEMENT in data:
        flags = data[ABATTEMENT]
        if isinstance(flags, np.ndarray) and flags.dtype == np.bool_:
            # A column of booleans (the campaign's): every value a flag, read without an object per row.
            own[ABATTEMENT] = flags.tolist()
            abate &= flags
        else:
            given = _objects(_array(flags))
            own[ABATTEMENT] = given
            off = np.array([v is False or (isinstance(v, np.bool_) and not v) for v in given], bool)
            odd = np.array([not (v is None or isinstance(v, bool | np.bool_)) for v in given], bool)
            by_scalar |= odd
            abate &= ~off
    return kind, _Columns(
        n=n,
        year=year,
        profession=profession,
        coded=coded,
        profession_original=original,
        income=income,
        income_in_cents=in_cents,
        start=_dates(data.get("start_date"), "start_date", n, problems),
        end=_dates(data.get("end_date"), "end_date", n, problems),
        acre=_flags(data.get("acre"), "acre", n, problems),
        rsa=_flags(data.get("rsa"), "rsa", n, problems),
        net=_flags(data.get("income_is_net"), "income_is_net", n, problems),
        department=department,
        outre_mer=outre_mer,
        mayotte=mayotte,
        conjoint=_conjoints(data.get("conjoint_collaborateur"), problems),
        section=section,
        section_names=section_names,
        income_raw=raw,
        ids=data.get("id"),
        own=own,
        by_scalar=by_scalar,
        variants=variants,
        abate=abate,
    )


def _iso(day: int | np.int64) -> str:
    return str(np.datetime64(int(day), "D"))


@dataclass(frozen=True, slots=True)
class _Years:
    """The income years the law covers, as tables indexed by year − first."""

    first: int
    laws: tuple[Figures | None, ...]  # None for a year absent from the batch
    mayotte: tuple[Figures | None, ...]  # the law of Mayotte, None for a year absent or without it
    sections: dict[tuple[int, int], Figures]  # (year − first, section code): the law of the section
    covered: range
    first_day: I64
    last_day: I64
    # The figures of D756-4 of each year present (`_abattement`), None for a year absent
    croisiere: tuple[OverseasFigures | None, ...] = ()


def _check_block(cols: _Columns, years: _Years, s: slice, problems: _Problems) -> tuple[_Block, Bools]:
    """The checks of a single Situation on a block of rows, and the rows the scalar engine computes."""
    offset = np.subtract(cols.year[s], years.first, dtype=np.int64, casting="unsafe")  # year − first, one pass
    if offset.size and (offset.min() < 0 or offset.max() >= len(years.laws)):  # two reductions, then the rows
        outside = (offset < 0) | (offset >= len(years.laws))
        covered = years.covered
        problems.add(
            outside,
            _YEAR_RANK,
            "year",
            lambda i: year_not_covered(cols.year[s][i], covered),
        )
        offset = np.where(outside, 0, offset)
    codes: npt.NDArray[Any] = cols.profession[s] if cols.coded else _profession_codes(cols.profession[s])
    problems.add(
        codes < 0,
        _TYPE_RANK["profession"],
        "profession",
        lambda i: (
            "doit être artisan, commercant, liberal ou liberal_reglementee" + _got(cols.profession_original[s][i])
        ),
    )
    income = cols.income[s]
    if cols.income_in_cents:
        cents = income
    elif income.dtype.kind in "iu":
        if income.size and max(-int(income.min()), int(income.max())) > int(MAX_INCOME):
            too_large = np.abs(income) > int(MAX_INCOME)
            problems.add(too_large, _TYPE_RANK["income"], "income", lambda i: _refused(int(income[i])))
            income = np.where(too_large, 0, income)
        cents = np.multiply(income, 100, dtype=np.int64, casting="unsafe")  # |income| ≤ MAX_INCOME: no overflow
    else:
        clean = income
        # min and max are NaN when any income is: two reductions tell whether any row needs a look
        if income.size and not (-float(MAX_INCOME) <= income.min() and income.max() <= float(MAX_INCOME)):
            finite = np.isfinite(income)
            problems.add(
                ~finite,
                _TYPE_RANK["income"],
                "income",
                lambda i: _refused(float(income[i])),
            )
            too_large = finite & (np.abs(income) > float(MAX_INCOME))
            problems.add(too_large, _TYPE_RANK["income"], "income", lambda i: _refused(float(income[i])))
            clean = np.where(finite & ~too_large, income, 0.0)
        rounded = np.rint(clean * 100)
        # A float of magnitude ≤ 10^8 is the nearest one to cents / 100 exactly when its shortest repr has at most
        # two decimals, and to_decimal (which reads that repr) then gives cents / 100; the other rows are read as
        # the engine reads them (their repr, rounded half up to the cent).
        cents = rounded.astype(np.int64)
        for i in np.flatnonzero(rounded / 100 != clean):
            cents[i] = income_cents(to_decimal(float(clean[i])))
    start, end = cols.start[s], cols.end[s]
    acre = cols.acre[s]
    has_start, has_end = start != NAT, end != NAT
    if has_start.any() or has_end.any():
        first, last = years.first_day[offset], years.last_day[offset]
        problems.add(
            has_start & (start > last),
            _START_RANK,
            "start_date",
            lambda i: start_after_year(_iso(start[i]), cols.year[s][i]),
        )
        problems.add(
            has_end & ((end < first) | (end > last)),
            _END_RANK,
            "end_date",
            lambda i: end_outside_year(_iso(end[i]), cols.year[s][i]),
        )
        problems.add(
            has_start & has_end & (end < start),
            _ORDER_RANK,
            "end_date",
            lambda i: end_before_start(_iso(end[i]), _iso(start[i])),
        )
    problems.add(
        acre & ~has_start if acre.any() else acre,
        _ACRE_RANK,
        "acre",
        lambda i: ACRE_NEEDS_START,
    )
    conjoint = None if cols.conjoint is None else cols.conjoint[s]
    if conjoint is not None:
        problems.add(
            # Situation: check_combinations, after the sections, their health fields and the exemptions, which the
            # scalar engine checks first on the rows it computes
            (conjoint > 0) & (codes == REGLEMENTEE) & ~cols.by_scalar[s],
            _COMBINATION_RANK,
            "conjoint_collaborateur",
            lambda i: CONJOINT_REGLEMENTEE,
        )
    section = cols.section[s]
    if section.any():
        _check_sections(
            codes,
            section,
            cols.outre_mer[s] | cols.mayotte[s],
            lambda i: _section_name(cols, (s.start or 0) + i),
            problems,
        )
    else:  # no section given: of `_check_sections`, only a profession libérale réglementée without one is refused
        problems.add(codes == REGLEMENTEE, _SECTION_RANK, "section", lambda i: SECTION_REQUIRED)
    block = _Block(
        offset, codes, cents, start, end, acre, cols.rsa[s], cols.outre_mer[s], cols.mayotte[s], section, conjoint
    )
    scalar = cols.net[s] | cols.by_scalar[s]
    if acre.any():
        # An ACRE of an activity started before the year, where its maximum share differs (docs/law-choices.md,
        # 280): computed by the scalar engine, which applies that share.
        differs = np.array([f is not None and f.acre_maximum_anterieur != f.acre_maximum for f in years.laws])
        scalar = scalar | (acre & has_start & (start < years.first_day[offset]) & differs[offset])
    return block, scalar


def _profession_codes(names: npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    """The code of each profession given as text (−1: not one of PROFESSIONS), in two passes over the texts rather
    than one per profession: the first character of a text names the one profession it can be, then the whole text
    is compared with that profession's name; a text refused so whose first character another profession shares
    is compared with that one too (`liberal_reglementee` after `liberal`)."""
    unit = np.uint32 if names.dtype.kind == "U" else np.uint8
    width = names.dtype.itemsize // np.dtype(unit).itemsize
    if not len(names) or not width:
        return np.full(len(names), -1, dtype=np.int8)
    known = [(code, name) for code, name in enumerate(PROFESSIONS) if len(name) <= width]
    table = np.full(256, -1, dtype=np.int8)  # first character -> the first profession that starts with it
    later: list[tuple[int, str]] = []
    for code, name in known:
        if table[ord(name[0])] < 0:
            table[ord(name[0])] = code
        else:
            later.append((code, name))
    names = np.ascontiguousarray(names)
    first: npt.NDArray[Any] = names.view(unit)[::width]  # each text's first character
    guess = table.take(first, mode="clip")  # a character beyond the table names none (table[-1] is −1)
    spelled = [*PROFESSIONS, ""]  # index −1: no profession, the empty text (whose code stays −1)
    names_of = np.array([name.encode() if unit is np.uint8 else name for name in spelled], dtype=names.dtype)
    right = _same_texts(names, names_of, guess)
    codes = np.where(right, guess, np.int8(-1)).astype(np.int8, copy=False)
    if later and not right.all():
        for code, name in later:
            rows = np.flatnonzero(~right & (first == ord(name[0])))
            spelling = name.encode() if unit is np.uint8 else name
            codes[rows[names[rows] == spelling]] = code
    return codes


def _same_texts(texts: npt.NDArray[Any], table: npt.NDArray[Any], index: npt.NDArray[Any]) -> Bools:
    """texts == table.take(index), row by row, for contiguous fixed-width texts of the table's type: their bytes
    compared as machine words, one pass per word of a text (NumPy pads every text of an array with zeros to its
    width, so two texts are equal exactly when their bytes are). A third faster than comparing the texts as
    texts, which NumPy does row by row."""
    size = texts.dtype.itemsize
    word = next(w for w in (8, 4, 2, 1) if size % w == 0)
    unsigned = np.dtype(f"u{word}")
    words = texts.view(unsigned).reshape(len(texts), size // word)
    expected = table.view(unsigned).reshape(len(table), size // word).take(index, axis=0)
    equal = words == expected
    right: Bools = equal[:, 0].copy()
    for column in range(1, equal.shape[1]):
        right &= equal[:, column]
    return right


def _section_name(cols: _Columns, row: int) -> Any:
    """The section of a row as given (None without a section column)."""
    return None if cols.section_names is None else cols.section_names[row]


def _check_sections(
    codes: npt.NDArray[np.intp],
    section: npt.NDArray[np.int8],
    overseas: Bools,
    name: Callable[[int], Any],
    problems: _Problems,
) -> None:
    """The checks of `Situation._coherent_section`, with its messages."""
    reglementee = codes == REGLEMENTEE
    given = section != 0
    problems.add(reglementee & ~given, _SECTION_RANK, "section", lambda i: SECTION_REQUIRED)
    problems.add((codes >= 0) & ~reglementee & given, _SECTION_RANK, "section", lambda i: SECTION_ONLY)
    problems.add(reglementee & (section < 0), _SECTION_RANK, "section", lambda i: section_not_computed(name(i)))
    problems.add(reglementee & (section > 0) & overseas, _SECTION_RANK, "department", lambda i: SECTION_OVERSEAS)


def _run_block(
    cols: _Columns,
    years: _Years,
    s: slice,
    out: dict[str, I64],
    fallback: Bools,
    rights: dict[int, RightsFigures] | None = None,
    flat_rate: bool = False,
) -> list[_Problem]:
    """Check and compute one block of rows; returns its problems (nothing is computed for a block with any)."""
    problems = _Problems(s.start or 0)
    block, scalar = _check_block(cols, years, s, problems)
    if problems.found:
        return problems.found
    views = {key: column[s] for key, column in out.items()}
    low, high = (int(block.offset.min()), int(block.offset.max())) if block.offset.size else (0, -1)
    # One income year (a yearly batch): two reductions rather than a count of the rows of every year.
    present = [low] if low == high else np.flatnonzero(np.bincount(block.offset, minlength=len(years.laws)))
    if rights is not None:
        # The rights of a section and of Mayotte's own law are not computed (`rights.not_computed`): as one situation.
        under_mayotte = np.array([m is not None for m in years.mayotte], dtype=np.bool_)[block.offset]
        scalar = scalar | (block.section > 0) | (block.mayotte & under_mayotte)
    for offset in present:
        law, mayotte = years.laws[offset], years.mayotte[offset]
        assert law is not None
        in_year = ~scalar if len(present) == 1 else (block.offset == offset) & ~scalar
        figures_of_rights = None if rights is None else rights[law.year]
        for code in np.unique(block.section[in_year]) if block.section.any() else ():
            if code > 0:
                # A profession libérale réglementée: the rules of its section (`section_snapshot`).
                chosen = in_year & (block.section == code)
                _compute(years.sections[int(offset), int(code)], block, np.flatnonzero(chosen), views, None, flat_rate)
                in_year &= ~chosen
        if not in_year.any():
            continue
        if mayotte is not None and block.mayotte.any():
            # Mayotte's rows of the year are computed under its own law (ordonnance 96-1122).
            for part in _parts(np.flatnonzero(in_year & block.mayotte), len(block.cents)):
                _compute(mayotte, block, part, views, figures_of_rights, flat_rate)
            in_year &= ~block.mayotte
            if not in_year.any():
                continue
        where: slice | I64 = slice(None) if in_year.all() else np.flatnonzero(in_year)
        for part in _parts(where, len(block.cents)):
            _compute(law, block, part, views, figures_of_rights, flat_rate)
    abate = None if cols.abate is None else cols.abate[s] & ~scalar
    if abate is not None and abate.any():
        _abattement(years, block, np.flatnonzero(abate), views, flat_rate)
    fallback[s] = scalar
    return []


def _abattement(years: _Years, block: _Block, where: I64, out: dict[str, I64], flat_rate: bool) -> None:
    """The régime de croisière abattement of CSS L756-4, D756-4 on the rows `where` of a block (collectivités of
    L751-1, without the start exemption, whose rows the scalar engine computes): the rules of
    `contributions.debut_outre_mer` (`factors`, `exemptions`) on arrays, with the amounts for min(R, PASS) computed
    by the same rules on the same rows with that income; on the flat-rate base of the first years (below the PASS)
    the amounts themselves, f = 1."""
    from dataclasses import fields

    from echeancier.contributions.assiettes import activity_days

    for offset in np.unique(block.offset[where]).tolist():
        law, figures = years.laws[offset], years.croisiere[offset]
        assert law is not None and figures is not None
        rows = where[block.offset[where] == offset]
        start, _ = _given(block.start[rows], LONG_AGO)
        end, _ = _given(block.end[rows], law.last_day)
        _days, _partial, prorated = activity_days(VECTOR, law, start, end)
        pc = 100 * np.broadcast_to(np.asarray(prorated, dtype=np.int64), rows.shape)  # the prorated PASS, cents
        income = np.maximum(block.cents[rows], 0)
        amounts = [out[key][rows] for key in CONTRIBUTIONS]
        if flat_rate:
            at = amounts
        else:
            # The amounts for min(R, limit × PASS): the same rules on the same rows with that income.
            parts = {
                f.name: (value[rows] if isinstance(value, np.ndarray) else value)
                for f in fields(_Block)
                for value in (getattr(block, f.name),)
            }
            parts["cents"] = np.minimum(block.cents[rows], limit(pc, figures.croisiere_limite))
            temporary = {key: np.zeros(len(rows), dtype=np.int64) for key in out if key not in RIGHTS_COLUMNS}
            _compute(law, _Block(**parts), slice(None), temporary)
            at = [temporary[key] for key in CONTRIBUTIONS]
        _debut, croisiere = factors(VECTOR, figures, income, pc, None, figures.croisiere_taux, flat=flat_rate)
        off_total = np.zeros(len(rows), dtype=np.int64)
        for key, amount, found in zip(
            CONTRIBUTIONS, amounts, exemptions(VECTOR, amounts, at, at, None, croisiere), strict=True
        ):
            off = np.broadcast_to(np.asarray(found.amount, dtype=np.int64), rows.shape)
            out[key][rows] = amount - off
            off_total += off
        out["total"][rows] = out["total"][rows] - off_total


# --------------------------------------------------------------------------------------------------------------
# The batch


def simulate_many(
    columns: Mapping[str, Sequence[Any] | npt.NDArray[Any]] | Any,
    *,
    provisional: bool = False,
    law: Law | None = None,
    rights: bool = False,
    forfait: bool = False,
) -> Any:
    """Every contribution of many situations, equal to `simulate` row by row (see the module docstring).

    `columns`: `year`, `profession`, `income` and optionally `id`, `start_date`, `end_date`, `acre`, `rsa`,
    `income_is_net`, as a mapping of NumPy arrays or lists, a Polars DataFrame or a PyArrow Table. `profession` may
    be given as text or encoded: a PyArrow dictionary array (in a mapping, or a dictionary column of a Table; a
    Polars Categorical or Enum column is read as one), e.g.
    `pyarrow.DictionaryArray.from_arrays(codes, ["artisan", "commercant", "liberal"])` from a NumPy integer code
    array; each category is read as the same text would be, and a row whose category is not a profession (or
    null) is refused with the same message, naming the row. Returns the
    whole-euro amounts (int64) of maladie_maternite, indemnites_journalieres, retraite_base, retraite_complementaire,
    invalidite_deces, allocations_familiales, csg_crds, formation_professionnelle and total, with `id` first when
    given: a dict of NumPy arrays, or a Polars DataFrame / PyArrow Table for such an input. With a
    `conjoint_collaborateur` column (an option of `Situation.conjoint_collaborateur` or null per row), the columns
    `conjoint_indemnites_journalieres`, `conjoint_retraite_base`, `conjoint_retraite_complementaire`,
    `conjoint_invalidite_deces` (0 on a row without a conjoint) come before `total`, which includes them. With a row
    of a health section (`section` carmf, carpimko, carcdsf, cavp, with `secteur`, `metier`, `remplacant`; the CNBF's
    `classe_cnbf`), the columns `pcv`, `contribution_maladie_additionnelle`, `curps` (`contributions.pamc.EXTRAS`,
    0 on other rows) come before `total`, which includes them. Raises
    `RowInputError` for the first invalid row, `LawError` for law figures the exact integer method cannot hold.

    `provisional=True` computes each year with the law of its provisional contributions (`provisional_snapshot`:
    in 2025 the former rules with the 2025 PASS, as URSSAF called them — the échéancier's amounts).

    `law`: the parameters (`echeancier.law.Law`, e.g. an organism's overridden figures; picklable, so that a worker
    process can receive it); by default the law shipped with the package.

    `forfait=True` gives instead the provisional contributions of the first two years on the flat-rate base
    (`Simulation.forfait` of each row, `contributions.year.forfait`; the income is not read): for rows in their
    first two years of activity, with a `start_date` (the échéancier's `schedule.amounts.forfait`).
    """
    _keep_freed_memory()
    law = law or load_law()
    problems = _Problems()
    kind, cols = _read(columns, problems)
    years = _years_of(cols, law, provisional)
    conjoint = () if cols.conjoint is None else conjoint_collaborateur.COLUMNS
    # A health section's PCV, contribution additionnelle and CURPS, when a row has such a section.
    given = cols.section_names is not None  # without a section column every code is 0: no pass over the rows
    health = pamc.EXTRAS if given and np.isin(cols.section, HEALTH_CODES).any() else ()
    keys = (*CONTRIBUTIONS, *conjoint, *health, "total", *(RIGHTS_COLUMNS if rights else ()))
    # Every row is written, or an error raised; the conjoint's columns only on the rows of a conjoint collaborateur.
    out = {key: (np.zeros if key in conjoint or key in health else np.empty)(cols.n, dtype=np.int64) for key in keys}
    figures_of = _rights_of(years, law, provisional) if rights else None
    fallback = np.zeros(cols.n, dtype=np.bool_)
    blocks = [slice(begin, min(begin + CHUNK, cols.n)) for begin in range(0, cols.n, CHUNK)]
    found = list(problems.found)
    if len(blocks) > 1 and WORKERS > 1:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for result in pool.map(lambda s: _run_block(cols, years, s, out, fallback, figures_of, forfait), blocks):
                found.extend(result)
    else:
        for s in blocks:
            found.extend(_run_block(cols, years, s, out, fallback, figures_of, forfait))
    if found:
        # A row the scalar engine checks, before the first invalid row the arrays found, is reported as a single
        # situation reports it; and that row too when the arrays found only a check across fields there: a type
        # of a field they do not read (SCALAR_FIELDS, the section's fields) comes first in a Situation.
        row, rank = min(found)[:2]
        end = row + 1 if rank >= len(FIELDS) else row
        for i in np.flatnonzero(cols.net[:end] | cols.by_scalar[:end]):
            _scalar_row(cols, int(i), out, law, provisional, forfait)
    _raise_first(found)
    for i in np.flatnonzero(fallback):
        _scalar_row(cols, int(i), out, law, provisional, forfait)
    return _wrap(kind, out, cols.ids)


def _years_of(cols: _Columns, law: Law, provisional: bool = False) -> _Years:
    """The law of every covered year present in the batch (built before the blocks run in threads)."""
    covered = supported_years(law)
    present = np.zeros(len(covered), dtype=np.bool_)
    if cols.n:
        low, high = int(cols.year.min()), int(cols.year.max())
        if low == high:  # one income year (a yearly batch): no pass over the rows beyond the two reductions
            if covered.start <= low < covered.stop:
                present[low - covered.start] = True
        else:
            offset = cols.year.astype(np.int64) - covered.start
            inside = (offset >= 0) & (offset < len(covered))
            present = np.bincount(offset[inside], minlength=len(covered)) > 0
    return _Years(
        first=covered.start,
        laws=tuple(_figures(law, year, provisional) if present[i] else None for i, year in enumerate(covered)),
        mayotte=tuple(
            _mayotte(law, year, provisional) if present[i] and cols.mayotte.any() else None
            for i, year in enumerate(covered)
        ),
        sections=_sections_of(cols, law, covered, provisional),
        covered=covered,
        first_day=np.array([_day(date(year, 1, 1)) for year in covered], dtype=np.int64),
        last_day=np.array([_day(date(year, 12, 31)) for year in covered], dtype=np.int64),
        croisiere=tuple(
            overseas_figures(provisional_snapshot(year, law) if provisional else snapshot_of(law, year))
            if present[i]
            else None
            for i, year in enumerate(covered)
        ),
    )


def _rights_of(years: _Years, law: Law, provisional: bool) -> dict[int, RightsFigures]:
    """The figures of the rights of every income year of the batch (`echeancier.rights`)."""
    found: dict[int, RightsFigures] = {}
    for i, figures in enumerate(years.laws):
        if figures is not None:
            year = years.covered[i]
            found[year] = rights_figures(
                provisional_snapshot(year, law) if provisional else snapshot_of(law, year), law
            )
    return found


def _figures(law: Law, year: int, provisional: bool) -> Figures:
    return (provisional_snapshot(year, law) if provisional else snapshot_of(law, year)).exact


def _sections_of(cols: _Columns, law: Law, covered: range, provisional: bool) -> dict[tuple[int, int], Figures]:
    """The law of each section present in the batch, for each covered year present with it."""
    found: dict[tuple[int, int], Figures] = {}
    if cols.section_names is None:  # no section column
        return found
    chosen = cols.section > 0
    if not chosen.any():
        return found
    offsets = cols.year[chosen].astype(np.int64) - covered.start
    for offset, code in set(zip(offsets.tolist(), cols.section[chosen].tolist(), strict=True)):
        if 0 <= offset < len(covered):
            year = covered[offset]
            base = provisional_snapshot(year, law) if provisional else snapshot_of(law, year)
            found[offset, code] = section_snapshot(base, SECTIONS[code - 1], law).exact
    return found


def _mayotte(law: Law, year: int, provisional: bool) -> Figures | None:
    found = mayotte_snapshot(provisional_snapshot(year, law) if provisional else snapshot_of(law, year), law)
    return None if found is None else found.exact


def _day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _scalar_row(
    cols: _Columns, i: int, out: dict[str, I64], law: Law, provisional: bool = False, forfait: bool = False
) -> None:
    """One row through the scalar engine: an income given net of contributions (solved by a search), or a row
    with a field of SCALAR_FIELDS."""
    from echeancier.contributions.engine import simulate

    raw = cols.income_raw[i]
    profession = cols.profession[i]
    situation = {
        "year": int(cols.year[i]),
        "profession": PROFESSIONS[int(profession)] if cols.coded else _text(profession),
        "income": raw.item() if isinstance(raw, np.generic) else raw,
        "start_date": None if cols.start[i] == NAT else date.fromisoformat(_iso(cols.start[i])),
        "end_date": None if cols.end[i] == NAT else date.fromisoformat(_iso(cols.end[i])),
        "acre": bool(cols.acre[i]),
        "rsa": bool(cols.rsa[i]),
        "income_is_net": bool(cols.net[i]),
        "department": None if cols.department is None else cols.department[i],
        "conjoint_collaborateur": None if cols.conjoint is None else conjoint_collaborateur.OPTIONS[cols.conjoint[i]],
        "section": pamc.section_name(SECTIONS[cols.section[i] - 1]) if cols.section[i] > 0 else _section_name(cols, i),
        **{name: values[i] for name, values in cols.own.items() if values[i] is not None},
        **{name: values[i] for name, values in cols.variants.items() if values[i] is not None},
    }
    try:
        year = situation["year"]
        result = simulate(situation, provisional_snapshot(year, law) if provisional else snapshot_of(law, year))
    except InputError as error:
        raise RowInputError(i, error.field, error.message) from None
    if forfait and result.forfait is not None:
        result = result.forfait  # the flat-rate base of the first two years, as the arrays give it
    for key, amount in zip(CONTRIBUTIONS, result.amounts, strict=True):
        out[key][i] = amount
    for key, amount in zip(conjoint_collaborateur.COLUMNS, result.conjoint_amounts, strict=False):
        out[key][i] = amount
    for key, amount in zip(pamc.EXTRAS, result.section_amounts, strict=False):
        out[key][i] = amount
    out["total"][i] = int(result.total)
    if RIGHTS_COLUMNS[0] in out:
        for key, value in zip(RIGHTS_COLUMNS, rights_columns_of(result.rights), strict=True):
            out[key][i] = value


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _wrap(kind: str, out: dict[str, I64], ids: Any) -> Any:
    if kind == "polars":
        import polars as pl

        columns: dict[str, Any] = {} if ids is None else {"id": ids}
        columns.update(out)
        return pl.DataFrame(columns)
    if kind == "arrow":
        import pyarrow as pa

        arrays: dict[str, Any] = {} if ids is None else {"id": ids}
        arrays.update(out)
        return pa.table(arrays)
    if ids is None:
        return out
    return {"id": _array(ids), **out}
