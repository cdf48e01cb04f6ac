"""Forms of the agents' desk (tickets/admin.py): the ticket page and the bulk actions.

They check what can be checked before anything is written (the lifecycle table, a missing
reason, the files' types, a stale page) so that a refusal keeps what the agent typed; the
writes themselves are the services' (tickets/services.py), called by the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import agents, role_for

from . import services, transitions
from .attachments import check_files
from .errors import DomainError, SensitiveData
from .models import Priority, Queue, Status, Ticket
from .selectors import previous_text_of

REPLY_MAX_CHARS = 20_000
REASON_MAX_CHARS = 2_000


def error_text(error: DomainError) -> str:
    """A service's refusal as one line: its detail, then any per-field messages."""
    fields = error.extra.get("errors") or {}
    details = [f"{name}: {' '.join(map(str, messages))}" for name, messages in fields.items()]
    return " ".join([error.detail, *details]) if details else error.detail


class TagsField(forms.CharField):
    """Tags as the comma-separated text an agent types; a list of unique tags in Python."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value) -> list[str]:
        tags: list[str] = []
        for part in (super().to_python(value) or "").split(","):
            tag = part.strip()
            if tag and tag not in tags:
                tags.append(tag[:50])
        return tags

    def has_changed(self, initial, data) -> bool:
        return self.to_python(self.prepare_value(initial or [])) != self.to_python(data)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class TicketDeskForm(forms.ModelForm):
    """The ticket page: the agent fields, plus a reply or internal note (with files) and a
    status change with its reason. `actor` is set on the class by the admin's get_form()."""

    actor = None
    # The names the page shows (set by get_form()); declared fields not among them are
    # dropped, so that nobody can post, say, a status change the page did not offer.
    shown: frozenset[str] | None = None

    tags = TagsField(
        required=False, help_text=_("Comma-separated, e.g. vip, chargeback."), label=_("Tags")
    )
    reply = forms.CharField(
        label=_("Reply or note"),
        required=False,
        max_length=REPLY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_(
            "A public reply is emailed to the requester; the first one opens a new ticket."
        ),
    )
    internal = forms.BooleanField(
        label=_("Internal note"),
        required=False,
        help_text=_(
            "Only agents see the note. A status change made with it is shown to the "
            "requester without its reason."
        ),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Images, PDF, text, CSV, JSON or ZIP; sent with the reply or note."),
    )
    to_status = forms.ChoiceField(label=_("Change status to"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=_(
            "Shown to the requester in the status history and the notification, unless "
            "“Internal note” is ticked: then only agents see it. Required to close a ticket "
            "that is not resolved."
        ),
    )
    # The version the agent saw: saving over someone else's change is refused.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Ticket
        fields = ["priority", "category", "queue", "assignee", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.shown is not None:
            for name in set(self.declared_fields) - self.shown:
                self.fields.pop(name, None)
        ticket = self.instance
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = agents().order_by("username")
        if "to_status" in self.fields:
            targets = services.ticket_allowed_targets(ticket, self.actor) if ticket.pk else []
            self.fields["to_status"].choices = [
                ("", _("— keep %(status)s —") % {"status": ticket.get_status_display()}),
                *((target, Status(target).label) for target in targets),
            ]
        if "expected_version" in self.fields:
            self.fields["expected_version"].initial = ticket.version

    def clean(self):
        data = super().clean()
        version = data.get("expected_version")
        if version is not None and version != self.instance.version:
            raise forms.ValidationError(
                _(
                    "Someone changed this ticket after you opened it. Copy what you wrote, "
                    "reload the page and try again."
                ),
                code="stale",
            )
        reply = (data.get("reply") or "").strip()
        files = data.get("attachments") or []
        if files and not reply:
            self.add_error("reply", _("Write the reply or note that the files go with."))
        texts = {
            name: data.get(name) for name in ("reply", "reason", "tags") if name in self.fields
        }
        try:
            services.refuse_invisible(reply=texts.get("reply"), reason=texts.get("reason"))
            previous = previous_text_of(ticket=self.instance, author=self.actor) if reply else ""
            services.refuse_secrets(**texts, previous=previous, files=files)
        except DomainError as error:
            for name, messages in error.extra["errors"].items():
                self.add_error(name, messages)
        if files and "attachments" not in self.errors:
            try:
                services.refuse_secrets_in_files(check_files(files))
            except SensitiveData as error:
                self.add_error("attachments", error.detail)
            except DomainError as error:
                self.add_error("attachments", error_text(error))
        target = data.get("to_status")
        role = role_for(self.actor)
        if (
            target
            and transitions.reason_required(self.instance.status, target, role)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("A reason is required for this step."))
        return data


class BulkStatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Written to each ticket's history and shown to its requester. Closing a ticket "
            "that is not resolved needs one."
        ),
    )


class BulkPriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class BulkQueueForm(forms.Form):
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=Queue.objects.all())
