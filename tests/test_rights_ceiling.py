"""The daily ceiling of the IJ the explanation shows is the one the rule computed (`rights.rules.
indemnites_journalieres`, D622-7 I: the average income within the PASS of the day of the medical statement, over
730), not a second computation: an average above the ceiling gets exactly it, under the packaged law and under a
ceiling changed in a temporary copy of `droits.yaml`, on the general rule and on the first years' (D622-7 II), in
`simulate` and in `simulate --jsonl`'s explanation on columns."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from echeancier.contributions import jsonl
from echeancier.contributions.engine import simulate
from echeancier.law.loader import Law
from tests.test_one_text import law_with


def ceiling_08(tmp_path: Path) -> Law:
    """The packaged law with the IJ's ceiling at 0.8 PASS instead of 1 PASS."""
    old = '2021-06-14: {value: 1, reference: "CSS D622-7 I al. 1'
    return law_with(tmp_path, "droits", old, old.replace("value: 1,", "value: 0.8,"))


@pytest.mark.parametrize("start", [None, "2024-03-01"])  # the general rule; the first years (D622-7 II)
def test_the_ceiling_shown_is_the_rule_s(tmp_path: Path, start: str | None) -> None:
    situation = {"year": 2025, "profession": "artisan", "income": 200_000}
    if start is not None:
        situation["start_date"] = start
    law = ceiling_08(tmp_path)
    # By hand: 47,100 € / 730 = 64.520… → 64.52 €; 0.8 × 47,100 € = 37,680 € / 730 = 51.616… → 51.62 €.
    for given, expected in ((None, Decimal("64.52")), (law, Decimal("51.62"))):
        ij = simulate(situation, given).rights.indemnites_journalieres
        assert ij.premieres_annees is (start is not None)
        assert ij.eligible and ij.montant_journalier == ij.plafond_journalier == expected
    # The explanation on columns (`simulate --jsonl`'s chunks) writes what the scalar path writes.
    raw = [json.dumps({**situation, "id": i}).encode() for i in range(3)]
    texts, failed = jsonl.simulate_chunk(raw, 1, law)
    assert not failed and jsonl.read_common(raw[0], range(2023, 2027)) is not None
    for number, (text, line) in enumerate(zip(texts, raw, strict=True), start=1):
        assert (text, False) == jsonl.scalar_line(number, line, law)
        assert json.loads(text)["rights"]["indemnites_journalieres"]["plafond_journalier"] == 51.62


def test_a_lower_income_is_below_the_ceiling_shown() -> None:
    ij = simulate({"year": 2025, "profession": "artisan", "income": 30_000}).rights.indemnites_journalieres
    # 30,000 € of revenu brut, 22,200 € after the abattement of 26 % (2025): / 730 = 30.410… → 30.41 €, below the
    # ceiling of 64.52 €.
    assert ij.revenu_annuel_moyen == 22_200
    assert ij.montant_journalier == Decimal("30.41") and ij.plafond_journalier == Decimal("64.52")
