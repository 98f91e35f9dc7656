"""Portfolio tables: the rows of a CSV, Excel (.xlsx) or Parquet file, read and written as accountants keep them.

Reading gives each data row as raw cells (texts, numbers, dates, booleans or None) with the row number a user sees
in a spreadsheet (the header is row 1, the first client row 2; a Parquet file has no header row: its first row is
1). What the cells mean is decided by the input layer (`kernel/inputs.py`) through the readers of the portfolio
modules, never here: this module only finds the cells.

- **CSV**: UTF-8 with or without a byte-order mark, UTF-16 with its mark, and cp1252 (Excel on Windows saves "CSV
  (séparateur : point-virgule)" in the Windows code page); the separator is the one of the header line (`;`, a
  tab or `,`). A file whose separator is `;` is *French*: its dates may be written `jj/mm/aaaa`.
- **Excel**: the first sheet of an .xlsx workbook (openpyxl, read-only, cached values of formulas).
- **Parquet**: through PyArrow.

A file that cannot be read at all raises `TableError` (exit status 2 at the command line); a row that has more
cells than the header names raises nothing here: it is given with its extra cells so that its reader can say so.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

from echeancier.kernel.fmt import format_date
from echeancier.kernel.inputs import MAX_TEXT_LENGTH, shown
from echeancier.kernel.money import round_cent

__all__ = [
    "MAX_ROWS",
    "MAX_TABLE_BYTES",
    "Column",
    "Table",
    "TableError",
    "TableKind",
    "kind_of",
    "normalise_name",
    "read_table",
    "write_table",
]

# Input sanity bounds (not legal thresholds).
MAX_TABLE_BYTES = 512 << 20  # a CSV file of 512 MiB: about 5 million clients
MAX_ROWS = 1_000_000

TableKind = Literal["csv", "xlsx", "parquet", "jsonl"]
KINDS: dict[str, TableKind] = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


class TableError(ValueError):
    """A file that cannot be read as a table (or written); `field` is its path, the message is in French."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(slots=True)
class Table:
    """The header (as written) and the data rows (row number, cells) of a file."""

    path: str
    kind: TableKind
    header: tuple[str, ...]
    rows: list[tuple[int, list[Any]]]
    semicolon: bool = False  # a CSV separated by ';', as French spreadsheets write it
    encoding: str = "utf-8"
    extra: dict[str, Any] = field(default_factory=dict)


def kind_of(path: str, *, output: bool = False) -> TableKind:
    """The format of a file from its extension; TableError naming the file for any other."""
    suffix = Path(path).suffix.lower()
    kind = KINDS.get(suffix)
    allowed = ("csv", "xlsx", "parquet", "jsonl") if output else ("csv", "xlsx", "parquet")
    if kind is None or kind not in allowed:
        known = ".csv, .xlsx, .parquet" + (", .jsonl" if output else "")
        raise TableError(path, f"extension {suffix or '(aucune)'!r} inconnue (formats : {known})")
    return kind


def normalise_name(name: str) -> str:
    """A column name as compared with the known ones: no accents, lower case, words joined by `_`.

    `Année`, `annee`, ` ANNÉE ` → `annee`; `Date de début` → `date_de_debut`; `revenu brut (€)` → `revenu_brut`.
    """
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = "".join(c if c.isalnum() else " " for c in plain.replace("€", " ")).split()
    return "_".join(words)


# --- reading ------------------------------------------------------------------------------------------------------


def read_table(path: str) -> Table:
    """The header and data rows of a CSV, .xlsx or Parquet file; TableError when the file cannot be read."""
    kind = kind_of(path)
    source = Path(path)
    try:
        if source.is_dir():
            raise TableError(path, "est un dossier, pas un fichier")
        size = source.stat().st_size
    except FileNotFoundError:
        raise TableError(path, "fichier introuvable") from None
    except OSError as error:
        raise TableError(path, f"lecture impossible ({error.strerror})") from None
    if size > MAX_TABLE_BYTES:
        raise TableError(path, f"fichier trop long ({size} octets, {MAX_TABLE_BYTES} au plus)")
    if kind == "csv":
        table = _read_csv(path)
    elif kind == "xlsx":
        table = _read_xlsx(path)
    else:
        table = _read_parquet(path)
    if not table.header:
        raise TableError(path, "aucune ligne d'en-tête (les noms des colonnes sur la première ligne)")
    if len(table.rows) > MAX_ROWS:
        raise TableError(path, f"trop de lignes ({len(table.rows)}, {MAX_ROWS} au plus)")
    return table


def _decode(data: bytes, path: str) -> tuple[str, str]:
    """The text of a CSV file and its encoding: a byte-order mark decides; else UTF-8; else cp1252 (Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            failure = error
    line = data[: failure.start].count(b"\n") + 1
    raise TableError(
        path, f"ligne {line} : texte ni en UTF-8 ni en Windows-1252 (octet 0x{data[failure.start]:02x})"
    ) from None


def _separator(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    for candidate in (";", "\t"):
        if candidate in first:
            return candidate
    return ","


def _read_csv(path: str) -> Table:
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_TABLE_BYTES + 1)
    except OSError as error:
        raise TableError(path, f"lecture impossible ({error.strerror})") from None
    text, encoding = _decode(data, path)
    if "\x00" in text:
        raise TableError(path, "caractère nul dans le fichier : ce n'est pas un fichier CSV")
    separator = _separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    header: tuple[str, ...] = ()
    rows: list[tuple[int, list[Any]]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if not header:
                header = tuple(cell.strip() for cell in cells)
                while header and not header[-1]:  # a spreadsheet's trailing separators
                    header = header[:-1]
                continue
            rows.append((reader.line_num, [cell.strip() or None for cell in cells]))
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as error:
        reason = str(error)
        if "field larger" in reason:
            reason = "cellule trop longue"
        raise TableError(path, f"ligne {reader.line_num} : CSV illisible ({reason})") from None
    return Table(path, "csv", header, rows, semicolon=separator == ";", encoding=encoding)


def _read_xlsx(path: str) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        raise TableError(path, f"classeur Excel illisible ({shown(str(error), 80)})") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TableError(path, "classeur sans feuille")
        header: tuple[str, ...] = ()
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [value.strip() or None if isinstance(value, str) else value for value in values]
            if all(cell is None for cell in cells):
                continue
            if not header:
                header = tuple("" if cell is None else str(cell).strip() for cell in cells)
                while header and not header[-1]:
                    header = header[:-1]
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                break
    except TableError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged sheet
        raise TableError(path, f"classeur Excel illisible ({shown(str(error), 80)})") from None
    finally:
        workbook.close()
    return Table(path, "xlsx", header, rows)


def _read_parquet(path: str) -> Table:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException, ValueError) as error:
        raise TableError(path, f"fichier Parquet illisible ({shown(str(error), 80)})") from None
    if table.num_rows > MAX_ROWS:
        raise TableError(path, f"trop de lignes ({table.num_rows}, {MAX_ROWS} au plus)")
    header = tuple(str(name) for name in table.column_names)
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [(i + 1, [column[i] for column in columns]) for i in range(table.num_rows)]
    return Table(path, "parquet", header, rows)


# --- writing ------------------------------------------------------------------------------------------------------

ColumnKind = Literal["text", "int", "money", "cents", "date", "bool"]


@dataclass(frozen=True, slots=True)
class Column:
    """An output column: its machine name (ASCII), its French header, and the kind of its values."""

    name: str
    french: str
    kind: ColumnKind


BOM = "\ufeff"


def _french_cell(value: Any, kind: ColumnKind) -> Any:
    if value is None:
        return ""
    if kind in ("money", "cents") and isinstance(value, Decimal | int):
        return _plain_money(value, kind == "cents").replace(".", ",")
    if kind == "date" and isinstance(value, date):
        return format_date(value)
    if kind == "bool" and isinstance(value, bool):
        return "oui" if value else "non"
    return value


def _machine_cell(value: Any, kind: ColumnKind) -> Any:
    if value is None:
        return ""
    if kind in ("money", "cents") and isinstance(value, Decimal | int):
        return _plain_money(value, kind == "cents")
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    if kind == "bool" and isinstance(value, bool):
        return "true" if value else "false"
    return value


def _plain_money(value: Decimal | int, cents: bool = False) -> str:
    """Euros as written in a file: two decimals (`1514.29`), whole euros without them unless `cents`."""
    if not cents and (isinstance(value, int) or value == value.to_integral_value()):
        return str(int(value))
    return f"{round_cent(Decimal(value)):f}"


def csv_text(columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, french: bool) -> str:
    """A CSV document: French (BOM, `;`, French headers, `jj/mm/aaaa`, decimal comma, oui/non) or machine-readable
    (`,`, ASCII headers, ISO dates, decimal point, true/false); lines ended by CRLF (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow([c.french if french else c.name for c in columns])
    cell = _french_cell if french else _machine_cell
    for row in rows:
        writer.writerow([cell(value, c.kind) for value, c in zip(row, columns, strict=True)])
    return (BOM if french else "") + buffer.getvalue()


def write_table(
    target: str | IO[str],
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    *,
    kind: TableKind = "csv",
    french: bool = False,
) -> None:
    """Write rows to a path (format `kind`) or, for CSV and JSONL, to a text stream; TableError if it cannot."""
    name = target if isinstance(target, str) else "-"
    try:
        if kind == "csv" or kind == "jsonl":
            text = csv_text(columns, rows, french=french) if kind == "csv" else _jsonl(columns, rows)
            if isinstance(target, str):
                Path(target).write_text(text, encoding="utf-8", newline="")
            else:
                target.write(text)
        elif kind == "xlsx":
            assert isinstance(target, str)
            _write_xlsx(target, columns, rows, french=french)
        else:
            assert isinstance(target, str)
            _write_parquet(target, columns, rows)
    except OSError as error:
        raise TableError(name, f"écriture impossible ({error.strerror})") from None


def _json_value(value: Any, kind: ColumnKind) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _jsonl(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> str:
    lines = [
        json.dumps(
            {c.name: _json_value(v, c.kind) for v, c in zip(row, columns, strict=True)},
            ensure_ascii=False,
        )
        for row in rows
    ]
    return "".join(line + "\n" for line in lines)


def _write_xlsx(path: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, french: bool) -> None:
    from openpyxl import Workbook

    with Path(path).open("wb") as file:  # a path that cannot be written fails here, before the workbook exists
        _fill_xlsx(Workbook(write_only=True), columns, rows, french=french).save(file)


def _fill_xlsx(workbook: Any, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, french: bool) -> Any:
    from openpyxl.cell import WriteOnlyCell

    sheet = workbook.create_sheet("portefeuille")
    sheet.append([c.french if french else c.name for c in columns])
    formats = {"money": "#,##0.00", "cents": "#,##0.00", "date": "DD/MM/YYYY" if french else "YYYY-MM-DD"}
    for row in rows:
        cells = []
        for value, c in zip(row, columns, strict=True):
            if isinstance(value, Decimal):
                # a cell holds a binary double, as Excel does; cents are kept to the cent
                value = int(value) if value == value.to_integral_value() else float(value)
            cell = WriteOnlyCell(sheet, value=value)
            if c.kind in formats and value is not None:
                cell.number_format = formats[c.kind]
            cells.append(cell)
        sheet.append(cells)
    return workbook


def _write_parquet(path: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "text": pa.string(),
        "int": pa.int64(),
        "money": pa.decimal128(14, 2),
        "cents": pa.decimal128(14, 2),
        "date": pa.date32(),
        "bool": pa.bool_(),
    }
    arrays = []
    for index, c in enumerate(columns):
        values = [row[index] for row in rows]
        if c.kind in ("money", "cents"):
            values = [None if v is None else round_cent(Decimal(v)) for v in values]
        elif c.kind == "text":
            values = [None if v is None else str(v) for v in values]
        arrays.append(pa.array(values, type=types[c.kind]))
    pq.write_table(pa.table(arrays, names=[c.name for c in columns]), path)


def cell_text(value: Any) -> str:
    """A cell as a short text (an id or a client name written back)."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= MAX_TEXT_LENGTH else text[:MAX_TEXT_LENGTH]
