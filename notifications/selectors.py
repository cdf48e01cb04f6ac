from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import Delivery, DeliveryStatus, Event, Notification


def notifications_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def overdue(*, older_than_seconds: float, cap: int = 1000) -> int:
    """How many events still wait for their deliveries, and deliveries still pending, past
    `older_than_seconds` (at most `cap`): what the sweep should long have taken up. Both
    are read off partial indexes (event_not_fanned_out, delivery_pending_due)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    events = Event.objects.filter(fanned_out=False, created_at__lt=cutoff)
    deliveries = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=cutoff)
    count = events.values("pk")[:cap].count()
    return count + deliveries.values("pk")[: cap - count].count() if count < cap else count
