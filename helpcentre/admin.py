"""The help centre in the admin, for supervisors: articles and FAQ (with a preview of the
rendered text), announcements, and the solved tickets to draft articles from. Writes go
through helpcentre.services, as the API's do."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.errors import DomainError
from tickets.models import SOLVED
from tickets.templatetags.user_text import user_text

from . import services, text
from .models import Announcement, Article, SolvedTicket

ARTICLE_FIELDS = [name for name in services.ARTICLE_FIELDS]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_en", "title_zh_hans", "kind", "category", "state", "updated_at")
    list_filter = ("state", "kind", "category")
    search_fields = ("slug", "title_en", "title_zh_hans")
    prepopulated_fields = {"slug": ("title_en",)}
    readonly_fields = ("preview_en", "preview_zh_hans", "published_at", "updated_at")
    fieldsets = [
        (None, {"fields": ["slug", "kind", "category", "state"]}),
        (_("English"), {"fields": ["title_en", "body_en", "preview_en"]}),
        (_("Simplified Chinese"), {"fields": ["title_zh_hans", "body_zh_hans", "preview_zh_hans"]}),
        (_("Dates"), {"fields": ["published_at", "updated_at"]}),
    ]

    @admin.display(description=_("as readers see it"))
    def preview_en(self, article):
        return format_html('<div class="help-article">{}</div>', _html(article.body_en))

    @admin.display(description=_("as readers see it"))
    def preview_zh_hans(self, article):
        return format_html('<div class="help-article">{}</div>', _html(article.body_zh_hans))

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in ARTICLE_FIELDS if name in form.cleaned_data
        }
        saved = services.article_save(article=obj if change else None, data=data)
        obj.pk = saved.pk


def _html(markdown: str):
    from django.utils.safestring import mark_safe

    # Sanitised by nh3 (helpcentre.text.render_markdown): safe to put in the page.
    return mark_safe(text.render_markdown(markdown))  # noqa: S308


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("title_en", "title_zh_hans", "pinned", "published_at", "expires_at")
    list_filter = ("pinned",)
    fields = [
        "title_en",
        "body_en",
        "title_zh_hans",
        "body_zh_hans",
        "published_at",
        "expires_at",
        "pinned",
    ]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.ANNOUNCEMENT_FIELDS}
        saved = services.announcement_save(announcement=obj if change else None, data=data)
        obj.pk = saved.pk


@admin.register(SolvedTicket)
class SolvedTicketAdmin(admin.ModelAdmin):
    """Solved tickets, newest first, to turn the answers into articles."""

    list_display = ("reference", "subject_shown", "category", "resolved_at")
    list_filter = ("category",)
    search_fields = ("subject",)
    actions = ["draft_article"]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(status__in=list(SOLVED)).order_by("-resolved_at")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, ticket):
        return ticket.reference

    @admin.display(description=_("subject"), ordering="subject")
    def subject_shown(self, ticket):
        return user_text(ticket.subject)  # bidi controls as escapes, as on the desk

    @admin.action(description=_("Draft a help article from each"), permissions=["view"])
    def draft_article(self, request, queryset):
        drafted = 0
        for ticket in queryset.select_related("requester")[:50]:
            try:
                services.article_draft_from_ticket(ticket=ticket)
            except DomainError as error:
                self.message_user(
                    request,
                    f"{ticket.reference}: {error.detail} {error.extra.get('errors', '')}",
                    messages.ERROR,
                )
            else:
                drafted += 1
        if drafted:
            self.message_user(
                request,
                ngettext(
                    "Drafted %(count)d article: edit and publish it under Articles.",
                    "Drafted %(count)d articles: edit and publish them under Articles.",
                    drafted,
                )
                % {"count": drafted},
                messages.SUCCESS,
            )
