from django.apps import AppConfig


class FidelityConfig(AppConfig):
    name = "ipsworks.fidelity"
    label = "fidelity"
