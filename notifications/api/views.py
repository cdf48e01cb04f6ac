"""The caller's in-site notifications (SPEC §4)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from helpdesk.api import ApiViewMixin
from helpdesk.openapi import errors

from .. import selectors, services
from ..models import Notification
from .serializers import CountSerializer, NotificationSerializer, UnreadSerializer


class NotificationViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    # Only for the schema generator (the model); get_queryset() scopes by recipient.
    queryset = Notification.objects.none()
    # `read` looks the id up itself: `/notifications/abc/read/` must be a 404, not a 500.
    lookup_value_converter = "int"
    query_parameters = {"list": ("unread",)}

    def get_queryset(self):
        unread = False
        if self.action == "list":
            unread = UnreadSerializer.parse(self.request.query_params)
        return selectors.notifications_for(self.request.user, unread_only=unread)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unread", bool, description="`true`: only the unread ones; `false`: all."
            )
        ],
        summary="List your notifications",
        description="Your in-site notifications, newest first, in pages.",
        responses={200: NotificationSerializer(many=True), **errors(400, 401)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=None,
        responses={200: CountSerializer, **errors(401)},
        summary="Count your unread notifications",
        description="How many of your notifications are unread.",
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"count": selectors.unread_count(request.user)})

    @extend_schema(
        request=None,
        responses={200: NotificationSerializer, **errors(401, 404)},
        summary="Mark a notification read",
        description="Marks one of your notifications read (again: no change) and answers it.",
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = selectors.notifications_for(request.user).filter(pk=pk).first()
        if notification is None:
            raise NotFound()
        services.notifications_mark_read(user=request.user, notification_id=notification.pk)
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: CountSerializer, **errors(401)},
        summary="Mark all your notifications read",
        description="Marks every unread notification of yours read; `count` is how many.",
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"count": services.notifications_mark_read(user=request.user)})
