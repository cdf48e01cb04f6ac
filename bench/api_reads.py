"""The ticket list over HTTP: median and p95 of the reads people make all day, measured with
wrk against gunicorn (2 sync workers, production settings). Run by hand, after
bench/generate.py has loaded the database (see bench/README.md):

    .venv/bin/python bench/generate.py --tickets 1000000        # -> helpdesk_bench
    .venv/bin/python bench/api_reads.py --database helpdesk_bench

Needs `wrk` (Debian: `apt-get install wrk`). Each scenario is one URL requested by
--connections keep-alive connections for --duration seconds after a --warmup; a Lua script
adds the token and prints wrk's latency distribution (every request counted). The users
and search terms come from bench/.bench-<database>.json, written by the generator; each
run makes the users new tokens (`manage.py create_token`).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from generate import BENCH_REDIS_URL, PG_DEFAULT  # the bench folder's own module

ROOT = Path(__file__).resolve().parent.parent

LUA = """
wrk.headers["Authorization"] = "Token %(token)s"
wrk.headers["Accept"] = "application/json"
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"errors\\": %%d, \\"non200\\": %%d, \\"p50\\": %%d, "
    .. "\\"p95\\": %%d, \\"p99\\": %%d, \\"max\\": %%d, \\"seconds\\": %%f}\\n",
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.duration / 1e6))
end
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(pg: str, database: str) -> dict[str, str]:
    """The environment of the service under test: production settings, no rate limits."""
    return {
        **os.environ,
        "DATABASE_URL": f"{pg}/{database}",
        "DJANGO_SECRET_KEY": "bench-only-secret",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": BENCH_REDIS_URL,
        "CELERY_BROKER_URL": BENCH_REDIS_URL,
        "THROTTLE_USER_RATE": "10000000/min",
        "THROTTLE_IP_RATE": "10000000/min",
        "THROTTLE_TICKET_CREATE_RATE": "10000000/min",
        "LOG_LEVEL": "WARNING",
    }


def new_tokens(pg: str, database: str, users: dict[str, str]) -> dict[str, str]:
    """A new API token per role's user, from `manage.py create_token`."""
    python = str(ROOT / ".venv" / "bin" / "python")
    return {
        role: subprocess.run(
            [python, "manage.py", "create_token", username],
            cwd=ROOT,
            env=service_env(pg, database),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for role, username in users.items()
    }


def start_gunicorn(pg: str, database: str, port: int, workers: int) -> subprocess.Popen:
    env = service_env(pg, database)
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "helpdesk.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit("gunicorn exited") from None
            time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer /healthz")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def scenarios(facts: dict) -> list[tuple[str, str, str]]:
    """(name, role, path and query)."""
    quote = urllib.parse.quote
    return [
        ("requester: own tickets", "requester", "/api/v1/tickets/"),
        (
            "agent: open in a queue, by last update",
            "agent",
            f"/api/v1/tickets/?status=open&queue={facts['queue']}&ordering=-updated_at",
        ),
        ("agent: q = exact transaction id", "agent", f"/api/v1/tickets/?q={facts['txid']}"),
        ("agent: q = English words", "agent", f"/api/v1/tickets/?q={quote(facts['english'])}"),
        ("agent: q = Chinese words", "agent", f"/api/v1/tickets/?q={quote(facts['chinese'])}"),
        ("agent: q = a rare error code", "agent", f"/api/v1/tickets/?q={facts['rare']}"),
        ("requester: q = English words", "requester", "/api/v1/tickets/?q=withdrawal"),
    ]


def check(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    return len(body["results"])


def run_wrk(url: str, token: str, connections: int, seconds: int, lua: str = LUA) -> dict:
    """wrk with a Lua script (`lua`, formatted with the token) that prints one RESULT line."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua % {"token": token})
    try:
        output = subprocess.run(
            [
                "wrk",
                f"-t{min(connections, 2)}",
                f"-c{connections}",
                f"-d{max(int(seconds), 1)}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--pg", default=PG_DEFAULT)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections")
    parser.add_argument("--duration", type=int, default=15, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="seconds before each one")
    parser.add_argument("--only", help="run the scenarios whose name contains this")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk")
    facts = json.loads((ROOT / "bench" / f".bench-{args.database}.json").read_text())
    tokens = new_tokens(args.pg, args.database, facts["users"])

    port = free_port()
    server = start_gunicorn(args.pg, args.database, port, args.workers)
    results = []
    try:
        for name, role, path in scenarios(facts):
            if args.only and args.only not in name:
                continue
            url = f"http://127.0.0.1:{port}{path}"
            token = tokens[role]
            rows = check(url, token)
            run_wrk(url, token, args.connections, args.warmup)
            result = run_wrk(url, token, args.connections, args.duration)
            result.update(name=name, path=path, rows=rows)
            results.append(result)
            log(
                f"{name}: p50 {result['p50'] / 1000:.1f} ms, p95 {result['p95'] / 1000:.1f} ms, "
                f"{result['requests']} requests, {result['errors']} errors"
            )
    finally:
        stop(server)

    print(
        f"\nTicket list over HTTP, {facts['tickets']:,} tickets ({args.database}), gunicorn "
        f"{args.workers} workers, wrk {args.connections} connections x {args.duration:g}s\n"
    )
    print("| scenario | median ms | p95 ms | p99 ms | req/s | requests | rows | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['name']} | {r['p50'] / 1000:.1f} | {r['p95'] / 1000:.1f} "
            f"| {r['p99'] / 1000:.1f} | {r['requests'] / r['seconds']:.0f} | {r['requests']} "
            f"| {r['rows']} | {r['errors']} |"
        )
    print()
    for r in results:
        print(f"- {r['name']}: `{r['path']}`")


if __name__ == "__main__":
    main()
