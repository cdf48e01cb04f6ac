"""Ticket creation over HTTP: creates per second (and their latency) with wrk against gunicorn
(2 sync workers, production settings, the Celery broker on Redis). Run by hand, after
bench/generate.py (see bench/README.md):

    .venv/bin/python bench/api_create.py --database helpdesk_bench

Every request is `POST /api/v1/tickets/` as the generator's requester, with a JSON body
(subject, description, category, priority, a transaction id); no Idempotency-Key. The
tickets it creates stay in the database. Each create commits the ticket, its first history
row and the notification outbox, then queues the deliveries on the broker (nobody consumes
them here: the queue on BENCH_REDIS_URL, default redis://127.0.0.1:6379/13, is flushed at
the end).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_reads import (  # noqa: E402
    BENCH_REDIS_URL,
    PG_DEFAULT,
    ROOT,
    free_port,
    log,
    new_tokens,
    run_wrk,
    start_gunicorn,
    stop,
)

LUA = """
wrk.method = "POST"
wrk.headers["Authorization"] = "Token %(token)s"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"subject": "USDT withdrawal not received %%d", "description": "Sent 250 USDT on TRC20 '
    .. 'two hours ago, still not in my wallet. 提现未到账。", "category": "deposit_withdrawal", '
    .. '"priority": "high", "transaction_ids": ["%%064x"]}', n, n)
  return wrk.format(nil, nil, nil, body)
end
local created = 0
local other = 0
response = function(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"errors\\": %%d, \\"non2xx\\": %%d, \\"p50\\": %%d, "
    .. "\\"p95\\": %%d, \\"p99\\": %%d, \\"seconds\\": %%f}\\n",
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.duration / 1e6))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--pg", default=PG_DEFAULT)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--connections", nargs="+", type=int, default=[2, 4, 8])
    parser.add_argument("--duration", type=int, default=15, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    facts = json.loads((ROOT / "bench" / f".bench-{args.database}.json").read_text())
    token = new_tokens(args.pg, args.database, facts["users"])["requester"]

    port = free_port()
    server = start_gunicorn(args.pg, args.database, port, args.workers)
    url = f"http://127.0.0.1:{port}/api/v1/tickets/"
    results = []
    try:
        run_wrk(url, token, 2, args.warmup, lua=LUA)
        for connections in args.connections:
            result = run_wrk(url, token, connections, args.duration, lua=LUA)
            result["connections"] = connections
            results.append(result)
            log(f"{connections} connections: {result['requests'] / result['seconds']:.0f}/s")
    finally:
        stop(server)
        import redis

        redis.Redis.from_url(BENCH_REDIS_URL).flushdb()

    print(
        f"\nTicket creation over HTTP, {facts['tickets']:,} tickets ({args.database}), "
        f"gunicorn {args.workers} workers, {args.duration}s per row\n"
    )
    print("| wrk connections | creates/s | median ms | p95 ms | p99 ms | non-2xx | errors |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['connections']} | {r['requests'] / r['seconds']:.0f} | {r['p50'] / 1000:.1f} "
            f"| {r['p95'] / 1000:.1f} | {r['p99'] / 1000:.1f} | {r['non2xx']} | {r['errors']} |"
        )


if __name__ == "__main__":
    main()
