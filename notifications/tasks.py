"""Thin tasks: load by id, call a service, retry. Safe to run twice."""

from celery import shared_task
from celery.signals import worker_ready

from . import services


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def deliver(self, delivery_id: int) -> str:
    outcome, delay = services.delivery_attempt(delivery_id)
    if outcome is services.Outcome.RETRY:
        # If the broker is down now, the row stays pending and the sweep picks it up.
        raise self.retry(countdown=delay)
    return outcome


@shared_task(acks_late=True, ignore_result=True)
def fan_out(event_id: int) -> int:
    return services.event_fan_out(event_id)


@shared_task(ignore_result=True)
def sweep_deliveries() -> int:
    return services.deliveries_sweep()


@worker_ready.connect
def sweep_when_a_worker_starts(sender=None, **kwargs) -> None:
    """A worker starting (after a crash, a deploy or an outage) takes up what was left
    behind at once, without waiting for the beat."""
    sweep_deliveries.delay()
