"""The French web page (issue #8): the simulator, the échéancier of the two years it is about, the downloads.

One GET form at `/` (the address of a result can be bookmarked or shared; no JavaScript): the situation, then each
contribution with its base, rate, amount and article, the échéancier as a chart and a table, and links to the
PDF, ICS and CSV documents of the same situation. Every figure is formatted in French (`kernel/fmt.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from echeancier.api.app import HERE
from echeancier.api.ratelimit import limit_rate
from echeancier.contributions.conjoint_collaborateur import LABELS as CONJOINT_LABELS

if TYPE_CHECKING:
    from echeancier.contributions.result import Line, Simulation, Tranche
    from echeancier.schedule.echeancier import Echeancier
    from echeancier.schedule.forecast import Forecast
    from echeancier.schedule.scenario import Scenario

router = APIRouter(include_in_schema=False, dependencies=[Depends(limit_rate)])
templates = Jinja2Templates(directory=HERE / "templates")

LABELS = {
    "year": "Année des revenus",
    "profession": "Activité",
    "income": "Revenu",
    "start_date": "Date de création",
    "end_date": "Date de cessation",
    "acre": "ACRE",
    "rsa": "RSA",
    "department": "Département",
    "estimated_income": "Revenu estimé",
    "conjoint_collaborateur": "Conjoint collaborateur",
    "section": "Section professionnelle",
    "pension_invalidite_mois": "Pension d'invalidité",
    "exoneration_age": "Exonération liée à l'âge",
    "secteur": "Secteur conventionnel",
    "metier": "Profession (CARCDSF)",
    "remplacant": "Remplaçant",
    "classe_cnbf": "Classe de retraite complémentaire (CNBF)",
    "exoneration_debut_outre_mer": "Exonération de début d'activité outre-mer",
    "situation": "Situation",
}
PROFESSIONS = (
    ("artisan", "Artisan"),
    ("commercant", "Commerçant"),
    ("liberal", "Profession libérale non réglementée"),
    ("liberal_reglementee", "Profession libérale réglementée (avec sa section)"),
)
# The sections professionnelles (CSS R641-1; the CNBF: L651-1) and who they insure; the engine computes those of
# `situation.COMPUTED_SECTIONS`, the page lists the others as not computed yet.
SECTION_LABELS = {
    "cipav": "Cipav — architectes, ingénieurs-conseils, psychologues, ostéopathes et autres libéraux réglementés",
    "carmf": "CARMF — médecins",
    "carpimko": "CARPIMKO — infirmiers, masseurs-kinésithérapeutes, pédicures-podologues, orthophonistes, orthoptistes",
    "carcdsf": "CARCDSF — chirurgiens-dentistes et sages-femmes",
    "cavp": "CAVP — pharmaciens",
    "cavec": "CAVEC — experts-comptables et commissaires aux comptes",
    "carpv": "CARPV — vétérinaires",
    "cavamac": "CAVAMAC — agents généraux d'assurance",
    "cavom": "CAVOM — officiers ministériels, officiers publics et compagnies judiciaires",
    "crn": "CRN — notaires",
    "cprn": "CPRN — notaires",
    "cnbf": "CNBF — avocats",
}
# The choices of a health section and of the CNBF (`contributions.pamc`, docs/law-choices.md 300, 313), with the
# values the core reads (`situation.Secteur`, `Metier`, `ClasseCnbf`).
SECTEUR_LABELS = {
    "1": "Secteur 1 (tarifs conventionnels)",
    "2": "Secteur 2 (honoraires libres)",
    "non_conventionne": "Non conventionné",
}
METIER_LABELS = {"chirurgien_dentiste": "Chirurgien-dentiste", "sage_femme": "Sage-femme"}
CLASSE_CNBF_LABELS = {"1": "Classe 1", "2": "Classe 2", "2+": "Classe 2+ (ancienne classe 3)"}
FIELDS = (
    "profession",
    "year",
    "income",
    "income_is_net",
    "start_date",
    "end_date",
    "acre",
    "rsa",
    "department",
    "estimated_income",
    "section",
    "conjoint_collaborateur",
    "pension_invalidite_mois",
    "exoneration_age",
    "secteur",
    "metier",
    "remplacant",
    "classe_cnbf",
    "exoneration_debut_outre_mer",
)
# The fields whose error is shown next to an input of the same id (others: in the summary only).
FIELD_IDS = frozenset(FIELDS) - {"income_is_net"}
CHECKBOXES = ("acre", "rsa", "exoneration_age", "remplacant", "exoneration_debut_outre_mer")


@dataclass
class Form:
    """The form's values as typed (to show them back) and what they mean."""

    values: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    situation: dict[str, Any] | None = None
    estimated_income: Decimal | None = None

    @property
    def query(self) -> str:
        return urlencode({k: v for k, v in self.values.items() if v})


@lru_cache(maxsize=1)
def _departments() -> tuple[tuple[str, str, str], ...]:
    """Every code of the form's list with its territory and the organism that collects there (CSS R613-6)."""
    from echeancier.organisms import department_codes, organism_for

    codes = sorted(department_codes(), key=lambda code: (len(code) > 2, code.replace("2A", "20A").replace("2B", "20B")))
    out = []
    for code in codes:
        organism = organism_for(code)
        out.append((code, organism.territory, organism.name))
    return tuple(out)


_WHOLE = re.compile(r"-?\d{1,6}")


def _whole(text: str) -> int | str:
    """A whole number typed in the form, as the core reads JSON's integers; anything else as typed, for the core's
    input layer to refuse it naming the field."""
    return int(text) if _WHOLE.fullmatch(text) else text


def read_form(params: QueryParams) -> Form:
    """The query string of the simulator form → a situation mapping for the core, or the errors to show.

    The values go to the core's input layer as they are typed (`Situation`, the same as the API's and the command
    line's): its one message naming the field is shown next to that field. Only what HTML itself encodes is read
    here: a checkbox is "1" or absent, a whole number is digits.
    """
    from echeancier.kernel.money import to_decimal

    form = Form(values={name: params.get(name, "").strip()[:100] for name in FIELDS})
    values = form.values
    if not values["income"]:
        return form
    situation: dict[str, Any] = {
        "profession": values["profession"] or "artisan",
        "income": values["income"],
        "income_is_net": values["income_is_net"] == "1",
        "year": _whole(values["year"]),
    }
    for name in CHECKBOXES:
        if values[name] not in ("", "1"):
            form.errors.append((name, "case à cocher : la valeur attendue est 1 ou rien"))
        situation[name] = values[name] == "1"
    for name in (
        "start_date",
        "end_date",
        "department",
        "section",
        "conjoint_collaborateur",
        "secteur",
        "metier",
        "classe_cnbf",
    ):
        if values[name]:
            situation[name] = values[name]
    if values["pension_invalidite_mois"]:
        situation["pension_invalidite_mois"] = _whole(values["pension_invalidite_mois"])
    if values["estimated_income"]:
        try:
            form.estimated_income = to_decimal(values["estimated_income"])
        except ValueError:
            form.errors.append(("estimated_income", "montant en euros attendu"))
    if not form.errors:
        form.situation = situation
    return form


@dataclass
class Outcome:
    form: Form
    result: Simulation | None = None
    scenario: Scenario | None = None
    echeancier: Echeancier | None = None
    assumptions: list[str] = field(default_factory=list)
    forecast: Forecast | None = None


def compute(form: Form) -> Outcome:
    """The simulation and the échéancier of a valid form; problems become the form's errors."""
    from echeancier.api.projection import scenario_for
    from echeancier.contributions.engine import simulate
    from echeancier.contributions.situation import InputError
    from echeancier.law.loader import LawError
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import ScenarioError, parse_scenario

    outcome = Outcome(form)
    if form.situation is None:
        return outcome
    try:
        outcome.result = simulate(form.situation)
    except InputError as error:
        form.errors.append((error.field, error.message))
        return outcome
    except LawError as error:
        form.errors.append(("year", str(error)))
        return outcome
    department = outcome.result.situation.department or "75"
    document, outcome.assumptions = scenario_for(outcome.result, department, form.estimated_income)
    try:
        outcome.scenario = parse_scenario(document)
        outcome.echeancier = build_echeancier(outcome.scenario)
    except (ScenarioError, LawError) as error:
        form.errors.append(("situation", f"échéancier impossible à établir : {error}"))
        return outcome
    outcome.forecast = _forecast(document, outcome.result)
    return outcome


def _forecast(document: dict[str, Any], result: Simulation) -> Forecast | None:
    """The 24-month forecast (`schedule.forecast`) of the simulator's scenario seen at the start of the simulated
    year, before its declaration and any modulation, with the simulated income as the estimate: the payments with
    and without the modulation of R613-1-4 II that brings the régularisation closest to zero."""
    from echeancier.api.projection import MODULATION_DAY
    from echeancier.law.loader import LawError
    from echeancier.schedule.forecast import forecast
    from echeancier.schedule.scenario import ScenarioError, parse_scenario

    year = result.year
    events = [
        e
        for e in document.get("events", [])
        if e.get("type") != "modulation" and not (e.get("type") == "declaration" and e.get("year") == year)
    ]
    start = result.situation.start_date
    as_of = max(date(year, *MODULATION_DAY), start) if start is not None else date(year, *MODULATION_DAY)
    try:
        return forecast(parse_scenario({**document, "events": events}), as_of, result.income)
    except (ScenarioError, LawError):
        return None  # the échéancier above is shown; a forecast the law cannot place is left out


def _lines(lines: tuple[Line, ...]) -> list[dict[str, Any]]:
    """Each contribution with its explanation: base × rate = amount, the minimum or cap applied, the exemption,
    the article, and the body that collects it when it is not the Urssaf alone (professions libérales
    réglementées, CSS R613-1, R642-2, R652-34)."""
    from echeancier.cli import is_fixed
    from echeancier.kernel.fmt import format_euros, format_rate

    def part(t: Tranche) -> str:
        if is_fixed(t):  # a class or forfait of the section's statuts
            return f"{t.label} : {format_euros(t.amount, cents=True)}"
        return f"{format_euros(t.base)} × {format_rate(t.rate)} ({t.label})"

    out = []
    for line in lines:
        fixed = is_fixed(line)
        if line.tranches and (len(line.tranches) > 1 or fixed):
            how = " + ".join(part(t) for t in line.tranches)
        elif line.progressive:
            how = f"{format_euros(line.base)} × taux progressif {format_rate(line.rate)}"
        else:
            how = f"{format_euros(line.base)} × {format_rate(line.rate)}"
        extra = []
        if line.minimum is not None:
            extra.append(f"assiette minimale de {format_euros(line.minimum)}")
        if line.amount_cap is not None:
            # the CURPS's ceiling is on its amount, 0,5 % of the PASS (CSP D4031-45), not on its base
            extra.append(f"montant plafonné à {format_euros(line.amount_cap, cents=True)} (CSP D4031-45)")
        if line.capped is not None:
            extra.append(f"assiette plafonnée à {format_euros(line.capped)}")
        if line.exoneration:
            extra.append(f"{line.exoneration_label} de {format_euros(line.exoneration)} ({line.exoneration_reference})")
        out.append(
            {
                "label": line.label,
                "base": format_euros(line.base),
                "rate": "montant fixe"
                if fixed
                else ("progressif " if line.progressive else "") + format_rate(line.rate),
                "amount": format_euros(line.amount),
                "how": how,
                "extra": "; ".join(extra),
                "reference": line.reference,
                "key": line.key,
                "collected_by": line.collected_by,
            }
        )
    return out


def _conjoint(result: Simulation) -> dict[str, Any] | None:
    """The conjoint collaborateur's block (CSS L662-1, D633-19-2): the base they chose, their lines and total."""
    from echeancier.kernel.fmt import format_euros

    option = result.situation.conjoint_collaborateur
    if option is None or result.conjoint_assiette is None:
        return None
    own = sum(result.conjoint_amounts)
    return {
        "option": CONJOINT_LABELS[option.value],
        "shared": option.value.endswith("avec_partage"),
        "assiette": format_euros(result.conjoint_assiette),
        "lines": _lines(result.conjoint_lines),
        "total": format_euros(Decimal(own)),
        "head": format_euros(Decimal(sum(result.amounts))),
    }


def _section_block(result: Simulation) -> dict[str, Any] | None:
    """A health section's own contributions (`contributions.pamc.EXTRAS`): the PCV (CSS L645-1 to L645-5), the
    contribution additionnelle maladie and the CURPS (CSP L4031-4), each with who collects it; None elsewhere."""
    from echeancier.kernel.fmt import format_euros

    if not result.section_amounts:
        return None
    return {
        "lines": _lines(result.section_lines),
        "total": format_euros(Decimal(sum(result.section_amounts))),
        "head": format_euros(Decimal(sum(result.amounts))),
    }


def _context(outcome: Outcome) -> dict[str, Any]:
    from echeancier.api.chart import forecast_svg, schedule_svg
    from echeancier.cli import collection_explanations, simulation_explanations
    from echeancier.contributions.professions_liberales import SECTION_NOTE, URSSAF
    from echeancier.contributions.situation import COMPUTED_SECTIONS
    from echeancier.documents.echeancier import _detail, note_sentence, refund_sentence
    from echeancier.documents.pdf import reasons
    from echeancier.kernel.fmt import format_date, format_euros
    from echeancier.law.snapshot import snapshot, supported_years
    from echeancier.rights.result import render as render_rights
    from echeancier.schedule.forecast import estimated_sentence, regularisation_text

    form = outcome.form
    field_errors: dict[str, str] = {}
    for name, message in form.errors:
        field_errors.setdefault(name, message)
    context: dict[str, Any] = {
        "form": form,
        "values": form.values,
        "errors": [
            (LABELS.get(name, name), message, name if name in FIELD_IDS else None) for name, message in form.errors
        ],
        "field_errors": field_errors,
        "professions": PROFESSIONS,
        "sections": [(code, label, code in COMPUTED_SECTIONS) for code, label in SECTION_LABELS.items()],
        "secteurs": list(SECTEUR_LABELS.items()),
        "metiers": list(METIER_LABELS.items()),
        "classes_cnbf": list(CLASSE_CNBF_LABELS.items()),
        "conjoint_options": list(CONJOINT_LABELS.items()),
        "years": list(supported_years()),
        "departments": _departments(),
        "organism": _organism(form.values["department"] or "75"),
        "result": None,
        "echeancier": None,
        "forecast": None,
    }
    result = outcome.result
    if result is not None:
        context["result"] = {
            "year": result.year,
            "total": format_euros(result.total),
            "lines": _lines(result.lines),
            "head_total": format_euros(Decimal(sum(result.amounts))),  # the table's, without the conjoint's
            "collected": any(line.collected_by is not None for line in result.lines),
            "section_collects": any(
                line.collected_by and not line.collected_by.startswith(URSSAF) for line in result.lines
            ),
            "section": result.situation.section.value.upper() if result.situation.section is not None else None,
            "conjoint": _conjoint(result),
            "section_block": _section_block(result),
            "explanations": [
                *simulation_explanations(result, snapshot(result.year)),
                *collection_explanations(result),
            ],
            "income": format_euros(result.income),
            "rights": [line.removeprefix("  • ") for line in render_rights(result.rights)[1:]],
        }
    e = outcome.echeancier
    if e is not None:
        if e.organism is not None:
            context["organism"] = {"name": e.organism.name, "reference": e.organism.reference}
        conjoint = any(p.kind == "conjoint_collaborateur" for i in e.instalments for p in i.parts)
        context["echeancier"] = {
            "conjoint": conjoint,
            "chart": schedule_svg(e),
            "instalments": [
                {
                    "due_date": format_date(i.due_date),
                    "debit_date": format_date(i.debit_date),
                    "amount": format_euros(i.amount, cents=True),
                    "detail": _detail(i),
                    "conjoint": format_euros(
                        sum((p.amount for p in i.parts if p.kind == "conjoint_collaborateur"), Decimal(0)), cents=True
                    ),
                }
                for i in e.instalments
            ],
            "reasons": reasons(e),
            "refunds": [refund_sentence(r) for r in e.refunds],
            # who collects what for a profession libérale réglementée: said under the title, not among the notes
            "collection": [note_sentence(n) for n in e.notes if n.partition(":")[0] == SECTION_NOTE],
            "notes": [note_sentence(n) for n in e.notes if n.partition(":")[0] != SECTION_NOTE],
            "assumptions": outcome.assumptions,
            "first": format_date(e.instalments[0].due_date) if e.instalments else "",
            "last": format_date(e.instalments[-1].due_date) if e.instalments else "",
        }
    f = outcome.forecast
    if f is not None:
        modulation = f.modulation
        context["forecast"] = {
            "chart": forecast_svg(f),
            "first": f.months[0].month if f.months else "",
            "last": f.months[-1].month if f.months else "",
            # DESIGN §2 decision 6 (docs/law-choices.md 220): the years planned with the last known parameters
            "estimated": [
                "Montants " + estimated_sentence(int(n.split(":")[1])).removeprefix("montants ")
                for n in f.notes
                if n.startswith("parametres_estimes:")
            ],
            "modulation": None
            if modulation is None
            else (
                f"Déclarer dès le {format_date(modulation.requested)} un revenu {f.year} estimé à "
                f"{format_euros(modulation.estimated_income)} (CSS R613-1-4 II) donne "
                f"{regularisation_text(modulation.regularisation)}, contre "
                f"{regularisation_text(modulation.regularisation_without)} sans modulation"
                + (f", à partir de l'échéance du {format_date(modulation.effect)}." if modulation.effect else ".")
            ),
        }
    return context


def _organism(code: str) -> dict[str, str] | None:
    """The organism that collects at the form's département (CSS R613-6), or None for a code that is not one."""
    from echeancier.organisms import UnknownTerritory, organism_for

    try:
        organism = organism_for(code)
    except UnknownTerritory:
        return None
    return {"name": organism.name, "reference": organism.reference}


@router.get("/", response_class=HTMLResponse)
async def page(request: Request) -> Response:
    form = read_form(request.query_params)
    outcome = await run_in_threadpool(compute, form)
    status = 422 if form.errors else 200
    return templates.TemplateResponse(request, "simulateur.html", _context(outcome), status_code=status)


def _document(outcome: Outcome, kind: str, organism: str) -> tuple[bytes, str]:
    from echeancier.documents import echeancier as documents
    from echeancier.documents.pdf import schedule_pdf, simulation_pdf

    today = date.today()
    if kind == "simulation.pdf":
        assert outcome.result is not None
        found = _organism(outcome.result.situation.department or "75")
        organism = found["name"] if found is not None else organism
        return simulation_pdf(outcome.result, issued_on=today, organism=organism), "application/pdf"
    assert outcome.echeancier is not None
    if kind == "echeancier.pdf":
        pdf = schedule_pdf(outcome.echeancier, outcome.scenario, issued_on=today, organism=organism)
        return pdf, "application/pdf"
    if kind == "echeancier.ics":
        return documents.to_ics(outcome.echeancier, "simulateur").encode("utf-8"), "text/calendar; charset=utf-8"
    return documents.to_csv(outcome.echeancier, french=True).encode("utf-8"), "text/csv; charset=utf-8"


DOWNLOADS = ("simulation.pdf", "echeancier.pdf", "echeancier.ics", "echeancier.csv")


@router.get("/telechargements/{name}")
async def download(request: Request, name: str) -> Response:
    """The documents of the form's situation, as linked from the page."""
    from echeancier.api.parsing import ApiError

    if name not in DOWNLOADS:
        raise ApiError(404, "name", f"unknown document {name!r} (known: {', '.join(DOWNLOADS)})")
    form = read_form(request.query_params)
    outcome = await run_in_threadpool(compute, form)
    if form.errors or outcome.result is None or (name != "simulation.pdf" and outcome.echeancier is None):
        field, message = form.errors[0] if form.errors else ("income", "is required")
        raise ApiError(422, field, message)
    organism = request.app.state.settings.organism
    content, media = await run_in_threadpool(_document, outcome, name, organism)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=media, headers=headers)
