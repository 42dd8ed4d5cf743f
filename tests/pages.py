"""Finding the pages of the site for crawl tests: every URL pattern that needs no parameter (or
only a site), then the links on those pages, one page per URL pattern."""

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

# The demo's roles, least privileged first.
ROLES = [
    "berkshire.es1",
    "berkshire.tl",
    "berkshire.im",
    "programme.manager",
    "reviewer",
    "evaluator",
    "commissioner",
    "admin",
]
SLUG_NAMES = {"slug", "site", "site_slug"}


def sign_in(client, user) -> None:
    """Sign `client` in as `user` for the pages and, with a new token, for the API."""
    from ipsworks.api.services import create_api_token

    client.force_login(user)
    secret = create_api_token(actor=user, user=user, name="crawl", days=30)[1]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"


def patterns(resolver=None, prefix=""):
    """(route, URLPattern) for every pattern outside the Django admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue
            yield from patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def concrete_paths(site_slug):
    """Paths for every pattern with no parameters or only a site slug."""
    out = []
    for route, entry in patterns():
        converters = entry.pattern.converters if hasattr(entry.pattern, "converters") else {}
        names = set(converters)
        if route.startswith("^") or "(?P" in route:
            continue
        if not names:
            out.append("/" + route)
        elif names <= SLUG_NAMES and len(names) == 1:
            (name,) = names
            path = route
            for conv in ("slug", "str"):
                path = path.replace(f"<{conv}:{name}>", site_slug)
            out.append("/" + path)
    return sorted(set(out))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.hrefs.append(href)


def _route(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).route
    except Resolver404:
        return None


def html_pages(user, *, site_slug="berkshire", skip_routes=frozenset(), per_route=1):
    """[(path, html)]: up to `per_route` HTML pages (status 200) per URL pattern that `user`
    may open, found from the parameter-free patterns and the links on the pages found (never
    following links to the Django admin or to static files). Routes in `skip_routes` are left
    out."""
    client = Client()
    client.force_login(user)
    queue = concrete_paths(site_slug)
    seen_routes: Counter = Counter(dict.fromkeys(skip_routes, per_route))
    tried: set[str] = set()
    found = []
    while queue:
        path = queue.pop(0)
        route = _route(path)
        if path in tried or route is None or seen_routes[route] >= per_route:
            continue
        tried.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        seen_routes[route] += 1
        html = response.content.decode()
        found.append((path, html))
        links = _Links()
        links.feed(html)
        for href in links.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(("/admin/", "/static/")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def route_of(path: str) -> str | None:
    """The URL pattern a path resolves to (None if none)."""
    return _route(path)
