"""Polling the desk's mailbox (SPEC §10): Celery beat runs `inbox_poll()` every
EMAIL_POLL_SECONDS when EMAIL_INBOX_URL is set.

A poll takes every message in the folder, hands it to the intake, and then moves it:
to EMAIL_PROCESSED_FOLDER when it was stored or deliberately ignored, to
EMAIL_FAILED_FOLDER (with the reason logged) when it was refused or broke the intake, so
that one bad message never blocks the next. A message that held a secret is not kept as
it came: the processed folder gets a copy without it, and the original is deleted. When
the database or the storage is down, messages stay in the folder for the next poll.

Each message is handled once across restarts and crashes: it is moved only after the
intake committed, and the intake stores a Message-ID from a sender once, so a message a
crashed poll had stored but not moved is recognised and moved on the next. One poll runs
at a time (a lock in the cache). Between its rounds a poll waits for new mail with IMAP
IDLE; each beat asks the running poll to watch on for another period instead of starting
one, so the mailbox is watched all along (one worker thread, handed over every
MAX_RUN_SECONDS) and mail is taken as it arrives (Dovecot tells of it within a second).
"""

import logging
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from imapclient import IMAPClient

from tickets import guard
from tickets.services import REDACTED

from .parsing import Refused, parse
from .services import TemporaryFailure, email_receive

logger = logging.getLogger(__name__)

# Messages fetched per round trip; a large one is fetched on its own.
FETCH_BATCH = 25
LARGE_MESSAGE_BYTES = 2_000_000
# A poll watches this much longer than the polling period: the next beat comes first.
WATCH_OVERLAP_SECONDS = 2.0
# How long one IDLE lasts before the poll looks at its watch again.
WAIT_SECONDS = 1.0
# A poll hands over to the next beat's after this long, keeping each task bounded.
MAX_RUN_SECONDS = 300
# A poll that died holding the lock frees it after this long (a live one renews it).
LOCK_SECONDS = 60
_LOCK_KEY = "mail:inbox-poll"
_WATCH_KEY = "mail:inbox-watch-until"
_stopping = threading.Event()


@dataclass(frozen=True)
class Inbox:
    host: str
    port: int
    starttls: bool  # imap:// (STARTTLS, required); imaps:// is TLS from the start
    username: str
    password: str
    folder: str

    @classmethod
    def from_url(cls, url: str) -> "Inbox":
        """imaps://user:password@host[:port]/FOLDER or imap://... (with STARTTLS); the
        user and password percent-encoded ("%40" for "@")."""
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise ImproperlyConfigured("EMAIL_INBOX_URL must be imaps://… or imap://…")
        starttls = parts.scheme == "imap"
        return cls(
            host=parts.hostname,
            port=parts.port or (143 if starttls else 993),
            starttls=starttls,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
        )


@dataclass
class PollReport:
    stored: int = 0
    ignored: int = 0  # auto-replies, bounces, the desk's own mail, duplicates
    failed: int = 0  # moved to the failed folder
    deferred: int = 0  # left in the folder: the database or storage was unavailable
    outcomes: list[str] = field(default_factory=list, repr=False)


def connect(inbox: Inbox) -> IMAPClient:
    context = ssl.create_default_context(cafile=settings.EMAIL_INBOX_CA_FILE or None)
    client = IMAPClient(
        inbox.host,
        port=inbox.port,
        ssl=not inbox.starttls,
        ssl_context=context,
        timeout=settings.EMAIL_IMAP_TIMEOUT,
    )
    try:
        if inbox.starttls:
            client.starttls(context)  # raises if the server cannot: never log in in clear
        client.login(inbox.username, inbox.password)
    except BaseException:
        client.shutdown()
        raise
    return client


def inbox_poll(*, url: str | None = None, watch_seconds: float | None = None) -> PollReport:
    """Take what is in the mailbox, then keep watching it (IDLE) until `watch_seconds`
    from now (by default EMAIL_POLL_SECONDS and a little more, so that the next beat
    comes before the watch ends). If a poll is running already, it is asked to watch that
    long and this call returns: one poll at a time, and no gap between them."""
    inbox = Inbox.from_url(url or settings.EMAIL_INBOX_URL)
    if watch_seconds is None:
        watch_seconds = settings.EMAIL_POLL_SECONDS + WATCH_OVERLAP_SECONDS
    until = time.time() + watch_seconds
    cache.set(_WATCH_KEY, max(until, cache.get(_WATCH_KEY, 0)), timeout=watch_seconds + 60)
    # A poll that is just ending may still hold the lock for a moment: give it that moment.
    for _attempt in range(6):
        if cache.add(_LOCK_KEY, 1, timeout=LOCK_SECONDS):
            break
        time.sleep(0.2)
    else:
        return PollReport()  # the running poll watches on, until `until` at least
    report = PollReport()
    started = time.monotonic()
    try:
        client = connect(inbox)
        try:
            for folder in (settings.EMAIL_PROCESSED_FOLDER, settings.EMAIL_FAILED_FOLDER):
                if not client.folder_exists(folder):
                    client.create_folder(folder)
            client.select_folder(inbox.folder)
            while _drain(client, report) and _keep_watching(started):
                _wait_for_mail(client, WAIT_SECONDS)
                cache.touch(_LOCK_KEY, LOCK_SECONDS)
        finally:
            client.logout()
    finally:
        cache.delete(_LOCK_KEY)
    if report.stored or report.failed or report.deferred:
        logger.info("inbox poll: %s", report)
    return report


def stop_watching() -> None:
    """The worker is shutting down: running polls end at their next wake."""
    _stopping.set()


def _keep_watching(started: float) -> bool:
    if _stopping.is_set() or time.monotonic() - started > MAX_RUN_SECONDS:
        return False
    return cache.get(_WATCH_KEY, 0) > time.time()


def _wait_for_mail(client: IMAPClient, seconds: float) -> None:
    if not client.has_capability("IDLE"):
        time.sleep(seconds)
        return
    client.idle()
    try:
        client.idle_check(timeout=seconds)
    finally:
        client.idle_done()


def _drain(client: IMAPClient, report: PollReport) -> bool:
    """Handle every message in the selected folder. False when the poll should stop (the
    database or storage is down: the messages wait for the next poll)."""
    while uids := client.search(["NOT", "DELETED"]):
        sizes = client.fetch(uids, ["RFC822.SIZE"])
        moves: dict[str, list[int]] = {}
        for batch in _batches(uids, sizes):
            bodies = client.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                size = sizes.get(uid, {}).get(b"RFC822.SIZE", 0)
                raw = bodies.get(uid, {}).get(b"BODY[]")
                folder = _handle(client, uid, raw, size, report)
                if folder is None:
                    _move_all(client, moves)
                    return False
                if folder:
                    moves.setdefault(folder, []).append(uid)
        _move_all(client, moves)
        cache.touch(_LOCK_KEY, LOCK_SECONDS)  # still polling
    return True


def _batches(uids: list[int], sizes: dict) -> list[list[int]]:
    batches, batch = [], []
    for uid in uids:
        if sizes.get(uid, {}).get(b"RFC822.SIZE", 0) > LARGE_MESSAGE_BYTES:
            batches.append([uid])
            continue
        batch.append(uid)
        if len(batch) == FETCH_BATCH:
            batches.append(batch)
            batch = []
    return [*batches, batch] if batch else batches


def _handle(client: IMAPClient, uid: int, raw, size: int, report: PollReport) -> str | None:
    """The folder the message goes to ("" when it was already dealt with here), or None
    to leave it for the next poll."""
    processed, failed = settings.EMAIL_PROCESSED_FOLDER, settings.EMAIL_FAILED_FOLDER
    if size > settings.EMAIL_MAX_MESSAGE_BYTES or raw is None:
        logger.warning("inbox message %s refused: %s bytes, over the limit", uid, size)
        report.failed += 1
        return failed
    try:
        result = email_receive(raw=raw, source="imap")
    except Refused as exc:
        logger.warning("inbox message %s refused: %s", uid, exc)
        report.failed += 1
        return failed
    except TemporaryFailure as exc:
        logger.warning("inbox message %s left for the next poll: %s", uid, exc)
        report.deferred += 1
        return None
    except Exception:  # one bad message must not stop the poller or block the next
        logger.exception("inbox message %s broke the intake; moved to %s", uid, failed)
        report.failed += 1
        return failed
    if result.outcome == "stored":
        report.stored += 1
    else:
        report.ignored += 1
    report.outcomes.append(result.outcome)
    if result.redacted:
        _replace_with_redacted_copy(client, uid, raw, result)
        return ""
    return processed


def _replace_with_redacted_copy(client: IMAPClient, uid: int, raw: bytes, result) -> None:
    """Keep in the processed folder what the ticket keeps, not the secret (SPEC §10)."""
    parsed = parse(raw)
    copy = EmailMessage()
    copy["From"] = parsed.sender
    copy["Subject"] = guard.redact(parsed.subject, placeholder=REDACTED)[0]
    copy["Message-ID"] = parsed.message_id
    copy.set_content(
        "This message held a password, seed phrase or private key. It was stored with the "
        f"secret redacted (ticket {result.ticket_id}) and the original was deleted."
    )
    client.append(settings.EMAIL_PROCESSED_FOLDER, copy.as_bytes())
    client.delete_messages([uid])
    _expunge(client, [uid])


def _move_all(client: IMAPClient, moves: dict[str, list[int]]) -> None:
    for folder, uids in moves.items():
        if client.has_capability("MOVE"):
            client.move(uids, folder)
        else:
            client.copy(uids, folder)
            client.delete_messages(uids)
            _expunge(client, uids)
    moves.clear()


def _expunge(client: IMAPClient, uids: list[int]) -> None:
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
    else:
        client.expunge()
