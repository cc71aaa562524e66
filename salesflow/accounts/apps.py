from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Customer accounts and their contacts."""

    name = "salesflow.accounts"
    label = "accounts"
    verbose_name = "Accounts"
