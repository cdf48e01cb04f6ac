from celery import shared_task

from . import services


@shared_task(acks_late=True)
def index_resolved_tickets() -> int:
    """Keep the suggestions' index of resolved tickets up to date (Celery beat, every
    minute). Safe to run twice: a ticket's row is written again, not twice."""
    return services.index_resolved_tickets(batch=2000)
