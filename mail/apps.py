from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = "Inbound email"

    def ready(self) -> None:
        from . import inbound  # noqa: F401 - connects the providers' inbound signal
