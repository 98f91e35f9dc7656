"""The figures of a section's rules (`pamc.*`: the CPAM's participation, for a médecin of secteur 1) are read from
the `Law` the situation is computed with on the scalar path too: `engine.compute` takes the section snapshot of
the snapshot's own `Law` (`section_snapshot`), as `simulate_many` does, not the packaged law's. Here the CPAM's
share of the allocations familiales below 1.4 PASS is halved in a temporary copy of `pamc.yaml`."""

from __future__ import annotations

import json
from pathlib import Path

from echeancier import simulate, simulate_many
from echeancier.contributions import jsonl
from echeancier.law.snapshot import section_snapshot, snapshot, snapshot_of
from tests.test_one_text import law_with

MEDECIN = {"year": 2025, "profession": "liberal_reglementee", "section": "carmf", "secteur": "1", "income": 80000}


def test_a_section_s_figures_are_those_of_the_law_passed_in_on_both_paths(tmp_path: Path) -> None:
    law = law_with(tmp_path, "pamc", "[[0, 1], [1.4, 0.75], [2.5, 0.6]]", "[[0, 0.5], [1.4, 0.75], [2.5, 0.6]]")
    base = snapshot_of(law, 2025)
    assert section_snapshot(base, "carmf_1").pamc == section_snapshot(base, "carmf_1", law).pamc
    assert section_snapshot(base, "carmf_1").pamc != section_snapshot(snapshot(2025), "carmf_1").pamc
    packaged = simulate(MEDECIN)
    mine = simulate(MEDECIN, law)
    assert mine.total > packaged.total  # the CPAM pays less: the médecin more
    columns = {key: [value] for key, value in MEDECIN.items()}
    assert simulate_many(columns, law=law)["total"].tolist() == [int(mine.total)]
    assert simulate_many(columns)["total"].tolist() == [int(packaged.total)]
    # `simulate --jsonl` (a section's line is taken by the scalar engine) with that law.
    [text], failed = jsonl.simulate_chunk([json.dumps(MEDECIN).encode()], 1, law)
    assert not failed and json.loads(text)["total"] == mine.total
