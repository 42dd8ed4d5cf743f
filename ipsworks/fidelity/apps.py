from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_shipped_scale(sender, **kwargs):
    """Reload the shipped scale after `migrate` or `flush` (tests flush between transactional
    tests; the data migration alone would leave the table empty afterwards). Idempotent."""
    from importlib import import_module

    from django.apps import apps

    import_module("ipsworks.fidelity.migrations.0002_load_default_scale").load(apps, None)


class FidelityConfig(AppConfig):
    name = "ipsworks.fidelity"
    label = "fidelity"

    def ready(self) -> None:
        post_migrate.connect(ensure_shipped_scale, sender=self, dispatch_uid="fidelity-scale")
