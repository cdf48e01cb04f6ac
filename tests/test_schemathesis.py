"""The API against its own OpenAPI schema (SPEC §4), fuzzed by schemathesis.

Every operation of /api/schema/ is called in-process (WSGI) with generated data, valid
and invalid, as a requester and as an agent (and as a supervisor on the writes only
supervisors make), on a small world of real tickets, macros and help articles whose ids
replace the generated ones most of the time: nothing may answer 5xx, every answer must be
one the schema declares (status, media type, headers, body), and every invalid request is
refused. A bounded, derandomized run, so CI sees the same cases every time.
"""

import hashlib

import hypothesis
import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services as accounts
from helpcentre import services as help_services
from helpcentre.models import State
from helpdesk.wsgi import application
from notifications.channels.registry import CHANNELS
from notifications.models import Delivery
from tests.factories import AgentFactory, SupervisorFactory, TicketFactory, UserFactory, ticket_in
from tests.helpers import SUPERVISORS_WRITE, fan_out
from tickets import services
from tickets.models import Attachment, Macro, Status

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", application)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]

# Every answer is one the schema declares (status, media type, headers, body: the ticket
# schemas forbid properties they do not name, so a requester's answer carrying an agent's
# field fails), nothing succeeds without credentials (ignored_auth repeats a successful
# call without them, and with a wrong token), and every request the schema calls invalid
# is refused with a 4xx (negative_data_rejection: unknown fields and query parameters, a
# malformed `page_size` or `unread`, an unknown ordering; issue #17).
# Not run, because the API deliberately differs from what it assumes:
# - positive_data_acceptance: valid by the schema is not acceptable by the API. The schema
#   cannot say which ids are the caller's (another user's ticket is a 404, never a 403),
#   which credentials are right, which queues and assignees exist, which lifecycle steps
#   are allowed (409) or need a reason (400), nor which If-Match is current (412).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    missing_required_header,
    ignored_auth,
    negative_data_rejection,
]
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    """Hundreds of calls in a few seconds: the limits are tested in test_throttling.py."""
    settings.HELPDESK_THROTTLE_RATES = {
        scope: "1000000/min" for scope in ("user", "ip", "login", "ticket_create")
    }


@pytest.fixture(autouse=True)
def connection_kept_across_requests():
    """Each test runs in one transaction that is rolled back at its end. Django's WSGI
    handler closes the connection after every request, which would end it; its test
    client does what this fixture does and keeps the connection (ClientHandler)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(settings, tmp_path):
    """Tickets, messages, attachments and notifications of two requesters and an agent,
    so that generated ids can be swapped for ones that exist."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    agent, requester, stranger = AgentFactory(), UserFactory(), UserFactory()
    tickets = [
        TicketFactory(requester=requester),
        ticket_in(Status.OPEN, agent=agent, requester=requester),
        ticket_in(Status.RESOLVED, agent=agent, requester=requester),
        ticket_in(Status.CLOSED, agent=agent, requester=requester),
        TicketFactory(requester=stranger),
    ]
    attachments = []
    for ticket in tickets[:2]:
        public = services.message_add(
            ticket=ticket, author=agent, body="Please send the TxID.", internal=False
        )
        note = services.message_add(
            ticket=ticket, author=agent, body="Checked the chain: pending.", internal=True
        )
        services.message_add(ticket=ticket, author=requester, body="TxID 7f3c9a", internal=False)
        for message in (None, public, note):
            attachments.append(_attach(ticket, message=message, by=agent))
    fan_out()
    for user in (requester, agent):
        for delivery in Delivery.objects.filter(recipient=user, channel="in_site"):
            CHANNELS["in_site"].send(delivery)
    macros = [
        Macro.objects.create(name="Ask for the TxID", body_en="Which TxID, {requester_name}?"),
        Macro.objects.create(name="Resolve", status=Status.RESOLVED, reason="Credited"),
    ]
    articles = [
        help_services.article_save(
            data={"slug": slug, "category": "deposits", "state": state, "title_en": slug}
        )
        for slug, state in [("deposit-missing", State.PUBLISHED), ("draft-fees", State.DRAFT)]
    ]
    announcement = help_services.announcement_save(data={"title_en": "Maintenance at 02:00"})
    tokens = {
        "requester": accounts.token_create(user=requester)[1],
        "agent": accounts.token_create(user=agent)[1],
        "supervisor": accounts.token_create(user=SupervisorFactory())[1],
    }
    return {
        "tokens": tokens,
        "ticket_ids": [ticket.pk for ticket in tickets],
        "attachments": [(a.ticket_id, a.pk) for a in attachments],
        "notification_ids": list(requester.notifications.values_list("pk", flat=True))
        + list(agent.notifications.values_list("pk", flat=True)),
        "macro_ids": [macro.pk for macro in macros],
        "slugs": [article.slug for article in articles],
        "announcement_ids": [announcement.pk],
    }


def _attach(ticket, *, message, by) -> Attachment:
    content = b"TxID 7f3c9a confirmed on TRC20, 120 USDT\n"
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename="receipt.txt",
        content_type="text/plain",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )
    attachment.file.save("receipt.txt", ContentFile(content), save=True)
    return attachment


def _real_path_parameters(operation, world) -> st.SearchStrategy:
    """Three times in four, path parameters naming rows that exist (others' included)."""
    names = {parameter.name for parameter in operation.path_parameters}
    if names == {"id", "attachment_id"}:
        real = st.sampled_from(world["attachments"]).map(
            lambda pair: {"id": pair[0], "attachment_id": pair[1]}
        )
    elif names == {"id"} and "/notifications/" in operation.path:
        real = st.sampled_from(world["notification_ids"]).map(lambda pk: {"id": pk})
    elif names == {"id"} and "/macros/" in operation.path:
        real = st.sampled_from(world["macro_ids"]).map(lambda pk: {"id": pk})
    elif names == {"id"} and "/announcements/" in operation.path:
        real = st.sampled_from(world["announcement_ids"]).map(lambda pk: {"id": pk})
    elif names == {"slug"}:
        real = st.sampled_from(world["slugs"]).map(lambda slug: {"slug": slug})
    elif names == {"id"}:
        real = st.sampled_from(world["ticket_ids"]).map(lambda pk: {"id": pk})
    else:
        return st.none()
    return st.one_of(st.none(), real, real, real)


def _has_inputs(operation) -> bool:
    """Negative cases need something to make invalid: a body, or a parameter other than
    the credentials (which the test sets itself) and other than a header any text may be
    (`If-None-Match`)."""
    schemes = SCHEMA.raw_schema["components"]["securitySchemes"].values()
    credentials = {(scheme["in"], scheme["name"]) for scheme in schemes}
    parameters = {
        (p.location.value, p.name)
        for p in operation.iter_parameters()
        if not (p.location.value == "header" and p.definition["schema"] == {"type": "string"})
    }
    return bool(operation.body or parameters - credentials)


def _roles(operation) -> list[str]:
    """A requester and an agent on every operation; a supervisor too on the writes only
    supervisors may make (macros, the help centre), whose answers the others never see."""
    supervisors_only = operation.method.lower() != "get" and operation.path.startswith(
        SUPERVISORS_WRITE
    )
    return ["requester", "agent", *(["supervisor"] if supervisors_only else [])]


@pytest.mark.parametrize(
    ("operation", "mode", "role"),
    [
        pytest.param(operation, mode, role, id=f"{role}-{operation.label}-{mode.value}")
        for operation in OPERATIONS
        for mode in EXAMPLES
        if mode is GenerationMode.POSITIVE or _has_inputs(operation)
        for role in _roles(operation)
    ],
)
def test_api_conforms_to_its_schema(world, operation, role, mode):
    auth = {"Authorization": f"Token {world['tokens'][role]}"}

    @hypothesis.settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        # Generated bodies and filtered strategies are schemathesis's: not ours to tune.
        suppress_health_check=[
            hypothesis.HealthCheck.too_slow,
            hypothesis.HealthCheck.filter_too_much,
            hypothesis.HealthCheck.data_too_large,
            hypothesis.HealthCheck.large_base_example,
        ],
    )
    @hypothesis.given(
        case=operation.as_strategy(mode), path=_real_path_parameters(operation, world)
    )
    def call(case, path):
        if path:
            case.path_parameters = {**case.path_parameters, **path}
        case.call_and_validate(headers=auth, checks=CHECKS)

    call()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # PostgreSQL refuses UTC offsets beyond ±15:59 that Python parses: was a 500.
        ("/api/v1/tickets/?created_after=0390-11-19T15:05:27.977510%2B18:41", 200),
        # No UTC equivalent (before year 1): invalid input.
        ("/api/v1/tickets/?updated_after=0001-01-01T00:00:00%2B01:00", 400),
        # The router took any text for the id, and `read` looked it up: was a 500.
        ("/api/v1/notifications/null/read/", 404),
        ("/api/v1/notifications/99999999999999999999999/read/", 404),
    ],
)
def test_inputs_the_fuzzer_once_broke(client_for, requester, path, status):
    client = client_for(requester)
    response = client.post(path) if path.endswith("/read/") else client.get(path)

    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
