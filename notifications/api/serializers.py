from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from helpdesk.serializers import ModelSerializer, Serializer

from ..models import Notification


@extend_schema_serializer(
    description="An in-site notification: what happened to which ticket (`event`: "
    "ticket_created, status_changed, agent_replied, requester_replied, assigned)."
)
class NotificationSerializer(ModelSerializer):
    ticket = serializers.IntegerField(source="ticket_id", read_only=True, help_text="Its id.")
    read = serializers.SerializerMethodField(help_text="Whether it was marked read.")

    class Meta:
        model = Notification
        fields = ["id", "ticket", "event", "title", "body", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


@extend_schema_serializer(component_name="Count", description="A number of notifications.")
class CountSerializer(Serializer):
    count = serializers.IntegerField()


class UnreadSerializer(Serializer):
    # The list's `?unread=`: a boolean (true/false, 1/0...); anything else is a 400.
    unread = serializers.BooleanField(default=False)

    @classmethod
    def parse(cls, query_params) -> bool:
        serializer = cls(data={"unread": query_params.get("unread", False)})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["unread"]
