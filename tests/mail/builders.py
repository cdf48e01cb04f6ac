"""Emails as mail clients send them, for the intake's tests."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from notifications.channels.email import thread_id


def email(
    *,
    sender: str = "dave@example.org",
    name: str = "Dave Doe",
    to: str = "support@localhost",
    subject: str = "Deposit not credited",
    body: str = "Hello, my USDT deposit has not arrived.",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    headers: dict | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> bytes:
    """A raw RFC 5322 message. attachments: (filename, bytes, "type/subtype")."""
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>" if name else sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = message_id or make_msgid(domain=sender.split("@")[-1])
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, content, content_type in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def answer_to(ticket, **kwargs) -> bytes:
    """The requester answering one of the desk's emails about `ticket`."""
    kwargs.setdefault("sender", ticket.requester.email)
    kwargs.setdefault("subject", f"Re: [{ticket.reference}] New reply on {ticket.reference}")
    kwargs.setdefault("in_reply_to", thread_id(ticket))
    kwargs.setdefault("references", [thread_id(ticket)])
    return email(**kwargs)
