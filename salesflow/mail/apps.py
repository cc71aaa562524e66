from django.apps import AppConfig


class MailConfig(AppConfig):
    """E-mail by EMAIL_URL: the outbox, per-user preferences, the digest."""

    name = "salesflow.mail"
    label = "mail"
    verbose_name = "E-mail"
