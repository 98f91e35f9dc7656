"""The simulator's new fields (issue #10) in a real browser: Playwright driving Debian's Chromium, headless, against
uvicorn (the server of `test_browser`). The script hides what cannot apply and names the organism as the
département is chosen; the result is read from the page; the page without JavaScript still offers every field."""

from __future__ import annotations

from playwright.sync_api import Page, sync_playwright

from echeancier import simulate
from echeancier.kernel.fmt import format_euros
from tests.test_browser import CHROMIUM, SHOTS, server

__all__ = ["server"]  # the fixture, shared with test_browser


def _plain(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def _shown(page: Page, selector: str) -> bool:
    visible: bool = page.locator(selector).is_visible()
    return visible


def test_fill_the_new_fields_and_read_the_result(server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="fr-FR", viewport={"width": 1100, "height": 900})
            page.goto(server + "/")
            # artisan: no section; the conjoint, the invalidity months and the age exemption apply
            assert not _shown(page, "#section") and page.locator("#section").is_disabled()
            assert _shown(page, "#conjoint_collaborateur") and _shown(page, "#exoneration_age")
            # the organism follows the département as it is chosen (CSS R613-6)
            page.select_option("#department", "976")
            assert _plain(page.inner_text("#organisme-nom")) == "Caisse de sécurité sociale de Mayotte"
            assert _shown(page, "#conjoint_collaborateur")  # Mayotte's 450-hour base (law-choices 340)
            assert not _shown(page, "#pension_invalidite_mois")  # not at Mayotte
            page.select_option("#department", "972")
            assert "Martinique" in page.inner_text("#organisme-nom")
            assert _shown(page, "#conjoint_collaborateur")

            page.select_option("#profession", "commercant")
            page.select_option("#year", "2025")
            page.get_by_label("Revenu de l'année, en euros").fill("40 000")
            page.select_option("#conjoint_collaborateur", "tiers_avec_partage")
            page.get_by_role("button", name="Calculer").click()
            page.wait_for_selector("#total")
            expected = simulate(
                {
                    "year": 2025,
                    "profession": "commercant",
                    "income": 40000,
                    "department": "972",
                    "conjoint_collaborateur": "tiers_avec_partage",
                }
            )
            assert _plain(page.inner_text("#total")) == _plain(f"Total : {format_euros(expected.total)}")
            conjoint = _plain(page.inner_text("#cotisations-conjoint tfoot"))
            assert conjoint.endswith(_plain(format_euros(sum(expected.conjoint_amounts))))
            assert "Caisse générale de sécurité sociale de la Martinique" in page.inner_text("#organisme-resultat")
            assert page.get_by_role("columnheader", name="dont conjoint collaborateur").is_visible()
            page.screenshot(path=str(SHOTS / "simulateur-conjoint.png"), full_page=True)

            # a profession libérale réglementée: the section appears, the conjoint and the age exemption go
            page.select_option("#department", "75")
            page.select_option("#profession", "liberal_reglementee")
            assert _shown(page, "#section") and not page.locator("#section").is_disabled()
            assert not _shown(page, "#conjoint_collaborateur") and page.locator("#conjoint_collaborateur").is_disabled()
            assert not _shown(page, "#exoneration_age") and not _shown(page, "#pension_invalidite_mois")
            page.select_option("#section", "cavec")
            page.get_by_label("Revenu de l'année, en euros").fill("60 000")
            page.get_by_role("button", name="Calculer").click()
            page.wait_for_selector("#cotisations")
            assert "conjoint_collaborateur=" not in page.url  # a disabled field is not sent
            cavec = simulate({"year": 2025, "profession": "liberal_reglementee", "section": "cavec", "income": 60000})
            assert _plain(page.inner_text("#total")) == _plain(f"Total : {format_euros(cavec.total)}")
            row = _plain(page.inner_text('#cotisations tr[data-key="retraite_complementaire"]'))
            assert row.endswith("CAVEC") and _plain(format_euros(cavec.line("retraite_complementaire").amount)) in row
            page.screenshot(path=str(SHOTS / "simulateur-section.png"), full_page=True)
        finally:
            browser.close()


def test_a_refused_value_is_read_next_to_its_field(server: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="fr-FR")
            page.goto(server + "/")
            page.select_option("#profession", "commercant")
            page.select_option("#year", "2025")
            page.get_by_label("Revenu de l'année, en euros").fill("30000")
            page.fill("#pension_invalidite_mois", "6")
            page.check("#acre")
            page.fill("#start_date", "2025-02-01")
            page.get_by_role("button", name="Calculer").click()
            page.wait_for_selector("#erreur-pension_invalidite_mois")
            message = page.inner_text("#erreur-pension_invalidite_mois")
            assert "ACRE" in message
            field = page.locator("#pension_invalidite_mois")
            assert field.get_attribute("aria-invalid") == "true" and field.is_visible()
            # the summary's link takes the keyboard to the field
            page.click('#erreurs a[href="#pension_invalidite_mois"]')
            assert page.evaluate("location.hash") == "#pension_invalidite_mois"
        finally:
            browser.close()


def test_without_javascript_every_field_is_offered(server: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            context = browser.new_context(java_script_enabled=False, locale="fr-FR")
            page = context.new_page()
            page.goto(server + "/")
            for selector in ("#section", "#conjoint_collaborateur", "#pension_invalidite_mois", "#exoneration_age"):
                assert _shown(page, selector) and not page.locator(selector).is_disabled(), selector
            page.select_option("#profession", "liberal_reglementee")
            page.select_option("#section", "cnbf")
            page.select_option("#year", "2025")
            page.get_by_label("Revenu de l'année, en euros").fill("50000")
            page.get_by_role("button", name="Calculer").click()
            page.wait_for_selector("#total")
            cnbf = simulate({"year": 2025, "profession": "liberal_reglementee", "section": "cnbf", "income": 50000})
            assert _plain(page.inner_text("#total")) == _plain(f"Total : {format_euros(cnbf.total)}")
            assert _plain(page.inner_text('#cotisations tr[data-key="retraite_base"]')).endswith("CNBF")
        finally:
            browser.close()


def test_choose_a_medecin_of_secteur_1_and_read_the_core_s_total(server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="fr-FR", viewport={"width": 1100, "height": 900})
            page.goto(server + "/")
            # an artisan: none of a section's fields; the overseas exemption only in a collectivité of L751-1
            for selector in ("#secteur", "#metier", "#remplacant", "#classe_cnbf", "#exoneration_debut_outre_mer"):
                assert not _shown(page, selector) and page.locator(selector).is_disabled(), selector
            page.select_option("#department", "971")
            assert _shown(page, "#exoneration_debut_outre_mer")
            page.select_option("#department", "976")  # Mayotte has its own exemption, not this one
            assert not _shown(page, "#exoneration_debut_outre_mer")
            page.select_option("#department", "75")
            page.select_option("#profession", "liberal_reglementee")
            # each section shows its own field: the CNBF its class, the CARCDSF its métier
            page.select_option("#section", "cnbf")
            assert _shown(page, "#classe_cnbf") and not _shown(page, "#secteur") and not _shown(page, "#remplacant")
            page.select_option("#section", "carcdsf")
            assert _shown(page, "#metier") and _shown(page, "#remplacant") and not _shown(page, "#classe_cnbf")
            page.select_option("#section", "carmf")
            assert _shown(page, "#secteur") and not page.locator("#secteur").is_disabled()
            assert not _shown(page, "#metier") and page.locator("#metier").is_disabled()
            page.select_option("#secteur", "non_conventionne")  # no CURPS to be exempted from
            assert not _shown(page, "#remplacant")
            page.select_option("#secteur", "1")
            assert _shown(page, "#remplacant")
            page.select_option("#year", "2025")
            page.get_by_label("Revenu de l'année, en euros").fill("80 000")
            page.get_by_role("button", name="Calculer").click()
            page.wait_for_selector("#cotisations-section")
            assert "secteur=1" in page.url and "metier=" not in page.url and "classe_cnbf=" not in page.url
            expected = simulate(
                {"year": 2025, "profession": "liberal_reglementee", "section": "carmf", "secteur": "1", "income": 80000}
            )
            assert _plain(page.inner_text("#total")) == _plain(f"Total : {format_euros(expected.total)}")
            # the section's own contributions, with who collects each (the PCV the CARMF, the CURPS the Urssaf)
            pcv = _plain(page.inner_text('#cotisations-section tr[data-key="pcv"]'))
            assert pcv.endswith("2 602 € CARMF")
            assert _plain(page.inner_text('#cotisations-section tr[data-key="curps"]')).endswith("236 € Urssaf")
            section = _plain(page.inner_text("#cotisations-section tfoot"))
            assert section.endswith(_plain(format_euros(sum(expected.section_amounts))))
            # the values come back chosen, and the script keeps the fields that apply in view
            assert page.locator("#secteur").input_value() == "1" and _shown(page, "#secteur")
            page.screenshot(path=str(SHOTS / "simulateur-carmf.png"), full_page=True)
        finally:
            browser.close()


def test_without_javascript_the_new_fields_are_offered_and_refused_next_to_their_field(server: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            context = browser.new_context(java_script_enabled=False, locale="fr-FR")
            page = context.new_page()
            page.goto(server + "/")
            for selector in ("#secteur", "#metier", "#remplacant", "#classe_cnbf", "#exoneration_debut_outre_mer"):
                assert _shown(page, selector) and not page.locator(selector).is_disabled(), selector
            page.select_option("#profession", "liberal_reglementee")
            page.select_option("#section", "carmf")
            page.select_option("#year", "2025")
            page.get_by_label("Revenu de l'année, en euros").fill("80000")
            page.get_by_role("button", name="Calculer").click()
            page.wait_for_selector("#erreur-secteur")
            assert "est obligatoire pour un médecin" in page.inner_text("#erreur-secteur")
            assert page.locator("#secteur").get_attribute("aria-invalid") == "true"
        finally:
            browser.close()
