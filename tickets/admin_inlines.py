"""The read-only parts of the ticket page (tickets/admin.py): the conversation, the status
history, the attachments and the notifications with their deliveries. History is data:
nobody adds, changes or deletes any of it here, whatever their permissions."""

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from notifications.models import Delivery, Event

from .models import Attachment, Message, StatusChange
from .templatetags.user_text import user_block, user_text


def attachment_url(attachment: Attachment) -> str:
    # The API's permission-checked download (it accepts the admin's session).
    return reverse(
        "api:ticket-attachment",
        kwargs={"pk": attachment.ticket_id, "attachment_id": attachment.pk},
    )


class ReadOnlyInline(admin.TabularInline):
    """History is data: nobody adds, changes or deletes it here."""

    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(ReadOnlyInline):
    model = StatusChange
    verbose_name = _("status change")
    verbose_name_plural = _("status history")
    fields = readonly_fields = ("created_at", "from_status", "to_status", "changed_by", "why")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    @admin.display(description=_("reason"))
    def why(self, change):
        if change.internal and change.reason:
            return format_html(
                "{} <em>({})</em>",
                user_text(change.reason),
                _("internal: not shown to the requester"),
            )
        return user_text(change.reason)


class ConversationInline(ReadOnlyInline):
    model = Message
    verbose_name = _("message")
    verbose_name_plural = _("conversation")
    fields = readonly_fields = ("created_at", "author", "kind", "text", "files")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("author", "ticket")
        return qs.prefetch_related("attachments")

    @admin.display(description=_("kind"))
    def kind(self, message):
        if message.internal:
            return format_html('<strong style="color:#b45309">{}</strong>', _("Internal note"))
        if message.author_id == message.ticket.requester_id:
            return _("Requester")
        return _("Reply")

    @admin.display(description=_("message"))
    def text(self, message):
        return user_block(message.body)

    @admin.display(description=_("files"))
    def files(self, message):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((attachment_url(a), a.filename) for a in message.attachments.all()),
        )


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = (
        "download",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "message",
        "created_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "message")

    @admin.display(description=_("file"))
    def download(self, attachment):
        return format_html('<a href="{}">{}</a>', attachment_url(attachment), attachment.filename)


class EventInline(ReadOnlyInline):
    """Each notification event of the ticket, with its deliveries and how they went."""

    model = Event
    fk_name = "ticket"
    verbose_name = _("notification")
    verbose_name_plural = _("notifications and deliveries")
    fields = readonly_fields = ("created_at", "kind", "actor", "deliveries")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Event's ticket FK has no reverse accessor ("+"), which would leave no prefix.
        formset.get_default_prefix = classmethod(lambda cls: "events")
        return formset

    def get_queryset(self, request):
        deliveries = Delivery.objects.select_related("recipient", "endpoint").order_by("pk")
        return (
            super()
            .get_queryset(request)
            .select_related("actor")
            .prefetch_related(Prefetch("deliveries", queryset=deliveries))
            .order_by("created_at", "pk")
        )

    @admin.display(description=_("deliveries"))
    def deliveries(self, event):
        return format_html_join(
            mark_safe("<br>"),
            "{} → {}: <strong>{}</strong> ({} {}){}",
            (
                (
                    delivery.get_channel_display(),
                    delivery.recipient or delivery.endpoint,
                    delivery.get_status_display(),
                    delivery.attempts,
                    _("attempts"),
                    f" — {delivery.last_error[:200]}" if delivery.last_error else "",
                )
                for delivery in event.deliveries.all()
            ),
        )
