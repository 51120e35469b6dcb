"""Browser tests: Playwright drives Debian's Chromium (installed by `make test` when run as root),
headless, against a real daphne serving the pytest-django test database (PostgreSQL).

A pytest plugin (loaded by tests/conftest.py) so that every app's browser tests share one browser;
test modules import the helpers (`sign_in`, `screenshot`, `axe_violations`) from here."""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections

from tests import processes

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).parent / "e2e" / "screenshots"
AXE = Path(__file__).parent / "e2e" / "vendor" / "axe.min.js"


@pytest.fixture
def server(transactional_db, tmp_path):
    processes.require_postgres()
    with processes.daphne(tmp_path) as base:
        yield base


def pytest_collection_modifyitems(items):
    # Every test that opens a browser is an e2e test (run apart from the parallel suite by `make test`).
    for item in items:
        if "new_page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


# Module scope: Playwright's sync API keeps an event loop running in this thread while it lives, which
# would break the async (websocket) tests that run later in the same worker.
@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make
    # around it are still synchronous (Playwright's documented setting for Django).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """`new_page()` opens a fresh browser context (its own cookies), phone-sized by default."""
    contexts = []

    def make(width=390, height=844, bypass_csp=False):
        context = chromium.new_context(
            viewport={"width": width, "height": height}, locale="fr-FR", bypass_csp=bypass_csp
        )
        contexts.append(context)
        page = context.new_page()
        # Anything the Content Security Policy blocks shows up as a console error.
        page.csp_violations = []
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and page.csp_violations.append(message.text)
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (served from the repository, no CDN) on the page; serious and critical only.

    The page must come from `new_page(bypass_csp=True)`: axe is injected as an inline script."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def off_loop(service, *args, **kwargs):
    """Call a service from a thread of its own: Playwright's sync API keeps an event loop running in
    the test thread, where the real-time events services send on commit (async_to_sync) cannot go."""

    def call():
        try:
            return service(*args, **kwargs)
        finally:
            connections.close_all()  # the thread's own session, or the test database could not be dropped

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
