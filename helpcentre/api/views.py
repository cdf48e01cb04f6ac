"""The help centre's API (SPEC §12): public reads without auth, cached; supervisors
write. Thin: parse, call a service or a search, render."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response

from accounts.permissions import IsSupervisor
from accounts.roles import Role, is_agent, role_for
from helpdesk.api import UserLanguageMixin
from helpdesk.openapi import errors
from helpdesk.pagination import CursorPagination

from .. import search, services
from ..models import Article, State
from .caching import public_cache
from .serializers import (
    AnnouncementSerializer,
    ArticleSerializer,
    ArticleSummarySerializer,
    SimilarTicketSerializer,
    SuggestionsSerializer,
)

MAX_RESULTS = 100
# What a slug may hold (Django's SlugField): the router takes nothing else, and the schema
# says so.
SLUG_PATTERN = "[-a-zA-Z0-9_]+"
SLUG = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH, pattern=f"^{SLUG_PATTERN}$", description="The slug."
)


def _supervisor(request) -> bool:
    return request.user.is_authenticated and role_for(request.user) is Role.SUPERVISOR


def _not_supervisor(request) -> bool:
    return not _supervisor(request)


def _not_agent(request) -> bool:
    return not (request.user.is_authenticated and is_agent(request.user))


# Anyone reads, supervisors write. Reads get DRF's own AllowAny, which drf-spectacular
# reads as "no credentials needed". (A comment, not a docstring: the schema would take a
# docstring as the operations' description.)
class PublicReadsSupervisorsWrite:
    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [IsSupervisor()]


class ArticleFilters(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=500, allow_blank=True)
    category = serializers.SlugField(required=False, max_length=50)
    kind = serializers.ChoiceField(choices=["article", "faq"], required=False)
    language = serializers.ChoiceField(choices=["en", "zh-hans"], required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_RESULTS)


class ArticlePagination(CursorPagination):
    ordering = ("-updated_at", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="Help articles and FAQ (public)",
        description="Published articles. With `q`, the best matches first (English and "
        "Chinese), at most `page_size` of them and no further pages; without, newest "
        "first in cursor pages. `language` keeps those written in that language. Cached: "
        "`ETag` and `Cache-Control`.",
        parameters=[ArticleFilters],
        responses={200: ArticleSummarySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="One help article (public)",
        description="Bodies in Markdown and as sanitised HTML. Drafts are for supervisors.",
        parameters=[SLUG],
    ),
    create=extend_schema(summary="Add an article (supervisors)"),
    partial_update=extend_schema(summary="Change an article (supervisors)", parameters=[SLUG]),
)
class ArticleViewSet(
    PublicReadsSupervisorsWrite,
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = ArticleSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    filter_backends = []
    pagination_class = ArticlePagination
    queryset = Article.objects.all()

    def get_queryset(self):
        if _supervisor(self.request) and self.action != "list":
            return Article.objects.all()
        return Article.objects.filter(state=State.PUBLISHED)

    @public_cache(_not_supervisor)
    def list(self, request, *args, **kwargs):
        filters = ArticleFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        qs = search.published_articles(category=params.get("category"), kind=params.get("kind"))
        language = params.get("language")
        if language:
            qs = qs.exclude(**{f"title_{language.replace('-', '_')}": ""})
        if params.get("q", "").strip():
            found = search.article_search(qs, params["q"], limit=params.get("page_size", 20))
            data = ArticleSummarySerializer(found, many=True).data
            return Response({"next": None, "previous": None, "results": data})
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ArticleSummarySerializer(page, many=True).data)

    @public_cache(_not_supervisor)
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.article_save(data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.article_save(
            article=serializer.instance, data=serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(
        summary="Current announcements (public)",
        description="Published and not expired; pinned first, then newest. Cached.",
    ),
    create=extend_schema(summary="Add an announcement (supervisors)"),
    partial_update=extend_schema(summary="Change an announcement (supervisors)"),
)
class AnnouncementViewSet(
    PublicReadsSupervisorsWrite,
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = AnnouncementSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        if self.action == "list":
            return search.current_announcements()
        return search.Announcement.objects.all()

    @public_cache(lambda request: True)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.announcement_save(data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.announcement_save(
            announcement=serializer.instance, data=serializer.validated_data
        )


class SuggestParams(serializers.Serializer):
    q = serializers.CharField(max_length=500)


class SuggestView(UserLanguageMixin, GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = SuggestionsSerializer
    ARTICLES = 5
    TICKETS = 5

    @extend_schema(
        summary="Suggestions for a question (public; more for agents)",
        description="Help articles that answer `q`, best first, for anyone (e.g. before a "
        "requester submits a ticket); for agents also similar resolved tickets. English "
        "and Chinese.",
        parameters=[SuggestParams],
        responses={200: SuggestionsSerializer, **errors(400, 401)},
    )
    @public_cache(_not_agent)
    def get(self, request):
        params = SuggestParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        q = params.validated_data["q"]
        articles = search.article_search(search.published_articles(), q, limit=self.ARTICLES)
        data = {"articles": ArticleSummarySerializer(articles, many=True).data}
        if not _not_agent(request):
            tickets = search.similar_tickets(q, limit=self.TICKETS)
            data["tickets"] = SimilarTicketSerializer(tickets, many=True).data
        return Response(data, status=status.HTTP_200_OK)
