"""The help centre's representations: text per language as {"en": …, "zh-hans": …}."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from helpdesk.pagination import CursorPagination
from helpdesk.serializers import ModelSerializer, Serializer, per_language
from notifications.models import Language
from tickets.models import Ticket

from .. import text
from ..models import Announcement, Article, Kind

ArticleTitle = per_language(
    "ArticleTitle", "title", max_length=200, description="An article's title."
)
ArticleBody = per_language(
    "ArticleBody", "body", max_length=50_000, description="An article's body, in Markdown."
)
AnnouncementTitle = per_language(
    "AnnouncementTitle", "title", max_length=200, description="An announcement's title."
)
AnnouncementBody = per_language(
    "AnnouncementBody",
    "body",
    max_length=20_000,
    description="An announcement's body, in Markdown.",
)


@extend_schema_serializer(
    component_name="HtmlBody",
    description="The Markdown body rendered to sanitised HTML, per language (empty where "
    "the body is).",
)
class HtmlPerLanguage(Serializer):
    # Read-only: the bodies rendered, never written.

    def to_representation(self, instance) -> dict:
        return {
            code: text.render_markdown(getattr(instance, f"body_{code.replace('-', '_')}"))
            for code, _name in settings.LANGUAGES
        }

    def get_fields(self):
        return {code: serializers.CharField(read_only=True) for code, _name in settings.LANGUAGES}


@extend_schema_serializer(
    description="A help article or FAQ entry: its title and Markdown body per language, and "
    "the body rendered to sanitised HTML. Drafts are seen by supervisors only."
)
class ArticleSerializer(ModelSerializer):
    title = ArticleTitle(source="*", required=False)
    body = ArticleBody(source="*", required=False)
    body_html = HtmlPerLanguage(source="*", read_only=True)

    class Meta:
        model = Article
        fields = [
            "slug",
            "kind",
            "category",
            "state",
            "title",
            "body",
            "body_html",
            "published_at",
            "updated_at",
        ]
        read_only_fields = ["published_at", "updated_at"]
        extra_kwargs = {
            "slug": {"help_text": "Unique; the article's URL: /api/v1/help/articles/{slug}/."},
            "published_at": {"help_text": "When it was first published; null for a draft."},
        }


@extend_schema_serializer(
    description="An article in a list or a suggestion: its title, without the body (read "
    "it at /api/v1/help/articles/{slug}/)."
)
class ArticleSummarySerializer(ModelSerializer):
    title = ArticleTitle(source="*", read_only=True)

    class Meta:
        model = Article
        fields = ["slug", "kind", "category", "title", "updated_at"]
        read_only_fields = fields


@extend_schema_serializer(
    description="An announcement (maintenance, listings, security notices): shown from "
    "`published_at` until `expires_at`, pinned ones first."
)
class AnnouncementSerializer(ModelSerializer):
    title = AnnouncementTitle(source="*", required=False)
    body = AnnouncementBody(source="*", required=False)
    body_html = HtmlPerLanguage(source="*", read_only=True)

    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "body_html", "published_at", "expires_at", "pinned"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "published_at": {
                "required": False,
                "help_text": "When it starts to show; now when left out of a new one.",
            },
            "expires_at": {"help_text": "When it stops showing; null for never."},
            "pinned": {"help_text": "Pinned announcements come first."},
        }


@extend_schema_serializer(
    description="A resolved or closed ticket whose words match the question (agents only)."
)
class SimilarTicketSerializer(ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="HD-000123.")

    class Meta:
        model = Ticket
        fields = ["id", "reference", "subject", "status", "category", "resolved_at"]
        read_only_fields = fields


@extend_schema_serializer(
    component_name="PublicSuggestions",
    description="What answers a question, as anyone but agents sees it: the help articles that "
    "fit it, best first.",
)
class SuggestionsSerializer(Serializer):
    articles = ArticleSummarySerializer(many=True)


@extend_schema_serializer(
    component_name="AgentSuggestions",
    description="What answers a question, as agents see it: the help articles that fit it "
    "and similar resolved tickets, best first.",
)
class AgentSuggestionsSerializer(SuggestionsSerializer):
    tickets = SimilarTicketSerializer(many=True)


# Query strings: DRF serializers read only their own fields; helpdesk.api.StrictQueryMixin
# refuses any other parameter before they are read.


class ArticleFilters(serializers.Serializer):
    # trim_whitespace=False: the length the schema states is the length sent (a question
    # padded with 1,000 spaces is too long, not trimmed into a short one).
    q = serializers.CharField(
        required=False,
        max_length=500,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Words to search for, in English or Chinese: the best matches first, at "
        "most `page_size`, no further pages.",
    )
    category = serializers.SlugField(
        required=False, max_length=50, help_text="Only the articles of this category."
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text="Only the articles written in this language (with a title in it).",
    )
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=CursorPagination.max_page_size,
        help_text=f"Items per page, or matches for `q`: 1 to {CursorPagination.max_page_size} "
        f"(default {CursorPagination.page_size}).",
    )


class SuggestParams(serializers.Serializer):
    q = serializers.CharField(
        max_length=500,
        trim_whitespace=False,  # as ArticleFilters.q
        help_text="The question, in English or Chinese.",
    )
