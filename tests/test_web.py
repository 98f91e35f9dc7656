"""The web page (issue #8): the form → scenario translation, the page's figures, the downloads, the chart."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from echeancier import simulate
from echeancier.api import Settings, create_app
from echeancier.api.chart import schedule_svg
from echeancier.api.projection import scenario_for
from echeancier.kernel.fmt import format_euros
from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.scenario import parse_scenario


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u202f", " ").replace("\u00a0", " ").split())


def _credits(e: Any, year: int) -> Decimal:
    return sum((r.amount + r.imputed + r.on_instalments for r in e.refunds if r.year == year), Decimal(0))


# --- scenario_for --------------------------------------------------------------------------------------------


def test_steady_activity_declares_the_year_in_the_next_spring() -> None:
    result = simulate({"year": 2025, "profession": "artisan", "income": 40000, "department": "974"})
    document, notes = scenario_for(result, "974")
    assert document["contributor"]["activity_start"] == "2020-01-01"
    assert document["contributor"]["department"] == "974"
    # 2023 and 2024 are before the reform: the same assiette sociale, as revenu professionnel
    assert document["incomes"] == {"2025": "40000", "2023": "29600", "2024": "29600"}
    assert document["events"] == [{"date": "2026-05-20", "type": "declaration", "year": 2025}]
    assert document["years"] == [2025, 2026]
    assert any("déclaré le 20/05/2026" in note for note in notes)
    e = build_echeancier(parse_scenario(document))
    # the declaration settles 2025 on the simulated amounts: provisional called + régularisation − credit = total
    assert e.year_total(2025) - _credits(e, 2025) == result.total
    assert {p.kind for i in e.instalments for p in i.parts} >= {"provisional", "cfp"}


def test_creation_with_acre_and_modulation() -> None:
    result = simulate(
        {"year": 2025, "profession": "commercant", "income": 30000, "start_date": date(2025, 3, 1), "acre": True}
    )
    document, notes = scenario_for(result, estimated_income=Decimal(15000))
    assert document["contributor"]["activity_start"] == "2025-03-01" and document["contributor"]["acre"] is True
    assert document["incomes"] == {"2025": "30000"}
    assert document["events"][0] == {"date": "2025-03-01", "type": "modulation", "estimated_income": "15000"}
    assert "Modulation demandée le 01/03/2025" in notes[0]
    e = build_echeancier(parse_scenario(document))
    assert e.year_total(2025) - _credits(e, 2025) == result.total  # whatever was modulated, 2025 is settled exactly
    assert e.instalments[0].due_date >= date(2025, 5, 30)  # no due date within 90 days of the start (R613-4)


def test_the_last_year_of_the_law_has_no_declaration_yet() -> None:
    result = simulate({"year": 2026, "profession": "liberal", "income": 50000})
    document, notes = scenario_for(result)
    assert [e["type"] for e in document["events"]] == []
    assert document["years"] == [2026, 2027]
    assert any("régularisation 2026 sera calculée" in note for note in notes)
    build_echeancier(parse_scenario(document))


def test_net_income_and_cessation() -> None:
    result = simulate(
        {"year": 2024, "profession": "artisan", "income": 20000, "income_is_net": True, "end_date": date(2024, 9, 30)}
    )
    document, _ = scenario_for(result)
    assert Decimal(document["incomes"]["2024"]) == result.income > 20000  # the solved gross income
    assert {"date": "2024-09-30", "type": "cessation"} in document["events"]
    build_echeancier(parse_scenario(document))


# --- the page ------------------------------------------------------------------------------------------------

FORM = {"profession": "artisan", "year": "2025", "income": "40 000", "department": "75"}


def test_empty_page_is_the_form_in_french(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and '<html lang="fr"' in response.text
    for field in ("profession", "year", "income", "start_date", "estimated_income", "department"):
        assert f'<label for="{field}"' in response.text, field
    assert "https://" not in response.text.split("<footer")[0]  # nothing loaded from elsewhere
    assert client.get("/static/pico.min.css").status_code == 200


def test_result_lines_total_and_echeancier(client: TestClient) -> None:
    response = client.get("/", params=FORM)
    text = _text(response.text)
    assert "Total : 12 454 €" in text
    assert "Retraite de base 29 600 € × 17,87 %" in text and "CSS D633-2, D633-3" in text
    assert "(régularisation 2025)" in text and "<svg" in response.text and 'role="img"' in response.text
    assert "20/05/2026" in text
    links = re.findall(r'href="(/telechargements/[^"]+)"', response.text)
    assert len(links) == 4
    for link in links:
        download = client.get(unescape(link))
        assert download.status_code == 200, link
        assert "attachment" in download.headers["content-disposition"]
    pdf = client.get(unescape(links[0]))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_net_income_and_what_if(client: TestClient) -> None:
    response = client.get("/", params={**FORM, "income_is_net": "1", "estimated_income": "10000"})
    assert response.status_code == 200
    assert "Modulation demandée le 15/01/2025" in _text(response.text)


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"income": "beaucoup"}, "Revenu"),
        ({"year": "dix"}, "Année des revenus"),
        ({"start_date": "hier"}, "Date de création"),
        ({"department": "99"}, "Département"),
        ({"acre": "1"}, "ACRE"),
        ({"estimated_income": "x"}, "Revenu estimé"),
        ({"profession": "<script>"}, "Activité"),
    ],
)
def test_form_errors_are_shown_with_their_label(client: TestClient, params: dict[str, Any], label: str) -> None:
    response = client.get("/", params={**FORM, **params})
    assert response.status_code == 422
    assert f"<li>{label} :" in response.text and 'role="alert"' in response.text
    assert "<script>" not in response.text
    assert client.get("/telechargements/echeancier.pdf", params={**FORM, **params}).status_code == 422


@pytest.mark.parametrize(
    ("params", "french"),
    [
        ({"income": "beaucoup"}, "Revenu : doit être un montant en euros"),
        ({"income": "1e12"}, "Revenu : la notation scientifique n'est pas admise"),
        ({"income": "2000000000"}, "Revenu : "),
        ({"acre": "1"}, "ACRE : l'ACRE demande la date de début d'activité"),
        ({"start_date": "2026-02-01"}, "Date de création : 2026-02-01 est après l'année de revenus 2025"),
        ({"year": "2019"}, "Année des revenus : 2019 n'est pas couverte par les paramètres de la loi (2023–2026)"),
    ],
)
def test_form_errors_are_in_french(client: TestClient, params: dict[str, Any], french: str) -> None:
    assert french in _text(client.get("/", params={**FORM, **params}).text)


def test_unknown_download_is_404(client: TestClient) -> None:
    assert client.get("/telechargements/secret.txt", params=FORM).status_code == 404


def test_chart_bars_follow_the_instalments() -> None:
    # a creation: the flat-rate provisional contributions, then the shock of the régularisation in 2026
    result = simulate({"year": 2025, "profession": "artisan", "income": 40000, "start_date": date(2025, 3, 1)})
    e = build_echeancier(parse_scenario(scenario_for(result)[0]))
    svg = str(schedule_svg(e))
    bars = re.findall(r"<rect [^>]*><title>([^<]+)</title></rect>", svg)
    assert len(bars) == sum(1 for i in e.instalments for p in i.parts if p.amount > 0)
    assert any("régularisation 2025" in bar for bar in bars)
    assert format_euros(max(i.amount for i in e.instalments), cents=True) in unescape(svg)


def test_the_form_takes_a_cessation_date(client: TestClient) -> None:
    """A cessation on 30 June 2025: the year's contributions on the income of those six months (the engine's, with
    `end_date`), no provisional instalment after June, the year regularised on the declaration of the last
    incomes (R613-1-5); a date outside the year or not a date is refused in French next to the field."""
    response = client.get("/", params={**FORM, "end_date": "2025-06-30"})
    assert response.status_code == 200 and 'id="end_date" name="end_date" type="date" value="2025-06-30"' in (
        response.text
    )
    ceased = simulate({"profession": "artisan", "year": 2025, "income": 40000, "end_date": date(2025, 6, 30)})
    expected = build_echeancier(parse_scenario(scenario_for(ceased, "75")[0]))
    text = _text(response.text)
    assert f"Total : {format_euros(ceased.total)}".replace("\u202f", " ").replace("\u00a0", " ") in text
    assert ceased.total != simulate({"profession": "artisan", "year": 2025, "income": 40000}).total
    shown = re.findall(r"<tr><td>(\d\d/\d\d/\d{4})</td>", response.text)
    assert shown == [i.due_date.strftime("%d/%m/%Y") for i in expected.instalments]
    assert "05/07/2025" not in shown and shown[-1] == "04/07/2026"  # the regularisation of 2025
    for end_date, says in (
        ("2024-06-30", "Date de cessation : 2024-06-30 n'est pas dans l'année de revenus 2025"),
        ("demain", "Date de cessation : doit être une date AAAA-MM-JJ (reçu 'demain')"),
    ):
        refused = client.get("/", params={**FORM, "end_date": end_date})
        assert refused.status_code == 422 and says in _text(refused.text)
        assert 'aria-describedby="erreur-end_date aide-cessation"' in refused.text


def test_the_page_lists_the_conjoint_collaborateur_s_own_rights(client: TestClient) -> None:
    """With a conjoint collaborateur, 'Vos droits' lists their own rights (CSS L662-1) after the head's, each line
    saying whose they are, as the engine's rights give them."""
    params = {**FORM, "conjoint_collaborateur": "tiers_sans_partage"}
    text = _text(client.get("/", params=params).text)
    rights = simulate(
        {
            "profession": "artisan",
            "year": 2025,
            "income": 40000,
            **{k: params[k] for k in ("department", "conjoint_collaborateur")},
        }
    ).rights.conjoint
    assert rights is not None
    mine = text.split("Vos droits")[1]
    assert "Conjoint collaborateur (droits propres), retraite de base : 4 trimestres validés sur 4" in mine
    assert "Conjoint collaborateur (droits propres), retraite complémentaire" in mine
    daily = format_euros(rights.ij_montant_journalier, cents=True).replace("\u202f", " ").replace("\u00a0", " ")
    assert f"Conjoint collaborateur (droits propres), indemnités journalières maladie : {daily} par jour" in mine
    assert "droits propres" not in _text(client.get("/", params=FORM).text)
