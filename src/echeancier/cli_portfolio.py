"""Portfolio files at the command line: `simulate --input FILE` and `schedule --input FILE|DIR` (issue #8).

The commands of `cli.py` call these functions when `--input` is given. Exit status: 0 every row computed; 1 some
rows failed (each reported on one line, in French, with its row number and column, on standard error or in
`--errors FILE`), the others computed and written; 2 the file itself cannot be read (or written), nothing
computed. A progress bar is drawn on standard error when it is a terminal and the run is long.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from echeancier.portfolio.tables import TableKind

# From how many steps a run is long enough for a progress bar: about a second of work.
PROGRESS_FROM = {"simulation": 2 * 20_000, "échéanciers": 200}
OUTPUT_KINDS = ("csv", "xlsx", "parquet", "jsonl")


def _cli() -> Any:
    import echeancier.cli as cli

    return cli


def _fail(field: str, message: str) -> NoReturn:
    _cli()._fail(field, message)
    raise AssertionError("unreachable")


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on standard error, only when it is a terminal and `total` is large."""
    if total < PROGRESS_FROM[label] or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _report(lines: Sequence[str], errors_file: str | None) -> None:
    """The failed rows, one line each, on standard error or in `errors_file`."""
    if errors_file is None:
        for line in lines:
            print(f"erreur: {line}", file=sys.stderr)
        return
    try:
        Path(errors_file).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    except OSError as error:
        _fail("--errors", f"écriture impossible dans {errors_file} ({error.strerror})")


def _output_kind(output: str | None) -> TableKind:
    from echeancier.portfolio.tables import TableError, kind_of

    if output is None:
        return "csv"
    try:
        return kind_of(output, output=True)
    except TableError as error:
        _fail("--output", error.message)


def simulate_file(source: str, output: str | None, errors_file: str | None) -> int:
    """`echeancier simulate --input FILE [--output FILE] [--errors FILE]`: the exit status."""
    from echeancier.law.loader import LawError
    from echeancier.portfolio.simulation import simulate_table
    from echeancier.portfolio.tables import TableError, read_table, write_table

    kind = _output_kind(output)
    with _cli()._errors(LawError):
        try:
            table = read_table(source)
            with _progress(2 * len(table.rows), "simulation") as advance:
                result = simulate_table(table, advance)
        except TableError as error:
            _fail(error.field, error.message)
        french = result.french and kind in ("csv", "xlsx")  # French headers for a spreadsheet
        target: str | IO[str] = sys.stdout if output is None else output
        try:
            write_table(target, result.columns, result.rows, kind=kind, french=french)
        except TableError as error:
            _fail("--output", error.message)
    _report([e.line() for e in result.errors], errors_file)
    return 1 if result.errors else 0


SCHEDULE_FILE_FORMATS = ("table", "json", "csv", "csv-fr", "ics", "pdf")


def schedule_input(
    source: str,
    output: str | None,
    output_dir: str | None,
    output_format: str,
    as_of: str | None,
    errors_file: str | None,
) -> int:
    """`echeancier schedule --input FILE|DIR`: one merged échéancier (`--output`, or standard output as CSV) or
    one document per client (`--output-dir DIR`, in `--format`); the exit status."""
    from echeancier.law.loader import LawError
    from echeancier.portfolio.schedules import (
        merged_columns,
        merged_rows,
        scenario_files,
        schedules_of_directory,
        schedules_of_table,
    )
    from echeancier.portfolio.tables import TableError, read_table, write_table

    if output is not None and output_dir is not None:
        _fail("--output-dir", "ne se combine pas avec --output (un fichier fusionné ou un fichier par client)")
    kind = _output_kind(output) if output_dir is None else "csv"
    if kind == "jsonl":
        _fail("--output", "l'échéancier fusionné s'écrit en .csv, .xlsx ou .parquet")
    chosen = output_format.strip().lower()
    if output_dir is None and chosen not in ("table", "csv", "csv-fr"):
        _fail("--format", f"{output_format!r} : un document par client demande --output-dir DOSSIER")
    day = _cli()._parse_date("--as-of", as_of)
    with _cli()._errors(LawError):
        try:
            if Path(source).is_dir():
                try:
                    count = len(scenario_files(source))
                except OSError as error:
                    _fail(source, f"dossier illisible ({error.strerror})")
                if not count:
                    _fail(source, "aucun fichier de scénario (.yaml) dans ce dossier")
                with _progress(count, "échéanciers") as advance:
                    schedules = schedules_of_directory(source, advance, as_of=day)
                french = chosen == "csv-fr"
            else:
                table = read_table(source)
                with _progress(len(table.rows), "échéanciers") as advance:
                    schedules, french = schedules_of_table(table, advance, as_of=day)
        except TableError as error:
            _fail(error.field, error.message)
        if output_dir is not None:
            _write_each(schedules, output_dir, output_format)
        else:
            french = french and kind in ("csv", "xlsx")
            rows = list(merged_rows(schedules, french))
            columns = merged_columns(french)
            target: str | IO[str] = sys.stdout if output is None else output
            try:
                write_table(target, columns, rows, kind=kind, french=french)
            except TableError as error:
                _fail("--output", error.message)
    failed = [s.error for s in schedules if s.error is not None]
    _report([_schedule_error(e) for e in failed], errors_file)
    return 1 if failed else 0


def _schedule_error(error: Any) -> str:
    return error.line() if error.row else f"{error.field} : {error.message}"


EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "csv-fr": "csv", "ics": "ics", "pdf": "pdf"}


def _write_each(schedules: Sequence[Any], directory: str, output_format: str) -> None:
    """One document per client in `directory`, named after the client, as `schedule --format` writes it."""
    import json

    from echeancier.documents import echeancier as documents

    chosen = output_format.strip().lower()
    if chosen not in SCHEDULE_FILE_FORMATS:
        _fail("--format", f"format inconnu {output_format!r} (formats : {', '.join(SCHEDULE_FILE_FORMATS)})")
    root = Path(directory)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail("--output-dir", f"dossier impossible à créer ({error.strerror})")
    used: set[str] = set()
    for s in schedules:
        if s.result is None:
            continue
        stem = _file_name(s.client)
        if stem in used:
            _fail("--output-dir", f"deux clients donnent le même nom de fichier {stem!r}")
        used.add(stem)
        path = root / f"{stem}.{EXTENSIONS[chosen]}"
        data: bytes
        if chosen == "pdf":
            from echeancier.documents.pdf import schedule_pdf

            data = schedule_pdf(s.result, s.scenario, issued_on=_cli()._today())
        elif chosen == "json":
            data = (json.dumps(documents.to_json(s.result), ensure_ascii=False) + "\n").encode("utf-8")
        elif chosen in ("csv", "csv-fr"):
            data = documents.to_csv(s.result, french=chosen == "csv-fr").encode("utf-8")
        elif chosen == "ics":
            data = documents.to_ics(s.result, s.client).encode("utf-8")
        else:
            data = documents.to_table(s.result).encode("utf-8")
        try:
            path.write_bytes(data)
        except OSError as error:
            _fail("--output-dir", f"écriture impossible dans {path} ({error.strerror})")


def _file_name(client: str) -> str:
    """A client's id as a file name: letters, digits, `-`, `_` and `.` kept, anything else `_`."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in client).strip("._") or "client"
    return safe[:100]
