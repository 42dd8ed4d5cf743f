"""Builds the whole demo: the foundation's organisation and accounts, then each app's records.

Each app may have a `demo.py` with `load(ctx: DemoContext)`; they run in INSTALLED_APPS order,
all in one transaction.
"""

from importlib import import_module

from django.apps import apps
from django.db import transaction

from . import organisation
from .context import DemoContext

DEFAULT_SEED = 2014


def app_loaders():
    for config in apps.get_app_configs():
        if not config.name.startswith("ipsworks.") or config.name == "ipsworks.demo":
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        yield config.name, module.load


@transaction.atomic
def load_demo(*, seed: int = DEFAULT_SEED, stdout=None) -> DemoContext:
    ctx = DemoContext(seed=seed, stdout=stdout)
    organisation.load(ctx)
    for name, load in app_loaders():
        ctx.say(f"  loading {name.removeprefix('ipsworks.')} demo data")
        load(ctx)
    return ctx
