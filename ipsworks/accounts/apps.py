from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ipsworks.accounts"
    label = "accounts"
