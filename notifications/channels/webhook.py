"""Webhook channel: a JSON POST signed with HMAC-SHA256 over the timestamp and the body.

Headers: `X-Helpdesk-Event`, `X-Helpdesk-Delivery`, `X-Helpdesk-Timestamp` (Unix seconds)
and `X-Helpdesk-Signature: sha256=<hex>` where the hex is
HMAC-SHA256(secret, f"{timestamp}.{body}"). Any 2xx answer means delivered.

Where a webhook may go: the endpoint's host is resolved when it is called, and the call
is refused (the delivery fails at once) when an address it resolves to is loopback,
link-local (cloud metadata services live there), unspecified, multicast or reserved, or,
with WEBHOOK_BLOCK_PRIVATE_ADDRESSES, private; WEBHOOK_ALLOWED_NETWORKS lets chosen
networks through anyway. The connection then goes to the address that was checked, so a
name that resolves elsewhere a moment later (DNS rebinding) changes nothing. An endpoint
is set by a supervisor; this keeps a stolen supervisor login from aiming the worker at
the machine's own services.
"""

import hashlib
import hmac
import ipaddress
import json
import socket
import time

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from . import Channel, PermanentFailure


def payload(delivery) -> dict:
    event, ticket = delivery.event, delivery.event.ticket
    return {
        "delivery_id": delivery.pk,
        "event": event.kind,
        "occurred_at": event.created_at.isoformat(),
        "ticket": {
            "id": ticket.pk,
            "reference": ticket.reference,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "category": ticket.category,
            "requester_id": ticket.requester_id,
            "assignee_id": ticket.assignee_id,
            "updated_at": ticket.updated_at.isoformat(),
        },
        "data": event.data,
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


class EndpointDisabled(PermanentFailure):
    pass


class AddressRefused(PermanentFailure):
    pass


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip):
    """The IPv4 address an IPv6 one stands for (mapped, NAT64, 6to4), or the address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour:
            return ip.sixtofour
    return ip


def _refusal(address: str) -> str | None:
    """Why a webhook may not be sent to `address`, or None."""
    ip = _embedded_ipv4(ipaddress.ip_address(address.split("%", 1)[0]))
    if any(ip in network for network in settings.WEBHOOK_ALLOWED_NETWORKS):  # parsed there
        return None
    if ip.is_loopback or ip.is_link_local or ip.is_unspecified:
        return "a loopback, link-local or unspecified address"
    if ip.is_multicast or ip.is_reserved:
        return "a multicast or reserved address"
    private = not ip.is_global or getattr(ip, "is_site_local", False)  # fec0::/10
    if private and settings.WEBHOOK_BLOCK_PRIVATE_ADDRESSES:
        return "a private address"
    return None


def _checked_addresses(host: str, port: int) -> list[tuple]:
    """Every address `host` resolves to, if none of them is refused."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"Cannot resolve {host}: {exc}") from None
    for *_rest, sockaddr in found:
        reason = _refusal(sockaddr[0])
        if reason:
            raise AddressRefused(f"{host} resolves to {sockaddr[0]}, {reason}.")
    return [sockaddr for *_rest, sockaddr in found]


def _post(url: str, body: bytes, headers: dict) -> int:
    """POST to `url` at one of the host's checked addresses, in turn until one connects;
    the answer's status. TLS as usual: the certificate is checked against the URL's host
    name, sent as SNI. No proxy (an environment's proxy would resolve the name itself,
    after the check) and no redirect (a receiver answers for itself)."""
    parts = urllib3.util.parse_url(url)
    if parts.scheme not in ("http", "https") or not parts.host:
        raise EndpointDisabled("Only http and https endpoints are called.")
    host = parts.host.strip("[]")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    headers = {**headers, "Host": parts.netloc}
    timeout = urllib3.Timeout(connect=settings.WEBHOOK_TIMEOUT, read=settings.WEBHOOK_TIMEOUT)
    error: Exception = OSError(f"{host} resolves to no address")
    for sockaddr in _checked_addresses(host, port):
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                sockaddr[0],
                port,
                timeout=timeout,
                retries=False,
                server_hostname=host,
                assert_hostname=host,
                cert_reqs="CERT_REQUIRED",
            )
        else:
            pool = urllib3.HTTPConnectionPool(sockaddr[0], port, timeout=timeout, retries=False)
        with pool:
            try:
                response = pool.urlopen(
                    "POST",
                    parts.request_uri,
                    body=body,
                    headers=headers,
                    redirect=False,
                    retries=False,
                )
            except (NewConnectionError, ConnectTimeoutError) as exc:
                error = exc  # this address does not answer: try the next
                continue
            return response.status
    raise error


class Webhook(Channel):
    """To integrators' endpoints (WebhookEndpoint), not to users."""

    name = "webhook"
    label = _("Webhook")

    def deliveries(self, event, recipients: list) -> list:
        from ..models import Delivery, WebhookEndpoint

        return [
            Delivery(event=event, channel=self.name, endpoint=endpoint)
            for endpoint in WebhookEndpoint.objects.filter(active=True)
            if endpoint.wants(event.kind)
        ]

    def send(self, delivery) -> None:
        endpoint = delivery.endpoint
        if not endpoint.active:
            raise EndpointDisabled("The endpoint was deactivated.")
        body = json.dumps(payload(delivery), separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        status = _post(
            endpoint.url,
            body,
            {
                "Content-Type": "application/json",
                "User-Agent": "Helpdesk-Webhook/1",
                "X-Helpdesk-Event": delivery.event.kind,
                "X-Helpdesk-Delivery": str(delivery.pk),
                "X-Helpdesk-Timestamp": timestamp,
                "X-Helpdesk-Signature": signature(endpoint.secret, timestamp, body),
            },
        )
        if not 200 <= status < 300:
            raise RuntimeError(f"Webhook answered {status}")
