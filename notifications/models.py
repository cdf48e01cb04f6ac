"""Who hears about what, and how.

An Event is written in the same transaction as the ticket change that raised it (the
outbox). A worker then makes one Delivery per recipient and channel (the fan-out), and
turns each into an in-site Notification, an email or a webhook call; a Delivery's status
says how that went.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


class Preferences(models.Model):
    """A user's language, anti-phishing code and notification channels."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.EN)
    # Shown in every email we send, so the user can tell ours from a phishing copy.
    anti_phishing_code = models.CharField(max_length=32, blank=True)
    email_enabled = models.BooleanField(default=True)
    in_site_enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"preferences of user {self.user_id}"


class EventKind(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Ticket created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    AGENT_REPLIED = "agent_replied", _("Agent replied")
    REQUESTER_REPLIED = "requester_replied", _("Requester replied")
    ASSIGNED = "assigned", _("Assigned")


class Event(models.Model):
    """Something that happened to a ticket, recorded with the change itself."""

    kind = models.CharField(max_length=32, choices=EventKind.choices)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the messages need: statuses, the reply's id, the assignee... (never an internal note)
    data = models.JSONField(default=dict, blank=True)
    # Who hears of it (user ids, decided when it happened); webhooks are decided later.
    recipients = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Whether a worker has made its deliveries (notifications.services.event_fan_out).
    # notify() writes False; the default is for the rows of before the fan-out existed.
    fanned_out = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created"),
            # The sweep looks for events left without deliveries; the rest are skipped.
            models.Index(
                fields=["created_at"],
                condition=Q(fanned_out=False),
                name="event_not_fanned_out",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id}"


class WebhookEndpoint(models.Model):
    """An integrator's URL that receives signed JSON for the events it subscribes to."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=128, help_text="Shared secret for the HMAC-SHA256 signature."
    )
    events = models.JSONField(
        default=list, blank=True, help_text="Event kinds to send; empty means all of them."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def wants(self, kind: str) -> bool:
        return self.active and (not self.events or kind in self.events)


def channel_choices() -> list[tuple[str, str]]:
    """Delivery.channel's choices: the channels of notifications/channels/registry.py."""
    from .channels.registry import CHANNELS

    return [(channel.name, channel.label) for channel in CHANNELS.values()]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event to one recipient on one channel: the unit that is sent exactly once."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=channel_choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When a worker should next try it; the sweep re-enqueues pending ones well past this.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "recipient"],
                condition=Q(recipient__isnull=False),
                name="delivery_once_per_recipient",
            ),
            models.UniqueConstraint(
                fields=["event", "endpoint"],
                condition=Q(endpoint__isnull=False),
                name="delivery_once_per_endpoint",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) ^ Q(endpoint__isnull=False),
                name="delivery_has_one_target",
            ),
        ]
        indexes = [
            # The sweep looks for old pending deliveries; sent ones are the bulk and skipped.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            ),
            models.Index(fields=["status", "channel"], name="delivery_status_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery #{self.pk} ({self.status})"


class Notification(models.Model):
    """An in-site message for one user."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=32, choices=EventKind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # One notification per in-site delivery: a second run of the task cannot add another.
    delivery = models.OneToOneField(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title
