"""The échéancier as documents — CSS L613-3 al. 2: the amount and due date of every contribution.

Four renderings of one `Echeancier`, each a pure function returning text or data (no I/O, same input → same
output, byte for byte):

- `to_table`: a French table for the contributor, with what each instalment is made of, the refunds, the
  majorations de retard and how they were computed (R243-16), the documents sent and the balance;
- `to_json`: the same facts for machines (ASCII snake_case fields, ISO dates, amounts in euros);
- `to_csv`: one row per part of an instalment, for spreadsheets (machine-readable, or French Excel);
- `to_ics`: one all-day event per instalment on its debit date, for a calendar application.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from icalendar import Calendar, Event

from echeancier.account.ledger import Statement
from echeancier.contributions.professions_liberales import COLLECTED_BY, SECTION_NOTE, collection_sentence
from echeancier.kernel.fmt import format_date, format_euros, format_number, format_rate
from echeancier.kernel.money import ZERO, round_cent
from echeancier.law import load_law
from echeancier.organisms import Organism, OrganismKind, UnknownTerritory, organism_for
from echeancier.portfolio.tables import Column, ColumnKind, csv_text
from echeancier.schedule.echeancier import Echeancier, Instalment, Part, Refund
from echeancier.schedule.majorations import Majoration

# What each part of an instalment is, as the contributor reads it (kinds of schedule/echeancier.py).
KIND_LABELS = {
    "provisional": "provisionnelles",
    "conjoint_collaborateur": "provisionnelles du conjoint collaborateur",
    "ajustement": "ajustement",
    "regularisation": "régularisation",
    "taxation_office": "taxation d'office",
    "penalite_declaration": "pénalité de déclaration tardive",
    "cfp": "CFP",
    "etalement": "étalement",
    "report": "report",
    "majoration": "majorations de retard",
    "carried_over": "impayé reporté",
}
# What a posting is, as the contributor reads it (origins of account/ledger.py; contribution kinds by KIND_LABELS).
ORIGIN_LABELS = {
    "direct_debit": "prélèvement",
    "transfer": "virement",
    "card": "carte",
    "cheque": "chèque",
    "cash": "espèces",
    "plan": "versement du délai de paiement",
    "regularisation_credit": "crédit de régularisation",
    "ajustement_credit": "crédit d'ajustement",
    "etalement_credit": "trop-versé d'étalement",
    "report_credit": "trop-versé de report",
    "remise": "remise de majorations",
    "refund": "remboursement",
}
# Parts whose year says nothing to the reader: majorations and unpaid sums belong to the year they are called in.
YEARLESS = frozenset({"majoration", "carried_over"})

NOTICE_LABELS = {
    "echeancier": "échéancier après la déclaration de revenus",
    "echeancier_debut_activite": "échéancier de début d'activité",
    "echeancier_modulation": "échéancier après la modulation sur le revenu estimé",
    "taxation_office": "notification de la taxation d'office et de son échéancier (CSS R613-1-2 IV)",
}

MAJORATION_STATUS = {
    "definitive": "définitive",
    "provisional": "provisoire, jusqu'au paiement",
    "suspended": "suspendue par le délai de paiement",
    "not_due": "non due : droit à l'erreur, CSS R243-11",
    "lifted": "due : délai de paiement non respecté",
}

CSV_FIELDS = ("due_date", "debit_date", "kind", "year", "amount", "instalment_amount", "missed", "organism", "warning")
CSV_FIELDS_FR = (
    "Échéance",
    "Prélèvement",
    "Nature",
    "Année",
    "Montant",
    "Montant de l'échéance",
    "Impayée",
    "Organisme",
    "Avertissement",
)
# The note that an overseas account is computed with the metropolitan rules: repeated on every CSV row and every
# calendar event, since a row or an event is read without the rest of the document.
METROPOLITAN_RULES = "regles_metropolitaines"
# The note that an account in a collectivité of CSS L751-1 has its overseas rates but not its exemptions (L756-2,
# L756-4): repeated the same way.
OVERSEAS_EXEMPTIONS = "exonerations_outre_mer_non_appliquees"
BOM = "\ufeff"  # lets Excel read the French CSV as UTF-8 rather than the Windows code page

PRODID = "-//echeancier//FR"

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


# --- Labels -----------------------------------------------------------------------------------------------------


def kind_label(kind: str) -> str:
    """The French name of a kind of part (`provisional` → `provisionnelles`); an unknown kind as it is."""
    return KIND_LABELS.get(kind, kind)


def part_label(kind: str, year: int) -> str:
    """`provisionnelles 2026`, `régularisation 2025`, `majorations de retard`."""
    label = kind_label(kind)
    return label if kind in YEARLESS else f"{label} {year}"


def _detail(instalment: Instalment) -> str:
    """What the instalment is made of; each part's amount when there are several."""
    if len(instalment.parts) == 1:
        (part,) = instalment.parts
        text = part_label(part.kind, part.year)
    else:
        text = " ; ".join(f"{part_label(p.kind, p.year)} : {_euros(p.amount)}" for p in instalment.parts)
    return f"impayée — {text}" if instalment.missed else text


def _euros(amount: Decimal) -> str:
    return format_euros(amount, cents=True)


def _french_dates(text: str) -> str:
    """ISO dates inside a free text written as French readers write them (2026-03-05 → 05/03/2026)."""
    return _ISO_DATE.sub(lambda m: f"{m[3]}/{m[2]}/{m[1]}", text)


def note_sentence(note: str) -> str:
    """A note of the échéancier (a code, possibly `code:value`) as a French sentence; unknown codes as they are."""
    code, _, value = note.partition(":")
    if code == SECTION_NOTE and value in COLLECTED_BY:
        return collection_sentence(value)
    if code == "trimestriel_sans_prelevement":
        return (
            "Sans autorisation de prélèvement, les cotisations sont payées chaque trimestre : le paiement mensuel "
            "demande une autorisation de prélèvement (CSS R613-2 I, R613-3)."
        )
    if code == "parametres_provisoires" and value:
        return (
            f"Les paramètres de la loi pour {value} ne sont pas encore tous publiés : les cotisations de {value} "
            "sont calculées avec les derniers connus et seront recalculées lorsqu'ils le seront."
        )
    if code == "trop_verse_apres_revenu_reel" and value:
        return (
            f"Le revenu estimé de {value} appelle moins que ce qui a déjà été versé : le trop-versé sera "
            f"remboursé une fois le revenu réel de {value} déclaré (CSS R613-1-4)."
        )
    if code == METROPOLITAN_RULES and value:
        try:
            organism: Organism | None = organism_for(value)
        except UnknownTerritory:
            organism = None
        where = f"{organism.territory} ({value})" if organism else value
        if organism and organism.kind is OrganismKind.CSS:
            return (
                f"Lieu d'activité {where} : les cotisations des revenus antérieurs à 2025 sont calculées avec les "
                "règles de la métropole ; les règles propres à Mayotte (ordonnance 96-1122) ne sont appliquées qu'à "
                "partir des revenus 2025, les montants réels peuvent différer."
            )
        return (
            f"Lieu d'activité {where} : les cotisations sont calculées avec les règles de la métropole ; les règles "
            "propres à l'outre-mer (CSS L751-1 et suivants) ne sont pas encore appliquées, les montants réels "
            "peuvent différer."
        )
    if code == OVERSEAS_EXEMPTIONS and value:
        try:
            place: Organism | None = organism_for(value)
        except UnknownTerritory:
            place = None
        where = f"{place.territory} ({value})" if place else value
        return (
            f"Lieu d'activité {where} : les taux de l'outre-mer sont appliqués (CSS L751-1), mais pas les "
            "exonérations de début d'activité et de régime de croisière (CSS L756-2, L756-4, D756-4) : les montants "
            "réels peuvent être inférieurs."
        )
    if code == "abattement_outre_mer":
        return (
            "Abattement de régime de croisière outre-mer appliqué (CSS L756-4, D756-4) : 50 % des cotisations et "
            "contributions dues sur la partie du revenu inférieure au PASS (75 % la troisième année civile d'une "
            "activité créée avec l'exonération de début d'activité), hors retraite complémentaire, "
            "invalidité-décès et CFP, dégressif de 150 % à 250 % du PASS."
        )
    if code == "exoneration_debut_activite_outre_mer":
        return (
            "Exonération de début d'activité outre-mer appliquée (CSS L756-2, D756-4) : pendant les 24 mois qui "
            "suivent la création, seules la retraite complémentaire et la contribution à la formation professionnelle "
            "restent dues en deçà de 110 % du PASS, l'exonération décroissant au-delà de 150 % du PASS."
        )
    if code == "cessation" and value:
        try:
            day = format_date(date.fromisoformat(value))
        except ValueError:
            day = value
        return (
            f"Cessation d'activité le {day} : les cotisations provisionnelles s'arrêtent, les sommes reportées ou "
            "étalées deviennent exigibles (CSS R131-9 IV) et les cotisations définitives sont régularisées sur la "
            "déclaration de cessation (CSS R613-1-5)."
        )
    return note


# --- JSON -------------------------------------------------------------------------------------------------------


def _number(amount: Decimal) -> float:
    """Euros as a JSON number: the amounts are whole cents, and a float's shortest repr of a 2-decimal value
    (what `json` writes) gives those digits back exactly."""
    return float(str(round_cent(amount)))


def _part_json(part: Part) -> dict[str, Any]:
    return {"kind": part.kind, "year": part.year, "amount": _number(part.amount)}


def _majoration_json(m: Majoration) -> dict[str, Any]:
    return {
        "due_date": m.due_date.isoformat(),
        "paid_on": m.paid_on.isoformat(),
        "settled_on": None if m.settled_on is None else m.settled_on.isoformat(),
        "status": m.status,
        "base": _number(m.base),
        "initial": _number(m.initial),
        "months": m.months,
        "complementary": _number(m.complementary),
        "amount": _number(m.amount),
    }


def _cents(amount: int) -> float:
    return _number(Decimal(amount) / 100)


def ledger_json(statement: Statement) -> list[dict[str, Any]]:
    """Every posting of the account up to the statement's date (account/ledger.py), amounts in euros."""
    return [
        {
            "id": p.id,
            "date": p.date.isoformat(),
            "kind": p.kind,
            "origin": p.origin,
            "year": p.year,
            "amount": _cents(p.amount),
            "reference": p.reference,
            **({"settled_on": None if p.settled_on is None else p.settled_on.isoformat()} if p.kind == "debit" else {}),
            **({"detail": p.detail} if p.detail and p.origin == "penalite_declaration" else {}),
        }
        for p in statement.postings
    ]


def account_json(statement: Statement) -> dict[str, Any]:
    """What the ledger adds to the échéancier: allocations, the majorations with the droit à l'erreur's
    conditions, payment plans and remises."""
    return {
        "allocations": [
            {"credit": a.credit, "debit": a.debit, "date": a.date.isoformat(), "amount": _cents(a.amount)}
            for a in statement.allocations
        ],
        "majorations": [
            {
                "due_date": d.due.isoformat(),
                "status": d.status,
                "base": _cents(d.base),
                "initial": _cents(d.initial),
                "complementary": _cents(d.complementary),
                "amount": _cents(d.amount),
                "remitted": _cents(d.remitted),
                "portions": [
                    {
                        "settled_on": None if p.settled_on is None else p.settled_on.isoformat(),
                        "amount": _cents(p.amount),
                        "months": p.months,
                        "complementary": _cents(p.complementary),
                    }
                    for p in d.portions
                ],
                "droit_erreur": [{"condition": c.name, "met": c.met, "detail": c.detail} for c in d.droit_erreur],
            }
            for d in statement.majorations
        ],
        "plans": [
            {
                "date": p.date.isoformat(),
                "instalments": [{"date": day.isoformat(), "amount": _cents(amount)} for day, amount in p.instalments],
                "covered": _cents(p.covered),
                "status": p.status,
                "ended_on": None if p.ended_on is None else p.ended_on.isoformat(),
            }
            for p in statement.plans
        ],
        "remises": [
            {
                "requested_on": r.requested_on.isoformat(),
                "admissible": r.admissible,
                "reason": r.reason,
                "decided_on": None if r.decided_on is None else r.decided_on.isoformat(),
                "decision": r.decision,
                "amount": _cents(r.amount),
                "remissible": _cents(r.remissible),
                "authority": r.authority,
            }
            for r in statement.remises
        ],
    }


def _organism_json(organism: Organism | None) -> dict[str, Any] | None:
    if organism is None:
        return None
    return {
        "kind": organism.kind.value,
        "name": organism.name,
        "code": organism.code,
        "territory": organism.territory,
        "reference": organism.reference,
        "url": organism.url,
    }


def _warning(e: Echeancier) -> str | None:
    """The note that the amounts follow the metropolitan rules, or not the overseas exemptions, when the account is
    overseas."""
    warnings = (METROPOLITAN_RULES, OVERSEAS_EXEMPTIONS)
    return next((note for note in e.notes if note.partition(":")[0] in warnings), None)


def to_json(e: Echeancier) -> dict[str, Any]:
    """The échéancier as a JSON-ready mapping: ASCII snake_case fields, ISO dates, amounts in euros as numbers
    with at most two decimals, the notes as their codes (see `note_sentence` for their meaning), and the collecting
    organism (CSS R613-6: kind URSSAF, CGSS or CSS, name, the COG code of the place of activity)."""
    return {
        "organism": _organism_json(e.organism),
        "residence_organism": _organism_json(e.residence_organism),
        "instalments": [
            {
                "due_date": i.due_date.isoformat(),
                "debit_date": i.debit_date.isoformat(),
                "amount": _number(i.amount),
                "missed": i.missed,
                "parts": [_part_json(p) for p in i.parts],
            }
            for i in e.instalments
        ],
        "refunds": [
            {
                "date": r.date.isoformat(),
                "kind": r.kind,
                "year": r.year,
                "amount": _number(r.amount),
                "imputed": _number(r.imputed),
                "on_instalments": _number(r.on_instalments),
            }
            for r in e.refunds
        ],
        "majorations": [_majoration_json(m) for m in e.majorations],
        **declarations_json(e),
        "notices": [{"date": n.date.isoformat(), "kind": n.kind, "detail": n.detail} for n in e.notices],
        "balance": {
            "as_of": e.as_of.isoformat(),
            "called": _number(e.called),
            "paid": _number(e.paid),
            "credited": _number(e.credited),
            "refunded": _number(e.refunded),
            "outstanding": _number(e.outstanding),
            "credit": _number(e.credit),
        },
        "notes": list(e.notes),
        "ledger": [] if e.statement is None else ledger_json(e.statement),
        "account": {} if e.statement is None else account_json(e.statement),
    }


def declarations_json(e: Echeancier) -> dict[str, Any]:
    """The penalties of late declarations and the taxations d'office, when there are any (keys absent otherwise)."""
    out: dict[str, Any] = {}
    if e.penalties:
        out["penalties"] = [
            {
                "year": p.year,
                "filed_on": p.filed_on.isoformat(),
                "deadline": p.deadline.isoformat(),
                "rate": str(p.rate),
                "base": _number(p.base),
                "amount": _number(p.amount),
                "reference": p.reference,
            }
            for p in e.penalties
        ]
    if e.taxations:
        out["taxations"] = [
            {
                "year": t.year,
                "notified_on": t.notified_on.isoformat(),
                "first_due_date": t.effect.isoformat(),
                "average": None if t.base.average is None else _number(t.base.average),
                "pass_fraction": _number(t.base.pass_fraction),
                "undeclared_years": t.base.undeclared_years,
                "base": _number(t.retained),
                "contributions": _number(t.contributions),
                "replaced_on": None if t.replaced_on is None else t.replaced_on.isoformat(),
                "reference": "CSS R613-1-2",
            }
            for t in e.taxations
        ]
    return out


def declaration_lines(e: Echeancier) -> list[str]:
    """The penalties and taxations d'office in French, each with its figures and article."""
    out: list[str] = []
    if e.penalties:
        out += ["", "Pénalités de déclaration tardive :"]
        for p in e.penalties:
            out.append(
                f"  revenus {p.year} déclarés le {format_date(p.filed_on)}, après la date limite du "
                f"{format_date(p.deadline)} : {format_rate(p.rate)} de {_euros(p.base)} de cotisations et "
                f"contributions = {_euros(p.amount)} ({p.reference})"
            )
    if e.taxations:
        out += ["", "Taxations d'office (CSS R613-1-2) :"]
        for t in e.taxations:
            b = t.base
            bases = f"50 % du plafond {_euros(b.pass_fraction)}"
            if b.last_year:
                bases = "dernier revenu connu (dernière année d'activité)"
            elif b.average is not None:
                bases = f"moyenne des revenus déclarés {_euros(b.average)}, {bases}"
            uplift = "" if b.last_year else f", majorée de 25 % × {b.undeclared_years} année(s) non déclarée(s)"
            line = (
                f"  revenus {t.year} non déclarés, taxés d'office le {format_date(t.notified_on)} sur "
                f"{_euros(t.retained)} ({bases}{uplift}) : cotisations {_euros(t.contributions)}, "
                f"appelées à partir du {format_date(t.effect)}"
            )
            if t.replaced_on is not None:
                line += f" ; remplacée par la déclaration du {format_date(t.replaced_on)}"
            out.append(line)
    return out


# --- The French table -------------------------------------------------------------------------------------------


def to_table(e: Echeancier) -> str:
    """The échéancier as a French text table for the contributor (dates jj/mm/aaaa, amounts `1 514,29 €`)."""
    out = [f"Échéancier de vos cotisations sociales — situation au {format_date(e.as_of)}"]
    if e.organism is not None:
        o = e.organism
        out.append(f"Organisme de recouvrement : {o.name} — lieu d'activité : {o.territory} ({o.code})")
    if e.residence_organism is not None:
        r = e.residence_organism
        out.append(
            f"Vous pouvez aussi vous adresser pour vos démarches à l'organisme de votre résidence, {r.name} "
            f"({r.territory}, {r.code}), qui ne recouvre pas vos cotisations (CSS R613-6 al. 2)."
        )
    warning = _warning(e)
    if warning is not None:
        out.append(f"Attention : {note_sentence(warning)}")
    out.append("")
    if e.instalments:
        out += _instalment_table(e.instalments)
        out += ["", "Total par année de cotisations :"]
        out += [f"  {line}" for line in _year_totals(e.instalments)]
    else:
        out.append("Aucune échéance.")
    if e.refunds:
        out += ["", "Remboursements :"]
        out += [f"  {refund_sentence(r)}" for r in e.refunds]
    if e.majorations:
        out += ["", "Majorations de retard (CSS R243-16) :"]
        out += [f"  {line}" for line in _majoration_lines(e.majorations)]
    out += declaration_lines(e)
    if e.statement is not None:
        out += _account_lines(e.statement)
    if e.notices:
        out += ["", "Documents envoyés :"]
        for notice in e.notices:
            label = NOTICE_LABELS.get(notice.kind, notice.kind)
            detail = f" ({_french_dates(notice.detail)})" if notice.detail else ""
            out.append(f"  {format_date(notice.date)} : {label}{detail}")
    out += ["", balance_sentence(e)]
    notes = [note for note in e.notes if note != warning]  # the warning is already at the top
    if notes:
        out += ["", "À savoir :"]
        out += [f"  • {note_sentence(note)}" for note in notes]
    return "\n".join(out) + "\n"


CONDITION_LABELS = {
    "declarations": "déclarations faites",
    "paiement_30_jours": "paiement (ou plan d'apurement respecté) dans les 30 jours",
    "aucun_retard_24_mois": "aucun retard de paiement dans les 24 mois précédents",
    "montant_inferieur_pmss": "majorations inférieures au plafond mensuel de la sécurité sociale",
}
PLAN_STATUS = {"in_force": "en cours", "kept": "respecté", "broken": "non respecté"}
AUTHORITY = {"directeur": "le directeur", "commission_recours_amiable": "la commission de recours amiable"}
DECISION = {"total": "remise totale", "partial": "remise partielle", "refused": "remise refusée"}


def _account_lines(statement: Statement) -> list[str]:
    """What the ledger decided: the droit à l'erreur and its conditions, payment plans, remises."""
    out: list[str] = []
    decided = [d for d in statement.majorations if d.droit_erreur]
    if decided:
        out += ["", "Droit à l'erreur (CSS R243-11) :"]
        for d in decided:
            verdict = "majorations non dues" if d.status == "not_due" else "majorations dues"
            out.append(f"  échéance du {format_date(d.due)} : {verdict}")
            for c in d.droit_erreur:
                mark = "oui" if c.met else "non"
                out.append(f"    {CONDITION_LABELS.get(c.name, c.name)} : {mark} — {_french_dates(c.detail)}")
    if statement.plans:
        out += ["", "Délais de paiement (CSS R243-21) :"]
        for p in statement.plans:
            steps = ", ".join(f"{format_date(day)} {_euros(Decimal(a) / 100)}" for day, a in p.instalments)
            end = f" le {format_date(p.ended_on)}" if p.ended_on else ""
            out.append(
                f"  accordé le {format_date(p.date)} pour {_euros(Decimal(p.covered) / 100)} ({steps}) : "
                f"{PLAN_STATUS.get(p.status, p.status)}{end}"
            )
    if statement.remises:
        out += ["", "Remises de majorations (CSS R243-20) :"]
        for r in statement.remises:
            line = f"  demande du {format_date(r.requested_on)} : {'recevable' if r.admissible else 'irrecevable'}"
            line += f" ({r.reason})"
            if r.decided_on is not None and r.decision is not None:
                line += (
                    f" ; décision du {format_date(r.decided_on)} par {AUTHORITY.get(r.authority or '', r.authority)}"
                    f" : {DECISION.get(r.decision, r.decision)} de {_euros(Decimal(r.amount) / 100)}"
                    f" (remissible : {_euros(Decimal(r.remissible) / 100)})"
                )
            out.append(line)
    return out


def balance_sentence(e: Echeancier) -> str:
    """The account on the date of the statement: called, paid, credits, refunds, what remains due, the credit."""
    terms = [f"appelé {_euros(e.called)}", f"payé {_euros(e.paid)}"]
    if e.credited:
        terms.append(f"crédits de régularisation, d'ajustement ou de remise {_euros(e.credited)}")
    if e.refunded:
        terms.append(f"remboursé {_euros(e.refunded)}")
    terms.append(f"reste dû {_euros(e.outstanding)}")
    if e.credit:
        terms.append(f"crédit en votre faveur {_euros(e.credit)}")
    return f"Au {format_date(e.as_of)} : {', '.join(terms)}."


def _instalment_table(instalments: tuple[Instalment, ...]) -> list[str]:
    with_debit = any(i.debit_date != i.due_date for i in instalments)
    headers = ["Échéance", "Prélèvement", "Montant", "Détail"] if with_debit else ["Échéance", "Montant", "Détail"]
    right = [False, False, True, False] if with_debit else [False, True, False]
    rows = []
    for i in instalments:
        debit = [format_date(i.debit_date) if i.debit_date != i.due_date else ""] if with_debit else []
        rows.append([format_date(i.due_date), *debit, _euros(i.amount), _detail(i)])
    widths = [max(len(row[c]) for row in (headers, *rows)) for c in range(len(headers))]

    def render(row: list[str]) -> str:
        cells = [cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(row, widths, right, strict=True)]
        return "  ".join(cells).rstrip()

    rule = "─" * (sum(widths[:-1]) + 2 * (len(widths) - 1) + len(headers[-1]))  # as the `simulate` table
    return [render(headers), rule, *(render(row) for row in rows), rule]


def _year_totals(instalments: tuple[Instalment, ...]) -> list[str]:
    """Per year the amounts are due for, what the instalments call, kind by kind (unpaid sums carried to a later
    instalment are counted once, where they were first due)."""
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for instalment in instalments:
        for part in instalment.parts:
            if part.kind != "carried_over":
                totals[part.year][part.kind] += part.amount
    lines = []
    for year in sorted(totals):
        kinds = totals[year]
        total = sum(kinds.values(), ZERO)
        listed = ", ".join(f"{kind_label(kind)} {_euros(amount)}" for kind, amount in kinds.items())
        lines.append(f"{year} : {_euros(total)} ({listed})")
    return lines


def refund_sentence(refund: Refund) -> str:
    """A credit in French: what is deducted from the instalments still to come (R613-1-3 al. 2), set against
    the sums still due (R613-5 II) and refunded."""
    what = part_label(refund.kind, refund.year)
    day = format_date(refund.date)
    uses = [
        (refund.on_instalments, "déduits des échéances à venir"),
        (refund.imputed, "imputés sur les sommes restant dues"),
        (refund.amount, "remboursés"),
    ]
    shown = [f"{_euros(amount)} {how}" for amount, how in uses if amount != ZERO]
    if refund.on_instalments == ZERO and refund.imputed == ZERO:
        return f"{day} : remboursement de {_euros(refund.amount)} (trop-versé, {what})"
    total = refund.amount + refund.imputed + refund.on_instalments
    return f"{day} : trop-versé de {_euros(total)} ({what}) : {', '.join(shown)}"


def _law_rate(key: str, day: date) -> Decimal:
    value = load_law().value_near(key, day)
    assert isinstance(value, Decimal), key
    return value


def _majoration_lines(majorations: tuple[Majoration, ...]) -> list[str]:
    """Each majoration with its computation: base × 5 % + base × 0,2 % × n mois (R243-16 I and II).

    The 5 % is computed once on the whole unpaid sum of a due date; when that sum is recovered over several
    instalments, each portion bears its own months of the 0.2 %.
    """
    unpaid: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for m in majorations:
        unpaid[m.due_date] = m.unpaid_base if m.unpaid_base is not None else unpaid[m.due_date] + m.base
    lines = []
    for m in majorations:
        initial_rate = format_rate(_law_rate("majorations.taux_initial", m.due_date), 0)
        monthly_rate = format_rate(_law_rate("majorations.taux_complementaire_mensuel", m.due_date), 0)
        terms = []
        if m.initial != ZERO:
            terms.append(f"{_euros(unpaid[m.due_date])} × {initial_rate} = {_euros(m.initial)}")
        months = f"{format_number(m.months)} mois"
        terms.append(f"{_euros(m.base)} × {monthly_rate} × {months} = {_euros(m.complementary)}")
        total = f" → {_euros(m.amount)}" if len(terms) > 1 else ""
        when = (
            f"réglée le {format_date(m.paid_on)}"
            if m.settled_on is not None
            else f"impayée au {format_date(m.paid_on)}"
        )
        status = MAJORATION_STATUS.get(m.status, m.status)
        lines.append(f"échéance du {format_date(m.due_date)} {when} : {' + '.join(terms)}{total} ({status})")
    due = [m for m in majorations if m.status not in ("not_due",)]
    lines.append(f"total des majorations : {_euros(sum((m.amount for m in due), ZERO))}")
    return lines


# --- CSV --------------------------------------------------------------------------------------------------------


def csv_columns(french: bool = False) -> list[Column]:
    """The columns of the CSV échéancier (and of the merged échéancier of a portfolio, after its `client`)."""
    kinds: tuple[ColumnKind, ...] = ("date", "date", "text", "int", "cents", "cents", "bool", "text", "text")
    return [Column(*spec) for spec in zip(CSV_FIELDS, CSV_FIELDS_FR, kinds, strict=True)]


def csv_rows(e: Echeancier, french: bool = False) -> list[tuple[Any, ...]]:
    """One row per part of each instalment, as values (dates, Decimals, booleans): `kind` and the warning in
    French words with `french`, as codes otherwise."""
    organism = e.organism.name if e.organism is not None else ""
    warning = _warning(e) or ""
    if french and warning:
        warning = note_sentence(warning)
    return [
        (
            i.due_date,
            i.debit_date,
            kind_label(part.kind) if french else part.kind,
            part.year,
            round_cent(part.amount),
            round_cent(i.amount),
            i.missed,
            organism,
            warning,
        )
        for i in e.instalments
        for part in i.parts
    ]


def to_csv(e: Echeancier, french: bool = False) -> str:
    """One row per part of each instalment, after a header row, lines ended by CRLF (RFC 4180).

    By default machine-readable: comma separator, ISO dates, amounts with a decimal point, `kind` as the codes of
    `to_json`, `missed` as true/false. With `french`, for French Excel: a byte-order mark (so that accents are read
    as UTF-8), ';' separator, French headers and kinds, dates jj/mm/aaaa, decimal comma, oui/non.
    """
    return csv_text(csv_columns(french), csv_rows(e, french), french=french)


def _plain(amount: Decimal) -> str:
    """Euros with two decimals and no grouping: 1514.29."""
    return f"{round_cent(amount):.2f}"


# --- ICS --------------------------------------------------------------------------------------------------------


def to_ics(e: Echeancier, name: str) -> str:
    """An iCalendar (RFC 5545) with one all-day event per instalment, on the day it is debited.

    `name` identifies the account (a scenario file name, an account id): the UID of each event is derived from
    it and from the legal due date, so that importing a newer échéancier updates the events instead of
    duplicating them. DTSTAMP is the as-of date at midnight UTC, so the same input gives the same bytes.
    """
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    stamp = datetime.combine(e.as_of, time(0), tzinfo=UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    short_name = e.organism.short_name if e.organism is not None else "Urssaf"
    calendar.add("x-wr-calname", f"Cotisations {e.organism.name if e.organism is not None else short_name}")
    warning = _warning(e)
    # who collects what for a profession libérale réglementée (R642-2, R652-34): an event is read alone
    section = next((note for note in e.notes if note.partition(":")[0] == SECTION_NOTE), None)
    for i in e.instalments:
        event = Event()
        event.add("uid", f"{i.due_date:%Y%m%d}-{digest}@echeancier")
        event.add("dtstamp", stamp)
        event.add("dtstart", i.debit_date)
        event.add("dtend", i.debit_date + timedelta(days=1))
        missed = " (impayée)" if i.missed else ""
        event.add("summary", f"Cotisations {short_name} : {_euros(i.amount)}{missed}")
        description = [f"Échéance légale : {format_date(i.due_date)}"]
        if i.debit_date != i.due_date:
            description.append(f"Prélèvement : {format_date(i.debit_date)}")
        description.append(f"Détail : {_detail(i)}")
        if e.organism is not None:
            description.append(f"Organisme : {e.organism.name}")
        if warning is not None:
            description.append(f"Attention : {note_sentence(warning)}")
        if section is not None:
            description.append(f"Recouvrement : {note_sentence(section)}")
        event.add("description", "\n".join(description))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data.decode("utf-8")
