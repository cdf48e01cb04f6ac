"""Who hears about which event, on which channel; and sending one delivery, once.

`notify()` runs inside the ticket change's transaction: the Event and its Delivery rows
commit or roll back with the change (an outbox), and the deliveries are handed to Celery
only on commit. Whatever the broker does then, `deliveries_sweep()` re-enqueues what is
still pending, so a committed change is never lost. `delivery_attempt()` claims a delivery
(a lease, committed before anything is sent) so that a retried or redelivered task never
sends it twice, and sends it outside any database transaction.
"""

import logging
import random
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.roles import is_agent
from helpdesk.breakers import BROKER

from .channels import PermanentFailure
from .channels.registry import CHANNELS
from .models import Delivery, DeliveryStatus, Event, EventKind, Notification, Preferences

logger = logging.getLogger(__name__)


def preferences_for(user) -> Preferences:
    """The user's preferences, created with the defaults on first use (cached on the user)."""
    try:
        return user.preferences
    except Preferences.DoesNotExist:
        preferences, _created = Preferences.objects.get_or_create(user=user)
        user.preferences = preferences
        return preferences


@transaction.atomic
def preferences_update(*, user, data: dict) -> Preferences:
    preferences = Preferences.objects.select_for_update().get_or_create(user=user)[0]
    for name, value in data.items():
        setattr(preferences, name, value)
    preferences.save()
    user.preferences = preferences
    return preferences


def recipients_for(kind: str, ticket, actor, data: dict) -> list:
    """SPEC §5: who hears of an event. Nobody hears of their own action, except the
    acknowledgement of a ticket they created."""
    if kind == EventKind.TICKET_CREATED:
        return [ticket.requester]
    if kind == EventKind.STATUS_CHANGED:
        candidates = [ticket.requester, ticket.assignee]
    elif kind == EventKind.AGENT_REPLIED:
        candidates = [ticket.requester]
    elif kind == EventKind.REQUESTER_REPLIED:
        candidates = [ticket.assignee]
    elif kind == EventKind.ASSIGNED:
        candidates = [ticket.assignee]
    else:
        raise ValueError(f"Unknown event kind {kind!r}")
    seen, recipients = set(), []
    for user in candidates:
        if user is None or (actor is not None and user.pk == actor.pk) or user.pk in seen:
            continue
        # A deactivated account, or an assignee who has left the desk, hears nothing more.
        if not user.is_active or (user is ticket.assignee and not is_agent(user)):
            continue
        seen.add(user.pk)
        recipients.append(user)
    return recipients


def notify(*, kind: str, ticket, actor, **data) -> Event:
    """Record an event and its deliveries in the caller's transaction; enqueue on commit."""
    event = Event.objects.create(kind=kind, ticket=ticket, actor=actor, data=data)
    recipients = recipients_for(kind, ticket, actor, data)
    for user in recipients:
        preferences_for(user)  # what the channels read
    deliveries = Delivery.objects.bulk_create(
        [
            delivery
            for channel in CHANNELS.values()
            for delivery in channel.deliveries(event, recipients)
        ]
    )
    jobs = [(delivery.pk, delivery.channel) for delivery in deliveries]
    if jobs:
        transaction.on_commit(lambda: enqueue(jobs))
    return event


def enqueue(jobs: list[tuple[int, str]]) -> int:
    """Hand (delivery id, channel) pairs to the broker, each on its channel's queue. A
    broker failure is logged, not raised, and opens the broker's breaker: for a few
    seconds no request waits on the broker again. The rows are committed, and the sweep
    enqueues them later (a copy that did reach the broker is then skipped)."""
    from .tasks import deliver

    if BROKER.is_open:
        return 0
    try:
        with deliver.app.producer_or_acquire() as producer:
            for delivery_id, channel in jobs:
                deliver.apply_async(
                    (delivery_id,), queue=CHANNELS[channel].queue, producer=producer, retry=False
                )
    except Exception as exc:  # noqa: BLE001 - any broker failure means "later"
        BROKER.failed(exc, f"deliveries left for the sweep ({len(jobs)} now)")
        return 0
    return len(jobs)


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # already sent or failed, or another worker holds it


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter, capped."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    ceiling = min(settings.NOTIFICATION_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)


def delivery_attempt(delivery_id: int) -> tuple[Outcome, float]:
    """Try one delivery once. Returns the outcome and, for RETRY, the delay before the next
    try.

    The delivery is claimed first, in a short transaction of its own: its attempt counted
    and `next_attempt_at` moved NOTIFICATION_LEASE_SECONDS ahead, so that a copy of the task
    (redelivered, or re-enqueued by the sweep) skips it while this one sends. The send runs
    outside any transaction, and its outcome is written only if the claim is still ours
    (the attempt count is unchanged). A worker that dies mid-send leaves the delivery
    pending: the sweep enqueues it again once the lease has run out."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event__ticket", "recipient__preferences", "endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return Outcome.SKIPPED, 0.0
        if delivery.next_attempt_at > now + timedelta(seconds=1):
            return Outcome.SKIPPED, 0.0  # early (the backoff stands), or claimed by another
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    try:
        CHANNELS[delivery.channel].send(delivery)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        return _failed(delivery, exc)
    _record(delivery, status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return Outcome.SENT, 0.0


def _failed(delivery: Delivery, exc: Exception) -> tuple[Outcome, float]:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    permanent = isinstance(exc, PermanentFailure)
    if permanent or delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        _record(delivery, status=DeliveryStatus.FAILED, last_error=error)
        logger.error("Delivery %s failed for good: %s", delivery.pk, error)
        return Outcome.FAILED, 0.0
    delay = backoff_seconds(delivery.attempts)
    _record(delivery, last_error=error, next_attempt_at=timezone.now() + timedelta(seconds=delay))
    logger.warning(
        "Delivery %s attempt %d failed, next in %.0f s: %s",
        delivery.pk,
        delivery.attempts,
        delay,
        error,
    )
    return Outcome.RETRY, delay


def _record(delivery: Delivery, **outcome) -> None:
    """Write an attempt's outcome, if the delivery is still this attempt's."""
    written = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(updated_at=timezone.now(), **outcome)
    if not written:
        logger.warning(
            "Delivery %s was taken over while attempt %d ran", delivery.pk, delivery.attempts
        )


def deliveries_sweep(*, now=None) -> int:
    """Re-enqueue deliveries still pending a grace period after they were due: those whose
    enqueue failed (broker down at commit), or whose worker died (once its lease is over).
    The rows taken are marked due from now, so that the next sweep leaves them alone for a
    grace period instead of piling another copy on a queue that is merely behind; rows a
    worker is claiming at that moment are skipped."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    with transaction.atomic():
        jobs = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
            .order_by("next_attempt_at")
            .values_list("pk", "channel")[: settings.NOTIFICATION_SWEEP_BATCH]
        )
        Delivery.objects.filter(pk__in=[pk for pk, _channel in jobs]).update(next_attempt_at=now)
    return enqueue(jobs) if jobs else 0


def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of `user` as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
