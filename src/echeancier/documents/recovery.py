"""The mise en demeure as a French PDF (CSS L244-2, R244-1), from what was recorded when it was sent.

The document is the stored event's `sent` content (recovery/service.py `mise_en_demeure_content`): the organism, the
cause, nature, period and amount of each sum, the majorations as of its date, the penalties, the delay of one month
and the voies de recours — so that the PDF printed later is the letter that was sent, never a recomputation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from echeancier.documents.echeancier import METROPOLITAN_RULES, note_sentence
from echeancier.documents.pdf import html_to_pdf, identity_lines, render_html
from echeancier.kernel.fmt import format_date, format_euros

MEANS = {
    "lrar": "par lettre recommandée avec demande d'avis de réception",
    "date_certaine": "par un moyen donnant date certaine à sa réception",
}


def _euros(cents: int) -> str:
    return format_euros(cents / 100, cents=True)


def _months(count: int) -> str:
    return "d'un mois" if count == 1 else f"de {count} mois"


def mise_en_demeure_html(account_id: str, contributor: Mapping[str, Any], event: Mapping[str, Any]) -> str:
    from echeancier.account.service import scenario_of
    from echeancier.organisms import is_overseas

    sent: Mapping[str, Any] = event.get("sent") or {}
    day = date.fromisoformat(str(event["date"]))
    scenario = scenario_of(contributor, [], day)
    department = scenario.contributor.department
    notes = [note_sentence(f"{METROPOLITAN_RULES}:{department}")] if is_overseas(department) else []
    organism = str(sent.get("organism") or "Urssaf")
    lines = [
        {
            "label": line["label"],
            "period": line["period"],
            "amount": _euros(int(line["amount_cents"])),
            "majorations": _euros(int(line.get("majorations_cents", 0))),
        }
        for line in sent.get("lines", [])
    ]
    reminder = "notre relance" if sent.get("after_relance") else "nos appels de cotisations"
    return render_html(
        "mise_en_demeure.html",
        title="Mise en demeure",
        organism=organism,
        issued_on=format_date(day),
        identity=[*identity_lines(scenario), f"Compte : {account_id}"],
        sent_on=format_date(day),
        means=MEANS.get(str(event.get("means", "lrar")), MEANS["lrar"]),
        reference=f"{account_id}-MED-{day.isoformat()}",
        reminder=reminder,
        delay=_months(int(sent.get("delay_months", 1))),
        lines=lines,
        as_of=format_date(date.fromisoformat(str(sent.get("as_of", day.isoformat())))),
        contributions=_euros(int(sent.get("contributions_cents", 0))),
        majorations=_euros(int(sent.get("majorations_cents", 0))),
        penalties=_euros(int(sent.get("penalties_cents", 0))),
        total=_euros(int(sent.get("total_cents", 0))),
        recours=_months(int(sent.get("recours_amiable_months", 2))).removeprefix("d'un ").removeprefix("de "),
        notes=notes,
    )


def mise_en_demeure_pdf(account_id: str, contributor: Mapping[str, Any], event: Mapping[str, Any]) -> bytes:
    """The mise en demeure recorded in `event` (its payload with `type`, `date`, `sent`) as a PDF."""
    return html_to_pdf(mise_en_demeure_html(account_id, contributor, event))
