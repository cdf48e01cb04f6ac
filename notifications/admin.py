"""Supervisors' side of notifications: webhook endpoints, and the delivery log where failed
deliveries show with their last error. Agents see a ticket's deliveries on its page
(tickets/admin.py); nobody edits a delivery here."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from helpdesk.paginator import EstimatedCountPaginator
from tickets.models import id_from_reference, reference_for

from .models import Delivery, EventKind, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "secret", "events", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "active", "event_list", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "url")

    @admin.display(description=_("events"))
    def event_list(self, endpoint):
        return ", ".join(endpoint.events) if endpoint.events else _("all")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "ticket",
        "event_kind",
        "channel",
        "target",
        "status",
        "attempts",
        "error",
        "updated_at",
    )
    list_filter = ("status", "channel")
    list_select_related = ("event", "recipient", "endpoint")
    search_fields = ("event__ticket_id",)  # shows the box; see get_search_results
    search_help_text = _("A ticket reference (HD-000123).")
    ordering = ("-id",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        ticket_id = id_from_reference(search_term)
        if ticket_id is None and search_term.strip().isdecimal():
            ticket_id = int(search_term)
        return queryset.filter(event__ticket_id=ticket_id), False

    @admin.display(description=_("ticket"), ordering="event__ticket_id")
    def ticket(self, delivery):
        ticket_id = delivery.event.ticket_id
        url = reverse("admin:tickets_ticket_change", args=[ticket_id])
        return format_html('<a href="{}">{}</a>', url, reference_for(ticket_id))

    @admin.display(description=_("event"))
    def event_kind(self, delivery):
        return delivery.event.get_kind_display()

    @admin.display(description=_("to"))
    def target(self, delivery):
        return delivery.recipient or delivery.endpoint

    @admin.display(description=_("last error"))
    def error(self, delivery):
        return delivery.last_error[:120]
