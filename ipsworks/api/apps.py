from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ipsworks.api"
    label = "api"
