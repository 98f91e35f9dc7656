"""The one error every bank file parser raises, and the limits it enforces.

Every problem in a bank file, whatever its format, is a `BankFileError`: a `ValueError` whose message is one line
in French naming the file, the line (CSV) or the entry (XML, with its line in the file) and the field, so that the
command line can print it after `erreur:` and exit with status 2. Nothing in these parsers lets another exception
out on any input.
"""

from __future__ import annotations

import re
from datetime import date

from echeancier.contributions.situation import MAX_INCOME
from echeancier.kernel.fmt import format_euros

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest bank file read (50 MiB): a day of an URSSAF's credit notifications is a few MB; past this the file is
refused before it is parsed, so that a hostile file cannot take the memory of the machine."""

MAX_AMOUNT_CENTS = int(MAX_INCOME) * 100
"""Largest plausible amount of one bank line: the largest yearly income the project accepts (contributions are a
fraction of it); beyond it a figure is a typing or export error, not a payment."""

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2099, 12, 31)
"""Plausible dates of a bank line (SEPA exists since 2008; anything outside these bounds is an export error)."""

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def quoted(value: str, limit: int = 40) -> str:
    """A value from the file as a message shows it: in French quotes, on one line, cut when long."""
    text = _UNPRINTABLE.sub("?", value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"« {text} »"


def plausible_amount(cents: int) -> str | None:
    """Why an amount of cents is not a plausible payment (None when it is one)."""
    if cents <= 0:
        return "un montant doit être positif" if cents < 0 else "un montant nul n'est pas un paiement"
    if cents > MAX_AMOUNT_CENTS:
        return f"montant invraisemblable (au plus {format_euros(MAX_AMOUNT_CENTS // 100)})"
    return None


def plausible_date(day: date) -> str | None:
    """Why a date is not plausible on a bank line (None when it is)."""
    if not MIN_DATE <= day <= MAX_DATE:
        return f"date invraisemblable (attendue entre {MIN_DATE.year} et {MAX_DATE.year})"
    return None


class BankFileError(ValueError):
    """A bank file, or one of its lines or entries, that cannot be imported.

    `str(error)` is the whole one-line message: `FICHIER: ligne 3: amount: « 40,000 » est ambigu …`. The parts are
    also kept apart: `file_name`, `position` (`ligne 3`, `écriture 2 (ligne 41)`), `line` (the line or entry
    number, or None for the whole file), `column` (the CSV column or the XML element) and `detail`. They are not
    named `field`/`message`, so that the CLI prints the whole message, file and line included.
    """

    def __init__(
        self,
        file_name: str,
        detail: str,
        *,
        position: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file_name = file_name
        self.detail = detail
        self.line = line
        self.position = position if position is not None else (f"ligne {line}" if line is not None else None)
        self.column = column
        parts = [file_name, self.position, column, detail]
        super().__init__(": ".join(_UNPRINTABLE.sub("?", part) for part in parts if part))
