"""Every write of the help centre: articles, announcements, the search index of resolved
tickets, and an article drafted from a ticket. Supervisors' writes come through here from
the API and the admin alike."""

import re
from datetime import datetime

from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.text import slugify

from tickets.errors import InvalidField
from tickets.models import SOLVED, Message, Ticket
from tickets.services import refuse_secrets

from . import text
from .models import Announcement, Article, ResolvedTicket, State

ARTICLE_FIELDS = (
    "slug",
    "kind",
    "category",
    "state",
    "title_en",
    "title_zh_hans",
    "body_en",
    "body_zh_hans",
)
ANNOUNCEMENT_FIELDS = (
    "title_en",
    "title_zh_hans",
    "body_en",
    "body_zh_hans",
    "published_at",
    "expires_at",
    "pinned",
)
# A cache key whose value changes with every write: the public API's cached answers are
# keyed by it (helpcentre.api.caching), so a write is seen at once.
VERSION_KEY = "helpcentre:version"


def content_changed() -> None:
    def bump():
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 1, timeout=None)

    transaction.on_commit(bump)


def _checked(instance, data: dict, allowed: tuple) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidField(field, " ".join(messages)) from None


def _index_article(article: Article) -> None:
    article.search_title = text.document(article.title_en, article.title_zh_hans)
    article.search_body = text.document(article.body_en, article.body_zh_hans)


@transaction.atomic
def article_save(*, article: Article | None = None, data: dict) -> Article:
    """Create an article (`article` None) or change the given fields of one; its search
    words follow its text."""
    article = article or Article()
    _checked(article, data, ARTICLE_FIELDS)
    if not (article.title_en or article.title_zh_hans):
        raise InvalidField("title", "An article needs a title in at least one language.")
    if article.state == State.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    _index_article(article)
    article.save()
    _store_vector(Article, article.pk, article.search_title, article.search_body)
    content_changed()
    return article


def _store_vector(model, pk, title: str, body: str = "") -> None:
    """PostgreSQL: the row's tsvector from its words (titles weigh A, bodies B)."""
    if connection.vendor != "postgresql":
        return
    vector = SearchVector(Value(title), weight="A", config="english")
    if body:
        vector += SearchVector(Value(body), weight="B", config="english")
    model.objects.filter(pk=pk).update(search_vector=vector)


@transaction.atomic
def announcement_save(*, announcement: Announcement | None = None, data: dict) -> Announcement:
    announcement = announcement or Announcement(published_at=timezone.now())
    _checked(announcement, data, ANNOUNCEMENT_FIELDS)
    if not (announcement.title_en or announcement.title_zh_hans):
        raise InvalidField("title", "An announcement needs a title in at least one language.")
    announcement.save()
    content_changed()
    return announcement


def index_resolved_tickets(*, batch: int = 500, since: datetime | None = None) -> int:
    """Add resolved tickets the index does not have yet (newest resolutions first), and
    refresh those resolved again since they were indexed. Returns how many were written."""
    latest = since or (
        ResolvedTicket.objects.order_by("-resolved_at")
        .values_list("resolved_at", flat=True)
        .first()
    )
    tickets = Ticket.objects.filter(status__in=list(SOLVED), resolved_at__isnull=False)
    if latest is not None:
        tickets = tickets.filter(resolved_at__gt=latest)
    rows = list(
        tickets.order_by("resolved_at").values("pk", "subject", "description", "resolved_at")[
            :batch
        ]
    )
    for row in rows:
        with transaction.atomic():
            words = text.document(row["subject"], row["description"])
            ResolvedTicket.objects.update_or_create(
                ticket_id=row["pk"], defaults={"words": words, "resolved_at": row["resolved_at"]}
            )
            _store_vector(ResolvedTicket, row["pk"], text.document(row["subject"]), words)
    return len(rows)


# --- history becomes knowledge -------------------------------------------------------------

# What a draft leaves out besides the requester's own details: ids and hashes, emails,
# phone numbers, and user ids ("UID 12345678").
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<!\w)\+?\d[\d ()-]{6,}\d(?!\w)")
UID_RE = re.compile(r"\b(UID|user id|用户ID|用户 ID)[\s:：#]*\d+", re.IGNORECASE)
HASH_RE = re.compile(r"\b(0x)?[0-9a-fA-F]{24,}\b")
REMOVED = "[…]"


def without_personal_data(body: str, *, ticket: Ticket) -> str:
    """`body` with the requester's name, username, email, phone, user id and the ticket's
    transaction ids taken out, and anything shaped like them."""
    requester = ticket.requester
    known = [
        requester.email,
        requester.username,
        requester.get_full_name(),
        requester.first_name,
        requester.last_name,
        ticket.contact_phone,
        ticket.reference,
        *ticket.transaction_ids,
    ]
    for value in sorted({v for v in known if v and len(v) > 1}, key=len, reverse=True):
        body = re.sub(re.escape(value), REMOVED, body, flags=re.IGNORECASE)
    for pattern in (EMAIL_RE, UID_RE, HASH_RE, PHONE_RE):
        body = pattern.sub(REMOVED, body)
    return body


@transaction.atomic
def article_draft_from_ticket(*, ticket: Ticket) -> Article:
    """A draft article from a solved ticket: its subject as the title and the agents'
    public replies as the body, without the requester's personal data, in the
    language the ticket is written in. Supervisors edit and publish it."""
    replies = Message.objects.filter(ticket=ticket, internal=False).exclude(
        author_id=ticket.requester_id
    )
    title = without_personal_data(ticket.subject, ticket=ticket)[:200]
    body = "\n\n".join(without_personal_data(m.body, ticket=ticket) for m in replies)
    refuse_secrets(title=title, body=body)
    language = "zh_hans" if text.has_chinese(ticket.subject + body) else "en"
    base = slugify(f"draft {ticket.category} {ticket.pk}")[:90]
    return article_save(
        data={
            "slug": base,
            "category": slugify(ticket.category.replace("_", "-")),
            "state": State.DRAFT,
            f"title_{language}": title,
            f"body_{language}": body,
        }
    )
