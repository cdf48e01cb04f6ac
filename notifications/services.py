"""Who hears about which event, on which channel; and sending one delivery, once.

`notify()` runs inside the ticket change's transaction: the Event, with who hears of it,
commits or rolls back with the change (an outbox), and is handed to Celery only on
commit. A worker then makes its deliveries, one per recipient and channel
(`event_fan_out()`), and hands each to its channel's queue: the request pays for one row
and one message, whatever the number of people and channels. Whatever the broker does,
`deliveries_sweep()` fans out and re-enqueues what was left, so a committed change is
never lost. `delivery_attempt()` claims a delivery (a lease, committed before anything is
sent) so that a retried or redelivered task never sends it twice, and sends it outside any
database transaction.
"""

import logging
import random
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
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
        # The email intake holds back acknowledgements past its hourly limit (SPEC §10).
        return [ticket.requester] if data.get("acknowledge", True) else []
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
    """Record an event and who hears of it, in the caller's transaction; a worker makes
    its deliveries once it commits."""
    event = Event.objects.create(
        kind=kind,
        ticket=ticket,
        actor=actor,
        data=data,
        recipients=[user.pk for user in recipients_for(kind, ticket, actor, data)],
        fanned_out=False,
    )
    transaction.on_commit(lambda: _publish("fan_out", [(event.pk, None)]))
    return event


def event_fan_out(event_id: int) -> int:
    """Make an event's deliveries, one per recipient and channel (and per webhook endpoint
    that wants it), and enqueue them; once per event, however often it is called. Returns
    how many were made."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket")
            .filter(pk=event_id, fanned_out=False)
            .first()
        )
        if event is None:
            return 0  # done already, or being done by another worker
        users = get_user_model().objects.filter(pk__in=event.recipients)
        found = {user.pk: user for user in users.select_related("preferences")}
        recipients = [found[pk] for pk in event.recipients if pk in found]
        for user in recipients:
            preferences_for(user)  # what the channels read
        deliveries = Delivery.objects.bulk_create(
            [
                delivery
                for channel in CHANNELS.values()
                for delivery in channel.deliveries(event, recipients)
            ]
        )
        Event.objects.filter(pk=event.pk).update(fanned_out=True)
        jobs = [(delivery.pk, delivery.channel) for delivery in deliveries]
        if jobs:
            transaction.on_commit(lambda: _publish("deliver", jobs))
    return len(jobs)


def enqueue(jobs: list[tuple[int, str]]) -> int:
    """Hand (delivery id, channel) pairs to the broker, each on its channel's queue."""
    return _publish("deliver", jobs)


def _publish(task_name: str, jobs: list[tuple[int, str | None]]) -> int:
    """Publish `task_name` once per (id, channel) of `jobs`: a delivery on its channel's
    queue, an event (channel None) on the default queue; an id None publishes no argument.
    A broker failure is logged, not raised, and opens the broker's breaker: for a few
    seconds no request waits on the broker again. The rows are committed, and the sweep
    takes them up later (a copy that did reach the broker is then skipped)."""
    from . import tasks

    if BROKER.is_open:
        return 0
    task = getattr(tasks, task_name)
    try:
        with task.app.producer_or_acquire() as producer:
            for row_id, channel in jobs:
                options = {"queue": CHANNELS[channel].queue} if channel else {}
                args = () if row_id is None else (row_id,)
                task.apply_async(args, producer=producer, retry=False, **options)
    except Exception as exc:  # noqa: BLE001 - any broker failure means "later"
        BROKER.failed(exc, f"tasks left for the sweep ({len(jobs)} now)")
        return 0
    if BROKER.succeeded():
        # The broker is back: what the outage left in the database goes out now, not at
        # the next beat (which may be down too).
        _publish("sweep_deliveries", [(None, None)])
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
    """What the broker or a dead worker left behind, taken up again: events still without
    deliveries a grace period after they happened are fanned out here, and deliveries
    still pending a grace period after they were due (their enqueue failed, or their
    worker died and its lease is over) are enqueued again. Those are marked due from now,
    so that the next sweep leaves them alone for a grace period instead of piling another
    copy on a queue that is merely behind; rows a worker is claiming at that moment are
    skipped. Returns how many deliveries were enqueued."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    batch = settings.NOTIFICATION_SWEEP_BATCH
    left = Event.objects.filter(fanned_out=False, created_at__lte=cutoff).order_by("created_at")
    for event_id in list(left.values_list("pk", flat=True)[:batch]):
        event_fan_out(event_id)
    with transaction.atomic():
        jobs = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
            .order_by("next_attempt_at")
            .values_list("pk", "channel")[:batch]
        )
        Delivery.objects.filter(pk__in=[pk for pk, _channel in jobs]).update(next_attempt_at=now)
    return enqueue(jobs) if jobs else 0


def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of `user` as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
