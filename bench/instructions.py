"""CPU instructions per API request, counted by valgrind: a figure that stays put when the
machine's speed drifts, unlike the timings of the other benchmarks. Run by hand, after
bench/generate.py (see bench/README.md):

    .venv/bin/python bench/instructions.py --database helpdesk_bench_10k

For each scenario it runs this file twice under `valgrind --tool=callgrind` (Debian's
valgrind): once making only the warm-up requests, once making `--requests` more, and prints
the difference per request. The requests go through Django's test client in one process
(middleware, DRF, services, database and Redis round trips; no gunicorn, no network), as
the generator's requester, with the production settings and the Redis broker and cache at
BENCH_REDIS_URL (default redis://127.0.0.1:6379/13, flushed at the end). The count is of
this process's instructions only: PostgreSQL's and Redis's work is not in it. Creates stay
in the database, as with api_create.py. Under valgrind a run takes a minute or two.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import BENCH_REDIS_URL, PG_DEFAULT, ROOT, setup_django  # noqa: E402

BODY = {
    "subject": "USDT withdrawal not received",
    "description": "Sent 250 USDT on TRC20 two hours ago, still not in my wallet. 提现未到账。",
    "category": "deposit_withdrawal",
    "priority": "high",
    "transaction_ids": ["0x" + "ab" * 32],
}
SCENARIOS = {
    "create": "POST /api/v1/tickets/ (a ticket with a transaction id)",
    "me": "GET /api/v1/me/ (the fixed cost of an authenticated request)",
}
WARMUP = 10


def requests_in_process(pg: str, database: str, scenario: str, count: int) -> None:
    setup_django(
        pg,
        database,
        CELERY_BROKER_URL=BENCH_REDIS_URL,
        REDIS_URL=BENCH_REDIS_URL,
        DJANGO_ALLOWED_HOSTS="testserver",
        THROTTLE_USER_RATE="10000000/min",
        THROTTLE_IP_RATE="10000000/min",
        THROTTLE_TICKET_CREATE_RATE="10000000/min",
    )
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts import services

    facts = json.loads((ROOT / "bench" / f".bench-{database}.json").read_text())
    requester = get_user_model().objects.get_by_natural_key(facts["users"]["requester"])
    _token, key = services.token_create(user=requester)  # in both runs: not in the difference
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    body = json.dumps(BODY)
    for _ in range(WARMUP + count):
        if scenario == "create":
            response = client.post("/api/v1/tickets/", body, content_type="application/json")
            expected = 201
        else:
            response = client.get("/api/v1/me/")
            expected = 200
        if response.status_code != expected:
            raise SystemExit(f"{scenario}: {response.status_code} {response.content[:300]!r}")


def counted(args, scenario: str, count: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--database",
        args.database,
        "--pg",
        args.pg,
        "--child",
        scenario,
        str(count),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or not found:
        raise SystemExit(f"valgrind run failed:\n{run.stdout}\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="helpdesk_bench_10k")
    parser.add_argument("--pg", default=PG_DEFAULT)
    parser.add_argument("--requests", type=int, default=40, help="counted requests")
    parser.add_argument(
        "--scenarios", nargs="+", choices=sorted(SCENARIOS), default=["create", "me"]
    )
    parser.add_argument("--child", nargs=2, metavar=("SCENARIO", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        requests_in_process(args.pg, args.database, args.child[0], int(args.child[1]))
        return

    rows = []
    try:
        for scenario in args.scenarios:
            base = counted(args, scenario, 0)
            total = counted(args, scenario, args.requests)
            rows.append((scenario, (total - base) / args.requests))
            print(f"{scenario}: {rows[-1][1] / 1e6:.2f} M instructions per request", flush=True)
    finally:
        import redis

        redis.Redis.from_url(BENCH_REDIS_URL).flushdb()

    print(f"\nInstructions per request (callgrind), {args.database}, {args.requests} requests\n")
    print("| request | M instructions |")
    print("| --- | ---: |")
    for scenario, per_request in rows:
        print(f"| {SCENARIOS[scenario]} | {per_request / 1e6:.2f} |")


if __name__ == "__main__":
    main()
