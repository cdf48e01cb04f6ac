"""Search and suggestions (SPEC §12): every read of articles and resolved tickets by the
words a user types, in English and Chinese.

On PostgreSQL each row keeps its words (helpcentre.text.words: Chinese cut by jieba) as a
weighted `tsvector` under the `english` configuration, which stems the English words and
leaves the Chinese ones as they are; a question becomes the OR of its words, and rows are
ranked by `ts_rank`, titles weighing more than bodies. A GIN index serves the match.
`bench/help_quality.py` measures this against pg_trgm similarity for Chinese (see
bench/README.md). On SQLite (the embedded run) the same words are matched with LIKE and
counted in Python: fine for the demo's few dozen articles, not for a large help centre.
"""

from datetime import UTC, datetime

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tickets.models import SOLVED

from . import text
from .models import Announcement, Article, ResolvedTicket, State

MAX_QUERY_WORDS = 16
# Similar tickets are looked for among the newest TICKET_WINDOW resolutions, and at most
# TICKET_CANDIDATES of the newest that match are ranked. Both bound the work whatever the
# words: a common word matches most of a million tickets (ranking them all would not be
# quick), and a word no ticket holds would make PostgreSQL walk every resolution, newest
# first, looking for it (bench/README.md, "The help centre").
TICKET_WINDOW = 10_000
TICKET_CANDIDATES = 400
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def query_words(q: str) -> list[str]:
    """The distinct words of a question, at most MAX_QUERY_WORDS."""
    return list(dict.fromkeys(text.words(q)))[:MAX_QUERY_WORDS]


def _tsquery(words: list[str]) -> SearchQuery:
    # The words hold word characters only (text.WORD), so they are safe as to_tsquery input.
    return SearchQuery(" | ".join(words), search_type="raw", config="english")


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def published_articles(*, category: str | None = None, kind: str | None = None) -> QuerySet:
    qs = Article.objects.filter(state=State.PUBLISHED)
    if category:
        qs = qs.filter(category=category)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def article_search(qs: QuerySet[Article], q: str, *, limit: int | None = None) -> list[Article]:
    """The articles of `qs` that match the question, best first."""
    words = query_words(q)
    if not words:
        return []
    if _postgresql():
        query = _tsquery(words)
        ranked = (
            qs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query, normalization=1))
            .order_by("-rank", "slug")
        )
        return list(ranked[:limit] if limit else ranked)
    return _count_matches(qs, words, limit)


def _count_matches(qs: QuerySet[Article], words: list[str], limit: int | None) -> list[Article]:
    """SQLite: the articles holding any of the words, by how many (title words count 3)."""
    condition = Q()
    for word in words:
        condition |= Q(search_title__icontains=word) | Q(search_body__icontains=word)
    scored = []
    for article in qs.filter(condition):
        title, body = set(article.search_title.split()), set(article.search_body.split())
        score = sum(3 * (word in title) + (word in body) for word in words)
        scored.append((-score, article.slug, article))
    scored.sort(key=lambda item: item[:2])
    found = [article for _score, _slug, article in scored]
    return found[:limit] if limit else found


def similar_tickets(q: str, *, limit: int = 5) -> list:
    """Resolved (or closed) tickets like the question, best first: of the newest
    TICKET_WINDOW resolutions, the newest TICKET_CANDIDATES that match any of its words,
    ranked."""
    words = query_words(q)
    if not words:
        return []
    solved = ResolvedTicket.objects.filter(ticket__status__in=list(SOLVED))
    if _postgresql():
        query = _tsquery(words)
        window = ResolvedTicket.objects.order_by("-resolved_at").values("resolved_at")
        oldest = Coalesce(Subquery(window[TICKET_WINDOW - 1 : TICKET_WINDOW]), Value(EPOCH))
        newest = (
            ResolvedTicket.objects.filter(resolved_at__gte=oldest, search_vector=query)
            .order_by("-resolved_at")
            .values("pk")[:TICKET_CANDIDATES]
        )
        rows = (
            solved.filter(pk__in=newest)
            .annotate(rank=SearchRank(F("search_vector"), query, normalization=1))
            .select_related("ticket")
            .order_by("-rank", "-resolved_at")[:limit]
        )
        return [row.ticket for row in rows]
    condition = Q()
    for word in words:
        condition |= Q(words__icontains=word)
    rows = solved.filter(condition).select_related("ticket").order_by("-resolved_at")
    scored = sorted(
        rows[:TICKET_CANDIDATES],
        key=lambda row: -sum(word in row.words.split() for word in words),
    )
    return [row.ticket for row in scored[:limit]]


def current_announcements(*, now=None) -> QuerySet[Announcement]:
    """Published and not expired, pinned first, newest first."""
    now = now or timezone.now()
    return Announcement.objects.filter(published_at__lte=now).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
