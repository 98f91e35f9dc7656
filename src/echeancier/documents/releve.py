"""The relevé de compte as a French PDF: every debit and credit of an account with its reason and article, the
majorations de retard with their portions (R243-16), the payment plans and remises, and the balance.

Built from the ledger's `Statement` (`account/ledger.py`) of an échéancier, with the shared template pieces of
`templates/_parts.html` and the header of `templates/base.html` (the organism, the date of issue, the contributor),
so that the next documents (the mise en demeure) are a template and a context function like these.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from echeancier.documents.echeancier import (
    CONDITION_LABELS,
    KIND_LABELS,
    MAJORATION_STATUS,
    ORIGIN_LABELS,
    _account_lines,
    _french_dates,
    _law_rate,
    balance_sentence,
    kind_label,
    note_sentence,
)
from echeancier.documents.pdf import html_to_pdf, identity_lines, render_html
from echeancier.kernel.fmt import format_date, format_euros, format_number, format_rate

if TYPE_CHECKING:
    from echeancier.account.ledger import MajorationDetail, Posting, Statement
    from echeancier.schedule.echeancier import Echeancier
    from echeancier.schedule.scenario import Scenario

POSTING_KINDS = {"debit": "débit", "credit": "crédit", "refund": "remboursement"}
COLUMNS = (
    ("N°", True),
    ("Date", False),
    ("Opération", False),
    ("Article", False),
    ("Débit", True),
    ("Crédit", True),
    ("Réglé le", False),
)
PORTION_COLUMNS = (("Calcul", False), ("Base", True), ("Taux", True), ("Majoration", True))


def _euros(cents: int) -> str:
    return format_euros(Decimal(cents) / 100, cents=True)


def posting_label(p: Posting) -> str:
    """What a posting is: `provisionnelles 2026`, `virement`, `majorations de retard (sur l'échéance 3)`."""
    what = ORIGIN_LABELS.get(p.origin) or kind_label(p.origin)
    year = f" {p.year}" if p.year is not None and p.origin != "majoration" else ""
    # the ledger's details name other postings by their number: `sur l'échéance 3`, `crédit 5`
    detail = re.sub(
        r"(échéance|crédit) (\d+)", lambda m: f"{'opération' if m[1] == 'échéance' else 'crédit'} n° {m[2]}", p.detail
    )
    detail = f" ({detail})" if detail else ""
    return f"{what}{year}{detail}"


def _posting_row(p: Posting) -> dict[str, Any]:
    debit = p.kind == "debit"
    settled = ""
    if debit:
        settled = format_date(p.settled_on) if p.settled_on else "non réglé"
    # a refund pays out what the account held in the contributor's favour: it stands on the debit side
    outgoing = debit or p.kind == "refund"
    cells = [
        str(p.id),
        format_date(p.date),
        f"{POSTING_KINDS.get(p.kind, p.kind)} : {posting_label(p)}",
        p.reference,
        _euros(p.amount) if outgoing else "",
        "" if outgoing else _euros(p.amount),
        settled,
    ]
    return {"cells": cells, "class": "missed" if debit and p.settled_on is None else ""}


def _majoration(d: MajorationDetail, as_of: date) -> dict[str, Any]:
    """One unpaid debit's majorations: the 5 % on the sum unpaid on the due date, then the 0.2 % per month or
    fraction of month of each portion until it is paid (R243-16 I and II)."""
    initial_rate = _law_rate("majorations.taux_initial", d.due)
    monthly_rate = _law_rate("majorations.taux_complementaire_mensuel", d.due)
    rows: list[Any] = [
        [
            f"majoration initiale sur {_euros(d.base)} impayés le {format_date(d.due)} (R243-16 I)",
            _euros(d.base),
            format_rate(initial_rate, 0),
            _euros(d.initial),
        ]
    ]
    for portion in d.portions:
        when = (
            f"réglée le {format_date(portion.settled_on)}"
            if portion.settled_on is not None
            else f"impayée au {format_date(as_of)}"
        )
        rows.append(
            [
                f"portion {when} : {format_number(portion.months)} mois ou fraction de mois (R243-16 II)",
                _euros(portion.amount),
                f"{format_rate(monthly_rate, 1)} × {format_number(portion.months)}",
                _euros(portion.complementary),
            ]
        )
    if d.remitted:
        rows.append(["remise (R243-20)", "", "", f"−{_euros(d.remitted)}"])
    total = "Total après remise" if d.remitted else "Total"
    rows.append({"cells": [total, "", "", _euros(d.amount - d.remitted)], "class": "total"})
    conditions = [
        f"Droit à l'erreur (R243-11) — {CONDITION_LABELS.get(c.name, c.name)} : {'oui' if c.met else 'non'} "
        f"({_french_dates(c.detail)})"
        for c in d.droit_erreur
    ]
    return {
        "title": f"Échéance du {format_date(d.due)}"
        + (f" — {kind_label(d.kind)} {d.year}" if d.kind in KIND_LABELS else ""),
        "status": MAJORATION_STATUS.get(d.status, d.status),
        "rows": rows,
        "conditions": conditions,
    }


def _decisions(s: Statement) -> list[str]:
    """The payment plans (R243-21) and remises (R243-20) of the account, one sentence each (the droit à l'erreur
    is shown with the majorations it concerns)."""
    out: list[str] = []
    section = ""
    for line in _account_lines(s):
        if not line.strip():
            continue
        if not line.startswith(" "):
            section = line.rstrip(" :")
        elif not section.startswith("Droit"):
            out.append(f"{section} — {line.strip()}")
    return out


def statement_context(
    e: Echeancier,
    scenario: Scenario | None,
    *,
    account: str,
    issued_on: date,
    organism: str = "URSSAF",
) -> dict[str, Any]:
    """What the relevé shows, ready for `releve.html`."""
    statement: Statement | None = e.statement
    assert statement is not None, "an échéancier built with its ledger"
    identity = [f"Compte : {account}", *identity_lines(scenario)]
    s = statement
    return {
        "title": "Relevé de compte",
        "organism": e.organism.name if e.organism is not None else organism,
        "issued_on": format_date(issued_on),
        "as_of": format_date(s.as_of),
        "identity": identity,
        "columns": COLUMNS,
        "postings": [_posting_row(p) for p in s.postings],
        "portion_columns": PORTION_COLUMNS,
        "majorations": [_majoration(d, s.as_of) for d in s.majorations],
        "decisions": _decisions(s),
        "balance": balance_sentence(e),
        "balance_identity": (
            f"Appelé {_euros(s.called)} = payé {_euros(s.paid)} + crédité {_euros(s.credited)} − remboursé "
            f"{_euros(s.refunded)} + reste dû {_euros(s.outstanding)} − crédit {_euros(s.credit)}."
        ),
        "notes": [note_sentence(note) for note in e.notes],
    }


def statement_html(
    e: Echeancier, scenario: Scenario | None, *, account: str, issued_on: date, organism: str = "URSSAF"
) -> str:
    context = statement_context(e, scenario, account=account, issued_on=issued_on, organism=organism)
    return render_html("releve.html", **context)


def statement_pdf(
    e: Echeancier, scenario: Scenario | None, *, account: str, issued_on: date, organism: str = "URSSAF"
) -> bytes:
    """The relevé de compte as a French PDF (the ledger of `e`, on its date)."""
    return html_to_pdf(statement_html(e, scenario, account=account, issued_on=issued_on, organism=organism))
