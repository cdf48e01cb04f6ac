"""Thin tasks for Celery beat (SPEC §10)."""

from celery import shared_task
from celery.signals import worker_shutting_down

from . import imap


# Acknowledged on receipt: a poll may watch for minutes, and if its worker dies the next
# beat starts another one anyway.
@shared_task(ignore_result=True, acks_late=False)
def poll_inbox() -> str:
    return str(imap.inbox_poll())


@worker_shutting_down.connect
def _stop_polling(**kwargs) -> None:
    imap.stop_watching()
