"""Suggestion quality: how often the article a user's question needs comes among the first
three answers (precision@3, one right article per question), for the labelled questions of
tests/helpcentre/questions.json (110 English, 110 Chinese). Run by hand (bench/README.md):

    .venv/bin/python bench/help_quality.py                      # + 3,000 generated articles
    .venv/bin/python bench/help_quality.py --distractors 10000 --misses

It (re)creates a PostgreSQL database of its own (helpdesk_bench_help), migrates it, loads
the 22 demo articles through helpcentre.services and asks every question against them;
then adds --distractors generated per-coin articles (bench/help_corpus.py: deposit and
withdrawal guides, fees, networks, listings, futures... in both languages, the words users
type) and asks again. Two ways of finding the article are compared:

- jieba + full text: what the help centre does (helpcentre.search.article_search): the
  question cut into words (Chinese by jieba), OR-ed into a tsquery, ranked by ts_rank.
- trigram: pg_trgm similarity between the question and the article's text in the
  question's language, in three scorings: `similarity` with title and body,
  `word_similarity` with title and body, and `word_similarity` with the title counted
  twice plus the body. Every published article is scored (no similarity threshold, no
  index), which favours trigram: a deployed trigram search would filter with `%>` first.

It prints one table: method, corpus, language, precision@3 (hits/questions) and the
median milliseconds per question (in-process ORM, no HTTP).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402 - the bench folder's own modules
import help_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "helpdesk_bench_help"
QUESTIONS = ROOT / "tests" / "helpcentre" / "questions.json"
LANGUAGE_FIELDS = {"en": ("title_en", "body_en"), "zh": ("title_zh_hans", "body_zh_hans")}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_demo() -> None:
    from helpcentre.management.commands.load_help_demo import load_articles

    load_articles()


def load_distractors(count: int) -> None:
    from django.db import transaction

    from helpcentre import services

    started = time.monotonic()
    with transaction.atomic():
        for data in help_corpus.generated_articles(count):
            services.article_save(data=data)
    log(f"{count:,} generated articles in {time.monotonic() - started:.1f}s")


def jieba_full_text(question: str, language: str) -> list[str]:
    from helpcentre import search

    found = search.article_search(search.published_articles(), question, limit=3)
    return [article.slug for article in found]


def trigram(scoring: str):
    def find(question: str, language: str) -> list[str]:
        from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
        from django.db.models import TextField, Value
        from django.db.models.functions import Concat

        from helpcentre import search

        title, body = LANGUAGE_FIELDS[language]
        text = Concat(title, Value(" "), body, output_field=TextField())
        if scoring == "similarity":
            score = TrigramSimilarity(text, question)
        elif scoring == "word_similarity":
            score = TrigramWordSimilarity(question, text)
        else:
            score = 2 * TrigramWordSimilarity(question, title) + TrigramWordSimilarity(
                question, body
            )
        ranked = search.published_articles().annotate(score=score).order_by("-score", "slug")
        return list(ranked.values_list("slug", flat=True)[:3])

    return find


METHODS = {
    "jieba + full text (the help centre's)": jieba_full_text,
    "trigram: similarity(title + body)": trigram("similarity"),
    "trigram: word_similarity(title + body)": trigram("word_similarity"),
    "trigram: 2 × word_similarity(title) + word_similarity(body)": trigram("title_twice"),
}


def measure(questions: dict, corpus: str, show_misses: bool) -> list[dict]:
    rows = []
    for method, find in METHODS.items():
        for language in ("en", "zh"):
            hits, total, times, misses = 0, 0, [], []
            for slug, asked in questions.items():
                for question in asked[language]:
                    started = time.perf_counter()
                    found = find(question, language)
                    times.append((time.perf_counter() - started) * 1000)
                    total += 1
                    if slug in found:
                        hits += 1
                    else:
                        misses.append(f"    {question!r}: wanted {slug}, got {found}")
            rows.append(
                {
                    "method": method,
                    "corpus": corpus,
                    "language": language,
                    "hits": hits,
                    "total": total,
                    "ms": statistics.median(times),
                }
            )
            log(f"{method} | {corpus} | {language}: {hits}/{total}")
            if show_misses and misses:
                print("\n".join(misses), file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument("--pg", default=generate.PG_DEFAULT)
    parser.add_argument("--misses", action="store_true", help="print the questions missed")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))

    generate._admin(args.pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    generate._admin(args.pg, f"CREATE DATABASE {DB_NAME}")
    try:
        generate.setup_django(args.pg, DB_NAME)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        load_demo()
        rows = measure(questions, "22 demo articles", args.misses)
        load_distractors(args.distractors)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        corpus = f"22 demo + {args.distractors:,} generated"
        rows += measure(questions, corpus, args.misses)
        connection.close()
    finally:
        if not args.keep:
            generate._admin(args.pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")

    print("\n| method | articles | language | precision@3 | median ms |")
    print("| --- | --- | --- | ---: | ---: |")
    for row in rows:
        language = "English" if row["language"] == "en" else "Chinese"
        print(
            f"| {row['method']} | {row['corpus']} | {language} | "
            f"{row['hits'] / row['total']:.2f} ({row['hits']}/{row['total']}) | {row['ms']:.1f} |"
        )


if __name__ == "__main__":
    main()
