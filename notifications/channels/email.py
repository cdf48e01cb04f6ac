"""Email channel: text and HTML parts, one thread per ticket, the anti-phishing code."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from ..content import render, ticket_url


def _domain() -> str:
    return settings.HELPDESK_EMAIL_DOMAIN


def thread_id(ticket) -> str:
    """The Message-ID every email of a ticket refers to, so mail clients keep one thread."""
    return f"<ticket-{ticket.pk}@{_domain()}>"


def message_id(delivery) -> str:
    """Stable per delivery: a retry that did reach the server looks like the same email."""
    return f"<delivery-{delivery.pk}.ticket-{delivery.event.ticket_id}@{_domain()}>"


def build(delivery) -> EmailMultiAlternatives:
    from ..services import preferences_for

    preferences = preferences_for(delivery.recipient)
    event, ticket = delivery.event, delivery.event.ticket
    content = render(event, preferences.language)
    context = {
        "title": content.title,
        "body": content.body,
        "ticket": ticket,
        "reference": ticket.reference,
        "url": ticket_url(ticket),
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


def send(delivery) -> None:
    message = build(delivery)
    message.connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    if message.send() != 1:
        raise RuntimeError("The mail server accepted no message.")
