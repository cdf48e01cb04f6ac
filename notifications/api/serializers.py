from rest_framework import serializers

from helpdesk.serializers import ModelSerializer

from ..models import Notification


class NotificationSerializer(ModelSerializer):
    ticket = serializers.IntegerField(source="ticket_id", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "ticket", "event", "title", "body", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
