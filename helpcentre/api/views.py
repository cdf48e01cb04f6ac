"""The help centre's API (SPEC §12): public reads without auth, cached; supervisors
write. Thin: parse, call a service or a search, render."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response

from accounts.permissions import IsSupervisor
from accounts.roles import Role, is_agent, role_for
from helpdesk.api import ApiViewMixin
from helpdesk.openapi import errors
from helpdesk.pagination import CursorPagination

from .. import search, services
from ..models import Article, State
from .caching import CACHE_SECONDS, public_cache
from .serializers import (
    AgentSuggestionsSerializer,
    AnnouncementSerializer,
    ArticleFilters,
    ArticleSerializer,
    ArticleSummarySerializer,
    SimilarTicketSerializer,
    SuggestionsSerializer,
    SuggestParams,
)

# What a slug may hold (Django's SlugField): the router takes nothing else, and the schema
# says so.
SLUG_PATTERN = "[-a-zA-Z0-9_]+"
SLUG = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH, pattern=f"^{SLUG_PATTERN}$", description="The slug."
)
# The cached public answers' headers (api/caching.py), and the 304 they allow.
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="An ETag you have: 304 while the answer is unchanged.",
)
CACHE_CONTROL = OpenApiParameter(
    "Cache-Control",
    str,
    OpenApiParameter.HEADER,
    response=[200, 304],
    required=True,
    description=f"`public, max-age={CACHE_SECONDS}` for an answer anyone may see; `private, "
    "no-store` for one that holds more (a supervisor's drafts, an agent's tickets).",
)


def etag(*, always: bool) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        required=always,
        description="The public answer's version: send it back in `If-None-Match`."
        + ("" if always else " Absent from private answers."),
    )


NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag is current.")


def cached(*, always_public: bool) -> list[OpenApiParameter]:
    """The headers of a cached public read, for its extend_schema(parameters=...)."""
    return [IF_NONE_MATCH, CACHE_CONTROL, etag(always=always_public)]


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


class ArticlePagination(CursorPagination):
    ordering = ("-updated_at", "-id")


ARTICLE_WRITE = (
    "`slug`, `kind` (`article`, `faq`), `category` (a free slug), `state` (`draft`, "
    "`published`), `title` and `body` (Markdown) per language; a title in one language at "
    "least"
)


@extend_schema_view(
    list=extend_schema(
        summary="List help articles and FAQ (public)",
        description="Published articles and FAQ entries; no token needed. With `q`, the best "
        "matches first (English and Chinese), at most `page_size` of them and no further "
        "pages; without, newest first in cursor pages. `category`, `kind` and `language` "
        "narrow the list. Cached: send the `ETag` back in `If-None-Match` for a 304.",
        parameters=[ArticleFilters, *cached(always_public=False)],
        responses={
            200: ArticleSummarySerializer(many=True),
            304: NOT_MODIFIED,
            **errors(400, 401),
        },
    ),
    retrieve=extend_schema(
        summary="Read a help article (public)",
        description="One published article, its body in Markdown and as sanitised HTML; no "
        "token needed. Supervisors also read drafts. Cached like the list.",
        parameters=[SLUG, *cached(always_public=False)],
        responses={200: ArticleSerializer, 304: NOT_MODIFIED, **errors(401, 404)},
    ),
    create=extend_schema(
        summary="Add a help article (supervisors)",
        description=f"A new article or FAQ entry: {ARTICLE_WRITE}. Published articles are "
        "seen by everyone at once. A slug already taken is a 400.",
        responses={201: ArticleSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a help article (supervisors)",
        description=f"The fields to change, at least one: {ARTICLE_WRITE}. A language left "
        "out of `title` or `body` keeps its text.",
        parameters=[SLUG],
        responses={200: ArticleSerializer, **errors(400, 401, 403, 404)},
    ),
)
class ArticleViewSet(
    PublicReadsSupervisorsWrite,
    ApiViewMixin,
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
    query_parameters = {"list": tuple(ArticleFilters().fields)}

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
            limit = params.get("page_size", self.paginator.page_size)
            found = search.article_search(qs, params["q"], limit=limit)
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


ANNOUNCEMENT_WRITE = (
    "`title` and `body` (Markdown) per language (a title in one language at least), "
    "`published_at`, `expires_at` (after `published_at`, or null for never) and `pinned`"
)


@extend_schema_view(
    list=extend_schema(
        summary="List the current announcements (public)",
        description="Announcements published and not expired, pinned first, then newest; no "
        "token needed. Not paginated. Cached: send the `ETag` back in `If-None-Match` for a "
        "304.",
        parameters=cached(always_public=True),
        responses={
            200: AnnouncementSerializer(many=True),
            304: NOT_MODIFIED,
            **errors(401),
        },
    ),
    create=extend_schema(
        summary="Add an announcement (supervisors)",
        description=f"A new announcement: {ANNOUNCEMENT_WRITE}. Without `published_at` it "
        "shows at once.",
        responses={201: AnnouncementSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change an announcement (supervisors)",
        description=f"The fields to change, at least one: {ANNOUNCEMENT_WRITE}.",
        responses={200: AnnouncementSerializer, **errors(400, 401, 403, 404)},
    ),
)
class AnnouncementViewSet(
    PublicReadsSupervisorsWrite,
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = AnnouncementSerializer
    filter_backends = []
    pagination_class = None
    lookup_value_converter = "int"

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


# Anyone gets PublicSuggestions, agents AgentSuggestions (with the similar tickets).
SUGGESTIONS = PolymorphicProxySerializer(
    component_name="Suggestions",
    serializers=[AgentSuggestionsSerializer, SuggestionsSerializer],
    resource_type_field_name=None,
)


class SuggestView(ApiViewMixin, GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = SuggestionsSerializer
    query_parameters = {"get": tuple(SuggestParams().fields)}
    ARTICLES = 5
    TICKETS = 5

    @extend_schema(
        summary="Suggest answers to a question (public; more for agents)",
        description="The help articles that best answer `q`, best first, for anyone and with "
        "no token (e.g. before a requester writes a ticket); agents also get similar "
        f"resolved tickets, from the {search.TICKET_WINDOW:,} most recently resolved. "
        "English and Chinese. "
        "The answer for anyone but agents is cached: send the `ETag` back in "
        "`If-None-Match` for a 304.",
        parameters=[SuggestParams, *cached(always_public=False)],
        responses={200: SUGGESTIONS, 304: NOT_MODIFIED, **errors(400, 401)},
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
