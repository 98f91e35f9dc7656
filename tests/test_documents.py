"""The documents of the échéancier (CSS L613-3 al. 2): French table, JSON, CSV, ICS, and `echeancier schedule`."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from typer.testing import CliRunner, Result

from echeancier.cli import app
from echeancier.documents.echeancier import (
    CSV_FIELDS,
    CSV_FIELDS_FR,
    note_sentence,
    refund_sentence,
    to_csv,
    to_ics,
    to_json,
    to_table,
)
from echeancier.schedule.echeancier import Echeancier, Refund, build_echeancier
from echeancier.schedule.scenario import loads_scenario

G = "\u202f"  # thousands separator (CLDR fr: narrow no-break space)
S = "\u00a0"  # before € (no-break space)

# A steady-state artisan paying monthly on the 5th. Declaring 2025 on 20 May 2026 calls, from 5 June (the first
# due date at least 15 days later) over the 7 instalments June–December:
#   régularisation 2025: 14 400 − 13 200 = 1 200 € → 171,43 € × 6 + 171,42 €
#   ajustement 2026:     14 400 − 12 000 = 2 400 € → 342,86 € × 6 + 342,84 €
# on top of the provisional 12 000 / 12 = 1 000 €: 1 514,29 € a month, 1 514,26 € in December; the CFP (139 €)
# comes with the November instalment.
STEADY = """\
contributor:
  {profession: artisan, activity_start: 2015-01-01, payment: {frequency: monthly, day: 5, direct_debit: true}}
amounts: {2025: {provisional: 13200, definitive: 14400}, 2026: {provisional: 12000, adjusted: 14400}}
events: [{date: 2026-05-20, type: declaration, year: 2025}]
years: [2026]
"""

# Two consecutive missed payments (March, April): the rest of 2026 is quarterly and the majorations de retard of
# R243-16 apply; the régularisation credit of 2025 (13 200 − 12 000 = 1 200 €) is set against the instalments
# still to come.
MISSED = """\
contributor:
  {profession: artisan, activity_start: 2015-01-01, payment: {frequency: monthly, day: 5, direct_debit: true}}
amounts: {2025: {provisional: 13200, definitive: 12000}, 2026: {provisional: 12000, adjusted: 11000}}
events:
  - {date: 2026-03-05, type: missed_payment}
  - {date: 2026-04-05, type: missed_payment}
  - {date: 2026-05-20, type: declaration, year: 2025}
  - {date: 2026-09-10, type: cessation}
years: [2026]
"""

# A liberal profession starting in February 2026 without a direct-debit authorisation: quarterly payments.
START = """\
contributor:
  {profession: liberal, activity_start: 2026-02-10, payment: {frequency: monthly, day: 20, direct_debit: false}}
years: [2026]
"""


def echeancier_of(text: str, as_of: date | None = None) -> Echeancier:
    return build_echeancier(loads_scenario(text), as_of)


def euros(value: Any) -> Decimal:
    return Decimal(str(value))


@pytest.fixture(scope="module")
def steady() -> Echeancier:
    return echeancier_of(STEADY)


@pytest.fixture(scope="module")
def missed() -> Echeancier:
    return echeancier_of(MISSED)


# --- the example itself -----------------------------------------------------------------------------------------


def test_steady_state_instalments(steady: Echeancier) -> None:
    without_cfp = {
        i.due_date.month: sum((p.amount for p in i.parts if p.kind != "cfp"), Decimal(0)) for i in steady.instalments
    }
    assert [without_cfp[month] for month in range(1, 6)] == [Decimal("1000.00")] * 5
    assert [without_cfp[month] for month in range(6, 12)] == [Decimal("1514.29")] * 6
    assert without_cfp[12] == Decimal("1514.26")
    november = next(i for i in steady.instalments if i.due_date == date(2026, 11, 5))
    assert november.amount == Decimal("1653.29")  # 1 514,29 € + the CFP of 139 €


# --- JSON -------------------------------------------------------------------------------------------------------


def test_json_fields(steady: Echeancier) -> None:
    document = json.loads(json.dumps(to_json(steady)))
    assert set(document) == {
        "organism",
        "residence_organism",
        "instalments",
        "refunds",
        "majorations",
        "notices",
        "balance",
        "notes",
        "ledger",
        "account",
    }
    assert document["organism"]["kind"] == "URSSAF" and document["organism"]["code"] == "75"  # the default
    first = document["instalments"][0]
    assert first == {
        "due_date": "2026-01-05",
        "debit_date": "2026-01-05",
        "amount": 1000.0,
        "missed": False,
        "parts": [{"kind": "provisional", "year": 2026, "amount": 1000.0}],
    }
    april = document["instalments"][3]
    assert (april["due_date"], april["debit_date"]) == ("2026-04-05", "2026-04-07")  # Easter Monday, 6 April
    june = document["instalments"][5]
    assert june["amount"] == 1514.29
    assert [(p["kind"], p["year"], p["amount"]) for p in june["parts"]] == [
        ("provisional", 2026, 1000.0),
        ("ajustement", 2026, 342.86),
        ("regularisation", 2025, 171.43),
    ]
    assert document["balance"] == {
        "as_of": "2026-12-31",
        "called": 15739.0,
        "paid": 15739.0,
        "credited": 0.0,
        "refunded": 0.0,
        "outstanding": 0.0,
        "credit": 0.0,
    }
    debits = [p for p in document["ledger"] if p["kind"] == "debit"]
    assert sum(Decimal(str(p["amount"])) for p in debits) == 15739 and all(p["settled_on"] == p["date"] for p in debits)
    assert document["notices"] == [
        {"date": "2026-06-04", "kind": "echeancier", "detail": steady.notices[0].detail},
    ]


def test_json_instalment_amounts_are_the_sum_of_their_parts(steady: Echeancier, missed: Echeancier) -> None:
    for e in (steady, missed):
        for instalment in to_json(e)["instalments"]:
            assert euros(instalment["amount"]) == sum((euros(p["amount"]) for p in instalment["parts"]), Decimal(0))


def test_json_amounts_have_at_most_two_decimals_and_ascii_keys(missed: Echeancier) -> None:
    text = json.dumps(to_json(missed))
    keys = re.findall(r'"([^"]+)":', text)
    assert keys and all(key.isascii() for key in keys)
    for number in re.findall(r":\s*(-?\d+\.\d+)", text):
        assert len(number.split(".")[1]) <= 2, number


def test_json_majorations_and_refunds(missed: Echeancier) -> None:
    document = to_json(missed)
    # R243-16: 5 % of the 1 000 € unpaid on 5 March, once; 0.2 % × 2 months: the carried sums are collected
    # oldest first, and March's whole instalment is with the 5 May debit.
    assert document["majorations"][0] == {
        "due_date": "2026-03-05",
        "paid_on": "2026-05-05",
        "settled_on": "2026-05-05",
        "status": "definitive",
        "base": 1000.0,
        "initial": 50.0,
        "months": 2,
        "complementary": 4.0,
        "amount": 54.0,
    }
    # R613-1-3 al. 2: the régularisation credit goes to the instalments still to come (5 August, once quarterly).
    assert document["refunds"] == [
        {
            "date": "2026-08-05",
            "kind": "regularisation",
            "year": 2025,
            "amount": 0.0,
            "imputed": 0.0,
            "on_instalments": 1200.0,
        }
    ]
    assert [i["missed"] for i in document["instalments"][:4]] == [False, False, True, True]
    assert document["notes"] == ["cessation:2026-09-10"]


# --- the French table -------------------------------------------------------------------------------------------


def row(table: str, first_cell: str) -> list[str]:
    """The cells of the row starting with `first_cell` (columns are separated by 2 spaces or more)."""
    for line in table.splitlines():
        cells = re.split(r" {2,}", line.strip())
        if cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{table}")


def test_table_french_amounts_dates_and_labels(steady: Echeancier) -> None:
    table = to_table(steady)
    assert table.startswith("Échéancier de vos cotisations sociales — situation au 31/12/2026\n")
    assert f"1{G}514,29{S}€" in table
    assert row(table, "05/06/2026")[:2] == ["05/06/2026", f"1{G}514,29{S}€"]
    assert row(table, "05/12/2026")[:3] == ["05/12/2026", "07/12/2026", f"1{G}514,26{S}€"]
    assert row(table, "05/04/2026")[:3] == ["05/04/2026", "07/04/2026", f"1{G}000,00{S}€"]
    assert row(table, "05/01/2026") == ["05/01/2026", f"1{G}000,00{S}€", "provisionnelles 2026"]
    assert row(table, "05/11/2026")[-1] == (
        f"provisionnelles 2026 : 1{G}000,00{S}€ ; ajustement 2026 : 342,86{S}€ ; "
        f"régularisation 2025 : 171,43{S}€ ; CFP 2026 : 139,00{S}€"
    )
    assert f"2025 : 1{G}200,00{S}€ (régularisation 1{G}200,00{S}€)" in table
    totals = f"(provisionnelles 12{G}000,00{S}€, ajustement 2{G}400,00{S}€, CFP 139,00{S}€)"
    assert f"2026 : 14{G}539,00{S}€ {totals}" in table
    assert "04/06/2026 : échéancier après la déclaration de revenus" in table
    assert f"Au 31/12/2026 : appelé 15{G}739,00{S}€, payé 15{G}739,00{S}€, reste dû 0,00{S}€." in table
    assert "À savoir" not in table  # no note for this account


def test_table_missed_payments_majorations_and_refunds(missed: Echeancier) -> None:
    table = to_table(missed)
    assert row(table, "05/03/2026")[-1] == "impayée — provisionnelles 2026"
    assert row(table, "05/04/2026")[-1].startswith("impayée — ")
    assert f"impayé reporté : 1{G}000,00{S}€" in row(table, "05/04/2026")[-1]
    assert f"majorations de retard : 54,00{S}€" in row(table, "05/05/2026")[-1]
    # base × 5 % + base × 0,2 % × n mois, with the law's rates; the carried sums are collected oldest first, and
    # nothing is collected after the cessation of 10 September but its settlement.
    assert (
        f"échéance du 05/03/2026 réglée le 05/05/2026 : 1{G}000,00{S}€ × 5{S}% = 50,00{S}€ + "
        f"1{G}000,00{S}€ × 0,2{S}% × 2 mois = 4,00{S}€ → 54,00{S}€ (définitive)"
    ) in table
    assert (
        f"échéance du 05/04/2026 réglée le 05/08/2026 : 1{G}000,00{S}€ × 5{S}% = 50,00{S}€ + "
        f"1{G}000,00{S}€ × 0,2{S}% × 4 mois = 8,00{S}€ → 58,00{S}€ (définitive)"
    ) in table
    assert f"total des majorations : 112,00{S}€" in table
    assert "Remboursements :" in table
    assert (
        f"05/08/2026 : trop-versé de 1{G}200,00{S}€ (régularisation 2025) : 1{G}200,00{S}€ déduits des échéances "
        "à venir"
    ) in table
    assert "Cessation d'activité le 10/09/2026" in table


def test_table_start_of_activity_notice_and_note() -> None:
    table = to_table(echeancier_of(START))
    assert "échéancier de début d'activité (première échéance le 05/08/2026)" in table  # ISO date made French
    assert "Prélèvement" not in table  # every debit date is the due date: no column
    assert "Sans autorisation de prélèvement, les cotisations sont payées chaque trimestre" in table


def test_refund_sentences() -> None:
    day = date(2026, 6, 4)
    assert refund_sentence(Refund(day, "ajustement", 2026, Decimal("300"))) == (
        f"04/06/2026 : remboursement de 300,00{S}€ (trop-versé, ajustement 2026)"
    )
    assert refund_sentence(Refund(day, "regularisation", 2025, Decimal("200"), imputed=Decimal("1000"))) == (
        f"04/06/2026 : trop-versé de 1{G}200,00{S}€ (régularisation 2025) : 1{G}000,00{S}€ imputés sur les sommes "
        f"restant dues, 200,00{S}€ remboursés"
    )
    sentence = refund_sentence(Refund(day, "regularisation", 2025, Decimal(0), on_instalments=Decimal("1200")))
    assert sentence.endswith(f": 1{G}200,00{S}€ déduits des échéances à venir")


def test_notes_in_french() -> None:
    assert "paramètres de la loi pour 2026" in note_sentence("parametres_provisoires:2026")
    assert "trop-versé sera remboursé une fois le revenu réel de 2026" in note_sentence(
        "trop_verse_apres_revenu_reel:2026"
    )
    assert note_sentence("cessation:2026-09-10").startswith("Cessation d'activité le 10/09/2026")
    assert note_sentence("trimestriel_sans_prelevement").startswith("Sans autorisation de prélèvement")
    assert note_sentence("quelque_chose:42") == "quelque_chose:42"


def test_table_as_of_ignores_later_events() -> None:
    table = to_table(echeancier_of(STEADY, as_of=date(2026, 5, 1)))
    assert f"1{G}514,29" not in table  # the declaration of 20 May is not known yet
    assert f"Au 01/05/2026 : appelé 4{G}000,00{S}€, payé 4{G}000,00{S}€, reste dû 0,00{S}€." in table


# --- CSV --------------------------------------------------------------------------------------------------------


def test_csv_parses_back_and_adds_up(steady: Echeancier, missed: Echeancier) -> None:
    for e in (steady, missed):
        text = to_csv(e)
        assert text.startswith(",".join(CSV_FIELDS) + "\r\n")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert len(rows) == sum(len(i.parts) for i in e.instalments)
        by_due: dict[str, Decimal] = {}
        for r in rows:
            by_due[r["due_date"]] = by_due.get(r["due_date"], Decimal(0)) + Decimal(r["amount"])
        for instalment in e.instalments:
            due = instalment.due_date.isoformat()
            assert by_due[due] == instalment.amount
            assert {r["instalment_amount"] for r in rows if r["due_date"] == due} == {f"{instalment.amount:.2f}"}
            assert {r["missed"] for r in rows if r["due_date"] == due} == {"true" if instalment.missed else "false"}
    june = [r for r in csv.DictReader(io.StringIO(to_csv(steady))) if r["due_date"] == "2026-06-05"]
    assert [(r["kind"], r["year"], r["amount"]) for r in june] == [
        ("provisional", "2026", "1000.00"),
        ("ajustement", "2026", "342.86"),
        ("regularisation", "2025", "171.43"),
    ]


def test_csv_french_excel_variant(steady: Echeancier) -> None:
    text = to_csv(steady, french=True)
    assert text.startswith("\ufeff" + ";".join(CSV_FIELDS_FR) + "\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))[1:]
    assert rows[5] == [
        *("05/06/2026", "05/06/2026", "provisionnelles", "2026", "1000,00", "1514,29", "non"),
        *("Urssaf Île-de-France", ""),
    ]
    assert rows[-1][:5] == ["05/12/2026", "07/12/2026", "régularisation", "2025", "171,42"]
    total = sum((Decimal(r[4].replace(",", ".")) for r in rows), Decimal(0))
    assert total == sum((i.amount for i in steady.instalments), Decimal(0))


# --- ICS --------------------------------------------------------------------------------------------------------


def test_ics_one_all_day_event_per_instalment_on_its_debit_date(steady: Echeancier) -> None:
    text = to_ics(steady, "steady.yaml")
    calendar = Calendar.from_ical(text)
    assert str(calendar["PRODID"]) == "-//echeancier//FR"
    events = calendar.walk("VEVENT")
    assert len(events) == len(steady.instalments)
    for event, instalment in zip(events, steady.instalments, strict=True):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is date and start == instalment.debit_date
        assert end == instalment.debit_date + timedelta(days=1)
        assert f"Échéance légale : {instalment.due_date:%d/%m/%Y}" in str(event["DESCRIPTION"])
    june = events[5]
    assert str(june["SUMMARY"]) == f"Cotisations Urssaf : 1{G}514,29{S}€"
    assert "ajustement 2026" in str(june["DESCRIPTION"]) and "régularisation 2025" in str(june["DESCRIPTION"])
    april = events[3]
    assert "Prélèvement : 07/04/2026" in str(april["DESCRIPTION"])


def test_ics_uids_stable_unique_and_output_byte_identical(steady: Echeancier) -> None:
    first = to_ics(steady, "steady.yaml")
    assert to_ics(echeancier_of(STEADY), "steady.yaml") == first
    assert "\r\n" in first and "\n" not in first.replace("\r\n", "")
    uids = [str(event["UID"]) for event in Calendar.from_ical(first).walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    assert uids[0].startswith("20260105-") and uids[0].endswith("@echeancier")
    # The UID follows the account and the legal due date, not the rest: an échéancier known earlier (before the
    # declaration changed the amounts) has the same UIDs, so a calendar updates its events.
    earlier = to_ics(echeancier_of(STEADY, as_of=date(2026, 5, 1)), "steady.yaml")
    assert [str(event["UID"]) for event in Calendar.from_ical(earlier).walk("VEVENT")] == uids
    other = [str(event["UID"]) for event in Calendar.from_ical(to_ics(steady, "other.yaml")).walk("VEVENT")]
    assert not set(other) & set(uids)


def test_ics_missed_instalment_is_marked(missed: Echeancier) -> None:
    events = Calendar.from_ical(to_ics(missed, "missed.yaml")).walk("VEVENT")
    assert str(events[2]["SUMMARY"]) == f"Cotisations Urssaf : 1{G}000,00{S}€ (impayée)"


# --- echeancier schedule ----------------------------------------------------------------------------------------

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, ["schedule", *args])


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "steady.yaml"
    path.write_text(STEADY, encoding="utf-8")
    return path


def test_cli_schedule_table_by_default(scenario_file: Path) -> None:
    result = run(str(scenario_file))
    assert result.exit_code == 0, result.output
    assert result.stdout == to_table(echeancier_of(STEADY))


def test_cli_schedule_json_on_one_line(scenario_file: Path) -> None:
    result = run(str(scenario_file), "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1
    assert json.loads(result.stdout) == json.loads(json.dumps(to_json(echeancier_of(STEADY))))


def test_cli_schedule_csv(scenario_file: Path) -> None:
    result = run(str(scenario_file), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert rows[0]["due_date"] == "2026-01-05" and rows[-1]["amount"] == "171.42"
    french = run(str(scenario_file), "--format", "csv-fr")
    assert french.exit_code == 0 and french.stdout.startswith("\ufeffÉchéance;")


def test_cli_schedule_ics_to_a_file(scenario_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "cotisations.ics"
    result = run(str(scenario_file), "--format", "ics", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = target.read_bytes()
    assert data == to_ics(echeancier_of(STEADY), "steady.yaml").encode("utf-8")  # CRLF kept, UID from the name
    assert len(Calendar.from_ical(data).walk("VEVENT")) == 12


def test_cli_schedule_as_of(scenario_file: Path) -> None:
    result = run(str(scenario_file), "--format", "json", "--as-of", "2026-05-01")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["balance"]["as_of"] == "2026-05-01" and document["balance"]["called"] == 4000.0


def assert_input_error(result: Result, start: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"erreur: {start}"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_cli_schedule_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    assert_input_error(run(str(missing)), f"{missing}: fichier introuvable")


def test_cli_schedule_directory(tmp_path: Path) -> None:
    assert_input_error(run(str(tmp_path)), f"{tmp_path}: est un dossier")


def test_cli_schedule_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("contributor:\n  profession: artisan # métier\n".encode("latin-1"))
    assert_input_error(run(str(path)), f"{path}: ligne 2 : texte qui n'est pas de l'UTF-8")


def test_cli_schedule_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("contributor: {profession: artisan\nyears: [2026\n", encoding="utf-8")
    assert_input_error(run(str(path)), f"{path}: ligne 2 : YAML invalide : attendu : « , » ou « }} » ; trouvé : « : »")


def test_cli_schedule_invalid_scenario_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "unknown.yaml"
    path.write_text(STEADY.replace("type: declaration", "type: holiday"), encoding="utf-8")
    assert_input_error(
        run(str(path)), f"{path}: ligne 4 : events.0.type : type d'événement inconnu 'holiday' (connus : "
    )


def test_cli_schedule_unknown_format(scenario_file: Path) -> None:
    assert_input_error(run(str(scenario_file), "--format", "docx"), "--format: format inconnu 'docx'")


def test_cli_schedule_bad_as_of(scenario_file: Path) -> None:
    assert_input_error(run(str(scenario_file), "--as-of", "31/12/2026"), "--as-of: doit être une date AAAA-MM-JJ")


def test_cli_schedule_unwritable_output(scenario_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir.ics"
    assert_input_error(run(str(scenario_file), "--output", str(target)), "--output: écriture impossible")
