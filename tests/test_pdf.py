"""PDF documents (issue #8): the figures read back with pdftotext, a page rendered to PNG, the CLI's options."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from echeancier import simulate
from echeancier.cli import app as cli_app
from echeancier.documents.pdf import schedule_pdf, simulation_pdf
from echeancier.kernel.identity import parse_siren
from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.scenario import ScenarioError, load_scenario, loads_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
ISSUED = date(2026, 12, 1)


def text_of(pdf: bytes, tmp_path: Path, mode: str = "-layout") -> str:
    """The words of a PDF, in layout order (`-raw`: in the order drawn, which keeps a table row's wrapped cells
    together)."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", mode, str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_schedule_pdf_after_a_declaration_gives_each_figure_and_its_reason(tmp_path: Path) -> None:
    text = (EXAMPLES / "01-declaration-mensuel.yaml").read_text(encoding="utf-8")
    text = text.replace('  department: "75"', '  department: "75"\n  name: Jeanne Dupont\n  siren: "732 829 320"')
    scenario = loads_scenario(text)
    pdf = schedule_pdf(build_echeancier(scenario), scenario, issued_on=ISSUED)
    assert pdf.startswith(b"%PDF-")
    words = text_of(pdf, tmp_path)
    for expected in (
        "Urssaf Île-de-France",  # the organism that collects in Paris (R613-6), not a generic name
        "Document établi le 01/12/2026",
        "Cotisant : Jeanne Dupont",
        "SIREN : 732 829 320",
        # the worked example of the scenario file: 1 200 € of régularisation 2025, the 2026 provisionals raised
        # from 12 000 € to 14 400 €, seven instalments of 1 514,29 € from June (1 514,26 € in December)
        "1 200,00 € Régularisation 2025",
        "2 400,00 € Ajustement 2026",
        "12 000,00 € Cotisations provisionnelles 2026",
        "R613-1-3",
        "R613-5 I 2°",
        "R613-5 I 3°",
        "05/06/2026 1 514,29 €",
        "05/12/2026 07/12/2026 1 514,26 €",
        "provisionnelles 2027",
        "reste dû 0,00 €",
    ):
        assert expected in words, expected


def test_simulation_pdf_gives_each_line(tmp_path: Path) -> None:
    result = simulate({"year": 2025, "profession": "artisan", "income": 40000})
    words = text_of(simulation_pdf(result, issued_on=ISSUED, name="Jean Martin"), tmp_path)
    assert "Simulation de vos cotisations sociales — revenus 2025" in words
    assert "Cotisant : Jean Martin" in words
    assert "Retraite de base 29 600 € 17,87 % 5 290 € CSS D633-2, D633-3" in words
    assert "Total 12 454 €" in words
    assert "abattement de 26 %" in words


def test_a_pdf_page_renders_to_png(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLES / "08-debut-activite.yaml")
    pdf = tmp_path / "echeancier.pdf"
    pdf.write_bytes(schedule_pdf(build_echeancier(scenario), scenario, issued_on=ISSUED))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    png = (tmp_path / "page-1.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000  # a page with text on it, not a blank one
    shots = ROOT / "out" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "page-1.png", shots / "echeancier-pdf-page-1.png")


def test_schedule_format_pdf_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "e.pdf"
    result = CliRunner().invoke(
        cli_app, ["schedule", str(EXAMPLES / "01-declaration-mensuel.yaml"), "--format", "pdf", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "1 514,29 €" in text_of(out.read_bytes(), tmp_path)


def test_schedule_format_pdf_refuses_a_terminal() -> None:
    script = (
        "import sys; sys.stdout.isatty = lambda: True; sys.argv = ['echeancier', 'schedule', "
        f"{str(EXAMPLES / '01-declaration-mensuel.yaml')!r}, '--format', 'pdf']; "
        "from echeancier.cli import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("erreur: --format: pdf is a binary document")


def test_schedule_pdf_to_a_pipe() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "echeancier.cli", "schedule", str(EXAMPLES / "03-trimestriel.yaml"), "--format", "pdf"],
        capture_output=True,
    )
    assert done.returncode == 0 and done.stdout.startswith(b"%PDF-")


def test_simulate_pdf_option(tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    args = ["simulate", "--year", "2026", "--profession", "liberal", "--income", "30000", "--pdf", str(out)]
    assert CliRunner().invoke(cli_app, args).exit_code == 0
    assert "Activité : profession libérale" in text_of(out.read_bytes(), tmp_path)
    refused = CliRunner().invoke(cli_app, [*args, "--json"])
    assert refused.exit_code == 2 and "--pdf" in refused.stderr
    unwritable = CliRunner().invoke(cli_app, [*args[:-1], str(tmp_path / "missing" / "s.pdf")])
    assert unwritable.exit_code == 2 and "erreur: --pdf: cannot write" in unwritable.stderr


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@pytest.mark.parametrize("siren", ["732829320", "732 829 320", "552 100 554", "443061841"])
def test_valid_sirens(siren: str) -> None:
    digits = re.sub(r"\D", "", siren)
    assert _luhn_ok(digits) and parse_siren(siren) == digits


@pytest.mark.parametrize("siren", ["732829321", "73282932", "7328293200", "abcdefghi", "", True, 7.5])
def test_invalid_sirens(siren: object) -> None:
    with pytest.raises(ValueError):
        parse_siren(siren)


def test_a_scenario_with_a_bad_siren_names_its_line() -> None:
    text = "contributor:\n  profession: artisan\n  activity_start: 2020-01-01\n  siren: '123456789'\nyears: [2026]\n"
    with pytest.raises(ScenarioError, match=r"ligne 4 : contributor.siren: '123456789' n'est pas un SIREN valide"):
        loads_scenario(text)


def test_reasons_cover_every_kind_in_the_examples() -> None:
    from echeancier.documents.pdf import KIND_REASONS, reasons

    for path in sorted(EXAMPLES.glob("*.yaml")):
        rows = reasons(build_echeancier(load_scenario(path)))
        assert all(row["reason"] and "{" not in row["reason"] for row in rows), path.name
        kinds = {p.kind for i in build_echeancier(load_scenario(path)).instalments for p in i.parts}
        assert kinds - {"carried_over"} <= set(KIND_REASONS), path.name


# --- the relevé de compte ------------------------------------------------------------------------------------------


def test_releve_pdf_gives_every_posting_its_article_and_the_majoration_portions(tmp_path: Path) -> None:
    from echeancier.documents.releve import statement_pdf

    text = (EXAMPLES / "21-plan-rompu.yaml").read_text(encoding="utf-8")
    text = text.replace("  profession: commercant", "  profession: commercant\n  name: Jean Martin\n  siren: 552100554")
    scenario = loads_scenario(text)
    pdf = statement_pdf(build_echeancier(scenario), scenario, account="Q-21", issued_on=ISSUED)
    words = text_of(pdf, tmp_path, "-raw")
    for expected in (
        "Urssaf Île-de-France",
        "Document établi le 01/12/2026",
        "Relevé de compte",
        "Compte : Q-21",
        "Cotisant : Jean Martin",
        "SIREN : 552 100 554",
        # each posting with its reason and article: the instalment of 5 May left unpaid until 1 September
        "3 05/05/2026 débit : provisionnelles 2026 CSS R613-2 II (cotisations provisionnelles) 3 000,00 € 01/09/2026",
        "crédit : versement du délai de paiement CSS R243-21 (délai de paiement) 1 000,00 €",
        "crédit : virement paiement reçu 2 000,00 €",
        "débit : majorations de retard (sur l'opération n° 3)",
        # R243-16 on the 3 000 € unpaid on 5 May (checked by hand): 5 % = 150 €; 1 000 € paid on 10 June, 2 months
        # begun × 0.2 % = 4 €; 2 000 € paid on 1 September, 4 months begun × 0.2 % = 16 €; 170 € in all
        "majoration initiale sur 3 000,00 € impayés le 05/05/2026 (R243-16 I) 3 000,00 € 5 % 150,00 €",
        "portion réglée le 10/06/2026 : 2 mois ou fraction de mois (R243-16 II) 1 000,00 € 0,2 % × 2 4,00 €",
        "portion réglée le 01/09/2026 : 4 mois ou fraction de mois (R243-16 II) 2 000,00 € 0,2 % × 4 16,00 €",
        "Total 170,00 €",
        "due : délai de paiement non respecté",
        "Délais de paiement (CSS R243-21) — accordé le 25/05/2026 pour 3 000,00 €",
        "reste dû 0,00 €",
    ):
        assert expected in words, expected


def test_a_releve_page_renders_to_png(tmp_path: Path) -> None:
    from echeancier.documents.releve import statement_pdf

    scenario = load_scenario(EXAMPLES / "05-deux-impayes.yaml")
    pdf = tmp_path / "releve.pdf"
    pdf.write_bytes(statement_pdf(build_echeancier(scenario), scenario, account="TI-5", issued_on=ISSUED))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    png = (tmp_path / "page-1.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    shots = ROOT / "out" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "page-1.png", shots / "releve-pdf-page-1.png")


def releve_words(example: str, tmp_path: Path) -> str:
    from echeancier.documents.releve import statement_pdf

    scenario = load_scenario(EXAMPLES / example)
    return text_of(statement_pdf(build_echeancier(scenario), scenario, account="T", issued_on=ISSUED), tmp_path, "-raw")


def test_releve_pdf_refunds_and_remises(tmp_path: Path) -> None:
    words = releve_words("12-trop-verse.yaml", tmp_path)
    # the régularisation credit of 20 May and its refund: the refund stands on the debit side, after its article
    credit = "crédit : crédit de régularisation 2025 CSS R613-1-3 al. 2 (trop-versé de régularisation) 23 627,00 €"
    refund = "remboursement : remboursement 2025 (crédit n° 12) CSS R613-1-3 al. 2 (trop-versé de régularisation)"
    assert credit in words and f"{refund} 23 627,00 €" in words
    words = releve_words("22-remise.yaml", tmp_path)
    # 3 000 € unpaid on 5 May, paid on 20 June: 150 € + 3 000 € × 0,2 % × 2 = 12 €, of which the 150 € are remitted
    portion = "portion réglée le 20/06/2026 : 2 mois ou fraction de mois (R243-16 II) 3 000,00 € 0,2 % × 2 12,00 €"
    assert portion in words
    assert "remise (R243-20) −150,00 €" in words and "Total après remise 12,00 €" in words
    assert "Remises de majorations (CSS R243-20) — demande du 01/07/2026 : recevable" in words
