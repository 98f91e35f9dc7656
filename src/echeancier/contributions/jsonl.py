"""`echeancier simulate --jsonl` in chunks: the same lines as one `simulate(...).to_dict()` per line, much faster.

A chunk of lines is read (`CHUNK` lines, or fewer when no more input is waiting, so that a conversation through a
pipe still gets each answer at once). A line of the common shape (`read_common`: an ASCII object of the usual keys,
each of the exact JSON type the model reads as is) is parsed by msgspec and checked without pydantic, to the values
the input layer gives it; every other line goes through the one input layer as before (`loads_json`, then
`Situation`): a bad line gives the same `{"id", "line", "error"}` object in its place. The valid lines are then
computed together, by income year, profession and ACRE group, with the rules evaluated on NumPy columns
(`contributions.vectorized.VECTOR`, the machinery of `simulate_many`) through `engine.of_year`, the function the
scalar engine uses.

The explanation is the scalar one, run on columns (`contributions.traced`): `engine.simulation_of` and
`Simulation.to_dict()` are called once per group of rows that take the same path through the explanation, with
traced columns in place of ints; the result is a template — every text, key and law figure as `json.dumps` writes
it, and a slot for each number that differs by row — filled row by row with the numbers written as `json.dumps`
writes the scalar path's `Decimal`s (a column at once, `_floats`), in UTF-8 (`chunk_bytes`). Incomes given net
of contributions (`income_is_net`, a search), rows with a département (their own law) and any row whose year
cannot be read take the scalar path, line by line (`scalar_line`), which is also the reference the tests compare
with, byte for byte.

A long input is computed by two processes, each writing its chunks to the output file itself when their turn comes
(`_chunk_written`), so that the text of a chunk never travels between processes.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import operator
import os
import re
import select
import stat
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any, cast

import numpy as np
import numpy.typing as npt

from echeancier.contributions import conjoint_collaborateur, engine
from echeancier.contributions.context import AcreRows, Rows
from echeancier.contributions.exact import SCALAR
from echeancier.contributions.result import CONTRIBUTIONS, Simulation, _num
from echeancier.contributions.situation import (
    MAX_ID,
    MAX_INCOME,
    ConjointCollaborateur,
    Profession,
    Situation,
    situation_from_mapping,
)
from echeancier.contributions.traced import TRACED, Column, Ratio, Tracer
from echeancier.contributions.vectorized import SCALAR_FIELDS, VECTOR
from echeancier.contributions.year import LONG_AGO, Cotisations
from echeancier.kernel.inputs import (
    MAX_JSON_BYTES,
    InputError,
    check_text,
    iter_lines,
    loads_json,
    parse_date,
    parse_euros,
)
from echeancier.law.loader import Law, LawError, load_law
from echeancier.law.snapshot import EPOCH, Figures, LawSnapshot, snapshot_of, supported_years

CHUNK = 20_000  # lines read, checked and computed together; memory is bounded by it (about 350 MB a process)
MAX_WORKERS = 2  # processes computing chunks at once, by default (at most one per CPU)
_PROFESSIONS = tuple(Profession)
_PROFESSION_CODES = {profession: code for code, profession in enumerate(_PROFESSIONS)}
_Texts = npt.NDArray[np.object_]  # a text for each row of a group
_PER_EXACT = 10**11  # the largest divisor whose quotients `_texts` writes from floats (see there)
_FLOAT_EXACT = 1 << 53


def scalar_line(number: int, raw: bytes, law: Law | None = None) -> tuple[str, bool] | None:
    """The output of one line by the scalar engine (None for a blank line), and whether it is an error. `law`: the
    parameters (the packaged law when None)."""
    if not raw.strip():
        return None
    ident: Any = None
    try:
        if len(raw) > MAX_JSON_BYTES:
            raise InputError("json", f"ligne trop longue (plus de {MAX_JSON_BYTES} octets)")
        data = loads_json(raw)
        if isinstance(data, dict):
            ident = echoable_id(data.get("id"))
        return json.dumps(engine.simulate(data, law).to_dict(), ensure_ascii=False), False
    except (InputError, LawError) as error:
        return _error(ident, number, error), True


def _error(ident: Any, number: int, error: Exception) -> str:
    return json.dumps({"id": ident, "line": number, "error": one_line(str(error))}, ensure_ascii=False)


def one_line(text: str) -> str:
    """A message on one line (a JSON Lines error object never spans two)."""
    return " ".join(text.split())


def echoable_id(value: Any) -> str | int | float | None:
    """The input's id as it can be echoed back in valid JSON (an object or a NaN cannot)."""
    import math

    if isinstance(value, Decimal):  # a number with a fraction, read exactly
        value = float(value) if value.is_finite() and abs(value.adjusted()) < 300 else None
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run(stream: IO[bytes], out: IO[str], chunk: int = CHUNK, workers: int | None = None, law: Law | None = None) -> int:
    """Simulate one JSON situation per line of `stream`, one JSON result per line to `out`, in order; 0 if every
    line was simulated, 1 otherwise (see the module docstring). `law`: the parameters every line is computed with
    (an organism's, `law.loader.load_directory`; the packaged law when None), on both paths and in every process.

    `workers`: processes computing chunks in parallel (by default one per CPU, at most `MAX_WORKERS`). They start
    only once a first chunk came full (a long input); a short input or a conversation is answered in this process.
    At most `workers` chunks are in flight, so memory stays bounded by the chunk size.
    """
    law = law or load_law()
    batches = chunks(stream, chunk)
    first = next(batches, None)
    if first is None:
        return 0
    count = min(MAX_WORKERS, os.cpu_count() or 1) if workers is None else workers
    if count <= 1 or len(first) < chunk:
        return run_lines(itertools.chain([first], batches), out, law)
    return _in_processes(itertools.chain([first], batches), out, count, chunk, law)


def _in_processes(batches: Iterator[list[bytes]], out: IO[str], workers: int, chunk: int, law: Law) -> int:
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    status = 0
    pending: deque[Future[Any]] = deque()
    import codecs

    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        fd: int | None = out.fileno()
    except (OSError, ValueError, AttributeError):  # not a file: the chunks' texts come back to this process
        fd = None
    if codecs.lookup(encoding).name != "utf-8":  # (utf-8-sig would write its mark before every slice)
        fd = None
    out.flush()

    def write_first() -> None:
        nonlocal status
        result = pending.popleft().result()
        if fd is not None:
            status |= result
            return
        text, failed = result
        status |= failed
        if text:
            out.write(text)
            out.flush()

    for year in supported_years(law):  # the law read once, before the fork, not by each process
        try:
            snapshot_of(law, year)
        except LawError:
            pass  # the rows of that year get the scalar path's message
    context = multiprocessing.get_context("fork")
    # The law reaches each process as the initializer's argument (with `fork`, the object itself, its snapshots
    # built above included: nothing is pickled), as the campaign's reaches its workers (`schedule.campaign_run`).
    writer: tuple[Any, ...] | None = None
    if fd is not None:
        # Each process writes its chunk's bytes to `out`'s file itself, in the order of the chunks (its turn
        # comes when the chunk before it was written): the texts never travel between processes.
        turn = context.Value("q", 0, lock=False)
        errors = getattr(out, "errors", None) or "strict"
        writer = (context.Condition(), turn, fd, encoding, errors)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker, initargs=(law, writer))
    try:
        number = 1
        index = 0
        for batch in batches:
            if fd is None:
                pending.append(pool.submit(_chunk_text, batch, number))
            else:
                pending.append(pool.submit(_chunk_written, batch, number, index))
            number += len(batch)
            index += 1
            while len(pending) > workers or (pending and pending[0].done()):
                write_first()
            if len(batch) < chunk:  # the input paused: answer everything before waiting for more
                while pending:
                    write_first()
        while pending:
            write_first()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return status


def _chunk_text(lines: list[bytes], first_number: int) -> tuple[str, bool]:
    texts, failed = simulate_chunk(lines, first_number, _LAW)
    return ("\n".join([*texts, ""]) if texts else ""), failed


_WRITER: Any = None  # in a worker process: how it writes its chunks (`_worker`)
_LAW: Law | None = None  # in a worker process: the law of the run (`_worker`)


class OutputFailed(Exception):
    """A worker process could not write its chunk to the output (`error`: why), which the command reports as a
    failed write of its standard output."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def _worker(law: Law, writer: tuple[Any, ...] | None) -> None:
    global _LAW, _WRITER
    _LAW = law
    _WRITER = writer


def _chunk_written(lines: list[bytes], first_number: int, index: int) -> bool:
    """Compute chunk number `index` and write it to the output when its turn comes; whether a line failed."""
    condition, turn, fd, _utf8, errors = _WRITER
    data: list[bytes] = []
    try:  # (the output's encoding is UTF-8: `_in_processes`)
        texts, failed = chunk_bytes(lines, first_number, errors, _LAW)
        data = list(_slices(texts))  # joined before the turn comes
        del texts
    finally:  # the turn passes even if the chunk failed, so that no other process waits for it forever
        with condition:
            condition.wait_for(lambda: turn.value == index)
        try:
            for piece in data:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view) :]
        except OSError as error:  # the reader went away, the disk is full…
            raise OutputFailed(error) from None
        finally:
            with condition:
                turn.value = index + 1
                condition.notify_all()
    return failed


def run_lines(batches: Iterable[list[bytes]], out: IO[str], law: Law | None = None) -> int:
    status = 0
    number = 0
    binary = _utf8_buffer(out)
    for batch in batches:
        if binary is not None:  # the lines' UTF-8 written as it is, after what `out` holds
            data, failed = chunk_bytes(batch, number + 1, getattr(out, "errors", None) or "strict", law)
            out.flush()
            try:
                for piece in _slices(data):
                    binary.write(piece)
                binary.flush()
            except OSError as error:  # the reader went away, the disk is full… (as from the worker processes)
                raise OutputFailed(error) from None
        else:
            texts, failed = simulate_chunk(batch, number + 1, law)
            for text in _text_slices(texts):
                out.write(text)
            out.flush()
        number += len(batch)
        if failed:
            status = 1
    return status


def _utf8_buffer(out: IO[str]) -> IO[bytes] | None:
    """The binary file under `out` when `out` writes UTF-8 (without a mark) to it, else None."""
    import codecs

    buffer = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    if buffer is None or not isinstance(encoding, str) or codecs.lookup(encoding).name != "utf-8":
        return None
    return cast(IO[bytes], buffer)


_SLICE = 256  # lines joined into one text to write


def _slices(texts: list[bytes]) -> Iterator[bytes]:
    """The output of `texts`, a line each, by slices of `_SLICE` lines: the text of a whole chunk is never held
    twice."""
    for start in range(0, len(texts), _SLICE):
        lines = texts[start : start + _SLICE]
        lines.append(b"")  # the last line's end, without copying the slice's text again
        yield b"\n".join(lines)


def _text_slices(texts: list[str]) -> Iterator[str]:
    """`_slices` for texts (a line holding a character beyond Latin-1, a narrow no-break space, widens only its
    slice)."""
    for start in range(0, len(texts), _SLICE):
        lines = texts[start : start + _SLICE]
        lines.append("")
        yield "\n".join(lines)


def chunks(stream: IO[bytes], size: int = CHUNK) -> Iterator[list[bytes]]:
    """The lines of `stream` (`iter_lines`: a line longer than the JSON limit is cut) by lists of at most `size`;
    a list ends early when no more input is waiting, so that each answer of a conversation comes at once."""
    try:
        fd: int | None = stream.fileno()
        if stat.S_ISREG(os.fstat(cast(int, fd)).st_mode):
            fd = None  # a file's next line is always waiting (select says so at once): not asked for each line
    except (OSError, ValueError, AttributeError):
        fd = None
    batch: list[bytes] = []
    for line in iter_lines(stream):
        batch.append(line)
        if len(batch) >= size or (fd is not None and not _waiting(fd)):
            yield batch
            batch = []
    if batch:
        yield batch


def _waiting(fd: int) -> bool:
    try:
        return bool(select.select([fd], [], [], 0)[0])
    except (OSError, ValueError):
        return True


@dataclass(slots=True)
class _Row:
    """A valid line to compute in a batch: what the batch reads of its Situation (the fields of the common shape,
    `read_common`), its id as JSON and its income in cents."""

    index: int  # position in the chunk's output
    number: int  # line number in the input
    raw: bytes
    year: int
    profession: Profession
    start_date: date | None
    end_date: date | None
    acre: bool
    rsa: bool
    conjoint_collaborateur: ConjointCollaborateur | None
    ident: str  # the id as json.dumps writes it
    cents: int
    deficit: bool
    law: Law  # the parameters of the run

    @property
    def situation(self) -> Situation:
        """The line's Situation read by the input layer (for the few rows explained one by one)."""
        return situation_from_mapping(loads_json(self.raw), law=self.law)


_FIELDS = operator.attrgetter(
    "cents", "start_date", "end_date", "acre", "rsa", "profession", "deficit", "conjoint_collaborateur"
)
_COMMON_KEYS = frozenset(
    ("id", "year", "profession", "income", "start_date", "end_date", "acre", "rsa", "conjoint_collaborateur")
)
_COMMON_PROFESSIONS = {p.value: p for p in (Profession.artisan, Profession.commercant, Profession.liberal)}
_OPTIONS = {option.value: option for option in ConjointCollaborateur}
_decode: Any = None


def read_common(raw: bytes, years: range) -> tuple[Any, ...] | None:
    """The fields of a line of the common shape, read without pydantic, or None: then the line goes through the
    input layer (`loads_json`, `Situation`), which reads it or gives its error.

    The common shape: an ASCII JSON object of at most `MAX_JSON_BYTES` whose keys are among `_COMMON_KEYS`, each
    value of the exact JSON type the model reads without conversion (an int year of the law's years, one of the
    three professions, an income read by `parse_euros`, ISO dates read by `parse_date`, true/false, an int id of
    less than 2^53 or a text id that `check_text` takes) and the dates coherent as `Situation` checks them. Such a
    line is read by the input layer to the same values (`tests/test_jsonl_fast.py` checks it on random and hostile
    lines); anything else, valid or not, returns None. The JSON is parsed by msgspec, numbers with a fraction as
    `Decimal` of their text as `loads_json` does; a key given twice is seen by counting the colons of the line (one
    per key of a flat object, none in the values taken), and non-ASCII lines, whose encoding the input layer checks,
    are left to it."""
    global _decode
    if not raw.isascii() or len(raw) > MAX_JSON_BYTES or raw.count(b"{") != 1 or b"[" in raw:
        return None  # not a flat object (nor one whose texts hold brackets): never nested deeper than one level
    if _decode is None:
        import msgspec

        _decode = msgspec.json.Decoder(float_hook=Decimal).decode
    try:
        data = _decode(raw)
    except (ValueError, RecursionError):  # msgspec.DecodeError
        return None
    if type(data) is not dict or raw.count(b":") != len(data) or not _COMMON_KEYS.issuperset(data):
        return None
    get = data.get
    year = get("year")
    profession = get("profession")
    if type(year) is not int or year not in years or type(profession) is not str:
        return None
    profession = _COMMON_PROFESSIONS.get(profession)
    acre = get("acre", False)
    rsa = get("rsa", False)
    if profession is None or type(acre) is not bool or type(rsa) is not bool:
        return None
    income = get("income")
    kind = type(income)
    if kind is not int and kind is not Decimal:
        return None
    ident = get("id")
    if ident is None:
        ident_text = "null"
    elif type(ident) is int:
        if abs(ident) >= MAX_ID:
            return None
        ident_text = str(ident)  # as json.dumps writes an int
    elif type(ident) is not str:
        return None
    option = get("conjoint_collaborateur")
    if option is not None:
        if type(option) is not str or option not in _OPTIONS:
            return None
        option = _OPTIONS[option]
    start = get("start_date")
    end = get("end_date")
    try:
        amount = parse_euros(income, "income", maximum=MAX_INCOME, negative=True)
        if type(ident) is str:
            ident_text = json.dumps(check_text(ident, "id"), ensure_ascii=False)
        if start is not None:
            if type(start) is not str:
                return None
            start = parse_date(start, "start_date")
            if start.year > year:
                return None
        if end is not None:
            if type(end) is not str:
                return None
            end = parse_date(end, "end_date")
            if end.year != year or (start is not None and end < start):
                return None
    except InputError:
        return None
    if acre and start is None:
        return None
    return year, profession, start, end, acre, rsa, option, ident_text, amount


def simulate_chunk(lines: list[bytes], first_number: int, law: Law | None = None) -> tuple[list[str], bool]:
    """The output lines of a chunk of input lines (numbered from `first_number`), and whether any failed, under
    `law` (the packaged law when None)."""
    texts, failed = chunk_bytes(lines, first_number, "surrogatepass", law)
    return [text.decode("utf-8", "surrogatepass") for text in texts], failed


def chunk_bytes(
    lines: list[bytes], first_number: int, errors: str = "strict", law: Law | None = None
) -> tuple[list[bytes], bool]:
    """The output lines of a chunk as UTF-8 (`errors`: how a text of the scalar path is encoded, as the output
    would encode it), and whether any failed, under `law` (the packaged law when None): the explained rows are
    joined from UTF-8 pieces, never encoded as a whole."""
    law = law or load_law()
    texts: list[Any] = []
    failed = False
    by_year: dict[int, list[_Row]] = {}
    years = supported_years(law)
    for offset, raw in enumerate(lines):
        number = first_number + offset
        if not raw.strip():
            continue
        common = read_common(raw, years)
        if common is not None:
            year, profession, start, end, acre, rsa, option, ident_text, income = common
        else:
            ident: Any = None
            try:
                if len(raw) > MAX_JSON_BYTES:
                    raise InputError("json", f"ligne trop longue (plus de {MAX_JSON_BYTES} octets)")
                data = loads_json(raw)
                if isinstance(data, dict):
                    ident = echoable_id(data.get("id"))
                situation = situation_from_mapping(data, law=law)
            except (InputError, LawError) as error:
                texts.append(_error(ident, number, error).encode("utf-8", errors))
                failed = True
                continue
            own = any(getattr(situation, name) for name in SCALAR_FIELDS)
            if situation.income_is_net or situation.department is not None or situation.section is not None or own:
                # Line by line: net incomes (a search), the collectivités of L751-1 and Mayotte (their own law), the
                # professions libérales réglementées (their section's law, `professions_liberales`) and the
                # exemptions of a contributor's own situation (`vectorized.SCALAR_FIELDS`).
                done = scalar_line(number, raw, law)
                assert done is not None
                texts.append(done[0].encode("utf-8", errors))
                failed |= done[1]
                continue
            ident = situation.id
            if ident is None:
                ident_text = "null"
            elif type(ident) is int:
                ident_text = str(ident)  # as json.dumps writes an int
            else:
                ident_text = json.dumps(ident, ensure_ascii=False)
            year, profession, start, end = (
                situation.year,
                situation.profession,
                situation.start_date,
                situation.end_date,
            )
            acre, rsa, option, income = (
                situation.acre,
                situation.rsa,
                situation.conjoint_collaborateur,
                situation.income,
            )
        _, cents, deficit = engine.counted_income(income)
        row = _Row(
            len(texts), number, raw, year, profession, start, end, acre, rsa, option, ident_text, cents, deficit, law
        )
        by_year.setdefault(year, []).append(row)
        texts.append(b"")
    for year, rows in by_year.items():
        try:
            figures = snapshot_of(law, year)
        except LawError:
            for row in rows:  # the scalar path gives the same error, line by line
                done = scalar_line(row.number, row.raw, law)
                assert done is not None
                texts[row.index] = done[0].encode("utf-8", errors)
                failed |= done[1]
            continue
        _year(figures, rows, texts)
    return texts, failed


def _year(law: LawSnapshot, rows: list[_Row], texts: list[bytes]) -> None:
    """The rows of one income year: grouped by what the explanation needs constant (profession, ACRE kept,
    deficit), computed on columns, explained by path."""
    figures = law.exact
    n = len(rows)
    # The rows' fields as columns, in one pass over the rows.
    fields = zip(*map(_FIELDS, rows), strict=True)
    cents_, starts, ends, acres, rsas, professions, deficits, codes = (list(column) for column in fields)
    cents = np.array(cents_, dtype=np.int64)
    start = np.array([LONG_AGO if d is None else d.toordinal() - EPOCH for d in starts], dtype=np.int64)
    end = np.array([figures.last_day if d is None else d.toordinal() - EPOCH for d in ends], dtype=np.int64)
    acre = np.array(acres, dtype=np.bool_)
    minimums = ~np.array(rsas, dtype=np.bool_)
    profession = np.array([_PROFESSION_CODES[p] for p in professions], dtype=np.intp)
    deficit = np.array(deficits, dtype=np.bool_)
    first = np.array([engine.in_first_years(cast(Situation, row), law) for row in rows], dtype=np.bool_)
    metropole = np.zeros(n, dtype=np.bool_)  # rows with a département take the scalar path
    option = np.array([conjoint_collaborateur.code(o) for o in codes], dtype=np.int64)
    conjoint = option if option.any() else None
    whole = engine.of_year(VECTOR, figures, cents, start, end, acre, minimums, profession, metropole, conjoint=conjoint)
    kept = np.zeros(n, dtype=np.bool_)
    if whole.rows.acre is not None:
        kept[whole.rows.acre.rows] = True
    rsa = ~minimums
    # A group: whether the rules carry an ACRE exemption (the traced rows then hold its values), and the conjoint
    # collaborateur's option (its block of lines, the CFP's rate), constants of the explanation.
    options = len(conjoint_collaborateur.OPTIONS)
    key = kept * options + option
    for value in np.unique(key).tolist():
        where = np.flatnonzero(key == value)
        code = value % options
        part = engine.of_year(
            VECTOR,
            figures,
            cents[where],
            start[where],
            end[where],
            acre[where],
            minimums[where],
            profession[where],
            metropole[where],
            conjoint=option[where] if code else None,
        )
        group = _Group(law, [rows[i] for i in where], profession[where], rsa[where], deficit[where], first[where])
        if code:
            group.conjoint = ConjointCollaborateur(conjoint_collaborateur.OPTIONS[code])
        group.explain(part, cents[where], texts)


class _Id:
    """Where the id of each row goes in a template."""


class _Part:
    """Where an explained part of each row (a line, the flat-rate block) goes in a template."""

    def __init__(self, name: str) -> None:
        self.name = name


@dataclass(slots=True)
class _Standin:
    """What the explanation reads of a Situation, for a group of rows (the rights read the activity start and
    ACRE: `_Group.rights`)."""

    id: _Id
    year: int
    profession: Profession
    rsa: bool = False
    start_date: date | None = None
    end_date: None = None
    acre: bool = False
    conjoint_collaborateur: ConjointCollaborateur | None = None


class _Start(date):
    """The activity start of the rows of a run of the rights: a date (the probe's) for what reads the date itself
    — the affiliation date of the IJ, whose text is a slot (`_Strings`) — and each row's own day (a column) for
    `day_number`, through `toordinal`."""

    ordinals: Any

    def toordinal(self) -> Any:
        return self.ordinals


@dataclass(slots=True)
class _Strings:
    """A text that differs by row inside a constant of a template (the affiliation date of each row), JSON-escaped,
    for every row of the group."""

    values: _Texts


class _RightsPart:
    """The rights of each row in the explanation of the whole row, written by their own part."""

    def to_dict(self) -> Any:
        return _Part(_RIGHTS)


@dataclass(slots=True)
class _PartLine:
    """A line in the explanation of the whole row, written by its own part."""

    key: str
    part: _Part

    def to_dict(self) -> Any:
        return self.part


class _NoForfait:
    """The flat-rate block in the explanation of the whole row, written by its own part."""

    assiette_sociale = None
    total = None
    lines = ()
    conjoint_amounts = ()  # the block, a conjoint's included, is its own part


_ID = _Id()


def _standin(year: int, profession: int, rsa: bool = False, conjoint: ConjointCollaborateur | None = None) -> Situation:
    return cast(Situation, _Standin(_ID, year, _PROFESSIONS[profession], rsa, conjoint_collaborateur=conjoint))


_FORFAIT = "forfait_debut_activite"
_RIGHTS = "rights"


@dataclass(slots=True)
class _Group:
    """Rows of one year and ACRE exemption (present in the rules or not), explained together.

    The lines read neither the situation nor the notes: they are explained for the whole group. What reads a
    constant of the situation — the RSA (the rights say what it changes), a deficit (a note), the first years (the
    flat-rate block) — is explained by subgroup of those, and what reads the profession — the CFP line and the
    flat-rate block, which holds one — by profession."""

    law: LawSnapshot
    rows: list[_Row]
    profession: npt.NDArray[np.intp]  # codes, in the order of Profession
    rsa: npt.NDArray[np.bool_]
    deficit: npt.NDArray[np.bool_]
    first_years: npt.NDArray[np.bool_]
    dates: Any = None  # what the rights read of the activity start, by row (`rights`)
    conjoint: ConjointCollaborateur | None = None  # the conjoint collaborateur's option of every row

    def explain(self, year: engine.Year, cents: npt.NDArray[np.int64], texts: list[bytes]) -> None:
        """Build the traced simulation (once per path of its construction), then explain each part of it."""
        n = len(self.rows)
        left = np.ones(n, dtype=np.bool_)
        tracer = Tracer(left)
        column = tracer.column
        year_number = self.rows[0].year
        r = year.rows
        acre = None
        if r.acre is not None:
            a = r.acre
            acre = AcreRows(True, column(a.pass_proratise), column(a.num), column(a.den), column(a.assiette))
        traced_rows = Rows(
            r.law,
            column(r.assiette),
            column(r.assiette_u),
            None,
            column(r.pass_proratise),
            column(r.days),
            column(r.partial),
            column(r.minimums),
            column(r.outre_mer),
            column(r.anciennete),
            acre,
        )
        traces = tuple(type(t)(*(column(v) for v in t)) for t in year.computed.traces)
        computed = Cotisations(traces, column(year.computed.total))
        conjoint = None
        if year.conjoint is not None:
            c = year.conjoint
            conjoint_traces = tuple(type(t)(*(column(v) for v in t)) for t in c.traces)
            conjoint = conjoint_collaborateur.Conjoint(
                column(c.option), column(c.base), conjoint_traces, column(c.amount)
            )
        income = Ratio(column(cents), 100)  # the income retained is cents / 100 (`engine.counted_income`)
        abattement = None if year.abattement is None else column(year.abattement)
        base_csg = column(year.base_csg)
        cfp_column = column(year.cfp)
        idents = _texts_of([row.ident.encode() for row in self.rows])
        constants = self.rsa * 4 + self.deficit * 2 + self.first_years
        placeholders = tuple(_PartLine(key, _Part(key)) for key in CONTRIBUTIONS)
        forfait_placeholders = tuple(_PartLine(key, _Part(f"{_FORFAIT}.{key}")) for key in CONTRIBUTIONS)

        def simulation_of(rsa: bool, profession: int, notes: tuple[str, ...], first_years: bool) -> Simulation:
            situation = _standin(year_number, profession, rsa, self.conjoint)
            simulation = engine.simulation_of(
                situation,
                self.law,
                cast(Decimal, income),
                traced_rows,
                computed,
                base_csg,
                cfp_column,
                abattement,
                notes,
                first_years,
                conjoint,
            )
            object.__setattr__(simulation, "_lines", placeholders)  # each line is explained as its own part
            # The flat-rate block and the rights compute on the columns without splitting them into paths.
            explanation = cast(engine._Explanation, simulation.explanation)
            object.__setattr__(simulation, "explanation", dataclasses.replace(explanation, ops=TRACED))
            return simulation

        while left.any():
            trace = tracer.follow(left)
            simulation = simulation_of(False, 0, (), False)
            rows = trace.keep
            parts: dict[str, _Texts] = {}
            explanation = cast(engine._Explanation, simulation.explanation)
            for key, make in zip(CONTRIBUTIONS[:-1], explanation.line_makers()[:-1], strict=True):
                parts[key] = self._part(tracer, rows, lambda make=make: make().to_dict(), idents, parts)
            cfp_key = CONTRIBUTIONS[-1]
            parts[cfp_key] = _blank(n)
            cfps: dict[int, int] = {}
            for code in np.unique(self.profession[rows]).tolist():
                # The profession's own CFP (an int, as for one situation) and its line.
                chosen = rows & (self.profession == code)
                cfps[code] = int(year.cfp[int(np.argmax(chosen))])
                alone = _standin(year_number, code, conjoint=self.conjoint)
                own = dataclasses.replace(explanation, situation=alone, cfp=cfps[code])
                make_cfp = own.line_makers()[-1]
                done_cfp = self._part(tracer, chosen, lambda make=make_cfp: make().to_dict(), idents, parts)
                _merge(parts[cfp_key], done_cfp, chosen)
            parts[_RIGHTS] = _blank(n)
            first = rows & self.first_years
            if first.any():
                tracer.follow(first)  # the rows of `rows` share the path of the construction
                simulation = simulation_of(False, 0, (), True)
                parts[_FORFAIT] = self.forfait(tracer, first, simulation, idents, parts, forfait_placeholders, cfps)
            for value in np.unique(constants[rows]).tolist():
                rsa, deficit, first_years = bool(value & 4), bool(value & 2), bool(value & 1)
                chosen = rows & (constants == value)
                tracer.follow(chosen)  # the rows of `rows` share the path of the construction
                notes = (engine.DEFICIT,) if deficit else ()
                simulation = simulation_of(rsa, 0, notes, first_years)
                explanation = cast(engine._Explanation, simulation.explanation)
                _merge(parts[_RIGHTS], self.rights(tracer, chosen, explanation, idents, parts, rsa), chosen)
                object.__setattr__(simulation, "_rights", _RightsPart())  # explained as its own part

                def whole(simulation: Simulation = simulation, first_years: bool = first_years) -> Any:
                    object.__setattr__(simulation, "_forfait", (_NoForfait() if first_years else None,))
                    data = simulation.to_dict()
                    if first_years:
                        data[_FORFAIT] = _Part(_FORFAIT)
                    return data

                done = self._part(tracer, chosen, whole, idents, parts)
                for row, text in zip(np.flatnonzero(chosen).tolist(), done[chosen].tolist(), strict=True):
                    texts[self.rows[row].index] = text
            left &= ~rows

    def forfait(
        self,
        tracer: Tracer,
        rows: npt.NDArray[np.bool_],
        simulation: Simulation,
        idents: _Texts,
        parts: dict[str, _Texts],
        placeholders: tuple[_PartLine, ...],
        cfps: dict[int, int],
    ) -> _Texts:
        """The flat-rate block of `rows` (the first years): the provisional simulation is built once per path of
        its construction, its lines explained as parts (the CFP line by profession, with the profession's own
        CFP as for one situation), then the block written by `Simulation.to_dict`."""
        out = _blank(len(rows))
        left = rows.copy()
        object.__setattr__(simulation, "_rights", _RightsPart())
        cfp_key = CONTRIBUTIONS[-1]
        while left.any():
            trace = tracer.follow(left)
            object.__setattr__(simulation, "_forfait", None)  # computed again on this path
            provisional = simulation.forfait
            assert provisional is not None
            path = trace.keep
            explanation = cast(engine._Explanation, provisional.explanation)
            for key, make in zip(CONTRIBUTIONS[:-1], explanation.line_makers()[:-1], strict=True):
                name = f"{_FORFAIT}.{key}"
                parts[name] = self._part(tracer, path, lambda make=make: make().to_dict(), idents, parts)
            cfp_lines = _blank(len(rows))
            for code in np.unique(self.profession[path]).tolist():
                chosen = path & (self.profession == code)
                alone = _standin(provisional.year, code, conjoint=self.conjoint)
                own = dataclasses.replace(explanation, situation=alone, cfp=cfps[code])
                make_cfp = own.line_makers()[-1]
                _merge(cfp_lines, self._part(tracer, chosen, lambda m=make_cfp: m().to_dict(), idents, parts), chosen)
            parts[f"{_FORFAIT}.{cfp_key}"] = cfp_lines
            object.__setattr__(provisional, "_lines", placeholders)

            def block(simulation: Simulation = simulation) -> Any:
                return simulation.to_dict()[_FORFAIT]

            _merge(out, self._part(tracer, path, block, idents, parts), path)
            left &= ~path
        return out

    def rights(
        self,
        tracer: Tracer,
        rows: npt.NDArray[np.bool_],
        explanation: engine._Explanation,
        idents: _Texts,
        parts: dict[str, _Texts],
        rsa: bool,
    ) -> _Texts:
        """The rights part of `rows`, explained together by what the rights read of the situation as constants:
        whether an activity start is given, ACRE, and whether an affiliation date of the IJ is written. The start
        itself is a column (`_Start`), and the affiliation date, written in the JSON and in a sentence, a slot
        filled with each row's own (`rights.result.affiliation_date`, the function the scalar path calls)."""
        from echeancier.kernel.fmt import format_date
        from echeancier.rights import rights_figures
        from echeancier.rights.result import affiliation_date

        if self.dates is None:  # once per group
            figures = rights_figures(self.law)
            starts = [row.start_date for row in self.rows]
            reached = [affiliation_date(figures, start) for start in starts]
            key = np.fromiter(
                (
                    (start is not None) * 4 + row.acre * 2 + (day is not None)
                    for start, row, day in zip(starts, self.rows, reached, strict=True)
                ),
                dtype=np.intp,
                count=len(starts),
            )
            ordinals = np.fromiter(
                (0 if d is None else d.toordinal() for d in starts), dtype=np.int64, count=len(starts)
            )
            texts: dict[date | None, tuple[str, str]] = {None: ("", "")}
            for day in reached:
                if day not in texts:
                    assert day is not None
                    texts[day] = (_escaped(day.isoformat()), _escaped(format_date(day)))
            iso = _Strings(_texts_of([texts[day][0] for day in reached]))
            french = _Strings(_texts_of([texts[day][1] for day in reached]))
            self.dates = (starts, reached, key, ordinals, iso, french)
        starts, reached, key, ordinals, iso, french = self.dates
        out = _blank(len(rows))
        for value in np.unique(key[rows]).tolist():
            chosen = rows & (key == value)
            probe = int(np.argmax(chosen))
            start: date | None = None
            probe_start = starts[probe]
            if probe_start is not None:
                start = _Start(probe_start.year, probe_start.month, probe_start.day)
                start.ordinals = tracer.column(ordinals)
            year_of = self.rows[probe].year
            standin = _Standin(_ID, year_of, _PROFESSIONS[0], rsa, start, None, conjoint_collaborateur=self.conjoint)
            standin.acre = bool(value & 2)
            own = dataclasses.replace(explanation, situation=cast(Situation, standin))
            day = reached[probe]
            strings = None if day is None else {iso.values[probe]: iso, french.values[probe]: french}
            plans: list[Any] = []

            def alone(i: int, explanation: engine._Explanation = explanation, plans: list[Any] = plans) -> str:
                # A figure of each row written inside a sentence (the ACRE exemption's revenu cotisé, through
                # `format_euros`) cannot be traced: the rows of that path have their rights explained one by one,
                # by the same code on the row's own integers (`_plan`, made once).
                if not plans:
                    plans.append(_plan(dataclasses.replace(explanation, ops=SCALAR), {}))
                plan = plans[0]
                one = dataclasses.replace(plan(i) if plan else explanation, situation=self.rows[i].situation)
                return json.dumps(one.rights().to_dict(), ensure_ascii=False)

            done = self._part(tracer, chosen, lambda own=own: own.rights().to_dict(), idents, parts, strings, alone)
            _merge(out, done, chosen)
        return out

    @staticmethod
    def _part(
        tracer: Tracer,
        rows: npt.NDArray[np.bool_],
        build: Any,
        idents: _Texts,
        parts: dict[str, _Texts],
        strings: dict[str, _Strings] | None = None,
        alone: Any = None,
    ) -> _Texts:
        """The JSON text of a part of the explanation for `rows` (a list over the group, "" elsewhere): `build`
        is run once per path, each run's template filled for the rows on that path. `strings`: texts of the
        probe's that are slots (`_Strings`) wherever they occur in the constants of the template. `alone(i)`: the
        text of row `i` by itself, for the rows of a path whose run cannot be traced (TypeError, ValueError: the
        code needed a number of each row where a column cannot stand, and every row of the path reached it)."""
        out = _blank(len(rows))
        left = rows.copy()
        while left.any():
            trace = tracer.follow(left)
            try:
                template, slots = _template(build())
            except (TypeError, ValueError):
                if alone is None:
                    raise
                for i in np.flatnonzero(trace.keep).tolist():
                    out[i] = alone(i).encode()
                left &= ~trace.keep
                continue
            if strings:
                template, slots = _substitute(template, slots, strings)
            keep = trace.keep
            chosen = np.flatnonzero(keep)
            if slots:
                written: dict[Any, list[bytes]] = {}  # a number often stands twice (a line's base, its tranche's)
                values = []
                for slot in slots:
                    same = (id(slot.n), slot.per) if isinstance(slot, Ratio) and type(slot.per) is int else id(slot)
                    texts = written.get(same)
                    if texts is None:
                        texts = written[same] = _texts(slot, keep, chosen, idents, parts)
                    values.append(texts)
                # Each row's text joined from the template's pieces and its values (`%` would read the whole
                # template again for every row, character by character: four times the cost of a 4 KB row).
                # A value the same on every row (a rate of the law, a constant of the path) joins the pieces.
                columns: list[Iterable[bytes]] = []
                constant: list[bytes] = []
                for piece, texts in zip(_encoded_pieces(template), [*values, None], strict=True):
                    constant.append(piece)
                    if texts is None:
                        break
                    if texts.count(texts[0]) == len(texts):
                        constant.append(texts[0])
                        continue
                    if any(constant):
                        columns.append(itertools.repeat(b"".join(constant)))
                    constant = []
                    columns.append(texts)
                if any(constant):
                    columns.append(itertools.repeat(b"".join(constant)))
                if any(isinstance(column, list) for column in columns):
                    filled = map(b"".join, zip(*columns, strict=False))  # the pieces repeat without end
                    out[keep] = np.fromiter(filled, dtype=object, count=len(chosen))
                else:
                    out[keep] = b"".join(constant)
            else:
                out[keep] = template.encode()
            left &= ~keep
        return out


def _plan(value: Any, memo: dict[int, Any]) -> Any:
    """A function giving `value` (traced columns, in tuples and dataclasses) for one row alone — each column
    becomes the row's Python int or bool, as the scalar path holds it — or None when nothing in it is a column
    (`memo` remembers the objects looked through, so the law's tables are looked through once)."""
    if isinstance(value, Column):
        values = value.values
        return (values if values.dtype == object else values.tolist()).__getitem__
    if isinstance(value, LawSnapshot | Figures):  # the law's figures: never a column
        return None
    if isinstance(value, tuple):
        items: list[tuple[str | int, Any]] = list(enumerate(value))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [(field.name, getattr(value, field.name)) for field in dataclasses.fields(value)]
    else:
        return None
    if id(value) in memo:
        return memo[id(value)]
    plans = [(name, plan) for name, item in items if (plan := _plan(item, memo)) is not None]
    made: Any = None
    if plans and isinstance(value, tuple):
        kind = type(value) if hasattr(value, "_fields") else None
        constant = list(value)

        def made(i: int) -> Any:
            row = constant.copy()
            for index, plan in plans:
                row[cast(int, index)] = plan(i)
            return kind(*row) if kind is not None else tuple(row)

    elif plans:

        def made(i: int) -> Any:
            return dataclasses.replace(value, **{cast(str, name): plan(i) for name, plan in plans})

    memo[id(value)] = made
    return made


_FORMAT = re.compile("%[s%]")


def _pieces(template: str) -> list[str]:
    """The texts of `template` between its slots (`%s`), each `%%` read as `%`: one more than the slots."""
    pieces: list[str] = []
    current: list[str] = []
    end = 0
    for match in _FORMAT.finditer(template):
        current.append(template[end : match.start()])
        if match.group() == "%%":
            current.append("%")
        else:
            pieces.append("".join(current))
            current = []
        end = match.end()
    current.append(template[end:])
    pieces.append("".join(current))
    return pieces


_ENCODED: dict[str, list[bytes]] = {}


def _encoded_pieces(template: str) -> list[bytes]:
    """`_pieces` of `template` in UTF-8, remembered (a template comes again for each chunk; a few thousand at most
    are kept)."""
    pieces = _ENCODED.get(template)
    if pieces is None:
        if len(_ENCODED) >= 4096:
            _ENCODED.clear()
        pieces = _ENCODED[template] = [piece.encode() for piece in _pieces(template)]
    return pieces


def _escaped(text: str) -> str:
    """`text` as json.dumps writes it inside a string (without the quotes), `%` doubled as in a template."""
    return json.dumps(text, ensure_ascii=False)[1:-1].replace("%", "%%")


def _substitute(template: str, slots: list[Any], strings: dict[str, _Strings]) -> tuple[str, list[Any]]:
    """`template` with a slot in place of each occurrence of a key of `strings` in its constants."""
    pattern = re.compile("|".join(["%s", "%%", *(re.escape(text) for text in strings)]))
    pieces: list[str] = []
    order: list[Any] = []
    taken = iter(slots)
    end = 0
    for match in pattern.finditer(template):
        text = match.group()
        if text == "%s":
            order.append(next(taken))
        elif text != "%%":
            pieces.append(template[end : match.start()])
            pieces.append("%s")
            end = match.end()
            order.append(strings[text])
    pieces.append(template[end:])
    return "".join(pieces), order


def _merge(into: _Texts, part: _Texts, rows: npt.NDArray[np.bool_]) -> None:
    into[rows] = part[rows]


def _blank(n: int) -> _Texts:
    """Texts of `n` rows (UTF-8), empty."""
    out = np.empty(n, dtype=object)
    out.fill(b"")
    return out


def _texts_of(texts: list[Any]) -> _Texts:
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def _template(data: Any) -> tuple[str, list[Any]]:
    """The JSON text of `data` as `json.dumps(..., ensure_ascii=False)` writes it, with `%s` for each traced
    value (a Column, a Ratio or the id), and those values in order."""
    slots: list[Any] = []
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            parts.append("{")
            for i, (key, item) in enumerate(value.items()):
                parts.append(("" if i == 0 else ", ") + _constant(key) + ": ")
                walk(item)
            parts.append("}")
        elif isinstance(value, list | tuple):
            parts.append("[")
            for i, item in enumerate(value):
                if i:
                    parts.append(", ")
                walk(item)
            parts.append("]")
        elif isinstance(value, Column | Ratio | _Id | _Part):
            slots.append(value)
            parts.append("%s")
        else:
            parts.append(_constant(value))

    walk(data)
    return "".join(parts), slots


_CONSTANTS: dict[tuple[type, Any], str] = {}


def _constant(value: Any) -> str:
    """A constant of a template, as json.dumps writes it (texts, law figures, keys: a few hundred in all)."""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False).replace("%", "%%")
    key = (type(value), value)
    text = _CONSTANTS.get(key)
    if text is None:
        text = _CONSTANTS[key] = json.dumps(value, ensure_ascii=False).replace("%", "%%")
    return text


def _texts(
    slot: Any,
    keep: npt.NDArray[np.bool_],
    chosen: npt.NDArray[np.intp],
    idents: _Texts,
    parts: dict[str, _Texts],
) -> list[bytes]:
    """The JSON numbers (or ids, or parts) of a slot for the rows kept, as `json.dumps` writes the scalar path's
    values, in UTF-8."""
    if isinstance(slot, _Id):
        return cast(list[bytes], idents[keep].tolist())
    if isinstance(slot, _Part):
        return cast(list[bytes], parts[slot.name][keep].tolist())
    if isinstance(slot, _Strings):
        return [text.encode() for text in slot.values[keep].tolist()]
    if isinstance(slot, Column):
        values = slot.values[keep]
        if values.dtype == np.bool_:
            return [b"true" if v else b"false" for v in values.tolist()]
        if values.dtype == np.int64:
            if values.size > 1 and values.min() == values.max():
                return [str(int(values[0])).encode()] * values.size
            return _integers(values)
        return [str(v).encode() for v in values.tolist()]
    n = slot.n.values[keep] if isinstance(slot.n, Column) else np.full(len(chosen), slot.n, dtype=object)
    per = slot.per
    if n.dtype == object and n.size:  # a bound that could leave int64: the values themselves may not
        largest = max(map(abs, n.tolist()))
        if largest < _FLOAT_EXACT:
            n = n.astype(np.int64)
    written = _quotients(n, per)
    if written is not None:
        return written
    pers = slot.per.values[keep] if isinstance(slot.per, Column) else np.full(len(chosen), per, dtype=object)
    return _decimals(n, pers)


def _decimals(n: npt.NDArray[Any], pers: npt.NDArray[Any]) -> list[bytes]:
    """n / per as `json.dumps` writes the scalar path's `Decimal(n) / Decimal(per)` (`result._num`), one by one."""
    return [
        repr(_num(Decimal(int(a)) if int(b) == 1 else Decimal(int(a)) / Decimal(int(b)))).encode()
        for a, b in zip(n.tolist(), pers.tolist(), strict=True)
    ]


def _quotients(n: npt.NDArray[Any], per: Any) -> list[bytes] | None:
    """What `_decimals` writes for a divisor `per` common to the rows, computed on the column at once, or None
    where that is not proved equal (`per` too large, values beyond 2^53)."""
    if type(per) is not int or not 0 < per <= _PER_EXACT or n.dtype != np.int64:
        return None
    if not n.size:
        return []
    low, high = int(n.min()), int(n.max())
    if max(-low, high) >= _FLOAT_EXACT:
        return None
    # The scalar path writes `Decimal(n) / Decimal(per)` (28 significant digits) as an int when whole, else as its
    # float. With |n| < 2^53 and per at most _PER_EXACT, n / per in floating point (the correctly rounded quotient
    # of two exact doubles) is that float: a midpoint between two doubles near x = n / per is at least
    # x / (2^54 per) away from it (n / per cannot be one: its power of two would exceed per), more than the
    # Decimal's rounding, at most x / (2 * 10^27), when per <= 2 * 10^27 / 2^54 (1.1 * 10^11).
    if low == high and n.size > 1:  # a figure the same on every row: written once
        one = _quotients(n[:1], per)
        assert one is not None
        return one * n.size
    if per == 1:
        return _integers(n)
    return _floats(n / per)


_SHORTEST_PLAIN = 1e-4  # repr writes a float below it (but 0) with an exponent, msgspec without


def _integers(n: npt.NDArray[np.int64]) -> list[bytes]:
    """int64 values as `str` writes them (in ASCII), all at once (msgspec's JSON of a list of ints: the same
    digits)."""
    if not n.size:
        return []
    return cast(list[bytes], _encoder()(n.tolist())[1:-1].split(b","))


def _floats(x: npt.NDArray[np.float64]) -> list[bytes]:
    """Finite doubles below 2^53 as the scalar path writes them: a whole one as the int (`str`), any other as
    `repr` — written all at once by msgspec's JSON of the list, which gives the shortest digits that read back
    as the float (as `repr`, the closest of them) in plain notation; `repr` uses an exponent below 10^-4 (and from
    10^16, never reached here), so those few are written by `repr` itself. A whole one is written `123.0`: its
    `.0` is dropped (no other float's text ends with `.0`). `x` is n / per with |n| < 2^53: it is whole exactly
    when per divides n (a quotient 1/per or more from an integer cannot round to it: half a step of the doubles
    near x is at most |x| / 2^53 = |n| / (2^53 per) < 1/per)."""
    if not x.size:
        return []
    texts: list[bytes] = (_encoder()(x.tolist())[1:-1] + b",").replace(b".0,", b",").split(b",")
    texts.pop()
    small = np.abs(x) < _SHORTEST_PLAIN
    if small.any():
        for i in np.flatnonzero(small & (x != 0)).tolist():
            texts[i] = repr(float(x[i])).encode()
    return texts


_encode: Any = None


def _encoder() -> Any:
    global _encode
    if _encode is None:
        import msgspec

        _encode = msgspec.json.Encoder().encode
    return _encode
