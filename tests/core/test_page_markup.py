"""Every kind of page, as every demo role that may open it: ids are unique and every reference
to an id (a label's ``for``, ``aria-describedby``, ``aria-labelledby``, ``aria-controls``, an
in-page link) names an element on the page. A broken reference silently unlinks a hint, an
error message or a label from its field for screen reader users."""

import re
from html.parser import HTMLParser

import pytest

from tests.pages import ROLES, html_pages, route_of

pytestmark = pytest.mark.django_db

ID_LISTS = ("aria-describedby", "aria-labelledby", "aria-controls", "aria-owns")
ID_ONE = ("for", "aria-errormessage", "aria-activedescendant", "list", "form")


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, id)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(values["id"])
        for name in ID_LISTS:
            for ref in (values.get(name) or "").split():
                self.references.append((tag, name, ref))
        for name in ID_ONE:
            if values.get(name) and (name != "for" or tag == "label"):
                self.references.append((tag, name, values[name]))
        href = values.get("href") or ""
        if tag == "a" and href.startswith("#") and len(href) > 1:
            self.references.append((tag, "href", href[1:]))

    handle_startendtag = handle_starttag


def problems(html: str) -> list[str]:
    markup = Markup()
    markup.feed(html)
    ids = set(markup.ids)
    found = sorted({i for i in markup.ids if markup.ids.count(i) > 1})
    out = [f"id {i!r} is used more than once" for i in found]
    out += [
        f"<{tag} {attribute}> names {ref!r}, which is not on the page"
        for tag, attribute, ref in markup.references
        if ref not in ids
    ]
    return out


def test_the_checker_finds_duplicate_ids_and_dangling_references():
    page = (
        '<label for="a">A</label><input id="a" aria-describedby="a-hint b-hint">'
        '<div id="a-hint"></div><p id="x"></p><p id="x"></p><a href="#nowhere">skip</a>'
    )
    assert problems(page) == [
        "id 'x' is used more than once",
        "<input aria-describedby> names 'b-hint', which is not on the page",
        "<a href> names 'nowhere', which is not on the page",
    ]


@pytest.mark.parametrize("username", ROLES)
def test_every_page_has_unique_ids_and_no_dangling_references(demo, username):
    pages = html_pages(demo.users[username])
    assert len(pages) >= 10
    failures = {path: found for path, html in pages if (found := problems(html))}
    assert not failures


@pytest.mark.parametrize("username", ["berkshire.im", "programme.manager"])
def test_pages_of_different_records_have_different_titles(demo, username):
    """Each page's title names its record, so that browser tabs, history and screen readers'
    page lists tell apart two quotes, two reviews or two referrals."""
    titles: dict[str, dict[str, str]] = {}
    for path, html in html_pages(demo.users[username], per_route=3):
        if "?" in path:
            continue  # a filtered or sorted view of a list: the same page
        title = re.search(r"<title>(.*?)</title>", html, re.S)[1].rsplit(" – ", 1)[0].strip()
        titles.setdefault(route_of(path), {})[path] = title
    with_records = {route: pages for route, pages in titles.items() if len(pages) > 1}
    assert len(with_records) >= 5
    shared = {
        route: pages
        for route, pages in with_records.items()
        if len(set(pages.values())) < len(pages)
    }
    assert not shared, "\n".join(f"{route}: {pages}" for route, pages in shared.items())
