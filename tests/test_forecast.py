"""The 24-month forecast (`schedule.forecast`, `echeancier forecast`, `POST /v1/forecasts`): worked example checked
by hand, properties over random estimates, and hostile input."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from echeancier.cli import app
from echeancier.contributions.engine import simulate
from echeancier.schedule.forecast import forecast, regularisation_of
from echeancier.schedule.scenario import ScenarioError, load_scenario, loads_scenario

SCENARIO = """\
contributor:
  profession: artisan
  activity_start: 2015-01-01
  payment: {frequency: monthly, day: 5, direct_debit: true}
incomes:
  2024: 30000
  2025: 36000
events:
  - {date: 2026-05-20, type: declaration, year: 2025, income: 36000}
years: [2026]
"""
AS_OF = date(2026, 3, 1)


def test_worked_forecast_regularisation_and_modulation() -> None:
    result = forecast(loads_scenario(SCENARIO), AS_OF, Decimal(60000))
    # The window: the whole 24 months from 1 March 2026 (the law's figures end in 2026: the figures of 2027 and
    # 2028 use the 2026 parameters and say so, docs/law-choices.md 220).
    assert result.end == date(2028, 3, 1)
    assert not any(n.startswith("horizon_limite_par_la_loi") for n in result.notes)
    assert [n for n in result.notes if n.startswith("parametres_")] == [
        "parametres_estimes:2027",
        "parametres_estimes:2028",
    ]
    # Régularisation 2026, called from the declaration of 4 June 2027 (assumed at the deadline), on the six
    # monthly due dates from 5 July 2027 (the first at least 15 days after it). By hand: definitive 2026
    # contributions on 60,000 € = simulate total 19,270 − CFP 139 = 19,131 €; provisional 2026 called =
    # 5 × 1,003.92 (January-May) + 7 × 540.20 (June-December, after the 2025 credit) + the 2,096 € credit of the
    # 2025 régularisation set against them (R613-1-3 al. 2) = 10,897 €; 19,131 − 10,897 = 8,234 €.
    definitive = simulate({"year": 2026, "profession": "artisan", "income": 60000})
    assert definitive.total - definitive.amount("formation_professionnelle") == 19131
    calls = {(c.kind, c.year): c for c in result.calls}
    assert calls["regularisation", 2026].amount == Decimal(8234)
    assert (calls["regularisation", 2026].first, calls["regularisation", 2026].last) == (
        date(2027, 7, 5),
        date(2027, 12, 5),
    )
    assert calls["regularisation", 2025].amount == Decimal(-2096)
    # The modulation (R613-1-4 II): declaring 60,000 € now brings the régularisation to 0 €; it takes effect on
    # 5 April 2026 (5 March is less than 15 days after 1 March).
    modulation = result.modulation
    assert modulation is not None
    assert (modulation.estimated_income, modulation.regularisation, modulation.regularisation_without) == (
        Decimal(60000),
        Decimal(0),
        Decimal(8234),
    )
    assert modulation.effect == date(2026, 4, 5)
    assert modulation.instalments[0] == (date(2026, 3, 5), Decimal("1003.92"))  # already called: unchanged
    # Month by month: the modulated payments of 2026 are higher, those of July-December 2027 lower by the
    # régularisation's 8,234 / 6 = 1,372.33 €; with an income of 5,000 € a month, both end with the same cash.
    july = next(m for m in result.months if m.month == "2027-07")
    assert july.payments - july.payments_modulated == Decimal("1372.33")
    assert result.months[-1].cash_left == result.months[-1].cash_left_modulated
    assert result.months[0].income == Decimal("5000.00")


def test_missed_payments_show_the_majorations() -> None:
    # R613-2 III: two consecutive incidents; the majorations of R243-16 apply (5 % + 0.2 % a month).
    result = forecast(loads_scenario(SCENARIO), AS_OF, Decimal(60000), missed=[date(2026, 4, 5), date(2026, 5, 5)])
    assert result.majorations > 0
    missed = [p.due_date for p in result.payments if p.missed]
    assert missed == [date(2026, 4, 5), date(2026, 5, 5)]
    april = next(m for m in result.months if m.month == "2026-04")
    assert april.payments == 0  # an unpaid instalment does not leave the cash


def test_monthly_incomes_set_the_estimate_and_the_cash() -> None:
    monthly = [Decimal(1000)] * 6 + [Decimal(9000)] * 6
    result = forecast(loads_scenario(SCENARIO), AS_OF, monthly=monthly, cash=Decimal(2000))
    assert result.estimate == Decimal(60000)
    march = result.months[0]
    assert (march.income, march.cash_left) == (Decimal(1000), Decimal(2000) + 1000 - march.payments)
    with pytest.raises(ScenarioError, match="monthly"):
        forecast(loads_scenario(SCENARIO), AS_OF, monthly=[Decimal(1)] * 11)
    with pytest.raises(ScenarioError, match="estimate"):
        forecast(loads_scenario(SCENARIO), AS_OF, Decimal(1), monthly=monthly)
    with pytest.raises(ScenarioError, match="estimate"):
        forecast(loads_scenario(SCENARIO), AS_OF)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 150_000), st.integers(1, 12), st.integers(1, 28), st.integers(0, 150_000))
def test_payments_add_up_and_the_modulation_never_enlarges_the_regularisation(
    estimate: int, month: int, day: int, estimate_next: int
) -> None:
    as_of = date(2026, month, day)
    result = forecast(loads_scenario(SCENARIO), as_of, Decimal(estimate), estimate_next=Decimal(estimate_next))
    # the whole 24 months, from any date the law covers (the 2026 parameters stand in for 2027 and 2028)
    assert result.end == date(2028, month, day)
    assert len(result.months) == 25
    # every payment is the sum of its parts, and the months add up to the payments not missed
    for payment in result.payments:
        assert payment.amount == sum((a for _, _, a in payment.parts), Decimal(0))
    assert sum((m.payments for m in result.months), Decimal(0)) == sum(
        (p.amount for p in result.payments if not p.missed), Decimal(0)
    )
    # the régularisation the next declaration calls is all in the window, on the due dates the calls name
    regularisation = next((c for c in result.calls if c.kind == "regularisation" and c.year == 2026), None)
    called = sum((a for p in result.payments for k, y, a in p.parts if k == "regularisation" and y == 2026), Decimal(0))
    if regularisation is not None and regularisation.amount > 0:
        assert called == regularisation.amount
    # so is every call whose due dates lie in the window — the régularisation of 2027 declared in 2028 included
    for call in result.calls:
        if call.amount > 0 and call.last is not None and call.last <= result.end:
            in_window = sum(
                (a for p in result.payments for k, y, a in p.parts if (k, y) == (call.kind, call.year)), Decimal(0)
            )
            assert in_window == call.amount, call
        assert call.estimated == (call.year > 2026)
    # every figure of 2027 or 2028 is flagged as estimated, and the notes name those years
    for payment in result.payments:
        assert payment.estimated == any(y > 2026 for _, y, _ in payment.parts)
    years = {y for p in result.payments for _, y, _ in p.parts if y > 2026}
    assert years <= {int(n.split(":")[1]) for n in result.notes if n.startswith("parametres_estimes:")}
    # the modulation, when proposed, makes the régularisation smaller in absolute value
    if result.modulation is not None:
        assert abs(result.modulation.regularisation) < abs(result.modulation.regularisation_without)


def test_regularisation_of_counts_credits_negative() -> None:
    from echeancier.schedule.echeancier import build_echeancier

    echeancier = build_echeancier(loads_scenario(SCENARIO), date(2026, 12, 31))
    assert regularisation_of(echeancier, 2025) == Decimal(-2096)


def test_cli_and_api(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    runner = CliRunner()
    base = ["forecast", str(path), "--estimate", "60 000", "--as-of", "2026-03-01"]
    table = runner.invoke(app, base)
    assert table.exit_code == 0, table.output
    assert "Modulation conseillée (CSS R613-1-4 II)" in table.output
    assert "Régularisation 2026 : 8\u202f234,00\u00a0€, du 05/07/2027 au 05/12/2027" in table.output
    as_json = json.loads(runner.invoke(app, [*base, "--format", "json"]).output)
    assert as_json["modulation"]["estimated_income"] == 60000
    as_csv = runner.invoke(app, [*base, "--format", "csv"]).output.splitlines()
    assert as_csv[0] == "month,payments,payments_modulated,income,cash_left,cash_left_modulated,estimated"
    assert len(as_csv) == 1 + 25  # March 2026 to March 2028
    # 2026's parameters are known, not 2028's (March 2028 has no due date left in the window: nothing estimated)
    assert as_csv[1].endswith(",False") and as_csv[-2].startswith("2028-02,") and as_csv[-2].endswith(",True")
    for args, field in [
        (["forecast", str(path), "--as-of", "2026-03-01"], "--estimate"),
        ([*base, "--monthly", "1;2"], "--monthly"),
        ([*base, "--estimate-next", "beaucoup"], "--estimate-next"),
        ([*base, "--format", "xml"], "--format"),
        ([*base, "--missed", "2026-04-06"], "--missed"),
    ]:
        refused = runner.invoke(app, args)
        assert refused.exit_code == 2, (args, refused.output)
        assert field in refused.output

    from fastapi.testclient import TestClient

    from echeancier.api.app import Settings, create_app

    client = TestClient(create_app(Settings(rate_limit=0)))
    scenario = {
        "contributor": {"profession": "artisan", "activity_start": "2015-01-01"},
        "incomes": {"2024": 30000, "2025": 36000},
        "events": [{"date": "2026-05-20", "type": "declaration", "year": 2025, "income": 36000}],
        "years": [2026],
    }
    body = {"scenario": scenario, "as_of": "2026-03-01", "estimate": 60000}
    response = client.post("/v1/forecasts", json=body)
    assert response.status_code == 200
    assert response.json() == as_json
    for bad, field in [
        ({**body, "estimate": -1}, "estimate"),
        ({**body, "as_of": "demain"}, "as_of"),
        ({**body, "monthly": "x"}, "monthly"),
        ({**body, "colour": 1}, "colour"),
        ({**body, "scenario": []}, "body"),
        ({**body, "missed": ["2026-04-06"]}, "missed"),
        ({**body, "missed": [1]}, "missed"),
        ({**body, "estimate": True}, "estimate"),
    ]:
        refused = client.post("/v1/forecasts", json=bad)
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["field"] == field


def test_web_page_shows_the_rights_and_the_forecast_chart() -> None:
    from fastapi.testclient import TestClient

    from echeancier.api.app import Settings, create_app

    client = TestClient(create_app(Settings(rate_limit=0)))
    page = client.get("/?year=2026&profession=artisan&income=40000&start_date=2025-03-01")
    assert page.status_code == 200
    assert 'id="vos-droits"' in page.text and "trimestres validés sur 4" in page.text
    assert 'id="forecast-title"' in page.text  # the server-side SVG of the monthly payments
    assert "avec modulation" in page.text and "CSS R613-1-4 II" in page.text
    # the window reaches 2028 (docs/law-choices.md 220): the page says which years use the 2026 parameters
    assert "Montants 2027 estimés avec les paramètres 2026, recalculés en janvier" in page.text
    assert "Montants 2028 estimés avec les paramètres 2026, recalculés en janvier" in page.text


def test_forecast_of_an_account_equals_that_of_its_scenario(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'comptes.db'}"
    create = ["account", "create", "A1", "--profession", "artisan", "--activity-start", "2015-01-01"]
    created = runner.invoke(app, [*create, "--income", "2024=30000", "--income", "2025=36000", "--db", db])
    assert created.exit_code == 0, created.output
    event = '{"date": "2026-05-20", "type": "declaration", "year": 2025, "income": 36000}'
    assert runner.invoke(app, ["account", "record", "A1", "--db", db], input=event).exit_code == 0
    options = ["--estimate", "60000", "--as-of", "2026-03-01", "--format", "json"]
    from_account = json.loads(runner.invoke(app, ["forecast", "A1", "--db", db, *options]).output)
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    from_file = json.loads(runner.invoke(app, ["forecast", str(path), *options]).output)
    assert from_account["calls"] == from_file["calls"]
    assert from_account["modulation"] == from_file["modulation"]
    unknown = runner.invoke(app, ["forecast", "NOPE", "--db", db, *options])
    assert unknown.exit_code == 2 and "NOPE" in unknown.output


@pytest.mark.parametrize("as_of", ["2019-06-01", "2030-01-01"])
def test_a_forecast_outside_the_law_is_refused(as_of: str, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    refused = CliRunner().invoke(app, ["forecast", str(path), "--estimate", "60000", "--as-of", as_of])
    assert refused.exit_code == 2 and refused.output.startswith("erreur: --as-of:")


def test_previous_income_completes_a_scenario_of_notices() -> None:
    # docs/examples/01: the 2025 declaration gives only the notices' amounts; the provisional contributions of
    # 2027 need the 2025 income (R613-5 I): refused without it, naming the option that gives it.
    example = Path(__file__).resolve().parents[1] / "docs" / "examples" / "01-declaration-mensuel.yaml"
    runner = CliRunner()
    base = ["forecast", str(example), "--estimate", "45000", "--as-of", "2026-03-01", "--format", "json"]
    refused = runner.invoke(app, base)
    assert refused.exit_code == 2 and "--previous-income" in refused.output
    done = json.loads(runner.invoke(app, [*base, "--previous-income", "40000"]).output)
    assert done["modulation"]["regularisation"] == 0


def test_forecast_pdf_has_the_chart(tmp_path: Path) -> None:
    from echeancier.cli_forecast import forecast_pdf

    result = forecast(loads_scenario(SCENARIO), AS_OF, Decimal(60000))
    data = forecast_pdf(result, date(2026, 3, 1))
    assert data.startswith(b"%PDF")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "prevision.pdf"
    args = ["forecast", str(path), "--estimate", "60000", "--as-of", "2026-03-01", "--format", "pdf"]
    done = CliRunner().invoke(app, [*args, "--output", str(out)])
    assert done.exit_code == 0 and out.read_bytes().startswith(b"%PDF")


def test_no_modulation_after_a_cessation_but_still_a_forecast() -> None:
    example = Path(__file__).resolve().parents[1] / "docs" / "examples" / "11-cessation.yaml"
    args = ["forecast", str(example), "--estimate", "45000", "--as-of", "2026-09-15"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "Modulation (CSS R613-1-4 II) : impossible à cette date" in done.output
    # R613-1-5: after the cessation of April 2026 no income of 2027 is declared, even in a window reaching 2028
    late = forecast(load_scenario(example), date(2026, 12, 7), Decimal(45000))
    assert late.end == date(2028, 12, 7)
    assert not [p for p in late.payments if any(y >= 2027 for _, y, _ in p.parts)]
    assert not [c for c in late.calls if c.year >= 2027]


DECEMBER = date(2026, 12, 7)


def test_forecast_from_december_covers_24_months_with_estimated_parameters() -> None:
    # Issue 11: on 7 December 2026 (the law's parameters end on 31 December 2026) the forecast covers the whole
    # 24 months to December 2028 — provisional 2027 and 2028, the régularisation of 2026 declared in 2027 and that
    # of 2027 declared in 2028 — every figure of 2027 and 2028 computed with the 2026 parameters and flagged.
    result = forecast(loads_scenario(SCENARIO), DECEMBER, Decimal(60000), estimate_next=Decimal(70000))
    assert result.end == date(2028, 12, 7)
    assert (result.months[0].month, result.months[-1].month, len(result.months)) == ("2026-12", "2028-12", 25)
    assert [n for n in result.notes if n.startswith("parametres_")] == [
        "parametres_estimes:2027",
        "parametres_estimes:2028",
    ]
    assert not any(n.startswith("horizon_limite_par_la_loi") for n in result.notes)
    assert all(m.estimated for m in result.months[1:]) and not result.months[0].estimated
    # By hand, the 2026 parameters standing in (DESIGN §2 decision 6): provisional 2028 on the 2026 income of
    # 60,000 € (R613-5 I: N−2, declared in 2027) = the definitive 2026 contributions of the worked example,
    # 19,131 € (simulate 2026 total 19,270 − CFP 139), i.e. 12 × 1,594.25 €.
    january_2028 = next(p for p in result.payments if p.due_date == date(2028, 1, 5))
    assert january_2028.parts == (("provisional", 2028, Decimal("1594.25")),) and january_2028.estimated
    # The régularisation of 2027 (income 70,000 €, declared on the 2028 deadline) = its definitive contributions
    # with the 2026 parameters − the provisional 2027 called (19,131 € after the ajustement on the 2026 income),
    # called on July–December 2028, and the ajustement of 2028 the same 70,000 € brings.
    definitive_2027 = simulate({"year": 2026, "profession": "artisan", "income": 70000})
    expected = definitive_2027.total - definitive_2027.amount("formation_professionnelle") - 19131
    calls = {(c.kind, c.year): c for c in result.calls}
    regularisation = calls["regularisation", 2027]
    assert regularisation.amount == expected > 0 and regularisation.estimated
    assert (regularisation.first, regularisation.last) == (date(2028, 7, 5), date(2028, 12, 5))
    assert calls["ajustement", 2028].amount == expected and calls["ajustement", 2028].estimated
    assert not calls["regularisation", 2026].estimated  # the 2026 parameters are known
    in_2028 = sum((a for p in result.payments for k, y, a in p.parts if (k, y) == ("regularisation", 2027)), Decimal(0))
    assert in_2028 == expected


def test_cli_and_api_say_the_estimated_figures(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    runner = CliRunner()
    base = ["forecast", str(path), "--estimate", "60000", "--as-of", DECEMBER.isoformat()]
    table = runner.invoke(app, base)
    assert table.exit_code == 0, table.output
    assert "jusqu'au 07/12/2028" in table.output
    assert "2028-12 *" in table.output
    assert "montants 2028 estimés avec les paramètres 2026, recalculés en janvier" in table.output
    assert "montants 2027 estimés avec les paramètres 2026, recalculés en janvier" in table.output
    as_json = json.loads(runner.invoke(app, [*base, "--format", "json"]).output)
    assert as_json["end"] == "2028-12-07" and as_json["months"][-1]["month"] == "2028-12"
    assert "parametres_estimes:2028" in as_json["notes"]
    assert all(p["estimated"] for p in as_json["payments"] if any(x["year"] > 2026 for x in p["parts"]))
    assert "estimated" not in as_json["months"][0]

    from fastapi.testclient import TestClient

    from echeancier.api.app import Settings, create_app

    client = TestClient(create_app(Settings(rate_limit=0)))
    scenario = {
        "contributor": {"profession": "artisan", "activity_start": "2015-01-01"},
        "incomes": {"2024": 30000, "2025": 36000},
        "events": [{"date": "2026-05-20", "type": "declaration", "year": 2025, "income": 36000}],
        "years": [2026],
    }
    response = client.post("/v1/forecasts", json={"scenario": scenario, "as_of": "2026-12-07", "estimate": 60000})
    assert response.status_code == 200
    assert response.json() == as_json


def test_forecast_pdf_says_the_estimated_figures(tmp_path: Path) -> None:
    from echeancier.cli_forecast import forecast_pdf
    from tests.test_pdf import text_of

    result = forecast(loads_scenario(SCENARIO), DECEMBER, Decimal(60000))
    text = text_of(forecast_pdf(result, DECEMBER), tmp_path)
    assert "2028-12 *" in text  # every month of 2027 and 2028 marked
    assert "montants 2028 estimés avec les paramètres 2026, recalculés en janvier" in text
    assert "montants 2027 estimés avec les paramètres 2026, recalculés en janvier" in text
