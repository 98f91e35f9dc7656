"""CSV bank files (payments/csv_file.py): both conventions as spreadsheets write them, and every way a value could be
misread refused with one line naming the file, the line and the column."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from pathlib import Path

import pytest
from benchmarks.make_bank_files import expected_cents, payments_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.payments import MAX_AMOUNT_CENTS, MAX_FILE_BYTES, BankFileError, parse_bank_file, parse_csv
from echeancier.payments.csv_file import parse_amount, parse_date
from echeancier.store.bank import BankLine

DATA = Path(__file__).parent / "data" / "bank"
NBSP, NNBSP = "\u00a0", "\u202f"


def error_of(data: bytes, name: str = "virements.csv") -> str:
    with pytest.raises(BankFileError) as caught:
        parse_csv(data, name)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(name + ": ")
    return message


# --- The sample files, checked by hand ---------------------------------------------------------------------------


def test_french_spreadsheet_file():
    # BOM, CRLF, `;`, a no-break space between thousands, `€` after an amount, a quoted `;`, an ISO date, an empty
    # reference, a blank line (4) and a line of empty fields (7) skipped; column names in French with accents.
    lines = parse_bank_file(DATA / "payments_fr.csv")
    assert [(x.key, x.date, x.amount_cents, x.reference, x.line) for x in lines] == [
        ("BQ-1001", date(2026, 11, 5), 1_234_56, "TI-000123", 2),
        ("BQ-1002", date(2026, 11, 5), 750_00, "TI-000456", 3),
        ("BQ-1003", date(2026, 11, 6), 12_000_50, "TI-000789", 5),  # "12 000,5 €"
        ("BQ-1004", date(2026, 11, 7), 1, "", 6),  # 0,01 € with no reference: the store's suspense list
    ]
    assert all(x.kind == "credit" and x.bank_id == x.key and x.due_date is None and x.reason is None for x in lines)
    assert lines[2].raw == '06/11/2026;12 000,5 €;TI-000789;"VIR; avec point-virgule";BQ-1003'


def test_international_file_keys_lines_by_content_hash():
    data = (DATA / "payments_international.csv").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    lines = parse_csv(data, "intl.csv")
    assert [(x.key, x.date, x.amount_cents, x.reference, x.bank_id) for x in lines] == [
        (f"{digest}:2", date(2026, 11, 5), 1_234_56, "TI-000123", None),
        (f"{digest}:3", date(2026, 11, 5), 750_00, "TI-000456", None),
        (f"{digest}:4", date(2026, 11, 6), 12_000_50, "TI-000789", None),  # "12,000.50", quoted
    ]


def test_excel_windows_1252_file():
    # What a French Excel writes for "CSV (séparateur: point-virgule)": "Référence" in Windows-1252, not UTF-8.
    [line] = parse_bank_file(DATA / "payments_excel_cp1252.csv")
    assert (line.date, line.amount_cents, line.reference) == (date(2026, 12, 31), 99_90, "TI-000321")


def test_kind_column_gives_rejections():
    credit, rejection = parse_bank_file(DATA / "payments_kinds.csv")
    assert (credit.kind, credit.due_date, credit.reason) == ("credit", None, None)
    assert (rejection.kind, rejection.date, rejection.amount_cents, rejection.reference) == (
        "rejection",
        date(2026, 11, 12),
        320_00,
        "ECH-2026-000789-T4",
    )
    assert (rejection.due_date, rejection.reason) == (date(2026, 11, 5), "AM04")


def test_utf16_with_bom_and_cr_line_ends():
    text = "date;montant;reference\r05/01/2026;10,00;A\r"
    [line] = parse_csv(text.encode("utf-16"), "x.csv")
    assert (line.date, line.amount_cents, line.reference, line.line) == (date(2026, 1, 5), 10_00, "A", 2)


def test_other_columns_are_ignored_and_order_is_free():
    data = b"Libelle,Reference,ID,Amount,Date,Currency\nVIR X,TI-1,B-9,10.50,2026-01-05,eur\n"
    [line] = parse_csv(data, "x.csv")
    assert (line.key, line.amount_cents, line.reference) == ("B-9", 10_50, "TI-1")


def test_empty_id_cell_falls_back_to_the_content_key():
    data = b"date,amount,reference,id\n2026-01-05,1,A,\n2026-01-05,1,A,X\n"
    first, second = parse_csv(data, "x.csv")
    assert first.key == f"{hashlib.sha256(data).hexdigest()}:2" and first.bank_id is None
    assert second.key == "X"


def test_header_only_is_no_payment():
    assert parse_csv(b"date;amount;reference\r\n", "x.csv") == []


# --- Amounts and dates: never guessed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234,56", 1_234_56),
        ("1 234,56", 1_234_56),
        (f"1{NBSP}234,56", 1_234_56),
        (f"1{NNBSP}234{NNBSP}567,8", 1_234_567_80),
        ("1234,5", 1_234_50),
        ("750", 750_00),
        ("0,01", 1),
        ("+10,00", 10_00),
        ("10,00 €", 10_00),
        ("10€", 10_00),
        ("10,00 EUR", 10_00),
        (" 007,10 ", 7_10),
    ],
)
def test_french_amounts(text, cents):
    assert parse_amount(text, "french") == cents


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1234.56", 1_234_56), ("1,234.56", 1_234_56), ("1,234,567.80", 1_234_567_80), ("750", 750_00), ("0.5", 50)],
)
def test_international_amounts(text, cents):
    assert parse_amount(text, "international") == cents


@pytest.mark.parametrize(
    ("text", "convention", "words"),
    [
        ("40.000", "french", "ambigu"),  # 40 € with a decimal point, or 40 000 € with a German thousands point?
        ("40,000", "french", "ambigu"),  # 40 € to the thousandth, or 40 000 € with an English thousands comma?
        ("1,234", "french", "ambigu"),
        ("1.234,56", "french", "ambigu"),
        ("1234.56", "french", "ambigu"),
        ("40,000", "international", "ambigu"),
        ("40.000", "international", "ambigu"),
        ("1,234", "international", "ambigu"),
        ("12,50", "international", "ambigu"),
        ("1.234,56", "international", "ambigu"),
        ("12,5678", "french", "deux décimales"),
        ("-5,00", "french", "positif"),
        ("5,00-", "french", "positif"),
        ("(5,00)", "french", "positif"),
        ("\u22125,00", "french", "positif"),  # the minus sign some spreadsheets write
        ("-1", "international", "positif"),
        ("0", "french", "nul"),
        ("0,00", "french", "nul"),
        ("0.00", "international", "nul"),
        ("100 000 000,01", "french", "invraisemblable"),
        ("9" * 5000, "international", "invraisemblable"),
        ("1e3", "international", "n'est pas un montant"),
        ("inf", "international", "n'est pas un montant"),
        ("NaN", "french", "n'est pas un montant"),
        ("1 23,00", "french", "n'est pas un montant"),
        ("12 3456", "french", "n'est pas un montant"),
        ("douze", "french", "n'est pas un montant"),
    ],
)
def test_refused_amounts(text, convention, words):
    with pytest.raises(ValueError, match=words):
        parse_amount(text, convention)


def test_the_largest_plausible_amount():
    euros = MAX_AMOUNT_CENTS // 100  # 100 000 000 €: the largest yearly income the project accepts
    assert parse_amount(f"{euros}.00", "international") == MAX_AMOUNT_CENTS
    with pytest.raises(ValueError, match="au plus 100\u202f000\u202f000\xa0€"):
        parse_amount(f"{euros}.01", "international")


@pytest.mark.parametrize(
    ("text", "convention", "day"),
    [
        ("05/11/2026", "french", date(2026, 11, 5)),
        ("5/1/2026", "french", date(2026, 1, 5)),
        ("2026-11-05", "french", date(2026, 11, 5)),
        ("2026-11-05", "international", date(2026, 11, 5)),
    ],
)
def test_dates(text, convention, day):
    assert parse_date(text, convention) == day


@pytest.mark.parametrize(
    ("text", "convention", "words"),
    [
        ("05/11/2026", "international", "ambigu"),  # 5 November or May 11?
        ("31/02/2026", "french", "pas une date valide"),
        ("2026-13-01", "international", "pas une date valide"),
        ("05/11/26", "french", "pas une date"),
        ("5 nov. 2026", "french", "pas une date"),
        ("1899-12-31", "international", "invraisemblable"),
        ("2100-01-01", "international", "invraisemblable"),
    ],
)
def test_refused_dates(text, convention, words):
    with pytest.raises(ValueError, match=words):
        parse_date(text, convention)


# --- Hostile and broken files: one line naming the file, the line and the column -------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "virements.csv: fichier vide"),
        (b" \r\n\r\n", "virements.csv: fichier vide"),
        (b"date;montant\r\n05/01/2026;10\r\n", "virements.csv: ligne 1: colonne reference manquante"),
        (b"date amount reference\n", "virements.csv: ligne 1: première ligne sans séparateur"),
        (b"date;amount;reference;Montant\n", "virements.csv: ligne 1: Montant: colonne amount donnée deux fois"),
        (b"\x00\x01\x02\xffgarbage\x00", "virements.csv: ligne 1: caractère de contrôle"),
        ("date,amount,reference\n".encode("utf-16-le"), "virements.csv: ligne 1: caractère de contrôle"),
        (
            "date;amount;reference\n05/01/2026;1;Réf\n05/01/2026;1;\xff\n".encode("latin-1").replace(
                b"R\xe9", "Ré".encode()
            ),
            "virements.csv: ligne 3: octets qui ne sont pas de l'UTF-8 valide",
        ),
        (
            b"date,amount,reference\n2026-01-05,12,50,A\n",
            "virements.csv: ligne 2: 4 champs pour 3 colonnes (une virgule",
        ),
        (
            b'date,amount,reference\n2026-01-05,"12.50,A\n',
            "virements.csv: ligne 2: ligne CSV mal formée (guillemet ouvrant sans guillemet fermant)",
        ),
        (
            b'date,amount,reference\n2026-01-05,"12.50"x,A\n',
            "virements.csv: ligne 2: ligne CSV mal formée (« , » attendu après",
        ),
        (b"date;amount;reference\n05/01/2026;;A\n", "virements.csv: ligne 2: amount: valeur manquante"),
        (b"date;amount;reference\n;12;A\n", "virements.csv: ligne 2: date: valeur manquante"),
        (b"date;amount;reference\n05/01/2026;40.000;A\n", "virements.csv: ligne 2: amount: « 40.000 » est ambigu"),
        (b"date,amount,reference\n2026-01-05,40.000,A\n", "virements.csv: ligne 2: amount: « 40.000 » est ambigu"),
        (
            b"date;amount;reference\n05/01/2026;-12,00;A\n",
            "virements.csv: ligne 2: amount: « -12,00 »: un montant doit",
        ),
        (b"date;amount;reference\n05/01/2026;0;A\n", "virements.csv: ligne 2: amount: « 0 »: un montant nul"),
        (b"date;amount;reference\n30/02/2026;1;A\n", "virements.csv: ligne 2: date: « 30/02/2026 » n'est pas une date"),
        (
            b"date;amount;reference;devise\n05/01/2026;1;A;USD\n",
            "virements.csv: ligne 2: devise: devise « USD » refusée",
        ),
        (
            b"date;amount;reference;type\n05/01/2026;1;A;VIR SEPA\n",
            "virements.csv: ligne 2: type: « VIR SEPA »: attendu credit ou rejection",
        ),
        (
            b"date;amount;reference;reason\n05/01/2026;1;A;AM04\n",
            "virements.csv: ligne 2: reason: donnée seulement pour un rejet",
        ),
        (
            b"date;amount;reference;kind;reason\n05/01/2026;1;A;rejet;AM 04\n",
            "virements.csv: ligne 2: reason: « AM 04 » n'est pas un code motif",
        ),
        (
            b"date,amount,reference,id\n2026-01-05,1,A,X\n2026-01-06,2,B,X\n",
            "virements.csv: ligne 3: id: identifiant « X » déjà donné ligne 2",
        ),
        (
            b"date,amount,reference\n2026-01-05,1," + b"R" * 141 + b"\n",
            "virements.csv: ligne 2: reference: valeur trop",
        ),
    ],
)
def test_refused_files(data, expected):
    assert error_of(data).startswith(expected)


def test_a_file_above_the_size_limit_is_refused_before_parsing():
    data = b"date,amount,reference\n" + b"2026-01-05,1.00,A\n" * (MAX_FILE_BYTES // 18 + 1)
    assert len(data) > MAX_FILE_BYTES
    assert "fichier trop gros" in error_of(data)


def test_unreadable_paths(tmp_path):
    for path, words in [(tmp_path / "absent.csv", "fichier introuvable"), (tmp_path, "dossier")]:
        with pytest.raises(BankFileError, match=words) as caught:
            parse_bank_file(path)
        assert str(caught.value).startswith(str(path) + ": lecture impossible")


def test_error_parts_are_kept_apart():
    with pytest.raises(BankFileError) as caught:
        parse_csv(b"date;Montant;reference\n05/01/2026;1,234;A\n", "f.csv")
    error = caught.value
    assert (error.file_name, error.line, error.position, error.column) == ("f.csv", 2, "ligne 2", "Montant")
    assert isinstance(error, ValueError) and "ambigu" in error.detail


# --- Properties ---------------------------------------------------------------------------------------------------

references = st.text(alphabet=st.sampled_from('ABCZaz09-_/. ;,"éÉ€'), min_size=0, max_size=30).map(
    lambda text: text.strip(" ")
)
payments = st.lists(
    st.tuples(st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.integers(1, MAX_AMOUNT_CENTS), references),
    min_size=0,
    max_size=30,
)


def french_amount(cents: int, group: str, decimals: str, euro: bool) -> str:
    euros, rest = divmod(cents, 100)
    text = f"{euros:,}".replace(",", group)
    if decimals == "always" or rest:
        text += f",{rest:02d}" if decimals != "short" or rest % 10 else f",{rest // 10}"
    return text + (" €" if euro else "")


@settings(max_examples=150, deadline=None)
@given(
    payments,
    st.sampled_from(["", " ", NBSP, NNBSP]),
    st.sampled_from(["always", "when needed", "short"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_french_round_trip(rows, group, decimals, euro, bom, crlf):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["Date", "Montant", "Référence"])
    for day, cents, reference in rows:
        writer.writerow([day.strftime("%d/%m/%Y"), french_amount(cents, group, decimals, euro), reference])
    data = ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")
    parsed = parse_csv(data, "fr.csv")
    assert [(x.date, x.amount_cents, x.reference) for x in parsed] == rows
    assert_keys(parsed, data)


@settings(max_examples=150, deadline=None)
@given(payments, st.booleans(), st.booleans())
def test_international_round_trip(rows, grouped, with_ids):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", lineterminator="\n")
    writer.writerow(["date", "amount", "reference", *(["id"] if with_ids else [])])
    for number, (day, cents, reference) in enumerate(rows):
        amount = f"{cents // 100:,}.{cents % 100:02d}" if grouped else f"{cents / 100:.2f}"
        writer.writerow([day.isoformat(), amount, reference, *([f"T{number}"] if with_ids else [])])
    data = out.getvalue().encode("utf-8")
    parsed = parse_csv(data, "intl.csv")
    assert [(x.date, x.amount_cents, x.reference) for x in parsed] == rows
    assert_keys(parsed, data)
    if with_ids:
        assert [x.key for x in parsed] == [f"T{n}" for n in range(len(rows))]


def assert_keys(parsed: list[BankLine], data: bytes) -> None:
    keys = [x.key for x in parsed]
    assert len(set(keys)) == len(keys)
    assert keys == [x.key for x in parse_csv(data, "again.csv")]  # the same bytes give the same keys


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789.,  " + NBSP + "€-+"), max_size=14))
def test_no_amount_reads_differently_under_the_two_conventions(text):
    # The heart of "40.000 vs 40,000": a text both conventions accept means the same amount under both.
    readings = []
    for convention in ("french", "international"):
        try:
            readings.append(parse_amount(text, convention))
        except ValueError:
            pass
    assert len(set(readings)) <= 1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_lines_or_one_line_error(data):
    try:
        lines = parse_csv(b"date;amount;reference\n" + data, "fuzz.csv")
    except BankFileError as error:
        assert "\n" not in str(error) and str(error).startswith("fuzz.csv: ")
    else:
        assert all(0 < x.amount_cents <= MAX_AMOUNT_CENTS for x in lines)


# --- The generator the import tests use ---------------------------------------------------------------------------


@pytest.mark.parametrize(("french", "with_ids"), [(False, True), (True, False)])
def test_generated_files_parse_back(french, with_ids):
    references = ["TI-000001", "TI-000002", "TI-000003"]
    data = payments_csv(references, 500, french=french, with_ids=with_ids, seed=3)
    lines = parse_csv(data, "gen.csv")
    assert [x.amount_cents for x in lines] == [expected_cents(n, 3) for n in range(500)]
    assert [x.reference for x in lines] == [references[n % 3] for n in range(500)]
    assert len({x.key for x in lines}) == 500
    assert (lines[0].key == "GEN-3-0000000") is with_ids
    assert payments_csv(references, 500, french=french, with_ids=with_ids, seed=3) == data
