"""Hostile input, through the input layer (kernel/inputs.py) and through every interface that reads with it.

Every case is either read exactly or refused with one line naming the field (exit status 2 on the command line, an
error object for that line in `--jsonl`, the run going on) — never an internal error, never a silent misreading.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from echeancier.cli import EXIT_BROKEN_PIPE, EXIT_OUTPUT, app, run_jsonl
from echeancier.contributions.engine import simulate
from echeancier.contributions.situation import InputError as SituationInputError
from echeancier.kernel.inputs import (
    MAX_JSON_BYTES,
    MAX_YAML_BYTES,
    MAX_YAML_NODES,
    InputError,
    iter_lines,
    load_yaml,
    loads_json,
    parse_date,
    parse_euros,
    parse_whole,
)
from echeancier.schedule.scenario import ScenarioError, loads_scenario

runner = CliRunner()
BASE = ["simulate", "--year", "2025", "--profession", "artisan"]
NBSP, NNBSP = "\u00a0", "\u202f"


def run(*args: str, input: str | bytes | None = None) -> Result:
    return runner.invoke(app, list(args), input=input)


def assert_one_line(result: Result, start: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"erreur: {start}"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and "╭" not in result.stderr


# --- money ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "euros"),
    [
        ("40000", "40000"),
        ("40000.50", "40000.50"),
        ("40000,50", "40000.50"),
        ("40 000", "40000"),
        (f"40{NBSP}000,50", "40000.50"),
        (f"40{NNBSP}000,50", "40000.50"),
        ("1 234 567,89", "1234567.89"),
        ("40 000.50", "40000.50"),  # SI style: grouped by spaces, decimal point
        ("  40000  ", "40000"),
        ("40 000 €", "40000"),
        (f"1{NNBSP}234,56{NBSP}€", "1234.56"),  # as format_euros prints it
        ("0,125", "0.125"),  # a leading 0 cannot be a group of thousands
        ("1234.567", "1234.567"),  # neither can four digits
        ("40,5", "40.5"),
        ("+12", "12"),
    ],
)
def test_euros_accepted(text: str, euros: str) -> None:
    amount = parse_euros(text, "income")
    assert amount == Decimal(euros) and str(amount) == euros


def test_euros_from_numbers() -> None:
    assert parse_euros(40000, "x") == 40000
    assert parse_euros(Decimal("40000.10"), "x") == Decimal("40000.10")
    assert str(parse_euros(0.1, "x")) == "0.1"  # through the float's shortest repr, no binary noise
    assert parse_euros("-1 200", "x", negative=True) == -1200
    assert parse_euros("\u22125", "x", negative=True) == -5  # the typographic minus
    assert str(parse_euros("-0", "x")) == "0" and str(parse_euros(Decimal("-0.00"), "x")) == "0.00"


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("40,000", f"ambigu (40{NBSP}€ ou 40{NNBSP}000{NBSP}€ ?)"),
        ("40.000", f"ambigu (40{NBSP}€ ou 40{NNBSP}000{NBSP}€ ?)"),
        ("1.234", "ambigu"),
        ("40 000,000", "ambigu"),
        ("1,234.56", "un seul séparateur décimal"),
        ("1.234.567", "un seul séparateur décimal"),
        ("1E+99999999999999999", "notation scientifique"),
        ("1e12", "notation scientifique"),
        (Decimal("1E+99999999999999999"), "plausible"),
        (Decimal("1E-99999999999999999"), "décimales"),
        (Decimal("NaN"), "fini"),
        (Decimal("-Infinity"), "fini"),
        (float("nan"), "fini"),
        (float("inf"), "fini"),
        ("nan", "montant en euros"),
        ("Infinity", "montant en euros"),
        (True, "booléen"),
        (False, "booléen"),
        pytest.param(10**5000, "limite", id="int-of-5000-digits"),
        ("1" * 5000, "trop long"),
        ("\ud800", "montant en euros"),
        ("", "montant en euros"),
        ("abc", "montant en euros"),
        ("١٢٣", "montant en euros"),  # Arabic-Indic digits: int() would read them
        ("４０", "montant en euros"),  # fullwidth digits too
        ("1_000", "montant en euros"),  # Decimal() would read 1000
        ("0x10", "montant en euros"),
        ("4 0000", "montant en euros"),  # not groups of three
        ("40  000", "montant en euros"),
        ("-5", "positif"),
        ("100 000 001", "limite"),
        (None, "montant en euros"),
        ([40000], "montant en euros"),
    ],
)
def test_euros_refused(value: Any, says: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_euros(value, "income")
    assert caught.value.field == "income"
    assert says in caught.value.message, caught.value.message
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_euros_maximum_is_the_fields() -> None:
    assert parse_euros("5 000", "x", maximum=Decimal(5000)) == 5000
    with pytest.raises(InputError, match="limite de 5"):
        parse_euros("5 000,01", "x", maximum=Decimal(5000))


def french(amount: Decimal, group: str, comma: str, euro: bool) -> str:
    sign = "-" if amount < 0 else ""
    whole, _, cents = f"{abs(amount):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = sign + group.join(groups) + ("" if cents == "00" else comma + cents)
    return text + (f"{NBSP}€" if euro else "")


@settings(max_examples=300, deadline=None)
@given(
    cents=st.integers(-10_000_000_000, 10_000_000_000),
    group=st.sampled_from(["", " ", NBSP, NNBSP, "\u2009"]),
    comma=st.sampled_from([",", "."]),
    euro=st.booleans(),
)
def test_valid_euros_in_french_and_international_styles_parse_back_exactly(
    cents: int, group: str, comma: str, euro: bool
) -> None:
    amount = Decimal(cents) / 100
    assert parse_euros(french(amount, group, comma, euro), "x", negative=True) == amount
    from echeancier.kernel.fmt import format_euros, format_number

    assert parse_euros(format_euros(amount, cents=True), "x", negative=True) == amount
    assert parse_euros(format_number(amount, 2), "x", negative=True) == amount
    assert parse_euros(str(amount), "x", negative=True) == amount


# --- whole numbers, dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["２０２５", "2_025", "2025.0", "", "1" * 5000, True, 2025.0, None])
def test_whole_numbers_refused(value: Any) -> None:
    with pytest.raises(InputError, match=r"^year: doit être un nombre entier"):
        parse_whole(value, "year")


def test_whole_numbers() -> None:
    assert parse_whole(" 2025 ", "year") == 2025
    assert parse_whole(2025, "year", minimum=2023, maximum=2026) == 2025
    with pytest.raises(InputError, match="entre 2023 et 2026"):
        parse_whole("2031", "year", minimum=2023, maximum=2026)


def test_dates_accepted() -> None:
    assert parse_date("2025-03-01", "d") == date(2025, 3, 1)
    assert parse_date(date(2025, 3, 1), "d") == date(2025, 3, 1)
    assert parse_date(datetime(2025, 3, 1), "d") == date(2025, 3, 1)  # a spreadsheet's date cell
    assert parse_date("01/03/2025", "d", french=True) == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (1_700_000_000, "pas un nombre"),  # pydantic read it as a Unix timestamp
        (1.7e9, "pas un nombre"),
        (Decimal(20250101), "pas un nombre"),
        (True, "pas une valeur"),
        ("20250101", "AAAA-MM-JJ"),  # date.fromisoformat reads these in Python 3.11
        ("2025-W01-1", "AAAA-MM-JJ"),
        ("2025-1-1", "AAAA-MM-JJ"),
        ("01/03/2025", "AAAA-MM-JJ"),  # French only where a French file format says so
        ("2025-02-30", "date du calendrier"),
        (datetime(2025, 3, 1, 12), "sans heure"),
        ("２０２５-０１-０１", "AAAA-MM-JJ"),
    ],
)
def test_dates_refused(value: Any, says: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(value, "start_date")
    assert caught.value.field == "start_date" and says in caught.value.message


def test_french_dates_refused_when_impossible() -> None:
    with pytest.raises(InputError, match="date du calendrier"):
        parse_date("30/02/2025", "d", french=True)


# --- JSON -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        ('{"year": 2025, "year": 2024}', "year", "deux fois"),
        ('{"a": {"b": 1, "b": 2}}', "b", "deux fois"),
        ("[" * 100_000 + "]" * 100_000, "json", "imbrication"),
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, "json", "imbrication"),
        ("[" * 40 + "]" * 40, "json", "imbrication"),
        ('{"income": ' + "[" * 40 + "]" * 40 + "}", "income", "imbrication"),
        ('{"id": "\\ud800"}', "id", "substitution"),
        ('{"id": "a\\udfffb"}', "id", "substitution"),
        ('{"\\ud800": 1}', "clé", "substitution"),
        ('{"income": NaN}', "income", "NaN"),
        ('{"income": -Infinity}', "income", "-Infinity"),
        (
            "{not json",
            "json",
            "JSON invalide : un nom de clé entre guillemets doubles est attendu (ligne 1, colonne 2)",
        ),
        ('{"a": 1} x', "json", "JSON invalide : données après la fin du document (ligne 1, colonne 10)"),
        ('{"a": 1\n "b": 2}', "json", "JSON invalide : « , » est attendue entre deux éléments (ligne 2, colonne 2)"),
        ('{"a": "x', "json", "JSON invalide : texte sans guillemet fermant (ligne 1, colonne 7)"),
        ('{"a": }', "json", "JSON invalide : une valeur est attendue (ligne 1, colonne 7)"),
        (b'{"id": "\xff"}', "json", "UTF-8"),
        (b'{"id": "\xed\xa0\x80"}', "id", "substitution"),  # json reads an encoded surrogate: refused by field
        ("[" + "1," * MAX_JSON_BYTES + "1]", "json", "trop long"),
    ],
)
def test_json_refused(text: str | bytes, field: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        loads_json(text)
    assert caught.value.field == field and says in caught.value.message, str(caught.value)
    assert "\n" not in str(caught.value)


def test_json_reads_numbers_exactly() -> None:
    data = loads_json('{"a": 0.1, "b": 1E+99999999999999999, "c": ' + "9" * 5000 + ', "d": 12}')
    assert data["a"] == Decimal("0.1") and data["b"] == Decimal("1E+99999999999999999")
    assert data["c"] == Decimal("9" * 5000) and data["d"] == 12 and isinstance(data["d"], int)
    assert loads_json("[" * 32 + "]" * 32) is not None  # the limit itself is fine


def test_long_lines_are_cut_without_being_held(tmp_path: Path) -> None:
    path = tmp_path / "lines"
    path.write_bytes(b"a\n" + b"x" * (3 * MAX_JSON_BYTES) + b"\nb\n" + b"y" * 10)
    with path.open("rb") as stream:
        lines = list(iter_lines(stream))
    assert lines[0] == b"a\n" and len(lines[1]) == MAX_JSON_BYTES + 1 and lines[2:] == [b"b\n", b"y" * 10]


def jsonl(*lines: str | bytes) -> list[dict[str, Any]]:
    out: list[str] = []

    class Out:
        def write(self, text: str) -> int:
            out.append(text)
            return len(text)

        def flush(self) -> None:
            pass

    raw = [line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass") for line in lines]
    run_jsonl(raw, Out())  # type: ignore[arg-type]
    return [json.loads(text) for text in out]


GOOD = '{"id": "ok", "year": 2025, "profession": "artisan", "income": 40000}'


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('{"year": 2025, "profession": "artisan", "income": "1E+99999999999999999"}', "income"),
        ('{"year": 2025, "profession": "artisan", "income": 1E+99999999999999999}', "income"),
        ('{"year": 2025, "profession": "artisan", "income": ' + "9" * 5000 + "}", "income"),
        ('{"year": ' + "2" * 5000 + ', "profession": "artisan", "income": 1}', "year"),
        ('{"year": 2025, "profession": "artisan", "income": "40,000"}', "income"),
        ('{"year": 2025, "profession": "artisan", "income": "40.000"}', "income"),
        ('{"year": 2025, "profession": "artisan", "income": true}', "income"),
        ('{"year": 2025, "profession": "artisan", "income": NaN}', "income"),
        ('{"year": 2025, "profession": "artisan", "income": 1, "start_date": 1700000000}', "start_date"),
        ('{"year": 2025, "profession": "artisan", "income": 1, "start_date": "20250101"}', "start_date"),
        ('{"id": "\\ud800", "year": 2025, "profession": "artisan", "income": 1}', "id"),
        ('{"id": ' + "7" * 20 + ', "year": 2025, "profession": "artisan", "income": 1}', "id"),
        ('{"id": "' + "x" * 300 + '", "year": 2025, "profession": "artisan", "income": 1}', "id"),
        ('{"year": 2025, "year": 2024, "profession": "artisan", "income": 1}', "year"),
        ("[" * 100_000 + "]" * 100_000, "json"),
        (b"\xff\xfe", "json"),
        ("x" * (MAX_JSON_BYTES + 10), "json"),
    ],
)
def test_jsonl_bad_line_is_an_error_object_and_the_run_goes_on(line: str | bytes, field: str) -> None:
    out = jsonl(GOOD, line, GOOD)
    assert len(out) == 3 and out[0]["id"] == "ok" and out[2]["id"] == "ok" and out[2]["total"] == out[0]["total"]
    assert set(out[1]) == {"id", "line", "error"} and out[1]["line"] == 2, out[1]
    assert out[1]["error"].startswith(f"{field}: "), out[1]
    assert "\n" not in out[1]["error"] and len(out[1]["error"]) < 400


def test_jsonl_ids_are_echoed_only_when_they_are_safe() -> None:
    out = jsonl(
        '{"id": "a", "income": "40,000", "year": 2025, "profession": "artisan"}',
        '{"id": 1.5, "year": 2025}',
        '{"id": "\\ud800", "year": 2025}',
    )
    assert [o["id"] for o in out] == ["a", 1.5, None]


def test_jsonl_through_the_command_line_keeps_going() -> None:
    lines = [GOOD, "[" * 100_000 + "]" * 100_000, '{"id": "\\udc80"}', "x" * (MAX_JSON_BYTES + 1), GOOD]
    result = run("simulate", "--jsonl", input="\n".join(lines) + "\n")
    assert result.exit_code == 1 and result.stderr == ""
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("error", "").split(":")[0] for o in out] == ["", "json", "id", "json", ""]
    assert [o["line"] for o in out if "error" in o] == [2, 3, 4]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
_field_values = st.one_of(
    _json_values,
    st.sampled_from(["40,000", "40 000,50", "1E+99999999999999999", "2025-02-30", "\ud800", "nan", "", "-0"]),
    st.integers(-(10**30), 10**30),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
_situations = st.fixed_dictionaries(
    {},
    optional={
        "id": _field_values,
        "year": st.one_of(st.sampled_from([2023, 2024, 2025, 2026]), _field_values),
        "profession": st.one_of(st.sampled_from(["artisan", "commercant", "liberal"]), _field_values),
        "income": st.one_of(st.integers(-100_000, 10**9), _field_values),
        "start_date": st.one_of(st.dates().map(str), _field_values),
        "end_date": st.one_of(st.dates().map(str), _field_values),
        "acre": st.one_of(st.booleans(), _field_values),
        "rsa": _field_values,
        "income_is_net": st.one_of(st.booleans(), _field_values),
    },
)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@settings(max_examples=250, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=200),
            st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
            _json_values.map(_dumps),
            _situations.map(_dumps),
        ),
        max_size=5,
    )
)
def test_random_jsonl_lines_never_give_an_internal_error(lines: list[bytes]) -> None:
    out = jsonl(*lines)  # an internal error would escape run_jsonl
    assert len(out) == sum(1 for line in lines if line.strip())
    for answer in out:
        assert "error" in answer or "total" in answer
        if "error" in answer:
            assert set(answer) == {"id", "line", "error"} and "\n" not in answer["error"]


# --- YAML -------------------------------------------------------------------------------------------------------

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_refused_before_anything_is_built() -> None:
    assert len(LAUGHS.encode()) < 1024
    with pytest.raises(InputError) as caught:
        load_yaml(LAUGHS)
    assert "alias" in caught.value.message and str(MAX_YAML_NODES) in caught.value.message
    assert caught.value.line is not None


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("a: &a [*a]\n", 1, "lui-même"),
        ("a: 1\nb: &b {c: *b}\n", 2, "lui-même"),
        ("? [1, 2]\n: x\n", 1, "une clé doit être un nom ou une année (reçu une liste)"),
        ("a: 1\n? {b: 1}\n: x\n", 2, "reçu un dictionnaire"),
        ("null: 1\n", 1, "reçu 'null'"),
        ("a: 1\n1.5: x\n", 2, "reçu '1.5'"),
        ("true: 1\n", 1, "reçu 'true'"),
        ("2025-01-01: 1\n", 1, "reçu '2025-01-01'"),
        ("a:\n  b: " + "1" * 5000 + "\n", 2, "5000 chiffres"),
        ("a: [" + "-" + "9" * 4400 + "]\n", 1, "4400 chiffres"),
        ("[" * 100_000 + "]" * 100_000, 1, "imbrication"),
        ("a: 1\nb: 2\na: 3\n", 3, "donnée deux fois"),
        ("a: !!python/object/apply:os.system [ls]\n", 1, "YAML invalide : étiquette YAML (!!…) non admise"),
        ("a: [1, 2\n", 2, "YAML invalide : attendu : « , » ou « ] » ; trouvé : la fin du fichier"),
        ("a: b: c\n", 1, "YAML invalide : « : » inattendu ici"),
        ('a: "x\n', 2, "YAML invalide : fin du fichier inattendue (guillemet fermant manquant)"),
        ("a:\n\t- 1\n", 2, "YAML invalide : caractère « \\t » inattendu (une tabulation ne sert pas à indenter)"),
        ("a: *b\n", 1, "YAML invalide : alias (*) sans ancre (&) de ce nom"),
    ],
)
def test_yaml_refused_with_its_line(text: str, line: int, says: str) -> None:
    with pytest.raises(InputError) as caught:
        load_yaml(text)
    assert says in caught.value.message, caught.value.message
    assert caught.value.line == line
    assert "\n" not in str(caught.value)


def test_yaml_size_limit() -> None:
    with pytest.raises(InputError, match="fichier trop long"):
        load_yaml("a: 1\n" + "#" * MAX_YAML_BYTES)
    assert load_yaml("a: 1\n# short\n") == {"a": 1}


def test_yaml_numbers_with_a_fraction_are_kept_as_written() -> None:
    data = load_yaml("a: 40.000\nb: 1e3\nc: .inf\n2024: 12\nd: 5\n")
    assert data == {"a": "40.000", "b": "1e3", "c": ".inf", 2024: 12, "d": 5}


SCENARIO = "contributor: {profession: artisan, activity_start: 2015-01-01}\nincomes:\n  2024: INCOME\nyears: [2025]\n"


@pytest.mark.parametrize(
    ("income", "says"),
    [
        ("40,000", "ambigu"),
        ("40.000", "ambigu"),
        ("1e400", "notation scientifique"),
        (".nan", "montant en euros"),
        ("true", "booléen"),
        ("[1]", "montant en euros"),
    ],
)
def test_scenario_money_is_read_by_the_input_layer(income: str, says: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(SCENARIO.replace("INCOME", income))
    # `incomes` is checked as a whole: the line of its key
    assert caught.value.line == 2 and str(caught.value).startswith("ligne 2 : incomes: ") and says in str(caught.value)
    assert "got" not in str(caught.value)


def test_scenario_integer_of_thousands_of_digits_names_its_own_line() -> None:
    with pytest.raises(ScenarioError, match=r"^ligne 3 : entier de 5000 chiffres"):
        loads_scenario(SCENARIO.replace("INCOME", "9" * 5000))


def test_scenario_reads_french_amounts() -> None:
    scenario = loads_scenario(SCENARIO.replace("INCOME", '"40 000,50"'))
    assert scenario.incomes == {2024: Decimal("40000.50")}


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        (LAUGHS, 6, "alias"),  # the first line whose expansion passes the limit
        (SCENARIO.replace("2024: INCOME", "? [2024]\n  : 1"), 3, "une clé doit être un nom"),
        (SCENARIO.replace("INCOME", "1") + "x: &x [*x]\n", 5, "lui-même"),
        (SCENARIO.replace("INCOME", "1").replace("2025]", "2025, " + "1" * 5000 + "]"), 4, "chiffres"),
    ],
)
def test_hostile_scenarios_are_refused_with_their_line(text: str, line: int, says: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(text)
    assert caught.value.line == line and says in str(caught.value), str(caught.value)


@pytest.mark.parametrize(
    ("text", "line", "start"),
    [
        ("contributor: {profession: artisan, activity_start: 1700000000}\nyears: [2025]\n", 1,
         "contributor.activity_start: doit être une date AAAA-MM-JJ, pas un nombre"),
        ("contributor: {profession: artisan, activity_start: 2015-01-01}\nincomes: {2024: 1}\nevents:\n"
         "  - {date: 1750000000, type: cessation}\nyears: [2025]\n", 4, "events.0.date: doit être une date"),
        ("contributor: {profession: artisan, activity_start: '2015-1-1'}\nyears: [2025]\n", 1,
         "contributor.activity_start: doit être une date AAAA-MM-JJ (reçu '2015-1-1')"),
    ],
)  # fmt: skip
def test_scenario_dates_are_never_numbers(text: str, line: int, start: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(text)
    assert caught.value.line == line and caught.value.message.startswith(start), str(caught.value)


PAYMENT = (
    "contributor: {profession: artisan, activity_start: 2015-01-01}\nincomes: {2024: 1}\nevents:\n"
    "  - {date: 2025-03-01, type: payment, amount: AMOUNT}\nyears: [2025]\n"
)


@pytest.mark.parametrize(
    ("amount", "says"),
    [("-5000", "positif"), ("0", "pas zéro"), ("10.001", "ambigu"), ('"5 000,0051"', "centimes"), ("1e9", "notation")],
)
def test_scenario_payments_are_positive_amounts(amount: str, says: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(PAYMENT.replace("AMOUNT", amount))
    assert caught.value.line == 4 and caught.value.message.startswith("events.0.amount: ") and says in str(caught.value)


# --- the situation (Python API) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"income": "40,000"}, "income"),
        ({"income": True}, "income"),
        ({"income": Decimal("1E+99999999999999999")}, "income"),
        ({"start_date": 1_700_000_000}, "start_date"),
        ({"end_date": 1_735_603_200.0}, "end_date"),
        ({"id": "\udc00"}, "id"),
        ({"id": 2**64}, "id"),
        ({"id": ["a"]}, "id"),
    ],
)
def test_situation_fields_are_read_by_the_input_layer(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(SituationInputError) as caught:
        simulate({"year": 2025, "profession": "artisan", "income": 40000, **fields})
    assert caught.value.field == field and "\n" not in str(caught.value)


def test_situation_accepts_french_amounts() -> None:
    assert (
        simulate({"year": 2025, "profession": "artisan", "income": "40 000"}).total
        == simulate({"year": 2025, "profession": "artisan", "income": 40000}).total
    )


# --- the command line -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ([*BASE, "--income", "40,000"], "--income"),
        ([*BASE, "--income", "40.000"], "--income"),
        ([*BASE, "--income", "1E+99999999999999999"], "--income"),
        ([*BASE, "--income", "nan"], "--income"),
        ([*BASE, "--income", "-inf"], "--income"),
        ([*BASE, "--income", "9" * 5000], "--income"),
        ([*BASE, "--income", "\udcff"], "--income"),
        ([*BASE, "--income", "1", "--start-date", "1700000000"], "--start-date"),
        ([*BASE, "--income", "1", "--start-date", "20250101"], "--start-date"),
        (["simulate", "--year", "２０２５", "--profession", "artisan", "--income", "1"], "--year"),
        (["simulate", "--year", "9" * 5000, "--profession", "artisan", "--income", "1"], "--year"),
        (["simulate", "--bogus"], "--bogus: option inconnue"),
        (["simulate", "--incme", "1"], "--incme: option inconnue ; vouliez-vous dire --acre, --income, --net ?"),
        (["simulate", "--year"], "--year: une valeur est attendue"),
        (["simulat"], "simulat: commande inconnue ; vouliez-vous dire 'simulate' ?"),
        ([*BASE, "--income", "1", "extra"], "extra: argument en trop"),
        (["schedule"], "SCÉNARIO.yaml: obligatoire"),
        (["law", "show"], "CLÉ: obligatoire"),
        (["law", "status", "--on", "2025-1-1"], "--on"),
    ],
)
def test_command_line_bad_input_is_one_line_exit_2(args: list[str], field: str) -> None:
    assert_one_line(run(*args), field)


def test_command_line_reads_french_amounts() -> None:
    french = run(*BASE, "--income", "40 000,50", "--json")
    plain = run(*BASE, "--income", "40000.50", "--json")
    assert french.exit_code == 0 and french.stdout == plain.stdout


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (LAUGHS, "ligne 6 : les alias"),
        ("contributor:\n  ? [a]\n  : 1\n", "ligne 2 : une clé doit être un nom"),
        ("years: [" + "1" * 5000 + "]\n", "ligne 1 : entier de 5000 chiffres"),
        ("a: 1\n" + "#" * MAX_YAML_BYTES, "fichier trop long"),
        ("contributor: {profession: artisan, activity_start: 2015-01-01}\nincomes: {2024: 40.000}\nyears: [2025]\n",
         "ligne 2 : incomes: '40.000' est ambigu"),
    ],
)  # fmt: skip
def test_schedule_hostile_files_are_one_line_exit_2(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(content, encoding="utf-8")
    assert_one_line(run("schedule", str(path)), f"{path}: {says}")


def _console(*args: str, stdin: bytes = b"", stdout: Any = subprocess.PIPE, **kwargs: Any) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "echeancier.cli", *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        **kwargs,
    )


def test_a_full_standard_output_is_one_line_not_an_internal_error() -> None:
    with open("/dev/full", "w") as full:
        done = _console(*BASE, "--income", "40000", stdout=full)
    assert done.returncode == EXIT_OUTPUT
    assert done.stderr.decode().splitlines() == [
        "erreur: sortie standard: écriture impossible (No space left on device)"
    ]


def test_a_full_standard_output_stops_a_jsonl_run_with_one_line() -> None:
    with open("/dev/full", "w") as full:
        done = _console("simulate", "--jsonl", stdin=(GOOD + "\n").encode() * 2000, stdout=full)
    assert done.returncode == EXIT_OUTPUT and done.stderr.decode().count("\n") == 1


def test_a_closed_standard_output_is_one_line() -> None:
    done = _console(*BASE, "--income", "40000", stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == EXIT_OUTPUT
    assert done.stderr.decode().splitlines() == ["erreur: sortie standard: fermée"]


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes((GOOD + "\n").encode() * 500)
    read, write = os.pipe()
    os.close(read)  # nobody will ever read: the first write gets EPIPE
    try:
        with source.open("rb") as stdin:
            done = subprocess.run(
                [sys.executable, "-m", "echeancier.cli", "simulate", "--jsonl"],
                stdin=stdin,
                stdout=write,
                stderr=subprocess.PIPE,
                timeout=60,
            )
    finally:
        os.close(write)
    assert done.returncode == EXIT_BROKEN_PIPE
    assert done.stderr == b""


# --- pydantic field types for the other interfaces ------------------------------------------------------------


def test_pydantic_field_types_read_through_the_input_layer() -> None:
    from pydantic import BaseModel, ValidationError

    from echeancier.kernel.fields import Euros, IsoDate, SignedEuros, Text

    class Payment(BaseModel):
        date: IsoDate
        amount: Euros
        income: SignedEuros = Decimal(0)
        reference: Text = ""

    good = Payment(date="2025-03-01", amount="1 234,50", income="-5", reference="abc")
    assert (good.date, good.amount, good.income) == (date(2025, 3, 1), Decimal("1234.50"), Decimal(-5))
    for fields, field, says in [
        ({"date": 1_700_000_000, "amount": 1}, "date", "pas un nombre"),
        ({"date": "2025-03-01", "amount": "40,000"}, "amount", "ambigu"),
        ({"date": "2025-03-01", "amount": -5}, "amount", "positif"),
        ({"date": "2025-03-01", "amount": 1, "reference": "\ud800"}, "reference", "substitution"),
    ]:
        with pytest.raises(ValidationError) as caught:
            Payment(**fields)
        error = caught.value.errors()[0]
        assert error["loc"] == (field,) and isinstance(error["ctx"]["error"], InputError)
        assert says in error["ctx"]["error"].message


# --- null is "not given", on every input -------------------------------------------------------------------------

# The fields whose null was refused by `simulate` (a boolean or a number of months) while a batch column read it as
# not given: one reading now, the field's default, by the scalar engine, `--jsonl`, the API (one situation and
# columns), the batch and a scenario file.
NULLABLE = (
    "acre",
    "rsa",
    "income_is_net",
    "remplacant",
    "pension_invalidite_mois",
    "exoneration_age",
    "exoneration_debut_outre_mer",
    "abattement_outre_mer",
)


@pytest.mark.parametrize("field", NULLABLE)
@pytest.mark.parametrize("department", [None, "974"])
def test_null_is_the_field_not_given_on_every_input(field: str, department: str | None) -> None:
    from fastapi.testclient import TestClient

    from echeancier.api import Settings, create_app
    from echeancier.contributions.vectorized import simulate_many

    row: dict[str, Any] = {"year": 2025, "profession": "artisan", "income": 30_000, "department": department}
    expected = simulate(row)  # without the field: its default
    assert simulate({**row, field: None}).to_dict() == expected.to_dict()
    [line] = jsonl(json.dumps({**row, field: None}))
    assert line == json.loads(json.dumps(expected.to_dict(), ensure_ascii=False))
    client = TestClient(create_app(Settings(rate_limit=0)))
    answered = client.post("/v1/simulations", json={**row, field: None})
    assert answered.status_code == 200 and answered.json()["total"] == expected.total
    columns = {name: [value, value] for name, value in row.items()} | {field: [None, None]}
    batch = client.post("/v1/simulations:batch", json=columns)
    assert batch.status_code == 200, batch.text
    assert batch.json()["total"] == [expected.total] * 2
    assert simulate_many(columns)["total"].tolist() == [expected.total] * 2
    scenario = (
        "contributor: {profession: artisan, activity_start: 2015-01-01, department: '%s', %s: null, "
        "payment: {frequency: null, day: null, direct_debit: null}}\nincomes: {2024: 30000}\nyears: [2026]\n"
    )
    from echeancier.schedule.echeancier import build_echeancier

    shown = build_echeancier(loads_scenario(scenario % (department or "75", field)))
    plain = build_echeancier(
        loads_scenario(
            scenario.replace(", %s: null", "").replace(
                "payment: {frequency: null, day: null, direct_debit: null}", "payment: {}"
            )
            % (department or "75")
        )
    )
    assert shown.instalments == plain.instalments


def test_a_required_field_given_as_null_is_missing_not_misread() -> None:
    with pytest.raises(ScenarioError, match=r"^ligne 1 : contributor.profession: est obligatoire$"):
        loads_scenario("contributor: {profession: null, activity_start: 2015-01-01}\nyears: [2026]\n")
    with pytest.raises(SituationInputError, match=r"^income: "):
        simulate({"year": 2025, "profession": "artisan", "income": None})


# Words of an English message (none is French): users read French.
ENGLISH = re.compile(
    r"\b(is|are|must|not|the|of|got|required|unknown|invalid|already|another|should|expected|Input|found|before"
    r"|after|no)\b"
)


def test_every_scenario_refusal_is_french_and_never_internal() -> None:
    """Each contributor field and each event type given hostile values, twice on the same day, out of the law's
    years: every refusal is a ScenarioError (or the input layer's, or the law's) in French, never an internal
    error."""
    from echeancier.law import LawError
    from echeancier.schedule.echeancier import build_echeancier

    contributor = {
        "profession": "artisan",
        "activity_start": "2015-01-01",
        "department": "'75'",
        "acre": "false",
        "payment": "{frequency: monthly, day: 5, direct_debit: true}",
    }
    values = ["null", "''", "x", "-1", "0", "1e9", "[1]", "{a: 1}", "2026-02-30", "99999999999", "true", "40.000"]
    values += ["3.5", "'2A'", "2031-01-01", "1900-01-01"]
    texts = []
    for key in [*contributor, "section", "secteur", "conjoint_collaborateur", "commune", "siren", "name", "rsa"]:
        for value in values:
            fields = ", ".join(f"{k}: {v}" for k, v in {**contributor, key: value}.items())
            texts.append(f"contributor: {{{fields}}}\nincomes: {{2024: 30000, 2025: 30000}}\nyears: [2026]\n")
    events = [
        "declaration, year: 2025, income: 1000",
        "modulation, estimated_income: 10",
        "payment_day_change, day: 20",
        "quarterly_option",
        "quarterly_renounced",
        "missed_payment",
        "rejected_debit",
        "payment, amount: 10",
        "cessation",
        "report_request",
        "etalement_request, years: 3",
        "remise_request",
        "taxation_office, year: 2025",
    ]
    for event in events:
        for day in ("2026-01-01", "2026-03-06", "2026-06-05", "2026-12-31", "2014-01-01", "2031-01-01"):
            item = f"{{date: {day}, type: {event}}}"
            texts.append(
                "contributor: {profession: artisan, activity_start: 2015-01-01}\n"
                f"incomes: {{2024: 30000, 2025: 30000}}\nevents:\n  - {item}\n  - {item}\nyears: [2026]\n"
            )
    for years in ("[]", "[2014]", "[2031]", "x", "[2026, 2027]"):
        texts.append(f"contributor: {{profession: artisan, activity_start: 2015-01-01}}\nyears: {years}\n")
    refused = 0
    for text in texts:
        try:
            build_echeancier(loads_scenario(text))
        except (ScenarioError, InputError, LawError) as error:
            refused += 1
            assert not ENGLISH.search(str(error)), (text, str(error))
            assert "\n" not in str(error)
    assert refused > len(texts) // 2  # the sweep does reach the refusals
