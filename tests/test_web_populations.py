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
CARMF = {"profession": "liberal_reglementee", "section": "carmf", "secteur": "1"}
DEBUT_OM = {"department": "971", "start_date": "2025-03-01", "exoneration_debut_outre_mer": "1"}


# --- the empty form ------------------------------------------------------------------------------------------


def test_the_form_offers_every_new_field_with_its_article(client: TestClient) -> None:
    html = client.get("/").text
    for field in ("department", "section", "conjoint_collaborateur", "pension_invalidite_mois"):
        assert f'<label for="{field}"' in html, field
    for field in ("secteur", "metier", "classe_cnbf"):
        assert f'<label for="{field}"' in html and f'<select id="{field}" name="{field}"' in html, field
    for field in ("exoneration_age", "remplacant", "exoneration_debut_outre_mer"):
        assert f'id="{field}" name="{field}" value="1"' in html, field
    assert '<option value="liberal_reglementee"' in html
    text = _text(html)
    # each help text cites its article
    for article in ("R613-6", "R641-1", "L651-1", "R642-2", "R652-34", "D633-19-2", "L662-1", "D621-4", "D635-2"):
        assert article in text, article
    # and those of the health sections', the CNBF's class and the overseas start exemption
    for article in ("L162-5", "L162-9", "L162-14-1", "L645-1", "CSP L4031-4", "L756-2", "D756-4"):
        assert article in text, article
    for option in ("Secteur 1 (tarifs conventionnels)", "Non conventionné", "Sage-femme", "Classe 2+"):
        assert option in text, option
    # the five options of D633-19-2, numbered as the article numbers them
    for number in ("1°", "2°", "3°", "4°", "5°"):
        assert f"{number} " in text
    # the organism of each territory is named in its option (the page without JavaScript)
    assert "971 — Guadeloupe (Caisse générale de sécurité sociale de la Guadeloupe)" in text
    assert "976 — Mayotte (Caisse de sécurité sociale de Mayotte)" in text
    assert "Organisme de recouvrement : Urssaf Île-de-France" in text  # the default, Paris
    # the sections the engine does not compute are listed, and cannot be chosen; the health sections can
    assert re.search(r'<option value="carpv" disabled>CARPV — vétérinaires \(pas encore calculée\)</option>', html)
    for code in ("cavec", "carmf", "carpimko", "carcdsf", "cavp"):
        assert re.search(rf'<option value="{code}">', html), code
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
        {"profession": "liberal_reglementee", "section": "carmf", "secteur": "1"},
        {"profession": "liberal_reglementee", "section": "carmf", "secteur": "2", "remplacant": True},
        {"profession": "liberal_reglementee", "section": "carcdsf", "metier": "chirurgien_dentiste"},
        {"profession": "liberal_reglementee", "section": "carpimko"},
        {"profession": "liberal_reglementee", "section": "cavp"},
        {"profession": "liberal_reglementee", "section": "cnbf", "classe_cnbf": "2+"},
        {"profession": "artisan", "department": "972", "start_date": "2024-09-01", "exoneration_debut_outre_mer": True},
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
    elsewhere = (
        collected_elsewhere(result.amounts, situation["section"], extras=result.section_amounts)
        if "section" in situation
        else 0
    )
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


def test_health_section_contributions_are_their_own_table(client: TestClient) -> None:
    # A médecin of secteur 1, 80 000 € of revenu brut in 2025: assiette sociale 80 000 × 74 % = 59 200 €.
    # PCV (CSS L645-1 to L645-5): forfait 5 556 € + 3,80 % × 59 200 € (2 249,60 €) = 7 805,60 €, of which the
    # assurance maladie pays two thirds, 5 203,73 €: 2 601,87 → 2 602 €, collected by the CARMF.
    # CURPS (CSP L4031-4): 0,50 % × 59 200 € = 296 €, capped at 0,5 % of the PASS (47 100 €): 235,50 → 236 €.
    # Contribution additionnelle: 3,25 % of the income outside the CPAM's base, none here (law-choices 301).
    html = client.get("/", params={**FORM, **CARMF, "income": "80 000"}).text
    assert _row(html, "cotisations-section", "pcv").endswith("59 200 € 3,80 % 2 602 € CARMF")
    assert "forfait de 5 556 €" in _row(html, "cotisations-section", "pcv")
    assert "participation de l'assurance maladie : -5 203,73 €" in _row(html, "cotisations-section", "pcv")
    curps = _row(html, "cotisations-section", "curps")
    assert curps.endswith("59 200 € 0,50 % 236 € Urssaf") and "montant plafonné à 235,50 € (CSP D4031-45)" in curps
    assert _row(html, "cotisations-section", "contribution_maladie_additionnelle").endswith("0 € 3,25 % 0 € Urssaf")
    section = html.split('<table id="cotisations-section">', 1)[1].split("</table>", 1)[0]
    assert _text(section.split("<tfoot>")[1]) == "Total 2 838 €"
    result = simulate(
        {"year": 2025, "profession": "liberal_reglementee", "section": "carmf", "secteur": 1, "income": 80000}
    )
    assert sum(result.section_amounts) == 2838
    head = Decimal(sum(result.amounts))
    main = html.split('<table id="cotisations">', 1)[1].split("</table>", 1)[0]
    assert _text(main.split("<tfoot>")[1]) == f"Total {_plain(format_euros(head))}"
    text = _text(html)
    assert f"Total : {_plain(format_euros(head + 2838))}" in text
    assert f"Vos cotisations : {_plain(format_euros(head))} ; ces contributions : 2 838 €" in text
    assert "Prestations complémentaires de vieillesse (PCV) : recouvrées par la CARMF." in text
    assert "section CARMF" in text
    # a médecin not conventionné owes none of them: no such table
    free = client.get("/", params={**FORM, **CARMF, "secteur": "non_conventionne"}).text
    assert 'id="cotisations-section"' not in free


@pytest.mark.parametrize(
    "choice",
    [
        {"section": "carmf", "secteur": "2"},
        {"section": "carmf", "secteur": "1", "remplacant": "1"},
        {"section": "carcdsf", "metier": "chirurgien_dentiste"},
        {"section": "carcdsf", "metier": "sage_femme", "remplacant": "1"},
        {"section": "carpimko", "remplacant": "1"},
        {"section": "cavp"},
        {"section": "cnbf", "classe_cnbf": "1"},
        {"section": "cnbf", "classe_cnbf": "2"},
        {"section": "cnbf", "classe_cnbf": "2+"},
    ],
)
def test_each_choice_gives_the_core_s_total(client: TestClient, choice: dict[str, str]) -> None:
    situation: dict[str, Any] = {"year": 2025, "profession": "liberal_reglementee", "income": 70000, **choice}
    if "remplacant" in situation:
        situation["remplacant"] = True
    result = simulate(situation)
    response = client.get("/", params={**FORM, "income": "70 000", "profession": "liberal_reglementee", **choice})
    assert response.status_code == 200
    html = response.text
    assert f"Total : {_plain(format_euros(result.total))}" in _text(html)
    for line in result.section_lines:
        assert _row(html, "cotisations-section", line.key).endswith(
            f"{_plain(format_euros(line.amount))} {line.collected_by}"
        )
    if choice.get("remplacant"):
        assert _row(html, "cotisations-section", "curps").endswith(" 0 € Urssaf")  # no CURPS (CSP L4031-4)
    complementaire = _plain(format_euros(result.line("retraite_complementaire").amount))
    assert complementaire in _row(html, "cotisations", "retraite_complementaire")
    # the value chosen is shown back, selected
    for name, value in choice.items():
        if name != "remplacant":
            assert f'<option value="{value}" selected>' in html.split(f'id="{name}"', 1)[1], name
        else:
            assert 'id="remplacant" name="remplacant" value="1" checked' in html


def test_the_cnbf_class_changes_the_complementaire(client: TestClient) -> None:
    # An avocat's 70 000 € of revenu professionnel in 2024, in the CNBF's tranches of 42 507 €:
    # class 1: 42 507 × 5 % + 27 493 × 9,60 % = 2 125,35 + 2 639,33 = 4 764,68 → 4 765 €;
    # class 2: 42 507 × 5,50 % + 27 493 × 10,60 % = 2 337,89 + 2 914,26 = 5 252,14 → 5 252 €;
    # class 2+ (the class 3 of 2024): 42 507 × 6 % + 27 493 × 11,60 % = 2 550,42 + 3 189,19 = 5 739,61 → 5 740 €.
    params = {**FORM, "year": "2024", "income": "70 000", "profession": "liberal_reglementee", "section": "cnbf"}
    expected = {"1": "4 765 €", "2": "5 252 €", "2+": "5 740 €"}
    for classe, amount in expected.items():
        html = client.get("/", params={**params, "classe_cnbf": classe}).text
        row = _row(html, "cotisations", "retraite_complementaire")
        assert row.endswith(f"{amount} CNBF"), (classe, row)
        result = simulate(
            {
                "year": 2024,
                "profession": "liberal_reglementee",
                "section": "cnbf",
                "income": 70000,
                "classe_cnbf": classe,
            }
        )
        assert f"Total : {_plain(format_euros(result.total))}" in _text(html)
    # no class given: the class 1 (law-choices 313)
    default = client.get("/", params=params).text
    assert _row(default, "cotisations", "retraite_complementaire").endswith("4 765 € CNBF")


def test_overseas_start_exemption_is_next_to_each_line(client: TestClient) -> None:
    # An artisan created in Guadeloupe on 1 March 2025, 30 000 € of revenu brut: assiette 22 200 € (26 % off),
    # under 110 % of the prorated PASS, so every contribution but the retraite complémentaire and the CFP is wholly
    # exempted (CSS L756-2, D756-4): maladie 22 200 × 8,50 % = 1 887 € exempted; retraite complémentaire
    # 22 200 × 8,10 % = 1 798,20 → 1 798 €; CFP 47 100 × 0,29 % = 136,59 → 137 €: 1 935 €.
    params = {**FORM, **DEBUT_OM, "income": "30 000"}
    response = client.get("/", params=params)
    html = response.text
    assert response.status_code == 200
    maladie = _row(html, "cotisations", "maladie_maternite")
    assert "exonération de début d'activité outre-mer de 1 887 € (CSS L756-2, D756-4)" in maladie
    assert maladie.endswith("22 200 € 8,50 % 0 €")
    for key in ("indemnites_journalieres", "retraite_base", "invalidite_deces", "allocations_familiales", "csg_crds"):
        assert "exonération de début d'activité outre-mer de " in _row(html, "cotisations", key), key
        assert _row(html, "cotisations", key).endswith(" 0 €"), key
    assert _row(html, "cotisations", "retraite_complementaire").endswith("22 200 € 8,10 % 1 798 €")
    assert "exonération" not in _row(html, "cotisations", "retraite_complementaire")
    text = _text(html)
    assert "Total : 1 935 €" in text
    situation = {"year": 2025, "profession": "artisan", "income": 30000, "department": "971"}
    exempted = simulate({**situation, "start_date": "2025-03-01", "exoneration_debut_outre_mer": True})
    assert exempted.total == 1935
    assert "l'exonération de début d'activité (CSS L756-2, D756-4) est calculée" in text
    assert 'id="exoneration_debut_outre_mer" name="exoneration_debut_outre_mer" value="1" checked' in html
    # the échéancier calls the exempted amounts: its 2025, once declared, is the simulated total
    assert "Caisse générale de sécurité sociale de la Guadeloupe" in text and 'id="titre-echeancier"' in html


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
    # a health section's secteur and métier, a remplaçant, the CNBF's class (contributions/situation.py check_health)
    ({**CARMF, "secteur": ""}, "secteur", "est obligatoire pour un médecin (section carmf)"),
    ({**CARMF, "secteur": "3"}, "secteur", "doit être 1, 2, non_conventionne (reçu '3')"),
    ({**CARMF, "secteur": "secteur 1"}, "secteur", "doit être 1, 2, non_conventionne"),
    ({**CARMF, "secteur": "<script>alert(1)</script>"}, "secteur", "doit être 1, 2, non_conventionne"),
    ({**CARMF, "secteur": "9" * 300}, "secteur", "doit être 1, 2, non_conventionne"),
    ({"secteur": "1"}, "secteur", "ne s'applique qu'à la section carmf"),
    ({"profession": "liberal_reglementee", "section": "cipav", "secteur": "2"}, "secteur", "section carmf"),
    ({"profession": "liberal_reglementee", "section": "carcdsf"}, "metier", "est obligatoire pour la section carcdsf"),
    ({"profession": "liberal_reglementee", "section": "carcdsf", "metier": "dentiste"}, "metier", "doit être"),
    (
        {"profession": "liberal_reglementee", "section": "carcdsf", "metier": "<img src=x onerror=alert(1)>"},
        "metier",
        "doit être",
    ),
    ({**CARMF, "metier": "sage_femme"}, "metier", "ne s'applique qu'à la section carcdsf"),
    ({"remplacant": "oui"}, "remplacant", "case à cocher"),
    ({"remplacant": "1"}, "remplacant", "ne s'applique qu'à un praticien ou auxiliaire médical conventionné"),
    ({**CARMF, "secteur": "non_conventionne", "remplacant": "1"}, "remplacant", "conventionné"),
    ({"profession": "liberal_reglementee", "section": "cavp", "remplacant": "1"}, "remplacant", "conventionné"),
    ({"profession": "liberal_reglementee", "section": "cnbf", "classe_cnbf": "3"}, "classe_cnbf", "doit être 1, 2, 2+"),
    ({"profession": "liberal_reglementee", "section": "cnbf", "classe_cnbf": "2 +"}, "classe_cnbf", "doit être"),
    ({"profession": "liberal_reglementee", "section": "cnbf", "classe_cnbf": "-1"}, "classe_cnbf", "doit être"),
    ({"profession": "liberal_reglementee", "section": "cipav", "classe_cnbf": "2"}, "classe_cnbf", "section cnbf"),
    ({"classe_cnbf": "1"}, "classe_cnbf", "ne s'applique qu'à la section cnbf"),
    # the overseas start-of-activity exemption (CSS L756-2; contributions/situation.py check_debut_outre_mer)
    ({**DEBUT_OM, "exoneration_debut_outre_mer": "on"}, "exoneration_debut_outre_mer", "case à cocher"),
    ({**DEBUT_OM, "department": "75"}, "exoneration_debut_outre_mer", "collectivités de l'article L751-1"),
    ({**DEBUT_OM, "department": "976"}, "exoneration_debut_outre_mer", "collectivités de l'article L751-1"),
    ({**DEBUT_OM, "start_date": ""}, "exoneration_debut_outre_mer", "demande la date de création"),
    (
        {**DEBUT_OM, "conjoint_collaborateur": "forfaitaire"},
        "exoneration_debut_outre_mer",
        "n'est pas calculée avec un conjoint collaborateur",
    ),
    ({**DEBUT_OM, "pension_invalidite_mois": "2"}, "exoneration_debut_outre_mer", "exonération invalidité"),
    ({**DEBUT_OM, "start_date": "2025-02-30"}, "start_date", "date"),
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


# the API has no checkboxes: the form's own refusals (`case à cocher`) are the page's alone
@pytest.mark.parametrize(("params", "field", "message"), [case for case in HOSTILE if case[2] != "case à cocher"])
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


def test_simulation_pdf_of_a_health_section_and_of_the_overseas_exemption(client: TestClient, tmp_path: Path) -> None:
    # the figures worked by hand in test_health_section_contributions_are_their_own_table
    pdf = client.get("/telechargements/simulation.pdf", params={**FORM, **CARMF, "income": "80 000"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = _pdf_text(pdf.content, tmp_path)
    result = simulate(
        {"year": 2025, "profession": "liberal_reglementee", "section": "carmf", "secteur": 1, "income": 80000}
    )
    head = _plain(format_euros(Decimal(sum(result.amounts))))
    assert "Activité : profession libérale réglementée (section CARMF), secteur 1" in text
    assert f"Total {head} " in text  # the table of the six cotisations, CSG-CRDS and CFP
    assert "Contributions propres aux praticiens et auxiliaires médicaux conventionnés" in text
    assert "Prestations complémentaires de vieillesse (PCV) 59 200 € 2 602 € CSS L645-1 à L645-5" in text
    assert "participation de l'assurance maladie 0 € montant fixe -5 203,73 €" in text
    assert "(CURPS) 59 200 € 0,50 % 236 € CSP L4031-4, D4031-45 Urssaf" in text
    assert "Total 2 838 €" in text
    assert f"Total à payer avec ces contributions : {_plain(format_euros(result.total))}." in text
    assert "Prestations complémentaires de vieillesse (PCV) : recouvrées par la CARMF." in text
    sage_femme = client.get(
        "/telechargements/simulation.pdf",
        params={
            **FORM,
            "profession": "liberal_reglementee",
            "section": "carcdsf",
            "metier": "sage_femme",
            "remplacant": "1",
        },
    )
    text = _pdf_text(sage_femme.content, tmp_path)
    assert "(section CARCDSF), sage-femme, remplaçant au 1er janvier" in text
    cnbf = client.get(
        "/telechargements/simulation.pdf",
        params={**FORM, "profession": "liberal_reglementee", "section": "cnbf", "classe_cnbf": "2+"},
    )
    assert "(section CNBF), classe 2+ de retraite complémentaire" in _pdf_text(cnbf.content, tmp_path)
    overseas = client.get("/telechargements/simulation.pdf", params={**FORM, **DEBUT_OM, "income": "30 000"})
    text = _pdf_text(overseas.content, tmp_path)
    assert "Caisse générale de sécurité sociale de la Guadeloupe" in text
    assert "exonération de début d'activité outre-mer -1 887 € CSS L756-2, D756-4" in text
    assert "Retraite complémentaire 22 200 € 8,10 % 1 798 € CSS D635-7" in text
    assert "Total 1 935 €" in text
    for document in ("echeancier.pdf", "echeancier.ics", "echeancier.csv"):
        assert client.get(f"/telechargements/{document}", params={**FORM, **DEBUT_OM}).status_code == 200, document


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


def test_schedule_pdf_names_the_section_s_choices_and_the_overseas_exemption(
    client: TestClient, tmp_path: Path
) -> None:
    carmf = client.get("/telechargements/echeancier.pdf", params={**FORM, **CARMF, "secteur": "2", "remplacant": "1"})
    text = _pdf_text(carmf.content, tmp_path)
    assert "Section : médecin, secteur 2, remplaçant au 1er janvier (pas de CURPS, CSP L4031-4)" in text
    assert "la contribution additionnelle maladie et la CURPS" in text  # the Urssaf calls them (law-choices 304)
    carpimko = client.get(
        "/telechargements/echeancier.pdf",
        params={**FORM, "profession": "liberal_reglementee", "section": "carpimko", "remplacant": "1"},
    )
    assert "Section : remplaçant au 1er janvier" in _pdf_text(carpimko.content, tmp_path)
    overseas = client.get("/telechargements/echeancier.pdf", params={**FORM, **DEBUT_OM})
    text = _pdf_text(overseas.content, tmp_path)
    assert "Exonération de début d'activité outre-mer, 24 mois à partir de la création (CSS L756-2, D756-4)" in text


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
    "section": st.sampled_from(
        ["", "cipav", "cavec", "cnbf", "carmf", "carpimko", "carcdsf", "cavp", "carpv", "CIPAV"]
    ),
    "conjoint_collaborateur": st.sampled_from(["", "forfaitaire", "tiers_sans_partage", "moitie_avec_partage", "1"]),
    "pension_invalidite_mois": st.sampled_from(["", "0", "1", "12", "13", "x"]),
    "exoneration_age": st.sampled_from(["", "1", "on"]),
    "acre": st.sampled_from(["", "1"]),
    "rsa": st.sampled_from(["", "1"]),
    "start_date": st.sampled_from(["", "2010-05-01", "2024-07-01", "2025-03-01", "2026-13-01"]),
    "secteur": st.sampled_from(["", "1", "2", "non_conventionne", "3"]),
    "metier": st.sampled_from(["", "chirurgien_dentiste", "sage_femme", "x"]),
    "remplacant": st.sampled_from(["", "1", "on"]),
    "classe_cnbf": st.sampled_from(["", "1", "2", "2+", "3"]),
    "exoneration_debut_outre_mer": st.sampled_from(["", "1", "yes"]),
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
