"""Macros (SPEC §12): canned answers with the steps that go with them.

A macro is applied through the ticket services in one transaction: the desk's fields
(priority, queue, tags) with `ticket_update`, then the reply or note with `message_add`,
which takes the status change in the same step (one message, one history row, the usual
notifications), or `ticket_transition` when the macro has no text. The reply is the one
in the requester's language, its placeholders filled in.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from notifications.models import Language
from notifications.services import preferences_for

from . import services
from .errors import InvalidField
from .models import Macro, Ticket

# The placeholders a macro's text may hold, and what each becomes.
PLACEHOLDERS = {
    "requester_name": lambda ticket, agent: _display_name(ticket.requester),
    "reference": lambda ticket, agent: ticket.reference,
    "agent_name": lambda ticket, agent: _display_name(agent),
}
PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
# The body field of each language, in order of preference when the requester's is empty.
BODY_FIELDS = {Language.EN: "body_en", Language.ZH_HANS: "body_zh_hans"}


def _display_name(user) -> str:
    return user.get_full_name() or user.username


def validate_placeholders(text: str) -> None:
    """A model validator: every `{name}` in the text is a known placeholder."""
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(unknown)s. Use %(known)s.")
            % {
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
            code="placeholder",
        )


def macro_body(macro: Macro, language: str) -> str:
    """The macro's text in `language`, else in the first language that has one."""
    preferred = [BODY_FIELDS.get(language, BODY_FIELDS[Language.EN]), *BODY_FIELDS.values()]
    for field in preferred:
        text = getattr(macro, field)
        if text.strip():
            return text
    return ""


@dataclass(frozen=True)
class Preview:
    """What applying a macro to a ticket would do, as the desk shows it before."""

    body: str
    language: str
    internal: bool
    changes: dict


def macro_preview(*, macro: Macro, ticket: Ticket, actor) -> Preview:
    language = preferences_for(ticket.requester).language
    body = PLACEHOLDER_RE.sub(
        lambda match: (
            PLACEHOLDERS[match.group(1)](ticket, actor)
            if match.group(1) in PLACEHOLDERS
            else match.group(0)
        ),
        macro_body(macro, language),
    ).strip()
    return Preview(
        body=body, language=language, internal=macro.internal, changes=_changes(macro, ticket)
    )


def _changes(macro: Macro, ticket: Ticket) -> dict:
    """The desk's fields the macro changes on this ticket (only those that differ)."""
    changes: dict = {}
    if macro.priority and macro.priority != ticket.priority:
        changes["priority"] = macro.priority
    if macro.queue_id and macro.queue_id != ticket.queue_id:
        changes["queue"] = macro.queue
    tags = [tag for tag in ticket.tags if tag not in macro.remove_tags]
    tags += [tag for tag in macro.add_tags if tag not in tags]
    if tags != list(ticket.tags):
        changes["tags"] = tags
    return changes


def macro_apply(*, macro: Macro, ticket: Ticket, actor) -> Ticket:
    """Apply `macro` to `ticket` as `actor`, all or nothing (refusals raise and write
    nothing): its field changes, its reply or note with its status change, or the status
    change alone."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        preview = macro_preview(macro=macro, ticket=ticket, actor=actor)
        if preview.changes:
            ticket = services.ticket_update(ticket=ticket, actor=actor, data=preview.changes)
        status = macro.status if macro.status and macro.status != ticket.status else None
        if preview.body:
            services.message_add(
                ticket=ticket,
                author=actor,
                body=preview.body,
                internal=macro.internal,
                status=status,
                reason=macro.reason,
            )
        elif status:
            services.ticket_transition(ticket=ticket, to=status, actor=actor, reason=macro.reason)
    return Ticket.objects.get(pk=ticket.pk)


# --- managing macros (supervisors): the API's writes ---------------------------------------

MACRO_FIELDS = (
    "name",
    "body_en",
    "body_zh_hans",
    "internal",
    "status",
    "reason",
    "priority",
    "queue",
    "add_tags",
    "remove_tags",
)


@transaction.atomic
def macro_save(*, macro: Macro | None = None, data: dict) -> Macro:
    """Create a macro (`macro` None) or change the given fields of one, checked as the
    model checks them (placeholders, choices, lengths)."""
    unknown = set(data) - set(MACRO_FIELDS)
    if unknown:
        raise TypeError(f"Unknown macro fields: {sorted(unknown)}")
    macro = macro or Macro()
    for name, value in data.items():
        setattr(macro, name, value)
    services.refuse_secrets(
        body_en=macro.body_en, body_zh_hans=macro.body_zh_hans, reason=macro.reason
    )
    try:
        macro.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidField(field, " ".join(messages)) from None
    macro.save()
    return macro


@transaction.atomic
def macro_delete(*, macro: Macro) -> None:
    macro.delete()
