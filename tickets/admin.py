"""The agents' desk (SPEC §8): the ticket list, bulk actions and the ticket page.

Every change goes through tickets/services.py, as the API's do, so each writes its history
and raises its notifications; the admin never saves a Ticket itself. The list is built to
stay fast at a million tickets: one query for the rows (select_related), an ordering and
filters that the desk index serves (tickets/migrations/0003), searches that use indexes,
and no full COUNT (helpdesk/paginator.py).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import agents, is_agent
from helpdesk.paginator import EstimatedCountPaginator

from . import macros, selectors, services
from .admin_forms import (
    BulkPriorityForm,
    BulkQueueForm,
    BulkStatusForm,
    TicketDeskForm,
    error_text,
)
from .admin_inlines import AttachmentInline, EventInline, HistoryInline, attachment_url, person
from .attachments import atomic_with_files
from .errors import DomainError
from .models import (
    AGENT_FIELDS,
    REQUESTER_FIELDS,
    Flag,
    Macro,
    Queue,
    Status,
    Ticket,
    reference_for,
)
from .models import UNSOLVED as UNSOLVED_STATUSES
from .templatetags.user_text import user_text
from .textnorm import neutralize_bidi

admin.site.site_header = _("Helpdesk — agents' desk")
admin.site.site_title = _("Helpdesk")
admin.site.index_title = _("Support desk")
admin.site.enable_nav_sidebar = False  # the ticket list needs the width more

# The requester's details as the ticket page shows them (transaction ids one per line).
DETAILS = [
    "transaction_id_list" if name == "transaction_ids" else name for name in REQUESTER_FIELDS
]
# A bulk action makes one service call per ticket; "select all" over a million is refused.
BULK_LIMIT = 500
UNSOLVED = "unsolved"
# Where the ticket page's template puts a fieldset (see get_fieldsets).
MAIN, REPLY, SIDE = "desk-main", "desk-reply", "desk-side"


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(UNSOLVED, _("Unsolved (not resolved or closed)")), *Status.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == UNSOLVED:
            return selectors.tickets_in_status(queryset, UNSOLVED_STATUSES)
        if value in Status.values:
            return selectors.tickets_in_status(queryset, [value])
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        staff = agents().order_by("username").values_list("pk", "username")
        return [
            ("me", _("Assigned to me")),
            ("none", _("Unassigned")),
            *((str(pk), username) for pk, username in staff),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdecimal():
            return queryset.filter(assignee_id=int(value))
        return queryset


class QueueFilter(admin.RelatedFieldListFilter):
    """The queues, and "No queue" for tickets without one (not Django's bare "-")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = _("No queue")


class DeskChangeList(ChangeList):
    """The list, its conversation columns ("waiting since", "last reply by") read for the
    page's rows once the page is known (tickets.selectors.with_conversation)."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = selectors.with_conversation(list(self.result_list))


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    # The list
    list_display = (
        "reference",
        "subject_shown",
        "requester_link",
        "status_display",
        "priority_display",
        "category",
        "queue",
        "assignee",
        "waiting",
        "last_reply",
        "updated",
    )
    list_display_links = ("reference", "subject_shown")
    list_filter = (
        StatusFilter,
        "priority",
        "category",
        ("queue", QueueFilter),
        AssigneeFilter,
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("requester", "assignee", "queue")
    list_per_page = 50
    list_max_show_all = 200
    search_fields = ("subject",)  # shows the box; get_search_results decides what it does
    search_help_text = _(
        "A reference (HD-000123), a transaction or order id, a requester's email (or its "
        "start) or username, or words of the subject."
    )
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["assign_to_me", "unassign", "set_status", "set_priority", "move_to_queue"]

    # The ticket page
    form = TicketDeskForm
    inlines = [HistoryInline, AttachmentInline, EventInline]
    readonly_fields = (
        "reference",
        "subject_shown",
        "requester_link",
        "status_display",
        "channel",
        "flag_list",
        "follow_up_link",
        *DETAILS,
        "created_at",
        "updated_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "version",
    )
    save_on_top = True

    # --- permissions: agents only; no adding or deleting; a closed ticket is read-only ---

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and is_agent(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == Status.CLOSED:
            return False
        return super().has_change_permission(request, obj) and is_agent(request.user)

    def has_transition_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and request.user.has_perm(
            "tickets.transition_ticket"
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- the list ---

    def get_changelist(self, request, **kwargs):
        return DeskChangeList

    def get_ordering(self, request):
        return selectors.DESK_ORDERING

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Tickets"), **(extra_context or {})})

    def get_search_results(self, request, queryset, search_term):
        return selectors.ticket_desk_search(queryset, search_term), False

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, ticket):
        return ticket.reference

    @admin.display(description=_("subject"), ordering="subject")
    def subject_shown(self, ticket):
        # One line in the list (CSS cuts it); the whole subject on hover. Bidi controls
        # shown as escapes, the text isolated from the columns around it.
        return format_html(
            '<span title="{}">{}</span>', neutralize_bidi(ticket.subject), user_text(ticket.subject)
        )

    @admin.display(description=_("status"), ordering=selectors.STATUS_RANK)
    def status_display(self, ticket):
        return format_html(
            '<span class="desk-badge status-{}">{}</span>',
            ticket.status,
            ticket.get_status_display(),
        )

    @admin.display(description=_("waiting since"))
    def waiting(self, ticket):
        since = selectors.waiting_since(ticket)
        if since is None:
            return "—"
        return format_html(
            '<span title="{}">{}</span>',
            timezone.localtime(since).strftime("%Y-%m-%d %H:%M"),
            timesince(since, depth=1),
        )

    @admin.display(description=_("last reply by"))
    def last_reply(self, ticket):
        if ticket.last_reply_by is None:
            return "—"
        if ticket.last_reply_by == ticket.requester.username:
            return _("requester")
        return ticket.last_reply_by

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated(self, ticket):
        local = timezone.localtime(ticket.updated_at)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            local.isoformat(),
            local.strftime("%Y-%m-%d %H:%M:%S %Z"),
            local.strftime("%m-%d %H:%M"),
        )

    @admin.display(description=_("requester"), ordering="requester__username")
    def requester_link(self, ticket):
        user = ticket.requester
        query = urlencode({"requester__id__exact": user.pk})
        url = f"{reverse('admin:tickets_ticket_changelist')}?{query}"
        return format_html(
            '<a href="{}" title="{}">{}</a>', url, _("All tickets of %s") % user.email, user
        )

    @admin.display(description=_("priority"), ordering=selectors.PRIORITY_RANK)
    def priority_display(self, ticket):
        return format_html(
            '<span class="desk-badge priority-{}">{}</span>',
            ticket.priority,
            ticket.get_priority_display(),
        )

    @admin.display(description=_("flags"))
    def flag_list(self, ticket):
        labels = dict(Flag.choices)
        return ", ".join(str(labels.get(flag, flag)) for flag in ticket.flags) or "-"

    @admin.display(description=_("follow-up of"))
    def follow_up_link(self, ticket):
        if ticket.follow_up_of_id is None:
            return "-"
        url = reverse("admin:tickets_ticket_change", args=[ticket.follow_up_of_id])
        return format_html('<a href="{}">{}</a>', url, reference_for(ticket.follow_up_of_id))

    @admin.display(description=_("transaction ids"))
    def transaction_id_list(self, ticket):
        return format_html_join(mark_safe("<br>"), "{}", ((tx,) for tx in ticket.transaction_ids))

    # --- the ticket page ---

    def get_fieldsets(self, request, obj=None):
        # The page's template (admin/tickets/ticket/change_form.html) lays the fieldsets out
        # by class: the ticket, its conversation and the reply box in the main column, the
        # desk's fields and the requester's details beside them. An emailed ticket's flags
        # and the closed ticket it follows up are shown with the ticket when it has them.
        mail_fields = []
        if obj is not None and obj.flags:
            mail_fields.append("flag_list")
        if obj is not None and obj.follow_up_of_id is not None:
            mail_fields.append("follow_up_link")
        fieldsets = [
            (
                None,
                {
                    "fields": [
                        ("reference", "status_display"),
                        "subject_shown",
                        "requester_link",
                        *mail_fields,
                    ],
                    "classes": [MAIN],
                },
            ),
        ]
        if obj is not None and self.has_change_permission(request, obj):
            fields = ["reply", "internal", "attachments"]
            if self.has_transition_permission(request, obj):
                fields += ["to_status", "reason"]
            fieldsets.append(
                (
                    _("Reply, note and status"),
                    {"fields": [*fields, "expected_version"], "classes": [REPLY]},
                )
            )
        fieldsets += [
            (
                _("Desk"),
                {
                    "fields": ["priority", "category", "queue", "assignee", "tags"],
                    "classes": [SIDE],
                },
            ),
            (
                _("Details from the requester"),
                {"fields": ["channel", *DETAILS], "classes": [SIDE]},
            ),
            (
                _("Timeline"),
                {
                    "fields": [
                        "created_at",
                        "updated_at",
                        "first_response_at",
                        "resolved_at",
                        "closed_at",
                        "version",
                    ],
                    "classes": [SIDE, "collapse"],
                },
            ),
        ]
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        form.shown = frozenset(flatten_fieldsets(self.get_fieldsets(request, obj)))
        return form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if ticket is not None:
            context.setdefault("title", neutralize_bidi(f"{ticket.reference} · {ticket.subject}"))
            context.setdefault("subtitle", None)
            context["conversation"] = [
                {
                    "message": message,
                    "author": person(message.author),
                    "by_requester": message.author_id == ticket.requester_id,
                    "files": [(attachment_url(a), a.filename) for a in message.attachments.all()],
                }
                for message in selectors.messages_for(request.user, ticket)
            ]
            context["ticket"] = ticket
            context["requester_name"] = person(ticket.requester)
            if self.has_change_permission(request, ticket):
                context["macros"] = Macro.objects.values_list("pk", "name")
        return super().change_view(request, object_id, form_url, context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Files written by a save that fails later are deleted with its rollback; a refusal
        # the form could not foresee (a race) is shown rather than a server error.
        try:
            with atomic_with_files():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, error_text(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """The form's changes, through the services: the agent fields, then the reply or
        note (with the status change, if any, in the same step), or the status change."""
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in AGENT_FIELDS}
        ticket = obj
        if data:
            ticket = services.ticket_update(
                ticket=obj,
                actor=request.user,
                data=data,
                expected_version=form.cleaned_data.get("expected_version"),
            )
        reply = (form.cleaned_data.get("reply") or "").strip()
        target = form.cleaned_data.get("to_status") or None
        reason = (form.cleaned_data.get("reason") or "").strip()
        if reply:
            services.message_add(
                ticket=ticket,
                author=request.user,
                body=reply,
                internal=bool(form.cleaned_data.get("internal")),
                status=target,
                reason=reason,
                files=form.cleaned_data.get("attachments") or [],
            )
        elif target:
            services.ticket_transition(ticket=ticket, to=target, actor=request.user, reason=reason)

    # --- macros: a preview of what one does to this ticket, then Apply ---

    def get_urls(self):
        view = self.admin_site.admin_view(self.macro_view)
        return [
            path("<path:object_id>/macro/", view, name="tickets_ticket_macro"),
            *super().get_urls(),
        ]

    def macro_view(self, request, object_id):
        """GET ?macro=<id>: what the macro would write and change; POST: apply it (through
        tickets.macros.macro_apply) and go back to the ticket."""
        ticket = self.get_object(request, object_id)
        if ticket is None:
            raise Http404
        if not self.has_change_permission(request, ticket):
            raise PermissionDenied
        params = request.POST if request.method == "POST" else request.GET
        macro = Macro.objects.filter(pk=params.get("macro") or None).first()
        ticket_url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
        if macro is None:
            self.message_user(request, _("Choose a macro first."), messages.WARNING)
            return HttpResponseRedirect(ticket_url)
        if request.method == "POST":
            try:
                macros.macro_apply(macro=macro, ticket=ticket, actor=request.user)
            except DomainError as error:
                self.message_user(request, error_text(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Applied the macro “%(name)s”.") % {"name": macro.name},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(ticket_url)
        preview = macros.macro_preview(macro=macro, ticket=ticket, actor=request.user)
        changes = [
            (Ticket._meta.get_field(name).verbose_name, value)
            for name, value in preview.changes.items()
        ]
        if macro.status and macro.status != ticket.status:
            changes.append((_("status"), Status(macro.status).label))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Apply “%(name)s” to %(reference)s")
            % {"name": macro.name, "reference": ticket.reference},
            "opts": self.model._meta,
            "ticket": ticket,
            "ticket_url": ticket_url,
            "macro": macro,
            "preview": preview,
            "changes": [
                (label, ", ".join(map(str, v)) if isinstance(v, list) else v)
                for label, v in changes
            ],
        }
        return TemplateResponse(request, "admin/tickets/ticket/macro_preview.html", context)

    def save_formset(self, request, form, formset, change):
        pass  # every inline is read-only

    def construct_change_message(self, request, form, formsets, add=False):
        data = form.cleaned_data
        parts = [name for name in form.changed_data if name in AGENT_FIELDS]
        summary = [f"Changed {', '.join(parts)}."] if parts else []
        if (data.get("reply") or "").strip():
            summary.append("Added an internal note." if data.get("internal") else "Replied.")
        if data.get("to_status"):
            summary.append(f"Status to {data['to_status']}.")
        return " ".join(summary) or "No changes."

    # --- bulk actions: one service call per ticket; refusals are reported per ticket ---

    def _bulk(self, request, queryset, step, done, **params) -> None:
        """`step(ticket)` for each selected ticket; `done(count)` is the success message."""
        tickets = list(queryset.order_by("pk")[: BULK_LIMIT + 1])
        if len(tickets) > BULK_LIMIT:
            self.message_user(
                request,
                _("Select at most %(limit)d tickets for a bulk action.") % {"limit": BULK_LIMIT},
                messages.ERROR,
            )
            return
        succeeded = 0
        for ticket in tickets:
            try:
                step(ticket)
            except DomainError as error:
                self.message_user(
                    request, f"{ticket.reference}: {error_text(error)}", messages.ERROR
                )
            else:
                succeeded += 1
        if succeeded:
            self.message_user(
                request, done(succeeded) % {"count": succeeded, **params}, messages.SUCCESS
            )

    def _bulk_update(self, request, queryset, data: dict, done, **params) -> None:
        def step(ticket):
            services.ticket_update(ticket=ticket, actor=request.user, data=data)

        self._bulk(request, queryset, step, done, **params)

    def _ask(self, request, queryset, form_class, title: str):
        """The intermediate page of an action that needs input; a valid form when answered."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            return form, None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "tickets": queryset.order_by("pk")[:20],
            "action": request.POST.get("action", ""),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return None, TemplateResponse(request, "admin/tickets/ticket/bulk_action.html", context)

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        def done(count):
            return ngettext(
                "Assigned %(count)d ticket to you.", "Assigned %(count)d tickets to you.", count
            )

        self._bulk_update(request, queryset, {"assignee": request.user}, done)

    @admin.action(description=_("Unassign"), permissions=["change"])
    def unassign(self, request, queryset):
        def done(count):
            return ngettext("Unassigned %(count)d ticket.", "Unassigned %(count)d tickets.", count)

        self._bulk_update(request, queryset, {"assignee": None}, done)

    @admin.action(description=_("Set status…"), permissions=["transition"])
    def set_status(self, request, queryset):
        form, page = self._ask(request, queryset, BulkStatusForm, _("Set the status"))
        if page:
            return page
        to, reason = form.cleaned_data["to"], form.cleaned_data["reason"].strip()

        def step(ticket):
            services.ticket_transition(ticket=ticket, to=to, actor=request.user, reason=reason)

        def done(count):
            return ngettext(
                "Moved %(count)d ticket to %(status)s.",
                "Moved %(count)d tickets to %(status)s.",
                count,
            )

        self._bulk(request, queryset, step, done, status=Status(to).label)

    @admin.action(description=_("Set priority…"), permissions=["change"])
    def set_priority(self, request, queryset):
        form, page = self._ask(request, queryset, BulkPriorityForm, _("Set the priority"))
        if page:
            return page

        def done(count):
            return ngettext(
                "Set the priority of %(count)d ticket.",
                "Set the priority of %(count)d tickets.",
                count,
            )

        self._bulk_update(request, queryset, {"priority": form.cleaned_data["priority"]}, done)

    @admin.action(description=_("Move to queue…"), permissions=["change"])
    def move_to_queue(self, request, queryset):
        form, page = self._ask(request, queryset, BulkQueueForm, _("Move to a queue"))
        if page:
            return page
        queue = form.cleaned_data["queue"]

        def done(count):
            return ngettext(
                "Moved %(count)d ticket to %(queue)s.",
                "Moved %(count)d tickets to %(queue)s.",
                count,
            )

        self._bulk_update(request, queryset, {"queue": queue}, done, queue=queue)


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """Supervisors manage macros; agents may look (accounts.roles.PERMISSIONS)."""

    list_display = ("name", "internal", "status", "priority", "queue", "updated_at")
    list_filter = ("internal", "status")
    search_fields = ("name",)
    fieldsets = [
        (None, {"fields": ["name", "internal"]}),
        (
            _("Text"),
            {
                "fields": ["body_en", "body_zh_hans"],
                "description": _(
                    "Placeholders: {requester_name}, {reference}, {agent_name}. The requester "
                    "gets the text in their language (English when that one is empty)."
                ),
            },
        ),
        (
            _("Steps"),
            {"fields": ["status", "reason", "priority", "queue", "add_tags", "remove_tags"]},
        ),
    ]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "default_for")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")
