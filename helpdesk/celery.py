"""The Celery app: `celery -A helpdesk worker` serves every queue the project uses."""

import os
from collections.abc import Mapping
from functools import cached_property

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")


class DjangoSettingsConfig(Mapping):
    """The CELERY_* Django settings under Celery's own names, read once, on first use
    (after Django has loaded its settings). Celery looks settings up several times per
    message; through Django's settings object each miss raises and catches an
    AttributeError, which was a fifth of the cost of queueing a delivery (cProfile)."""

    @cached_property
    def _settings(self) -> dict:
        from django.conf import settings

        return {
            name.removeprefix("CELERY_").lower(): getattr(settings, name)
            for name in dir(settings)
            if name.startswith("CELERY_")
        }

    def __getitem__(self, key):
        return self._settings[key]

    def __iter__(self):
        return iter(self._settings)

    def __len__(self) -> int:
        return len(self._settings)


app = Celery("helpdesk")
app.config_from_object(DjangoSettingsConfig())
app.autodiscover_tasks()

# Celery's Django fixup closes the database connection around every task unless told to
# reuse it, which costs a new PostgreSQL backend per delivery (half a worker's time in
# bench/notifications.py). Keep connections, and let Django's own rules (CONN_MAX_AGE,
# health checks, a connection left broken) decide when one is closed.
app.conf.CELERY_DB_REUSE_MAX = 1000


@signals.task_prerun.connect
@signals.task_postrun.connect
def _between_tasks(sender=None, **kwargs) -> None:
    """Each task starts as a request does: connections checked, cached tables' versions
    read again (helpdesk.cache)."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # run in the caller's process and transaction (tests, .apply())
    from django.db import close_old_connections

    from helpdesk.cache import forget_versions

    close_old_connections()
    forget_versions()
