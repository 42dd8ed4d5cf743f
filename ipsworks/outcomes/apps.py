from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "ipsworks.outcomes"
    label = "outcomes"

    def ready(self) -> None:
        from ipsworks.caseload.signals import records_changed

        from .summaries import on_records_changed

        records_changed.connect(on_records_changed, dispatch_uid="outcomes.summaries")
