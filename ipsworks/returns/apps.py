from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "ipsworks.returns"
    label = "returns"
