from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "ipsworks.caseload"
    label = "caseload"
