"""Where a webhook may go: never to the machine itself, link-local addresses (the cloud's
metadata service) and the like; to private networks unless the deployment forbids them;
to networks a deployment allows explicitly. A refused address fails the delivery at once,
before any connection is made. Attempts run in this process, against a real receiver."""

import time

import pytest

from notifications.models import Channel, Delivery, DeliveryStatus, WebhookEndpoint
from notifications.services import Outcome, delivery_attempt
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(webhook_receiver):
    webhook_receiver.reset()
    return webhook_receiver


@pytest.fixture(autouse=True)
def default_policy(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    settings.WEBHOOK_BLOCK_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_TIMEOUT = 0.5


def attempted(url: str, requester) -> tuple[Outcome, Delivery]:
    """A ticket's webhook delivery to `url`, attempted once."""
    WebhookEndpoint.objects.create(name="integrator", url=url, secret="s3cret")
    TicketFactory(requester=requester)
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)
    outcome, _delay = delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    return outcome, delivery


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0"],  # noqa: S104
)
def test_the_machine_itself_is_refused_at_once(host, requester, receiver):
    port = receiver.url.split(":")[2].split("/")[0]

    outcome, delivery = attempted(f"http://{host}:{port}/hook", requester)

    assert outcome == Outcome.FAILED
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "loopback, link-local or unspecified" in delivery.last_error
    assert receiver.calls == []


def test_the_cloud_metadata_address_is_refused_without_connecting(requester):
    started = time.monotonic()

    outcome, delivery = attempted("http://169.254.169.254/latest/meta-data/", requester)

    assert outcome == Outcome.FAILED
    assert "169.254.169.254" in delivery.last_error
    assert time.monotonic() - started < 0.5, "it waited for a connection"


def test_an_allowed_network_is_called(requester, receiver, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]

    outcome, delivery = attempted(receiver.url, requester)

    assert outcome == Outcome.SENT
    [call] = receiver.accepted()
    assert call["json"]["delivery_id"] == delivery.pk


def test_private_networks_are_called(requester):
    outcome, delivery = attempted("http://10.255.255.1:8080/hook", requester)

    # whatever answers (or not) at that address here, the call was made: no refusal
    assert outcome == Outcome.RETRY
    assert delivery.last_error and "address" not in delivery.last_error


def test_private_networks_are_refused_when_the_deployment_forbids_them(requester, settings):
    settings.WEBHOOK_BLOCK_PRIVATE_ADDRESSES = True

    outcome, delivery = attempted("http://10.255.255.1:8080/hook", requester)

    assert outcome == Outcome.FAILED
    assert "10.255.255.1, a private address" in delivery.last_error
