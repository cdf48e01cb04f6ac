"""Email providers' inbound webhooks (SPEC §10) at /inbound/<provider>/, through
django-anymail: the provider's view checks the request (HTTP basic auth with
ANYMAIL_WEBHOOK_SECRET; Mailgun also its HMAC signature with MAILGUN_WEBHOOK_SIGNING_KEY),
reads the message, and sends anymail's `inbound` signal, whose receiver here hands the raw
message to the intake. A provider whose check is not configured is not served at all.

Answers: 200 once the message is stored or deliberately ignored; 400 (the API's error
shape) for a request that fails the check or carries no email; 503 with Retry-After when
the database or storage is down, so the provider delivers it again.
"""

import base64
import logging
from email import policy

from anymail.exceptions import AnymailError
from anymail.signals import inbound
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.dispatch import receiver
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .parsing import Refused
from .services import TemporaryFailure, email_receive

logger = logging.getLogger(__name__)

# provider in the URL -> (anymail's inbound view, the ANYMAIL setting its check needs)
PROVIDERS = {
    "amazon_ses": (AmazonSESInboundWebhookView, "WEBHOOK_SECRET"),
    "mailgun": (MailgunInboundWebhookView, "MAILGUN_WEBHOOK_SIGNING_KEY"),
    "postmark": (PostmarkInboundWebhookView, "WEBHOOK_SECRET"),
    "sendgrid": (SendGridInboundWebhookView, "WEBHOOK_SECRET"),
}
_VIEWS = {name: view.as_view() for name, (view, _setting) in PROVIDERS.items()}
RETRY_AFTER_SECONDS = 60


def _error(status: int, code: str, detail: str, **headers) -> JsonResponse:
    response = JsonResponse({"code": code, "detail": detail}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


@csrf_exempt
def inbound_webhook(request: HttpRequest, provider: str):
    configured = provider in PROVIDERS and settings.ANYMAIL.get(PROVIDERS[provider][1])
    if not configured:
        return _error(404, "not_found", "No inbound webhook is configured for this provider.")
    try:
        return _VIEWS[provider](request)
    except TemporaryFailure as exc:
        logger.warning("inbound %s webhook: try again later: %s", provider, exc)
        return _error(
            503,
            "temporarily_unavailable",
            "The message could not be stored now; deliver it again later.",
            **{"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    except Refused as exc:
        logger.warning("inbound %s webhook: refused: %s", provider, exc)
        return _error(400, "not_an_email", f"The message was refused: {exc}")
    except (AnymailError, SuspiciousOperation) as exc:
        # A failed signature or basic-auth check, or a payload that is not the provider's.
        logger.warning("inbound %s webhook: bad request: %s", provider, type(exc).__name__)
        return _error(400, "invalid_webhook", "The request is not a valid inbound webhook.")


@receiver(inbound, dispatch_uid="mail.inbound")
def _on_inbound(sender, event, esp_name, **kwargs) -> None:
    email_receive(raw=_raw(event), source=esp_name.lower().replace(" ", "_"), dmarc=_dmarc(event))


def _raw(event) -> bytes:
    """The message's bytes as the provider received them where its payload carries them
    (SES's SNS content, Mailgun's raw MIME), else as anymail rebuilt them."""
    esp_event = event.esp_event
    if isinstance(esp_event, dict) and isinstance(esp_event.get("content"), str):
        content = esp_event["content"]
        action = esp_event.get("receipt", {}).get("action", {})
        if action.get("encoding") == "BASE64":
            return base64.b64decode(content)
        return content.encode("utf-8", "surrogateescape")
    if isinstance(esp_event, HttpRequest):
        for name in ("body-mime", "email"):  # Mailgun's and SendGrid's raw MIME fields
            if name in esp_event.POST:
                return esp_event.POST[name].encode("utf-8", "surrogateescape")
    try:
        return event.message.as_bytes(policy=policy.default)
    except Exception:  # noqa: BLE001 - a message the policy cannot write: as it stands
        return event.message.as_string(policy=policy.compat32).encode("utf-8", "surrogateescape")


def _dmarc(event) -> str | None:
    """Amazon SES's own DMARC verdict, which it gives beside the message."""
    esp_event = event.esp_event
    if isinstance(esp_event, dict):
        status = esp_event.get("receipt", {}).get("dmarcVerdict", {}).get("status", "")
        return status.lower() or None
    return None
