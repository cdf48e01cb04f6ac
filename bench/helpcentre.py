"""Help-centre benchmark: search and suggestions with 10,000 articles and 1,000,000 tickets.
Run by hand, not by the test suite (see bench/README.md):

    .venv/bin/python bench/generate.py --tickets 1000000
    .venv/bin/python bench/helpcentre.py --database helpdesk_bench --articles 10000

It works on a database bench/generate.py made (tickets in English and Chinese, most of them
resolved or closed). First it adds what the help centre needs, once (a second run reuses
them): the 22 demo articles and generated per-coin ones up to --articles
(bench/help_corpus.py), through helpcentre.services; and the suggestions' index of resolved
tickets. That index is what helpcentre.services.index_resolved_tickets writes, row by row
and off the request path, in production; here it is written in bulk (the same words from
helpcentre.text.document, the same weights), then one row is rewritten by the service's own
function and compared, so the two cannot drift apart.

Then it times, in-process with Django's test Client (middleware, view, every query and the
JSON rendering, no network), each of the 220 labelled questions of
tests/helpcentre/questions.json against:
- `GET /api/v1/help/articles/?q=` and `GET /api/v1/help/suggest/?q=` without a login, with
  the cache emptied before every request (so the figures are the database's, not the
  cache's), and once more answered from the cache;
- `GET /api/v1/help/suggest/?q=` as an agent (articles and similar resolved tickets,
  never cached).
Each scenario is warmed up with 10 requests first. Prints median, p95 and max per scenario,
and the medians of two figures that the machine's other work inflates less: the CPU time
of this process (Django, jieba, JSON) and the database's time (SQL ms, as Django sees it).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402 - the bench folder's own modules
import help_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "helpcentre" / "questions.json"
COPY_CHUNK = 20_000
WARMUP = 10


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_articles(count: int) -> None:
    from django.db import connection, transaction

    from helpcentre import services
    from helpcentre.management.commands.load_help_demo import load_articles as load_demo
    from helpcentre.models import Article

    have = Article.objects.count()
    if have >= count:
        log(f"{have:,} articles already there")
        return
    started = time.monotonic()
    load_demo()
    wanted = count - Article.objects.count()
    with transaction.atomic():
        for data in help_corpus.generated_articles(wanted):
            services.article_save(data=data)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE helpcentre_article")
    log(f"{Article.objects.count():,} articles in {time.monotonic() - started:.1f}s")


def index_resolved_tickets() -> None:
    """The suggestions' index of every solved ticket, in bulk (see the module docstring)."""
    from django.db import connection

    from helpcentre import services, text
    from helpcentre.models import ResolvedTicket
    from tickets.models import SOLVED, Ticket

    if ResolvedTicket.objects.exists():
        log(f"{ResolvedTicket.objects.count():,} resolved tickets already indexed")
        return
    started = time.monotonic()
    solved = Ticket.objects.filter(status__in=list(SOLVED), resolved_at__isnull=False)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for copy()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
            "'helpcentre_resolvedticket' AND indexname NOT LIKE '%%_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_words (ticket_id bigint, title text, words text, "
            "resolved_at timestamptz)"
        )
        rows, done = [], 0

        def flush():
            nonlocal done
            with cursor.copy("COPY bench_words FROM STDIN") as copy:
                copy.write("".join(rows))
            done += len(rows)
            rows.clear()
            if done % (COPY_CHUNK * 10) == 0:
                log(f"  {done:,} tickets cut into words")

        fields = ("pk", "subject", "description", "resolved_at")
        for pk, subject, description, resolved_at in solved.values_list(*fields).iterator(
            chunk_size=COPY_CHUNK
        ):
            title = text.document(subject)
            words = text.document(subject, description)
            rows.append(f"{pk}\t{title}\t{words}\t{resolved_at.isoformat()}\n")
            if len(rows) == COPY_CHUNK:
                flush()
        if rows:
            flush()
        log(f"{done:,} solved tickets cut into words in {time.monotonic() - started:.1f}s")
        cursor.execute(
            "INSERT INTO helpcentre_resolvedticket (ticket_id, words, resolved_at, search_vector) "
            "SELECT ticket_id, words, resolved_at, "
            "setweight(to_tsvector('english', title), 'A') || "
            "setweight(to_tsvector('english', words), 'B') FROM bench_words"
        )
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("DROP TABLE bench_words")
        cursor.execute("VACUUM ANALYZE helpcentre_resolvedticket")
    log(f"index of {done:,} resolved tickets in {time.monotonic() - started:.1f}s")

    # The bulk rows are the service's: rewrite one with services' own function, compare.
    row = ResolvedTicket.objects.select_related("ticket").order_by("-resolved_at").first()
    bulk = ResolvedTicket.objects.values_list("search_vector", flat=True).get(pk=row.pk)
    services._store_vector(ResolvedTicket, row.pk, text.document(row.ticket.subject), row.words)
    again = ResolvedTicket.objects.values_list("search_vector", flat=True).get(pk=row.pk)
    assert bulk == again, (bulk, again)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_scenarios(client_for_agent, questions: dict) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous = Client()
    asked = {
        language: [q for qs in questions.values() for q in qs[language]]
        for language in ("en", "zh")
    }
    scenarios = [
        ("articles ?q=", "/api/v1/help/articles/", anonymous, True),
        ("suggest, anonymous", "/api/v1/help/suggest/", anonymous, True),
        ("suggest, anonymous, from the cache", "/api/v1/help/suggest/", anonymous, False),
        ("suggest, agent (+ similar tickets)", "/api/v1/help/suggest/", client_for_agent, True),
    ]
    results = []
    for name, path, client, empty_cache in scenarios:
        for language, texts in asked.items():
            times, cpu, sql, found = [], [], [], 0
            if not empty_cache:  # every answer in the cache first
                cache.clear()
                for question in texts:
                    client.get(path, {"q": question})
            for k, question in enumerate(texts[:WARMUP] + texts):
                if empty_cache:
                    cache.clear()
                started, cpu_started = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path, {"q": question})
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (path, question, response.content[:300])
                if k >= WARMUP:
                    times.append(elapsed)
                    cpu.append((time.process_time() - cpu_started) * 1000)
                    sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
                    body = response.json()
                    found += bool(body.get("results") or body.get("articles"))
            results.append(
                {
                    "scenario": name,
                    "language": "English" if language == "en" else "Chinese",
                    "median": statistics.median(times),
                    "p95": _percentile(times, 0.95),
                    "max": max(times),
                    "cpu": statistics.median(cpu),
                    "sql": statistics.median(sql),
                    "requests": len(times),
                    "answered": found,
                }
            )
            log(f"{name} ({language}): p95 {results[-1]['p95']:.1f} ms")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--pg", default=generate.PG_DEFAULT)
    args = parser.parse_args()
    generate.setup_django(
        args.pg,
        args.database,
        DJANGO_ALLOWED_HOSTS="testserver,localhost",
        THROTTLE_IP_RATE="1000000/min",
        THROTTLE_USER_RATE="1000000/min",
    )
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from accounts import services as accounts
    from helpcentre.models import Article, ResolvedTicket
    from tickets.models import Ticket

    load_articles(args.articles)
    index_resolved_tickets()
    agent = get_user_model().objects.filter(groups__name="Agents").order_by("pk").first()
    _token, key = accounts.token_create(user=agent)
    client_for_agent = Client(HTTP_AUTHORIZATION=f"Token {key}")
    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    tickets = Ticket.objects.count()  # exact, once: the figure the table is for
    articles = Article.objects.count()
    indexed = ResolvedTicket.objects.count()
    load = [os.getloadavg()]
    results = time_scenarios(client_for_agent, questions)
    load.append(os.getloadavg())
    connection.close()

    print(
        f"\n{articles:,} articles, {tickets:,} tickets ({indexed:,} solved ones indexed for "
        "suggestions); 110 questions per language, each asked once per scenario\n"
    )
    print(
        "| scenario | questions | median ms | p95 ms | max ms | CPU ms | SQL ms | answered |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for row in results:
        print(
            f"| {row['scenario']} | {row['language']} | {row['median']:.1f} | {row['p95']:.1f} "
            f"| {row['max']:.1f} | {row['cpu']:.1f} | {row['sql']:.1f} "
            f"| {row['answered']}/{row['requests']} |"
        )
    print(f"\nload average (1, 5, 15 min) at the start: {load[0]}; at the end: {load[1]}")


if __name__ == "__main__":
    main()
