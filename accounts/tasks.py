"""Periodic work of the accounts app (Celery beat, helpdesk.settings)."""

from celery import shared_task

from . import services


@shared_task
def purge_expired_tokens() -> int:
    return services.tokens_purge_expired()
