"""The simulator's échéancier (`api.projection.scenario_for`) pays on the day "à défaut de choix" of the `Law`
passed in (CSS R613-2 I al. 2, law-choices 431), here the 6th in a temporary copy of the YAML, as a scenario that
gives no day (`scenario.with_default_day`)."""

from __future__ import annotations

from pathlib import Path

from echeancier import simulate
from echeancier.api.projection import scenario_for
from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.scenario import parse_scenario
from tests.test_portfolio_law import default_6


def test_the_payment_day_of_the_simulator_s_scenario_is_the_law_s(tmp_path: Path) -> None:
    law = default_6(tmp_path)
    situation = {"year": 2025, "profession": "artisan", "income": 40000}
    packaged, _ = scenario_for(simulate(situation))
    assert packaged["contributor"]["payment"]["day"] == 5
    document, _ = scenario_for(simulate(situation, law), law=law)
    assert document["contributor"]["payment"]["day"] == 6
    scenario = parse_scenario(document, law)
    echeancier = build_echeancier(scenario, law=law)
    assert {i.due_date.day for i in echeancier.instalments if i.due_date.year == 2025} == {6}
    # The same scenario without a day: the same default, the same échéancier.
    del document["contributor"]["payment"]["day"]
    assert parse_scenario(document, law) == scenario
    assert build_echeancier(parse_scenario(document, law), law=law) == echeancier
