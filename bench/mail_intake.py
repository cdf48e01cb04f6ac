"""Email intake benchmark (issue #14): messages ingested per second by one worker from a
real Dovecot mailbox, and fetch-to-ticket latency at a steady offered rate. Run by hand,
not by the test suite (see bench/README.md):

    .venv/bin/python bench/mail_intake.py                      # both scenarios
    .venv/bin/python bench/mail_intake.py --messages 2000 --rate 10 --seconds 60

Real pieces only: PostgreSQL (a database of its own, created and dropped here), a
redis-server of its own (the broker the tickets' notifications are published to), and a
Dovecot of its own on free loopback ports with IMAPS (the tests' fixture, tests/mail).

1. Throughput: N messages are appended to the INBOX first: a mix of what reaches a desk
   (the corpus's first emails from ten clients, English and Chinese, text and HTML, GBK
   and Big5; one in five with a PNG and a PDF attached, one in ten with a text log the
   guard scans, one in twenty with a seed phrase the guard redacts). Then one poll —
   what one Celery beat task runs on one worker thread — takes them all: each is fetched,
   parsed, guarded, its files checked and stored, its ticket created with its history
   and notification event, and it is moved to the processed folder. Messages per second
   = N / the poll's time.
2. Latency: a `celery -A helpdesk worker --beat` process (the project's defaults: four
   threads, EMAIL_POLL_SECONDS) polls the mailbox and also makes each new ticket's
   notifications (the acknowledgement rendered and handed to Django's dummy mail
   backend), while messages are appended at --rate per second for --seconds;
   fetch-to-ticket = the ticket's created_at minus the moment its message was in the
   mailbox (the APPEND's answer). Reported: median, p95, max.
"""

import argparse
import base64
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import generate
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "helpdesk_bench_mail"
CORPUS = ROOT / "tests" / "mail" / "corpus"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def setup(pg: str, broker_url: str, data_dir: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"{pg}/{DB_NAME}",
            "CELERY_BROKER_URL": broker_url,
            "DJANGO_SECRET_KEY": "bench-only-secret",
            "DJANGO_DEBUG": "false",
            "HELPDESK_DATA_DIR": data_dir,
            "LOG_LEVEL": "WARNING",
            "EMAIL_ACK_LIMIT_PER_HOUR": "1000000",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"0" * 60_000


def messages(count: int, tag: str) -> list[bytes]:
    """`count` distinct first emails as the corpus's clients send them."""
    from email.utils import make_msgid

    from mnemonic import Mnemonic

    from tests.mail.builders import email

    entries = json.loads((CORPUS / "expected.json").read_text())
    files = [CORPUS / "messages" / e["file"] for e in entries if e["expect"] == "new"]
    firsts = [raw for raw in map(Path.read_bytes, files) if b"<<" not in raw]
    rng = random.Random(14)
    phrase = Mnemonic("english").generate(strength=128)
    out = []
    for n in range(count):
        sender = f"bench{n % 500}@example.org"
        if n % 20 == 7:
            raw = email(
                sender=sender,
                subject=f"{tag}-{n} hacked",
                body=f"My seed phrase:\n{phrase}\n\nPlease help.",
            )
        elif n % 10 == 3:
            log_text = "\n".join(
                f"2026-03-02 10:{i % 60:02d} INFO order {i} filled" for i in range(400)
            )
            raw = email(
                sender=sender,
                subject=f"{tag}-{n} logs",
                body="Logs attached.",
                attachments=[("app.log", log_text.encode(), "text/plain")],
            )
        elif n % 5 == 1:
            raw = email(
                sender=sender,
                subject=f"{tag}-{n} screenshots",
                body="Screenshot and statement attached.",
                attachments=[
                    ("s.png", PNG, "image/png"),
                    ("statement.pdf", PDF, "application/pdf"),
                ],
            )
        else:
            raw = rng.choice(firsts)
            # a distinct message: a new Message-ID and a subject to find it by
            head, _sep, body = raw.partition(b"\r\n\r\n")
            lines = [
                line
                for line in head.split(b"\r\n")
                if not line.lower().startswith((b"message-id:", b"subject:"))
            ]
            lines += [
                f"Message-ID: {make_msgid(domain='bench.example')}".encode(),
                f"Subject: {tag}-{n}".encode(),
            ]
            raw = b"\r\n".join(lines) + b"\r\n\r\n" + body
        out.append(raw)
    return out  # fmt: skip


def throughput(server, count: int) -> dict:
    from django.conf import settings

    from mail import imap
    from tickets.models import Ticket

    batch = messages(count, "tp")
    client = server.client()
    started = time.monotonic()
    for raw in batch:
        client.append("INBOX", raw)
    client.logout()
    log(f"appended {count} messages in {time.monotonic() - started:.1f}s")
    settings.EMAIL_INBOX_URL = server.url()
    settings.EMAIL_INBOX_CA_FILE = server.ca_file
    before = Ticket.objects.count()
    cpu = time.process_time()
    started = time.monotonic()
    report = imap.inbox_poll(watch_seconds=0)
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu
    made = Ticket.objects.count() - before
    return {
        "messages": count,
        "tickets": made,
        "seconds": elapsed,
        "per_second": count / elapsed,
        "cpu_ms_per_message": cpu * 1000 / count,
        "report": str(report),
    }


def latency(server, rate: float, seconds: float, data_dir: str) -> dict:
    from notifications.models import Event
    from tickets.models import Ticket

    # The first scenario's notifications are not this one's work: its events count as
    # fanned out and the broker starts empty.
    Event.objects.update(fanned_out=True)
    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushall()
    env = {
        **os.environ,
        "EMAIL_INBOX_URL": server.url(),
        "EMAIL_INBOX_CA_FILE": server.ca_file,
        # acknowledgements are rendered and "sent", to nowhere (not printed to the log)
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    worker_log = Path(data_dir) / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--beat",
         "--schedule", str(Path(data_dir) / "beat"), "--loglevel=WARNING",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=worker_log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        time.sleep(8)  # the worker starts and its first poll runs
        count = int(rate * seconds)
        batch = messages(count, "lat")
        appended: dict[str, float] = {}
        client = server.client()
        started = time.monotonic()
        for n, raw in enumerate(batch):
            due = started + n / rate
            time.sleep(max(0.0, due - time.monotonic()))
            client.append("INBOX", raw)
            appended[f"lat-{n}"] = time.time()
        client.logout()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if Ticket.objects.filter(subject__startswith="lat-").count() >= count:
                break
            time.sleep(0.5)
        delays = []
        for subject, created in Ticket.objects.filter(subject__startswith="lat-").values_list(
            "subject", "created_at"
        ):
            key = subject.split()[0]
            if key in appended:
                delays.append(created.timestamp() - appended[key])
        delays.sort()
        return {
            "offered": count,
            "rate": rate,
            "stored": len(delays),
            "median_s": statistics.median(delays),
            "p95_s": delays[int(len(delays) * 0.95) - 1],
            "max_s": delays[-1],
        }
    finally:
        worker.terminate()
        worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="throughput scenario")
    parser.add_argument("--rate", type=float, default=10.0, help="latency: messages per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="latency: how long")
    parser.add_argument("--pg", default=generate.PG_DEFAULT)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="helpdesk-bench-mail-")
    _admin(args.pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin(args.pg, f"CREATE DATABASE {DB_NAME}")
    with socket.socket() as sock:  # the broker's port, before Django reads its settings
        sock.bind(("127.0.0.1", 0))
        broker_port = sock.getsockname()[1]
    broker_url = f"redis://127.0.0.1:{broker_port}/0"
    setup(args.pg, broker_url, data_dir)
    from tests.notifications.conftest import RedisBroker

    broker = RedisBroker()
    broker.port, broker.url = broker_port, broker_url
    broker.start()
    server = None
    try:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from tests.mail.conftest import Dovecot, _dovecot_binary

        server = Dovecot(_dovecot_binary())
        server.start()
        result = throughput(server, args.messages)
        log(f"throughput: {result}")
        server.empty()
        lat = latency(server, args.rate, args.seconds, data_dir)
        log(f"latency: {lat}")
        print(
            f"\n| scenario | figure |\n| --- | --- |\n"
            f"| throughput, one poll (one worker thread) | {result['per_second']:.1f} messages/s "
            f"({result['messages']} in {result['seconds']:.1f} s, "
            f"{result['cpu_ms_per_message']:.1f} ms CPU each in the poller) |\n"
            f"| fetch-to-ticket at {lat['rate']:.0f}/s for {args.seconds:.0f} s "
            f"| median {lat['median_s']:.2f} s, p95 {lat['p95_s']:.2f} s, "
            f"max {lat['max_s']:.2f} s ({lat['stored']}/{lat['offered']} stored) |"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if server is not None:
            server.stop()
        broker.stop()
        _admin(args.pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
