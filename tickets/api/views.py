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
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import AgentsReadSupervisorsWrite, IsAgent
from accounts.roles import is_agent
from helpdesk.api import ApiViewMixin
from helpdesk.filters import OrderingFilter
from helpdesk.openapi import errors
from helpdesk.pagination import ChronologicalPagination
from helpdesk.parsers import JSONParser
from helpdesk.throttling import TicketLimits
from notifications.services import preferences_for, preferences_update

from .. import macros, selectors, services
from ..errors import VersionConflict
from ..models import Macro, Queue, Ticket
from ..uploads import ALLOWED_TYPES
from .filters import TicketFilter
from .serializers import (
    AgentTicketSerializer,
    ApplyMacroSerializer,
    MacroSerializer,
    MeSerializer,
    MessageCreateSerializer,
    MessageCreateWithFilesSerializer,
    MessageSerializer,
    QueueSerializer,
    StatusChangeSerializer,
    TicketCreateSerializer,
    TicketCreateWithFilesSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
    TransitionSerializer,
)


# Requesters get RequesterTicket, agents AgentTicket: one of the two, told apart by the
# desk fields (each schema forbids properties it does not name, so a body matches one).
def ticket_representation(*, many: bool = False) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="Ticket",
        serializers=[AgentTicketSerializer, TicketSerializer],
        resource_type_field_name=None,
        many=many,
    )


TICKET = ticket_representation()
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201, 304],
    required=True,
    description='The ticket\'s version: `"<id>-<version>"`. Send it back in `If-Match`.',
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ticket's ETag as you read it: the request is refused (412 "
    "`version_conflict`) if the ticket has changed since.",
)
JSON = "application/json"
MULTIPART = "multipart/form-data"
OCTET_STREAM = "application/octet-stream"


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
    list=extend_schema(
        summary="List tickets",
        description="The tickets the caller may see, newest first unless `ordering` says "
        "otherwise: a requester's own, every ticket for agents. Cursor pages (`page_size`): follow "
        "`next` (or send its `cursor` with the same filters). Filters on the desk fields "
        "(`queue`, `assignee`) are for agents; from a requester they are a 400. Unknown "
        "parameters, and unknown values, are a 400 naming them.",
        responses={200: ticket_representation(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Read a ticket",
        description="One ticket, with an `ETag` naming its version. Send the tag in "
        "`If-None-Match` to get a 304 with no body while it is unchanged, and in `If-Match` "
        "when you change the ticket. Another requester's ticket is a 404.",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                description="An ETag you have: 304 while it is current.",
            ),
            ETAG,
        ],
        responses={
            200: TICKET,
            304: OpenApiResponse(description="Not modified: the ETag is current."),
            **errors(401, 404),
        },
    ),
)
class TicketViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    throttle_classes = [TicketLimits]
    # Only for the schema generator (the model); get_queryset() scopes tickets by caller.
    queryset = Ticket.objects.none()
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = TicketFilter
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at"]
    # The conversation and the history are pages too (their own ordering, no filters).
    list_actions = ("list", "messages", "history")

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
        summary="Submit a ticket",
        description="As JSON, or as multipart/form-data with files in `attachments`. Send an "
        "`Idempotency-Key` to make retries safe: the same key with the same body, within "
        "IDEMPOTENCY_KEY_TTL_HOURS (24 by default), answers the ticket it created (with "
        "`Idempotent-Replayed: true`), with another body a 422. New tickets per user and "
        "hour are limited (THROTTLE_TICKET_CREATE_RATE).",
        request={JSON: TicketCreateSerializer, MULTIPART: TicketCreateWithFilesSerializer},
        responses={
            201: TICKET,
            **errors(400, 401, 413, 415, 422),
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string of yours (a UUID), up to 255 characters.",
            ),
            OpenApiParameter(
                "Location",
                str,
                OpenApiParameter.HEADER,
                response=[201],
                required=True,
                description="The new ticket's URL.",
            ),
            OpenApiParameter(
                "Idempotent-Replayed",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[201],
                enum=["true"],
                description="Present when the answer is the ticket an earlier request with "
                "this Idempotency-Key created.",
            ),
            ETAG,
        ],
    )
    def create(self, request, *args, **kwargs):
        serializer_class = (
            TicketCreateWithFilesSerializer
            if request.content_type.startswith(MULTIPART)
            else TicketCreateSerializer
        )
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
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
        summary="Change a ticket's fields",
        description="Agents change `priority`, `category`, `queue`, `assignee` and `tags`; "
        "requesters the structured details. The status changes through transitions. The "
        "body must name at least one field the caller may change; an unknown field, or one "
        "of the other role's, is a 400 naming it. Send the ETag in `If-Match` to refuse the "
        "change (412) if someone changed the ticket since you read it.",
        request=TicketUpdateSerializer,
        responses={200: TICKET, **errors(400, 401, 404, 409, 412)},
        parameters=[IF_MATCH, ETAG],
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
        summary="Change a ticket's status",
        description="Moves the ticket along its lifecycle (new, open, pending, on_hold, "
        "resolved, closed). Requesters may reopen a resolved ticket within "
        "REOPEN_WINDOW_DAYS, confirm it (closed) or withdraw theirs (closed); every other "
        "step is the agents'. A step "
        "the lifecycle does not allow is a 409 `invalid_transition` listing the statuses "
        "the caller may move to; a step of the other role a 403.",
        request=TransitionSerializer,
        responses={200: TICKET, **errors(400, 401, 403, 404, 409)},
        parameters=[ETAG],
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
        summary="Apply a macro (agents)",
        description="Writes the macro's reply or note in the requester's language, with its "
        "placeholders filled in, and makes its changes (status with reason, priority, queue, "
        "tags) as one step: the history and notifications of a reply and a status change "
        "made by hand. All or nothing: a step the lifecycle refuses is a 409 and changes "
        "nothing. Requesters get a 403.",
        request=ApplyMacroSerializer,
        responses={200: TICKET, **errors(400, 401, 403, 404, 409)},
        parameters=[ETAG],
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
        summary="Read the conversation",
        description="The ticket's messages, oldest first. Requesters do not see internal notes.",
        responses={200: MessageSerializer(many=True), **errors(400, 401, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply to a ticket",
        description="A reply, as JSON or as multipart/form-data with files in "
        "`attachments`. Agents may write an internal note (`internal: true`) and move the "
        "ticket to a `status` with the reply; an agent's first public reply opens a new "
        "ticket. A requester's reply reopens a pending ticket. Closed tickets take no "
        "messages (409). With `If-Match`, the reply is refused (412) if the ticket changed "
        "since you read it (someone else replied, or changed its status).",
        request={JSON: MessageCreateSerializer, MULTIPART: MessageCreateWithFilesSerializer},
        responses={201: MessageSerializer, **errors(400, 401, 403, 404, 409, 412, 413, 415)},
        parameters=[IF_MATCH],
    )
    # filter_backends=[]: the ticket list's filters are not this list's. They were documented
    # here, and applied to get_object() (`?status=closed` made an open ticket a 404).
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=ChronologicalPagination,
        filter_backends=[],
        parser_classes=[JSONParser, MultiPartParser],
    )
    def messages(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.messages_for(request.user, ticket))
            return self.get_paginated_response(
                MessageSerializer(page, many=True, context=self.get_serializer_context()).data
            )
        serializer_class = (
            MessageCreateWithFilesSerializer
            if request.content_type.startswith(MULTIPART)
            else MessageCreateSerializer
        )
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {**serializer.validated_data}
        fields["files"] = fields.pop("attachments", [])
        message = services.message_add(
            ticket=ticket,
            author=request.user,
            expected_version=_if_match_version(request.headers.get("If-Match"), ticket.pk),
            **fields,
        )
        message = selectors.messages_for(request.user, ticket).get(pk=message.pk)
        data = MessageSerializer(message, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read the status history",
        description="Every status change of the ticket, oldest first, starting with its "
        "creation (`from_status: null`). A reason given with an internal note is empty for "
        "requesters.",
        responses={200: StatusChangeSerializer(many=True), **errors(400, 401, 404)},
    )
    @action(  # filter_backends=[]: as messages
        detail=True, methods=["get"], pagination_class=ChronologicalPagination, filter_backends=[]
    )
    def history(self, request, pk=None):
        ticket = self.get_object()
        page = self.paginate_queryset(selectors.history_for(ticket))
        context = {"agent": is_agent(request.user)}
        return self.get_paginated_response(
            StatusChangeSerializer(page, many=True, context=context).data
        )

    def get_parsers(self):
        # Files come with a new ticket or a message only (`messages` names its parsers);
        # every other body is JSON. DRF asks before it sets `self.action`.
        request = getattr(self, "request", None)  # None while the schema is generated
        if request is not None and self.action_map.get(request.method.lower()) == "create":
            return [JSONParser(), MultiPartParser()]
        return super().get_parsers()


@extend_schema_view(
    get=extend_schema(
        summary="List the queues (agents)",
        description="Every queue, by name: the `slug` is what a ticket's `queue` field and "
        "the ticket list's `queue` filter take. Not paginated. Requesters get a 403.",
        responses={200: QueueSerializer(many=True), **errors(401, 403)},
    )
)
class QueueListView(ApiViewMixin, ListAPIView):
    permission_classes = [IsAgent]
    serializer_class = QueueSerializer
    pagination_class = None
    filter_backends = []
    queryset = Queue.objects.order_by("name", "pk")


MACRO_FIELDS_TEXT = (
    "`name`, `body` (the text per language, with placeholders), `internal` (a note rather "
    "than a reply), and what applying it changes: `status` (with `reason`), `priority`, "
    "`queue` (a slug), `add_tags`, `remove_tags`"
)


@extend_schema_view(
    list=extend_schema(
        summary="List the macros (agents)",
        description="Every macro, by name; not paginated. Agents and supervisors read them; "
        "requesters get a 403.",
        responses={200: MacroSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="Read a macro (agents)",
        description="One macro: what `POST /api/v1/tickets/{id}/apply-macro/` would write "
        "and change. Requesters get a 403.",
        responses={200: MacroSerializer, **errors(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Add a macro (supervisors)",
        description=f"A new macro: {MACRO_FIELDS_TEXT}. An unknown placeholder, a name "
        "already taken or a secret in the text is a 400.",
        responses={201: MacroSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a macro (supervisors)",
        description=f"The fields to change, at least one: {MACRO_FIELDS_TEXT}. A language "
        "left out of `body` keeps its text.",
        responses={200: MacroSerializer, **errors(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a macro (supervisors)",
        description="Removes the macro; what it wrote on tickets stays as it was.",
        responses={204: None, **errors(401, 403, 404)},
    ),
)
class MacroViewSet(
    ApiViewMixin,
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


@extend_schema_view(
    get=extend_schema(
        summary="Read your profile",
        description="Who you are (id, username, email, role) and your preferences.",
        responses={200: MeSerializer, **errors(401)},
    ),
    patch=extend_schema(
        summary="Change your preferences",
        description="Language (`en`, `zh-hans`), anti-phishing code (shown in every email "
        "we send you; empty to remove it) and notification channels. At least one field; "
        "unknown fields are a 400.",
        responses={200: MeSerializer, **errors(400, 401)},
    ),
)
class MeView(ApiViewMixin, GenericAPIView):
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


@extend_schema_view(
    get=extend_schema(
        summary="Download an attachment",
        description="The file's bytes, with `Content-Disposition: attachment`. Its "
        "`Content-Type` is the type sniffed at upload (the attachment's `content_type`), or "
        "`application/octet-stream` when the request's `Accept` asks for that alone. Only "
        "for those who may see the ticket (and, for an internal note's file, agents).",
        responses={
            (200, content_type): OpenApiResponse(
                OpenApiTypes.ANY if content_type == JSON else OpenApiTypes.BINARY,
                description="The file.",
            )
            for content_type in (OCTET_STREAM, *sorted(ALLOWED_TYPES))
        }
        | errors(401, 404),
        parameters=[
            OpenApiParameter(
                "Content-Disposition",
                str,
                OpenApiParameter.HEADER,
                response=[200],
                required=True,
                description="`attachment`, with the attachment's filename.",
            ),
            OpenApiParameter(
                "X-Content-Type-Options",
                str,
                OpenApiParameter.HEADER,
                response=[200],
                required=True,
                enum=["nosniff"],
            ),
        ],
    )
)
class AttachmentDownloadView(ApiViewMixin, APIView):
    def perform_content_negotiation(self, request, force=False):
        # The file is whatever type it is (or octet-stream, when asked): `Accept` does not
        # choose among DRF's renderers here, and an error is JSON whatever it says.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def get(self, request, pk: int, attachment_id: int):
        attachment = selectors.attachment_for(
            request.user, ticket_id=pk, attachment_id=attachment_id
        )
        if attachment is None:
            raise NotFound()
        content_type = attachment.content_type
        if request.headers.get("Accept", "").strip() == OCTET_STREAM:
            content_type = OCTET_STREAM
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.filename,
            content_type=content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
