from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        # Each channel's queue, beside the default one, for publishers and for a worker
        # started without -Q (which then consumes them all).
        from kombu import Queue

        from helpdesk.celery import app

        from .channels.registry import CHANNELS

        queues = [app.conf.task_default_queue, *(channel.queue for channel in CHANNELS.values())]
        app.conf.task_queues = [Queue(name, routing_key=name) for name in queues]
