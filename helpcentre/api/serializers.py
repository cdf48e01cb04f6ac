"""The help centre's representations: text per language as {"en": …, "zh-hans": …}."""

from django.conf import settings
from rest_framework import serializers

from helpdesk.serializers import ModelSerializer, per_language
from tickets.models import Ticket

from .. import text
from ..models import Announcement, Article

ArticleTitle = per_language("ArticleTitle", "title", max_length=200)
ArticleBody = per_language("ArticleBody", "body", max_length=50_000)
AnnouncementTitle = per_language("AnnouncementTitle", "title", max_length=200)
AnnouncementBody = per_language("AnnouncementBody", "body", max_length=20_000)


class HtmlPerLanguage(serializers.Serializer):
    """The Markdown bodies rendered to sanitised HTML."""

    def to_representation(self, instance) -> dict:
        return {
            code: text.render_markdown(getattr(instance, f"body_{code.replace('-', '_')}"))
            for code, _name in settings.LANGUAGES
        }

    def get_fields(self):
        return {code: serializers.CharField() for code, _name in settings.LANGUAGES}


class ArticleSerializer(ModelSerializer):
    title = ArticleTitle(source="*", required=False)
    body = ArticleBody(source="*", required=False, help_text="Markdown, per language.")
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


class ArticleSummarySerializer(ModelSerializer):
    """An article in a list or a suggestion: no body."""

    title = ArticleTitle(source="*", read_only=True)

    class Meta:
        model = Article
        fields = ["slug", "kind", "category", "title", "updated_at"]
        read_only_fields = fields


class AnnouncementSerializer(ModelSerializer):
    title = AnnouncementTitle(source="*", required=False)
    body = AnnouncementBody(source="*", required=False, help_text="Markdown, per language.")
    body_html = HtmlPerLanguage(source="*", read_only=True)

    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "body_html", "published_at", "expires_at", "pinned"]
        read_only_fields = ["id"]
        extra_kwargs = {"published_at": {"required": False}}


class SimilarTicketSerializer(ModelSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "reference", "subject", "status", "category", "resolved_at"]
        read_only_fields = fields


class SuggestionsSerializer(serializers.Serializer):
    articles = ArticleSummarySerializer(many=True)
    tickets = SimilarTicketSerializer(
        many=True, required=False, help_text="Agents only: similar resolved tickets."
    )
