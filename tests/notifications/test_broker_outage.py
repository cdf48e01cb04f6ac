"""The broker down while requests come in (issue #13): requests do not wait on it, nothing
is lost, the deliveries go out as soon as the broker is back without waiting for the beat,
and /healthz says when notifications are overdue."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.breakers import BROKER
from notifications.models import Delivery, DeliveryStatus, Event
from tests.factories import AgentFactory, TicketFactory, UserFactory
from tests.notifications.conftest import all_settled, wait_for
from tickets import services
from tickets.models import Status

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_request_does_not_wait_on_a_broker_that_is_down(stack, broker, client_for):
    sink, _receiver = stack
    requester = UserFactory(email="dana@example.com")
    client = client_for(requester)
    broker.stop()
    try:
        started = time.monotonic()
        statuses = [
            client.post(
                "/api/v1/tickets/",
                {"subject": f"Deposit {n}", "description": "Not credited.", "category": "other"},
                format="json",
            ).status_code
            for n in range(5)
        ]
        elapsed = time.monotonic() - started
    finally:
        broker.start()

    assert statuses == [201] * 5
    # Five tickets with a broker that refuses: each publish after the first is skipped by
    # the breaker. (Before, each request waited ~2 s on the broker.)
    assert elapsed < 2.0, elapsed
    assert Event.objects.filter(fanned_out=False).count() == 5


def test_the_first_publish_after_an_outage_takes_up_what_it_left(stack, broker, settings):
    sink, _receiver = stack
    requester = UserFactory(email="erin@example.com")
    agent = AgentFactory()
    broker.stop()
    try:
        left = [TicketFactory(requester=requester) for _ in range(3)]  # events not published
    finally:
        broker.start()
    assert not sink.to(requester.email)

    # when the broker is back and a later change publishes (no beat runs in the tests)
    wait_for(lambda: not BROKER.is_open, 5, what="the breaker to let the broker be tried")
    services.ticket_transition(ticket=left[0], to=Status.OPEN, actor=agent)

    # then everything the outage left goes out, once
    all_settled(timeout=60)
    subjects = [mail["Subject"] for mail in sink.to(requester.email)]
    assert sum("We received your request" in s for s in subjects) == 3
    assert len(subjects) == 4  # the three acknowledgements and the status change
    assert Delivery.objects.exclude(status=DeliveryStatus.SENT).count() == 0


def test_healthz_says_when_notifications_are_overdue(client_for, settings, transactional_db):
    settings.NOTIFICATION_OVERDUE_SECONDS = 600
    client = client_for()
    assert client.get("/healthz").json()["deliveries"] == "ok"

    ticket = TicketFactory()  # its event never reaches a worker here
    Event.objects.filter(ticket=ticket).update(created_at=timezone.now() - timedelta(hours=1))

    body = client.get("/healthz").json()
    assert (body["deliveries"], body["overdue"]) == ("overdue", 1)
    assert body["status"] in ("ok", "unavailable")  # the web process itself: its own checks
