from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "ipsworks.evaluation"
    label = "evaluation"
