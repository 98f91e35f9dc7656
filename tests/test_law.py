"""The law parameters: well-formed, dated, referenced, and exactly one value per day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from echeancier.law import LawError, load_law, snapshot, supported_years
from echeancier.law.loader import PARAMETERS_DIR, UNITS, load_directory, parse_file
from echeancier.law.snapshot import FIELDS, ONLY_AFTER_REFORM, ONLY_BEFORE_REFORM, OPTIONAL

FIRST, LAST = date(2023, 1, 1), date(2026, 12, 31)


def every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_every_parameter_has_exactly_one_value_every_day_from_2023_to_2026() -> None:
    law = load_law()
    days = every_day(FIRST, LAST)
    for parameter in law:
        for day in days:
            found = parameter.applicable(day)
            assert len(found) == 1, f"{parameter.key} on {day}: {len(found)} values"
            assert parameter.at(day) is found[0]


def test_the_rules_of_each_income_year_find_every_figure_they_need() -> None:
    for year in range(2023, 2027):
        law = snapshot(year)
        after = law.apres_reforme
        assert after == (year >= 2025)
        for name in FIELDS:
            value = getattr(law, name)
            optional = (name in ONLY_AFTER_REFORM and not after) or (name in ONLY_BEFORE_REFORM and after)
            optional |= name in OPTIONAL and year < 2025  # Mayotte's own law from income 2025
            assert value is not None or optional, f"{name} missing for {year}"


def test_supported_years_cover_2023_to_2026() -> None:
    assert list(supported_years()) == [2023, 2024, 2025, 2026]


def test_every_value_has_a_reference_and_a_known_unit() -> None:
    for parameter in load_law():
        assert parameter.unit in UNITS
        for value in parameter.values:
            assert value.reference.strip()
            assert value.url is None or value.url.startswith("https://")


def test_values_of_reference() -> None:
    law = load_law()
    assert law.value("plafond_securite_sociale.annuel", date(2026, 6, 1)).value == 48060
    # The SMIC changes during the year; the contributions use the value of 1 January (D633-2).
    assert law.value("smic.horaire", date(2026, 7, 1)).value == Decimal("12.31")
    assert snapshot(2026).smic_horaire == Decimal("12.02")
    assert snapshot(2025).smic_horaire == Decimal("11.88")


def test_a_date_past_the_staleness_date_is_refused() -> None:
    with pytest.raises(LawError, match="aucune valeur connue valable"):
        load_law().value("plafond_securite_sociale.annuel", date(2027, 1, 1))


def test_stale_files_are_reported() -> None:
    law = load_law()
    assert law.stale(date(2026, 12, 31)) == []
    assert {f.name for f in law.stale(date(2027, 1, 1))} == {f.name for f in law.files}


GOOD = {
    "description": "x",
    "last_value_still_valid_on": "2026-12-31",
    "parameters": {"taux": {"unit": "rate", "values": {"2023-01-01": {"value": 0.1, "reference": "CSS X"}}}},
}


def with_values(values: object, unit: str = "rate") -> dict[str, object]:
    return {**GOOD, "parameters": {"taux": {"unit": unit, "values": values}}}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (with_values({"2023-01-01": {"value": 0.1}}), "legal reference"),
        (with_values({"2023-01-01": {"value": 1.5, "reference": "r"}}), "between 0 and 1"),
        (with_values({"2023-01-01": {"value": -1, "reference": "r"}}), "negative"),
        (with_values({"2023-01-01": {"value": 1, "reference": "r"}}, unit="furlongs"), "unknown unit"),
        (with_values({"2023-01-01": {"value": "abc", "reference": "r"}}), "not a valid rate"),
        (with_values({"2023-13-01": {"value": 0.1, "reference": "r"}}), "not an ISO date"),
        (with_values({"2027-01-01": {"value": 0.1, "reference": "r"}}), "after last_value_still_valid_on"),
        (with_values({"2023-01-01": {"value": 0.1, "reference": "r", "url": "http://x"}}), "https"),
        (with_values({"2023-01-01": {"value": 0.1, "reference": "r", "note": "x"}}), "unknown keys"),
        (with_values({"2023-01-01": {"value": [[0.4, 0.1], [0.2, 0.2]], "reference": "r"}}, "rate_scale"), "increase"),
        (with_values({"2023-01-01": {"value": 1.5, "reference": "r"}}, "hours"), "whole number"),
        (with_values({"2023-01-01": {"value": "other", "reference": "r"}}, "regime"), "unknown regime"),
        ({**GOOD, "extra": 1}, "unknown keys"),
        ({**GOOD, "parameters": {}}, "non-empty"),
    ],
)
def test_malformed_parameter_files_are_refused(document: dict[str, object], message: str) -> None:
    with pytest.raises(LawError, match=message):
        parse_file("test", document)


def test_dates_out_of_order_are_refused(tmp_path: Path) -> None:
    text = """
description: x
last_value_still_valid_on: 2026-12-31
parameters:
  taux:
    unit: rate
    values:
      2025-01-01: {value: 0.1, reference: r}
      2024-01-01: {value: 0.2, reference: r}
"""
    (tmp_path / "x.yaml").write_text(text)
    with pytest.raises(LawError, match="strictly increasing"):
        load_directory(tmp_path)


def test_invalid_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("parameters: [unclosed")
    with pytest.raises(LawError, match="invalid YAML"):
        load_directory(tmp_path)


def test_shipped_files_parse_as_plain_yaml() -> None:
    directory = PARAMETERS_DIR
    for path in directory.glob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text()), dict)


def test_provisional_contributions_of_2025_follow_the_former_rules_with_the_2025_amounts() -> None:
    from echeancier.law.snapshot import provisional_snapshot

    law = provisional_snapshot(2025)
    assert law.regime == "revenu_professionnel" and law.year == 2025
    assert (law.pass_annuel, law.smic_horaire, law.rci_plafond_tranche_1_montant) == (47100, Decimal("11.88"), 43891)
    assert law.maladie_bareme == snapshot(2024).maladie_bareme
    assert law.rci_taux_tranche_1 == snapshot(2024).rci_taux_tranche_1
    assert provisional_snapshot(2026) == snapshot(2026)
    assert provisional_snapshot(2024) == snapshot(2024)


def test_value_near_reads_procedural_figures_outside_the_checked_dates() -> None:
    law = load_law()
    assert law.value_near("delais.premiere_echeance_jours", date(2019, 3, 1)) == 90
    assert law.value_near("majorations.taux_initial", date(2027, 2, 5)) == Decimal("0.05")
