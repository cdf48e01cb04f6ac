"""Who hears about which event, on which channel; and sending one delivery, once.

`notify()` runs inside the ticket change's transaction: the Event and its Delivery rows
commit or roll back with the change (an outbox), and the deliveries are handed to Celery
only on commit. Whatever the broker does then, `deliveries_sweep()` re-enqueues what is
still pending, so a committed change is never lost; `delivery_attempt()` locks the row
and checks its status, so a retried or redelivered task never sends twice.
"""

import logging
import random
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.utils.uuid import uuid

from helpdesk.cache import RowsCache
from helpdesk.db import CompiledQuery, RowInsert, RowUpdate
from tickets.selectors import is_agent

from .channels import PermanentFailure, email, inapp, webhook
from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    EventKind,
    Notification,
    Preferences,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

_webhook_endpoints = RowsCache(
    "webhook-endpoints", WebhookEndpoint, lambda: list(WebhookEndpoint.objects.filter(active=True))
)

SENDERS = {Channel.IN_SITE: inapp.send, Channel.EMAIL: email.send, Channel.WEBHOOK: webhook.send}


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


def _channels_for(user) -> list[str]:
    preferences = preferences_for(user)
    channels = []
    if preferences.in_site_enabled:
        channels.append(Channel.IN_SITE)
    if preferences.email_enabled and user.email:
        channels.append(Channel.EMAIL)
    return channels


# Written with every change, by statements built once (helpdesk.db).
_new_event = RowInsert(Event)
_new_deliveries = RowInsert(Delivery)


def notify(*, kind: str, ticket, actor, **data) -> Event:
    """Record an event and its deliveries in the caller's transaction; enqueue on commit."""
    event = Event(kind=kind, ticket=ticket, actor=actor, data=data)
    _new_event.save(event)
    deliveries = [
        Delivery(event=event, channel=channel, recipient=user)
        for user in recipients_for(kind, ticket, actor, data)
        for channel in _channels_for(user)
    ]
    deliveries += [
        Delivery(event=event, channel=Channel.WEBHOOK, endpoint=endpoint)
        for endpoint in _webhook_endpoints.get()
        if endpoint.wants(kind)
    ]
    _new_deliveries.save(*deliveries)
    jobs = [(delivery.pk, delivery.channel) for delivery in deliveries]
    if jobs:
        transaction.on_commit(lambda: enqueue(jobs))
    return event


def enqueue(jobs: list[tuple[int, str]]) -> int:
    """Hand (delivery id, channel) pairs to the broker, one queue per channel. A broker
    outage is logged, not raised: the rows are committed and the sweep enqueues them again
    (a copy that did reach the broker is then skipped by delivery_attempt).

    The messages go out together: on Redis, in one pipelined round trip. They are not
    declared again: a message for the default exchange goes to the queue its routing key
    names, and kombu's declare-once check alone cost a seventh of this function. And they
    are built by Celery's own message functions, not `apply_async`: the same message (the
    tests compare them), without the per-call option merging, routing, settings look-ups,
    `repr` of the arguments and result handle that made up half of the CPU it cost."""
    from .tasks import deliver

    app, name = deliver.app, deliver.name  # `deliver` is a proxy: each look-up costs
    amqp = app.amqp
    # Sent from a task (the sweep), the messages carry its ids, as apply_async's do.
    parent = app.current_worker_task
    parent_id = parent.request.id if parent else None
    root_id = (parent.request.root_id or parent_id) if parent else None
    try:
        with app.producer_or_acquire() as producer, producer.batch():
            for delivery_id, channel in jobs:
                task_id = uuid()
                message = amqp.create_task_message(
                    task_id,
                    name,
                    (delivery_id,),
                    {},
                    argsrepr=f"({delivery_id},)",
                    kwargsrepr="{}",
                    ignore_result=True,
                    reply_to=app.thread_oid,
                    root_id=root_id,
                    parent_id=parent_id,
                )
                amqp.send_task_message(
                    producer,
                    name,
                    message,
                    queue=f"notify.{channel}",
                    retry=False,
                    declare=[],
                )
    except Exception as exc:  # noqa: BLE001 - any broker failure means "later"
        logger.warning("Broker unavailable, %d deliveries left for the sweep: %s", len(jobs), exc)
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


# The delivery, locked, with everything a sender reads (preferences included): one query.
_locked_delivery = CompiledQuery(
    lambda pk: (
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("event__ticket", "recipient__preferences", "endpoint")
        .filter(pk=pk)
        .order_by()[:1]
    )
)

# What delivery_attempt writes back; the rest of the row never changes after notify().
_attempt_written = RowUpdate(
    Delivery, ["status", "attempts", "last_error", "next_attempt_at", "sent_at", "updated_at"]
)


def delivery_attempt(delivery_id: int) -> tuple[Outcome, float]:
    """Try one delivery once. Returns the outcome and, for RETRY, the delay before the next
    try. The row stays locked while sending, so a concurrent duplicate task skips it."""
    with transaction.atomic():
        delivery = _locked_delivery.first(delivery_id)
        now = timezone.now()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return Outcome.SKIPPED, 0.0
        if delivery.next_attempt_at > now + timedelta(seconds=1):
            return Outcome.SKIPPED, 0.0  # a copy that came early: the backoff stands
        delivery.attempts += 1
        try:
            with transaction.atomic():  # a failed send leaves none of its own writes
                SENDERS[delivery.channel](delivery)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if (
                isinstance(exc, PermanentFailure)
                or delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
            ):
                delivery.status = DeliveryStatus.FAILED
                _attempt_written.save(delivery)
                logger.error("Delivery %s failed for good: %s", delivery.pk, delivery.last_error)
                return Outcome.FAILED, 0.0
            delay = backoff_seconds(delivery.attempts)
            delivery.next_attempt_at = now + timedelta(seconds=delay)
            _attempt_written.save(delivery)
            logger.warning(
                "Delivery %s attempt %d failed, next in %.0f s: %s",
                delivery.pk,
                delivery.attempts,
                delay,
                delivery.last_error,
            )
            return Outcome.RETRY, delay
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        _attempt_written.save(delivery)
        return Outcome.SENT, 0.0


def deliveries_sweep(*, now=None) -> int:
    """Re-enqueue deliveries still pending a grace period after they were due: those whose
    enqueue failed (broker down at commit) or whose worker died mid-task."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    jobs = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", "channel")[: settings.NOTIFICATION_SWEEP_BATCH]
    )
    if not jobs:
        return 0
    # Due from now: the next sweep leaves them alone for a grace period instead of piling
    # another copy on a queue that is merely behind.
    Delivery.objects.filter(pk__in=[pk for pk, _channel in jobs]).update(next_attempt_at=now)
    return enqueue(jobs)


def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of `user` as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
