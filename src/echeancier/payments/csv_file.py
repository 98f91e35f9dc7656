"""Payments in a CSV file, as a bank export or a spreadsheet writes it (issue #6, `echeancier payments import`).

Columns, named on the first line in any order and case, accents ignored (French names accepted):
- `date` — the date the money was received;
- `amount` (`montant`) — euros, positive, to the cent;
- `reference` (`référence`) — the account ID or a payment reference given to the account; it may be empty, the
  line then goes to the suspense list;
- `id` (`identifiant`), optional — the bank's transaction id, which becomes the line's key; without it (or when
  the cell is empty) the key is the SHA-256 of the file's bytes and the line number, so that importing the same
  file twice gives the same keys;
- `currency` (`devise`), optional — must be `EUR` on every line;
- `kind` (`type`), optional — `credit` (`crédit`) or `rejection` (`rejet`); without it every line is a credit. A
  rejection line may give `due_date` (`échéance`: the due date of the direct debit rejected) and `reason`
  (`motif`: the ISO reason code, AM04…); a credit line must leave them empty. Any other value of `kind` is refused:
  a bank export's own "type" column (VIR SEPA, CB…) must not be read as credits by mistake.
Other columns are ignored (kept in `raw`).

Two conventions, told apart by the separator of the first line:
- **French**, as a French spreadsheet writes it: `;` between fields, a decimal comma, thousands separated by a
  space, a no-break space or a narrow no-break space (`1 234,56`), dates `jj/mm/aaaa` (ISO `aaaa-mm-jj` also read),
  an optional `€` or `EUR` after the amount;
- **international**: `,` between fields, a decimal point, thousands separated by commas only inside quotes and
  only before a decimal point (`"1,234.56"`), ISO dates `aaaa-mm-jj`.
An amount is never guessed: a value that the other convention would read differently — a point in a French file
(`40.000`: 40 € or 40 000 €?), three decimals (`40,000` or `40.000`), a thousands comma without decimals in an
international file (`1,234`), a date `01/02/2026` in an international file — is refused with a message, as are
negative and zero amounts, amounts above `MAX_AMOUNT_CENTS` and fractions of a cent.

Text: UTF-8 with or without a BOM, UTF-16 with a BOM, or else Windows-1252 (what a French Excel writes for "CSV
(séparateur: point-virgule)") when the bytes hold no UTF-8 sequence at all (a UTF-8 file with a broken byte is
refused rather than read as Windows-1252); CRLF, LF or CR line ends; blank lines and lines of empty fields are
skipped. A file with control characters (binary data, UTF-16 without a BOM) is refused.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from echeancier.payments.errors import (
    MAX_FILE_BYTES,
    BankFileError,
    plausible_amount,
    plausible_date,
    quoted,
)
from echeancier.store.bank import BankLine

Convention = Literal["french", "international"]

_COLUMNS = {
    "date": "date",
    "amount": "amount",
    "montant": "amount",
    "reference": "reference",
    "id": "id",
    "identifiant": "id",
    "currency": "currency",
    "devise": "currency",
    "kind": "kind",
    "type": "kind",
    "due_date": "due_date",
    "echeance": "due_date",
    "reason": "reason",
    "motif": "reason",
}
_REQUIRED = ("date", "amount", "reference")
_KINDS: dict[str, Literal["credit", "rejection"]] = {"credit": "credit", "rejection": "rejection", "rejet": "rejection"}

_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_END = re.compile(r"\r\n|\n|\r")
_SPACES = " \u00a0\u202f"
_FRENCH_AMOUNT = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,(\d+))?")
_INTERNATIONAL_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+(?=\.)|\d+)(?:\.(\d+))?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_REASON = re.compile(r"[A-Za-z0-9]{1,35}")
_MAX_DIGITS = 15  # more digits than any plausible amount: refused before converting
MAX_TEXT = 140  # longest reference or id kept (ISO 20022 Max140Text, the longest remittance information)


@dataclass(frozen=True, slots=True)
class _Header:
    separator: str
    convention: Convention
    columns: dict[str, int]  # canonical name -> index
    labels: dict[str, str]  # canonical name -> the name on the first line, for messages
    width: int


def decode_text(data: bytes, file_name: str) -> str:
    """The text of a CSV file: UTF-8 (BOM or not), UTF-16 with a BOM, or Windows-1252; no control characters."""
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError(file_name, f"fichier trop gros ({len(data)} octets, au plus {MAX_FILE_BYTES})")
    if not data.strip():
        raise BankFileError(file_name, "fichier vide")
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                if _UTF8_SEQUENCE.search(data):  # UTF-8 text with a broken byte: never read it as Windows-1252
                    line = data.count(b"\n", 0, error.start) + 1
                    raise BankFileError(file_name, "octets qui ne sont pas de l'UTF-8 valide", line=line) from None
                text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise BankFileError(file_name, "encodage non reconnu (attendu UTF-8 ou Windows-1252)") from None
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise BankFileError(
            file_name,
            "caractère de contrôle: fichier binaire ou encodage non reconnu (attendu un CSV en UTF-8)",
            line=line,
        )
    return text


def _normalise(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(" ", "_")


def _csv_problem(message: str, separator: str) -> str:
    """Python's `csv.Error` in French."""
    if message.startswith("field larger than field limit"):
        return "champ trop long"
    if message == "unexpected end of data":
        return "guillemet ouvrant sans guillemet fermant"
    if message.endswith("expected after '\"'"):
        return f"« {separator} » attendu après un guillemet fermant"
    if "NUL" in message:
        return "caractère NUL"
    if message.startswith("new-line character"):
        return "retour à la ligne dans un champ sans guillemets"
    return "guillemets mal placés"


def _split(line: str, separator: str, file_name: str, number: int) -> list[str]:
    if '"' not in line:
        return line.split(separator)
    try:
        rows = list(csv.reader([line], delimiter=separator, strict=True))
    except csv.Error as error:
        raise BankFileError(
            file_name, f"ligne CSV mal formée ({_csv_problem(str(error), separator)})", line=number
        ) from None
    return rows[0] if rows else []


def _header(line: str, file_name: str, number: int) -> _Header:
    convention: Convention
    if ";" in line:
        separator, convention = ";", "french"
    elif "," in line:
        separator, convention = ",", "international"
    else:
        raise BankFileError(
            file_name,
            "première ligne sans séparateur ; ou , : attendu les noms de colonnes date, amount, reference",
            line=number,
        )
    names = _split(line, separator, file_name, number)
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, name in enumerate(names):
        canonical = _COLUMNS.get(_normalise(name))
        if canonical is None:
            continue
        if canonical in columns:
            raise BankFileError(file_name, f"colonne {canonical} donnée deux fois", line=number, column=name.strip())
        columns[canonical] = index
        labels[canonical] = name.strip()
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        found = ", ".join(quoted(name, 20) for name in names[:8]) or "aucune"
        raise BankFileError(
            file_name,
            f"colonne{'s' if len(missing) > 1 else ''} {', '.join(missing)} manquante{'s' if len(missing) > 1 else ''}"
            f" (colonnes lues: {found}; séparateur {quoted(separator)})",
            line=number,
        )
    return _Header(separator, convention, columns, labels, len(names))


def parse_amount(text: str, convention: Convention) -> int:
    """Cents of an amount written under `convention`; ValueError (message in French) when it is not one or would be
    read differently under the other convention."""
    value = text.strip(_SPACES)
    for unit in ("€", "EUR", "eur"):
        if value.endswith(unit):
            value = value[: -len(unit)].rstrip(_SPACES)
            break
    if value.startswith("+"):
        value = value[1:]
    if value.startswith(("-", "\u2212", "(")) or value.endswith(("-", "\u2212")):
        raise ValueError(f"{quoted(text)}: un montant doit être positif")
    if convention == "french":
        if "." in value:
            raise ValueError(
                f"{quoted(text)} est ambigu: le fichier est séparé par des points-virgules, la virgule y est le"
                " séparateur décimal (écrivez 1234,56 ou 1 234,56)"
            )
        match = _FRENCH_AMOUNT.fullmatch(value)
        decimal_mark = ","
    else:
        match = _INTERNATIONAL_AMOUNT.fullmatch(value)
        decimal_mark = "."
        if match is None and "," in value:
            raise ValueError(
                f"{quoted(text)} est ambigu: le fichier est séparé par des virgules, le point y est le séparateur"
                " décimal (écrivez 1234.56)"
            )
    if match is None:
        raise ValueError(f"{quoted(text)} n'est pas un montant en euros")
    whole, decimals = match.group(1), match.group(2) or ""
    digits = re.sub(r"\D", "", whole)
    if len(decimals) == 3:
        other = "," if decimal_mark == "." else "."
        raise ValueError(
            f"{quoted(text)} est ambigu (séparateur décimal ou de milliers?): un montant a au plus deux décimales;"
            f" écrivez {digits}{decimal_mark}{decimals[:2]} ou {digits}{decimals}, jamais {digits}{other}{decimals}"
        )
    if len(decimals) > 2:
        raise ValueError(f"{quoted(text)}: un montant a au plus deux décimales (des centimes)")
    if len(digits) > _MAX_DIGITS:
        raise ValueError(f"{quoted(text)}: montant invraisemblable")
    cents = int(digits) * 100 + int(decimals.ljust(2, "0"))
    problem = plausible_amount(cents)
    if problem:
        raise ValueError(f"{quoted(text)}: {problem}")
    return cents


def parse_date(text: str, convention: Convention) -> date:
    """A date under `convention` (ISO always; `jj/mm/aaaa` in a French file); ValueError in French otherwise."""
    value = text.strip(_SPACES)
    iso = _ISO_DATE.fullmatch(value)
    french = _FRENCH_DATE.fullmatch(value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif french and convention == "french":
        day, month, year = (int(part) for part in french.groups())
    elif french:
        raise ValueError(
            f"{quoted(text)} est ambigu (jour/mois ou mois/jour?): le fichier est séparé par des virgules, les dates"
            " y sont écrites aaaa-mm-jj"
        )
    else:
        expected = "jj/mm/aaaa ou aaaa-mm-jj" if convention == "french" else "aaaa-mm-jj"
        raise ValueError(f"{quoted(text)} n'est pas une date ({expected})")
    try:
        result = date(year, month, day)
    except ValueError:
        raise ValueError(f"{quoted(text)} n'est pas une date valide") from None
    problem = plausible_date(result)
    if problem:
        raise ValueError(f"{quoted(text)}: {problem}")
    return result


def parse_csv(data: bytes, file_name: str) -> list[BankLine]:
    """The lines of a CSV bank file (see the module's docstring); every problem is a BankFileError."""
    text = decode_text(data, file_name)
    digest = hashlib.sha256(data).hexdigest()
    header: _Header | None = None
    result: list[BankLine] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(_LINE_END.split(text), start=1):
        if not line.strip(_SPACES + "\t"):
            continue
        if header is None:
            header = _header(line, file_name, number)
            continue
        cells = _split(line, header.separator, file_name, number)
        if not any(cell.strip(_SPACES) for cell in cells):
            continue
        bank_line = _line(cells, header, file_name, number, line, digest)
        if bank_line.key in seen:
            raise BankFileError(
                file_name,
                f"identifiant {quoted(bank_line.key)} déjà donné ligne {seen[bank_line.key]}",
                line=number,
                column="id",
            )
        seen[bank_line.key] = number
        result.append(bank_line)
    return result


def _line(cells: list[str], header: _Header, file_name: str, number: int, raw: str, digest: str) -> BankLine:
    extra = [cell for cell in cells[header.width :] if cell.strip(_SPACES)]
    if extra:
        hint = " (une virgule décimale non protégée par des guillemets?)" if header.separator == "," else ""
        raise BankFileError(file_name, f"{len(cells)} champs pour {header.width} colonnes{hint}", line=number)

    values = {name: cells[index].strip(_SPACES) for name, index in header.columns.items() if index < len(cells)}
    cell = values.get

    def fail(name: str, detail: str) -> BankFileError:
        return BankFileError(file_name, detail, line=number, column=header.labels.get(name, name))

    for name in ("date", "amount"):
        if not cell(name, ""):
            raise fail(name, "valeur manquante")
    try:
        day = parse_date(cell("date", ""), header.convention)
    except ValueError as error:
        raise fail("date", str(error)) from None
    try:
        cents = parse_amount(cell("amount", ""), header.convention)
    except ValueError as error:
        raise fail("amount", str(error)) from None
    currency = cell("currency", "")
    if currency and currency.upper() != "EUR":
        raise fail("currency", f"devise {quoted(currency)} refusée: seuls les euros (EUR) sont acceptés")

    kind: Literal["credit", "rejection"] = "credit"
    if "kind" in header.columns:
        written = cell("kind", "")
        found = _KINDS.get(_normalise(written))
        if found is None:
            raise fail("kind", f"{quoted(written)}: attendu credit ou rejection (crédit, rejet)")
        kind = found
    due_date: date | None = None
    reason: str | None = None
    if kind == "rejection":
        if cell("due_date", ""):
            try:
                due_date = parse_date(cell("due_date", ""), header.convention)
            except ValueError as error:
                raise fail("due_date", str(error)) from None
        reason = cell("reason", "").upper() or None
        if reason is not None and not _REASON.fullmatch(reason):
            raise fail("reason", f"{quoted(cell('reason', ''))} n'est pas un code motif ISO (AM04, MS02, AC04…)")
    else:
        for name in ("due_date", "reason"):
            if cell(name, ""):
                raise fail(name, "donnée seulement pour un rejet (kind = rejection)")

    for name in ("reference", "id"):
        length = len(cell(name, ""))
        if length > MAX_TEXT:
            raise fail(name, f"valeur trop longue ({length} caractères, au plus {MAX_TEXT})")
    bank_id = cell("id", "") or None
    return BankLine(
        key=bank_id if bank_id is not None else f"{digest}:{number}",
        kind=kind,
        date=day,
        amount_cents=cents,
        reference=cell("reference", ""),
        bank_id=bank_id,
        due_date=due_date,
        reason=reason,
        line=number,
        raw=raw,
    )
