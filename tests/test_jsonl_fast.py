"""The fast paths of `simulate --jsonl` (`contributions.jsonl`) change nothing that is written.

- `read_common` reads lines of the common shape without pydantic: every line it takes, the input layer
  (`loads_json`, then `Situation`) takes too, with the same values; every line it leaves goes through the input
  layer, which reads it or gives its error. Checked on random lines near the common shape and on hostile ones
  (keys given twice, escapes, colons in texts, numbers of every JSON form, dates out of the year, types the model
  converts), then byte for byte through the chunks against the scalar path.
- Two processes write their chunks to the output file themselves, in order: the file holds, byte for byte, what the
  scalar path writes.
"""

from __future__ import annotations

import io
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echeancier.contributions import engine, jsonl
from echeancier.contributions.situation import situation_from_mapping
from echeancier.kernel.inputs import InputError, loads_json
from echeancier.law.loader import LawError
from echeancier.law.snapshot import supported_years
from tests.test_hostile_inputs import _dumps, _json_values, _situations
from tests.test_jsonl_batch import batch, lines, scalar

YEARS = supported_years()

_VALUES: dict[str, list[Any]] = {
    "id": [
        0,
        7,
        -3,
        2**53 - 1,
        2**53,
        -(2**53),
        "a",
        "",
        "x:y",
        'q"',
        "\\",
        "é",
        "\ud83d\ude00",
        "%s",
        1.0,
        True,
        None,
    ],
    "year": [2023, 2024, 2025, 2026, 2022, 2027, "2025", 2025.0, True, None, 10**40],
    "profession": ["artisan", "commercant", "liberal", "liberal_reglementee", "Artisan", "", 1, None],
    "income": [
        0,
        40000,
        -5,
        10**8,
        10**8 + 1,
        10**40,
        40000.5,
        0.005,
        0.015,
        -0.004,
        123.456789,
        1e5,
        1.5e-30,
        "40000",
        "40 000,50",
        True,
        None,
        99999999.99,
        1e-7,
    ],
    "start_date": ["2025-03-01", "2024-12-31", "2026-01-01", "2025-02-30", "2025-3-1", " 2025-03-01 ", 20250301, None],
    "end_date": ["2025-06-30", "2025-01-01", "2024-12-31", "2026-01-01", "2025-13-01", None, ""],
    "acre": [True, False, 0, 1, "true", None],
    "rsa": [True, False, 0, "non", None],
    "conjoint_collaborateur": ["forfaitaire", "tiers_avec_partage", "tiers", None, 3],
    "income_is_net": [False, True],
    "department": [None, "75", "974"],
    "section": [None, "cipav"],
    "pension_invalidite_mois": [0, 3],
    "exoneration_age": [False, True],
}
_COMMON = ("id", "year", "profession", "income", "start_date", "end_date", "acre", "rsa")


def _near_common(rng: random.Random) -> bytes:
    """A line near the common shape: mostly well-formed, with the perturbations `read_common` must see."""
    data: dict[str, Any] = {"year": rng.choice((2023, 2024, 2025, 2026)), "profession": "artisan", "income": 40000}
    for key in _COMMON:
        if rng.random() < 0.15:
            data[key] = rng.choice(_VALUES[key])
    if rng.random() < 0.1:
        key = rng.choice(list(_VALUES))
        data[key] = rng.choice(_VALUES[key])
    if data.get("acre") is True and rng.random() < 0.7:
        data["start_date"] = f"{data['year'] if isinstance(data['year'], int) else 2025}-0{rng.randint(1, 9)}-01"
    text = json.dumps(data, ensure_ascii=rng.random() < 0.5, separators=rng.choice(((",", ":"), (", ", ": "))))
    roll = rng.random()
    if roll < 0.05 and len(data) > 1:  # a key given twice
        first = next(iter(data))
        text = text[:-1] + f', "{first}": {json.dumps(data[first])}' + "}"
    elif roll < 0.1:  # a key written with an escape
        text = text.replace('"year"', '"\\u0079ear"', 1)
    elif roll < 0.15:  # whitespace around the object and the line's end
        text = " \t" + text + " \r"
    elif roll < 0.2:  # a number written otherwise
        text = text.replace('"income": 40000', rng.choice(('"income": 4.0E4', '"income": 40000.000', '"income": -0')))
    elif roll < 0.23:  # a lone surrogate written as an escape
        text = text[:-1] + ', "id": "\\udc00"}'
    elif roll < 0.26:  # a nested value
        text = text[:-1] + ', "id": {"a": 1}}'
    elif roll < 0.28:
        text = text.replace("true", "NaN", 1)
    return text.encode("utf-8", "surrogatepass") + b"\n"


def _read_by_the_input_layer(raw: bytes) -> tuple[Any, ...] | None:
    try:
        situation = situation_from_mapping(loads_json(raw))
    except (InputError, LawError):
        return None
    ident = situation.id
    ident_text = (
        "null" if ident is None else str(ident) if type(ident) is int else json.dumps(ident, ensure_ascii=False)
    )
    fields = situation.model_dump()
    own = [fields[key] for key in ("income_is_net", "department", "section", "pension_invalidite_mois")]
    if any(own) or fields["exoneration_age"]:
        return None  # taken line by line: never of the common shape
    return (
        situation.year,
        situation.profession,
        situation.start_date,
        situation.end_date,
        situation.acre,
        situation.rsa,
        situation.conjoint_collaborateur,
        ident_text,
        situation.income,
    )


def _check(raw: bytes) -> bool:
    """`read_common` takes `raw` only if the input layer takes it, to the same values; whether it took it."""
    fast = jsonl.read_common(raw, YEARS)
    if fast is None:
        return False
    slow = _read_by_the_input_layer(raw)
    assert slow is not None, raw
    assert fast[:-1] == slow[:-1], raw
    income, expected = fast[-1], slow[-1]
    assert type(income) is Decimal and income == expected and str(income) == str(expected), raw
    assert engine.counted_income(income) == engine.counted_income(expected)
    return True


def test_read_common_takes_only_what_the_input_layer_reads_the_same() -> None:
    rng = random.Random(31)
    taken = 0
    for _ in range(4000):
        taken += _check(_near_common(rng))
    assert 800 < taken < 3900  # both kinds are drawn


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=120).map(lambda text: text.encode("utf-8", "surrogatepass")),
        _json_values.map(_dumps),
        _situations.map(_dumps),
    )
)
def test_read_common_on_hostile_lines(raw: bytes) -> None:
    _check(raw)


def test_read_common_takes_the_benchmarks_lines() -> None:
    taken = [
        b'{"id": 3, "year": 2024, "profession": "liberal", "income": 1371009.8, "acre": false, "rsa": false}',
        b'{"id": "a", "year": 2025, "profession": "artisan", "income": 4, "start_date": "2025-03-01", "acre": true}',
        b'{"year":2026,"profession":"commercant","income":-12.5,"end_date":"2026-06-30","rsa":true}',
        b'{"year": 2026, "profession": "liberal", "income": 1, "conjoint_collaborateur": "forfaitaire"}',
    ]
    assert all(_check(raw) for raw in taken)
    left = [
        b'{"year": 2025, "year": 2025, "profession": "artisan", "income": 1}',  # a key given twice
        b'{"id": "a:b", "year": 2025, "profession": "artisan", "income": 1}',  # a colon in a text
        b'{"id": "\xc3\xa9", "year": 2025, "profession": "artisan", "income": 1}',  # not ASCII
        b'{"year": 2025, "profession": "artisan", "income": 1, "acre": true}',  # ACRE without a start: an error
        b'{"year": 2025, "profession": "artisan", "income": "40 000"}',  # a text: the input layer reads it
        b'{"year": 2025, "profession": "artisan", "income": 1, "department": "974"}',
        b"[" * 100_000 + b"]" * 100_000,  # nested beyond any parser's depth: the input layer's message
        b'{"id": {"a": 1}, "year": 2025, "profession": "artisan", "income": 1}',
        b'{"id": "{[", "year": 2025, "profession": "artisan", "income": 1}',
    ]
    assert not any(_check(raw) for raw in left)


@pytest.mark.parametrize("seed", [41, 42])
def test_lines_near_the_common_shape_in_chunks_write_what_the_scalar_path_writes(seed: int) -> None:
    rng = random.Random(seed)
    raw = [_near_common(rng) for _ in range(700)] + lines(300, seed)
    rng.shuffle(raw)
    assert batch(raw, 250) == scalar(raw)


def test_a_file_is_read_in_full_chunks_as_a_buffer_is(tmp_path: Path) -> None:
    """A regular file always has its next line waiting: its chunks are full, those of the same bytes in memory."""
    raw = lines(250, 10)
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(raw))
    with path.open("rb") as stream:
        read = list(jsonl.chunks(stream, 100))
    assert read == list(jsonl.chunks(io.BytesIO(b"".join(raw)), 100)) == [raw[:100], raw[100:200], raw[200:]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_one_process_writes_the_lines_utf8_to_the_file_after_what_it_held(tmp_path: Path, encoding: str) -> None:
    """In one process the explained lines, joined in UTF-8, go to the file under a UTF-8 text file as they are,
    after what the text file held (flushed first); another encoding gets the texts: the bytes the text file
    would have written."""
    accents = b'{"year": 2025, "profession": "artisan", "income": 1, "id": "\xc3\xa9t\xc3\xa9 \xe2\x82\xac"}\n'
    raw = [*lines(400, 9), accents]
    expected, expected_status = scalar(raw)
    path = tmp_path / "out.jsonl"
    with path.open("w", encoding=encoding, errors="replace") as out:
        out.write("avant\n")
        status = jsonl.run_lines((raw[i : i + 150] for i in range(0, len(raw), 150)), out)
        out.write("après\n")
    assert path.read_bytes() == ("avant\n" + expected + "après\n").encode(encoding, errors="replace")
    assert status == expected_status


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_two_processes_write_their_chunks_to_the_file_in_order(tmp_path: Path, encoding: str) -> None:
    """The file holds what the scalar path writes, as the text file would have written it (utf-8-sig: its mark
    once, the chunks then come back through this process)."""
    raw = lines(1200, 8)
    expected, expected_status = scalar(raw)
    path = tmp_path / "out.jsonl"
    with path.open("w", encoding=encoding) as out:
        status = jsonl.run(io.BytesIO(b"".join(raw)), out, chunk=100, workers=2)
    assert path.read_bytes() == expected.encode(encoding)
    assert status == expected_status


_PERS = (1, 2, 3, 7, 100, 365, 1000, 36_500, 10**6, 10**8, 36_500_000_000, 99_999_999_977, 10**11)
_NUMERATORS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.integers(10**15 - 10**3, 10**15 + 10**3),
    # 9_999, 10_000, 10_001 over 10^8: either side of 10^-4, where repr starts writing an exponent
    st.sampled_from((0, 1, -1, 5, 10, 99, 100, 101, 9_999, 10_000, 10_001, -10_001, 2**53 - 1, -(2**53) + 1, 10**15)),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_NUMERATORS, min_size=1, max_size=40),
    st.one_of(st.sampled_from(_PERS), st.integers(1, 10**11)),
)
def test_quotients_written_from_floats_are_the_decimals_json_writes(values: list[int], per: int) -> None:
    """`_quotients` writes n / per from floats, all at once through msgspec's JSON of the list (`_floats`);
    `_decimals` as the scalar path does, through `Decimal` and `result._num`: the same texts (in UTF-8, as the
    lines are joined). And the integers written all at once (`_integers`) are those `str` writes."""
    import numpy as np

    n = np.array(values, dtype=np.int64)
    written = jsonl._quotients(n, per)
    assert written is not None
    assert written == jsonl._decimals(n, np.full(len(values), per, dtype=object))
    assert jsonl._quotients(n, 10**11 + 1) is None  # beyond the proof: the Decimals are computed
    assert jsonl._integers(n) == [str(v).encode() for v in values]


def test_a_reader_gone_away_is_a_failed_write_of_the_output() -> None:
    """A worker process that cannot write its chunk (here: the pipe's reader closed it) says so to the command,
    which exits as for any failed write of its standard output (141 for a broken pipe, `cli._output_failed`)."""
    import errno
    import os

    read, write = os.pipe()
    os.close(read)
    raw = lines(400, 9)
    with os.fdopen(write, "w", encoding="utf-8") as out, pytest.raises(jsonl.OutputFailed) as failure:
        jsonl.run(io.BytesIO(b"".join(raw)), out, chunk=100, workers=2)
    assert failure.value.error.errno == errno.EPIPE
