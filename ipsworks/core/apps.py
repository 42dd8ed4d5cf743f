from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ipsworks.core"
    label = "core"
    verbose_name = "ipsworks core"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
