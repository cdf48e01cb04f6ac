"""What a notification says, in the recipient's language. Never an internal note: events
only ever carry public replies."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tickets.models import Flag, Message, Status

from .models import EventKind


@dataclass(frozen=True)
class Content:
    title: str
    body: str
    language: str


def _status_label(value: str | None) -> str:
    return str(Status(value).label) if value else ""


def ticket_url(ticket, recipient) -> str:
    """Where the email's ticket link goes. The requester: the exchange's own page for the
    ticket (HELPDESK_REQUESTER_TICKET_URL, with `{reference}` and `{id}`), or no link when
    that is not set: the API needs a token, so a link to it would only show an error, and
    users who are targets of phishing are best told to open the site themselves. Anyone
    else (agents): the ticket in the agents' desk."""
    if recipient.pk != ticket.requester_id:
        path = reverse("admin:tickets_ticket_change", args=[ticket.pk])
        return f"{settings.HELPDESK_BASE_URL.rstrip('/')}{path}"
    template = settings.HELPDESK_REQUESTER_TICKET_URL
    return template.format(reference=ticket.reference, id=ticket.pk) if template else ""


def _reply_body(event) -> str:
    message = Message.objects.filter(pk=event.data.get("message_id"), internal=False).first()
    return message.body if message else ""


def _intake_notices(ticket, data: dict) -> list[str]:
    """What the acknowledgement of an emailed ticket must also say (SPEC §10): the secret
    it removed, the files it could not take. In the caller's language."""
    notices = []
    if Flag.SECRET_REDACTED in ticket.flags:
        notices.append(
            _(
                "Your email contained what looks like a password, seed phrase or private key. "
                "We removed it before storing your request, but it has travelled by email: "
                "move your funds to a new wallet and change the password now."
            )
        )
    if data.get("dropped_files"):
        notices.append(
            _("We could not accept these attachments: %(files)s.")
            % {"files": ", ".join(data["dropped_files"])}
        )
    return notices


def render(event, language: str) -> Content:
    ticket, data = event.ticket, event.data
    params = {"reference": ticket.reference, "subject": ticket.subject}
    with translation.override(language):
        if event.kind == EventKind.TICKET_CREATED:
            title = _("We received your request %(reference)s") % params
            body = (
                _(
                    "Thank you for contacting support. Your request %(reference)s (“%(subject)s”) "
                    "has been received and we will answer it here. Our staff will never ask for "
                    "your password, seed phrase or private keys."
                )
                % params
            )
            body += "".join(f"\n\n{notice}" for notice in _intake_notices(ticket, data))
        elif event.kind == EventKind.STATUS_CHANGED:
            params |= {
                "from": _status_label(data.get("from_status")),
                "to": _status_label(data.get("to_status")),
            }
            title = _("%(reference)s is now %(to)s") % params
            body = _("The status of “%(subject)s” changed from %(from)s to %(to)s.") % params
            if data.get("reason"):
                body += "\n" + _("Reason: %(reason)s") % {"reason": data["reason"]}
        elif event.kind == EventKind.AGENT_REPLIED:
            title = _("New reply on %(reference)s") % params
            body = _reply_body(event)
        elif event.kind == EventKind.REQUESTER_REPLIED:
            title = _("The requester replied on %(reference)s") % params
            body = _reply_body(event)
        elif event.kind == EventKind.ASSIGNED:
            title = _("%(reference)s was assigned to you") % params
            body = _("“%(subject)s” is now yours.") % params
        else:
            raise ValueError(f"Unknown event kind {event.kind!r}")
    return Content(title=title, body=body, language=language)
