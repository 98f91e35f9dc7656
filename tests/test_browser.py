"""The web page in a real browser (issue #8): Playwright driving Debian's Chromium, headless, against uvicorn on a
free loopback port. Fills the form, reads the total, downloads the PDF; the screenshot is kept in out/screenshots/."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from echeancier import simulate
from echeancier.api import Settings, create_app
from echeancier.kernel.fmt import format_euros

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "out" / "screenshots"
CHROMIUM = "/usr/bin/chromium"  # Debian's package (installed by .ci/run); Playwright's own download cannot work here


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(create_app(Settings(rate_limit=0)), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def test_fill_the_form_read_the_total_download_the_pdf(server: str, tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="fr-FR", viewport={"width": 1100, "height": 900}, accept_downloads=True)
            page.goto(server + "/")
            page.select_option("#profession", "artisan")
            page.select_option("#year", "2025")
            page.get_by_label("Revenu de l'année, en euros").fill("40 000")  # the label names the field
            page.get_by_label("Date de création ou de reprise").fill("2025-03-01")
            page.select_option("#department", "974")
            page.keyboard.press("Tab")
            page.get_by_role("button", name="Calculer").click()
            page.wait_for_selector("#total")
            total = page.inner_text("#total").replace("\u202f", " ").replace("\u00a0", " ")
            expected = simulate(
                {
                    "year": 2025,
                    "profession": "artisan",
                    "income": 40000,
                    "start_date": "2025-03-01",
                    "department": "974",
                }
            )
            assert total == f"Total : {format_euros(expected.total)}".replace("\u202f", " ").replace("\u00a0", " ")
            assert page.locator("svg.chart rect").count() > 20
            assert page.get_by_role("heading", name="Votre échéancier", exact=False).is_visible()
            with page.expect_download() as info:
                page.click("#pdf-echeancier")
            download = info.value
            target = tmp_path / download.suggested_filename
            download.save_as(target)
            assert download.suggested_filename == "echeancier.pdf"
            assert target.read_bytes().startswith(b"%PDF-")
            page.screenshot(path=str(SHOTS / "simulateur.png"), full_page=True)
        finally:
            browser.close()


def test_the_form_works_with_the_keyboard_alone(server: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="fr-FR")
            page.goto(server + "/")
            page.focus("#income")
            page.keyboard.type("30000")
            page.keyboard.press("Enter")
            page.wait_for_selector("#total")
            assert "€" in page.inner_text("#total")
            assert page.evaluate("document.documentElement.lang") == "fr"
        finally:
            browser.close()
