"""How the API describes itself: the OpenAPI schema's conventions (docs/api.md, "How an
endpoint is described"), applied to every operation and component, present and future.

- `AutoSchema` (DEFAULT_SCHEMA_CLASS): descriptions come from `extend_schema(summary=,
  description=)` and `extend_schema_serializer(description=)` only, never from a Python
  docstring (drf-spectacular would quote a view's or a serializer's, inherited ones
  included: notes for maintainers are not the contract).
- `errors(...)`: the error answers of an operation, by status; `document_errors` (a
  POSTPROCESSING_HOOKS entry) adds those every operation can give (throttles,
  authentication, strict query strings...) and types each body with its status's codes.
- `strict_components` (a hook): a body is required where an operation takes one; objects
  name every property they may carry (`additionalProperties: false`), answers list every
  property as `required` (a serializer renders all its fields), and a nullable reference
  is written so that OpenAPI 3.0 validators accept null.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import get_override
from drf_spectacular.utils import OpenApiResponse

from .errors import CODES

UNSAFE_METHODS = {"post", "put", "patch", "delete"}
REQUEST_SUFFIX = "Request"


class AutoSchema(SpectacularAutoSchema):
    def get_description(self) -> str:
        return ""  # extend_schema(description=...) overrides this

    def resolve_serializer(self, serializer, direction, bypass_extensions=False):
        component = super().resolve_serializer(serializer, direction, bypass_extensions)
        if component.schema is not None:
            description = get_override(serializer, "description", None)
            if description:
                component.schema["description"] = str(description)
            else:
                component.schema.pop("description", None)
        return component


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """{status: response} for extend_schema(responses=...): the codes each status carries."""
    return {status: OpenApiResponse(description=_codes_text(status)) for status in statuses}


def _codes_text(status: int) -> str:
    return "; ".join(f"`{code}`: {meaning}" for code, meaning in CODES[status].items())


# Fields some error codes add to {"code", "detail"} (helpdesk/errors.py, tickets/errors.py).
ERROR_FIELDS = {
    "errors": (
        {
            "type": "object",
            "description": "validation_error, sensitive_data: {field: [messages]}; nested "
            "fields have dotted names, errors of the body as a whole are under "
            "`non_field_errors`.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        {400},
    ),
    "field": ({"type": "string", "description": "sensitive_data: the field."}, {400}),
    "kind": (
        {
            "type": "string",
            "enum": ["mnemonic", "private_key", "password"],
            "description": "sensitive_data: what was found.",
        },
        {400},
    ),
    "allowed": (
        {
            "type": "array",
            "items": {"$ref": "#/components/schemas/StatusEnum"},
            "description": "invalid_transition: the statuses the caller may move to.",
        },
        {409},
    ),
    "version": (
        {"type": "integer", "description": "version_conflict: the ticket's current version."},
        {412},
    ),
    "retry_after": (
        {"type": "integer", "description": "throttled, login_locked: seconds to wait."},
        {429},
    ),
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "required": True,
        "description": "Seconds to wait before trying again.",
    }
}


def error_component(status: int) -> dict:
    properties = {
        "code": {
            "type": "string",
            "enum": list(CODES[status]),
            "description": "Stable and machine-readable.",
        },
        "detail": {"type": "string", "description": "For people, in the caller's language."},
    }
    properties |= {
        name: schema for name, (schema, statuses) in ERROR_FIELDS.items() if status in statuses
    }
    return {
        "type": "object",
        "description": f"An error answered with HTTP {status}: {_codes_text(status)}.",
        "properties": properties,
        "required": ["code", "detail"],
    }


def document_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _shared_errors(method, operation):
                responses.setdefault(str(status), {"description": _codes_text(status)})
            for status, response in responses.items():
                if status[0] in "45" and "content" not in response:
                    name = f"Error{status}"
                    schemas.setdefault(name, error_component(int(status)))
                    ref = {"$ref": f"#/components/schemas/{name}"}
                    response["content"] = {"application/json": {"schema": ref}}
            responses["429"].setdefault("headers", RETRY_AFTER)
            operation["responses"] = dict(sorted(responses.items()))
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def _shared_errors(method: str, operation: dict) -> list[int]:
    locations = {parameter["in"] for parameter in operation.get("parameters", [])}
    security = operation.get("security", [])
    shared = [400]  # every operation refuses unknown query parameters (helpdesk.api)
    if security:  # a wrong or expired token is refused even where no user is required
        shared.append(401)
    if method in UNSAFE_METHODS and any("cookieAuth" in scheme for scheme in security):
        shared.append(403)  # a session request without its CSRF token
    if "path" in locations:
        shared.append(404)
    if "requestBody" in operation:
        shared += [413, 415]
    shared.append(429)
    return shared


def strict_components(result, generator, request, public):
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                # Every operation that takes a body refuses a request without one (its
                # fields are required, or a PATCH must name at least one).
                operation["requestBody"]["required"] = True
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if schema.get("type") != "object" or "properties" not in schema:
            continue
        if name.startswith("Error"):
            continue  # error bodies stay open: a code may add a field of its own
        schema["additionalProperties"] = False
        if not name.endswith(REQUEST_SUFFIX):  # an answer: every field is always there
            schema["required"] = list(schema["properties"])
        for prop in schema["properties"].values():
            _nullable_reference(prop)
        if name.startswith("Paginated") and "description" not in schema:
            items = schema["properties"]["results"]["items"]
            item = items.get("$ref", "").rsplit("/", 1)[-1] or "item"
            schema["description"] = f"A page of {item} items, with links to its neighbours."
    return result


def _nullable_reference(prop: dict) -> None:
    # drf-spectacular writes a nullable nested object as {allOf: [$ref], nullable: true}.
    # Under OpenAPI 3.0 `nullable` does not reach into allOf, so strict validators refuse
    # null; {oneOf: [$ref, {enum: [null]}]}, each alternative marked nullable where needed,
    # says "the object, or null" in a way every 3.0 validator and generator reads alike.
    if prop.get("nullable") and "allOf" in prop and len(prop["allOf"]) == 1:
        reference = prop.pop("allOf")[0]
        prop["oneOf"] = [reference, {"type": "object", "nullable": True, "enum": [None]}]
