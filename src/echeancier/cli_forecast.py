"""`echeancier forecast`: every payment of the next 24 months and the modulation that smooths them (issue #11).

The forecast itself is `schedule.forecast` (the planner run on the scenario plus hypothetical events); this module
reads the options, prints the French table, the JSON or the CSV, and refuses bad input with one line naming the
option (exit 2).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from echeancier.cli_account import DbOption

FORMATS = ("table", "json", "csv", "pdf")
# The fields of the forecast's refusals and the options that give them.
OPTION_OF = {
    "estimate": "--estimate",
    "monthly": "--monthly",
    "as_of": "--as-of",
    "missed_payment": "--missed",
    "rejected_debit": "--missed",
}
KIND_LABELS = {
    "provisional": "provisionnelles",
    "conjoint_collaborateur": "provisionnelles du conjoint collaborateur",
    "regularisation": "régularisation",
    "ajustement": "ajustement",
    "cfp": "CFP",
    "majoration": "majorations",
    "carried_over": "report d'impayé",
    "etalement": "étalement",
    "report": "report",
}


def _cli() -> Any:
    import echeancier.cli as cli

    return cli


def _fail(field: str, message: str) -> NoReturn:
    _cli()._fail(field, message)
    raise AssertionError("unreachable")


def _money(option: str, text: str) -> Decimal:
    """An amount in euros, written `60000`, `60 000`, `60000.50` or `60 000,50`."""
    cleaned = text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        _fail(option, f"{text!r} n'est pas un montant en euros")
    if not value.is_finite():
        _fail(option, f"{text!r} n'est pas un montant en euros")
    if value < 0:
        _fail(option, "un revenu ou une trésorerie estimé ne peut être négatif ici")
    return value


def forecast(
    source: Annotated[str, typer.Argument(metavar="SCÉNARIO.yaml|COMPTE", help="Un fichier de scénario ou un compte.")],
    estimate: Annotated[
        str | None,
        typer.Option("--estimate", metavar="EUROS", help="Revenu estimé de l'année en cours.", show_default=False),
    ] = None,
    monthly: Annotated[
        str | None,
        typer.Option(
            "--monthly",
            metavar="M1;M2;…;M12",
            help="Les douze revenus mensuels de l'année en cours, séparés par des points-virgules.",
            show_default=False,
        ),
    ] = None,
    estimate_next: Annotated[
        str | None,
        typer.Option("--estimate-next", metavar="EUROS", help="Revenu estimé de l'année suivante (défaut : le même)."),
    ] = None,
    cash: Annotated[str, typer.Option("--cash", metavar="EUROS", help="Trésorerie disponible aujourd'hui.")] = "0",
    previous_income: Annotated[
        str | None,
        typer.Option(
            "--previous-income",
            metavar="EUROS",
            help="Revenu de l'année précédente, si le scénario ne le donne pas.",
            show_default=False,
        ),
    ] = None,
    missed: Annotated[
        list[str] | None,
        typer.Option(
            "--missed", metavar="AAAA-MM-JJ", help="Échéance supposée impayée (répétable).", show_default=False
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="AAAA-MM-JJ", help="Date de la prévision (défaut : aujourd'hui).", show_default=False
        ),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json, csv ou pdf.")] = "table",
    output: Annotated[
        str | None,
        typer.Option("--output", metavar="FICHIER", help="Le PDF est écrit dans ce fichier.", show_default=False),
    ] = None,
    db: DbOption = None,
) -> None:
    """Prévision sur 24 mois : chaque échéance, la régularisation et l'ajustement que la prochaine déclaration
    appellera, la trésorerie restante chaque mois et la modulation (CSS R613-1-4) qui lisse les paiements."""
    cli = _cli()
    chosen = output_format.strip().lower()
    if chosen not in FORMATS:
        _fail("--format", f"format inconnu {output_format!r} (formats : {', '.join(FORMATS)})")
    day = cli._parse_date("--as-of", as_of) or cli._today()
    if chosen == "pdf" and output is None and sys.stdout.isatty():
        _fail("--format", "le PDF est un document binaire : donnez --output FICHIER ou redirigez la sortie")
    yearly = None if estimate is None else _money("--estimate", estimate)
    months = None
    if monthly is not None:
        parts = [p for p in monthly.split(";")]
        if len(parts) != 12:
            _fail("--monthly", f"douze revenus mensuels sont attendus, séparés par « ; » ({len(parts)} donnés)")
        months = [_money("--monthly", p) for p in parts]
    if yearly is None and months is None:
        _fail("--estimate", "obligatoire : le revenu estimé de l'année en cours (ou --monthly)")
    next_year = None if estimate_next is None else _money("--estimate-next", estimate_next)
    start_cash = _money("--cash", cash)
    previous = None if previous_income is None else _money("--previous-income", previous_income)
    missed_days = [cli._parse_date("--missed", value) for value in (missed or [])]

    from echeancier.law.loader import LawError
    from echeancier.schedule.forecast import forecast as run_forecast
    from echeancier.schedule.scenario import ScenarioError, loads_scenario

    with cli._errors(LawError):
        if Path(source).suffix.lower() in (".yaml", ".yml") or Path(source).exists():
            text = cli._read_scenario(source)
            try:
                scenario = loads_scenario(text)
            except ScenarioError as error:
                _fail(source, str(error))
        else:
            scenario = _account_scenario(source, db, day)
        try:
            result = run_forecast(
                scenario,
                day,
                yearly,
                monthly=months,
                estimate_next=next_year,
                cash=start_cash,
                missed=[d for d in missed_days if d is not None],
                previous_income=previous,
            )
        except ScenarioError as error:
            field, message = error.named()
            if field in OPTION_OF:
                _fail(OPTION_OF[field], message)
            if field == "incomes":
                _fail(source, f"{message} — ou --previous-income")
            _fail(source, str(error))
    if chosen == "pdf":
        cli._write_binary(output, forecast_pdf(result, cli._today()), "--output")
    elif chosen == "json":
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    elif chosen == "csv":
        sys.stdout.write(to_csv(result))
    else:
        sys.stdout.write(to_table(result))


def _account_scenario(account_id: str, db: str | None, day: date) -> Any:
    from echeancier.account.service import scenario_of
    from echeancier.cli_account import _expected, _payloads, _store

    with _cli()._errors(*_expected()):
        with _store(db) as store:
            account = store.account(account_id)
            payloads = _payloads(store.events(account_id))
        return scenario_of(account.contributor, payloads, day)


def to_csv(result: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["month", "payments", "payments_modulated", "income", "cash_left", "cash_left_modulated", "estimated"]
    )
    for m in result.months:
        writer.writerow(
            [m.month, m.payments, m.payments_modulated, m.income, m.cash_left, m.cash_left_modulated, m.estimated]
        )
    return out.getvalue()


def to_table(result: Any) -> str:
    """The forecast in French."""
    from echeancier.kernel.fmt import format_date, format_euros

    lines = [
        f"Prévision au {format_date(result.as_of)} jusqu'au {format_date(result.end)} — revenu estimé "
        f"{result.year} : {format_euros(result.estimate)}",
        "",
    ]
    modulated = result.modulation is not None
    headers = ["Mois", "Échéances", "Revenu", "Trésorerie"]
    if modulated:
        headers += ["Avec modulation", "Trésorerie modulée"]
    rows = []
    for m in result.months:
        row = [
            m.month + (ESTIMATED_MARK if m.estimated else ""),
            format_euros(m.payments, cents=True),
            format_euros(m.income),
            format_euros(m.cash_left, cents=True),
        ]
        if modulated:
            row += [format_euros(m.payments_modulated, cents=True), format_euros(m.cash_left_modulated, cents=True)]
        rows.append(row)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        lines.append(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
    lines += ["", "Échéances :"]
    for p in result.payments:
        detail = ", ".join(f"{KIND_LABELS.get(k, k)} {y} {format_euros(a, cents=True)}" for k, y, a in p.parts)
        unpaid = " — supposée impayée, reportée" if p.missed else ""
        mark = ESTIMATED_MARK if p.estimated else ""
        lines.append(f"  • {format_date(p.due_date)} : {format_euros(p.amount, cents=True)}{mark} ({detail}){unpaid}")
    lines += ["", *summary_lines(result)]
    return "\n".join(lines) + "\n"


ESTIMATED_MARK = " *"  # a figure computed with the last known parameters (`parametres_estimes`)


def summary_lines(result: Any) -> list[str]:
    """What the declarations will call, the majorations, the modulation and the notes, in French (table and PDF)."""
    from echeancier.kernel.fmt import format_date, format_euros
    from echeancier.schedule.forecast import estimated_sentence, regularisation_text

    lines: list[str] = []
    if result.calls:
        lines += ["Ce que les déclarations de revenus appelleront :"]
        for c in result.calls:
            label = "Régularisation" if c.kind == "regularisation" else "Ajustement"
            ref = "CSS R613-1-3" if c.kind == "regularisation" else "CSS R613-5 I"
            if c.amount < 0:
                text = f"crédit de {format_euros(-c.amount, cents=True)}"
            else:
                text = f"{format_euros(c.amount, cents=True)}"
            when = (
                f", du {format_date(c.first)} au {format_date(c.last)}"
                if c.first and c.last and c.first != c.last
                else (f", le {format_date(c.first)}" if c.first else "")
            )
            mark = ESTIMATED_MARK if c.estimated else ""
            lines.append(f"  • {label} {c.year} : {text}{mark}{when} — {ref}")
    if result.majorations:
        lines.append(f"  • Majorations de retard : {format_euros(result.majorations, cents=True)} — CSS R243-16")
    lines.append("")
    impossible = [n.split(":", 1)[1] for n in result.notes if n.startswith("modulation_impossible:")]
    if impossible:
        lines.append(f"Modulation (CSS R613-1-4 II) : impossible à cette date ({impossible[0]}).")
    elif result.modulation is None:
        lines.append(
            "Modulation (CSS R613-1-4 II) : aucune ne réduirait la régularisation de "
            f"{result.year} ; vos échéances suivent déjà votre revenu estimé."
        )
    else:
        mod = result.modulation
        effect = f"à partir de l'échéance du {format_date(mod.effect)}" if mod.effect else "sans effet cette année"
        lines.append(
            f"Modulation conseillée (CSS R613-1-4 II) : déclarez dès le {format_date(mod.requested)} un revenu estimé "
            f"{result.year} de {format_euros(mod.estimated_income)} ; elle prend effet {effect}. Elle donne pour "
            f"{result.year} {regularisation_text(mod.regularisation)}, contre "
            f"{regularisation_text(mod.regularisation_without)} sans modulation."
        )
        lines.append(
            "  Échéances provisionnelles qui en résultent : "
            + " ; ".join(f"{format_date(d)} {format_euros(a, cents=True)}" for d, a in mod.instalments)
        )
    for note in result.notes:
        if note.startswith("horizon_limite_par_la_loi:"):
            lines.append(
                "Note : les paramètres de la loi ne permettent de placer les échéances que jusqu'au "
                f"{format_date(date.fromisoformat(note.split(':')[1]))} ; la prévision s'arrête là."
            )
        elif note.startswith("parametres_estimes:"):
            lines.append(f"Note{ESTIMATED_MARK} : {estimated_sentence(int(note.split(':')[1]))}")
    return lines


def forecast_pdf(result: Any, issued_on: date) -> bytes:
    """The forecast as a French PDF: the chart of the monthly payments with and without the modulation (the SVG of
    the web page), the months, and what the declarations will call."""
    from markupsafe import Markup

    from echeancier.api.chart import forecast_svg
    from echeancier.documents.pdf import html_to_pdf, render_html
    from echeancier.kernel.fmt import format_date, format_euros

    months = [
        (
            m.month + (ESTIMATED_MARK if m.estimated else ""),
            format_euros(m.payments, cents=True),
            format_euros(m.payments_modulated, cents=True),
            format_euros(m.cash_left, cents=True),
        )
        for m in result.months
    ]
    html = render_html(
        "forecast.html",
        title=f"Prévision de vos paiements — revenu {result.year} estimé à {format_euros(result.estimate)}",
        organism="URSSAF",
        issued_on=format_date(issued_on),
        as_of=format_date(result.as_of),
        identity=[],
        chart=Markup(forecast_svg(result)),
        months=months,
        summary=[line.removeprefix("  • ").strip() for line in summary_lines(result) if line.strip()],
    )
    return html_to_pdf(html)


def rights(
    source: Annotated[str, typer.Argument(metavar="SCÉNARIO.yaml|COMPTE", help="Un fichier de scénario ou un compte.")],
    year: Annotated[int, typer.Option("--year", metavar="ANNÉE", help="L'année de revenus.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="AAAA-MM-JJ", help="Date du relevé (défaut : aujourd'hui).", show_default=False
        ),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table ou json.")] = "table",
    db: DbOption = None,
) -> None:
    """Les droits ouverts par les cotisations d'une année, selon ce qui a été réellement payé (CSS L351-2, D622-7)."""
    cli = _cli()
    chosen = output_format.strip().lower()
    if chosen not in ("table", "json"):
        _fail("--format", f"format inconnu {output_format!r} (formats : table, json)")
    day = cli._parse_date("--as-of", as_of) or cli._today()

    from echeancier.law.loader import LawError
    from echeancier.rights.account import account_rights
    from echeancier.schedule import amounts
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import Declaration, ScenarioError, loads_scenario

    with cli._errors(LawError):
        if Path(source).suffix.lower() in (".yaml", ".yml") or Path(source).exists():
            try:
                scenario = loads_scenario(cli._read_scenario(source))
            except ScenarioError as error:
                _fail(source, str(error))
        else:
            scenario = _account_scenario(source, db, day)
        declared = [
            e.income
            for e in scenario.events
            if isinstance(e, Declaration) and (e.year or e.date.year - 1) == year and e.income is not None
        ]
        income = declared[-1] if declared else scenario.incomes.get(year)
        if income is None:
            _fail("--year", f"aucun revenu {year} connu (ni déclaration, ni revenu du scénario)")
        try:
            statement = build_echeancier(scenario, day).statement
            simulation = amounts.definitive(scenario.contributor, year, income).simulation
        except ScenarioError as error:
            _fail(source, str(error))
        assert statement is not None and simulation is not None  # a definitive computation always has both
        result = account_rights(simulation, statement)
    if chosen == "json":
        document = {**result.to_dict(), "rights": simulation.rights.to_dict()}
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        return
    from echeancier.kernel.fmt import format_date, format_euros
    from echeancier.rights.result import render

    lines = [
        f"Droits des cotisations {year} au {format_date(day)} — cotisations dues {format_euros(result.due, cents=True)}"
        f", restant impayées {format_euros(result.unpaid, cents=True)}",
        f"  • Trimestres validés compte tenu des paiements : {result.trimestres} sur "
        f"{result.trimestres_si_tout_paye} si tout est payé (CSS L351-2, R351-9)",
        f"  • Revenu retenu pour les indemnités journalières : {format_euros(result.revenu_ij, cents=True)}"
        + (" (délais de paiement respectés, CSS D622-7 I al. 3)" if result.echeancier_respecte else " (CSS D622-7 I)"),
        "",
        *render(simulation.rights),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
