"""Parse and render. No writes here: views hand validated data to services."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.roles import Role, is_agent, role_for
from helpdesk.serializers import ModelSerializer, Serializer, per_language
from notifications.channels.registry import CHANNELS
from notifications.models import Language, Preferences

from ..macros import PLACEHOLDERS, validate_placeholders
from ..models import (
    AGENT_FIELDS,
    REQUESTER_FIELDS,
    Attachment,
    Flag,
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


@extend_schema_serializer(
    component_name="UserSummary", description="A person, as the caller may see them."
)
class UserSummarySerializer(Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField(help_text="Full name, or the username.")

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


@extend_schema_serializer(
    component_name="AgentUserSummary", description="A person, as agents see them."
)
class AgentUserSummarySerializer(UserSummarySerializer):
    email = serializers.EmailField()


@extend_schema_serializer(
    description="A file sent with the ticket or a message. `content_type` is sniffed from "
    "the bytes at upload; `url` downloads it (with the caller's token)."
)
class AttachmentSerializer(ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Where to download the file.")

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


@extend_schema_serializer(
    component_name="RequesterTicket",
    description="A ticket as its requester sees it: no desk fields (`requester`, "
    "`assignee`, `queue`, `tags`).",
)
class TicketSerializer(ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="Shown in emails: HD-000123.")
    transaction_ids = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="TxIDs or order ids."
    )
    attachments = serializers.SerializerMethodField(help_text="Files sent with the ticket.")
    follow_up_of = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The closed ticket this one continues (a reply by email to a closed ticket).",
    )
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=Flag.choices),
        read_only=True,
        help_text="Marks for the desk: `secret_redacted` (a password, seed phrase or private "
        "key arrived by email and was removed), `sender_unverified` (the email failed DMARC).",
    )

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
            "follow_up_of",
            "flags",
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


@extend_schema_serializer(
    component_name="AgentTicket",
    description="A ticket as agents and supervisors see it: with the desk fields.",
)
class AgentTicketSerializer(TicketSerializer):
    requester = AgentUserSummarySerializer(read_only=True)
    assignee = AgentUserSummarySerializer(read_only=True, allow_null=True)
    queue = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The queue's slug."
    )
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "requester", "assignee", "queue", "tags"]
        read_only_fields = fields


@extend_schema_serializer(
    description="A queue of the desk. Its `slug` is what a ticket's `queue` field and the "
    "ticket list's `queue` filter take."
)
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
    "MacroBody",
    "body",
    max_length=20_000,
    validators=[validate_placeholders],
    description="The macro's reply or note. Placeholders: "
    + ", ".join(f"`{{{name}}}`" for name in PLACEHOLDERS)
    + ". The requester gets the text in their language (the other one when theirs is empty).",
)


@extend_schema_serializer(
    description="A canned answer and the steps that go with it: a reply (or an internal "
    "note) per language, and what applying it changes on the ticket. Empty `status` and "
    "`priority`, and a null `queue`, change nothing."
)
class MacroSerializer(ModelSerializer):
    body = MacroBodySerializer(source="*", required=False)
    queue = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Queue.objects.all(),
        required=False,
        allow_null=True,
        help_text="The slug of the queue to move the ticket to, or null.",
    )
    add_tags = serializers.ListField(
        child=serializers.CharField(max_length=50),
        max_length=20,
        required=False,
        help_text="Tags added to the ticket.",
    )
    remove_tags = serializers.ListField(
        child=serializers.CharField(max_length=50),
        max_length=20,
        required=False,
        help_text="Tags removed from the ticket.",
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
        extra_kwargs = {
            "name": {"help_text": "Unique; what agents pick it by."},
            "status": {"help_text": "The status to move the ticket to, or empty."},
            "reason": {"help_text": "The reason recorded with the status change."},
            "priority": {"help_text": "The priority to set, or empty."},
        }


@extend_schema_serializer(
    component_name="ApplyMacro", description="The macro to apply to the ticket."
)
class ApplyMacroSerializer(Serializer):
    macro = serializers.PrimaryKeyRelatedField(
        queryset=Macro.objects.all(), help_text="The macro's id (`GET /api/v1/macros/`)."
    )


class TransactionIdsField(serializers.ListField):
    child = serializers.CharField(max_length=128, trim_whitespace=True)
    max_length = 20


class AttachmentsField(serializers.ListField):
    # Files in the multipart field `attachments` (repeat the field for several).
    child = serializers.FileField(allow_empty_file=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Files: repeat the part for several (at most 10).")
        super().__init__(required=False, write_only=True, **kwargs)


class TicketDetailsSerializer(ModelSerializer):
    # The structured details the submission form asks for (models.REQUESTER_FIELDS), as
    # the model defines them; all optional.
    transaction_ids = TransactionIdsField(required=False, help_text="TxIDs or order ids.")

    class Meta:
        model = Ticket
        fields = list(REQUESTER_FIELDS)


@extend_schema_serializer(
    component_name="TicketCreate", description="A new ticket, as JSON (no files)."
)
class TicketCreateSerializer(TicketDetailsSerializer):
    subject = serializers.CharField(min_length=1, max_length=200)
    description = serializers.CharField(min_length=1, max_length=20_000)
    category = serializers.ChoiceField(choices=Ticket._meta.get_field("category").choices)
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        default=Priority.NORMAL,
        help_text="Requesters may choose low, normal or high.",
    )

    class Meta(TicketDetailsSerializer.Meta):
        fields = ["subject", "description", "category", "priority", *REQUESTER_FIELDS]

    def validate_priority(self, value: str) -> str:
        request = self.context["request"]
        if value not in REQUESTER_PRIORITIES and not is_agent(request.user):
            raise serializers.ValidationError(_("Requesters may choose low, normal or high."))
        return value


@extend_schema_serializer(
    component_name="TicketCreateWithFiles",
    description="A new ticket with files, as multipart/form-data: the fields of "
    "TicketCreate as parts (repeat `transaction_ids` for several), and the files in "
    "`attachments`.",
)
class TicketCreateWithFilesSerializer(TicketCreateSerializer):
    attachments = AttachmentsField()

    class Meta(TicketCreateSerializer.Meta):
        fields = [*TicketCreateSerializer.Meta.fields, "attachments"]


@extend_schema_serializer(
    component_name="TicketUpdate",
    description="The fields to change, at least one. Agents: priority, category, queue, "
    "assignee, tags. Requesters: the structured details. Anything else is a 400.",
)
class TicketUpdateSerializer(TicketDetailsSerializer):
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.ChoiceField(
        choices=Ticket._meta.get_field("category").choices, required=False
    )
    queue = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Queue.objects.all(),
        required=False,
        allow_null=True,
        help_text="A queue's slug, or null.",
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="An agent's user id, or null.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, required=False
    )

    refused_fields = {"status": _("The status changes through POST .../transitions/.")}

    class Meta(TicketDetailsSerializer.Meta):
        fields = [*AGENT_FIELDS, *REQUESTER_FIELDS]


@extend_schema_serializer(
    component_name="Transition",
    description="The status to move to, and why (a reason is required when an agent closes "
    "a ticket that is not resolved).",
)
class TransitionSerializer(Serializer):
    to = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")


@extend_schema_serializer(
    description="One entry of the conversation. Requesters never see internal notes."
)
class MessageSerializer(ModelSerializer):
    author = UserSummarySerializer(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "internal", "body", "attachments", "created_at"]
        read_only_fields = fields


@extend_schema_serializer(
    component_name="MessageCreate", description="A reply or an internal note, as JSON."
)
class MessageCreateSerializer(Serializer):
    body = serializers.CharField(min_length=1, max_length=20_000)
    internal = serializers.BooleanField(
        default=False, help_text="Agents: an internal note, never shown to the requester."
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text="Agents: move the ticket to this status with the reply.",
    )
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")


@extend_schema_serializer(
    component_name="MessageCreateWithFiles",
    description="A reply or an internal note with files, as multipart/form-data: the "
    "fields of MessageCreate as parts, and the files in `attachments`.",
)
class MessageCreateWithFilesSerializer(MessageCreateSerializer):
    attachments = AttachmentsField()


@extend_schema_serializer(
    component_name="StatusChange",
    description="A status change in the ticket's history: `from_status` is null for the "
    "creation, `changed_by` null for the desk's own steps (auto-close).",
)
class StatusChangeSerializer(ModelSerializer):
    changed_by = UserSummarySerializer(read_only=True, allow_null=True)
    reason = serializers.SerializerMethodField(
        help_text="Why; empty for requesters when it was given with an internal note."
    )

    class Meta:
        model = StatusChange
        fields = ["id", "from_status", "to_status", "changed_by", "reason", "created_at"]
        read_only_fields = fields

    def get_reason(self, change) -> str:
        return change.reason_for(agent=self.context.get("agent", False))


@extend_schema_serializer(
    component_name="NotificationChannels",
    description="A switch per notification channel: true to be notified on it.",
)
class NotificationChannelsSerializer(Serializer):
    # One field per channel users can turn on and off (notifications/channels).

    def get_fields(self):
        return {
            channel.name: serializers.BooleanField(source=channel.preference, required=False)
            for channel in CHANNELS.values()
            if channel.preference
        }


@extend_schema_serializer(
    component_name="Me",
    description="The caller: who they are, and their preferences (language, anti-phishing "
    "code, notification channels: the writable part).",
)
class MeSerializer(ModelSerializer):
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

    @extend_schema_field(
        serializers.ChoiceField(choices=[role.value for role in Role if role is not Role.SYSTEM])
    )
    def get_role(self, preferences) -> str:
        return str(role_for(preferences.user))
