"""IMAP polling against a real Dovecot (SPEC §10): IMAPS and STARTTLS, each message
handled once across crashes, then moved; bad ones to the failed folder; secrets never kept."""

import pytest
from django.core.cache import cache
from mnemonic import Mnemonic

from mail import imap
from mail.models import InboundEmail
from mail.services import TemporaryFailure, email_receive
from tests.mail.builders import email
from tickets.models import Channel, Flag, Ticket

pytestmark = pytest.mark.django_db

PHRASE = Mnemonic("english").generate(strength=128)


def poll(**kwargs) -> imap.PollReport:
    return imap.inbox_poll(watch_seconds=0, **kwargs)


def test_a_poll_stores_each_message_and_moves_it(dovecot):
    dovecot.append(
        email(sender="amy@example.org", subject="Withdrawal stuck"),
        email(sender="ben@example.org", subject="KYC", message_id="<kyc@example.org>"),
        email(headers={"Auto-Submitted": "auto-replied"}, subject="Out of office"),
    )

    report = poll()

    assert (report.stored, report.ignored, report.failed) == (2, 1, 0)
    subjects = set(Ticket.objects.values_list("subject", flat=True))
    assert subjects == {"Withdrawal stuck", "KYC"}
    assert set(Ticket.objects.values_list("channel", flat=True)) == {Channel.EMAIL}
    assert dovecot.messages("INBOX") == []
    assert len(dovecot.messages("Processed")) == 3


def test_starttls_works_too(dovecot):
    dovecot.append(email(subject="over STARTTLS"))
    poll(url=dovecot.url(starttls=True))
    assert Ticket.objects.get().subject == "over STARTTLS"
    assert dovecot.messages("INBOX") == []


def test_a_message_a_crashed_poll_had_stored_is_not_stored_again(dovecot):
    raw = email(subject="stored, then the poller died", message_id="<crash@example.org>")
    dovecot.append(raw)
    email_receive(raw=raw, source="imap")  # committed; the move never happened

    report = poll()

    assert report.ignored == 1 and report.stored == 0
    assert Ticket.objects.count() == 1
    assert dovecot.messages("INBOX") == [] and len(dovecot.messages("Processed")) == 1


def test_bad_messages_go_to_the_failed_folder_and_never_block_the_next(dovecot, monkeypatch):
    dovecot.append(
        b"Subject: no sender at all\r\n\r\nwho am I?\r\n",
        email(subject="breaks the intake", message_id="<boom@example.org>"),
        email(subject="fine", message_id="<fine@example.org>"),
    )
    real = imap.email_receive

    def flaky(*, raw, source):
        if b"<boom@example.org>" in raw:
            raise ValueError("a bug in the intake")
        return real(raw=raw, source=source)

    monkeypatch.setattr(imap, "email_receive", flaky)

    report = poll()

    assert (report.stored, report.failed) == (1, 2)
    assert Ticket.objects.get().subject == "fine"
    failed = dovecot.messages("Failed")
    assert len(failed) == 2 and any(b"<boom@example.org>" in raw for raw in failed)
    assert dovecot.messages("INBOX") == []


def test_while_the_database_is_down_messages_wait_in_the_mailbox(dovecot, monkeypatch):
    dovecot.append(email(subject="first"), email(subject="second"))

    def down(*, raw, source):
        raise TemporaryFailure("database unavailable: OperationalError")

    monkeypatch.setattr(imap, "email_receive", down)
    report = poll()
    assert report.deferred == 1 and report.stored == 0
    assert len(dovecot.messages("INBOX")) == 2

    monkeypatch.undo()
    assert poll().stored == 2
    assert dovecot.messages("INBOX") == []


def test_a_message_with_a_secret_is_kept_only_without_it(dovecot):
    raw = email(subject=f"my seed {PHRASE}", body=f"Seed phrase:\n{PHRASE}\n\nHelp!")
    dovecot.append(raw)

    poll()

    ticket = Ticket.objects.get()
    assert Flag.SECRET_REDACTED in ticket.flags
    kept = b"".join(dovecot.messages("Processed") + dovecot.messages("INBOX"))
    assert kept, "a copy without the secret is kept"
    first_words = " ".join(PHRASE.split()[:3]).encode()
    assert first_words not in kept
    assert InboundEmail.objects.get().redacted


def test_a_secret_message_a_crashed_poll_had_stored_is_still_not_kept(dovecot):
    raw = email(body=f"Seed phrase:\n{PHRASE}\n\nHelp!", message_id="<secret@example.org>")
    dovecot.append(raw)
    email_receive(raw=raw, source="imap")

    poll()

    kept = b"".join(dovecot.messages("Processed") + dovecot.messages("INBOX"))
    assert " ".join(PHRASE.split()[:3]).encode() not in kept
    assert Ticket.objects.count() == 1


def test_a_huge_message_and_200_attachments_are_handled(dovecot, settings):
    settings.EMAIL_MAX_MESSAGE_BYTES = 3_000_000
    from tests.mail.test_bad_input import PNG

    dovecot.append(
        email(subject="too big", body="x" * 4_000_000),
        email(subject="many", attachments=[(f"{n}.png", PNG, "image/png") for n in range(200)]),
    )
    report = poll()
    assert (report.stored, report.failed) == (1, 1)
    assert Ticket.objects.get().subject == "many"
    assert len(dovecot.messages("Failed")) == 1


def test_one_poll_at_a_time(dovecot):
    dovecot.append(email())
    cache.add("mail:inbox-poll", 1, timeout=60)  # another poll holds the lock
    try:
        assert poll().stored == 0
        assert len(dovecot.messages("INBOX")) == 1
    finally:
        cache.delete("mail:inbox-poll")
    assert poll().stored == 1


def test_the_next_poll_waits_for_the_running_one_and_takes_over(dovecot):
    import threading

    dovecot.append(email(subject="handed over"))
    cache.add("mail:inbox-poll", 1, timeout=60)  # a poll is running...
    threading.Timer(0.5, lambda: cache.delete("mail:inbox-poll")).start()  # ...and ends
    report = imap.inbox_poll(watch_seconds=2)
    assert report.stored == 1
    assert Ticket.objects.get().subject == "handed over"


def test_a_poll_takes_mail_arriving_while_it_watches(dovecot):
    import threading

    timer = threading.Timer(0.5, lambda: dovecot.append(email(subject="late arrival")))
    timer.start()
    report = imap.inbox_poll(watch_seconds=5)
    timer.join()
    assert report.stored == 1
    assert Ticket.objects.get().subject == "late arrival"
