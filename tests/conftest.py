from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# The official grid, copied into the repository so that a clone alone runs its tests (provenance in its README).
ORACLE_GRID = Path(__file__).resolve().parent / "data" / "oracle" / "public-grid.jsonl"
ORACLE_GRID_SHA256 = "a94d8137d893b7a31ee606b08a27c36c33d642e78ef86fab2d9d804cf63cbb88"


def oracle_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in ORACLE_GRID.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def oracle() -> list[dict[str, Any]]:
    return oracle_rows()
