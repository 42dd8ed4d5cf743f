from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_minimum_wage_rates(sender, **kwargs):
    """Reload the shipped UK rates after `migrate` or `flush` (tests flush between transactional
    tests; the data migration alone would leave the table empty afterwards). Idempotent."""
    from importlib import import_module

    from django.apps import apps

    import_module("ipsworks.caseload.migrations.0002_minimum_wage_rates").load(apps, None)


class CaseloadConfig(AppConfig):
    name = "ipsworks.caseload"
    label = "caseload"

    def ready(self) -> None:
        post_migrate.connect(ensure_minimum_wage_rates, sender=self, dispatch_uid="caseload-wages")
