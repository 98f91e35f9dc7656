"""The command line (DESIGN §4) and the French number formatting it prints with."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from echeancier.cli import app, run_jsonl
from echeancier.contributions.result import CONTRIBUTIONS
from echeancier.kernel.fmt import format_euros, format_number, format_rate

G = "\u202f"  # thousands separator (CLDR fr: narrow no-break space)
S = "\u00a0"  # before € and % (no-break space)

runner = CliRunner()


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, list(args), input=input, env=env)


def cells(output: str, label: str) -> list[str]:
    """The cells of the table row whose first cell is `label` (columns are separated by 2 spaces or more)."""
    for line in output.splitlines():
        row = re.split(r" {2,}", line.strip())
        if row[0] == label:
            return row
    raise AssertionError(f"no row {label!r} in:\n{output}")


# --- kernel/fmt.py -------------------------------------------------------------------------------------------


def test_format_euros_french_layout() -> None:
    assert format_euros(Decimal("1234.56")) == f"1{G}234,56{S}€"
    assert format_euros(Decimal("1234.5")) == f"1{G}234,50{S}€"


def test_format_euros_whole_euros_have_no_decimals() -> None:
    assert format_euros(1234) == f"1{G}234{S}€"
    assert format_euros(Decimal("1234.00")) == f"1{G}234{S}€"
    assert format_euros(Decimal("999.999")) == f"1{G}000{S}€"  # 1 000,00 once rounded to the cent


def test_format_euros_zero_negative_and_large() -> None:
    assert format_euros(0) == f"0{S}€"
    assert format_euros(Decimal("-0.004")) == f"0{S}€"  # never "-0 €"
    assert format_euros(Decimal("-1234.5")) == f"-1{G}234,50{S}€"
    assert format_euros(Decimal("12345678901.23")) == f"12{G}345{G}678{G}901,23{S}€"


def test_format_euros_rounds_half_up_to_the_cent() -> None:
    # Half up, never half to even (babel's default): 0.125 → 0.13, 0.005 → 0.01, −0.125 → −0.13.
    assert format_euros(Decimal("0.125")) == f"0,13{S}€"
    assert format_euros(Decimal("0.005")) == f"0,01{S}€"
    assert format_euros(Decimal("-0.125")) == f"-0,13{S}€"
    assert format_euros(Decimal("3589.584")) == f"3{G}589,58{S}€"
    assert format_euros(0.125) == f"0,13{S}€"  # a float goes through its repr, not its binary value


def test_format_euros_forced_cents_or_euros() -> None:
    assert format_euros(5, cents=True) == f"5,00{S}€"
    assert format_euros(Decimal("1.5"), cents=False) == f"2{S}€"
    assert format_euros(Decimal("1.495"), cents=False) == f"1{S}€"  # no double rounding through 1.50


def test_format_rate() -> None:
    assert format_rate(Decimal("0.1775")) == f"17,75{S}%"
    assert format_rate(Decimal("0.005")) == f"0,50{S}%"
    assert format_rate(Decimal("0.00725")) == f"0,725{S}%"  # exact, never cut
    assert format_rate(Decimal(0)) == f"0,00{S}%"
    assert format_rate(Decimal("0.26"), 0) == f"26{S}%"
    assert format_rate(Decimal("0.0176"), 0) == f"1,76{S}%"
    assert format_rate(Decimal("1.3"), 0) == f"130{S}%"


def test_format_number() -> None:
    assert format_number(Decimal("1234567.5")) == f"1{G}234{G}567,5"
    assert format_number(1200) == f"1{G}200"
    assert format_number(-1000) == f"-1{G}000"
    assert format_number(Decimal("2.345"), 2) == "2,35"
    assert format_number(Decimal("2.5"), 0) == "3"


# --- echeancier simulate: the French table -------------------------------------------------------------------

ARTISAN_2024_40000 = {
    # label: (assiette, montant) — domain.md §2.6, checked against the URSSAF grid (test_contributions.py)
    "Maladie-maternité": (f"40{G}000{S}€", f"2{G}168{S}€"),
    "Indemnités journalières": (f"40{G}000{S}€", f"200{S}€"),
    "Retraite de base": (f"40{G}000{S}€", f"7{G}100{S}€"),
    "Retraite complémentaire": (f"40{G}000{S}€", f"2{G}800{S}€"),
    "Invalidité-décès": (f"40{G}000{S}€", f"520{S}€"),
    "Allocations familiales": (f"40{G}000{S}€", f"0{S}€"),
    "CSG-CRDS": (f"52{G}788{S}€", f"5{G}121{S}€"),
    "Formation professionnelle (CFP)": (f"46{G}368{S}€", f"134{S}€"),
}


def test_table_artisan_2024_40000() -> None:
    result = run("simulate", "--year", "2024", "--profession", "artisan", "--income", "40000")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert cells(out, "Cotisation") == ["Cotisation", "Assiette", "Taux", "Montant", "Référence"]
    for label, (base, amount) in ARTISAN_2024_40000.items():
        row = cells(out, label)
        assert row[1:4:2] == [base, amount], row
    assert cells(out, "Maladie-maternité")[2] == f"progressif 5,42{S}%"
    assert cells(out, "Retraite de base")[2:] == [f"17,75{S}%", f"7{G}100{S}€", "CSS D633-2, D633-3"]
    assert cells(out, "Total") == ["Total", f"18{G}043{S}€"]
    # CSG-CRDS is two tranches: the deductible CSG and the rest, each on its own indented row.
    assert cells(out, "CSG déductible") == ["CSG déductible", f"52{G}788{S}€", f"6,80{S}%", f"3{G}589,58{S}€"]
    assert "  CSG non déductible et CRDS" in out
    assert f"revenu professionnel augmenté des cotisations sociales obligatoires, soit 52{G}788{S}€" in out


def test_table_shows_the_tranches_of_a_line_cut_at_the_pass() -> None:
    out = run("simulate", "--year", "2025", "--profession", "artisan", "--income", "100000").stdout
    # 100 000 − 26 % = 74 000 of base: 47 100 at 8.10 % and 26 900 at 9.10 % of retraite complémentaire.
    assert cells(out, "tranche 1")[1:3] == [f"47{G}100{S}€", f"8,10{S}%"]
    assert cells(out, "tranche 2")[1:3] == [f"26{G}900{S}€", f"9,10{S}%"]
    assert cells(out, "Retraite complémentaire")[1:3] == [f"74{G}000{S}€", f"6{G}263{S}€"]
    assert f"abattement de 26{S}% (26{G}000{S}€)" in out


def test_explains_partial_year_and_provisional_contributions() -> None:
    out = run(
        "simulate", "--year", "2025", "--profession", "liberal", "--income", "30000", "--start-date", "2025-07-01"
    ).stdout
    # 1 July to 31 December: 184 days; PASS 47 100 × 184 / 365 = 23 743.56 → 23 744 €.
    assert "184 jours" in out
    assert f"proratisé à 23{G}744{S}€" in out
    assert "Cotisations provisionnelles de début d'activité (assiette forfaitaire de 19" in out
    # 19 % of the prorated PASS: 4 511.36 → 4 511 €.
    assert f"du PASS proratisé : 4{G}511{S}€)" in out


def test_explains_acre() -> None:
    result = run(
        "simulate", "--year", "2025", "--profession", "artisan", "--income", "10000", "--start-date", "2025-03-01",
        "--acre",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "exonération ACRE" in result.stdout  # the row under each exempted contribution
    assert "ACRE : " in result.stdout and "d'exonération de début d'activité" in result.stdout


def test_explains_minimums_and_deficit() -> None:
    out = run("simulate", "--year", "2025", "--profession", "artisan", "--income", "-5000").stdout
    assert f"le revenu négatif déclaré (-5{G}000{S}€) compte pour un revenu nul" in out
    assert f"assiette minimale appliquée pour indemnités journalières (18{G}840{S}€)" in out


def test_rsa_has_no_minimum() -> None:
    out = run("simulate", "--year", "2025", "--profession", "artisan", "--income", "0", "--rsa").stdout
    assert "RSA ou prime d'activité" in out
    assert cells(out, "Total") == ["Total", f"137{S}€"]  # only the CFP, on the PASS


def test_net_income_is_solved() -> None:
    out = run("simulate", "--year", "2025", "--profession", "artisan", "--income", "30000", "--net").stdout
    assert f"Revenu saisi net de cotisations : 30{G}000{S}€" in out


def test_json_output() -> None:
    result = run("simulate", "--year", "2024", "--profession", "artisan", "--income", "40000", "--json")
    assert result.exit_code == 0
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    data = json.loads(result.stdout)
    assert data["id"] is None and data["year"] == 2024 and data["total"] == 18043
    assert list(data["contributions"]) == list(CONTRIBUTIONS)
    for line in data["contributions"].values():
        assert {"amount", "base", "rate", "reference"} <= set(line)
    assert data["contributions"]["maladie_maternite"]["amount"] == 2168
    assert data["contributions"]["csg_crds"]["base"] == 52788


# --- echeancier simulate --jsonl -----------------------------------------------------------------------------


def situation(**fields: Any) -> str:
    return json.dumps({"year": 2024, "profession": "artisan", "income": 40000, **fields})


def test_jsonl_good_and_bad_lines_in_order() -> None:
    lines = [
        situation(id="a"),
        "",
        "{not json",
        "[1, 2]",
        situation(id=7, year=2031),
        situation(id="b", profession="plombier"),
        situation(id="c", start_date="2024-02-30"),
        situation(id="d", income="abc"),
        situation(id="e", colour="blue"),
        situation(id="f", year=2025, income=50000),
    ]
    result = run("simulate", "--jsonl", input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", None, None, 7, "b", "c", "d", "e", "f"]
    assert out[0]["total"] == 18043 and "error" not in out[0]
    assert out[-1]["total"] == 15825 and out[-1]["year"] == 2025
    errors = out[1:-1]
    assert [e["line"] for e in errors] == [3, 4, 5, 6, 7, 8, 9]  # 1-based, the blank line 2 counted and skipped
    for error, field in zip(
        errors, ["json", "situation", "year", "profession", "start_date", "income", "colour"], strict=True
    ):
        assert set(error) == {"id", "line", "error"}
        assert error["error"].startswith(f"{field}: "), error
        assert "\n" not in error["error"]


def test_jsonl_all_good_exits_0() -> None:
    result = run("simulate", "--jsonl", input=situation(id=1) + "\n\n" + situation(id=2, income=0))
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [1, 2]
    assert run("simulate", "--jsonl", input="").exit_code == 0


def test_jsonl_reads_a_line_only_after_writing_the_previous_result() -> None:
    consumed = 0

    def lines() -> Iterator[bytes]:
        nonlocal consumed
        for i in range(1000):
            consumed += 1
            yield (situation(id=i) + "\n").encode()

    class Out:
        written = 0

        def write(self, text: str) -> int:
            self.written += 1
            # nothing read ahead: the result of line n is written before line n + 1 is taken
            assert consumed == self.written
            return len(text)

        def flush(self) -> None:
            pass

    out = Out()
    assert run_jsonl(lines(), out) == 0  # type: ignore[arg-type]
    assert out.written == 1000


def test_jsonl_streams_through_a_pipe() -> None:
    # Block-buffered standard output, as for any user (PYTHONUNBUFFERED would hide a missing flush).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    process = subprocess.Popen(
        [sys.executable, "-m", "echeancier.cli", "simulate", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    stdin, stdout = process.stdin, process.stdout
    assert stdin is not None and stdout is not None
    answers: queue.Queue[bytes] = queue.Queue()

    def read() -> None:
        for line in stdout:
            answers.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        for i in range(3):
            # the answer to each line arrives while standard input is still open
            stdin.write((situation(id=i) + "\n").encode())
            stdin.flush()
            answer = json.loads(answers.get(timeout=20))
            assert answer["id"] == i and answer["total"] == 18043
        stdin.close()
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize("extra", [["--year", "2024"], ["--json"], ["--acre"], ["--income", "1"]])
def test_jsonl_does_not_combine_with_single_situation_options(extra: list[str]) -> None:
    result = run("simulate", "--jsonl", *extra, input=situation() + "\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("erreur: --jsonl: ne se combine pas avec") and result.stderr.count("\n") == 1


# --- bad input: one line naming the field, exit status 2 -----------------------------------------------------

BASE = ["simulate", "--year", "2025", "--profession", "artisan", "--income", "40000"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["simulate", "--year", "2025", "--profession", "plombier", "--income", "1"], "--profession"),
        (["simulate", "--year", "2031", "--profession", "artisan", "--income", "1"], "--year"),
        (["simulate", "--year", "20x5", "--profession", "artisan", "--income", "1"], "--year"),
        (["simulate", "--year", "2025", "--profession", "artisan", "--income", "abc"], "--income"),
        (["simulate", "--year", "2025", "--profession", "artisan", "--income", "1e12"], "--income"),
        (["simulate", "--year", "2025", "--profession", "artisan", "--income", "nan"], "--income"),
        (["simulate", "--year", "2025", "--profession", "artisan"], "--income"),
        (["simulate", "--profession", "artisan", "--income", "1"], "--year"),
        ([*BASE, "--start-date", "2025-13-01"], "--start-date"),
        ([*BASE, "--end-date", "31/12/2025"], "--end-date"),
        ([*BASE, "--start-date", "2025-06-01", "--end-date", "2025-03-01"], "--end-date"),
        ([*BASE, "--start-date", "2026-01-01"], "--start-date"),
        ([*BASE, "--acre"], "--acre"),
        (["law", "status", "--on", "2025-02-30"], "--on"),
        (["law", "show", "plafond_securite_sociale.annuel", "--on", "tomorrow"], "--on"),
        (["law", "show", "plafond_securite_sociale.anuel"], "CLÉ"),
        (["law", "show", "plafond_securite_sociale.annuel", "--on", "2040-01-01"], "plafond_securite_sociale.annuel"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(args: list[str], field: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"erreur: {field}: "), result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_usage_errors_exit_2() -> None:
    result = run("simulate", "--bogus")
    assert result.exit_code == 2
    assert result.stderr == "erreur: --bogus: option inconnue (voir echeancier simulate --help)\n"


def test_bad_input_through_the_console_script() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "echeancier.cli", "simulate", "--year", "2025", "--profession", "x", "--income", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        "erreur: --profession: doit être artisan, commercant, liberal ou liberal_reglementee (reçu 'x')"
    ]


def test_unexpected_errors_exit_3_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import echeancier.contributions.engine as engine

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something\nwent wrong")

    monkeypatch.setattr(engine, "simulate", broken)
    monkeypatch.delenv("ECHEANCIER_DEBUG", raising=False)
    result = run(*BASE)
    assert result.exit_code == 3
    assert result.stderr == "erreur interne: RuntimeError: something went wrong\n"
    debug = run(*BASE, env={"ECHEANCIER_DEBUG": "1"})
    assert debug.exit_code == 3
    assert "Traceback" in debug.stderr and debug.stderr.endswith("erreur interne: RuntimeError: something went wrong\n")


# --- echeancier law ------------------------------------------------------------------------------------------


def test_law_status_up_to_date() -> None:
    result = run("law", "status", "--on", "2025-06-01")
    assert result.exit_code == 0
    assert cells(result.stdout, "plafond_securite_sociale") == [
        "plafond_securite_sociale",
        "31/12/2026",
        "2023 à 2026",
        "à jour",
    ]
    assert "Années de revenus couvertes : 2023 à 2026" in result.stdout


def test_law_status_flags_stale_files() -> None:
    result = run("law", "status", "--on", "2100-01-01")
    assert result.exit_code == 1
    assert cells(result.stdout, "smic")[-1] == "PÉRIMÉ"


def test_law_status_json() -> None:
    result = run("law", "status", "--on", "2027-01-01", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["date"] == "2027-01-01"
    assert data["supported_years"] == [2023, 2024, 2025, 2026]
    files = {f["name"]: f for f in data["files"]}
    assert files["smic"]["last_value_still_valid_on"] == "2026-12-31" and files["smic"]["stale"] is True
    assert "smic" in data["stale"]


def test_law_show() -> None:
    result = run("law", "show", "plafond_securite_sociale.annuel", "--on", "2025-06-01")
    assert result.exit_code == 0
    out = result.stdout
    assert f"Valeur au 01/06/2025 : 47{G}100{S}€" in out
    assert "Unité : euro" in out
    assert "Référence : Arrêté du 19 décembre 2024" in out
    assert "Source : https://" in out


def test_law_show_rate() -> None:
    out = run("law", "show", "retraite_base.taux_plafonne", "--on", "2024-01-01").stdout
    assert f"Valeur au 01/01/2024 : 17,75{S}%" in out
    assert "CSS D633-3" in out
