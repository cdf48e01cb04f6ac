"""Periodic ticket work for celery beat. Thin: each calls one service."""

from celery import shared_task

from . import services


@shared_task
def auto_close_resolved() -> int:
    return services.tickets_auto_close()


@shared_task
def purge_idempotency_keys() -> int:
    return services.idempotency_keys_purge()
