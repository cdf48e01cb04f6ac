"""Thin views: parse, call a service or selector, render."""

import hashlib
import json

from django.http import FileResponse
from django.utils import translation
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import filters, mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import AgentsReadSupervisorsWrite, IsAgent
from accounts.roles import is_agent
from helpdesk.api import UserLanguageMixin
from helpdesk.openapi import ERRORS
from helpdesk.throttling import LoginLimits, TicketLimits
from notifications.services import preferences_for, preferences_update

from .. import macros, selectors, services
from ..errors import VersionConflict
from ..models import Macro, Queue, Ticket
from .filters import TicketFilter
from .pagination import ChronologicalPagination
from .serializers import (
    AgentTicketSerializer,
    ApplyMacroSerializer,
    MacroSerializer,
    MeSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    QueueSerializer,
    StatusChangeSerializer,
    TicketCreateSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
    TransitionSerializer,
)

# Requesters get TicketSerializer's fields, agents those of AgentTicketSerializer besides.
TICKET = OpenApiResponse(
    TicketSerializer,
    description="The ticket as the caller may see it: agents also get requester, assignee, "
    "queue and tags.",
)
ETAG = OpenApiParameter(
    "ETag", str, OpenApiParameter.HEADER, response=[200, 201, 304], required=True
)


def _etag(ticket) -> str:
    return f'"{ticket.pk}-{ticket.version}"'


def _if_match_version(header: str | None, ticket_id: int) -> int | None:
    """`If-Match: "<id>-<version>"` -> version; `*` or absent -> None (no precondition)."""
    if not header or header.strip() == "*":
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    prefix = f"{ticket_id}-"
    if tag.startswith(prefix) and tag[len(prefix) :].isdecimal():
        return int(tag[len(prefix) :])
    raise VersionConflict()


def _file_identity(value) -> str:
    return f"{value.name}:{value.size}" if hasattr(value, "size") else str(value)


def _fingerprint(data) -> str:
    if hasattr(data, "lists"):  # a QueryDict from a form or multipart body
        data = {key: values for key, values in data.lists()}
    canonical = json.dumps(data, sort_keys=True, default=_file_identity, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@extend_schema_view(
    list=extend_schema(summary="List the tickets you can see"),
    retrieve=extend_schema(
        summary="A ticket, with an ETag",
        parameters=[OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER), ETAG],
        responses={200: TICKET, 304: OpenApiResponse(description="Not modified")},
    ),
)
class TicketViewSet(
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    throttle_classes = [TicketLimits]
    # Only for the schema generator (the model); get_queryset() scopes tickets by caller.
    queryset = Ticket.objects.none()
    filter_backends = [
        DjangoFilterBackend,
        filters.OrderingFilter,
    ]
    filterset_class = TicketFilter
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return selectors.ticket_queryset_for(self.request.user)

    def filter_queryset(self, queryset):
        # The list's filters and ordering are for the list: `GET /tickets/5/?status=closed`
        # is ticket 5 whatever its status.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        if is_agent(self.request.user):
            return AgentTicketSerializer
        return TicketSerializer

    def _render(
        self, ticket, status_code=status.HTTP_200_OK, headers=None, *, reload=True
    ) -> Response:
        if reload:
            ticket = self.get_queryset().get(pk=ticket.pk)
        data = self.get_serializer_class()(ticket, context=self.get_serializer_context()).data
        return Response(
            data, status=status_code, headers={"ETag": _etag(ticket), **(headers or {})}
        )

    def retrieve(self, request, *args, **kwargs):
        ticket = self.get_object()
        etag = _etag(ticket)
        if request.headers.get("If-None-Match") == etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        data = self.get_serializer(ticket).data
        return Response(data, headers={"ETag": etag})

    @extend_schema(
        request=TicketCreateSerializer,
        responses={
            201: TICKET,
            422: OpenApiResponse(description="idempotency_conflict"),
            **ERRORS,
        },
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER),
            OpenApiParameter(
                "Location", str, OpenApiParameter.HEADER, response=[201], required=True
            ),
            ETAG,
        ],
        summary="Submit a ticket",
    )
    def create(self, request, *args, **kwargs):
        serializer = TicketCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = {**serializer.validated_data}
        fields["files"] = fields.pop("attachments", [])
        key = request.headers.get("Idempotency-Key", "").strip()
        headers = {}
        if key:
            ticket, created = services.ticket_create_idempotent(
                requester=request.user,
                key=key[:255],
                fingerprint=_fingerprint(request.data),
                **fields,
            )
            if not created:
                headers["Idempotent-Replayed"] = "true"
        else:
            ticket, created = services.ticket_create(requester=request.user, **fields), True
        location = request.build_absolute_uri(f"{request.path}{ticket.pk}/")
        # A ticket just created is rendered as the service returns it, with its relations
        # and files in hand; a replayed one is read back like any other.
        return self._render(
            ticket, status.HTTP_201_CREATED, {"Location": location, **headers}, reload=not created
        )

    @extend_schema(
        request=TicketUpdateSerializer,
        responses={
            200: TICKET,
            409: OpenApiResponse(description="ticket_closed"),
            412: OpenApiResponse(description="version_conflict"),
            **ERRORS,
        },
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER), ETAG],
        summary="Change a ticket's fields (not its status)",
    )
    def partial_update(self, request, *args, **kwargs):
        ticket = self.get_object()
        serializer = TicketUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_update(
            ticket=ticket,
            actor=request.user,
            data=serializer.validated_data,
            expected_version=_if_match_version(request.headers.get("If-Match"), ticket.pk),
        )
        return self._render(ticket)

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: TICKET,
            409: OpenApiResponse(description="invalid_transition, with `allowed`"),
            **ERRORS,
        },
        parameters=[ETAG],
        summary="Change a ticket's status",
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        ticket = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_transition(
            ticket=ticket,
            to=serializer.validated_data["to"],
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return self._render(ticket)

    @extend_schema(
        request=ApplyMacroSerializer,
        responses={
            200: TICKET,
            409: OpenApiResponse(description="invalid_transition, ticket_closed"),
            **ERRORS,
        },
        parameters=[ETAG],
        summary="Apply a macro (agents)",
        description="Writes the macro's reply or note in the requester's language, with its "
        "placeholders filled in, and makes its changes (status with reason, priority, queue, "
        "tags) as one step: the history and notifications of a reply and a status change "
        "made by hand. All or nothing.",
    )
    @action(detail=True, methods=["post"], url_path="apply-macro", permission_classes=[IsAgent])
    def apply_macro(self, request, pk=None):
        ticket = self.get_object()
        serializer = ApplyMacroSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = macros.macro_apply(
            macro=serializer.validated_data["macro"], ticket=ticket, actor=request.user
        )
        return self._render(ticket)

    @extend_schema(
        methods=["GET"],
        responses={200: MessageSerializer(many=True), **ERRORS},
        summary="The conversation",
    )
    @extend_schema(
        methods=["POST"],
        request=MessageCreateSerializer,
        responses={
            201: MessageSerializer,
            409: OpenApiResponse(description="ticket_closed"),
            **ERRORS,
        },
        summary="Reply, or (agents) write an internal note",
    )
    # filter_backends=[]: the ticket list's filters are not this list's. They were documented
    # here, and applied to get_object() (`?status=closed` made an open ticket a 404).
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=ChronologicalPagination,
        filter_backends=[],
    )
    def messages(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.messages_for(request.user, ticket))
            return self.get_paginated_response(
                MessageSerializer(page, many=True, context=self.get_serializer_context()).data
            )
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {**serializer.validated_data}
        fields["files"] = fields.pop("attachments", [])
        message = services.message_add(ticket=ticket, author=request.user, **fields)
        message = selectors.messages_for(request.user, ticket).get(pk=message.pk)
        data = MessageSerializer(message, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: StatusChangeSerializer(many=True), **ERRORS},
        summary="Status history, oldest first",
    )
    @action(  # filter_backends=[]: as messages
        detail=True, methods=["get"], pagination_class=ChronologicalPagination, filter_backends=[]
    )
    def history(self, request, pk=None):
        ticket = self.get_object()
        page = self.paginate_queryset(selectors.history_for(ticket))
        return self.get_paginated_response(StatusChangeSerializer(page, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary="The queues (agents)",
        description="Every queue, by name: the `slug` is what a ticket's `queue` field and "
        "the list's `queue` filter take. Not paginated.",
        responses={200: QueueSerializer(many=True), **ERRORS},
    )
)
class QueueListView(UserLanguageMixin, ListAPIView):
    permission_classes = [IsAgent]
    serializer_class = QueueSerializer
    pagination_class = None
    filter_backends = []
    queryset = Queue.objects.order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="The macros (agents)",
        description="By name; not paginated.",
        responses={200: MacroSerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="A macro (agents)", responses={200: MacroSerializer, 403: ERRORS[403]}
    ),
    create=extend_schema(summary="Add a macro (supervisors)"),
    partial_update=extend_schema(summary="Change a macro (supervisors)"),
    destroy=extend_schema(summary="Delete a macro (supervisors)"),
)
class MacroViewSet(
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    permission_classes = [AgentsReadSupervisorsWrite]
    serializer_class = MacroSerializer
    pagination_class = None
    filter_backends = []
    queryset = Macro.objects.select_related("queue").order_by("name", "pk")

    def perform_create(self, serializer):
        serializer.instance = macros.macro_save(data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = macros.macro_save(
            macro=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        macros.macro_delete(macro=instance)


class MeView(UserLanguageMixin, GenericAPIView):
    serializer_class = MeSerializer

    def get(self, request):
        return Response(self.get_serializer(preferences_for(request.user)).data)

    def patch(self, request):
        serializer = self.get_serializer(
            preferences_for(request.user), data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        preferences = preferences_update(user=request.user, data=serializer.validated_data)
        translation.activate(preferences.language)
        return Response(self.get_serializer(preferences).data)


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}."""

    throttle_classes = [LoginLimits]
    # As ObtainAuthToken's empty list, but the schema then says no token is needed.
    permission_classes = [AllowAny]


class AttachmentDownloadView(UserLanguageMixin, APIView):
    """The file, streamed, to those who may see the ticket (and the message) only."""

    # The file's own type (the one sniffed at upload), whatever it is.
    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY, **ERRORS})
    def get(self, request, pk: int, attachment_id: int):
        attachment = selectors.attachment_for(
            request.user, ticket_id=pk, attachment_id=attachment_id
        )
        if attachment is None:
            raise NotFound()
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
