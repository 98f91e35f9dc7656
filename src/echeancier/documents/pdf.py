"""The échéancier and the simulation as French PDF documents (CSS L613-3 al. 1 and 2, R613-5).

HTML from the Jinja2 templates of `documents/templates/`, laid out by WeasyPrint (Pango; fonts from the system,
DejaVu Sans in CI). Every figure comes with its reason: what it is, how it was computed and the article it
applies. WeasyPrint is imported when a document is rendered, never at start-up.

The documents are indicative: they say so, and name the organism that sends the real ones (`organism`, URSSAF by
default, until the organisms module routes a département to its Urssaf or CGSS).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jinja2

from echeancier.documents.echeancier import (
    NOTICE_LABELS,
    _detail,
    _french_dates,
    balance_sentence,
    note_sentence,
    refund_sentence,
)
from echeancier.kernel.fmt import format_date, format_euros, format_rate
from echeancier.kernel.money import ZERO

if TYPE_CHECKING:
    from echeancier.contributions.result import Line, Simulation
    from echeancier.schedule.echeancier import Echeancier
    from echeancier.schedule.scenario import Contributor, Scenario

PROFESSIONS = {
    "artisan": "artisan",
    "commercant": "commerçant",
    "liberal": "profession libérale",
    "liberal_reglementee": "profession libérale réglementée",
}
FREQUENCIES = {"monthly": "mensuel", "quarterly": "trimestriel"}

# What each kind of amount of the échéancier is and the articles it applies (kinds of schedule/echeancier.py).
KIND_REASONS = {
    "provisional": (
        "Cotisations provisionnelles {year} : calculées sur le dernier revenu déclaré (ou l'assiette forfaitaire "
        "des débuts d'activité), payées en échéances égales ; celles de l'année qui suit une déclaration sont "
        "annoncées dès l'échéancier envoyé après celle-ci (CSS L131-6-2, R613-2 II, R613-5 I 3°)."
    ),
    "conjoint_collaborateur": (
        "Conjoint collaborateur {year} : la part des cotisations provisionnelles {year} qui est celle du conjoint "
        "collaborateur (retraite de base et complémentaire, invalidité-décès, indemnités journalières sur "
        "l'assiette qu'il a choisie), appelée aux mêmes échéances (CSS L662-1, D633-19-2, R613-2)."
    ),
    "ajustement": (
        "Ajustement {year} : les provisionnelles {year} recalculées sur le revenu {previous} déclaré, le "
        "complément réparti sur les échéances restantes (CSS R613-5 I 2° et II)."
    ),
    "regularisation": (
        "Régularisation {year} : les cotisations définitives sur le revenu {year} déclaré, moins les "
        "provisionnelles {year} déjà appelées (CSS L131-6-2, R613-1-3, R613-5 I 1°)."
    ),
    "cfp": (
        "Contribution à la formation professionnelle {year}, sur le plafond de la sécurité sociale, appelée avec "
        "l'échéance de novembre (Code du travail L6331-48)."
    ),
    "etalement": (
        "Étalement {year} : les cotisations définitives des douze premiers mois payées par fractions égales "
        "(CSS L131-6-1 al. 2, R131-9 II et III)."
    ),
    "report": "Report {year} : cotisations des douze premiers mois reportées à votre demande (CSS L131-6-1, R131-9 I).",
    "majoration": "Majorations de retard sur les échéances impayées (CSS R243-16).",
    "taxation_office": (
        "Taxation d'office {year} : revenus {year} non déclarés, cotisations calculées provisoirement sur la base "
        "forfaitaire de la loi et remplacées par les cotisations sur le revenu réel dès sa déclaration "
        "(CSS R613-1-2 I et IV)."
    ),
    "penalite_declaration": (
        "Pénalité {year} : déclaration des revenus {year} transmise après la date limite de dépôt, 5 % des "
        "cotisations et contributions {year} (CSS R613-1-1 III), 10 % lorsqu'elles sont calculées sur les données "
        "de l'administration fiscale faute de réponse à la demande de l'organisme (CSS R613-1-2 II)."
    ),
}


def identity_lines(scenario: Scenario | None, name: str | None = None, siren: str | None = None) -> list[str]:
    """The contributor as the document names them: name, SIREN (grouped by three), profession, activity."""
    contributor = scenario.contributor if scenario is not None else None
    name = name or getattr(contributor, "name", None)
    siren = siren or getattr(contributor, "siren", None)
    out = []
    if name:
        out.append(f"Cotisant : {name}")
    if siren:
        out.append(f"SIREN : {siren[:3]} {siren[3:6]} {siren[6:]}")
    if contributor is not None:
        payment = contributor.payment
        mode = FREQUENCIES[payment.frequency] + (f" le {payment.day}" if payment.frequency == "monthly" else "")
        debit = "par prélèvement" if payment.direct_debit else "sans prélèvement"
        since = format_date(contributor.activity_start)
        section = f" (section {contributor.section.value.upper()})" if contributor.section is not None else ""
        out.append(f"Activité : {PROFESSIONS[contributor.profession.value]}{section}, depuis le {since}")
        out.append(f"Département : {contributor.department} ; paiement {mode}, {debit}")
        out += population_lines(contributor)
    return out


def population_lines(contributor: Contributor) -> list[str]:
    """The contributor's conjoint collaborateur and exemptions, as the documents name them (issue #10)."""
    from echeancier.contributions.conjoint_collaborateur import LABELS

    out = []
    if contributor.conjoint_collaborateur is not None:
        option = LABELS[contributor.conjoint_collaborateur.value]
        out.append(f"Conjoint collaborateur : assiette {option} (CSS L662-1, D633-19-2)")
    if contributor.pension_invalidite_mois:
        out.append(
            f"Pension d'invalidité : {contributor.pension_invalidite_mois} mois par an, exonération au prorata "
            "(CSS D621-4, D635-2)"
        )
    if contributor.exoneration_age:
        out.append("Exonération de la cotisation invalidité-décès liée à l'âge (maintenue depuis 2015)")
    if contributor.exoneration_debut_outre_mer:
        out.append("Exonération de début d'activité outre-mer, 24 mois à partir de la création (CSS L756-2, D756-4)")
    if contributor.secteur or contributor.metier or contributor.classe_cnbf or contributor.remplacant:
        from echeancier.cli import SECTEURS_FR

        choices = []
        if contributor.secteur is not None:
            choices.append(f"médecin, {SECTEURS_FR[contributor.secteur.value]}")
        if contributor.metier is not None:
            choices.append(contributor.metier.value.replace("_", "-"))
        if contributor.classe_cnbf is not None:
            choices.append(f"classe {contributor.classe_cnbf.value} de retraite complémentaire de la CNBF")
        if contributor.remplacant:
            choices.append("remplaçant au 1er janvier (pas de CURPS, CSP L4031-4)")
        out.append(f"Section : {', '.join(choices)}")
    return out


def reasons(e: Echeancier) -> list[dict[str, Any]]:
    """What the instalments call, year by year and kind by kind, each amount with its reason."""
    totals: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for instalment in e.instalments:
        for part in instalment.parts:
            if part.kind != "carried_over":
                totals[(part.year, part.kind)] += part.amount
    rows = []
    for (year, kind), amount in sorted(totals.items()):
        template = KIND_REASONS.get(kind, "{kind} {year}")
        rows.append(
            {
                "year": year,
                "amount": format_euros(amount, cents=True),
                "reason": template.format(year=year, previous=year - 1, kind=kind),
            }
        )
    return rows


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("echeancier", "documents/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["euros"] = lambda value: format_euros(value, cents=True)
    environment.filters["date_fr"] = format_date
    environment.filters["rate"] = format_rate
    return environment


def render_html(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    data = HTML(string=html).write_pdf()
    assert isinstance(data, bytes)
    return data


def schedule_html(
    e: Echeancier,
    scenario: Scenario | None = None,
    *,
    issued_on: date,
    organism: str = "URSSAF",
    name: str | None = None,
    siren: str | None = None,
) -> str:
    """The échéancier's document as HTML (what `schedule_pdf` lays out). The organism named is the one that
    collects for the contributor's place of activity (R613-6), `organism` only when the échéancier has none."""
    if e.organism is not None:
        organism = e.organism.name
    instalments = [
        {
            "due_date": format_date(i.due_date),
            "debit_date": format_date(i.debit_date) if i.debit_date != i.due_date else "",
            "amount": format_euros(i.amount, cents=True),
            "detail": _detail(i),
            "missed": i.missed,
        }
        for i in e.instalments
    ]
    notices = [
        f"{format_date(n.date)} : {NOTICE_LABELS.get(n.kind, n.kind)}"
        + (f" ({_french_dates(n.detail)})" if n.detail else "")
        for n in e.notices
    ]
    majorations = []
    if e.majorations:
        from echeancier.documents.echeancier import _majoration_lines

        majorations = _majoration_lines(e.majorations)
    return render_html(
        "echeancier.html",
        title="Échéancier de vos cotisations sociales",
        organism=organism,
        issued_on=format_date(issued_on),
        as_of=format_date(e.as_of),
        identity=identity_lines(scenario, name, siren),
        reasons=reasons(e),
        instalments=instalments,
        notices=notices,
        refunds=[refund_sentence(r) for r in e.refunds],
        majorations=majorations,
        declarations=_declaration_lines(e),
        balance=balance_sentence(e),
        notes=[note_sentence(note) for note in e.notes],
    )


def _declaration_lines(e: Echeancier) -> list[str]:
    """The penalties of late declarations and the taxations d'office, one line each (the table's wording)."""
    from echeancier.documents.echeancier import declaration_lines

    return [line.strip() for line in declaration_lines(e) if line.strip() and not line.endswith(" :")]


def schedule_pdf(
    e: Echeancier,
    scenario: Scenario | None = None,
    *,
    issued_on: date,
    organism: str = "URSSAF",
    name: str | None = None,
    siren: str | None = None,
) -> bytes:
    """The échéancier as a French PDF: identity, date of issue, every amount with its reason, every due date."""
    return html_to_pdf(schedule_html(e, scenario, issued_on=issued_on, organism=organism, name=name, siren=siren))


def contribution_rows(lines: tuple[Line, ...], collected: bool, *, conjoint: bool = False) -> list[dict[str, Any]]:
    """The rows of a table of contributions (the text table's, `cli._rows`): each line, then its tranches and
    exemption as sub-rows; with `collected`, the body that collects each line in a last cell (CSS R642-2); with
    `conjoint`, each line named as the conjoint collaborateur's (as the text table names them)."""
    from echeancier.cli import _rows

    out = []
    for line in lines:
        for index, row in enumerate(_rows(line)):
            cells = list(row) + ([(line.collected_by or "") if index == 0 else ""] if collected else [])
            if conjoint and index == 0:
                cells[0] = f"Conjoint : {cells[0][0].lower()}{cells[0][1:]}"
            out.append({"cells": cells, "sub": index > 0})
    return out


def simulation_html(
    result: Simulation, *, issued_on: date, organism: str = "URSSAF", name: str | None = None, siren: str | None = None
) -> str:
    from echeancier.cli import _situation_lines, collection_explanations, simulation_explanations
    from echeancier.law.snapshot import snapshot
    from echeancier.rights.result import render as render_rights

    law = snapshot(result.year)
    collected = any(line.collected_by is not None for line in result.lines)
    forfait = None
    if result.forfait is not None:
        from echeancier.cli import _forfait_block

        forfait = _forfait_block(result.forfait, law)
    situation = result.situation
    activity = PROFESSIONS[situation.profession.value]
    if situation.section is not None:
        activity += f" (section {situation.section.value.upper()})"
        from echeancier.cli import SECTEURS_FR

        # the choices of a health section and of the CNBF, as the text table's heading says them
        if situation.secteur is not None:
            activity += f", {SECTEURS_FR[situation.secteur.value]}"
        if situation.metier is not None:
            activity += f", {situation.metier.value.replace('_', '-')}"
        if situation.classe_cnbf is not None:
            activity += f", classe {situation.classe_cnbf.value} de retraite complémentaire"
        if situation.remplacant:
            activity += ", remplaçant au 1er janvier"
    conjoint = None
    if result.conjoint_amounts:
        conjoint = {
            "rows": contribution_rows(result.conjoint_lines, False, conjoint=True),
            "total": format_euros(Decimal(sum(result.conjoint_amounts))),
            "head": format_euros(Decimal(sum(result.amounts))),
        }
    section = None
    if result.section_amounts:
        # a health section's PCV, contribution additionnelle and CURPS (`contributions.pamc`), each with who collects it
        section = {
            "rows": contribution_rows(result.section_lines, True),
            "total": format_euros(Decimal(sum(result.section_amounts))),
        }
    return render_html(
        "simulation.html",
        title=f"Simulation de vos cotisations sociales — revenus {result.year}",
        organism=organism,
        issued_on=format_date(issued_on),
        identity=[*identity_lines(None, name, siren), f"Activité : {activity}"],
        situation=_situation_lines(result),
        rows=contribution_rows(result.lines, collected),
        collected=collected,
        total=format_euros(result.total if conjoint is None and section is None else Decimal(sum(result.amounts))),
        grand_total=format_euros(result.total),
        conjoint=conjoint,
        section=section,
        explanations=[*simulation_explanations(result, law), *collection_explanations(result)],
        forfait=forfait,
        rights=[line.removeprefix("  • ") for line in render_rights(result.rights)[1:]],
    )


def simulation_pdf(
    result: Simulation, *, issued_on: date, organism: str = "URSSAF", name: str | None = None, siren: str | None = None
) -> bytes:
    """The simulation (L613-3 al. 1) as a French PDF: each contribution with its base, rate, amount and article."""
    return html_to_pdf(simulation_html(result, issued_on=issued_on, organism=organism, name=name, siren=siren))
