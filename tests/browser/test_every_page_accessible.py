"""Every kind of page of the demo, as the first role that may open it, is axe clean and reflows
to a 320-pixel-wide window without scrolling sideways (WCAG 1.4.10; wide tables scroll inside
their own container instead).

The journeys check the pages they pass through (and forms in their error states); this covers
the rest: one page per URL pattern (one person's record stands for all of them), found from the
patterns that need no parameter and the links on the pages found (tests/pages.py)."""

import pytest

from tests.pages import ROLES, html_pages, route_of

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "ipsworks-demo"


NARROW = 320  # CSS pixels: WCAG 1.4.10's width


def test_every_kind_of_page_is_axe_clean_and_reflows(demo, ui):
    by_role: dict[str, list[str]] = {}
    covered: set[str] = set()
    for username in ROLES:
        pages = html_pages(demo.users[username], skip_routes=frozenset(covered))
        by_role[username] = [path for path, _html in pages]
        covered |= {route_of(path) for path in by_role[username]}
    assert len(covered) >= 50, by_role
    ui.page.set_viewport_size({"width": NARROW, "height": 900})
    too_wide = {}
    for username, paths in by_role.items():
        if not paths:
            continue
        ui.sign_in(username, DEMO_PASSWORD)
        for path in paths:
            page = ui.goto(path)  # fails on any serious or critical axe violation
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > NARROW:
                too_wide[path] = width
        ui.sign_out()
    assert len(ui.checked) >= len(covered)
    assert not too_wide, f"pages wider than {NARROW} px (they scroll sideways): {too_wide}"
