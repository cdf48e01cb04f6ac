"""End to end: Celery beat polls the mailbox in a real worker process (SPEC §10)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connections

from tests.mail.builders import email
from tests.notifications.conftest import RedisBroker, wait_for
from tickets.models import Channel, Ticket

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def beat_worker(transactional_db, dovecot, tmp_path):
    """`celery -A helpdesk worker --beat` on the test database, polling `dovecot`."""
    broker = RedisBroker()
    broker.start()
    db = connections["default"].settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker.url,
        "HELPDESK_DATA_DIR": str(tmp_path),
        "EMAIL_INBOX_URL": dovecot.url(),
        "EMAIL_INBOX_CA_FILE": dovecot.ca_file,
        "EMAIL_POLL_SECONDS": "1",
    }
    log = tempfile.NamedTemporaryFile(prefix="beat-worker-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--beat",
            "--schedule", str(tmp_path / "beat-schedule"), "--pool=threads",
            "--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process, Path(log.name)
    finally:
        process.terminate()
        process.wait(20)
        broker.stop()


def test_beat_polls_the_mailbox_and_mail_becomes_tickets(beat_worker, dovecot):
    _process, log = beat_worker
    dovecot.append(email(sender="lena@example.org", subject="Arrived over IMAP"))

    ticket = wait_for(
        lambda: Ticket.objects.filter(subject="Arrived over IMAP").first(),
        timeout=60,
        what=f"the poll to store the message (worker log: {log})",
    )
    assert ticket.channel == Channel.EMAIL
    assert ticket.requester.email == "lena@example.org"
    wait_for(lambda: dovecot.messages("INBOX") == [], timeout=20, what="the message moved")
    assert len(dovecot.messages("Processed")) == 1
