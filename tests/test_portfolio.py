"""Portfolio files (issue #8): `simulate --input` and `schedule --input` on CSV (French or not), xlsx and Parquet.

Every figure is checked against the one-situation engine `simulate` (or `echeancier schedule` of one scenario),
row by row: the portfolio path must read each cell as the input layer reads it and give the same amounts.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from echeancier import simulate
from echeancier.cli import app
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.kernel.fmt import format_number
from echeancier.portfolio.simulation import simulate_table
from echeancier.portfolio.tables import normalise_name, read_table

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
PORTFOLIO = EXAMPLES / "portfolio"
runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def french_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def expected(situation: dict[str, Any]) -> dict[str, int]:
    result = simulate(situation)
    amounts = {key: int(result.line(key).amount) for key in CONTRIBUTIONS}
    return {**amounts, "total": int(result.total)}


# The situations of the French CSV below, as `simulate` is given them.
SITUATIONS = [
    {"year": 2025, "profession": "artisan", "income": Decimal("1234.56")},
    {
        "year": 2025,
        "profession": "commercant",
        "income": Decimal("30000"),
        "start_date": date(2025, 3, 1),
        "acre": True,
    },
    {"year": 2025, "profession": "liberal", "income": Decimal("40000.5")},
    {"year": 2025, "profession": "artisan", "income": Decimal("-1200"), "rsa": True},
]
FRENCH_CSV = (
    "Client;Année;Profession;Revenu brut;Date de début;ACRE;RSA\r\n"
    "A;2025;artisan;1 234,56;;non;non\r\n"
    "B;2025;commerçant;30 000;01/03/2025;oui;non\r\n"
    "C;2025;Libéral;40\u00a0000,50;;;\r\n"
    "D;2025;artisan;-1 200;;non;oui\r\n"
)


def check_simulated(rows: list[dict[str, Any]], names: dict[str, str]) -> None:
    """Each output row equals `simulate` of its situation (`names`: output column → contribution key)."""
    assert len(rows) == len(SITUATIONS)
    for row, situation in zip(rows, SITUATIONS, strict=True):
        want = expected(situation)
        got = {key: int(row[column]) for column, key in names.items()}
        assert got == want, (situation, got, want)


FRENCH_NAMES = {
    "Maladie-maternité": "maladie_maternite",
    "Indemnités journalières": "indemnites_journalieres",
    "Retraite de base": "retraite_base",
    "Retraite complémentaire": "retraite_complementaire",
    "Invalidité-décès": "invalidite_deces",
    "Allocations familiales": "allocations_familiales",
    "CSG-CRDS": "csg_crds",
    "Formation professionnelle (CFP)": "formation_professionnelle",
    "Total": "total",
}
MACHINE_NAMES = {key: key for key in (*CONTRIBUTIONS, "total")}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"], ids=["utf8-bom", "utf8", "cp1252-excel-windows"])
def test_a_french_csv_is_read_as_such_and_equals_simulate_row_by_row(tmp_path: Path, encoding: str) -> None:
    source = tmp_path / "clients.csv"
    # cp1252 has no narrow no-break space but has the no-break space (0xA0) Excel writes in grouped numbers
    source.write_bytes(FRENCH_CSV.encode(encoding))
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 0, result.stderr
    rows = french_rows(result.stdout)
    check_simulated(rows, FRENCH_NAMES)
    assert [r["Client"] for r in rows] == ["A", "B", "C", "D"]  # the id column echoed under its own name
    assert [r["Ligne"] for r in rows] == ["2", "3", "4", "5"]
    assert rows[0]["Revenu"] == "1234,56" and rows[2]["Revenu"] == "40000,50"  # French decimals back


def test_an_english_header_csv_uses_the_contract_names(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(
        "id,year,profession,income,start_date,acre,rsa\n"
        "A,2025,artisan,1234.56,,false,false\n"
        "B,2025,commercant,30000,2025-03-01,true,false\n"
        'C,2025,liberal,"40 000,50",,,\n'
        "D,2025,artisan,-1200,,false,true\n",
        encoding="utf-8",
    )
    output = tmp_path / "out.csv"
    result = run("simulate", "--input", str(source), "--output", str(output))
    assert result.exit_code == 0, result.stderr
    text = output.read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")  # machine CSV out for a machine CSV in
    rows = list(csv.DictReader(io.StringIO(text)))
    check_simulated(rows, MACHINE_NAMES)
    assert [r["id"] for r in rows] == ["A", "B", "C", "D"]


def test_a_date_jj_mm_aaaa_is_refused_in_a_csv_that_is_not_french(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text("id,year,profession,income,start_date\nA,2025,artisan,30000,01/03/2025\n", encoding="utf-8")
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 1
    assert result.stderr == "erreur: ligne 2 : start_date : doit être une date AAAA-MM-JJ (reçu '01/03/2025')\n"


def test_an_xlsx_written_by_a_spreadsheet_library(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Client", "Année", "Profession", "Revenu brut", "Date de début", "ACRE", "RSA"])
    sheet.append(["A", 2025, "artisan", 1234.56, None, "non", "non"])
    sheet.append(["B", 2025, "commerçant", 30000, datetime(2025, 3, 1), True, False])  # a date cell, booleans
    sheet.append(["C", 2025, "libéral", "40 000,50", None, None, None])  # an amount typed as text
    sheet.append(["D", 2025, "artisan", -1200, None, "non", "oui"])
    source = tmp_path / "clients.xlsx"
    workbook.save(source)
    output = tmp_path / "résultats.xlsx"
    result = run("simulate", "--input", str(source), "--output", str(output))
    assert result.exit_code == 0, result.stderr
    from openpyxl import load_workbook

    back = load_workbook(output, read_only=True)
    table = [list(r) for r in back.worksheets[0].iter_rows(values_only=True)]
    header = table[0]
    rows = [dict(zip(header, r, strict=False)) for r in table[1:]]  # a read-only sheet drops empty last cells
    check_simulated(rows, FRENCH_NAMES)  # French headers out for French headers in
    assert [r["Client"] for r in rows] == ["A", "B", "C", "D"]


def test_parquet_in_and_out(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": ["A", "B", "C", "D"],
            "year": pa.array([2025, 2025, 2025, 2025], type=pa.int16()),
            "profession": ["artisan", "commercant", "liberal", "artisan"],
            "income": pa.array([Decimal("1234.56"), Decimal(30000), Decimal("40000.50"), Decimal(-1200)]),
            "start_date": pa.array([None, date(2025, 3, 1), None, None], type=pa.date32()),
            "acre": [False, True, False, False],
            "rsa": [False, False, None, True],
        }
    )
    source = tmp_path / "clients.parquet"
    pq.write_table(table, source)
    output = tmp_path / "out.parquet"
    result = run("simulate", "--input", str(source), "--output", str(output))
    assert result.exit_code == 0, result.stderr
    rows = pq.read_table(output).to_pylist()
    check_simulated(rows, MACHINE_NAMES)
    assert rows[0]["income"] == Decimal("1234.56") and rows[0]["row"] == 1

    jsonl = tmp_path / "out.jsonl"
    assert run("simulate", "--input", str(source), "--output", str(jsonl)).exit_code == 0
    check_simulated([json.loads(line) for line in jsonl.read_text().splitlines()], MACHINE_NAMES)


def test_a_bad_row_among_good_ones_is_reported_and_the_rest_computed(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    lines = FRENCH_CSV.splitlines()
    bad = ["X;2025;artisan;40,000;;non;non", "Y;2025;plombier;30000;;non;non", "Z;2025;artisan;30000;31/02/2025;;"]
    source.write_text("\r\n".join([*lines[:2], *bad, *lines[2:]]) + "\r\n", encoding="utf-8")
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "erreur: ligne 3 : Revenu brut : '40,000' est ambigu (40\u00a0€ ou 40\u202f000\u00a0€ ?) : "
        "écrire les milliers avec des espaces (40 000) ou sans séparateur (40000), et la virgule ou le point "
        "seulement avant les centimes",
        "erreur: ligne 4 : Profession : doit être artisan, commercant, liberal ou liberal_reglementee "
        "(reçu 'plombier')",
        "erreur: ligne 5 : Date de début : n'est pas une date du calendrier (reçu '31/02/2025')",
    ]
    rows = french_rows(result.stdout)
    assert [r["Client"] for r in rows] == ["A", "X", "Y", "Z", "B", "C", "D"]  # one row out per row in
    assert rows[1]["Total"] == "" and rows[1]["Erreur"].startswith("Revenu brut : '40,000' est ambigu")
    check_simulated([r for r in rows if not r["Erreur"]], FRENCH_NAMES)

    errors = tmp_path / "erreurs.txt"
    result = run("simulate", "--input", str(source), "--output", str(tmp_path / "o.csv"), "--errors", str(errors))
    assert result.exit_code == 1 and result.stderr == ""
    assert errors.read_text(encoding="utf-8").splitlines()[1].startswith("ligne 4 : Profession :")


def test_a_file_mixing_years_around_the_reform_must_say_which_income_each_is(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text("client;annee;profession;revenu\nA;2024;artisan;30000\nB;2025;artisan;30000\n", "utf-8")
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "mêle des revenus 2024 (revenu professionnel) et 2025 (revenu brut" in result.stderr
    assert "revenu_professionnel et revenu_brut" in result.stderr and "nature_revenu" in result.stderr

    # Said by two columns, or by a nature column: read, and equal to simulate.
    for text in (
        "client;annee;profession;revenu_professionnel;revenu_brut\nA;2024;artisan;30000;\nB;2025;artisan;;30000\n",
        "client;annee;profession;revenu;nature_revenu\nA;2024;artisan;30000;professionnel\nB;2025;artisan;30000;brut\n",
    ):
        source.write_text(text, "utf-8")
        result = run("simulate", "--input", str(source))
        assert result.exit_code == 0, result.stderr
        rows = french_rows(result.stdout)
        for row, year in zip(rows, (2024, 2025), strict=True):
            assert int(row["Total"]) == expected({"year": year, "profession": "artisan", "income": 30000})["total"]

    # A nature that contradicts the year: an error of that row.
    source.write_text("client;annee;profession;revenu_professionnel\nA;2025;artisan;30000\nB;2024;artisan;1\n", "utf-8")
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 1
    assert result.stderr.startswith("erreur: ligne 2 : revenu_professionnel : les revenus 2025 se déclarent en revenu")

    # Years on one side only: the lone `revenu` column is that side's income, as `simulate --income` reads it.
    source.write_text("client;annee;profession;revenu\nA;2025;artisan;30000\nB;2026;artisan;30000\n", "utf-8")
    assert run("simulate", "--input", str(source)).exit_code == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "absent.csv", "fichier introuvable"),
        (b"year,profession,income\n", "clients.ods", "extension '.ods' inconnue"),
        (b"PK\x03\x04 not a workbook", "clients.xlsx", "classeur Excel illisible"),
        (b"not parquet", "clients.parquet", "fichier Parquet illisible"),
        (b"annee;profession;revenu;couleur\n2025;artisan;1;bleu\n", "c.csv", "colonne 'couleur' inconnue"),
        (b"annee;revenu\n2025;1\n", "c.csv", "colonne obligatoire absente : profession"),
        (b"annee;profession;revenu\n\x81\x8d\x8f\n", "c.csv", "ni en UTF-8 ni en Windows-1252"),
    ],
)
def test_a_file_that_cannot_be_read_exits_2_with_one_line(
    tmp_path: Path, content: bytes | None, name: str, message: str
) -> None:
    source = tmp_path / name
    if content is not None:
        source.write_bytes(content)
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


def test_input_does_not_combine_with_the_options_of_one_situation() -> None:
    result = run("simulate", "--input", "x.csv", "--year", "2025")
    assert result.exit_code == 2 and "--input: ne se combine pas avec --year" in result.stderr
    result = run("simulate", "--year", "2025", "--profession", "artisan", "--income", "1", "--output", "o.csv")
    assert result.exit_code == 2 and "--output: s'utilise avec --input" in result.stderr


def test_the_examples_of_the_documentation(tmp_path: Path) -> None:
    csv_result = run("simulate", "--input", str(PORTFOLIO / "clients.csv"))
    xlsx_result = run("simulate", "--input", str(PORTFOLIO / "clients.xlsx"))
    assert csv_result.exit_code == 0 and xlsx_result.exit_code == 0, csv_result.stderr + xlsx_result.stderr
    assert csv_result.stdout == xlsx_result.stdout  # the workbook holds the same clients as the CSV
    rows = french_rows(csv_result.stdout)
    assert len(rows) == 10
    # C001: 40 000 € of revenu brut 2025, the README's worked example (12 454 €)
    assert rows[0]["client"] == "C001" and rows[0]["Total"] == "12454"


def test_normalised_column_names() -> None:
    assert normalise_name(" Année ") == "annee"
    assert normalise_name("Date de début") == "date_de_debut"
    assert normalise_name("Revenu brut (€)") == "revenu_brut"


# --- schedules ----------------------------------------------------------------------------------------------------


def csv_body(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))[1:]


def test_the_schedule_of_a_directory_equals_schedule_of_each_file(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    chosen = [path.name for path in sorted(EXAMPLES.glob("*.yaml"))]  # every example: one rule each
    assert len(chosen) > 20
    for name in chosen:
        shutil.copy(EXAMPLES / name, folder / name)
    (folder / "notes.txt").write_text("not a scenario")
    merged = tmp_path / "merged.csv"
    result = run("schedule", "--input", str(folder), "--output", str(merged))
    assert result.exit_code == 0, result.stderr
    rows = csv_body(merged.read_text(encoding="utf-8"))
    for name in chosen:
        alone = run("schedule", str(folder / name), "--format", "csv")
        assert alone.exit_code == 0
        mine = [row[1:] for row in rows if row[0] == Path(name).stem]
        assert mine and mine == csv_body(alone.stdout), name

    # One file per client, each what `schedule FILE --format csv-fr` writes.
    out = tmp_path / "each"
    result = run("schedule", "--input", str(folder), "--output-dir", str(out), "--format", "csv-fr")
    assert result.exit_code == 0, result.stderr
    for name in chosen:
        alone = run("schedule", str(folder / name), "--format", "csv-fr")
        assert (out / f"{Path(name).stem}.csv").read_text(encoding="utf-8") == alone.stdout

    # On a date of situation, as `schedule --as-of`.
    result = run("schedule", "--input", str(folder), "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.stderr
    rows = csv_body(result.stdout)
    for name in chosen[:5]:
        alone = run("schedule", str(folder / name), "--format", "csv", "--as-of", "2026-06-30")
        assert [row[1:] for row in rows if row[0] == Path(name).stem] == csv_body(alone.stdout), name


def test_a_bad_scenario_in_a_directory_is_reported_and_the_rest_computed(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "01-declaration-mensuel.yaml", tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("contributor: {profession: plombier, activity_start: 2015-01-01}\nyears: [2026]\n")
    (tmp_path / "c.yml").write_bytes(b"contributor: {profession: artisan}\n# \xe9t\xe9\n")  # Latin-1, not UTF-8
    result = run("schedule", "--input", str(tmp_path), "--output", str(tmp_path / "m.parquet"))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("erreur: b.yaml, ligne 1 : contributor.profession")
    assert lines[1] == "erreur: c.yml : ligne 2 : texte qui n'est pas de l'UTF-8"
    import pyarrow.parquet as pq

    assert set(pq.read_table(tmp_path / "m.parquet").column("client").to_pylist()) == {"a"}


CLIENT_FILE = (
    "client;nom;siren;profession;début_activité;département;paiement;jour;prélèvement;revenu_professionnel_2024;"
    "revenu_brut_2025;date_déclaration\r\n"
    "C1;Jeanne Dupont;732 829 320;artisan;01/01/2015;75;mensuel;5;oui;30 000;40 000,50;20/05/2026\r\n"
    "C2;;;commerçant;01/03/2019;69;trimestriel;;oui;25 000;28 000;02/06/2026\r\n"
)
SCENARIOS = {
    "C1": """
contributor:
  profession: artisan
  activity_start: 2015-01-01
  department: "75"
  payment: {frequency: monthly, day: 5, direct_debit: true}
  name: Jeanne Dupont
  siren: "732829320"
incomes: {2024: 30000, 2025: "40000.50"}
events:
  - {date: 2026-05-20, type: declaration, year: 2025}
years: [2026]
""",
    "C2": """
contributor:
  profession: commercant
  activity_start: 2019-03-01
  department: "69"
  payment: {frequency: quarterly, direct_debit: true}
incomes: {2024: 25000, 2025: 28000}
events:
  - {date: 2026-06-02, type: declaration, year: 2025}
years: [2026]
""",
}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_of_clients_gives_the_schedule_of_each_scenario(tmp_path: Path, kind: str) -> None:
    source = tmp_path / f"clients.{kind}"
    if kind == "csv":
        source.write_text(CLIENT_FILE, encoding="cp1252")  # as Excel on Windows saves it
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
    text = merged.read_text(encoding="utf-8")
    rows = french_rows(text)
    for client, scenario in SCENARIOS.items():
        path = tmp_path / f"{client}.yaml"
        path.write_text(scenario, encoding="utf-8")
        alone = run("schedule", str(path), "--format", "csv-fr")
        assert alone.exit_code == 0, alone.stderr
        mine = [{k: v for k, v in row.items() if k != "Client"} for row in rows if row["Client"] == client]
        assert mine and mine == french_rows(alone.stdout), client


def test_a_file_of_clients_mixing_plain_income_columns_around_the_reform(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text("client;profession;debut_activite;revenu_2024;revenu_2025\nC;artisan;01/01/2015;1;2\n", "utf-8")
    result = run("schedule", "--input", str(source))
    assert result.exit_code == 2
    assert "revenu_professionnel_2024 et revenu_brut_2025" in result.stderr and result.stderr.count("\n") == 1


def test_a_bad_client_row_is_reported_with_its_row_and_column(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(
        CLIENT_FILE
        + "C3;;;artisan;31/02/2019;75;mensuel;5;oui;1;1;\r\nC4;;;artisan;01/01/2019;20;mensuel;5;oui;1;1;\r\n",
        encoding="utf-8",
    )
    result = run("schedule", "--input", str(source), "--output", str(tmp_path / "m.xlsx"))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "erreur: ligne 4 : début_activité : n'est pas une date du calendrier (reçu '31/02/2019')"
    assert lines[1].startswith("erreur: ligne 5 : département : ")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "m.xlsx", read_only=True).worksheets[0]
    clients = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert clients == {"C1", "C2"}


# --- hostile files ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1E+99999999999999999", "la notation scientifique n'est pas admise"),
        ("nan", "doit être un montant en euros"),
        ("40.000", "est ambigu"),
        ("1 000 000 000", "dépasse la limite"),
        ("2025-13-01", "doit être un montant en euros"),
    ],
)
def test_hostile_amounts_are_errors_of_their_row(tmp_path: Path, cell: str, message: str) -> None:
    source = tmp_path / "c.csv"
    source.write_text(f"annee;profession;revenu\n2025;artisan;{cell}\n2025;artisan;30000\n", encoding="utf-8")
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("erreur: ligne 2 : revenu : ")
    assert message in result.stderr
    assert french_rows(result.stdout)[1]["Total"] != ""


def test_hostile_cells_and_rows(tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    source.write_text(
        "annee;profession;revenu;acre;date_debut;\n"  # a trailing separator on the header
        "2025.0;artisan;30000;non;\n"  # a year is a whole number
        "2025;artisan;30000;peut-être;\n"  # neither yes nor no
        "2025;artisan;30000;non;2025-03-01T10:00\n"  # not a date
        "2025;artisan;30000;non;;en trop\n"  # a cell beyond the header
        "2025;artisan;30000;oui;\n"  # ACRE without a start (the Situation's rule)
        "2025;artisan;30000;x;01/03/2025\n",  # a ticked cell is yes
        encoding="utf-8",
    )
    result = run("simulate", "--input", str(source))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line.split(" : ")[0:2] for line in lines] == [
        ["erreur: ligne 2", "annee"],
        ["erreur: ligne 3", "acre"],
        ["erreur: ligne 4", "date_debut"],
        ["erreur: ligne 5", "ligne"],
        ["erreur: ligne 6", "acre"],
    ]
    last = french_rows(result.stdout)[-1]
    assert last["Erreur"] == ""
    want = expected(
        {"year": 2025, "profession": "artisan", "income": 30000, "acre": True, "start_date": date(2025, 3, 1)}
    )
    assert int(last["Total"]) == want["total"]


def test_hostile_files_exit_2(tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    huge.write_text("annee;profession;revenu\n2025;artisan;" + "9" * 200_000 + "\n", encoding="utf-8")
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"annee;profession;revenu\n2025;artisan;\x0030000\n")
    quote = tmp_path / "quote.csv"
    quote.write_text('annee;profession;revenu\n2025;"artisan;30000\n', encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for path in (huge, nul, empty, tmp_path):
        result = run("simulate", "--input", str(path))
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, (path, result.stderr)
    # an unterminated quote swallows the rest of the file as one cell: still a one-line answer, never a traceback
    result = run("simulate", "--input", str(quote))
    assert result.exit_code in (1, 2) and "erreur interne" not in result.stderr


def test_parquet_with_hostile_values(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "year": pa.array([2025.0, float("nan"), 2025.0, 2025.0]),
            "profession": ["artisan", "artisan", "artisan", "artisan"],
            "income": pa.array([30000.0, 30000.0, float("inf"), 1e300]),
        }
    )
    pq.write_table(table, tmp_path / "c.parquet")
    result = run("simulate", "--input", str(tmp_path / "c.parquet"))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line.split(" : ")[0:2] for line in lines] == [
        ["erreur: ligne 2", "year"],
        ["erreur: ligne 3", "income"],
        ["erreur: ligne 4", "income"],
    ]
    first = next(iter(csv.DictReader(io.StringIO(result.stdout))))
    assert int(first["total"]) == expected({"year": 2025, "profession": "artisan", "income": 30000})["total"]


def test_an_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    for name in ("out.csv", "out.xlsx", "out.parquet"):
        result = run(
            "simulate", "--input", str(PORTFOLIO / "clients.csv"), "--output", str(tmp_path / "missing" / name)
        )
        assert result.exit_code == 2 and result.stderr.startswith("erreur: --output: écriture impossible"), name
    result = run("simulate", "--input", str(PORTFOLIO / "clients.csv"), "--output", str(tmp_path / "out.ods"))
    assert result.exit_code == 2 and "extension '.ods' inconnue" in result.stderr


def test_yes_and_no_as_spreadsheets_write_them() -> None:
    from echeancier.kernel.inputs import InputError, parse_flag

    for yes in ("oui", "OUI", " Vrai ", "true", "x", "1", 1, True):
        assert parse_flag(yes, "acre") is True
    for no in ("non", "faux", "false", "0", "", 0, False, None):
        assert parse_flag(no, "acre") is False
    for neither in ("peut-être", "2", 2, 0.5, "yes please"):
        with pytest.raises(InputError, match="acre"):
            parse_flag(neither, "acre")


def test_one_pdf_per_client_and_the_options_that_do_not_combine(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(CLIENT_FILE, encoding="utf-8")
    result = run("schedule", "--input", str(source), "--format", "pdf")
    assert result.exit_code == 2 and "--format: 'pdf' : un document par client demande --output-dir" in result.stderr
    result = run("schedule", "--input", str(source), "--output", "m.csv", "--output-dir", str(tmp_path))
    assert result.exit_code == 2 and result.stderr.startswith("erreur: --output-dir: ne se combine pas")
    result = run("schedule", str(EXAMPLES / "01-declaration-mensuel.yaml"), "--input", str(source))
    assert result.exit_code == 2 and result.stderr.startswith("erreur: --input: ne se combine pas")
    result = run("schedule", "--input", str(source), "--output-dir", str(tmp_path / "pdf"), "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == ["C1.pdf", "C2.pdf"]
    assert (tmp_path / "pdf" / "C1.pdf").read_bytes().startswith(b"%PDF-")


# --- a property: any French sheet of valid clients gives simulate's figures ---------------------------------------


@st.composite
def client_rows(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A valid situation and its row in a French sheet (amount written as spreadsheets do, date jj/mm/aaaa)."""
    year = draw(st.integers(2023, 2026))
    cents = draw(st.integers(-500_000, 30_000_000))
    income = Decimal(cents) / 100
    written = draw(
        st.sampled_from(
            [
                f"{income:f}".replace(".", ","),  # 1234,56
                format_number(income, 2) if cents % 100 else format_number(income),  # 1 234,56 (narrow nbsp)
                f"{income:f}",  # 1234.56
            ]
        )
    )
    start = draw(st.none() | st.dates(date(year, 1, 1), date(year, 12, 31)))
    acre = start is not None and draw(st.booleans())
    rsa = draw(st.booleans())
    profession = draw(st.sampled_from(["artisan", "commerçant", "libéral", "Profession libérale"]))
    situation = {
        "year": year,
        "profession": {"commerçant": "commercant", "libéral": "liberal", "Profession libérale": "liberal"}.get(
            profession, profession
        ),
        "income": income,
        "start_date": start,
        "acre": acre,
        "rsa": rsa,
    }
    pro, brut = (written, "") if year <= 2024 else ("", written)
    day = "" if start is None else start.strftime("%d/%m/%Y")
    row = f"{year};{profession};{pro};{brut};{day};{'oui' if acre else 'non'};{'x' if rsa else ''}"
    return situation, row


@settings(max_examples=25, deadline=None)
@given(st.lists(client_rows(), min_size=1, max_size=30))
def test_any_french_sheet_of_valid_clients_gives_the_figures_of_simulate(
    tmp_path_factory: pytest.TempPathFactory, clients: list[tuple[dict[str, Any], str]]
) -> None:
    path = tmp_path_factory.mktemp("sheet") / "clients.csv"
    header = "année;profession;revenu_professionnel;revenu_brut;date_début;acre;rsa"
    path.write_text("\r\n".join([header, *(row for _, row in clients)]) + "\r\n", encoding="utf-8-sig")
    result = simulate_table(read_table(str(path)))
    assert result.errors == []
    names = [c.name for c in result.columns]
    for (situation, _), row in zip(clients, result.rows, strict=True):
        got = dict(zip(names, row, strict=True))
        want = expected(situation)
        assert {key: got[key] for key in want} == want, situation


def test_a_client_file_row_without_incomes_says_the_incomes_are_missing(tmp_path: Path) -> None:
    """A client without income nor declaration nor years, whose activity started before the law's years: the
    default year (its start) cannot be computed; the refusal names what is missing, in French, on that row."""
    path = tmp_path / "clients.csv"
    path.write_text(
        "client;profession;début_activité;paiement;jour;prélèvement;revenu_professionnel_2024;revenu_brut_2025\n"
        "C1;artisan;01/01/2015;mensuel;5;oui;30 000;40 000\n"
        "C2;artisan;01/01/2015;mensuel;5;oui;;\n",
        encoding="utf-8",
    )
    result = run("schedule", "--input", str(path), "--output", str(tmp_path / "out.csv"))
    assert result.exit_code == 1  # EXIT_LINES_FAILED: the other rows are computed
    assert result.stderr.splitlines() == [
        "erreur: ligne 3 : revenu_AAAA : aucun revenu ni date de déclaration : donner les revenus des années avant "
        "celles à calculer (revenu_2022, revenu_2023…), ou les années (annees) ; l'activité a commencé en 2015, "
        "avant les paramètres de la loi (2023)"
    ]
