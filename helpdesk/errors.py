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
