"""Portfolio files with the populations of issue #10: overseas (CSS L751-1, Mayotte), the exemptions of the
collectivités (L756-2, L756-4), the conjoint collaborateur, the professions libérales réglementées and their health
sections, the invalidity and age exemptions.

Every amount is checked against `simulate` of the same situation (or `echeancier schedule` of the equivalent
scenario), row by row: a file is only another way of writing the situation.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from echeancier import simulate
from echeancier.cli import app
from echeancier.contributions.conjoint_collaborateur import COLUMNS as CONJOINT_COLUMNS
from echeancier.contributions.conjoint_collaborateur import KEYS as CONJOINT_KEYS
from echeancier.contributions.pamc import EXTRAS
from echeancier.contributions.pamc import LABELS as SECTION_LABELS
from echeancier.contributions.result import CONTRIBUTIONS, LABELS

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def french_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


KEYS = (*CONTRIBUTIONS, *CONJOINT_COLUMNS, *EXTRAS, "total")
# The French headers of the output (a French file in, French headers out) → the keys of `KEYS`.
FRENCH_NAMES = {
    **{
        "Maladie-maternité": "maladie_maternite",
        "Indemnités journalières": "indemnites_journalieres",
        "Retraite de base": "retraite_base",
        "Retraite complémentaire": "retraite_complementaire",
        "Invalidité-décès": "invalidite_deces",
        "Allocations familiales": "allocations_familiales",
        "CSG-CRDS": "csg_crds",
        "Formation professionnelle (CFP)": "formation_professionnelle",
    },
    **{f"Conjoint : {LABELS[key].lower()}": f"conjoint_{key}" for key in CONJOINT_KEYS},
    **{SECTION_LABELS[key]: key for key in EXTRAS},
    "Total": "total",
}


def expected(situation: dict[str, Any]) -> dict[str, int]:
    """Every amount `simulate` gives for `situation`: the eight contributions, the conjoint's four, the health
    section's three (0 when the situation has none) and the total."""
    result = simulate(situation)
    conjoint = result.conjoint_amounts or (0,) * len(CONJOINT_COLUMNS)
    section = result.section_amounts or (0,) * len(EXTRAS)
    amounts = (*result.amounts, *conjoint, *section, int(result.total))
    return dict(zip(KEYS, (int(a) for a in amounts), strict=True))


# The situations of the files below, as `simulate` is given them.
SITUATIONS: list[dict[str, Any]] = [
    # Guadeloupe, the régime de croisière abattement of L756-4 computed (the default)
    {"year": 2025, "profession": "artisan", "income": Decimal(40000), "department": "971"},
    # Guadeloupe, the abattement switched off (URSSAF's simulator's amounts)
    {
        "year": 2025,
        "profession": "artisan",
        "income": Decimal(40000),
        "department": "971",
        "abattement_outre_mer": False,
    },
    # Mayotte: its own PASS and rates
    {"year": 2025, "profession": "commercant", "income": Decimal(30000), "department": "976"},
    # Martinique, an activity created there in 2025 with the start-of-activity exemption of L756-2
    {
        "year": 2025,
        "profession": "artisan",
        "income": Decimal(20000),
        "department": "972",
        "start_date": date(2025, 3, 1),
        "exoneration_debut_outre_mer": True,
    },
    # a médecin of the CARMF in secteur 1: PCV, contribution additionnelle, CURPS
    {
        "year": 2025,
        "profession": "liberal_reglementee",
        "income": Decimal(80000),
        "section": "carmf",
        "secteur": "1",
    },
    # a masseur-kinésithérapeute remplaçant (CARPIMKO): no CURPS
    {
        "year": 2025,
        "profession": "liberal_reglementee",
        "income": Decimal(45000),
        "section": "carpimko",
        "remplacant": True,
    },
    # an avocat in the class 2 of the CNBF's complémentaire
    {
        "year": 2025,
        "profession": "liberal_reglementee",
        "income": Decimal(60000),
        "section": "cnbf",
        "classe_cnbf": "2",
    },
    # an artisan with a conjoint collaborateur on a third of the income, without sharing
    {
        "year": 2025,
        "profession": "artisan",
        "income": Decimal(40000),
        "conjoint_collaborateur": "tiers_sans_partage",
    },
    # an artisan with an invalidity pension for 4 months, and a commerçant with the exemption by age
    {"year": 2025, "profession": "artisan", "income": Decimal(25000), "pension_invalidite_mois": 4},
    {
        "year": 2025,
        "profession": "commercant",
        "income": Decimal(25000),
        "start_date": date(2010, 1, 1),
        "exoneration_age": True,
    },
    # a plain metropolitan artisan in the same file
    {"year": 2025, "profession": "artisan", "income": Decimal(35000), "department": "75"},
]
HEADER = (
    "Client;Année;Profession;Revenu brut;Département;Date de début;Exonération début outre-mer;Abattement outre-mer;"
    "Section;Secteur;Métier santé;Classe CNBF;Remplaçant;Mois pension invalidité;Exonération âge;Conjoint"
)
FRENCH_CSV = (
    HEADER
    + "\r\n"
    + "A;2025;artisan;40 000;971;;;;;;;;;;;\r\n"
    + "B;2025;artisan;40 000;971;;;non;;;;;;;;\r\n"
    + "C;2025;commerçant;30 000;976;;;;;;;;;;;\r\n"
    + "D;2025;artisan;20 000;972;01/03/2025;oui;;;;;;;;;\r\n"
    + "E;2025;libérale réglementée;80 000;;;;;CARMF;Secteur 1;;;non;;;\r\n"
    + "F;2025;profession libérale réglementée;45 000;;;;;Carpimko;;;;oui;;;\r\n"
    + "G;2025;liberal_reglementee;60 000;;;;;cnbf;;;Classe 2;;;;\r\n"
    + "H;2025;artisan;40 000;;;;;;;;;;;;Tiers sans partage\r\n"
    + "I;2025;artisan;25 000;;;;;;;;;;4;;\r\n"
    + "J;2025;commerçant;25 000;;01/01/2010;;;;;;;;;oui;\r\n"
    + "K;2025;artisan;35 000;75;;;;;;;;;;;\r\n"
)


def check_rows(rows: list[dict[str, Any]], names: dict[str, str]) -> None:
    assert len(rows) == len(SITUATIONS)
    for row, situation in zip(rows, SITUATIONS, strict=True):
        assert not row.get("Erreur") and not row.get("error"), row
        got = {key: int(row[column]) for column, key in names.items()}
        assert got == expected(situation), situation


def test_a_french_csv_of_every_population_equals_simulate_row_by_row(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(FRENCH_CSV, encoding="cp1252")  # as Excel on Windows saves it
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 0, result.stderr
    rows = french_rows(result.stdout)
    check_rows(rows, FRENCH_NAMES)
    assert list(rows[0])[-2:] == ["Total", "Erreur"]
    # the populations are not all alike: the abattement lowers Guadeloupe's amounts, Mayotte's differ from Paris',
    # the secteur 1 médecin has a PCV, the remplaçant no CURPS, the conjoint's contributions are in the total
    by_client = {row["Client"]: row for row in rows}
    assert int(by_client["A"]["Total"]) < int(by_client["B"]["Total"])
    assert int(by_client["E"][SECTION_LABELS["pcv"]]) > 0 and int(by_client["E"][SECTION_LABELS["curps"]]) > 0
    assert int(by_client["F"][SECTION_LABELS["curps"]]) == 0
    assert int(by_client["H"]["Conjoint : retraite de base"]) > 0
    assert int(by_client["K"][SECTION_LABELS["pcv"]]) == 0


def test_an_xlsx_of_every_population_with_typed_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(";"))
    for line in FRENCH_CSV.splitlines()[1:]:
        cells: list[Any] = [cell or None for cell in line.split(";")]
        cells[1] = int(cells[1])
        cells[3] = int(cells[3].replace(" ", ""))
        if cells[4] is not None:
            cells[4] = int(cells[4])  # a code typed as a number: 971
        if cells[5] is not None:
            day, month, year = (int(part) for part in cells[5].split("/"))
            cells[5] = datetime(year, month, day)  # a date cell
        if cells[6] == "oui":
            cells[6] = True  # a boolean cell
        if cells[13] is not None:
            cells[13] = 4.0  # a number cell as a float
        sheet.append(cells)
    source = tmp_path / "clients.xlsx"
    workbook.save(source)
    output = tmp_path / "résultats.xlsx"
    result = run("simulate", "--input", str(source), "--output", str(output))
    assert result.exit_code == 0, result.stderr
    table = [list(r) for r in load_workbook(output, read_only=True).worksheets[0].iter_rows(values_only=True)]
    rows = [dict(zip(table[0], r, strict=False)) for r in table[1:]]
    check_rows(rows, FRENCH_NAMES)

    jsonl = tmp_path / "out.jsonl"
    assert run("simulate", "--input", str(source), "--output", str(jsonl)).exit_code == 0
    check_rows([json.loads(line) for line in jsonl.read_text().splitlines()], {key: key for key in KEYS})


def test_english_headers_and_parquet(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = ("department", "section", "secteur", "classe_cnbf", "conjoint_collaborateur", "start_date")
    flags = ("exoneration_debut_outre_mer", "remplacant", "exoneration_age")
    columns: dict[str, Any] = {
        "id": [str(i) for i in range(len(SITUATIONS))],
        "year": [s["year"] for s in SITUATIONS],
        "profession": [s["profession"] for s in SITUATIONS],
        "income": [s["income"] for s in SITUATIONS],
        **{field: [s.get(field) for s in SITUATIONS] for field in fields},
        **{flag: [s.get(flag, False) for s in SITUATIONS] for flag in flags},
        "abattement_outre_mer": [s.get("abattement_outre_mer") for s in SITUATIONS],  # null: the default
        "pension_invalidite_mois": pa.array([s.get("pension_invalidite_mois") for s in SITUATIONS], pa.int8()),
    }
    source = tmp_path / "clients.parquet"
    pq.write_table(pa.table(columns), source)
    output = tmp_path / "out.parquet"
    result = run("simulate", "--input", str(source), "--output", str(output))
    assert result.exit_code == 0, result.stderr
    check_rows(pq.read_table(output).to_pylist(), {key: key for key in KEYS})


def test_a_file_without_these_populations_keeps_its_output_columns(tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    source.write_text("annee;profession;revenu;departement\n2025;artisan;30000;974\n", encoding="utf-8")
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 0, result.stderr
    header = next(iter(french_rows(result.stdout)))
    assert [name for name in header if name not in ("Ligne", "Année", "Profession", "Revenu", "Erreur")] == [
        name for name in FRENCH_NAMES if not name.startswith("Conjoint") and name not in SECTION_LABELS.values()
    ]
    section = tmp_path / "s.csv"
    section.write_text("annee;profession;revenu;section\n2025;liberal_reglementee;30000;cipav\n", encoding="utf-8")
    result = run("simulate", "--input", str(section))
    assert result.exit_code == 0, result.stderr
    row = french_rows(result.stdout)[0]
    assert [row[SECTION_LABELS[key]] for key in EXTRAS] == ["0", "0", "0"]  # a section, not a health one
    want = expected({"year": 2025, "profession": "liberal_reglementee", "income": Decimal(30000), "section": "cipav"})
    assert int(row["Total"]) == want["total"]


# Each hostile row, the column it names (as written) and the start of the message; the last row is good.
HOSTILE = [
    ("2025;artisan;30000;999;;;;;;;;;;;;", "Département", "« 999 » n'est pas un code de département"),
    ("2025;artisan;30000;975;;;;;;;;;;;;", "Département", ""),  # Saint-Pierre-et-Miquelon: another regime
    ("2025;artisan;30000;2025-01-01;;;;;;;;;;;;", "Département", ""),
    ("2025;artisan;30000;;;;;cipav;;;;;;;", "Section", "ne s'applique qu'à la profession liberal_reglementee"),
    ("2025;libérale réglementée;30000;;;;;;;;;;;;", "Section", "est obligatoire pour une profession libérale"),
    ("2025;libérale réglementée;30000;;;;;caisse inconnue;;;;;;;", "Section", "doit être l'une des sections"),
    ("2025;libérale réglementée;30000;;;;;carmf;;;;;;;", "Secteur", "est obligatoire pour un médecin"),
    ("2025;libérale réglementée;30000;;;;;carmf;secteur 3;;;;;;", "Secteur", "doit être 1, 2"),
    ("2025;libérale réglementée;30000;971;;;;cipav;;;;;;;", "Département", "les professions libérales réglementées"),
    ("2025;libérale réglementée;30000;;;;;cavec;;;2;;;;", "Classe CNBF", "ne s'applique qu'à la section cnbf"),
    ("2025;libérale réglementée;30000;;;;;carcdsf;;;;;;;", "Métier santé", "est obligatoire pour la section carcdsf"),
    ("2025;artisan;30000;;;;;;;;;oui;;;", "Remplaçant", "ne s'applique qu'à un praticien"),
    ("2025;artisan;30000;75;01/03/2025;oui;;;;;;;;;", "Exonération début outre-mer", "n'existe que dans"),
    ("2025;artisan;30000;971;;oui;;;;;;;;;", "Exonération début outre-mer", "demande la date de création"),
    ("2025;artisan;30000;971;;;peut-être;;;;;;;;", "Abattement outre-mer", "doit être oui ou non"),
    ("2025;artisan;30000;;;;;;;;;;13;;", "Mois pension invalidité", "doit être entre 0 et 12"),
    ("2025;artisan;30000;;;;;;;;;;;oui;tiers sans partage", "Conjoint", "n'est pas calculé avec une exonération"),
    ("2025;libérale réglementée;30000;;;;;cipav;;;;;;;forfaitaire", "Conjoint", "n'est pas pris en charge"),
]


def test_hostile_cells_are_each_one_error_of_their_row(tmp_path: Path) -> None:
    header = HEADER.removeprefix("Client;")
    lines = [header, *(row for row, _, _ in HOSTILE), "2025;artisan;30000;971;;;;;;;;;;;;"]
    source = tmp_path / "c.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == len(HOSTILE)
    for number, (error, (_, column, message)) in enumerate(zip(errors, HOSTILE, strict=True), start=2):
        assert error.startswith(f"erreur: ligne {number} : {column} : {message}"), error
    rows = french_rows(result.stdout)
    assert all(row["Erreur"] for row in rows[:-1]) and not rows[-1]["Erreur"]
    good = expected({"year": 2025, "profession": "artisan", "income": Decimal(30000), "department": "971"})
    assert int(rows[-1]["Total"]) == good["total"]


# --- schedule --input: client files -------------------------------------------------------------------------------

CLIENT_FILE = (
    "Client;Profession;Début activité;Département;Section;Secteur conventionnel;Exonération début outre-mer;"
    "Abattement outre-mer;Mois pension invalidité;Revenu professionnel 2024;Revenu brut 2025;Date déclaration\r\n"
    "M1;libérale réglementée;01/01/2015;;CARMF;Secteur 1;;;;70 000;80 000;20/05/2026\r\n"
    "M2;artisan;01/03/2025;971;;;oui;;;;20 000;20/05/2026\r\n"
    "M3;artisan;01/01/2012;972;;;;non;3;30 000;32 000;20/05/2026\r\n"
    "M4;commerçant;01/01/2018;976;;;;;;25 000;26 000;20/05/2026\r\n"
)
SCENARIOS = {
    "M1": """
contributor:
  profession: liberal_reglementee
  section: carmf
  secteur: "1"
  activity_start: 2015-01-01
incomes: {2024: 70000, 2025: 80000}
events:
  - {date: 2026-05-20, type: declaration, year: 2025}
years: [2026]
""",
    "M2": """
contributor:
  profession: artisan
  activity_start: 2025-03-01
  department: "971"
  exoneration_debut_outre_mer: true
incomes: {2025: 20000}
events:
  - {date: 2026-05-20, type: declaration, year: 2025}
years: [2026]
""",
    "M3": """
contributor:
  profession: artisan
  activity_start: 2012-01-01
  department: "972"
  abattement_outre_mer: false
  pension_invalidite_mois: 3
incomes: {2024: 30000, 2025: 32000}
events:
  - {date: 2026-05-20, type: declaration, year: 2025}
years: [2026]
""",
    "M4": """
contributor:
  profession: commercant
  activity_start: 2018-01-01
  department: "976"
incomes: {2024: 25000, 2025: 26000}
events:
  - {date: 2026-05-20, type: declaration, year: 2025}
years: [2026]
""",
}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_client_file_with_a_section_and_exemptions_equals_schedule_of_each_scenario(
    tmp_path: Path, kind: str
) -> None:
    source = tmp_path / f"clients.{kind}"
    if kind == "csv":
        source.write_text(CLIENT_FILE, encoding="cp1252")
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        for line in CLIENT_FILE.splitlines():
            sheet.append([cell or None for cell in line.split(";")])
        workbook.save(source)
    merged = tmp_path / "merged.csv"
    result = run("schedule", "--input", str(source), "--output", str(merged))
    assert result.exit_code == 0, result.stderr
    rows = french_rows(merged.read_text(encoding="utf-8"))
    for client, scenario in SCENARIOS.items():
        path = tmp_path / f"{client}.yaml"
        path.write_text(scenario, encoding="utf-8")
        alone = run("schedule", str(path), "--format", "csv-fr")
        assert alone.exit_code == 0, alone.stderr
        mine = [{k: v for k, v in row.items() if k != "Client"} for row in rows if row["Client"] == client]
        assert mine and mine == french_rows(alone.stdout), client


CLIENT_HOSTILE = [
    ("artisan;01/01/2015;;cipav;;;;;", "Section", "ne s'applique qu'à la profession liberal_reglementee"),
    ("libérale réglementée;01/01/2015;;carmf;;;;;", "Secteur conventionnel", "est obligatoire pour un médecin"),
    ("libérale réglementée;01/01/2015;;carmf;3;;;;", "Secteur conventionnel", "doit être 1, 2"),
    ("libérale réglementée;01/01/2015;971;cipav;;;;;", "Département", "les professions libérales réglementées"),
    ("artisan;01/01/2015;75;;;oui;;;", "Exonération début outre-mer", "n'existe que dans"),
    ("artisan;01/01/2015;971;;;;peut-être;;", "Abattement outre-mer", "doit être oui ou non"),
    ("artisan;01/01/2015;;;;;;13;", "Mois pension invalidité", "doit être entre 0 et 12"),
    ("artisan;01/01/2015;999;;;;;;", "Département", "« 999 » n'est pas un code"),
]


def test_hostile_client_rows_are_each_one_error_naming_the_column(tmp_path: Path) -> None:
    header = CLIENT_FILE.splitlines()[0].rsplit(";", 3)[0] + ";Revenu brut 2025"
    lines = [header, *(f"X{i};{row}20000" for i, (row, _, _) in enumerate(CLIENT_HOSTILE))]
    lines.append("OK;artisan;01/03/2025;971;;;;;;20000")
    source = tmp_path / "clients.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("schedule", "--input", str(source), "--output", str(tmp_path / "m.csv"))
    assert result.exit_code == 1, result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == len(CLIENT_HOSTILE)
    for number, (error, (_, column, message)) in enumerate(zip(errors, CLIENT_HOSTILE, strict=True), start=2):
        assert error.startswith(f"erreur: ligne {number} : {column} : {message}"), error
        assert "got" not in error
    clients = {row["Client"] for row in french_rows((tmp_path / "m.csv").read_text(encoding="utf-8"))}
    assert clients == {"OK"}


@pytest.mark.parametrize("option", [["--department", "971"], ["--conjoint-collaborateur", "forfaitaire"]])
def test_a_situation_option_is_refused_with_an_input_file_not_ignored(tmp_path: Path, option: list[str]) -> None:
    # each situation is a row of the file: a département given on the command line would be silently dropped
    source = tmp_path / "c.csv"
    source.write_text("annee;profession;revenu\n2025;artisan;30000\n", encoding="utf-8")
    result = run("simulate", "--input", str(source), *option)
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"erreur: --input: ne se combine pas avec {option[0]} (chaque situation est une ligne du fichier)\n"
    )
