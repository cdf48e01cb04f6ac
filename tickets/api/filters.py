"""Query-string filters of the ticket list (SPEC §4)."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from rest_framework.exceptions import ValidationError

from accounts.roles import is_agent
from helpdesk.filters import ChoiceListFilter

from ..models import Category, Priority, Queue, Status
from ..selectors import ticket_search


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, handed to the database in UTC. PostgreSQL refuses the
    offsets Python accepts beyond ±15:59 (a 500 otherwise); a time that has no UTC
    equivalent (0001-01-01T00:00+01:00) is invalid input."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return value and value.astimezone(UTC)
        except OverflowError:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class TicketFilter(django_filters.FilterSet):
    # The desk's fields: a requester may not filter on them (SPEC §4), or the answer would
    # tell them who handles their tickets and where.
    AGENT_ONLY = ("assignee", "queue")

    status = ChoiceListFilter(
        choices=Status.choices,
        help_text="Tickets in any of these statuses: repeat the parameter "
        "(`status=new&status=open`) or give a comma list (`status=new,open`).",
    )
    priority = ChoiceListFilter(
        choices=Priority.choices, help_text="Any of these priorities (repeated or a comma list)."
    )
    category = ChoiceListFilter(
        choices=Category.choices, help_text="Any of these categories (repeated or a comma list)."
    )
    queue = django_filters.ModelChoiceFilter(
        queryset=Queue.objects.all(),
        to_field_name="slug",
        help_text="Agents only: the queue's slug; an unknown slug is a 400.",
    )
    assignee = django_filters.CharFilter(
        method="filter_assignee",
        help_text="Agents only: a user id, `me` or `none` (unassigned).",
    )
    created_after = UTCDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Created at or after this ISO 8601 date-time.",
    )
    created_before = UTCDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Created before this date-time."
    )
    updated_after = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Changed at or after this date-time.",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Search the subject, description, reference (HD-000123) and transaction ids.",
    )

    def filter_queryset(self, queryset):
        if not is_agent(self.request.user):
            used = [name for name in self.AGENT_ONLY if name in self.data]
            if used:
                message = _("Only agents may filter on this.")
                raise ValidationError({name: [message] for name in used})
        return super().filter_queryset(queryset)

    def filter_assignee(self, qs, name, value):
        value = value.strip().lower()
        if value == "me":
            return qs.filter(assignee=self.request.user)
        if value == "none":
            return qs.filter(assignee__isnull=True)
        if value.isdecimal():
            return qs.filter(assignee_id=int(value))
        raise ValidationError({"assignee": [_("Use a user id, `me` or `none`.")]})

    def filter_q(self, qs, name, value):
        return ticket_search(qs, value)
