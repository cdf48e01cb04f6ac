"""Notification delivery benchmark: N ticket status changes, delivered by one or more
Celery worker processes. Run by hand, not by the test suite (see bench/README.md):

    .venv/bin/python bench/notifications.py --rate 100      # 200 deliveries/s offered

Real pieces only: PostgreSQL (a database of its own, created and dropped here), a
redis-server of its own on a free port, an SMTP sink and a webhook receiver on loopback
(in a separate process, so they never wait on this one's GIL) and `celery -A helpdesk
worker` subprocesses. "Two workers" means two worker processes, each with the pool and
concurrency given (default: the project's, 4 threads in one process).

Each scenario creates its tickets before the workers start (their creation deliveries are
deleted, not measured), starts the workers, warms them up, then makes N status changes
(open <-> pending, by an agent) from a few threads; each change commits an Event, and a
worker makes its Delivery rows (requester in-site + email, and a webhook with --webhook).
Figures come from the database once every delivery is settled: the event's `created_at`
is written in the change's transaction (~ commit), a delivery's `created_at` when a worker
fanned the event out, and its `updated_at` when it was marked sent (~ delivered).
"""

import argparse
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "helpdesk_bench_notify"
SMTP, WEBHOOK = 0, 1  # slots of the sink's shared counters


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"Timed out after {timeout:.0f}s waiting for {what}")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (Linux /proc/stat)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the live processes of a process group (a prefork worker
    and its children)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


# --- peers --------------------------------------------------------------------------------


def _sink_main(smtp_port: int, http_port: int, counts, ready) -> None:
    """The SMTP sink and the webhook receiver: count what they accept, answer 250 / 200."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from aiosmtpd.controller import Controller

    class Smtp:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            with counts.get_lock():
                counts[SMTP] += 1
            return "250 OK"

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            with counts.get_lock():
                counts[WEBHOOK] += 1
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
    controller = Controller(Smtp(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    server = ThreadingHTTPServer(("127.0.0.1", http_port), Hook)
    ready.set()
    server.serve_forever()


class Peers:
    """redis-server and the sink process; stop() is safe to call whatever started."""

    def __init__(self) -> None:
        self.redis_port, self.smtp_port, self.http_port = free_port(), free_port(), free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.webhook_url = f"http://127.0.0.1:{self.http_port}/hook"
        context = multiprocessing.get_context("spawn")
        self.counts = context.Array("q", 2)
        self._ready = context.Event()
        self._sink = context.Process(
            target=_sink_main,
            args=(self.smtp_port, self.http_port, self.counts, self._ready),
            daemon=True,
        )
        self._redis: subprocess.Popen | None = None

    def start(self) -> None:
        self._redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._sink.start()
        if not self._ready.wait(20):
            raise TimeoutError("the SMTP sink / webhook receiver did not start")
        wait_for(self._redis_answers, 10, "redis-server")

    def _redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def flush_broker(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def received(self) -> tuple[int, int]:
        with self.counts.get_lock():
            return self.counts[SMTP], self.counts[WEBHOOK]

    def stop(self) -> None:
        if self._sink.is_alive():
            self._sink.terminate()
            self._sink.join(5)
        if self._redis is not None:
            _stop_process(self._redis)


def _stop_process(process: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM the process group we created for it (a prefork worker's children too)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    except ProcessLookupError:
        pass


class Worker:
    """`celery -A helpdesk worker` in its own session, logging to a file."""

    def __init__(self, index: int, env: dict, args, log_dir: Path) -> None:
        self.log_path = log_dir / f"worker-{index}.log"
        self.hostname = f"bench{index}@{socket.gethostname()}"
        self.command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            args.app,
            "worker",
            f"--loglevel={args.loglevel}",
            f"--hostname={self.hostname}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *args.worker_arg,
        ]
        # Through the settings: with CELERY_WORKER_POOL set, Celery reads `--pool prefork`
        # as "no --pool given" and keeps the setting's pool.
        self.env = {
            **env,
            "CELERY_WORKER_POOL": args.pool,
            "CELERY_WORKER_CONCURRENCY": str(args.concurrency),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def ready(self) -> bool:
        """Answers a ping (works at any --loglevel, unlike waiting for "ready." in the log)."""
        from helpdesk.celery import app

        self.check()
        return bool(app.control.ping(destination=[self.hostname], timeout=0.5))

    def check(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"worker exited with {self.process.returncode}:\n{tail}")

    def cpu(self) -> float:
        return group_cpu(self.process.pid) if self.process is not None else 0.0

    def stop(self) -> None:
        if self.process is not None:
            _stop_process(self.process)


# --- database -----------------------------------------------------------------------------


def _admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def create_database(pg: str, template: str | None = None) -> None:
    _admin(pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    # A copy of a generated database (bench/generate.py) measures at its size.
    _admin(pg, f"CREATE DATABASE {DB_NAME}" + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(pg: str) -> None:
    from django.apps import apps

    if apps.ready:
        from django.db import connections

        connections.close_all()
    _admin(pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_people(webhook_url: str | None):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from notifications.models import WebhookEndpoint

    users = get_user_model().objects
    requester = users.create_user("bench-requester", email="requester@bench.example")
    agent = users.create_user("bench-agent", email="agent@bench.example", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="Agents")[0])
    if webhook_url:
        WebhookEndpoint.objects.create(name="bench", url=webhook_url, secret="bench-secret")
    return requester, agent


# --- one scenario -------------------------------------------------------------------------


@dataclass
class Plan:
    """Who changes what: thread k owns the tickets whose index is k modulo the thread count
    (so no two threads wait on the same row lock) and knows each one's status."""

    tickets: list
    agent: object
    threads: int
    status: dict = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, count: int, rate: float, timeout: float) -> float:
        """Make `count` changes (at `rate` per second, 0 = flat out); return the seconds."""
        errors: list[BaseException] = []
        start = time.monotonic()
        producers = [
            threading.Thread(target=self._work, args=(k, count, rate, start, errors), daemon=True)
            for k in range(self.threads)
        ]
        for thread in producers:
            thread.start()
        try:
            for thread in producers:
                thread.join(max(0.1, start + timeout - time.monotonic()))
                if thread.is_alive():
                    raise TimeoutError(f"the status changes took over {timeout:.0f}s")
        finally:
            self.stop.set()  # on Ctrl-C or a timeout, the other threads stop too
        self.stop.clear()
        if errors:
            raise errors[0]
        return time.monotonic() - start

    def _work(self, k: int, count: int, rate: float, start: float, errors: list) -> None:
        from django.db import connections

        from tickets.models import Status
        from tickets.services import ticket_transition

        try:
            for i in range(k, count, self.threads):
                if self.stop.is_set():
                    return
                if rate:
                    time.sleep(max(0.0, start + i / rate - time.monotonic()))
                ticket = self.tickets[i % len(self.tickets)]
                current = self.status.get(ticket.pk, Status.NEW)
                target = Status.PENDING if current == Status.OPEN else Status.OPEN
                ticket_transition(ticket=ticket, to=target, actor=self.agent)
                self.status[ticket.pk] = target
        except BaseException as exc:  # noqa: BLE001 - reported by run()
            errors.append(exc)
            self.stop.set()
        finally:
            connections.close_all()


def wait_settled(after_event: int, workers: list[Worker], timeout: float) -> None:
    from notifications.models import Delivery, DeliveryStatus, Event

    pending = Delivery.objects.filter(event_id__gt=after_event, status=DeliveryStatus.PENDING)
    waiting = Event.objects.filter(pk__gt=after_event, fanned_out=False)
    deadline = time.monotonic() + timeout
    last_report = time.monotonic()
    while (left := pending.count() + waiting.count()) > 0:
        for worker in workers:
            worker.check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{left} events or deliveries pending after {timeout:.0f}s")
        if time.monotonic() - last_report > 5:
            log(f"  {left} events or deliveries pending")
            last_report = time.monotonic()
        time.sleep(0.1)


def run_scenario(workers: int, args, env: dict, peers: Peers, people, log_dir: Path) -> dict:
    from django.db.models import Max

    from notifications.models import Delivery, Event
    from tickets.services import ticket_create

    requester, agent = people
    tickets_count = -(-args.tickets // args.threads) * args.threads  # a multiple of threads
    log(f"{workers} worker(s): creating {tickets_count} tickets")
    tickets = [
        ticket_create(
            requester=requester,
            subject=f"Bench withdrawal {i}",
            description="USDT on TRC20 has not arrived after two hours.",
        )
        for i in range(tickets_count)
    ]
    # Their creation events are queued but no worker runs yet: not part of the figures.
    Event.objects.filter(ticket__in=tickets).update(fanned_out=True)
    Delivery.objects.filter(event__ticket__in=tickets).delete()
    peers.flush_broker()
    plan = Plan(tickets=tickets, agent=agent, threads=args.threads)

    processes = [Worker(i + 1, env, args, log_dir) for i in range(workers)]
    try:
        for worker in processes:
            worker.start()
        for worker in processes:
            wait_for(worker.ready, 60, "worker ready", interval=0.2)
        if args.warmup:
            marker = Event.objects.aggregate(last=Max("id"))["last"] or 0
            plan.run(args.warmup, rate=0, timeout=args.timeout)
            wait_settled(marker, processes, args.timeout)
        marker = Event.objects.aggregate(last=Max("id"))["last"] or 0
        received_before = peers.received()
        cpu_before = machine_cpu(), sum(worker.cpu() for worker in processes)
        log(f"{workers} worker(s): {args.changes} status changes")
        elapsed = plan.run(args.changes, rate=args.rate, timeout=args.timeout)
        log(f"  changes done in {elapsed:.1f}s; waiting for the deliveries")
        wait_settled(marker, processes, args.timeout)
        cpu_after = machine_cpu(), sum(worker.cpu() for worker in processes)
    finally:
        for worker in processes:
            worker.stop()
    received = [
        after - before for after, before in zip(peers.received(), received_before, strict=True)
    ]
    figures = measure(marker, args.changes, elapsed, received)
    (busy0, total0), worker0 = cpu_before
    (busy1, total1), worker1 = cpu_after
    figures["machine_busy"] = (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0
    figures["worker_cpu_ms"] = 1000 * (worker1 - worker0) / max(figures["sent"], 1)
    return figures


# --- figures ------------------------------------------------------------------------------


def _pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def measure(after_event: int, changes: int, elapsed: float, received: list[int]) -> dict:
    from notifications.models import Delivery, DeliveryStatus

    rows = list(
        Delivery.objects.filter(event_id__gt=after_event).values_list(
            "channel", "status", "attempts", "event__created_at", "created_at", "updated_at"
        )
    )
    sent = [row for row in rows if row[1] == DeliveryStatus.SENT]
    span = (max(r[5] for r in sent) - min(r[3] for r in sent)).total_seconds() if sent else 0
    latency = [(r[5] - r[3]).total_seconds() for r in sent]
    pickup = [(r[4] - r[3]).total_seconds() for r in sent]
    service = {}
    for channel in sorted({r[0] for r in sent}):
        service[channel] = statistics.median(
            (r[5] - r[4]).total_seconds() for r in sent if r[0] == channel
        )
    return {
        "changes": changes,
        "changes_per_s": changes / elapsed,
        "deliveries": len(rows),
        "sent": len(sent),
        "failed": sum(r[1] == DeliveryStatus.FAILED for r in rows),
        "retried": sum(r[2] > 1 for r in rows),
        "per_s": len(sent) / span if span else float("nan"),
        "p50": _pct(latency, 50),
        "p95": _pct(latency, 95),
        "max": max(latency, default=float("nan")),
        "pickup_p50": _pct(pickup, 50),
        "service": service,
        "emails": received[SMTP],
        "webhooks": received[WEBHOOK],
    }


def print_tables(results: list[tuple[str, dict]], args) -> None:
    print(
        f"\nNotification benchmark: {args.changes} changes, {args.threads} producer threads, "
        f"rate {args.rate or 'unlimited'}/s, {os.cpu_count()} CPUs, "
        f"webhook {'on' if args.webhook else 'off'}, "
        f"database {'a copy of ' + args.template if args.template else 'empty'}, "
        "load average at the end " + " ".join(f"{load:.1f}" for load in os.getloadavg())
    )
    head = ("scenario", "changes/s", "sent", "failed", "deliv/s", "p50 s", "p95 s", "max s")
    line = "{:<34} {:>9} {:>6} {:>6} {:>8} {:>7} {:>7} {:>7}"
    print(line.format(*head))
    for label, r in results:
        print(
            line.format(
                label,
                f"{r['changes_per_s']:.1f}",
                r["sent"],
                r["failed"],
                f"{r['per_s']:.1f}",
                f"{r['p50']:.3f}",
                f"{r['p95']:.3f}",
                f"{r['max']:.3f}",
            )
        )
    print("\ncommit-to-delivered = updated_at (marked sent) - created_at (in the change's tx)")
    print(
        "pickup = fanned out - committed (the fan-out hop); send = sent - fanned out;\n"
        "worker CPU = CPU time of the worker processes / deliveries; busy = whole machine"
    )
    head = (
        "scenario",
        "pickup p50 s",
        "send p50 ms by channel",
        "worker CPU ms",
        "busy",
        "retried",
        "smtp",
        "hooks",
    )
    line = "{:<34} {:>12}  {:<34} {:>13} {:>5} {:>7} {:>5} {:>5}"
    print(line.format(*head))
    for label, r in results:
        service = ", ".join(f"{ch} {s * 1000:.1f}" for ch, s in r["service"].items())
        print(
            line.format(
                label,
                f"{r['pickup_p50']:.3f}",
                service,
                f"{r['worker_cpu_ms']:.1f}",
                f"{r['machine_busy']:.0%}",
                r["retried"],
                r["emails"],
                r["webhooks"],
            )
        )


# --- main ---------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1], help="worker processes; one run each"
    )
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--tickets", type=int, default=200, help="changes cycle over these")
    parser.add_argument("--threads", type=int, default=4, help="threads making the changes")
    parser.add_argument("--rate", type=float, default=0, help="changes/s; 0 = flat out")
    parser.add_argument("--warmup", type=int, default=20, help="changes before measuring")
    parser.add_argument(
        "--pool", default="threads", help="celery worker --pool (the project's default)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, help="per worker (the project's default)"
    )
    parser.add_argument("--loglevel", default="INFO", help="celery worker --loglevel")
    parser.add_argument("--app", default="helpdesk", help="celery -A (e.g. a tuned variant)")
    parser.add_argument(
        "--worker-arg", action="append", default=[], help="extra worker option (repeatable)"
    )
    parser.add_argument("--webhook", action="store_true", help="add a webhook endpoint")
    parser.add_argument("--timeout", type=float, default=600, help="seconds for any wait")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep-db", action="store_true", help=f"leave {DB_NAME} behind")
    parser.add_argument(
        "--template",
        help="start from a copy of this database, e.g. helpdesk_bench (bench/generate.py)",
    )
    return parser.parse_args()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    args = parse_args()
    # Ctrl-C and kill both unwind through the finally below (SIGINT explicitly: a shell
    # that starts us in the background would have it ignored).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    data_dir = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    peers = Peers()
    created = False
    results = []
    try:
        peers.start()
        create_database(args.pg, args.template)
        created = True
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "DATABASE_URL": f"{args.pg}/{DB_NAME}",
            "CELERY_BROKER_URL": peers.redis_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(peers.smtp_port),
            "DJANGO_SECRET_KEY": "bench-only-secret",
            "DJANGO_DEBUG": "false",
            "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "HELPDESK_DATA_DIR": str(data_dir),
            "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",  # the bench's receiver
        }
        env.pop("REDIS_URL", None)
        setup_django(env)
        people = make_people(peers.webhook_url if args.webhook else None)
        for workers in args.workers:
            label = " ".join(
                [f"{workers}x {args.pool} c={args.concurrency}", *args.worker_arg]
                + ([f"-A {args.app}"] if args.app != "helpdesk" else [])
            )
            results.append((label, run_scenario(workers, args, env, peers, people, data_dir)))
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if results:
            print_tables(results, args)
        peers.stop()
        if created and not args.keep_db:
            drop_database(args.pg)
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
