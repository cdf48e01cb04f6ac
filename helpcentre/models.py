"""The help centre (SPEC §12): articles and FAQ entries, announcements, and the search
index of resolved tickets that suggestions read. Writes live in services.py."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Kind(models.TextChoices):
    ARTICLE = "article", _("Article")
    FAQ = "faq", _("FAQ entry")


class Article(models.Model):
    """An article or FAQ entry, with its title and Markdown body in each language
    (notifications.models.Language); either language may be empty."""

    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ARTICLE)
    category = models.SlugField(max_length=50, help_text=_("A free slug, e.g. deposits."))
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English, Markdown)"), max_length=50_000, blank=True)
    body_zh_hans = models.TextField(_("body (Chinese, Markdown)"), max_length=50_000, blank=True)
    # The words search sees (helpcentre.text.document): titles, then bodies, both languages.
    search_title = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)
    # PostgreSQL only: the same words as a weighted tsvector (titles weigh more).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["category", "slug"]
        indexes = [
            models.Index(fields=["state", "category"], name="article_state_category"),
            models.Index(fields=["-updated_at"], name="article_updated"),
        ]
        # The GIN index on search_vector is PostgreSQL's: migrations/0002.

    def __str__(self) -> str:
        return self.title_en or self.title_zh_hans or self.slug


class Announcement(models.Model):
    """Maintenance, listings, "we never ask for your seed phrase": shown from
    `published_at` until `expires_at` (never, when empty), pinned ones first."""

    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English, Markdown)"), max_length=20_000, blank=True)
    body_zh_hans = models.TextField(_("body (Chinese, Markdown)"), max_length=20_000, blank=True)
    published_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        indexes = [models.Index(fields=["-published_at"], name="announcement_published")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("published_at")),
                name="announcement_expires_after_publishing",
            )
        ]

    def __str__(self) -> str:
        return self.title_en or self.title_zh_hans


class ResolvedTicket(models.Model):
    """A resolved ticket as suggestions search it: its words, kept by a periodic task
    (helpcentre.tasks.index_resolved_tickets) off the request path."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    words = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True)
    resolved_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-resolved_at"], name="resolvedticket_resolved")]

    def __str__(self) -> str:
        return f"index of ticket {self.ticket_id}"


class SolvedTicket(Ticket):
    """Resolved and closed tickets, as the help centre's admin lists them for supervisors
    to turn into articles (helpcentre.admin)."""

    class Meta:
        proxy = True
        verbose_name = _("solved ticket")
        verbose_name_plural = _("solved tickets (draft articles from them)")
