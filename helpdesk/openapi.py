"""How the API describes itself: the OpenAPI schema's conventions (docs/api.md, "How an
endpoint is described"), applied to every operation and component, present and future.

- `AutoSchema` (DEFAULT_SCHEMA_CLASS): descriptions come from `extend_schema(summary=,
  description=)` and `extend_schema_serializer(description=)` only, never from a Python
  docstring (drf-spectacular would quote a view's or a serializer's, inherited ones
  included: notes for maintainers are not the contract).
- `errors(...)`: the error answers of an operation's own logic, by status; `AutoSchema`
  adds those the shared machinery can give (strict query strings, authentication, CSRF,
  body limits, throttles), and `document_errors` (a POSTPROCESSING_HOOKS entry) types each
  error body with its status's codes.
- `strict_components` (a hook): a body is required where an operation takes one; objects
  name every property they may carry (`additionalProperties: false`), answers list every
  property as `required` (a serializer renders all its fields, and none is `readOnly`: an
  answer's component is not used for requests), and a nullable reference is written so
  that OpenAPI 3.0 validators accept null.
"""

import json

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import get_override
from drf_spectacular.utils import OpenApiResponse

from .api import StrictQueryMixin
from .errors import CODES

UNSAFE_METHODS = {"post", "put", "patch", "delete"}
REQUEST_SUFFIX = "Request"


class AutoSchema(SpectacularAutoSchema):
    def get_description(self) -> str:
        return ""  # extend_schema(description=...) overrides this

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            responses = operation.setdefault("responses", {})
            for status in self.shared_errors(operation):
                responses.setdefault(str(status), {"description": _codes_text(status)})
        return operation

    def shared_errors(self, operation: dict) -> list[int]:
        """The errors the machinery every view shares can answer for this operation."""
        view, method = self.view, self.method.lower()
        locations = {parameter["in"] for parameter in operation.get("parameters", [])}
        security = operation.get("security", [])
        shared = []
        if isinstance(view, StrictQueryMixin) or "requestBody" in operation:
            shared.append(400)  # an unknown query parameter, a body that does not parse
        if view.get_authenticators():  # a wrong or expired token, even where none is needed
            shared.append(401)
        if method in UNSAFE_METHODS and any("cookieAuth" in scheme for scheme in security):
            shared.append(403)  # a session request without its CSRF token
        if "path" in locations:
            shared.append(404)
        if "requestBody" in operation:
            shared += [413, 415]
        if view.get_throttles():
            shared.append(429)
        return shared

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
        for operation in operations.values():
            responses = operation.get("responses", {})
            for status, response in responses.items():
                if status[0] in "45" and "content" not in response:
                    name = f"Error{status}"
                    schemas.setdefault(name, error_component(int(status)))
                    ref = {"$ref": f"#/components/schemas/{name}"}
                    response["content"] = {"application/json": {"schema": ref}}
                if status == "429":
                    response.setdefault("headers", RETRY_AFTER)
            operation["responses"] = dict(sorted(responses.items()))
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def strict_components(result, generator, request, public):
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                # Every operation that takes a body refuses a request without one (its
                # fields are required, or a PATCH must name at least one).
                operation["requestBody"]["required"] = True
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if "enum" in schema and "description" not in schema:  # NullEnum, of nullable choices
            schema["description"] = "One of: " + ", ".join(map(json.dumps, schema["enum"]))
        if "oneOf" in schema and "description" not in schema:  # PolymorphicProxySerializer
            names = [choice["$ref"].rsplit("/", 1)[-1] for choice in schema["oneOf"]]
            schema["description"] = (
                f"One of {', '.join(names)}, by the caller's role. Each allows no property it "
                "does not name, so a body matches exactly one."
            )
        if schema.get("type") != "object" or "properties" not in schema:
            continue
        if name.startswith("Error"):
            continue  # error bodies stay open: a code may add a field of its own
        schema["additionalProperties"] = False
        answer = not name.endswith(REQUEST_SUFFIX)
        if answer:  # every field is always there
            schema["required"] = list(schema["properties"])
        for field, prop in schema["properties"].items():
            if answer:
                # readOnly says nothing in a component used for answers only, and
                # validators drop readOnly fields from `required`: a requester's ticket
                # would then match AgentTicket too.
                prop.pop("readOnly", None)
                if set(prop) == {"allOf"} and len(prop["allOf"]) == 1:
                    schema["properties"][field] = prop = prop["allOf"][0]
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
