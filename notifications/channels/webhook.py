"""Webhook channel: a JSON POST signed with HMAC-SHA256 over the timestamp and the body.

Headers: `X-Helpdesk-Event`, `X-Helpdesk-Delivery`, `X-Helpdesk-Timestamp` (Unix seconds)
and `X-Helpdesk-Signature: sha256=<hex>` where the hex is
HMAC-SHA256(secret, f"{timestamp}.{body}"). Any 2xx answer means delivered.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from . import PermanentFailure


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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver answers for itself: a redirect is a failure, never followed elsewhere."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


class EndpointDisabled(PermanentFailure):
    pass


def send(delivery) -> None:
    endpoint = delivery.endpoint
    if not endpoint.active:
        raise EndpointDisabled("The endpoint was deactivated.")
    if urllib.parse.urlsplit(endpoint.url).scheme not in ("http", "https"):
        raise EndpointDisabled("Only http and https endpoints are called.")
    body = json.dumps(payload(delivery), separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Helpdesk-Webhook/1",
            "X-Helpdesk-Event": delivery.event.kind,
            "X-Helpdesk-Delivery": str(delivery.pk),
            "X-Helpdesk-Timestamp": timestamp,
            "X-Helpdesk-Signature": signature(endpoint.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"Webhook answered {exc.code}") from None
    if not 200 <= status < 300:
        raise RuntimeError(f"Webhook answered {status}")
