"""Email channel: text and HTML parts, one thread per ticket, the anti-phishing code."""

import re
import smtplib
import threading
import time
from contextlib import suppress

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from ..content import render, ticket_url
from . import Channel


def _domain() -> str:
    return settings.HELPDESK_EMAIL_DOMAIN


# The desk's Message-IDs name their ticket with a keyed hash of it, so that an answer's
# In-Reply-To/References thread it back (SPEC §10) and nobody can forge one that writes
# into a ticket they have not been sent: `ticket-<id>.<tag>@` somewhere in the id.
_TICKET_IN_ID = re.compile(r"(?:^|[<.])ticket-(\d{1,18})\.([0-9a-f]{16})@([^>\s]+)>?$")


def _tag(ticket_id: int) -> str:
    return salted_hmac("helpdesk.email.thread", str(ticket_id)).hexdigest()[:16]


def thread_id(ticket) -> str:
    """The Message-ID every email of a ticket refers to, so mail clients keep one thread."""
    return f"<ticket-{ticket.pk}.{_tag(ticket.pk)}@{_domain()}>"


def message_id(delivery) -> str:
    """Stable per delivery: a retry that did reach the server looks like the same email."""
    ticket_id = delivery.event.ticket_id
    return f"<delivery-{delivery.pk}.ticket-{ticket_id}.{_tag(ticket_id)}@{_domain()}>"


def ticket_id_from(message_id: str) -> int | None:
    """The ticket a Message-ID of the desk's own names, or None for anyone else's (or a
    forged one)."""
    match = _TICKET_IN_ID.search(message_id.strip())
    if match is None or match[3].lower() != _domain().lower():
        return None
    ticket_id = int(match[1])
    return ticket_id if constant_time_compare(match[2], _tag(ticket_id)) else None


def build(delivery) -> EmailMultiAlternatives:
    preferences = delivery.recipient.preferences
    event, ticket = delivery.event, delivery.event.ticket
    content = render(event, preferences.language)
    context = {
        "title": content.title,
        "body": content.body,
        "ticket": ticket,
        "reference": ticket.reference,
        "url": ticket_url(ticket, delivery.recipient),
        "anti_phishing_code": preferences.anti_phishing_code,
        "recipient": delivery.recipient,
    }
    with translation.override(preferences.language):
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{ticket.reference}] {content.title}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient.email],
        # Answers go to the mailbox the intake reads (SPEC §10).
        reply_to=[settings.HELPDESK_INBOUND_ADDRESS],
        headers={
            "Message-ID": message_id(delivery),
            "In-Reply-To": thread_id(ticket),
            "References": thread_id(ticket),
            "X-Helpdesk-Ticket": ticket.reference,
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# Each worker thread keeps its SMTP session between emails: a new connection, EHLO (and
# TLS and login) for every email was a fifth of a delivery's time. A session idle longer
# than this is not trusted any more (servers drop idle clients) and is opened anew.
KEEP_IDLE_SECONDS = 30.0
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

_kept = threading.local()


def _server() -> tuple:
    return tuple(
        getattr(settings, name)
        for name in (
            "EMAIL_BACKEND",
            "EMAIL_HOST",
            "EMAIL_PORT",
            "EMAIL_HOST_USER",
            "EMAIL_HOST_PASSWORD",
            "EMAIL_USE_TLS",
            "EMAIL_USE_SSL",
            "EMAIL_TIMEOUT",
        )
    )


def _connection():
    """(backend, reused): this thread's open session if it is fresh enough, or a new one."""
    kept = getattr(_kept, "session", None)
    if kept is not None:
        backend, server, last_used = kept
        if server == _server() and time.monotonic() - last_used < KEEP_IDLE_SECONDS:
            return backend, True
        close_connection()
    backend = get_connection(timeout=settings.EMAIL_TIMEOUT)
    backend.open()
    _kept.session = (backend, _server(), time.monotonic())
    return backend, False


def close_connection() -> None:
    kept, _kept.session = getattr(_kept, "session", None), None
    if kept is not None:
        with suppress(Exception):
            kept[0].close()


class Email(Channel):
    name = "email"
    label = _("Email")
    preference = "email_enabled"

    def wanted_by(self, user) -> bool:
        return bool(user.email) and super().wanted_by(user)

    def send(self, delivery) -> None:
        message = build(delivery)
        if settings.EMAIL_BACKEND != SMTP_BACKEND:
            # Files, the console, memory: nothing to keep open, and the file backend writes
            # one file per connection, so one per email (`make run`'s var/mail/).
            with get_connection(timeout=settings.EMAIL_TIMEOUT) as backend:
                if backend.send_messages([message]) != 1:
                    raise RuntimeError("The mail backend accepted no message.")
            # The file backend names a file by the second and the backend object's id():
            # the last one is kept alive, so that the next one (in the same second) cannot
            # get its id and write into its file.
            _kept.previous_backend = backend
            return
        backend, reused = _connection()
        try:
            try:
                sent = backend.send_messages([message])
            except smtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                # The server had closed the kept session: try once on a new one.
                close_connection()
                backend, _reused = _connection()
                sent = backend.send_messages([message])
        except BaseException:
            close_connection()  # after a refusal or an error the session's state is unknown
            raise
        if sent != 1:
            close_connection()
            raise RuntimeError("The mail server accepted no message.")
        _kept.session = (backend, _kept.session[1], time.monotonic())
