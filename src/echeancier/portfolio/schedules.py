"""The échéanciers of a portfolio: a file of clients (one row each) or a directory of scenario files.

A client file gives, per row, what a scenario's `contributor` and `incomes` give (`schedule/scenario.py`), and
optionally the date of the declaration of the last year's income:

| field | names | cell |
|---|---|---|
| client | `client`, `identifiant`, `dossier`, `id` | required: names the client's rows in the merged échéancier |
| name | `nom`, `raison_sociale`, `name` | printed on the PDF |
| siren | `siren` | 9 digits, Luhn-checked |
| profession | `profession`, `metier` | artisan, commerçant or libéral |
| activity_start | `debut_activite`, `date_debut`, `date_creation`, `activity_start` | the start of the activity |
| department | `departement`, `dept`, `code_departement`, `department` | COG code of the activity's place (default 75) |
| frequency | `paiement`, `periodicite`, `frequency` | mensuel or trimestriel (default mensuel) |
| day | `jour`, `jour_prelevement`, `day` | a day the law lets a monthly payer choose (5 or 20; default the law's) |
| direct_debit | `prelevement`, `direct_debit` | oui/non (default oui) |
| acre, rsa | `acre`, `rsa` | oui/non |
| conjoint_collaborateur | `conjoint_collaborateur`, `conjoint` | the conjoint's base (`tiers sans partage`…) |
| section, secteur, metier, classe_cnbf, remplacant | as in `portfolio/simulation.py` | a libérale réglementée's |
| the exemptions | as in `portfolio/simulation.py` | `mois_pension_invalidite`, `exoneration_age`, `…_outre_mer` |
| declaration | `date_declaration`, `declaration` | the day the previous year's income is declared |
| years | `annees`, `years` | the years shown: `2026`, `2025 2026` or `2025-2026` (default below) |
| incomes | `revenu_AAAA`, `income_AAAA` | the income of year AAAA |
| | `revenu_professionnel_AAAA`, `revenu_brut_AAAA` | the same, saying which income it is |

The years shown are, by default, the year of the declaration, else the year after the last income given, else
the year the activity starts. The payment days (CSS R613-2 I) are those of the law the file is computed with
(`schedule.calendar.payment_days`): a day not given is its day "à défaut de choix" (`scenario.with_default_day`).

LAW: as for the simulation of a portfolio (`portfolio/simulation.py`, docs/law-choices.md rows 150–151), the
plain `revenu_AAAA` columns of a file that has years on both sides of the 2025 reform are refused as a whole;
`revenu_professionnel_2025` or `revenu_brut_2024` is an error of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from echeancier.kernel.inputs import MAX_YAML_BYTES, InputError, parse_date, parse_flag, shown
from echeancier.law import load_law
from echeancier.portfolio.simulation import (
    ALIASES,
    OPTIONAL_FIELDS,
    PROFESSION_NAMES,
    RowError,
    after_reform,
    cell_of,
    optional_fields,
    whole_cell,
    year_cell,
)
from echeancier.portfolio.tables import Column, Table, TableError, cell_text, normalise_name

if TYPE_CHECKING:
    from echeancier.law.loader import Law

__all__ = ["CLIENT_ALIASES", "ClientSchedule", "schedules_of_directory", "schedules_of_table"]

CLIENT_ALIASES: dict[str, tuple[str, ...]] = {
    "client": ("client", "identifiant", "dossier", "code_client", "reference", "id"),
    "name": ("nom", "raison_sociale", "name"),
    "siren": ("siren",),
    "profession": ("profession", "metier"),
    "activity_start": (
        "debut_activite",
        "date_debut",
        "date_de_debut",
        "date_debut_activite",
        "date_creation",
        "activity_start",
    ),
    "department": ALIASES["department"],
    "frequency": ("paiement", "periodicite", "frequency"),
    "day": ("jour", "jour_prelevement", "jour_de_prelevement", "day"),
    "direct_debit": ("prelevement", "direct_debit"),
    "acre": ("acre",),
    "rsa": ("rsa",),
    "conjoint_collaborateur": ("conjoint_collaborateur", "conjoint"),
    "declaration": ("date_declaration", "declaration", "declaration_date"),
    "years": ("annees", "annee", "years"),
    # the contributor's optional fields, under the names of a simulation file
    **{field: ALIASES[field] for field in OPTIONAL_FIELDS if field != "department"},
}
FRENCH_CLIENT_NAMES = frozenset(
    {"identifiant", "dossier", "code_client", "nom", "raison_sociale", "metier", "debut_activite", "date_debut"}
    | {"date_de_debut", "date_debut_activite", "date_creation", "departement", "paiement", "periodicite", "jour"}
    | {"jour_prelevement", "jour_de_prelevement", "prelevement", "date_declaration", "annees", "annee"}
    | {"section_professionnelle", "caisse", "secteur_conventionnel", "metier_sante", "profession_sante"}
    | {"classe_cotisation_cnbf", "mois_pension_invalidite", "exoneration_invalidite_deces_age"}
    | {"exoneration_debut_activite_outre_mer", "code_departement"}
)
_INCOME = re.compile(r"(revenu|income)(?:_(professionnel|brut))?_(\d{4})")
FREQUENCIES = {"mensuel": "monthly", "monthly": "monthly", "trimestriel": "quarterly", "quarterly": "quarterly"}
_GOT = re.compile(r" \(reçu \{.*\}\)$")  # the contributor echoed back after a rule over several fields
_YEARS = re.compile(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?")


@dataclass(slots=True)
class ClientSchedule:
    """The échéancier of one client (or the error that kept it from being computed)."""

    client: str
    row: int
    scenario: Any = None  # schedule.scenario.Scenario
    result: Any = None  # schedule.echeancier.Echeancier
    error: RowError | None = None


@dataclass(slots=True)
class _Layout:
    fields: dict[str, int]
    incomes: dict[int, tuple[int, str | None]]  # year -> (column, nature or None)
    french: bool


def _layout(table: Table) -> _Layout:
    known = {name: field for field, names in CLIENT_ALIASES.items() for name in names}
    fields: dict[str, int] = {}
    incomes: dict[int, tuple[int, str | None]] = {}
    for index, header in enumerate(table.header):
        name = normalise_name(header)
        income = _INCOME.fullmatch(name)
        if income:
            year = int(income.group(3))
            if year in incomes:
                raise TableError(table.path, f"deux colonnes de revenu pour {year} (dont {header!r})")
            incomes[year] = (index, income.group(2))
            continue
        field = known.get(name)
        if field is None:
            listed = ", ".join(names[0] for names in CLIENT_ALIASES.values())
            raise TableError(table.path, f"colonne {header!r} inconnue (colonnes connues : {listed}, revenu_AAAA)")
        if field in fields:
            raise TableError(table.path, f"deux colonnes pour {field} (dont {header!r})")
        fields[field] = index
    for required in ("client", "profession", "activity_start"):
        if required not in fields:
            raise TableError(table.path, f"colonne obligatoire absente : {CLIENT_ALIASES[required][0]}")
    sides = {after_reform(year): year for year, (_, nature) in incomes.items() if nature is None}
    sides.pop(None, None)
    if len(sides) == 2:
        raise TableError(
            table.path,
            f"les colonnes revenu_{sides[False]} et revenu_{sides[True]} ne disent pas quel revenu elles donnent : "
            f"revenu professionnel jusqu'aux revenus 2024, revenu brut (avant cotisations et abattement) depuis la "
            f"réforme des revenus 2025 ; les nommer revenu_professionnel_{sides[False]} et revenu_brut_{sides[True]}",
        )
    for year, (index, nature) in incomes.items():
        after = after_reform(year)
        if (nature == "professionnel" and after is True) or (nature == "brut" and after is False):
            right = "revenu_brut" if after else "revenu_professionnel"
            raise TableError(
                table.path,
                f"colonne {table.header[index]!r} : le revenu de {year} est le {right.replace('_', ' ')} "
                f"(réforme des revenus 2025), colonne {right}_{year}",
            )
    french = table.semicolon or any(normalise_name(h) in FRENCH_CLIENT_NAMES for h in table.header)
    return _Layout(fields, incomes, french)


def _years(value: Any, field: str) -> list[int]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [year_cell(value, field)]
    text = str(value)
    years: list[int] = []
    for part in re.split(r"[ ,;+/]+", text.strip()):
        match = _YEARS.fullmatch(part) if part else None
        if part and not match:
            raise InputError(field, f"des années comme 2026, « 2025 2026 » ou « 2025-2026 » (reçu {shown(value)})")
        if match:
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            if not 0 <= last - first < 10:
                raise InputError(field, f"intervalle d'années invalide (reçu {shown(value)})")
            years += range(first, last + 1)
    if not years:
        raise InputError(field, "au moins une année")
    return years


def scenario_document(
    table: Table, layout: _Layout, cells: list[Any], law: Law | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The scenario a row describes, as the YAML's structure (values read by the input layer); `law`: the parameters
    whose payment days a row may choose (the packaged law when None)."""
    fields = layout.fields
    header = {field: table.header[index] for field, index in fields.items()}

    def cell(field: str) -> Any:
        return cell_of(cells, fields.get(field))

    contributor: dict[str, Any] = {}
    profession = cell("profession")
    contributor["profession"] = (
        PROFESSION_NAMES.get(normalise_name(profession), profession) if isinstance(profession, str) else profession
    )
    start = cell("activity_start")
    if start is None:
        raise InputError(header["activity_start"], "est obligatoire")
    contributor["activity_start"] = parse_date(start, header["activity_start"], french=layout.french)
    if cell("conjoint_collaborateur") is not None:
        contributor["conjoint_collaborateur"] = normalise_name(cell_text(cell("conjoint_collaborateur"))) or None
    contributor.update(optional_fields(cell, header))  # département, section, exemptions: as a simulation file
    payment: dict[str, Any] = {}
    if cell("frequency") is not None:
        frequency = FREQUENCIES.get(normalise_name(str(cell("frequency"))))
        if frequency is None:
            raise InputError(header["frequency"], f"doit être mensuel ou trimestriel (reçu {shown(cell('frequency'))})")
        payment["frequency"] = frequency
    if cell("day") is not None:
        payment["day"] = whole_cell(cell("day"), header["day"], 1, 31)  # one of the law's: checked below
    if "direct_debit" in fields:
        payment["direct_debit"] = cell("direct_debit") is None or parse_flag(
            cell("direct_debit"), header["direct_debit"]
        )
    if payment:
        contributor["payment"] = payment
    for flag in ("acre", "rsa"):
        if cell(flag) is not None:
            contributor[flag] = parse_flag(cell(flag), header[flag])
    for text in ("name", "siren"):
        if cell(text) is not None:
            contributor[text] = cell_text(cell(text))
    incomes = {
        year: value for year, (index, _) in layout.incomes.items() if (value := cell_of(cells, index)) is not None
    }
    document: dict[str, Any] = {"contributor": contributor, "incomes": incomes, "events": []}
    declared = cell("declaration")
    if declared is not None:
        day_declared = parse_date(declared, header["declaration"], french=layout.french)
        document["events"].append({"date": day_declared, "type": "declaration", "year": day_declared.year - 1})
    if cell("years") is not None:
        years = _years(cell("years"), header["years"])
    elif declared is not None:
        years = [document["events"][0]["date"].year]
    elif incomes:
        years = [max(incomes) + 1]
    else:
        start = contributor["activity_start"]
        first = (law or load_law()).first_date.year
        if isinstance(start, date) and start.year < first:
            # Nothing says which year to show, and the year the activity started is before the law's: the
            # incomes are what is missing (the default years follow them).
            raise InputError(
                "revenu_AAAA" if layout.french else "income_AAAA",
                f"aucun revenu ni date de déclaration : donner les revenus des années avant celles à calculer "
                f"(revenu_{first - 1}, revenu_{first}…), ou les années (annees) ; l'activité a commencé en "
                f"{start.year}, avant les paramètres de la loi ({first})",
            )
        years = [start.year]
    document["years"] = years
    if "day" in payment:
        _check_day(payment["day"], years, header["day"], cell("day"), law)
    for year, (index, _) in layout.incomes.items():
        header[f"incomes.{year}"] = table.header[index]
    return document, header


def _check_day(day: int, years: list[int], field: str, value: Any, law: Law | None) -> None:
    """A monthly payment `day` is one of the days the law lets a contributor choose in each year shown (CSS R613-2 I,
    `calendar.payment_days`); a year the law does not cover is the scenario's error (`check_coherence`)."""
    from echeancier.law.loader import LawError
    from echeancier.schedule.calendar import payment_days

    for year in years:
        try:
            days = payment_days(year, law=law)
        except LawError:
            continue
        if day not in days:
            raise InputError(field, f"doit être {days[0]} ou {days[1]} (reçu {shown(value)})")


def _scenario_field(message: str, header: dict[str, str]) -> tuple[str, str]:
    """A scenario error's path (`contributor.profession: …`) as the column it comes from."""
    path, sep, rest = message.partition(": ")
    if not sep or " " in path.rstrip():
        return "scénario", message
    parts = path.rstrip().split(".")  # `years : …` as `years: …`
    if parts[0] == "contributor":
        # The contributor's rules name their field again (`section: ne s'applique…`, `secteur : est obligatoire…`);
        # a rule over several fields is reported on the contributor, with the whole contributor as its input.
        named, sep, detail = rest.partition(":")
        key = parts[-1] if len(parts) > 1 else None
        if sep and named.strip() in header and named.strip() in CLIENT_ALIASES:
            key, rest = named.strip(), _GOT.sub("", detail.strip())
        if key in header:
            return header[key], rest
    if parts[0] == "incomes" and len(parts) > 1 and f"incomes.{parts[1]}" in header:
        return header[f"incomes.{parts[1]}"], rest
    if parts[0] in ("years", "events") or parts[0].startswith("declaration"):
        return header.get("years" if parts[0] == "years" else "declaration", parts[0]), rest
    return "scénario", message


def schedules_of_table(
    table: Table, progress: Callable[[int], None] | None = None, *, as_of: date | None = None, law: Law | None = None
) -> tuple[list[ClientSchedule], bool]:
    """The échéancier of each client row of `table` on `as_of` (default: the end of its last year), and whether
    the file is French; `law`: the parameters (the packaged law when None)."""
    from echeancier.law.loader import LawError
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import ScenarioError, parse_scenario

    layout = _layout(table)
    out: list[ClientSchedule] = []
    for number, cells in table.rows:
        ident = cell_of(cells, layout.fields["client"])
        client = "" if ident is None else cell_text(ident)
        header: dict[str, str] = {f: table.header[i] for f, i in layout.fields.items()}
        try:
            if not client:
                raise InputError(header["client"], "est obligatoire")
            if len(cells) > len(table.header) and any(c is not None for c in cells[len(table.header) :]):
                raise InputError("ligne", f"{len(cells)} cellules pour {len(table.header)} colonnes")
            document, header = scenario_document(table, layout, cells, law)
            scenario = parse_scenario(document, law)
            result = build_echeancier(scenario, as_of, law)
        except InputError as error:
            out.append(ClientSchedule(client, number, error=RowError(number, error.field, error.message)))
        except ScenarioError as error:
            field, message = _scenario_field(error.message, header)
            out.append(ClientSchedule(client, number, error=RowError(number, field, message)))
        except LawError as error:
            out.append(ClientSchedule(client, number, error=RowError(number, "annees", str(error))))
        else:
            out.append(ClientSchedule(client, number, scenario, result))
        if progress is not None:
            progress(1)
    return out, layout.french


def scenario_files(directory: str) -> list[Path]:
    """The scenario files of a directory (`*.yaml`, `*.yml`), in name order."""
    root = Path(directory)
    return sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml"))


def schedules_of_directory(
    directory: str, progress: Callable[[int], None] | None = None, *, as_of: date | None = None, law: Law | None = None
) -> list[ClientSchedule]:
    """The échéancier of each scenario file of `directory` on `as_of`, the client named by the file's name without
    its suffix; a file that cannot be read or used is an error of that client, the others are computed. `law`: the
    parameters (the packaged law when None)."""
    from echeancier.law.loader import LawError
    from echeancier.schedule.echeancier import build_echeancier
    from echeancier.schedule.scenario import ScenarioError, loads_scenario

    out: list[ClientSchedule] = []
    for path in scenario_files(directory):
        try:
            scenario = loads_scenario(_scenario_text(path), law)
            result = build_echeancier(scenario, as_of, law)
        except ScenarioError as error:
            where = f"{path.name}, ligne {error.line}" if error.line else path.name
            out.append(ClientSchedule(path.stem, 0, error=RowError(0, where, error.message)))
        except InputError as error:
            out.append(ClientSchedule(path.stem, 0, error=RowError(0, path.name, error.message)))
        except LawError as error:
            out.append(ClientSchedule(path.stem, 0, error=RowError(0, path.name, str(error))))
        else:
            out.append(ClientSchedule(path.stem, 0, scenario, result))
        if progress is not None:
            progress(1)
    return out


def _scenario_text(path: Path) -> str:
    """A scenario file's text, at most MAX_YAML_BYTES of UTF-8 (with or without a byte-order mark)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_YAML_BYTES + 1)
    except OSError as error:
        raise InputError("", f"lecture impossible ({error.strerror})") from None
    if len(data) > MAX_YAML_BYTES:
        raise InputError("", f"fichier trop long (plus de {MAX_YAML_BYTES} octets)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError("", f"ligne {line} : texte qui n'est pas de l'UTF-8") from None


def merged_columns(french: bool) -> list[Column]:
    """`client` then the columns of the CSV échéancier."""
    from echeancier.documents.echeancier import csv_columns

    return [Column("client", "Client", "text"), *csv_columns(french)]


def merged_rows(schedules: list[ClientSchedule], french: bool) -> Iterator[tuple[Any, ...]]:
    """The rows of every client's CSV échéancier, each after its client."""
    from echeancier.documents.echeancier import csv_rows

    for s in schedules:
        if s.result is not None:
            for row in csv_rows(s.result, french):
                yield (s.client, *row)
