"""Tickets and their conversation: data and invariants only. Writes live in services.py."""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .textnorm import neutralize_bidi

REFERENCE_PREFIX = "HD-"
REFERENCE_RE = re.compile(r"^\s*HD-?0*(\d{1,18})\s*$", re.IGNORECASE)


class Category(models.TextChoices):
    ACCOUNT = "account", _("Account")
    TRADING = "trading", _("Trading")
    DEPOSIT_WITHDRAWAL = "deposit_withdrawal", _("Deposits and withdrawals")
    SECURITY = "security", _("Security")
    API = "api", _("API")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# The desk's order of statuses (SPEC §8), most in need of an agent first: tickets an agent
# must act on (new, open), then those waiting on someone else (pending, on_hold), then
# resolved, then closed. Everything that ranks statuses reads it: the admin's ordering and
# its "unsolved" filter (tickets.selectors) and the index `ticket_desk_order` below.
DESK_RANK: dict[str, int] = {
    Status.NEW: 0,
    Status.OPEN: 0,
    Status.PENDING: 1,
    Status.ON_HOLD: 1,
    Status.RESOLVED: 2,
    Status.CLOSED: 3,
}
# Solved: the agent's work is done (a requester may still reopen a resolved ticket).
SOLVED = frozenset({Status.RESOLVED, Status.CLOSED})
UNSOLVED = tuple(status for status in Status if status not in SOLVED)


def status_rank() -> models.Case:
    """DESK_RANK as an expression on `status`."""
    ranks = sorted(set(DESK_RANK.values()))
    return models.Case(
        *(
            models.When(
                status__in=[status for status, value in DESK_RANK.items() if value == rank],
                then=models.Value(rank),
            )
            for rank in ranks
        ),
        output_field=models.IntegerField(),
    )


def priority_rank() -> models.Case:
    """Urgent first: the Priority choices from last to first."""
    values = list(reversed(Priority.values))
    return models.Case(
        *(models.When(priority=p, then=models.Value(rank)) for rank, p in enumerate(values)),
        output_field=models.IntegerField(),
    )


class Channel(models.TextChoices):
    API = "api", _("API")
    EMAIL = "email", _("Email")
    ADMIN = "admin", _("Admin")


class Flag(models.TextChoices):
    """What a ticket's `flags` may hold (SPEC §2, §10): marks for the agents."""

    # A secret (SPEC §7) arrived by email and was redacted before storage.
    SECRET_REDACTED = "secret_redacted", _("Secret redacted")
    # The email's sender failed DMARC at our mail server: it may not be who it says.
    SENDER_UNVERIFIED = "sender_unverified", _("Sender unverified")


class Queue(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True)
    # The queue a new ticket of this category lands in; at most one queue per category.
    default_for = models.CharField(
        max_length=32, choices=Category.choices, unique=True, null=True, blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Who may change which fields of a ticket after it is created (SPEC §4): the structured
# details are the requester's, the desk's fields the agents'. The API, the services and the
# admin read these lists.
REQUESTER_FIELDS = (
    "occurred_at",
    "error_code",
    "transaction_ids",
    "steps_to_reproduce",
    "contact_phone",
)
AGENT_FIELDS = ("priority", "category", "queue", "assignee", "tags")


def reference_for(ticket_id: int) -> str:
    return f"{REFERENCE_PREFIX}{ticket_id:06d}"


def id_from_reference(text: str) -> int | None:
    """`HD-000123` (any case, padding optional) -> 123; anything else -> None."""
    match = REFERENCE_RE.match(text)
    return int(match.group(1)) if match else None


class Ticket(models.Model):
    subject = models.CharField(max_length=200)
    description = models.TextField(max_length=20_000)
    category = models.CharField(max_length=32, choices=Category.choices, default=Category.OTHER)
    priority = models.CharField(max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.API)
    # The FK indexes are left to the composite indexes below, which start with the same column.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        db_index=False,
    )
    queue = models.ForeignKey(
        Queue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,
    )
    tags = models.JSONField(default=list, blank=True)
    # Flag values, e.g. ["secret_redacted"]; added by the services, never removed.
    flags = models.JSONField(default=list, blank=True)
    # The closed ticket this one continues (a reply by email to a closed ticket, SPEC §3).
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )

    # Structured details the submission form asks for.
    occurred_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=100, blank=True)
    transaction_ids = models.JSONField(default=list, blank=True)
    steps_to_reproduce = models.TextField(max_length=5_000, blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        # Every list filter and ordering has an index; the composite ones serve the lists
        # people open all day (a requester's own tickets; an agent's queue by last update).
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_created"),
            models.Index(fields=["status", "-updated_at"], name="ticket_status_updated"),
            models.Index(fields=["queue", "status", "-updated_at"], name="ticket_queue_status_upd"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["priority"], name="ticket_priority"),
            models.Index(fields=["category"], name="ticket_category"),
            models.Index(fields=["-created_at"], name="ticket_created"),
            models.Index(fields=["-updated_at"], name="ticket_updated"),
            models.Index(fields=["status", "resolved_at"], name="ticket_status_resolved"),
            # The desk's default ordering (tickets.selectors.DESK_ORDERING): a page of the
            # agents' list is read off it in order instead of sorting a million rows.
            models.Index(
                status_rank(), priority_rank(), "updated_at", "id", name="ticket_desk_order"
            ),
        ]
        permissions = [("transition_ticket", "Can change the status of a ticket")]

    def __str__(self) -> str:
        # Shown in the desk's titles and breadcrumbs: a bidi control must not reorder them.
        return neutralize_bidi(f"{self.reference} {self.subject}")

    @property
    def reference(self) -> str:
        # Derived from the primary key: unique by construction, no second write on create.
        return reference_for(self.pk) if self.pk else ""


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ticket_messages"
    )
    internal = models.BooleanField(default=False)
    body = models.TextField(max_length=20_000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created")]

    def __str__(self) -> str:
        kind = "note" if self.internal else "reply"
        return f"{kind} #{self.pk} on ticket {self.ticket_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is not the user's: the sanitised original lives in `filename`.
    return f"attachments/{instance.ticket_id}/{instance.sha256[:16]}-{filename}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "message"], name="attachment_ticket_message")]

    def __str__(self) -> str:
        return self.filename


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Status history is append-only.")

    def delete(self):
        raise TypeError("Status history is append-only.")


class StatusChange(models.Model):
    """One step of a ticket's history. Append-only: the first row is `null -> new`,
    the last always equals the ticket's status."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="history")
    # null, not "", for the creation row: SPEC §2 says `null -> new`.
    from_status = models.CharField(  # noqa: DJ001
        max_length=16, choices=Status.choices, null=True, blank=True
    )
    to_status = models.CharField(max_length=16, choices=Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(max_length=2_000, blank=True)
    # A change made with an internal note: its reason stays with the agents, requesters see
    # the change with an empty reason (SPEC §2).
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="history_ticket_created")]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Status history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Status history is append-only.")

    def reason_for(self, *, agent: bool) -> str:
        """The reason as the viewer may read it: an internal one only for agents."""
        return self.reason if agent or not self.internal else ""


class IdempotencyKey(models.Model):
    """A ticket-creation request remembered by its `Idempotency-Key` header."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return self.key


def validate_macro_placeholders(text: str) -> None:
    from .macros import validate_placeholders

    validate_placeholders(text)


class Macro(models.Model):
    """A canned answer and the steps that go with it (SPEC §12): a reply per language with
    placeholders (tickets.macros.PLACEHOLDERS), public or internal, and a status (with its
    reason), a priority, a queue and tags to add or remove. Applied by tickets.macros."""

    name = models.CharField(max_length=100, unique=True)
    # The reply in each language (notifications.models.Language); either may be empty.
    body_en = models.TextField(
        max_length=20_000, blank=True, validators=[validate_macro_placeholders]
    )
    body_zh_hans = models.TextField(
        max_length=20_000, blank=True, validators=[validate_macro_placeholders]
    )
    internal = models.BooleanField(
        default=False, help_text=_("An internal note rather than a reply to the requester.")
    )
    status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    reason = models.TextField(max_length=2_000, blank=True)
    priority = models.CharField(max_length=16, choices=Priority.choices, blank=True)
    queue = models.ForeignKey(
        Queue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    add_tags = models.JSONField(default=list, blank=True)
    remove_tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
