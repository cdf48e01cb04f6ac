"""How well suggestions find the article a user's question needs: the labelled questions
of questions.json (English and Chinese, as users type them) against the demo help centre.
The figure the README states is the share of questions whose article comes among the
first three suggestions (precision@3 as issue #16 counts it: one right article each)."""

import json
from pathlib import Path

import pytest

from helpcentre import search
from helpcentre.management.commands.load_help_demo import load_articles

QUESTIONS = json.loads((Path(__file__).parent / "questions.json").read_text(encoding="utf-8"))
TARGET = 0.7

pytestmark = pytest.mark.django_db


def at_3(language: str) -> tuple[float, list]:
    hits, misses = 0, []
    for slug, asked in QUESTIONS.items():
        for question in asked[language]:
            found = [
                a.slug
                for a in search.article_search(search.published_articles(), question, limit=3)
            ]
            if slug in found:
                hits += 1
            else:
                misses.append((question, slug, found))
    total = sum(len(asked[language]) for asked in QUESTIONS.values())
    return hits / total, misses


def test_the_set_is_large_enough():
    assert sum(len(a["en"]) + len(a["zh"]) for a in QUESTIONS.values()) >= 200


@pytest.mark.parametrize("language", ["en", "zh"])
def test_precision_at_3(language):
    load_articles()

    score, misses = at_3(language)

    print(f"precision@3 ({language}): {score:.3f}; missed: {misses}")
    assert score >= TARGET, (score, misses)
