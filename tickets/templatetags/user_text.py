"""User text on the desk's pages (issue #13): bidi controls shown as escapes ("[U+202E]"), and
the text isolated, so that a right-to-left override in a subject cannot reorder the columns
of the ticket list or the words around it. Right-to-left text still reads right to left.

    {% load user_text %}{{ ticket.subject|user_text }}
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..textnorm import neutralize_bidi

register = template.Library()


@register.filter
def user_text(value) -> SafeString:
    """A line of user text (a subject, a reason), isolated in <bdi>."""
    return format_html("<bdi>{}</bdi>", neutralize_bidi("" if value is None else str(value)))


def user_block(value) -> SafeString:
    """A long user text (a description, a message): a block whose direction its own content
    sets, with its line breaks kept."""
    return format_html(
        '<div dir="auto" style="white-space:pre-wrap;max-width:60em">{}</div>',
        neutralize_bidi("" if value is None else str(value)),
    )
