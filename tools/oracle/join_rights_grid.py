"""Join situations and the model's rights into the rights grid (see `make_rights_grid.py`).

usage: python tools/oracle/join_rights_grid.py situations.jsonl model.jsonl > rights-grid.jsonl
Each line: {"situation": the project's contract, "expected": the model's rights (trimestres, revenu_cotise,
points, pension_rci, raam, ij), "also": the model's retraite de base, RCI and IJ contributions (euros)}.
"""

from __future__ import annotations

import json
import sys


def main(situations_path: str, model_path: str) -> None:
    with open(situations_path) as situations, open(model_path) as model:
        for line, result in zip(situations, model, strict=True):
            situation, computed = json.loads(line), json.loads(result)
            if situation["id"] != computed["id"]:
                raise SystemExit(f"out of order: {situation['id']} / {computed['id']}")
            if "error" in computed:
                print(f"left out {situation['id']}: {computed['error']}", file=sys.stderr)
                continue
            amounts = computed["amounts"]
            also = {
                key: amounts[key] for key in ("retraite_base", "retraite_complementaire", "indemnites_journalieres")
            }
            row = {"situation": situation, "expected": computed["rights"], "also": also}
            print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
