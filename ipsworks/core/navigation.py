"""Navigation per role. Each app may offer a `navigation.py` with ITEMS, a list of NavItem."""

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 50


@cache
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ipsworks."):
            continue
        try:
            module = import_module(f"{config.name}.navigation")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.navigation":
                raise
            continue
        items.extend(getattr(module, "ITEMS", []))
    return tuple(sorted(items, key=lambda i: (i.order, i.label)))


def items_for(scope, current_path: str) -> list[dict]:
    out = []
    for item in all_items():
        if not (scope.is_superuser or scope.roles & item.roles):
            continue
        try:
            href = reverse(item.url_name)
        except NoReverseMatch:
            continue
        current = current_path == href or (href != "/" and current_path.startswith(href))
        out.append({"label": item.label, "href": href, "current": current})
    return out


ALL_ROLES = frozenset(
    {
        "specialist",
        "team_leader",
        "implementation_manager",
        "programme_manager",
        "reviewer",
        "evaluator",
        "commissioner",
        "administrator",
    }
)

# The shell's own entries (the registry above also reads these, as core's ITEMS).
ITEMS = [
    NavItem("Home", "home", ALL_ROLES, order=0),
    NavItem("Sites", "site_list", ALL_ROLES, order=90),
    NavItem("Audit trail", "audit_list", frozenset({"programme_manager", "administrator"}), 95),
]
