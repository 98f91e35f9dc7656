from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
ORACLE_GRID = SHARED / "oracle" / "public-grid.jsonl"


def oracle_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in ORACLE_GRID.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def oracle() -> list[dict[str, Any]]:
    return oracle_rows()
