"""Email providers' inbound webhooks through django-anymail (SPEC §10): Amazon SES (SNS,
basic auth) and Mailgun (its HMAC signature), with payloads signed here as the providers
sign theirs."""

import base64
import hashlib
import hmac
import json
import time
import uuid

import pytest

from mail import inbound
from mail.services import TemporaryFailure
from tests.mail.builders import email
from tests.mail.test_bad_input import PNG
from tickets.models import Attachment, Channel, Flag, Ticket

pytestmark = pytest.mark.django_db

SECRET = "hooks:s3cret-basic-auth"
SIGNING_KEY = "key-mailgun-signing-0123456789"


@pytest.fixture(autouse=True)
def configured(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def basic_auth(credentials: str = SECRET) -> dict:
    token = base64.b64encode(credentials.encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def ses_notification(raw: bytes, *, dmarc: str = "PASS") -> tuple[str, dict]:
    """An SNS notification of an SES receipt rule's SNS action (BASE64 encoding)."""
    ses_event = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-11-30T10:00:00.000Z",
            "source": "dave@example.org",
            "messageId": "ses-" + uuid.uuid4().hex,
            "destination": ["support@helpdesk.test"],
        },
        "receipt": {
            "recipients": ["support@helpdesk.test"],
            "spamVerdict": {"status": "PASS"},
            "dmarcVerdict": {"status": dmarc},
            "action": {
                "type": "SNS",
                "topicArn": "arn:aws:sns:us-east-1:123456789012:helpdesk-inbound",
                "encoding": "BASE64",
            },
        },
        "content": base64.b64encode(raw).decode(),
    }
    message_id = str(uuid.uuid4())
    body = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:helpdesk-inbound",
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": json.dumps(ses_event),
        "Timestamp": "2026-11-30T10:00:01.000Z",
        "SignatureVersion": "1",
        "Signature": "",
        "SigningCertURL": "",
        "UnsubscribeURL": "",
    }
    headers = {
        "HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification",
        "HTTP_X_AMZ_SNS_MESSAGE_ID": message_id,
    }
    return json.dumps(body), headers


def post_ses(client, raw: bytes, auth: dict | None = None, **kwargs):
    body, headers = ses_notification(raw, **kwargs)
    return client.post(
        "/inbound/amazon_ses/",
        data=body,
        content_type="text/plain; charset=UTF-8",  # as SNS sends it
        **headers,
        **(basic_auth() if auth is None else auth),
    )


def mailgun_signature(key: str = SIGNING_KEY) -> dict:
    timestamp, token = str(int(time.time())), uuid.uuid4().hex
    digest = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {"timestamp": timestamp, "token": token, "signature": digest.hexdigest()}


def test_ses_delivers_a_message_that_becomes_a_ticket(client):
    response = post_ses(client, email(sender="ses-user@example.org", subject="Via SES"))
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.channel) == ("Via SES", Channel.EMAIL)
    assert ticket.requester.email == "ses-user@example.org"


def test_ses_without_or_with_wrong_basic_auth_stores_nothing(client):
    assert post_ses(client, email(), auth={}).status_code == 401  # SNS's auth challenge
    wrong = post_ses(client, email(), auth=basic_auth("hooks:guess"))
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_webhook"
    assert not Ticket.objects.exists()


def test_ses_dmarc_failure_flags_the_sender_unverified(client):
    post_ses(client, email(subject="forged"), dmarc="FAIL")
    assert Ticket.objects.get().flags == [Flag.SENDER_UNVERIFIED]


def test_mailgun_raw_mime_with_a_valid_signature_becomes_a_ticket(client):
    raw = email(sender="mg-user@example.org", subject="Via Mailgun")
    data = {
        "recipient": "support@helpdesk.test",
        "sender": "mg-user@example.org",
        "body-mime": raw.decode(),
        **mailgun_signature(),
    }
    response = client.post("/inbound/mailgun/", data=data, **basic_auth())
    assert response.status_code == 200
    assert Ticket.objects.get().subject == "Via Mailgun"


def test_mailgun_parsed_fields_with_attachments_become_a_ticket(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "recipient": "support@helpdesk.test",
        "sender": "parsed@example.org",
        "from": "Parsed User <parsed@example.org>",
        "subject": "Parsed form",
        "body-plain": "See the screenshot.",
        "message-headers": json.dumps(
            [
                ["From", "Parsed User <parsed@example.org>"],
                ["To", "support@helpdesk.test"],
                ["Subject", "Parsed form"],
                ["Message-Id", "<parsed-1@example.org>"],
            ]
        ),
        "attachment-count": "1",
        "attachment-1": SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        **mailgun_signature(),
    }
    response = client.post("/inbound/mailgun/", data=data, **basic_auth())
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.description) == ("Parsed form", "See the screenshot.")
    assert Attachment.objects.get(ticket=ticket).filename == "shot.png"


def test_mailgun_with_a_bad_signature_stores_nothing(client):
    data = {"body-mime": email().decode(), **mailgun_signature("key-not-ours")}
    response = client.post("/inbound/mailgun/", data=data, **basic_auth())
    assert response.status_code == 400 and response.json()["code"] == "invalid_webhook"
    assert not Ticket.objects.exists()


def test_an_unconfigured_or_unknown_provider_is_not_served(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "", "MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    assert post_ses(client, email()).status_code == 404
    assert client.post("/inbound/mailgun/", data={}).status_code == 404
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    response = client.post("/inbound/nowhere/", data={}, **basic_auth())
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_while_the_database_is_down_the_provider_is_told_to_retry(client, monkeypatch):
    def down(**kwargs):
        raise TemporaryFailure("database unavailable: OperationalError")

    monkeypatch.setattr(inbound, "email_receive", down)
    response = post_ses(client, email())
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.json()["code"] == "temporarily_unavailable"


def test_a_payload_that_is_not_an_email_is_refused_cleanly(client):
    response = post_ses(client, b"\x00\x01 not a message at all")
    assert response.status_code == 400
    assert response.json()["code"] == "not_an_email"
