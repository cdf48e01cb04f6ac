"""What the intake remembers of each email it handled (SPEC §10): enough to store a
message once, to thread answers to it, and to count acknowledgements per sender. Never
the message itself: a raw copy could keep a secret the ticket had redacted."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    STORED = "stored", _("Stored")  # a new ticket or a reply on one
    IGNORED = "ignored", _("Ignored")  # an auto-reply, a bounce, the desk's own mail


class InboundEmail(models.Model):
    # RFC 5322 allows 998 characters a line; an id past 900 is not kept as it stands.
    message_id = models.CharField(max_length=998)
    sender = models.EmailField(max_length=254)  # lower case
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=200, blank=True)  # why it was ignored
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The reply it became, when it joined an existing ticket.
    reply = models.ForeignKey(
        "tickets.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    acknowledged = models.BooleanField(default=False)
    # A secret was redacted from it: no raw copy of it may be kept (the IMAP poller keeps
    # a copy without the secret in the processed folder, even on a second look).
    redacted = models.BooleanField(default=False)
    source = models.CharField(max_length=32)  # "pipe", "imap", or the provider's name
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # SPEC §10: the same Message-ID from the same sender is stored once. Its index
            # also serves threading, which looks a received message up by its id.
            models.UniqueConstraint(fields=["message_id", "sender"], name="inbound_once")
        ]
        indexes = [
            # The acknowledgements a sender had in the last hour.
            models.Index(
                fields=["sender", "created_at"],
                condition=models.Q(acknowledged=True),
                name="inbound_acknowledged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} from {self.sender} ({self.outcome})"
