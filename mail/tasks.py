"""Thin tasks for Celery beat (SPEC §10)."""

from celery import shared_task

from . import imap


@shared_task(ignore_result=True)
def poll_inbox() -> str:
    return str(imap.inbox_poll())
