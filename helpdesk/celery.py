"""The Celery app: `celery -A helpdesk worker` serves every queue the project uses."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fixup closes the database connection around every task unless told to
# reuse it, which costs a new PostgreSQL backend per delivery (half a worker's time in
# bench/notifications.py). Keep connections, and let Django's own rules (CONN_MAX_AGE,
# health checks, a connection left broken) decide when one is closed.
app.conf.CELERY_DB_REUSE_MAX = 1000


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(sender=None, **kwargs) -> None:
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # run in the caller's process and transaction (tests, .apply())
    from django.db import close_old_connections

    close_old_connections()
