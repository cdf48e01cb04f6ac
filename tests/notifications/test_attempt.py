"""One delivery attempt, run in this process (no worker): what it writes, and that it costs
a fixed, small number of queries — the worker's per-delivery cost (bench/notifications.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Delivery, Notification, WebhookEndpoint
from notifications.services import Outcome, delivery_attempt
from tests.factories import TicketFactory
from tests.helpers import fan_out

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def pending(requester, channel: str) -> Delivery:
    """The pending delivery of a new ticket's acknowledgement (on_commit never runs here)."""
    ticket = TicketFactory(requester=requester)
    fan_out()
    return Delivery.objects.get(event__ticket=ticket, channel=channel)


# In the test's transaction the claim's BEGIN and COMMIT are a savepoint and its release:
# lock-and-load (delivery, event, ticket, recipient, preferences) and the claim's update;
# then the send (the in-site insert) and the outcome's update.
@pytest.mark.parametrize(("channel", "queries"), [("in_site", 6), ("email", 5)])
def test_an_attempt_loads_what_it_sends_in_one_query(
    requester, django_assert_num_queries, channel, queries
):
    delivery = pending(requester, channel)

    with django_assert_num_queries(queries):
        outcome, _delay = delivery_attempt(delivery.pk)

    assert outcome is Outcome.SENT
    assert delivery_attempt(delivery.pk)[0] is Outcome.SKIPPED
    assert Notification.objects.filter(recipient=requester).count() == (channel == "in_site")
    assert len(mail.outbox) == (channel == "email")


def test_an_in_site_notification_already_written_is_not_written_again(requester):
    # given a notification already written for the delivery (the one-to-one is the guard)
    delivery = pending(requester, "in_site")
    Notification.objects.create(
        delivery=delivery, recipient=requester, ticket=delivery.event.ticket, title="t", body="b"
    )

    # when the delivery is attempted again
    outcome, _delay = delivery_attempt(delivery.pk)

    # then it is sent, with still one notification
    assert outcome is Outcome.SENT
    assert Notification.objects.filter(delivery=delivery).count() == 1


@pytest.mark.django_db
def test_a_copy_that_comes_before_the_backoff_is_skipped(requester):
    TicketFactory(requester=requester)
    fan_out()
    delivery = Delivery.objects.get(channel="in_site")
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    assert delivery_attempt(delivery.pk) == (Outcome.SKIPPED, 0.0)
    delivery.refresh_from_db()
    assert delivery.attempts == 0 and delivery.status == "pending"


@pytest.mark.django_db
def test_a_deactivated_webhook_endpoint_fails_at_once(requester):
    endpoint = WebhookEndpoint.objects.create(name="old", url="http://127.0.0.1:9/", secret="s")
    TicketFactory(requester=requester)
    fan_out()
    endpoint.active = False
    endpoint.save()
    delivery = Delivery.objects.get(channel="webhook")

    assert delivery_attempt(delivery.pk)[0] == Outcome.FAILED
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and "deactivated" in delivery.last_error
