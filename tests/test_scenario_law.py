"""A scenario is read and forecast with the law it is computed with: the payment days a contributor may choose
(R613-2 I), the day "à défaut de choix", the delays `check_coherence` reads and the forecast's declaration deadline
come from the `Law` passed in (an organism's parameters in a temporary copy of the YAML), not from the packaged law.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from echeancier.law.loader import Law
from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.forecast import forecast
from echeancier.schedule.scenario import ScenarioError, loads_scenario
from tests.test_one_text import law_with

SCENARIO = """\
contributor:
  profession: artisan
  activity_start: 2015-01-01
  payment: {frequency: monthly%s, direct_debit: true}
incomes:
  2024: 30000
  2025: 36000
events:
  - {date: 2026-05-20, type: declaration, year: 2025, income: 36000}
%syears: [2026]
"""


def scenario_text(day: int | None = None, event: str = "") -> str:
    return SCENARIO % ("" if day is None else f", day: {day}", event)


def chosen_15(tmp_path: Path) -> Law:
    """The packaged law with the other payment day the 15th instead of the 20th."""
    return law_with(tmp_path, "echeances", "2021-05-31: {value: 20,", "2021-05-31: {value: 15,")


def monthly_days(text: str, law: Law | None = None) -> set[int]:
    echeancier = build_echeancier(loads_scenario(text, law), law=law)
    return {i.due_date.day for i in echeancier.instalments if i.due_date.year == 2026}


def test_the_payment_days_are_those_of_the_law_passed_in(tmp_path: Path) -> None:
    law = chosen_15(tmp_path)
    with pytest.raises(ScenarioError) as refused:
        loads_scenario(scenario_text(15))
    assert refused.value.line == 4
    assert "le jour de paiement est le 5 ou le 20 du mois (CSS R613-2 I), reçu 15" in str(refused.value)
    assert monthly_days(scenario_text(15), law) == {15}
    with pytest.raises(ScenarioError, match="le 5 ou le 15 du mois"):
        loads_scenario(scenario_text(20), law)
    assert monthly_days(scenario_text(20)) == {20}
    # A change of payment day: to the 15th under that law, refused under the packaged one.
    change = "  - {date: 2026-02-01, type: payment_day_change, day: 15}\n"
    with pytest.raises(ScenarioError, match=r"payment_day_change\.day : le jour de paiement est le 5 ou le 20"):
        loads_scenario(scenario_text(5, change))
    assert monthly_days(scenario_text(5, change), law) == {5, 15}


def test_the_day_a_default_is_the_law_s(tmp_path: Path) -> None:
    law = law_with(
        tmp_path, "echeances", '{value: 5, reference: "CSS R613-2 I al. 2', '{value: 6, reference: "CSS R613-2 I al. 2'
    )
    assert loads_scenario(scenario_text()).contributor.payment.day == 5
    assert loads_scenario(scenario_text(), law).contributor.payment.day == 6
    assert monthly_days(scenario_text(), law) == {6}
    with pytest.raises(ScenarioError, match="le 6 ou le 20 du mois"):
        loads_scenario(scenario_text(5), law)


@pytest.mark.parametrize("day", ["5", True, 5.5, 0, 32])
def test_a_day_that_is_not_a_day_of_the_month_is_refused_by_the_model(day: object) -> None:
    shown = {"5": "'5'", True: "true"}.get(day, str(day)) if not isinstance(day, float) else str(day)
    with pytest.raises(ScenarioError, match=r"contributor\.payment\.day"):
        loads_scenario(scenario_text().replace("monthly", f"monthly, day: {shown}"))


def test_the_delay_of_a_request_to_the_tax_administration_is_the_law_s(tmp_path: Path) -> None:
    # R613-1-2 II al. 2: data from the tax administration once two months have passed since the organism's request;
    # three months in a copy of the law. Requested on 10 May, filed on 20 July: after two months, before three.
    law = law_with(tmp_path, "declaration", '{value: 2, reference: "CSS R613-1-2 II al. 2', '{value: 3, reference: "x')
    declared = "  - {date: 2026-05-20, type: declaration, year: 2025, income: 36000}\n"
    text = scenario_text(
        event="  - {date: 2026-07-20, type: declaration, year: 2025, income: 36000, source: administration_fiscale, "
        "requested_on: 2026-05-10}\n"
    ).replace(declared, "")
    assert loads_scenario(text).events[0].type == "declaration"
    with pytest.raises(ScenarioError, match="le délai de 3 mois"):
        loads_scenario(text, law)


def test_the_forecast_s_declaration_deadline_is_the_law_s(tmp_path: Path) -> None:
    # The declaration of the 2026 income assumed at the deadline of 2027: 4 June (the last known day and month),
    # 25 June in a copy of the law — the régularisation of 2026 is then called from 5 August instead of 5 July
    # (the first due date at least 15 days after the declaration).
    law = law_with(tmp_path, "delais", "2026-01-01: {value: 2026-06-04,", "2026-01-01: {value: 2026-06-25,")
    as_of = date(2026, 3, 1)
    default = forecast(loads_scenario(scenario_text(5)), as_of, Decimal(60000))
    changed = forecast(loads_scenario(scenario_text(5), law), as_of, Decimal(60000), law=law)
    first = {(c.kind, c.year): c.first for c in default.calls}
    moved = {(c.kind, c.year): c.first for c in changed.calls}
    assert first["regularisation", 2026] == date(2027, 7, 5)
    assert moved["regularisation", 2026] == date(2027, 8, 5)
