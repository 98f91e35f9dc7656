"""The web page for the populations of issue #10: the département and its organism, the conjoint collaborateur, the
professions libérales réglementées and their section, the invalidity and age exemptions — the form's fields, the
errors next to them (the core's input layer, the same message as the API's), the results, the PDF, ICS and CSV."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import QueryParams

from echeancier import simulate
from echeancier.api import Settings, create_app
from echeancier.api.projection import scenario_for
from echeancier.api.web import read_form
from echeancier.contributions.professions_liberales import collected_elsewhere
from echeancier.kernel.fmt import format_euros
from echeancier.schedule.echeancier import build_echeancier
from echeancier.schedule.scenario import parse_scenario


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(rate_limit=0)), raise_server_exceptions=False)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u202f", " ").replace("\u00a0", " ").split())


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _row(html: str, table: str, key: str) -> str:
    """The text of the row of contribution `key` in the table of id `table`."""
    body = html.split(f'<table id="{table}">', 1)[1].split("</table>", 1)[0]
    match = re.search(rf'<tr data-key="{key}">(.*?)</tr>', body, re.S)
    assert match is not None, (table, key)
    return _text(match.group(1))


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(_plain(out.stdout).split())


def _credits(e: Any, year: int) -> Decimal:
    return sum((r.amount + r.imputed + r.on_instalments for r in e.refunds if r.year == year), Decimal(0))


FORM = {"profession": "artisan", "year": "2025", "income": "40 000", "department": "75"}


# --- the empty form ------------------------------------------------------------------------------------------


def test_the_form_offers_every_new_field_with_its_article(client: TestClient) -> None:
    html = client.get("/").text
    for field in ("department", "section", "conjoint_collaborateur", "pension_invalidite_mois"):
        assert f'<label for="{field}"' in html, field
    assert 'id="exoneration_age" name="exoneration_age" value="1"' in html
    assert '<option value="liberal_reglementee"' in html
    text = _text(html)
    # each help text cites its article
    for article in ("R613-6", "R641-1", "L651-1", "R642-2", "R652-34", "D633-19-2", "L662-1", "D621-4", "D635-2"):
        assert article in text, article
    # the five options of D633-19-2, numbered as the article numbers them
    for number in ("1°", "2°", "3°", "4°", "5°"):
        assert f"{number} " in text
    # the organism of each territory is named in its option (the page without JavaScript)
    assert "971 — Guadeloupe (Caisse générale de sécurité sociale de la Guadeloupe)" in text
    assert "976 — Mayotte (Caisse de sécurité sociale de Mayotte)" in text
    assert "Organisme de recouvrement : Urssaf Île-de-France" in text  # the default, Paris
    # the sections the engine does not compute are listed, and cannot be chosen
    assert re.search(r'<option value="carmf" disabled>CARMF — médecins \(pas encore calculée\)</option>', html)
    assert re.search(r'<option value="cavec">CAVEC', html)
    # the enhancement is a script of this package, loaded after the form
    src = re.search(r'<script src="([^"]+simulateur\.js)" defer></script>', html)
    assert src is not None
    script = client.get(src.group(1))
    assert script.status_code == 200 and "liberal_reglementee" in script.text and "data-organism" not in html[:100]


def test_without_javascript_every_field_is_there_and_none_is_disabled(client: TestClient) -> None:
    html = client.get("/").text
    form = html.split('<form method="get"', 1)[1].split("</form>", 1)[0]
    assert " hidden" not in form and re.search(r"<(input|select)[^>]* disabled", form) is None


# --- results -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "organism"),
    [
        ("971", "Caisse générale de sécurité sociale de la Guadeloupe"),
        ("974", "Caisse générale de sécurité sociale de La Réunion"),
        ("976", "Caisse de sécurité sociale de Mayotte"),
        ("2A", "Urssaf Corse"),
    ],
)
def test_department_gives_its_organism_and_its_rules(client: TestClient, code: str, organism: str) -> None:
    response = client.get("/", params={**FORM, "department": code})
    assert response.status_code == 200
    text = _text(response.text)
    expected = simulate({"year": 2025, "profession": "artisan", "income": 40000, "department": code})
    assert f"Total : {_plain(format_euros(expected.total))}" in text
    assert f"Recouvrées par : {organism}" in text and f"Échéances appelées par {organism}" in text
    assert f'<option value="{code}" data-organism="{organism}" selected>' in response.text


def test_conjoint_collaborateur_forfaitaire_is_its_own_block(client: TestClient) -> None:
    # D633-19-2 1°: a third of the PASS 2025, 47 100 / 3 = 15 700 €. Retraite de base 17,87 % → 2 805,59 → 2 806 €;
    # complémentaire 8,10 % → 1 271,70 → 1 272 €; invalidité-décès 1,30 % → 204,10 → 204 €; IJ on 40 % of the
    # PASS (18 840 €) at 0,50 % → 94,20 → 94 €: 4 376 €.
    params = {**FORM, "profession": "commercant", "conjoint_collaborateur": "forfaitaire"}
    response = client.get("/", params=params)
    html = response.text
    assert response.status_code == 200
    assert "15 700 €" in _text(html.split('id="conjoint"', 1)[1])
    assert _row(html, "cotisations-conjoint", "retraite_base").endswith("15 700 € 17,87 % 2 806 €")
    assert _row(html, "cotisations-conjoint", "retraite_complementaire").endswith("1 272 €")
    assert _row(html, "cotisations-conjoint", "invalidite_deces").endswith("204 €")
    assert _row(html, "cotisations-conjoint", "indemnites_journalieres").endswith("18 840 € 0,50 % 94 €")
    assert 'data-key="maladie_maternite"' not in html.split('id="cotisations-conjoint"', 1)[1].split("</table>")[0]
    text = _text(html)
    # the head's own lines (their CFP at the rate of a business with a conjoint collaborateur, C. trav. L6331-48)
    result = simulate(
        {"year": 2025, "profession": "commercant", "income": 40000, "conjoint_collaborateur": "forfaitaire"}
    )
    head = Decimal(sum(result.amounts))
    assert "celles de votre conjoint collaborateur : 4 376 €" in text
    assert f"Dont vos cotisations : {_plain(format_euros(head))}" in text
    assert f"Total : {_plain(format_euros(head + 4376))}" in text
    # each table totals its own lines
    tables = {
        name: html.split(f'<table id="{name}">', 1)[1].split("</table>", 1)[0]
        for name in ("cotisations", "cotisations-conjoint")
    }
    assert _text(tables["cotisations"].split("<tfoot>")[1]) == f"Total {_plain(format_euros(head))}"
    assert _text(tables["cotisations-conjoint"].split("<tfoot>")[1]) == "Total 4 376 €"
    # the échéancier calls the conjoint's part at the same due dates, in a column of its own
    assert "dont conjoint collaborateur" in text and "provisionnelles du conjoint collaborateur 2025" in text
    assert "Conjoint collaborateur 2025 : la part des cotisations provisionnelles 2025" in text


@pytest.mark.parametrize(
    "situation",
    [
        {"profession": "artisan", "conjoint_collaborateur": "tiers_avec_partage"},
        {"profession": "liberal", "conjoint_collaborateur": "moitie_sans_partage", "department": "972"},
        {"profession": "commercant", "pension_invalidite_mois": 6},
        {"profession": "artisan", "exoneration_age": True},
        {"profession": "liberal_reglementee", "section": "cipav"},
        {"profession": "liberal_reglementee", "section": "cavec"},
        {"profession": "liberal_reglementee", "section": "cnbf"},
        {"profession": "artisan", "department": "976"},
    ],
)
def test_the_page_echeancier_settles_the_simulated_year(client: TestClient, situation: dict[str, Any]) -> None:
    # The form's situation reaches the échéancier whole: once the 2025 income is declared, what the échéancier
    # calls for 2025, less what it credits back, is the simulated total (the conjoint's included) less what a
    # section collects itself (CSS R642-2, R652-34).
    full = {"year": 2025, "income": 40000, **situation}
    result = simulate(full)
    params = {**FORM, **{k: ("1" if v is True else str(v)) for k, v in situation.items()}}
    form = read_form(QueryParams(params))
    assert form.situation is not None
    assert simulate(form.situation).total == result.total
    e = build_echeancier(parse_scenario(scenario_for(result, result.situation.department or "75")[0]))
    elsewhere = collected_elsewhere(result.amounts, situation["section"]) if "section" in situation else 0
    assert e.year_total(2025) - _credits(e, 2025) == result.total - elsewhere
    response = client.get("/", params=params)
    assert response.status_code == 200
    assert f"Total : {_plain(format_euros(result.total))}" in _text(response.text)


def test_section_lines_name_who_collects_them(client: TestClient) -> None:
    # 60 000 € of gross income, 44 400 € of assiette (26 % abatement): class 3 of the CAVEC's complémentaire
    # (32 350 € to 44 790 €), a fixed 4 629 €
    cavec = {**FORM, "income": "60 000", "profession": "liberal_reglementee", "section": "cavec"}
    html = client.get("/", params=cavec).text
    assert "section CAVEC" in _text(html) and '<th scope="col">Recouvrée par</th>' in html
    assert _row(html, "cotisations", "retraite_base").endswith("CAVEC, pour la CNAVPL")
    assert _row(html, "cotisations", "retraite_complementaire").endswith("montant fixe 4 629 € CAVEC")
    assert _row(html, "cotisations", "maladie_maternite").endswith("Urssaf")
    text = _text(html)
    assert "Retraite complémentaire : recouvrée par la CAVEC." in text
    assert "sont appelées par la section selon ses statuts et n'y figurent pas (CSS R613-1, R642-2)" in text
    assert "et par votre section professionnelle pour ce que le tableau indique" in text
    # the échéancier says under its title that it calls only the Urssaf's part
    note = re.search(r'<p id="recouvrement-section">([^<]+)</p>', html)
    assert note is not None and "n'y figurent pas" in unescape(note.group(1))
    cipav = client.get("/", params={**FORM, "profession": "liberal_reglementee", "section": "cipav"}).text
    assert _row(cipav, "cotisations", "retraite_complementaire").endswith("Urssaf, pour la Cipav")
    # the Urssaf collects every line of a Cipav member: no other collector is named
    assert "et par votre section" not in cipav and "Recouvrées par : Urssaf Île-de-France" in _text(cipav)


def test_exemption_notes_are_next_to_their_line(client: TestClient) -> None:
    html = client.get("/", params={**FORM, "profession": "commercant", "pension_invalidite_mois": "6"}).text
    for key, article in (("maladie_maternite", "D621-4"), ("indemnites_journalieres", "D621-4")):
        assert re.search(rf"exonération invalidité de [\d ]+ € \(CSS {article}\)", _row(html, "cotisations", key))
    assert "exonération invalidité" in _row(html, "cotisations", "retraite_complementaire")
    assert "Pension d'invalidité (6 mois sur 12)" in _text(html)
    age = client.get("/", params={**FORM, "exoneration_age": "1"}).text
    assert "exonération liée à l'âge" in _row(age, "cotisations", "invalidite_deces")
    assert _row(age, "cotisations", "invalidite_deces").endswith(" 0 €")
    # the échéancier's activity is supposed old enough to have kept the exemption, and the page says so
    assert "Activité supposée commencée le 01/01/2015" in _text(age)


# --- errors --------------------------------------------------------------------------------------------------

HOSTILE = [
    ({"section": "cipav"}, "section", "ne s'applique qu'à la profession liberal_reglementee"),
    ({"profession": "liberal_reglementee"}, "section", "est obligatoire pour une profession libérale réglementée"),
    ({"profession": "liberal_reglementee", "section": "carpv"}, "section", "carpv n'est pas encore calculée"),
    ({"profession": "liberal_reglementee", "section": "<script>alert(1)</script>"}, "section", "doit être l'une"),
    ({"profession": "liberal_reglementee", "section": "cipav", "department": "971"}, "department", "métropole"),
    ({"conjoint_collaborateur": "tout"}, "conjoint_collaborateur", "doit être forfaitaire, tiers_sans_partage"),
    (
        {"profession": "liberal_reglementee", "section": "cipav", "conjoint_collaborateur": "forfaitaire"},
        "conjoint_collaborateur",
        "profession libérale réglementée",
    ),
    ({"pension_invalidite_mois": "13"}, "pension_invalidite_mois", "entre 0 et 12"),
    ({"pension_invalidite_mois": "-1"}, "pension_invalidite_mois", "entre 0 et 12"),
    ({"pension_invalidite_mois": "3.5"}, "pension_invalidite_mois", "doit être un nombre entier"),
    ({"pension_invalidite_mois": "9" * 40}, "pension_invalidite_mois", "doit être un nombre entier"),
    ({"pension_invalidite_mois": "six"}, "pension_invalidite_mois", "doit être un nombre entier"),
    (
        {"pension_invalidite_mois": "3", "acre": "1", "start_date": "2025-03-01"},
        "pension_invalidite_mois",
        "ACRE",
    ),
    ({"pension_invalidite_mois": "3", "conjoint_collaborateur": "forfaitaire"}, "conjoint_collaborateur", "invalidité"),
    ({"exoneration_age": "1", "profession": "liberal"}, "exoneration_age", "artisans et les commerçants"),
    ({"exoneration_age": "1", "start_date": "2020-06-01"}, "exoneration_age", "commencée le 2020-06-01"),
    ({"exoneration_age": "yes"}, "exoneration_age", "case à cocher"),
    ({"department": "99"}, "department", "99"),
    ({"department": "20"}, "department", "2A"),
    ({"department": "<img src=x onerror=alert(1)>"}, "department", "n'est pas"),
    ({"department": "9" * 300}, "department", "n'est pas"),
]


@pytest.mark.parametrize(("params", "field", "message"), HOSTILE)
def test_a_refused_value_is_shown_next_to_its_field(
    client: TestClient, params: dict[str, str], field: str, message: str
) -> None:
    response = client.get("/", params={**FORM, **params})
    html = response.text
    assert response.status_code == 422
    shown = re.search(rf'<small class="field-error" id="erreur-{field}">([^<]*)</small>', html)
    assert shown is not None, html[html.find('role="alert"') :][:400]
    assert message in _plain(unescape(shown.group(1)))
    # the input says it is invalid, and is described by its message
    assert re.search(rf'id="{field}"[^>]* aria-invalid="true" aria-describedby="erreur-{field}', html)
    assert f'<a href="#{field}">corriger</a>' in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert client.get("/telechargements/simulation.pdf", params={**FORM, **params}).status_code == 422


@pytest.mark.parametrize(("params", "field", "message"), [case for case in HOSTILE if case[1] != "exoneration_age"])
def test_the_page_and_the_api_give_the_same_message(
    client: TestClient, params: dict[str, str], field: str, message: str
) -> None:
    # One input layer: what the form sends to the core, posted to the API as JSON, is refused with the same field
    # and the same message (the page shows the message, the API's body has it).
    form = read_form(QueryParams({**FORM, **params}))
    assert form.situation is not None
    api = client.post("/v1/simulations", json=form.situation)
    assert api.status_code == 422
    error = api.json()["error"]
    page = client.get("/", params={**FORM, **params}).text
    shown = re.search(rf'<small class="field-error" id="erreur-{error["field"]}">([^<]*)</small>', page)
    assert error["field"] == field and shown is not None
    assert unescape(shown.group(1)) == error["message"]


def test_a_refused_value_is_typed_back_escaped(client: TestClient) -> None:
    html = client.get("/", params={**FORM, "section": '"><script>x</script>'}).text
    assert "<script>x" not in html


# --- documents -----------------------------------------------------------------------------------------------


def test_simulation_pdf_of_a_conjoint_and_a_section(client: TestClient, tmp_path: Path) -> None:
    pdf = client.get("/telechargements/simulation.pdf", params={**FORM, "conjoint_collaborateur": "forfaitaire"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = _pdf_text(pdf.content, tmp_path)
    assert "Urssaf Île-de-France" in text  # the organism of the form's département, not the server's default
    assert "Cotisations de votre conjoint collaborateur" in text
    assert "Conjoint : retraite de base 15 700 € 17,87 % 2 806 €" in text
    assert "Conjoint : invalidité-décès 15 700 € 1,30 % 204 €" in text
    assert "conjoint : 4 376 €" in text
    section = client.get(
        "/telechargements/simulation.pdf",
        params={**FORM, "income": "60 000", "profession": "liberal_reglementee", "section": "cavec"},
    )
    text = _pdf_text(section.content, tmp_path)
    assert "Activité : profession libérale réglementée (section CAVEC)" in text
    assert "Recouvrée par" in text and "CAVEC, pour la CNAVPL" in text
    assert "montant fixe 4 629 €" in text and "Retraite complémentaire : recouvrée par la CAVEC." in text


def test_schedule_pdf_names_the_conjoint_the_section_and_the_exemptions(client: TestClient, tmp_path: Path) -> None:
    conjoint = client.get(
        "/telechargements/echeancier.pdf",
        params={**FORM, "department": "974", "conjoint_collaborateur": "tiers_sans_partage"},
    )
    text = _pdf_text(conjoint.content, tmp_path)
    assert "Caisse générale de sécurité sociale de La Réunion" in text
    assert "Conjoint collaborateur : assiette 2° un tiers de votre revenu, sans partage (CSS L662-1, D633-19-2)" in text
    assert "Conjoint collaborateur 2025 : la part des cotisations provisionnelles 2025" in text
    assert "provisionnelles du conjoint collaborateur 2025 :" in text
    section = client.get(
        "/telechargements/echeancier.pdf", params={**FORM, "profession": "liberal_reglementee", "section": "cnbf"}
    )
    text = _pdf_text(section.content, tmp_path)
    assert "profession libérale réglementée (section CNBF)" in text
    assert "recouvrée par la CNBF" in text and "R652-34" in text
    invalid = client.get(
        "/telechargements/echeancier.pdf", params={**FORM, "pension_invalidite_mois": "4", "exoneration_age": "1"}
    )
    text = _pdf_text(invalid.content, tmp_path)
    assert "Pension d'invalidité : 4 mois par an, exonération au prorata (CSS D621-4, D635-2)" in text
    assert "Exonération de la cotisation invalidité-décès liée à l'âge" in text


def test_calendar_and_csv_carry_the_conjoint_and_the_section(client: TestClient) -> None:
    ics = client.get("/telechargements/echeancier.ics", params={**FORM, "conjoint_collaborateur": "forfaitaire"})
    unfolded = ics.text.replace("\r\n ", "")
    assert "provisionnelles du conjoint collaborateur 2025" in unfolded
    csv = client.get("/telechargements/echeancier.csv", params={**FORM, "conjoint_collaborateur": "forfaitaire"})
    assert ";provisionnelles du conjoint collaborateur;2025;" in csv.text
    cavec = client.get(
        "/telechargements/echeancier.ics", params={**FORM, "profession": "liberal_reglementee", "section": "cavec"}
    )
    unfolded = cavec.text.replace("\r\n ", "")
    events = unfolded.count("BEGIN:VEVENT")
    assert events > 0 and unfolded.count("Recouvrement : Profession libérale réglementée (section CAVEC)") == events


# --- any combination -----------------------------------------------------------------------------------------

_CHOICES = {
    "profession": st.sampled_from(["artisan", "commercant", "liberal", "liberal_reglementee", "", "x"]),
    "year": st.sampled_from(["2023", "2024", "2025", "2026", "2019", ""]),
    "income": st.sampled_from(["0", "-5000", "12 000", "40 000", "250 000,50", "1e9"]),
    "department": st.sampled_from(["75", "2A", "971", "973", "974", "976", "977", "978", "20", ""]),
    "section": st.sampled_from(["", "cipav", "cavec", "cnbf", "carmf", "CIPAV"]),
    "conjoint_collaborateur": st.sampled_from(["", "forfaitaire", "tiers_sans_partage", "moitie_avec_partage", "1"]),
    "pension_invalidite_mois": st.sampled_from(["", "0", "1", "12", "13", "x"]),
    "exoneration_age": st.sampled_from(["", "1", "on"]),
    "acre": st.sampled_from(["", "1"]),
    "rsa": st.sampled_from(["", "1"]),
    "start_date": st.sampled_from(["", "2010-05-01", "2024-07-01", "2025-03-01", "2026-13-01"]),
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries(_CHOICES))
def test_any_combination_is_a_result_or_a_message_next_to_its_field(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/", params=params)
    if response.status_code == 200:
        form = read_form(QueryParams(params))
        assert form.situation is not None
        assert f"Total : {_plain(format_euros(simulate(form.situation).total))}" in _text(response.text)
        return
    assert response.status_code == 422, response.text[:300]
    errors = re.findall(r'<small class="field-error" id="erreur-([a-z_]+)">', response.text)
    summary = re.findall(r"<li>([^<]+) : ", response.text.split('id="erreurs"', 1)[1].split("</ul>", 1)[0])
    assert summary and (errors or summary == ["Situation"]), summary
