"""Parse and render. No writes here: views hand validated data to services."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.roles import is_agent, role_for
from helpdesk.serializers import ModelSerializer, per_language
from notifications.channels.registry import CHANNELS
from notifications.models import Language, Preferences

from ..macros import validate_placeholders
from ..models import (
    AGENT_FIELDS,
    REQUESTER_FIELDS,
    Attachment,
    Macro,
    Message,
    Priority,
    Queue,
    Status,
    StatusChange,
    Ticket,
)

User = get_user_model()

REQUESTER_PRIORITIES = [Priority.LOW, Priority.NORMAL, Priority.HIGH]


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class AgentUserSummarySerializer(UserSummarySerializer):
    email = serializers.EmailField()


class AttachmentSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "sha256", "url"]

    def get_url(self, attachment) -> str:
        path = reverse(
            "api:ticket-attachment",
            kwargs={"pk": attachment.ticket_id, "attachment_id": attachment.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TicketSerializer(ModelSerializer):
    """What a requester sees of a ticket."""

    reference = serializers.CharField(read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "description",
            "category",
            "priority",
            "status",
            "channel",
            *REQUESTER_FIELDS,
            "attachments",
            "created_at",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, ticket) -> list:
        files = getattr(ticket, "own_attachments", None)
        if files is None:
            files = ticket.attachments.filter(message__isnull=True)
        if not files:
            return []  # most tickets: no serializer built for nothing (a list builds 25)
        return AttachmentSerializer(files, many=True, context=self.context).data


class AgentTicketSerializer(TicketSerializer):
    """What an agent sees: everything, with the fields meant for the desk."""

    requester = AgentUserSummarySerializer(read_only=True)
    assignee = AgentUserSummarySerializer(read_only=True, allow_null=True)
    queue = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "requester", "assignee", "queue", "tags"]
        read_only_fields = fields


class QueueSerializer(ModelSerializer):
    default_for = serializers.ChoiceField(
        choices=Ticket._meta.get_field("category").choices,
        read_only=True,
        allow_null=True,
        help_text="The category whose new tickets land in this queue, if any.",
    )

    class Meta:
        model = Queue
        fields = ["id", "name", "slug", "default_for"]
        read_only_fields = fields


MacroBodySerializer = per_language(
    "MacroBody", "body", max_length=20_000, validators=[validate_placeholders]
)


class MacroSerializer(ModelSerializer):
    body = MacroBodySerializer(
        source="*",
        required=False,
        help_text="The text per language; placeholders {requester_name}, {reference}, "
        "{agent_name}.",
    )
    queue = serializers.SlugRelatedField(
        slug_field="slug", queryset=Queue.objects.all(), required=False, allow_null=True
    )
    add_tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, required=False
    )
    remove_tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, required=False
    )

    class Meta:
        model = Macro
        fields = [
            "id",
            "name",
            "body",
            "internal",
            "status",
            "reason",
            "priority",
            "queue",
            "add_tags",
            "remove_tags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ApplyMacroSerializer(serializers.Serializer):
    macro = serializers.PrimaryKeyRelatedField(queryset=Macro.objects.all())


class TransactionIdsField(serializers.ListField):
    child = serializers.CharField(max_length=128, trim_whitespace=True)
    max_length = 20


class AttachmentsField(serializers.ListField):
    """Files in the multipart field `attachments` (repeat the field for several)."""

    child = serializers.FileField(allow_empty_file=True)

    def __init__(self, **kwargs):
        super().__init__(required=False, write_only=True, **kwargs)


class TicketDetailsSerializer(ModelSerializer):
    """The structured details the submission form asks for (models.REQUESTER_FIELDS), as
    the model defines them; all optional."""

    transaction_ids = TransactionIdsField(required=False)

    class Meta:
        model = Ticket
        fields = list(REQUESTER_FIELDS)


class TicketCreateSerializer(TicketDetailsSerializer):
    subject = serializers.CharField(min_length=1, max_length=200)
    description = serializers.CharField(min_length=1, max_length=20_000)
    category = serializers.ChoiceField(choices=Ticket._meta.get_field("category").choices)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    attachments = AttachmentsField()

    class Meta(TicketDetailsSerializer.Meta):
        fields = [
            "subject",
            "description",
            "category",
            "priority",
            *REQUESTER_FIELDS,
            "attachments",
        ]

    def validate_priority(self, value: str) -> str:
        request = self.context["request"]
        if value not in REQUESTER_PRIORITIES and not is_agent(request.user):
            raise serializers.ValidationError(_("Requesters may choose low, normal or high."))
        return value


class TicketUpdateSerializer(TicketDetailsSerializer):
    """PATCH: agents change the desk fields, requesters the structured details."""

    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.ChoiceField(
        choices=Ticket._meta.get_field("category").choices, required=False
    )
    queue = serializers.SlugRelatedField(
        slug_field="slug", queryset=Queue.objects.all(), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, required=False
    )

    class Meta(TicketDetailsSerializer.Meta):
        fields = [*AGENT_FIELDS, *REQUESTER_FIELDS]

    def validate(self, attrs: dict) -> dict:
        if "status" in self.initial_data:
            raise serializers.ValidationError(
                {"status": [_("The status changes through POST .../transitions/.")]}
            )
        return attrs


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")


class MessageSerializer(ModelSerializer):
    author = UserSummarySerializer(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "internal", "body", "attachments", "created_at"]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(min_length=1, max_length=20_000)
    internal = serializers.BooleanField(default=False)
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text="Agents: move the ticket to this status with the reply.",
    )
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")
    attachments = AttachmentsField()


class StatusChangeSerializer(ModelSerializer):
    changed_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = StatusChange
        fields = ["id", "from_status", "to_status", "changed_by", "reason", "created_at"]
        read_only_fields = fields


class NotificationChannelsSerializer(serializers.Serializer):
    """A switch per channel users can turn on and off (notifications/channels)."""

    def get_fields(self):
        return {
            channel.name: serializers.BooleanField(source=channel.preference, required=False)
            for channel in CHANNELS.values()
            if channel.preference
        }


class MeSerializer(ModelSerializer):
    """The caller: who they are, and their preferences (the writable part)."""

    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.SerializerMethodField()
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    anti_phishing_code = serializers.RegexField(
        # "" is allow_blank's (its own branch of the schema's oneOf); `|^$` here matched it twice.
        r"^[A-Za-z0-9_-]{4,20}$",
        required=False,
        allow_blank=True,
        help_text="4-20 letters, digits, '-' or '_'; shown in every email we send you.",
    )
    notifications = NotificationChannelsSerializer(source="*", required=False)

    class Meta:
        model = Preferences
        fields = [
            "id",
            "username",
            "email",
            "role",
            "language",
            "anti_phishing_code",
            "notifications",
        ]

    def get_role(self, preferences) -> str:
        return str(role_for(preferences.user))
