"""The real peers of the notification tests: a Redis broker of their own (so a test can
stop and restart it), a Celery worker process, an SMTP server and a webhook receiver on
loopback."""

import email
import email.policy
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connections

from helpdesk.celery import app as celery_app
from notifications.models import Delivery, DeliveryStatus, Event
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]

# What the worker process runs with; the tests' own settings fixture mirrors it.
WORKER_SETTINGS = {
    "NOTIFICATION_MAX_ATTEMPTS": 4,
    "NOTIFICATION_RETRY_BASE_SECONDS": 0.3,
    "NOTIFICATION_RETRY_MAX_SECONDS": 1.0,
    "NOTIFICATION_SWEEP_GRACE_SECONDS": 0.0,
    # a killed worker's delivery is the sweep's again this soon
    "NOTIFICATION_LEASE_SECONDS": 2.0,
    # a publish that failed keeps this process off the broker this long
    "BROKER_RETRY_SECONDS": 0.5,
    "WEBHOOK_TIMEOUT": 3.0,
    # the tests' receivers are on loopback
    "WEBHOOK_ALLOWED_NETWORKS": [ipaddress.ip_network("127.0.0.0/8")],
}


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


class SmtpSink:
    """An SMTP server that keeps what it accepts and can refuse the next N messages."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.messages: list[email.message.EmailMessage] = []
            self.attempts = 0
            self.refuse_next = 0
            self.sessions = 0  # EHLOs: SMTP sessions opened

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.attempts += 1
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 Try again later"
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 OK"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]


class WebhookReceiver:
    """An HTTP server that records every POST and answers with the queued statuses."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.calls.append(
                        {"headers": dict(self.headers), "body": body, "status": status}
                    )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        with self.lock:
            self.calls, self.statuses = [], []

    def accepted(self) -> list[dict]:
        with self.lock:
            return [
                {**call, "json": json.loads(call["body"])}
                for call in self.calls
                if 200 <= call["status"] < 300
            ]


class RedisBroker:
    """A redis-server process of the tests' own, on its own port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = self.url_for(0)
        self.process: subprocess.Popen | None = None

    def url_for(self, db: int) -> str:
        """Another database of this server: one the session's worker does not read."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class Worker:
    """`celery -A helpdesk worker` as a separate process on the test database."""

    def __init__(self, env: dict) -> None:
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log", delete=False)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "helpdesk",
                "worker",
                "--pool=threads",
                "--concurrency=4",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: b"ready." in Path(self.log.name).read_bytes(), 30, what="worker ready")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    port = free_port()
    controllers = [Controller(sink, hostname="127.0.0.1", port=port)]
    controllers[0].start()

    def restart() -> None:
        """Drop every open session, as a server restarting or timing idle clients out."""
        controllers[0].stop()
        controllers[0] = Controller(sink, hostname="127.0.0.1", port=port)
        controllers[0].start()

    sink.restart = restart
    yield sink, port
    controllers[0].stop()


@pytest.fixture(scope="session")
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture(scope="session")
def broker():
    redis = RedisBroker()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture(scope="session")
def worker(django_db_setup, django_db_blocker, broker, smtp_sink):
    """One worker process for the session, on the test database and our broker."""
    _sink, smtp_port = smtp_sink
    db = connections["default"].settings_dict
    data_dir = tempfile.mkdtemp(prefix="helpdesk-worker-")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker.url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "HELPDESK_DATA_DIR": data_dir,
        **{
            name: ",".join(map(str, value)) if isinstance(value, list) else str(value)
            for name, value in WORKER_SETTINGS.items()
        },
    }
    process = Worker(env)
    process.start()
    yield process
    process.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def _point_producer_at(url: str) -> None:
    # Celery resolves the write URL once; set it and drop the cached connection pools.
    celery_app.conf.broker_write_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def publishing_to(url: str):
    """This process publishes to `url` inside the block, and where it did after."""
    previous = celery_app.conf.broker_write_url
    _point_producer_at(url)
    try:
        yield
    finally:
        _point_producer_at(previous)


@contextmanager
def another_worker(worker: Worker, broker_url: str, **env: str):
    """A second worker process like the session's `worker`, on `broker_url`, with `env`
    changed; stopped (SIGTERM) at the end of the block if it still runs."""
    other = Worker({**worker.env, "CELERY_BROKER_URL": broker_url, **env})
    other.start()
    try:
        yield other
    finally:
        other.stop()


@pytest.fixture
def stack(worker, broker, smtp_sink, webhook_receiver, settings, transactional_db):
    """Everything wired: this process publishes to the worker's broker, mails go to the
    sink. Yields (sink, receiver)."""
    sink, port = smtp_sink
    sink.reset()
    webhook_receiver.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    for name, value in WORKER_SETTINGS.items():
        setattr(settings, name, value)
    with publishing_to(broker.url):
        yield sink, webhook_receiver


def all_settled(timeout: float = 30.0) -> None:
    """Wait until every event has its deliveries and no delivery is pending."""
    wait_for(
        lambda: (
            not Event.objects.filter(fanned_out=False).exists()
            and not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()
        ),
        timeout,
        what="every event fanned out and every delivery sent or failed",
    )
