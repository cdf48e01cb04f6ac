"""Agents' desk benchmark: the admin ticket list's server time at N tickets. Run by hand,
not by the test suite (see bench/README.md):

    .venv/bin/python bench/admin_changelist.py --tickets 1000000

It creates a PostgreSQL database of its own (helpdesk_bench_admin; never a test database),
migrates it, loads N tickets with INSERT ... SELECT generate_series (indexes dropped during
the load and rebuilt after, as a restore would), ANALYZEs, then times the changelist view
in-process with Django's test Client logged in as an agent: middleware, view, every query
and the template, but no network. Each scenario is warmed up, then requested --requests
times; the table gives the median, the 95th percentile and the number of queries.

The data has the shape of a desk two years in: tickets spread over 730 days, the last few
days' mostly new or open, older ones closed; 40 agents; one requester per five tickets;
40% of the tickets carry a transaction id, 10% an order id too; one to six messages a
ticket (the requester's and the assignee's in turn), which the list's "waiting since" and
"last reply by" columns read. Status history and notifications are not generated: the
list does not read them.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402 - the bench folder's own module

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "helpdesk_bench_admin"
AGENTS = 40


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- database -----------------------------------------------------------------------------


def _admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _database_exists(pg: str, database: str) -> bool:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
    return row is not None


def setup_django(pg: str, database: str) -> None:
    generate.setup_django(
        pg,
        database,
        DJANGO_ALLOWED_HOSTS="testserver,localhost",
        DJANGO_STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
    )


SUBJECTS = [
    "BTC withdrawal not received",
    "USDT deposit on TRC20 missing",
    "Cannot log in after 2FA reset",
    "KYC verification stuck in review",
    "Futures position liquidated unexpectedly",
    "API key returns 401 on order endpoint",
    "Anti-phishing code not shown in email",
    "Spot order filled at a wrong price",
    "Account locked after password change",
    "ETH withdrawal fee too high",
]


def load(tickets: int) -> None:
    """Agents through the ORM; requesters and tickets with INSERT ... SELECT."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    agents_group = Group.objects.get(name="Agents")
    User = get_user_model()
    agent_ids = []
    for k in range(AGENTS):
        agent = User.objects.create_user(
            f"agent{k}", f"agent{k}@support.example.com", None, is_staff=True
        )
        agent.groups.add(agents_group)
        agent_ids.append(agent.pk)
    requesters = max(tickets // 5, 1)
    subjects = "ARRAY[" + ", ".join(f"'{s}'" for s in SUBJECTS) + "]"
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        started = time.monotonic()
        cursor.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                                   email, is_staff, is_active, date_joined)
            SELECT '!', false, 'customer' || g, '', '', 'customer' || g || '@example.com',
                   false, true, now() - interval '800 days'
            FROM generate_series(1, %s) AS g
            """,
            [requesters],
        )
        cursor.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'customer%%'")
        first_requester = cursor.fetchone()[0]
        log(f"{requesters:,} requesters in {time.monotonic() - started:.1f}s")

        # Drop the ticket indexes for the load and rebuild them after (much faster).
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('tickets_ticket', 'tickets_message') AND indexname NOT LIKE '%%_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        started = time.monotonic()
        cursor.execute(
            f"""
            SELECT setseed(0.42);
            INSERT INTO tickets_ticket (
                subject, description, category, priority, status, channel, requester_id,
                assignee_id, queue_id, tags, occurred_at, error_code, transaction_ids,
                steps_to_reproduce, contact_phone, created_at, updated_at, first_response_at,
                resolved_at, closed_at, version)
            SELECT
                ({subjects})[1 + (g %% 10)] || ' (case ' || g || ')',
                'Generated for the changelist benchmark.',
                t.category, t.priority, t.status, 'api',
                %(first_requester)s + (random() * (%(requesters)s - 1))::int,
                CASE WHEN t.status = 'new' THEN NULL
                     ELSE (%(agents)s::int[])[1 + (g %% {AGENTS})] END,
                q.id,
                '[]'::jsonb, NULL, '',
                CASE WHEN t.tx < 0.3 THEN jsonb_build_array(md5(g::text))
                     WHEN t.tx < 0.4 THEN jsonb_build_array(md5(g::text), 'ORD-' || g)
                     ELSE '[]'::jsonb END,
                '', '',
                t.created_at,
                t.created_at + (now() - t.created_at) * random() * 0.2,
                NULL, NULL, NULL, 1 + (g %% 5)
            FROM generate_series(1, %(tickets)s) AS g
            CROSS JOIN LATERAL (
                SELECT
                    now() - (%(tickets)s - g) * interval '730 days' / %(tickets)s
                        - random() * interval '1 hour' AS created_at,
                    (%(tickets)s - g) * 730.0 / %(tickets)s AS age_days,
                    random() AS p, random() AS pr, random() AS tx,
                    (ARRAY['account', 'trading', 'deposit_withdrawal', 'security', 'api',
                           'other'])[1 + (g %% 6)] AS category
            ) AS r
            CROSS JOIN LATERAL (
                SELECT r.created_at, r.category, r.tx,
                    CASE WHEN r.pr < 0.15 THEN 'low' WHEN r.pr < 0.75 THEN 'normal'
                         WHEN r.pr < 0.95 THEN 'high' ELSE 'urgent' END AS priority,
                    CASE
                        WHEN r.age_days < 3 THEN
                            CASE WHEN r.p < 0.4 THEN 'new' WHEN r.p < 0.8 THEN 'open'
                                 WHEN r.p < 0.9 THEN 'pending' WHEN r.p < 0.95 THEN 'on_hold'
                                 ELSE 'resolved' END
                        WHEN r.age_days < 30 THEN
                            CASE WHEN r.p < 0.1 THEN 'open' WHEN r.p < 0.2 THEN 'pending'
                                 WHEN r.p < 0.25 THEN 'on_hold' WHEN r.p < 0.45 THEN 'resolved'
                                 ELSE 'closed' END
                        ELSE CASE WHEN r.p < 0.01 THEN 'resolved' ELSE 'closed' END
                    END AS status
            ) AS t
            JOIN tickets_queue q ON q.default_for = t.category
            """,
            {
                "first_requester": first_requester,
                "requesters": requesters,
                "agents": agent_ids,
                "tickets": tickets,
            },
        )
        log(f"{tickets:,} tickets in {time.monotonic() - started:.1f}s")
        started = time.monotonic()
        # The conversation the list's "waiting since" and "last reply by" columns read: one
        # to six messages a ticket (3.5 on average), the requester's and the assignee's in
        # turn, an hour apart, one desk message in ten an internal note; about half the
        # conversations end with the requester's word.
        cursor.execute(
            """
            INSERT INTO tickets_message (ticket_id, author_id, internal, body, created_at)
            SELECT t.id,
                   CASE WHEN k % 2 = 1 AND t.assignee_id IS NOT NULL THEN t.assignee_id
                        ELSE t.requester_id END,
                   k % 2 = 1 AND t.assignee_id IS NOT NULL AND (t.id + k) % 10 = 0,
                   'Generated for the changelist benchmark.',
                   t.created_at + k * interval '1 hour'
            FROM tickets_ticket t CROSS JOIN LATERAL generate_series(0, t.id % 6) AS k
            """
        )
        log(f"{cursor.rowcount:,} messages in {time.monotonic() - started:.1f}s")
        started = time.monotonic()
        for _name, definition in indexes:
            cursor.execute(definition)
        log(f"{len(indexes)} indexes rebuilt in {time.monotonic() - started:.1f}s")
        cursor.execute("ANALYZE auth_user")
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("VACUUM ANALYZE tickets_message")


# --- timing -------------------------------------------------------------------------------


def scenarios(tickets: int) -> list[tuple[str, str]]:
    from tickets.models import reference_for

    middle = max(tickets // 2, 1)
    return [
        ("unfiltered (desk order)", ""),
        ("status = new", "?status=new"),
        ("status = closed", "?status=closed"),
        ("unsolved", "?status=unsolved"),
        ("assigned to me", "?assignee=me"),
        ("unassigned, urgent", "?assignee=none&priority__exact=urgent"),
        ("page 100", "?p=100"),
        ("sorted by updated, newest first", "?o=-9"),
        ("search: reference", f"?q={reference_for(middle)}"),
        ("search: transaction id", f"?q={_transaction_id(middle, 0)}"),
        ("search: order id", f"?q={_transaction_id(middle, 1)}"),
        ("search: requester email", f"?q=customer{max(tickets // 10, 1)}@example.com"),
        ("search: subject words, rare", f"?q=case {middle + 7}"),
        ("search: subject words, in 10%", "?q=liquidated unexpectedly"),
    ]


def _transaction_id(after: int, position: int) -> str:
    """The first transaction id (position 0) or order id (1) of a ticket past the middle."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT transaction_ids->>%s FROM tickets_ticket "
            "WHERE id >= %s AND jsonb_array_length(transaction_ids) > %s ORDER BY id LIMIT 1",
            [position, after, position],
        )
        row = cursor.fetchone()
    return row[0] if row else "none"


def time_scenarios(tickets: int, requests: int, explain: bool) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username="agent0"))
    base = "/admin/tickets/ticket/"
    results = []
    for name, query in scenarios(tickets):
        url = base + query
        for _ in range(3):  # warm-up: connection, templates, PostgreSQL's buffers
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        html = response.content.decode()
        rows = html.count('name="_selected_action"')
        paginator = re.search(r'<p class="paginator">(.*?)</p>', html, re.S)
        text = re.sub(r"<[^>]+>|\s+", " ", paginator.group(1)) if paginator else ""
        shown = re.findall(r"((?:about |more than )?[\d,]+ tickets?)", text)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        timings.sort()
        result = {
            "name": name,
            "url": url,
            "median": statistics.median(timings),
            "p95": timings[max(int(len(timings) * 0.95) - 1, 0)],
            "queries": len(queries.captured_queries),
            "sql_ms": sql_ms,
            "rows": rows,
            "count": shown[-1] if shown else "?",
        }
        results.append(result)
        log(f"{name}: median {result['median']:.1f} ms, p95 {result['p95']:.1f} ms")
        if explain:
            _explain(queries.captured_queries)
    return results


def _explain(captured: list[dict]) -> None:
    from django.db import connection

    for query in captured:
        sql = query["sql"]
        if "tickets_ticket" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"\n-- {sql[:300]}{'...' if len(sql) > 300 else ''}\n{plan}", file=sys.stderr)


def report(tickets: int, requests: int, results: list[dict]) -> None:
    print(f"\nAdmin ticket list, {tickets:,} tickets, {requests} timed requests per row\n")
    print("| scenario | median ms | p95 ms | SQL ms | queries | rows | count shown |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['name']} | {r['median']:.1f} | {r['p95']:.1f} | {r['sql_ms']:.1f} "
            f"| {r['queries']} | {r['rows']} | {r['count']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per scenario")
    parser.add_argument("--pg", default=generate.PG_DEFAULT)
    parser.add_argument("--database", default=DB_NAME, help="the bench's own database")
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query")
    args = parser.parse_args()
    if args.database in generate.PROTECTED or "test" in args.database:
        parser.error(f"refusing to overwrite {args.database}")

    reuse = args.reuse and _database_exists(args.pg, args.database)
    if not reuse:
        _admin(args.pg, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        _admin(args.pg, f"CREATE DATABASE {args.database}")
    setup_django(args.pg, args.database)
    try:
        if not reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            started = time.monotonic()
            load(args.tickets)
            log(f"loaded in {time.monotonic() - started:.0f}s")
        results = time_scenarios(args.tickets, args.requests, args.explain)
        report(args.tickets, args.requests, results)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _admin(args.pg, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")


if __name__ == "__main__":
    main()
