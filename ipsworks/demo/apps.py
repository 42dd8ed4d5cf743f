from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ipsworks.demo"
    label = "demo"
