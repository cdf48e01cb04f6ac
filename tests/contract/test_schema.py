"""Issue #17: the OpenAPI schema says exactly what the server does, in words written for
integrators, and validates strictly. These tests walk every operation and component, so
an endpoint added later is held to the same rules (docs/api.md, "How an endpoint is
described")."""

import importlib
import inspect
import pkgutil
import re

import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_spec
from rest_framework.exceptions import APIException

from helpdesk.errors import CODES
from tickets import errors as ticket_errors

METHODS = {"get", "post", "put", "patch", "delete"}
JSON, MULTIPART = "application/json", "multipart/form-data"
PROJECT_PACKAGES = ("helpdesk", "tickets", "notifications", "accounts", "helpcentre")
# Words of implementation notes that once reached the contract (issue #17).
NOT_FOR_INTEGRATORS = (
    "cProfile",
    "ModelSerializer",
    "deep copy",
    "copy_fields",
    "get_fields",
    "once we know who the caller is",
    "drf-spectacular",
    "docstring",
)


@pytest.fixture(scope="module")
def schema(schema_path) -> dict:
    return yaml.safe_load(schema_path.read_text())


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def component(schema, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def ref_of(prop: dict) -> str:
    """The component a property names: `$ref`, or `allOf: [$ref]` with readOnly beside."""
    return prop["$ref"] if "$ref" in prop else prop["allOf"][0]["$ref"]


def validator(schema, name: str) -> OAS30Validator:
    """A strict OpenAPI 3.0 validator (openapi-schema-validator) for one component."""
    root = {"$ref": f"#/components/schemas/{name}", "components": schema["components"]}
    return OAS30Validator(root)


# --- Strict validation ---------------------------------------------------------------------


def test_the_schema_is_a_valid_openapi_document(schema):
    validate_spec(schema)  # openapi-spec-validator; drf-spectacular's own --validate runs
    # with --fail-on-warn in the schema_path fixture


# --- Words for integrators -----------------------------------------------------------------


def texts(node):
    """Every summary and description in the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description") and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def normalised(text: str) -> str:
    return " ".join(text.split())


def project_modules():
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".migrations" not in info.name and ".management" not in info.name:
                yield importlib.import_module(info.name)


def project_classes() -> set[type]:
    """The classes the project's modules name, and every class they derive from."""
    return {
        cls
        for module in project_modules()
        for value in vars(module).values()
        if inspect.isclass(value)
        for cls in value.__mro__
    }


def project_docstrings() -> set[str]:
    """The docstrings of the project's modules, classes and functions, and of every class
    they derive from (DRF's and Django's included): none belongs in the contract."""
    found = set()
    for module in project_modules():
        found.add(module.__doc__)
        for value in vars(module).values():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                found.add(value.__doc__)
    for cls in project_classes() - {object}:
        found.add(cls.__doc__)
        found.update(member.__doc__ for member in vars(cls).values() if inspect.isfunction(member))
    # Their first lines: a docstring that leaked is quoted from its start.
    first_lines = {normalised(doc).split(". ")[0] for doc in found if doc}
    return {line for line in first_lines if len(line) >= 25}


def test_every_operation_has_a_summary_and_a_description(schema):
    for path, method, operation in operations(schema):
        assert operation.get("summary", "").strip(), f"{method} {path}: no summary"
        assert len(operation.get("description", "")) >= 30, f"{method} {path}: no description"


def test_every_component_has_a_description(schema):
    for name, definition in schema["components"]["schemas"].items():
        assert definition.get("description", "").strip(), f"{name}: no description"


def test_no_python_docstring_or_implementation_note_reaches_the_schema(schema):
    described = [normalised(text) for text in texts(schema)]
    docstrings = project_docstrings()
    assert len(docstrings) > 100, "the walk found the project's docstrings"
    for text in described:
        for words in NOT_FOR_INTEGRATORS:
            assert words.lower() not in text.lower(), f"{words!r} in the schema: {text!r}"
        for docstring in docstrings:
            assert docstring not in text, f"a docstring in the schema: {docstring!r}"


# --- Bodies --------------------------------------------------------------------------------


def test_a_body_is_json_and_multipart_only_where_files_are_sent(schema):
    with_files = set()
    for path, method, operation in operations(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        assert body["required"] is True, f"{method} {path}"
        content = body["content"]
        assert set(content) in ({JSON}, {JSON, MULTIPART}), f"{method} {path}: {set(content)}"
        if MULTIPART in content:
            multipart = component(schema, content[MULTIPART]["schema"]["$ref"])
            as_json = component(schema, content[JSON]["schema"]["$ref"])
            files = [
                name
                for name, field in multipart["properties"].items()
                if field.get("items", {}).get("format") == "binary"
            ]
            assert files == ["attachments"], f"{method} {path}"
            assert "attachments" not in as_json["properties"], f"{method} {path}: files in JSON"
            with_files.add((method, path))
    assert with_files == {
        ("post", "/api/v1/tickets/"),
        ("post", "/api/v1/tickets/{id}/messages/"),
    }


def test_every_object_names_all_it_may_carry(schema):
    for name, definition in schema["components"]["schemas"].items():
        if definition.get("type") == "object" and "properties" in definition:
            if name.startswith("Error"):
                continue
            assert definition["additionalProperties"] is False, name
            if not name.endswith("Request"):  # answers carry every field, always
                assert set(definition["required"]) == set(definition["properties"]), name


def test_every_field_has_a_type(schema):
    for name, definition in schema["components"]["schemas"].items():
        for field, prop in definition.get("properties", {}).items():
            assert {"type", "$ref", "oneOf", "allOf"} & set(prop), f"{name}.{field} is untyped"
            if prop.get("type") == "array":
                assert prop["items"], f"{name}.{field}: items untyped"


# --- Representations ------------------------------------------------------------------------


REQUESTER_TICKET = {
    "id": 1,
    "reference": "HD-000001",
    "subject": "s",
    "description": "d",
    "category": "security",
    "priority": "normal",
    "status": "new",
    "channel": "api",
    "follow_up_of": None,
    "flags": [],
    "occurred_at": None,
    "error_code": "",
    "transaction_ids": ["0xabc"],
    "steps_to_reproduce": "",
    "contact_phone": "",
    "attachments": [],
    "created_at": "2026-11-30T10:00:00Z",
    "updated_at": "2026-11-30T10:00:00Z",
    "first_response_at": None,
    "resolved_at": None,
    "closed_at": None,
    "version": 1,
}
PERSON = {"id": 2, "username": "bob", "name": "Bob", "email": "bob@example.com"}
AGENT_TICKET = {
    **REQUESTER_TICKET,
    "requester": PERSON,
    "assignee": None,
    "queue": None,
    "tags": ["vip"],
}


def test_requesters_and_agents_get_two_distinct_ticket_representations(schema):
    ticket = schema["components"]["schemas"]["Ticket"]
    assert [choice["$ref"] for choice in ticket["oneOf"]] == [
        "#/components/schemas/AgentTicket",
        "#/components/schemas/RequesterTicket",
    ]
    agent = schema["components"]["schemas"]["AgentTicket"]["properties"]
    assert ref_of(agent["requester"]) == "#/components/schemas/AgentUserSummary"
    for name in ("transaction_ids", "tags"):
        assert agent[name]["items"] == {"type": "string"}
    assert set(agent) - set(schema["components"]["schemas"]["RequesterTicket"]["properties"]) == {
        "requester",
        "assignee",
        "queue",
        "tags",
    }
    # A body matches exactly one of them (oneOf): each forbids what it does not name.
    is_valid = validator(schema, "Ticket").is_valid
    assert is_valid(REQUESTER_TICKET) and is_valid(AGENT_TICKET)
    assert is_valid({**AGENT_TICKET, "assignee": PERSON, "queue": "tier-2"})
    assert not is_valid({**REQUESTER_TICKET, "tags": []})  # half an agent's ticket
    assert not validator(schema, "RequesterTicket").is_valid(AGENT_TICKET)


def test_nullable_objects_accept_null_under_strict_validation(schema):
    step = {
        "id": 1,
        "from_status": None,
        "to_status": "new",
        "changed_by": None,
        "reason": "",
        "created_at": "2026-11-30T10:00:00Z",
    }
    check = validator(schema, "StatusChange")
    assert check.is_valid(step)
    assert check.is_valid({**step, "changed_by": {"id": 1, "username": "a", "name": "A"}})
    assert not check.is_valid({**step, "changed_by": {"id": 1}})
    assert validator(schema, "AgentTicket").is_valid({**AGENT_TICKET, "assignee": None})


def test_closed_sets_are_enums(schema):
    schemas = schema["components"]["schemas"]
    me = schemas["Me"]
    assert {"language", "role"} <= set(me["required"])
    role = component(schema, ref_of(me["properties"]["role"]))
    assert role["enum"] == ["requester", "agent", "supervisor"]
    listing = schema["paths"]["/api/v1/tickets/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in listing["parameters"]}
    assert parameters["ordering"]["schema"]["enum"] == [
        "created_at",
        "-created_at",
        "updated_at",
        "-updated_at",
    ]
    for name in ("status", "priority", "category"):
        assert parameters[name]["schema"]["type"] == "array", name
        assert parameters[name]["schema"]["items"]["enum"], name
        assert parameters[name].get("explode", True) is True, name  # repeated values
    health = schemas["Health"]
    assert set(health["required"]) == {"status", "database", "broker", "deliveries", "overdue"}
    assert component(schema, ref_of(health["properties"]["status"]))["enum"] == [
        "ok",
        "unavailable",
    ]


def test_pages_always_carry_both_links(schema):
    for name, definition in schema["components"]["schemas"].items():
        if name.startswith("Paginated"):
            assert set(definition["required"]) == {"next", "previous", "results"}, name
            assert definition["properties"]["next"]["nullable"] is True, name


# --- Headers ---------------------------------------------------------------------------------


def headers(schema, path, method, status) -> dict:
    return schema["paths"][path][method]["responses"][status].get("headers", {})


def test_response_headers_are_declared(schema):
    ticket = "/api/v1/tickets/{id}/"
    for path, method, status in [
        ("/api/v1/tickets/", "post", "201"),
        (ticket, "get", "200"),
        (ticket, "patch", "200"),
        (f"{ticket}transitions/", "post", "200"),
    ]:
        assert headers(schema, path, method, status)["ETag"]["required"] is True
    created = headers(schema, "/api/v1/tickets/", "post", "201")
    assert created["Location"]["required"] is True
    assert created["Idempotent-Replayed"]["schema"] == {"type": "string", "enum": ["true"]}
    for path, method, operation in operations(schema):
        if "429" in operation["responses"]:
            assert headers(schema, path, method, "429")["Retry-After"]["required"] is True


def test_the_attachment_download_is_a_file_generators_keep(schema):
    content = schema["paths"]["/api/v1/tickets/{id}/attachments/{attachment_id}/"]["get"][
        "responses"
    ]["200"]["content"]
    assert next(iter(content)) == "application/octet-stream"
    assert "*/*" not in content
    assert {"image/png", "application/pdf", "text/plain"} <= set(content)


# --- Errors ----------------------------------------------------------------------------------


def test_error_bodies_are_typed_per_status_with_their_codes(schema):
    schemas = schema["components"]["schemas"]
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status[0] not in "45" or path == "/healthz":
                continue
            ref = response["content"][JSON]["schema"]["$ref"]
            assert ref == f"#/components/schemas/Error{status}", f"{method} {path} {status}"
            error = schemas[f"Error{status}"]
            assert error["properties"]["code"]["enum"] == list(CODES[int(status)])
    assert {"errors", "field", "kind"} <= set(schemas["Error400"]["properties"])
    assert "allowed" in schemas["Error409"]["properties"]
    assert "version" in schemas["Error412"]["properties"]
    assert "retry_after" in schemas["Error429"]["properties"]


def test_every_domain_error_code_is_listed_under_its_status():
    for error in vars(ticket_errors).values():
        if inspect.isclass(error) and issubclass(error, ticket_errors.DomainError):
            if error is not ticket_errors.DomainError:
                assert error.code in CODES[error.status], error
    for cls in project_classes():
        if issubclass(cls, APIException) and cls.__module__.split(".")[0] in PROJECT_PACKAGES:
            assert cls.default_code in CODES[cls.status_code], cls
    source = inspect.getsource(importlib.import_module("helpdesk.errors"))
    source += inspect.getsource(importlib.import_module("helpdesk.middleware"))
    answered = set(re.findall(r'"code": "(\w+)"', source))
    listed = {code for codes in CODES.values() for code in codes}
    assert answered <= listed, answered - listed
