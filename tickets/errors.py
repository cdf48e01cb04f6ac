"""Domain errors raised by services. helpdesk/errors.py renders them in the API's shape."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """An expected refusal: `code` is stable and machine-readable, `status` the HTTP one."""

    code = "domain_error"
    status = 400
    default_detail = _("The request cannot be carried out.")

    def __init__(self, detail: str | None = None, **extra) -> None:
        self.detail = str(detail or self.default_detail)
        self.extra = extra
        super().__init__(self.detail)


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    default_detail = _("This status change is not allowed.")


class TransitionForbidden(DomainError):
    code = "permission_denied"
    status = 403
    default_detail = _("You may not make this status change.")


class ReasonRequired(DomainError):
    code = "validation_error"
    status = 400
    default_detail = _("A reason is required for this step.")


class VersionConflict(DomainError):
    code = "version_conflict"
    status = 412
    default_detail = _("The ticket has changed since you read it. Reload it and try again.")


class TicketClosed(DomainError):
    code = "ticket_closed"
    status = 409
    default_detail = _("The ticket is closed; nothing can be added to it.")


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    status = 422
    default_detail = _("This Idempotency-Key was already used with a different request.")


class InvalidField(DomainError):
    """A value a service refuses for one field (e.g. an assignee who is not an agent)."""

    code = "validation_error"
    status = 400
    default_detail = _("Invalid input.")

    def __init__(self, field: str, message: str) -> None:
        super().__init__(_("Invalid input."), errors={field: [str(message)]})


class FileTooLarge(DomainError):
    code = "file_too_large"
    status = 413
    default_detail = _("The file is too large.")


class UnsupportedFileType(DomainError):
    code = "unsupported_media_type"
    status = 415
    default_detail = _("This type of file is not accepted.")


class SensitiveData(DomainError):
    """A password, seed phrase or private key in something the user sent. The secret is
    never echoed: the error names the field and the kind only."""

    code = "sensitive_data"
    status = 400
    default_detail = _(
        "This looks like a password, seed phrase or private key. Support never needs them: "
        "remove it and send again, and if you shared it with anyone, move your funds."
    )

    def __init__(self, field: str, kind: str) -> None:
        super().__init__(None, field=field, kind=kind, errors={field: [str(self.default_detail)]})
