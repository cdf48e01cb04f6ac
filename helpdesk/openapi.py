"""The OpenAPI schema's account of errors (a drf-spectacular POSTPROCESSING_HOOKS entry).

Views declare the errors of their own logic (409 invalid_transition, 412 ...). Some
answers come from machinery every view shares, and are added here to each operation
they can happen to: the throttles (429), authentication (401), session authentication's
CSRF check (403), the parsers and the size limit (400, 413, 415), the router and the
cursor pagination (404). Every error body has the one shape of helpdesk/errors.py.
"""

from drf_spectacular.utils import OpenApiResponse

# The errors of a view's own input and access, for its @extend_schema(responses=...).
ERRORS = {
    code: OpenApiResponse(description=description)
    for code, description in {
        400: "validation_error",
        401: "not_authenticated",
        403: "permission_denied",
        404: "not_found",
    }.items()
}

ERROR = {
    "type": "object",
    "description": "Every error (SPEC §4). Some codes add fields: `allowed` "
    "(invalid_transition), `retry_after` (throttled), `field` and `kind` (sensitive_data).",
    "properties": {
        "code": {"type": "string", "description": "Stable and machine-readable."},
        "detail": {"type": "string", "description": "For people, in the caller's language."},
        "errors": {
            "type": "object",
            "description": "Validation errors: {field: [messages]}.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "allowed": {
            "type": "array",
            "items": {"type": "string"},
            "description": "invalid_transition: the statuses this user may move to.",
        },
        "retry_after": {"type": "integer", "description": "throttled: seconds to wait."},
    },
    "required": ["code", "detail"],
}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
UNSAFE_METHODS = {"post", "put", "patch", "delete"}


def document_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in _shared_errors(method, operation).items():
                responses.setdefault(str(status), {"description": description})
            for status, response in responses.items():
                if status[0] in "45":
                    response.setdefault("content", ERROR_CONTENT)
            responses["429"].setdefault("headers", RETRY_AFTER)
            operation["responses"] = dict(sorted(responses.items()))
    return result


def _shared_errors(method: str, operation: dict) -> dict[int, str]:
    parameters = operation.get("parameters", [])
    locations = {parameter["in"] for parameter in parameters}
    query = {parameter["name"] for parameter in parameters if parameter["in"] == "query"}
    security = operation.get("security", [])
    body = "requestBody" in operation
    errors = {}
    if body or "query" in locations:
        errors[400] = "validation_error (or parse_error: a body that does not parse)"
    if security:  # a wrong or expired token is refused even where no user is required
        errors[401] = "not_authenticated"
    if method in UNSAFE_METHODS and any("cookieAuth" in scheme for scheme in security):
        errors[403] = "permission_denied (also: a session request without its CSRF token)"
    if "path" in locations or "cursor" in query:
        errors[404] = "not_found (also: an invalid `cursor`)"
    if body:
        errors[413] = "request_too_large, file_too_large"
        errors[415] = "unsupported_media_type (of the request, or of an attached file)"
    errors[429] = "throttled, with Retry-After"
    return errors
