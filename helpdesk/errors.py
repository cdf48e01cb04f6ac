"""One error shape for the whole API: {"code", "detail", "errors"?, ...}.

`code` is stable and machine-readable; `detail` is for people, in their language.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tickets.errors import DomainError

# Every code an error body may carry, by HTTP status (SPEC §4), with what it means. The
# OpenAPI schema types each status's body with its codes (helpdesk/openapi.py); a test
# checks that every DomainError and every code this module answers is listed.
CODES: dict[int, dict[str, str]] = {
    400: {
        "validation_error": "the body or the query string is not what this operation "
        "takes (see `errors`)",
        "parse_error": "the body is not valid JSON (or not a multipart body)",
        "sensitive_data": "a password, seed phrase or private key (see `field`, `kind`)",
        "bad_request": "the request is malformed",
    },
    401: {
        "not_authenticated": "no credentials",
        "authentication_failed": "a wrong or expired token, or a wrong password",
    },
    403: {"permission_denied": "the caller's role may not do this (or no CSRF token)"},
    404: {"not_found": "no such resource, or not one the caller may see"},
    405: {"method_not_allowed": "the path does not take this method"},
    406: {"not_acceptable": "no answer of the type `Accept` asks for"},
    409: {
        "invalid_transition": "the lifecycle does not allow this step (see `allowed`)",
        "ticket_closed": "the ticket is closed; nothing changes any more",
    },
    412: {"version_conflict": "`If-Match` names an old version (see `version`)"},
    413: {
        "request_too_large": "the body is larger than the API takes",
        "file_too_large": "a file, or the multipart body, is too large",
    },
    415: {
        "unsupported_media_type": "the body's Content-Type is not one the operation "
        "takes, or a file is of a type that is refused"
    },
    422: {"idempotency_conflict": "the Idempotency-Key was used with another body"},
    429: {
        "throttled": "too many requests: wait `Retry-After` seconds",
        "login_locked": "the account is locked after too many failed logins, whatever the "
        "address: wait `Retry-After` seconds",
    },
    500: {"server_error": "a fault on our side"},
}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": exc.detail, **exc.extra}, status=exc.status)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's handler500 answers in the same shape

    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "validation_error",
            "detail": _("Invalid input."),
            "errors": _field_errors(exc.detail),
        }
        return response

    data = response.data if isinstance(response.data, dict) else {}
    detail = str(data.get("detail", ""))
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    else:  # Django's Http404 / PermissionDenied, converted by DRF
        code = "not_found" if response.status_code == 404 else "permission_denied"
        # Django's own text ("No Ticket matches the given query.") is English whatever the
        # caller's language, and names our models: use DRF's translated message instead.
        refusal = exceptions.NotFound if code == "not_found" else exceptions.PermissionDenied
        detail = str(refusal.default_detail)
    response.data = {"code": code, "detail": detail, **_extra(exc)}
    return response


def _extra(exc) -> dict:
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        return {"retry_after": int(exc.wait + 0.999)}
    return {}


def _field_errors(detail) -> dict:
    """DRF's nested error detail -> {field: [messages]}; nested fields use dotted names."""
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in _flatten(detail)]}
    errors: dict[str, list[str]] = {}
    for field, value in detail.items():
        if isinstance(value, dict):
            for sub, messages in _field_errors(value).items():
                errors[f"{field}.{sub}"] = messages
        else:
            errors[str(field)] = [str(item) for item in _flatten(value)]
    return errors


def _flatten(value):
    if isinstance(value, list | tuple):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    else:
        yield value


# Django-level handlers (urls.py): JSON under the API, Django's own pages elsewhere (admin).


def _is_api(request) -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        body = {"code": "server_error", "detail": _("Something went wrong on our side.")}
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "bad_request", "detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        body = {"code": "permission_denied", "detail": _("Permission denied.")}
        return JsonResponse(body, status=403)
    return defaults.permission_denied(request, exception)
