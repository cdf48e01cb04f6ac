"""Where a webhook may go: never to the machine itself, link-local addresses (the cloud's
metadata service) and the like; to private networks unless the deployment forbids them;
to networks a deployment allows explicitly. A refused address fails the delivery at once,
before any connection is made. Attempts run in this process, against a real receiver."""

import ipaddress
import os
import socket
import subprocess
import sys
import time

import pytest
import urllib3

from notifications.models import Delivery, DeliveryStatus, WebhookEndpoint
from notifications.services import Outcome, delivery_attempt
from tests.factories import TicketFactory
from tests.helpers import fan_out

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
    fan_out()
    delivery = Delivery.objects.get(channel="webhook")
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
    settings.WEBHOOK_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.0/8")]

    outcome, delivery = attempted(receiver.url, requester)

    assert outcome == Outcome.SENT
    [call] = receiver.accepted()
    assert call["json"]["delivery_id"] == delivery.pk


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:8443/hook",  # the TLS path is guarded as well
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 for 127.0.0.1
        "http://[2002:a9fe:a9fe::]/hook",  # 6to4 for 169.254.169.254
    ],
)
def test_other_spellings_of_refused_addresses_are_refused(url, requester):
    outcome, delivery = attempted(url, requester)

    assert outcome == Outcome.FAILED
    assert "loopback, link-local or unspecified" in delivery.last_error


@pytest.fixture
def fake_dns(monkeypatch):
    """Names of the exchange's network, which this machine cannot reach: resolved to the
    given addresses, and every connection attempt to them recorded (and refused)."""
    names: dict[str, list[str]] = {}
    tried: list[tuple] = []
    resolve, connect = socket.getaddrinfo, socket.create_connection

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return resolve(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in names[host]]

    def create_connection(address, *args, **kwargs):
        if not any(address[0] in addresses for addresses in names.values()):
            return connect(address, *args, **kwargs)
        tried.append(address)
        raise ConnectionRefusedError(f"{address} refused (test network)")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    # the webhook channel connects through urllib3
    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return names, tried


def test_private_networks_are_called_at_each_checked_address(requester, fake_dns):
    names, tried = fake_dns
    names["hooks.exchange.internal"] = ["10.20.0.5", "10.20.0.6"]

    outcome, delivery = attempted("http://hooks.exchange.internal:8080/hook", requester)

    assert outcome == Outcome.RETRY  # refused by the (test) network, not by us
    assert tried == [("10.20.0.5", 8080), ("10.20.0.6", 8080)]
    assert "refused (test network)" in delivery.last_error


def test_private_networks_are_refused_when_the_deployment_forbids_them(
    requester, settings, fake_dns
):
    names, tried = fake_dns
    names["hooks.exchange.internal"] = ["10.20.0.5"]
    settings.WEBHOOK_BLOCK_PRIVATE_ADDRESSES = True

    outcome, delivery = attempted("http://hooks.exchange.internal/hook", requester)

    assert outcome == Outcome.FAILED
    assert "10.20.0.5, a private address" in delivery.last_error
    assert tried == []


def test_a_name_with_one_refused_address_among_others_is_refused(requester, fake_dns):
    names, tried = fake_dns
    names["partner.example.com"] = ["203.0.113.7", "127.0.0.1"]

    outcome, delivery = attempted("http://partner.example.com/hook", requester)

    assert outcome == Outcome.FAILED
    assert "127.0.0.1" in delivery.last_error
    assert tried == []


@pytest.mark.parametrize(
    ("value", "started"),
    [(" 127.0.0.0/8, 10.0.0.1/8 ", True), ("10.0.0.0/33", False), ("localhost", False)],
)
def test_the_allowed_networks_are_checked_when_the_service_starts(value, started):
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.WEBHOOK_ALLOWED_NETWORKS)",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "WEBHOOK_ALLOWED_NETWORKS": value,
        },
        capture_output=True,
        text=True,
    )

    if started:
        assert run.returncode == 0, run.stderr
        assert "IPv4Network('127.0.0.0/8'), IPv4Network('10.0.0.0/8')" in run.stdout
    else:
        assert run.returncode != 0
        assert "ImproperlyConfigured: WEBHOOK_ALLOWED_NETWORKS" in run.stderr
