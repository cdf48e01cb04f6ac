"""The read-only parts of the ticket page (tickets/admin.py) below the conversation: the
status history, the attachments and the notifications with their deliveries. History is data:
nobody adds, changes or deletes any of it here, whatever their permissions."""

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Delivery, Event

from .models import Attachment, StatusChange
from .templatetags.user_text import user_text
from .textnorm import neutralize_bidi


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


def person(user) -> str:
    """A user as the desk shows them: a name, never a link to the user admin (which agents
    may not open), its bidi controls shown as escapes (a name can come from an email's
    From header)."""
    if user is None:
        return str(_("the system"))
    name = user.get_full_name()
    return neutralize_bidi(f"{name} ({user.username})" if name else user.username)


class HistoryInline(ReadOnlyInline):
    model = StatusChange
    verbose_name = _("status change")
    verbose_name_plural = _("status history")
    fields = readonly_fields = (
        "created_at",
        "from_status",
        "to_status",
        "changed_by_name",
        "why",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    @admin.display(description=_("changed by"))
    def changed_by_name(self, change):
        return person(change.changed_by)

    @admin.display(description=_("reason"))
    def why(self, change):
        if change.internal and change.reason:
            return format_html(
                "{} <em>({})</em>",
                user_text(change.reason),
                _("internal: not shown to the requester"),
            )
        return user_text(change.reason)


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = (
        "download",
        "content_type",
        "size",
        "sha256",
        "uploaded_by_name",
        "message",
        "created_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "message")

    @admin.display(description=_("uploaded by"))
    def uploaded_by_name(self, attachment):
        return person(attachment.uploaded_by)

    @admin.display(description=_("file"))
    def download(self, attachment):
        return format_html('<a href="{}">{}</a>', attachment_url(attachment), attachment.filename)


class EventInline(ReadOnlyInline):
    """Each notification event of the ticket, with its deliveries and how they went."""

    model = Event
    fk_name = "ticket"
    verbose_name = _("notification")
    verbose_name_plural = _("notifications and deliveries")
    fields = readonly_fields = ("created_at", "kind", "actor_name", "deliveries")

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

    @admin.display(description=_("actor"))
    def actor_name(self, event):
        return person(event.actor)

    @admin.display(description=_("deliveries"))
    def deliveries(self, event):
        return format_html_join(
            mark_safe("<br>"),
            "{} → {}: <strong>{}</strong> ({}){}",
            (
                (
                    delivery.get_channel_display(),
                    person(delivery.recipient) if delivery.recipient else delivery.endpoint,
                    delivery.get_status_display(),
                    ngettext("%(count)d attempt", "%(count)d attempts", delivery.attempts)
                    % {"count": delivery.attempts},
                    f" — {delivery.last_error[:200]}" if delivery.last_error else "",
                )
                for delivery in event.deliveries.all()
            ),
        )
