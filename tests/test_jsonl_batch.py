"""`simulate --jsonl` in chunks (`contributions.jsonl`) writes, byte for byte, what the scalar path writes line by line
(`cli.run_jsonl`: `simulate(...).to_dict()` then `json.dumps`), bad lines included, whatever the chunk size.

The situations are drawn at random over every field (income years inside and outside the law, the three
professions and unknown ones, incomes as integers, decimals, French texts, deficits and amounts beyond the limit,
given gross or net, start and end dates inside, before and after the year, ACRE with and without a start date, RSA,
ids of every JSON type), mixed with lines that are not situations (broken JSON, duplicate keys, unknown fields,
blank lines, arrays, NaN).
"""

from __future__ import annotations

import io
import json
import random
import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from echeancier.cli import run_jsonl
from echeancier.contributions import jsonl
from echeancier.contributions.situation import ConjointCollaborateur
from echeancier.kernel.inputs import iter_lines
from echeancier.law.snapshot import SECTIONS
from tests.test_cli import run
from tests.test_hostile_inputs import _dumps, _json_values, _situations


def _date(rng: random.Random, year: int) -> str:
    return (date(year, 1, 1) + timedelta(days=rng.randint(-500, 364 if rng.random() < 0.95 else 400))).isoformat()


def _income(rng: random.Random) -> Any:
    kind = rng.random()
    if kind < 0.3:
        return rng.randint(-5_000, 2_000_000)
    if kind < 0.6:
        return round(rng.uniform(0, 300_000), rng.choice((1, 2)))
    if kind < 0.7:
        return round(rng.uniform(0, 100_000), 3)  # below the cent: counted half up
    if kind < 0.8:
        return rng.choice(("40 000,50", "12000", "-1 200 €", "1 234 567", "0", "85000.5"))
    if kind < 0.85:
        return rng.choice((0, 1, 47_100, 48_060, 46_368, 3 * 48_060, 5 * 46_368, 8 * 47_100))  # thresholds
    if kind < 0.9:
        return rng.uniform(0, 1_000_000)  # a float with many digits
    if kind < 0.95:
        return rng.choice((-0.004, 0.005, 0.015, 99_999_999.99, 100_000_001, "40,000", "abc", None, True))
    return rng.randint(0, 20_000)


def _id(rng: random.Random, i: int) -> Any:
    if rng.random() < 0.05:  # not an id a Situation accepts: an error line, echoed or not
        return rng.choice((1.5, True, {"a": 1}, [i], 2**60, 2**53))
    return rng.choice((i, str(i), f'n°{i} «é» "q" % \\ \u2028', -i, None, 2**53 - 1, ""))


def situation(rng: random.Random, i: int) -> dict[str, Any]:
    year = rng.choice((2023, 2024, 2025, 2026) * 5 + (2022, 2030))
    data: dict[str, Any] = {
        "year": year,
        "profession": rng.choice(("artisan", "commercant", "liberal") * 10 + ("plombier",)),
        "income": _income(rng),
    }
    if rng.random() < 0.8:
        data["id"] = _id(rng, i)
    if rng.random() < 0.45:
        data["start_date"] = _date(rng, year)
    if rng.random() < 0.2:
        data["end_date"] = (
            date(year, 1, 1) + timedelta(days=rng.randint(0, 364 if rng.random() < 0.95 else 500))
        ).isoformat()
    if rng.random() < 0.3:
        data["acre"] = rng.random() < 0.8 and ("start_date" in data or rng.random() < 0.1)
    if rng.random() < 0.15:
        data["rsa"] = True
    if rng.random() < 0.05:
        data["income_is_net"] = True
    if rng.random() < 0.02:
        data["unknown"] = 1
    if rng.random() < 0.01:
        data["year"] = str(year)
    if rng.random() < 0.08:
        data["conjoint_collaborateur"] = rng.choice((*(o.value for o in ConjointCollaborateur), "tiers", None))
    if rng.random() < 0.08:  # a profession libérale réglementée: its section, one not computed, none, a bad one
        data["profession"] = "liberal_reglementee"
        data["section"] = rng.choice(("cipav", "cavec", "cnbf") * 2 + ("carmf", None, "x"))
    elif rng.random() < 0.01:
        data["section"] = "cipav"  # without liberal_reglementee: an error line
    keys = list(data)
    rng.shuffle(keys)
    return {key: data[key] for key in keys}


BAD_LINES = (
    b"{",
    b"not json",
    b"[1, 2]",
    b'{"year": 2025, "year": 2026, "profession": "artisan", "income": 1}',
    b'{"year": 2025, "profession": "artisan", "income": NaN}',
    b'{"year": 2025, "profession": "artisan", "income": 1e5}',
    b"   ",
    b"",
    b'"text"',
    b'{"id": "x", "year": 2025, "profession": "artisan", "income": 40000, "start_date": "2025-02-30"}',
    '{"id": "\udcff"}'.encode("utf-8", "surrogatepass"),
    b"\xff\xfe",
)


def lines(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if rng.random() < 0.04:
            out.append(rng.choice(BAD_LINES) + b"\n")
        else:
            out.append((json.dumps(situation(rng, i), ensure_ascii=rng.random() < 0.5) + "\n").encode())
    return out


def scalar(raw: list[bytes]) -> tuple[str, int]:
    out = io.StringIO()
    status = run_jsonl(raw, out)
    return out.getvalue(), status


def batch(raw: list[bytes], size: int) -> tuple[str, int]:
    out = io.StringIO()
    status = jsonl.run_lines((raw[i : i + size] for i in range(0, len(raw), size)), out)
    return out.getvalue(), status


@pytest.mark.parametrize(("count", "seed", "size"), [(3000, 1, 1000), (1500, 2, 7), (600, 3, 1), (2500, 4, 10_000)])
def test_chunks_write_what_the_scalar_path_writes_byte_for_byte(count: int, seed: int, size: int) -> None:
    raw = lines(count, seed)
    expected, expected_status = scalar(raw)
    got, status = batch(raw, size)
    assert got.count("\n") == expected.count("\n")
    for number, (mine, theirs) in enumerate(zip(got.split("\n"), expected.split("\n"), strict=True), start=1):
        assert mine == theirs, f"output line {number}"
    assert got == expected
    assert status == expected_status == 1  # some lines are bad


def test_every_kind_of_situation_is_in_the_sample() -> None:
    """The sample above reaches the cases the explanation branches on (so the comparison covers them)."""
    results = [json.loads(line) for line in scalar(lines(3000, 1))[0].split("\n") if line]
    good = [r for r in results if "error" not in r]
    errors = [r for r in results if "error" in r]
    assert len(good) > 1800 and len(errors) > 200
    assert {r["year"] for r in good} == {2023, 2024, 2025, 2026}
    assert any("forfait_debut_activite" in r for r in good)
    assert any("acre_fraction" in r for r in good)
    assert any(r.get("notes") == ["deficit_as_zero"] for r in good)
    assert any("minimum_base" in c for r in good for c in r["contributions"].values())
    assert any("exoneration_acre" in c for r in good for c in r["contributions"].values())
    assert any(len(r["contributions"]["maladie_maternite"]["tranches"]) == 2 for r in good)
    assert any(isinstance(r["id"], str) and "%" in r["id"] for r in good)
    assert any("conjoint_collaborateur" in r for r in good)
    assert any(r.get("error", "").startswith("conjoint_collaborateur: ") for r in errors)


def test_the_command_runs_the_chunks_and_keeps_the_exit_status() -> None:
    raw = lines(300, 5)
    expected, _ = scalar(raw)
    result = run("simulate", "--jsonl", input=b"".join(raw))
    assert result.exit_code == 1
    assert result.stdout == expected
    valid = b'{"id": 1, "year": 2025, "profession": "artisan", "income": 40000}\n' * 3
    assert run("simulate", "--jsonl", input=valid).exit_code == 0


def test_a_long_input_is_read_in_chunks_of_bounded_size() -> None:
    raw = [b'{"year": 2025, "profession": "artisan", "income": 40000}\n'] * 25
    sizes = [len(batch_) for batch_ in jsonl.chunks(io.BytesIO(b"".join(raw)), 10)]
    assert sizes == [10, 10, 5]


def test_chunks_computed_in_two_processes_come_back_in_order() -> None:
    raw = lines(1200, 6)
    expected, expected_status = scalar(raw)
    out = io.StringIO()
    status = jsonl.run(io.BytesIO(b"".join(raw)), out, chunk=100, workers=2)
    assert out.getvalue() == expected
    assert status == expected_status


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=200),
            st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
            _json_values.map(_dumps),
            _situations.map(_dumps),
        ),
        max_size=8,
    )
)
def test_hostile_lines_give_in_chunks_what_they_give_line_by_line(raw: list[bytes]) -> None:
    """The generators of tests/test_hostile_inputs.py: never an internal error, the same bytes as the scalar path
    (a line of the lists may hold newlines: both paths read what `iter_lines` cuts)."""
    source = b"".join(line.replace(b"\n", b" ") + b"\n" for line in raw)
    expected, expected_status = scalar(list(iter_lines(io.BytesIO(source))))
    got, status = batch(list(iter_lines(io.BytesIO(source))), 3)
    assert got == expected and status == expected_status


def test_activity_starts_and_acre_in_chunks_write_what_the_scalar_path_writes() -> None:
    """Rows with an activity start (and ACRE) are computed in the batch: the rights read the start as a column and
    write each row's IJ affiliation date (D622-1, one year after the start, clamped to the end of the month) in a
    slot; ACRE's exempted revenu cotisé, written inside a sentence, is explained row by row. Every start from two
    years before the income year to its end, leap days and month ends included, with and without ACRE and RSA."""
    rng = random.Random(7)
    raw = []
    for year in (2023, 2024, 2025, 2026):
        day = date(year - 2, 1, 1)
        while day <= date(year, 12, 31):
            data: dict[str, Any] = {
                "id": f"{year}-{day}",
                "year": year,
                "profession": rng.choice(("artisan", "commercant", "liberal")),
                "income": rng.choice((0, 1_000, 12_345.67, 40_000, 47_100, 90_000, 250_000, -10)),
                "start_date": day.isoformat(),
                "acre": rng.random() < 0.5,
                "rsa": rng.random() < 0.2,
            }
            if rng.random() < 0.1:
                data["end_date"] = date(year, 12, rng.randint(1, 31)).isoformat()
            raw.append((json.dumps(data) + "\n").encode())
            day += timedelta(days=rng.choice((1, 1, 2, 3, 7)))
    expected, expected_status = scalar(raw)
    got, status = batch(raw, 2_000)
    assert got == expected and status == expected_status
    results = [json.loads(line) for line in got.split("\n") if line]
    assert any("affiliation_suffisante_le" in r["rights"]["indemnites_journalieres"] for r in results if "rights" in r)
    assert any(r["rights"]["effets"] and "ACRE :" in r["rights"]["effets"][0] for r in results if "rights" in r)


_departments = st.sampled_from(["971", "972", "973", "974", "976", "977", "978", "75", "2A", 971, "999", ""])
_ids = st.one_of(
    st.none(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.text(max_size=20),
    st.integers(),
    st.text(max_size=20),
    st.booleans(),
    st.floats(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_incomes = st.one_of(
    st.integers(-10_000, 500_000),
    st.integers(0, 200_000),
    st.decimals(0, 200_000, places=2).map(str).map(lambda text: f"__NUMBER__{text}"),
    st.decimals(-1_000, 10**6, places=2).map(str).map(lambda text: f"__NUMBER__{text}"),
    st.integers(-10_000, 500_000).map(str),  # a number written as a text, French style or not
    st.sampled_from(["40 000,50", "1 234,5", "12000", "1e5", "40,000"]),
    st.integers(10**8, 10**40),
)
_well_formed = st.fixed_dictionaries(
    {
        "year": st.sampled_from([2023, 2024, 2025, 2026] * 4 + [2022, "2025"]),
        "profession": st.sampled_from(["artisan", "commercant", "liberal"] * 4 + ["Artisan"]),
        "income": _incomes,
    },
    optional={
        "id": _ids,
        "start_date": st.dates(date(2020, 1, 1), date(2027, 3, 1)).map(str),
        "end_date": st.dates(date(2023, 1, 1), date(2026, 12, 31)).map(str),
        "acre": st.sampled_from([True, False] * 4 + ["true"]),
        "rsa": st.booleans(),
        "income_is_net": st.booleans(),
        "department": st.one_of(st.none(), _departments),
    },
)


def _line(data: dict[str, Any], spaces: str, ascii_only: bool, duplicate: bool) -> bytes:
    text = json.dumps(data, ensure_ascii=ascii_only, separators=(f"{spaces}, ", f":{spaces}"))
    text = re.sub(r'"__NUMBER__([^"]*)"', r"\1", text)  # a number with decimals, written as JSON writes it
    if duplicate and data:
        key = next(iter(data))
        text = text[:-1] + f', "{key}": {json.dumps(data[key])}' + "}"
    return (spaces + text + spaces).encode("utf-8", "surrogatepass")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            _well_formed,
            st.sampled_from(["", " ", "\t", "  \t "]),
            st.booleans(),
            st.integers(0, 30).map(lambda n: n == 0),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 40),
)
def test_well_formed_situations_of_every_field_give_in_chunks_what_they_give_line_by_line(
    drawn: list[tuple[dict[str, Any], str, bool, bool]], size: int
) -> None:
    """Mostly valid situations (so that the batch paths are reached), every field including `department` (the
    collectivités of L751-1 and Mayotte), ids of every JSON type, odd whitespace around and inside the object, keys
    given twice, unicode escaped or not, huge numbers, numbers with decimals, numbers given as texts."""
    raw = [_line(data, spaces, ascii_only, duplicate) + b"\n" for data, spaces, ascii_only, duplicate in drawn]
    expected, expected_status = scalar(list(iter_lines(io.BytesIO(b"".join(raw)))))
    got, status = batch(list(iter_lines(io.BytesIO(b"".join(raw)))), size)
    assert got == expected and status == expected_status


@pytest.mark.parametrize(("seed", "size"), [(11, 1000), (12, 13)])
def test_lines_with_a_conjoint_collaborateur_in_chunks_write_what_the_scalar_path_writes(seed: int, size: int) -> None:
    """Most lines with a conjoint collaborateur, computed on traced columns (the option a constant of a group):
    every option, with and without a start in the first years (the flat-rate block and its conjoint block), ACRE,
    RSA, deficits, every profession and year, mixed with lines without a conjoint — byte for byte the scalar path."""
    rng = random.Random(seed)
    raw = []
    for i in range(1200):
        data = situation(rng, i)
        data.pop("section", None)
        if data.get("profession") == "liberal_reglementee":
            data["profession"] = "liberal"
        if rng.random() < 0.75:
            data["conjoint_collaborateur"] = rng.choice([o.value for o in ConjointCollaborateur])
        if rng.random() < 0.3 and isinstance(data.get("year"), int):
            data["start_date"] = date(data["year"] - rng.randint(0, 1), rng.randint(1, 12), 1).isoformat()
            data["acre"] = rng.random() < 0.5
        raw.append((json.dumps(data) + "\n").encode())
    expected, expected_status = scalar(raw)
    got, status = batch(raw, size)
    for number, (mine, theirs) in enumerate(zip(got.split("\n"), expected.split("\n"), strict=True), start=1):
        assert mine == theirs, f"output line {number}"
    assert status == expected_status
    assert expected.count('"conjoint_collaborateur": {') > 500
    assert '"forfait_debut_activite": {' in expected


# Every field of a Situation at once, each with values the rules take and values they refuse (so that a line may be
# computed in the batch, by the scalar path, or be an error line): the three professions and the professions
# libérales réglementées of every section with their variant fields, the overseas departments and their
# exemptions, the conjoint collaborateur, the exemptions of a contributor's own situation, ACRE, RSA, dates.
_SECTIONS = (
    "cipav",
    "carmf",
    "carpimko",
    "carcdsf",
    "cavp",
    "cavec",
    "carpv",
    "cavamac",
    "cavom",
    "crn",
    "cprn",
    "cnbf",
)
_wild = st.fixed_dictionaries(
    {
        "year": st.sampled_from([2023, 2024, 2025, 2026] * 6 + [2022, 2027]),
        "profession": st.sampled_from(
            ["artisan", "commercant", "liberal"] * 6 + ["liberal_reglementee"] * 6 + ["plombier"]
        ),
        "income": st.one_of(
            st.integers(-20_000, 400_000),
            st.sampled_from([0, 1, 4_399, 47_100, 48_060, 46_368, 5 * 48_060, 8 * 47_100, 10**7]),
            st.decimals(0, 300_000, places=2).map(lambda d: f"__NUMBER__{d}"),
            st.sampled_from(["40 000,50", "12000", "-1 200 €", "abc"]),
        ),
    },
    optional={
        "id": st.one_of(st.integers(-(2**53) + 1, 2**53 - 1), st.text(max_size=12), st.none()),
        "start_date": st.dates(date(2020, 1, 1), date(2027, 3, 1)).map(str),
        "end_date": st.dates(date(2023, 1, 1), date(2026, 12, 31)).map(str),
        "acre": st.booleans(),
        "rsa": st.booleans(),
        "income_is_net": st.sampled_from([False, False, False, True]),
        "department": st.sampled_from(["971", "972", "973", "974", "976", "977", "978", "75", "2A", "20", None]),
        "conjoint_collaborateur": st.sampled_from([*(o.value for o in ConjointCollaborateur), None, "tiers"]),
        "section": st.sampled_from([*_SECTIONS, None, "x"]),
        "secteur": st.sampled_from(["1", "2", "non_conventionne", 1, "3"]),
        "metier": st.sampled_from(["chirurgien_dentiste", "sage_femme", "medecin"]),
        "classe_cnbf": st.sampled_from(["1", "2", "2+", 2, "4"]),
        "remplacant": st.booleans(),
        "pension_invalidite_mois": st.sampled_from([0, 0, 1, 6, 12, 13, -1]),
        "exoneration_age": st.booleans(),
        "exoneration_debut_outre_mer": st.booleans(),
        "abattement_outre_mer": st.booleans(),
    },
)


@st.composite
def _coherent(draw: Any) -> dict[str, Any]:
    """A situation most of whose fields go together (so that most lines are computed, not refused)."""
    year = draw(st.sampled_from([2023, 2024, 2025, 2026]))
    profession = draw(st.sampled_from(["artisan", "commercant", "liberal", "liberal_reglementee"]))
    data: dict[str, Any] = {
        "id": draw(st.one_of(st.integers(0, 10**6), st.text(max_size=8))),
        "year": year,
        "profession": profession,
        "income": draw(st.one_of(st.integers(-5_000, 300_000), st.sampled_from([0, 47_100, 5 * 48_060]))),
    }
    if draw(st.booleans()):
        data["start_date"] = str(draw(st.dates(date(year - 3, 1, 1), date(year, 12, 1))))
        data["acre"] = draw(st.booleans())
    data["rsa"] = draw(st.sampled_from([False, False, False, True]))
    if profession == "liberal_reglementee":
        section = data["section"] = draw(st.sampled_from(_SECTIONS))
        if section == "carmf":
            data["secteur"] = draw(st.sampled_from(["1", "2", "non_conventionne"]))
        if section == "carcdsf":
            data["metier"] = draw(st.sampled_from(["chirurgien_dentiste", "sage_femme"]))
        if section == "cnbf":
            data["classe_cnbf"] = draw(st.sampled_from(["1", "2", "2+"]))
        if section in ("carmf", "carpimko", "carcdsf") and draw(st.booleans()):
            data["remplacant"] = True
    else:
        if draw(st.booleans()):
            data["department"] = draw(st.sampled_from(["971", "972", "973", "974", "976", "977", "978", "75"]))
            if "start_date" in data and draw(st.booleans()):
                data["exoneration_debut_outre_mer"] = True
            if draw(st.booleans()):
                data["abattement_outre_mer"] = draw(st.booleans())
        if draw(st.booleans()):
            data["conjoint_collaborateur"] = draw(st.sampled_from([o.value for o in ConjointCollaborateur]))
        if draw(st.sampled_from([False, False, True])):
            data["pension_invalidite_mois"] = draw(st.integers(1, 12))
        if profession != "liberal" and draw(st.sampled_from([False, False, True])):
            data["exoneration_age"] = True
    return data


_every_field = st.one_of(_wild, _coherent(), _coherent())


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            _every_field.map(lambda data: _line(data, " ", True, False)),
            _every_field.map(lambda data: _line(data, "", False, False)),
            st.sampled_from(BAD_LINES),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 50),
)
def test_situations_with_every_field_give_in_chunks_what_they_give_line_by_line(raw: list[bytes], size: int) -> None:
    """Every field of a situation together (professions libérales réglementées of every section and their
    secteur, métier, classe and remplaçant; the overseas departments and their exemptions; the conjoint
    collaborateur; invalidity months, the age exemption; ACRE, RSA, dates; incomes given net), with bad lines
    among them, in chunks of any size: byte for byte what the scalar path writes, and the same exit status."""
    lines_ = [line.strip() + b"\n" for line in raw]
    expected, expected_status = scalar(lines_)
    got, status = batch(lines_, size)
    assert got == expected and status == expected_status


def test_the_sample_of_every_field_reaches_what_the_comparison_must_cover() -> None:
    """The strategy above gives computed lines of every section, of the overseas departments with and without
    their exemptions, with a conjoint collaborateur, invalidity months and the age exemption, and error lines."""
    drawn: list[dict[str, Any]] = []

    @settings(max_examples=1500, deadline=None, database=None, phases=[Phase.generate])
    @given(_every_field)
    def draw(data: dict[str, Any]) -> None:
        drawn.append(data)

    draw()
    output = scalar([_line(data, " ", True, False) + b"\n" for data in drawn])[0].split("\n")[:-1]
    assert len(output) == len(drawn)
    computed = [data for data, line in zip(drawn, output, strict=True) if '"error": ' not in line[:80]]
    assert len(drawn) - len(computed) > 100
    # The sections the engine computes (`law.snapshot.SECTIONS`, a code per variant); the others are refused.
    assert {data.get("section") for data in computed} >= {code.split("_")[0] for code in SECTIONS}
    assert {data.get("section") for data in computed if data.get("section")} < set(_SECTIONS)
    assert {data.get("department") for data in computed} >= {"971", "972", "973", "974", "976", "977", "978"}
    for name in (
        "conjoint_collaborateur",
        "pension_invalidite_mois",
        "exoneration_age",
        "exoneration_debut_outre_mer",
        "secteur",
        "metier",
        "classe_cnbf",
        "remplacant",
        "acre",
        "rsa",
    ):
        assert any(data.get(name) for data in computed), name
