"""`simulate --jsonl` computes with the `Law` passed in (an organism's parameters, here a temporary copy of the YAML),
on both of its paths — the chunks computed on columns and the lines taken by the scalar engine — and in the worker
processes of a long input, not with the packaged law."""

from __future__ import annotations

import io
import json
from pathlib import Path

from echeancier.cli import run_jsonl
from echeancier.contributions import jsonl
from echeancier.law.loader import Law, load_law
from tests.test_jsonl_batch import lines
from tests.test_one_text import law_with

# The same situation twice: the first of the common shape (computed on columns), the second with a département
# (taken line by line by the scalar engine inside a chunk).
BATCH = b'{"id": 1, "year": 2025, "profession": "artisan", "income": 40000}\n'
SCALAR = b'{"id": 1, "year": 2025, "profession": "artisan", "income": 40000, "department": "75"}\n'


def crds_6(tmp_path: Path) -> Law:
    """The packaged law with the CRDS at 0.6 % instead of 0.5 %."""
    return law_with(tmp_path, "csg_crds", "2023-01-01: {value: 0.005,", "2023-01-01: {value: 0.006,")


def by_chunks(raw: list[bytes], law: Law | None, size: int = 50) -> tuple[str, int]:
    out = io.StringIO()
    status = jsonl.run_lines((raw[i : i + size] for i in range(0, len(raw), size)), out, law)
    return out.getvalue(), status


def line_by_line(raw: list[bytes], law: Law | None) -> tuple[str, int]:
    out = io.StringIO()
    status = run_jsonl(raw, out, law)
    return out.getvalue(), status


def test_a_rate_of_the_law_passed_in_changes_both_paths_identically(tmp_path: Path) -> None:
    law = crds_6(tmp_path)
    assert jsonl.read_common(BATCH.strip(), range(2023, 2027)) is not None  # the batch path
    assert jsonl.read_common(SCALAR.strip(), range(2023, 2027)) is None  # the scalar path
    texts, failed = jsonl.simulate_chunk([BATCH, SCALAR], 1, law)
    assert not failed
    batch, scalar = (json.loads(text)["contributions"]["csg_crds"] for text in texts)
    # By hand: CSG and CRDS on the assiette of 29,600 €; the CRDS at 0.6 %: 2.4 % + 0.6 % = 3 % → 888 €, and
    # 2,012.80 € + 888 € = 2,900.80 €, 2,901 € in whole euros (under the packaged law: 2.9 % → 858.40 €, 2,871 €).
    assert batch == scalar
    assert batch["tranches"][1]["rate"] == 0.03 and batch["tranches"][1]["amount"] == 888
    assert batch["amount"] == 2901
    packaged = [json.loads(text)["contributions"]["csg_crds"] for text in jsonl.simulate_chunk([BATCH, SCALAR], 1)[0]]
    assert packaged[0] == packaged[1] and packaged[0]["amount"] == 2871
    assert jsonl.simulate_chunk([BATCH, SCALAR], 1, load_law()) == jsonl.simulate_chunk([BATCH, SCALAR], 1)


def test_chunks_under_the_law_passed_in_write_what_the_scalar_path_writes(tmp_path: Path) -> None:
    law = crds_6(tmp_path)
    raw = lines(800, 11)
    expected, expected_status = line_by_line(raw, law)
    assert by_chunks(raw, law) == (expected, expected_status)
    assert expected != line_by_line(raw, None)[0]  # the rate changed the output


def test_worker_processes_compute_with_the_law_passed_in(tmp_path: Path) -> None:
    law = crds_6(tmp_path)
    raw = lines(600, 12)
    expected, expected_status = line_by_line(raw, law)
    out = io.StringIO()  # the texts come back to this process
    assert jsonl.run(io.BytesIO(b"".join(raw)), out, chunk=100, workers=2, law=law) == expected_status
    assert out.getvalue() == expected
    path = tmp_path / "out.jsonl"
    with path.open("w", encoding="utf-8") as file:  # each process writes its chunks to the file itself
        assert jsonl.run(io.BytesIO(b"".join(raw)), file, chunk=100, workers=2, law=law) == expected_status
    assert path.read_text(encoding="utf-8") == expected
