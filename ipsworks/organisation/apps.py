from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "ipsworks.organisation"
    label = "organisation"
