"""Bank files an URSSAF imports into contributors' accounts (issue #6, `echeancier payments import FILE`).

`parse_bank_file(path)` reads a file and tells its format from its content: an XML file is an ISO 20022 message
(camt.054 credit notification or pain.002 payment status report, told apart by the message element under
`Document`, whatever the version's namespace); anything else is read as CSV. Each parser gives the file's
`BankLine`s (credits and rejected direct debits) in the order of the file, with keys that are unique within the
file and the same each time the same file is read, so that importing a file twice changes nothing. Every problem
is a `BankFileError` (a ValueError) with a one-line French message naming the file, the line or entry and the
field; no other exception leaves these functions on any input. The formats and what becomes a line:
`payments/csv_file.py` and `payments/iso20022.py`.
"""

from __future__ import annotations

import codecs
import errno
import os

from echeancier.payments.csv_file import parse_csv
from echeancier.payments.errors import MAX_AMOUNT_CENTS, MAX_FILE_BYTES, BankFileError
from echeancier.payments.iso20022 import (
    camt054_lines,
    is_pain002,
    message_body,
    pain002_lines,
    parse_camt054,
    parse_pain002,
    parse_xml,
)
from echeancier.store.bank import BankLine

__all__ = [
    "MAX_AMOUNT_CENTS",
    "MAX_FILE_BYTES",
    "BankFileError",
    "BankLine",
    "parse_bank_bytes",
    "parse_bank_file",
    "parse_camt054",
    "parse_csv",
    "parse_pain002",
]

_READ_ERRORS = {
    errno.ENOENT: "fichier introuvable",
    errno.EACCES: "lecture interdite",
    errno.EISDIR: "c'est un dossier, pas un fichier",
}


def parse_bank_file(path: str | os.PathLike[str]) -> list[BankLine]:
    """The lines of a bank file (camt.054, pain.002 or CSV, told from its content), at most MAX_FILE_BYTES."""
    name = os.fspath(path)
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = _READ_ERRORS.get(error.errno or 0, error.strerror or type(error).__name__)
        raise BankFileError(name, f"lecture impossible: {reason}") from None
    return parse_bank_bytes(data, name)


def parse_bank_bytes(data: bytes, file_name: str) -> list[BankLine]:
    """The lines of a bank file's content; `file_name` is only used in messages."""
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError(file_name, f"fichier trop gros (plus de {MAX_FILE_BYTES} octets)")
    start = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if data[:64].decode("utf-16", errors="ignore").lstrip().startswith("<"):
            raise BankFileError(file_name, "encodage UTF-16 refusé: un fichier ISO 20022 est en UTF-8")
    if not start.lstrip().startswith(b"<"):
        return parse_csv(data, file_name)
    root = parse_xml(data, file_name)
    if is_pain002(message_body(root, file_name)):
        return pain002_lines(root, data, file_name)
    return camt054_lines(root, data, file_name)  # which refuses any other message, naming it
