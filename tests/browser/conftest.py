"""Browser tests: Playwright driving Debian's Chromium, with axe-core on every page visited.

Set IPSWORKS_REQUIRE_BROWSER=1 (as .ci/run does) to fail instead of skipping when Chromium is
missing. No browser is ever downloaded: Playwright is pointed at the system Chromium.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM use
# from the test itself (fixtures create users).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("IPSWORKS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "a-long-test-password"
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("IPSWORKS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
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


class UI:
    """A signed-in browser tab on the live server, checking accessibility as it goes."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.checked: list[str] = []

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.axe()
        return self.page

    def sign_in(self, username: str, password: str = PASSWORD):
        self.goto("/account/sign-in/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        self.axe()
        return self.page

    def sign_out(self):
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_load_state()
        self.axe()

    def axe(self):
        """Run axe-core on the current page; fail on any serious or critical violation."""
        self.page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluate is not subject to CSP
        result = self.page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                 'wcag22aa', 'best-practice']}
            })"""
        )
        blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
            for v in blocking
        ]
        assert not blocking, f"axe found problems on {self.page.url}:\n" + "\n".join(details)
        self.checked.append(self.page.url)


@pytest.fixture
def ui(chromium_browser, live_server):
    context = chromium_browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    missing: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on(
        "response",
        lambda r: (
            missing.append(f"{r.status} {r.url}")
            if r.status >= 400
            and r.request.resource_type in {"stylesheet", "script", "image", "font"}
            else None
        ),
    )
    helper = UI(page, live_server.url)
    yield helper
    context.close()
    csp = [e for e in errors if "Content Security Policy" in e]
    assert not csp, f"CSP blocked something: {csp}"
    assert not missing, f"Styles, scripts, images or fonts failed to load: {missing}"
