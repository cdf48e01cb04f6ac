"""The Celery app: `celery -A helpdesk worker` serves every queue the project uses.

Settings are Django's, under the CELERY_ prefix, read through Django's settings object
each time (so `override_settings` reaches Celery too). The queues of the notification
channels are added by the notifications app (notifications/apps.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
