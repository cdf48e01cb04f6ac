"""User text on the desk's pages (issue #13): bidi controls shown as escapes ("[U+202E]"), and
the text isolated, so that a right-to-left override in a subject cannot reorder the columns
of the ticket list or the words around it. Right-to-left text still reads right to left.

    {% load user_text %}{{ ticket.subject|user_text }}

A long text (a description, a message) goes in a block of its own whose direction its
content sets, its line breaks kept by the page's CSS: `<div class="body" dir="auto">`
(admin/tickets/ticket/conversation.html).
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..textnorm import neutralize_bidi

register = template.Library()


@register.filter
def user_text(value) -> SafeString:
    """User text (a subject, a reason, a message), isolated in <bdi>."""
    return format_html("<bdi>{}</bdi>", neutralize_bidi("" if value is None else str(value)))
