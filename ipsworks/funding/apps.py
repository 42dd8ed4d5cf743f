from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "ipsworks.funding"
    label = "funding"
