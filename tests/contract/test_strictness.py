"""Issue #17: the server refuses what it does not understand, on every operation of the
schema (those added later included): unknown query parameters, unknown body fields, a
PATCH that names no field, a body in a content type the operation does not take. Never a
200 that silently did something else. A role that may not call an operation at all (a
requester on the macros, an agent writing help articles) gets its 403 before anything is
read; each operation is tried by the roles that may call it too."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from helpcentre import services as help_services
from helpcentre.models import State
from tests.factories import AgentFactory, SupervisorFactory, TicketFactory, UserFactory
from tests.helpers import fan_out, refused_to
from tests.tickets.api.support import TICKETS_URL, assert_error, result_ids, ticket_url
from tickets import services
from tickets.models import Macro, Priority, Status

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [
    pytest.param(path, method, operation, id=f"{method} {path}")
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in {"get", "post", "put", "patch", "delete"}
]
WITH_BODY = [entry for entry in OPERATIONS if "requestBody" in entry.values[2]]
UNKNOWN = "Unknown query parameter."

pytestmark = pytest.mark.django_db


def allowed_role(path: str, method: str) -> str:
    """The least of the desk's roles that may call the operation."""
    return "supervisor" if refused_to("agent", method, path) else "agent"


@pytest.fixture
def world(attach):
    agent, requester = AgentFactory(), UserFactory()
    ticket = TicketFactory(requester=requester)
    services.message_add(ticket=ticket, author=agent, body="Which network?")
    attachment = attach(ticket, by=requester)
    fan_out()
    from notifications.channels.registry import CHANNELS
    from notifications.models import Delivery

    for delivery in Delivery.objects.filter(channel="in_site"):
        CHANNELS["in_site"].send(delivery)
    notification = requester.notifications.first()
    macro = Macro.objects.create(name="Ask for the TxID", body_en="Which TxID?")
    article = help_services.article_save(
        data={
            "slug": "withdrawal-delays",
            "category": "withdrawals",
            "state": State.PUBLISHED,
            "title_en": "Why is my withdrawal delayed?",
        }
    )
    announcement = help_services.announcement_save(data={"title_en": "Maintenance at 02:00"})
    return {
        "agent": agent,
        "requester": requester,
        "supervisor": SupervisorFactory(),
        "ticket": ticket,
        "ids": {"attachment_id": attachment.pk, "slug": article.slug},
        "notification": notification,
        "macro": macro,
        "announcement": announcement,
    }


def url_of(path: str, world) -> str:
    ids = dict(world["ids"])
    ids["id"] = world["ticket"].pk
    for prefix, row in [
        ("/api/v1/notifications/", "notification"),
        ("/api/v1/macros/", "macro"),
        ("/api/v1/help/announcements/", "announcement"),
    ]:
        if path.startswith(prefix):
            ids["id"] = world[row].pk
    return path.format(**ids)


def call(client, method: str, url: str, **kwargs):
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS)
@pytest.mark.parametrize("role", ["requester", "agent", "supervisor"])
def test_an_unknown_query_parameter_is_refused_by_name(
    client_for, world, path, method, operation, role
):
    client = client_for(world[role])
    url = f"{url_of(path, world)}?colour=blue"

    response = call(client, method, url, data={}) if method != "get" else client.get(url)

    if refused_to(role, method, path):  # the role may not call it: refused before it is read
        assert_error(response, 403, "permission_denied")
        return
    body = assert_error(response, 400, "validation_error")
    assert body["errors"] == {"colour": [UNKNOWN]}


@pytest.mark.parametrize(("path", "method", "operation"), WITH_BODY)
def test_an_unknown_body_field_is_refused_by_name(client_for, world, path, method, operation):
    client = client_for(world[allowed_role(path, method)])

    response = call(client, method, url_of(path, world), data={"colour": "blue"}, format="json")

    body = assert_error(response, 400, "validation_error")
    assert body["errors"]["colour"] == ["Unknown field."]


@pytest.mark.parametrize(
    ("path", "method", "operation"),
    [entry for entry in WITH_BODY if entry.values[1] == "patch"],
)
def test_a_patch_must_name_a_field(client_for, world, path, method, operation):
    client = client_for(world[allowed_role(path, method)])

    response = client.patch(url_of(path, world), {}, format="json")

    body = assert_error(response, 400, "validation_error")
    assert list(body["errors"]) == ["non_field_errors"]


@pytest.mark.parametrize(("path", "method", "operation"), WITH_BODY)
def test_a_body_in_another_content_type_is_refused(client_for, world, path, method, operation):
    """The schema's content types are the only ones taken: a form-encoded body, the way a
    mislabelled generated client sent it, is a 415 and changes nothing."""
    client = client_for(world[allowed_role(path, method)])
    ticket = world["ticket"]
    ticket.refresh_from_db()
    version = ticket.version

    response = call(
        client,
        method,
        url_of(path, world),
        data="priority=urgent&body=hello",
        content_type="application/x-www-form-urlencoded",
    )

    assert_error(response, 415, "unsupported_media_type")
    ticket.refresh_from_db()
    assert ticket.version == version


@pytest.mark.parametrize(
    ("path", "method", "operation"),
    [entry for entry in OPERATIONS if entry.values[1] == "get"],
)
def test_every_query_parameter_the_schema_names_is_one_the_server_reads(
    client_for, world, path, method, operation
):
    client = client_for(world["agent"])
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query":
            continue
        name = parameter["name"]
        response = client.get(url_of(path, world), {name: example(parameter["schema"])})
        if response.status_code == 400:
            assert response.json()["errors"].get(name) != [UNKNOWN], f"{path} ?{name}"
        else:
            assert response.status_code == 200, (path, name, response.content[:300])


def example(schema: dict) -> str:
    if schema.get("type") == "array":
        return example(schema["items"])
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": "1", "boolean": "true"}.get(schema.get("type"), "2026-01-01T00:00:00Z")


# --- Lists: repeated values, comma lists, orderings -------------------------------------------


def test_a_list_filter_takes_repeated_values_as_well_as_a_comma_list(agent, client_for):
    tickets = {
        status: TicketFactory(priority=Priority.HIGH)
        for status in (Status.NEW, Status.OPEN, Status.PENDING)
    }
    for status, ticket in tickets.items():
        if status != Status.NEW:
            services.ticket_transition(ticket=ticket, to=status, actor=agent)
    client = client_for(agent)
    wanted = sorted([tickets[Status.NEW].pk, tickets[Status.OPEN].pk])

    repeated = client.get(f"{TICKETS_URL}?status=new&status=open")
    comma = client.get(f"{TICKETS_URL}?status=new,open")
    mixed = client.get(f"{TICKETS_URL}?status=new&status=open,open")

    assert sorted(result_ids(repeated)) == sorted(result_ids(comma)) == wanted
    assert sorted(result_ids(mixed)) == wanted
    refused = client.get(f"{TICKETS_URL}?status=new&status=opne")
    assert list(assert_error(refused, 400, "validation_error")["errors"]) == ["status"]


@pytest.mark.parametrize("query", ["q=a&q=b", "ordering=created_at&ordering=-created_at"])
def test_a_single_valued_parameter_given_twice_is_refused(agent, client_for, query):
    name = query.split("=")[0]

    response = client_for(agent).get(f"{TICKETS_URL}?{query}")

    assert assert_error(response, 400, "validation_error")["errors"] == {
        name: ["Give this parameter once."]
    }


@pytest.mark.parametrize("ordering", ["priority", "created_at,-updated_at", "-id", ""])
def test_an_ordering_the_list_does_not_offer_is_refused(agent, client_for, ordering):
    response = client_for(agent).get(TICKETS_URL, {"ordering": ordering})

    body = assert_error(response, 400, "validation_error")
    assert list(body["errors"]) == ["ordering"]
    assert "-updated_at" in body["errors"]["ordering"][0]  # names the orderings offered


def test_a_detail_takes_none_of_the_list_filters(requester, client_for):
    ticket = TicketFactory(requester=requester)

    response = client_for(requester).get(ticket_url(ticket), {"status": "closed"})

    assert assert_error(response, 400, "validation_error")["errors"] == {"status": [UNKNOWN]}


def test_notifications_unread_is_a_boolean(requester, client_for):
    response = client_for(requester).get("/api/v1/notifications/", {"unread": "perhaps"})

    assert list(assert_error(response, 400, "validation_error")["errors"]) == ["unread"]


def test_unknown_fields_in_a_nested_object_are_named(requester, client_for):
    response = client_for(requester).patch(
        "/api/v1/me/", {"notifications": {"email": False, "sms": True}}, format="json"
    )

    body = assert_error(response, 400, "validation_error")
    assert body["errors"] == {"notifications.sms": ["Unknown field."]}
    assert client_for(requester).get("/api/v1/me/").json()["notifications"]["email"] is True


def test_the_status_is_refused_on_patch_with_a_pointer_to_transitions(agent, client_for):
    ticket = TicketFactory()

    response = client_for(agent).patch(ticket_url(ticket), {"status": "open"}, format="json")

    message = assert_error(response, 400, "validation_error")["errors"]["status"][0]
    assert "transitions" in message


def test_a_download_is_the_sniffed_type_or_octet_stream_when_asked(client_for, world):
    url = url_of("/api/v1/tickets/{id}/attachments/{attachment_id}/", world)
    client = client_for(world["requester"])

    plain = client.get(url)
    as_bytes = client.get(url, HTTP_ACCEPT="application/octet-stream")

    assert plain["Content-Type"].startswith("text/plain")
    assert as_bytes["Content-Type"] == "application/octet-stream"
    assert b"".join(as_bytes.streaming_content) == b"".join(plain.streaming_content)
    assert as_bytes["X-Content-Type-Options"] == "nosniff"
