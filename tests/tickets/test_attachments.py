"""Files sent with a ticket or a reply: checked by content, stored, downloadable by those
who may see them, and never left behind by a refused request."""

import hashlib
import struct
import zlib

import pytest

from tests.factories import TicketFactory, ticket_in
from tests.helpers import stored_files, upload
from tickets.models import Attachment, Message, Status, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def ticket_form(**extra) -> dict:
    return {
        "subject": "Withdrawal stuck",
        "description": "Screenshot and log attached.",
        "category": "deposit_withdrawal",
        **extra,
    }


def test_files_sent_with_a_ticket_are_checked_stored_and_embedded(client_for, requester, media):
    log = "2026-11-28 10:00:01 ERROR withdraw failed code=WD_1003\n提现失败\n".encode()
    response = client_for(requester).post(
        URL,
        ticket_form(
            attachments=[
                upload("../../etc/screen shot.txt", png_bytes(), "text/plain"),
                upload("app.log", log),
            ]
        ),
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    files = {item["filename"]: item for item in response.json()["attachments"]}
    # named safely, typed by the bytes (not the client's header or the extension)
    assert files["screen shot.txt"]["content_type"] == "image/png"
    assert files["app.log"]["content_type"] == "text/plain"
    assert files["app.log"]["sha256"] == hashlib.sha256(log).hexdigest()
    assert files["app.log"]["size"] == len(log)
    assert len(stored_files(media)) == 2

    download = client_for(requester).get(files["app.log"]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == log
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_refused_file_leaves_no_ticket_and_no_file(client_for, requester, media):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client_for(requester).post(
        URL,
        ticket_form(attachments=[upload("ok.png", png_bytes()), upload("logo.png", svg)]),
        format="multipart",
    )

    assert response.status_code == 415
    body = response.json()
    assert body["code"] == "unsupported_media_type"
    assert "logo.png" in body["detail"]
    assert Ticket.objects.count() == 0
    assert stored_files(media) == []


def test_a_file_over_the_limit_is_a_413_and_leaves_nothing(client_for, requester, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = client_for(requester).post(
        URL, ticket_form(attachments=[upload("big.log", b"x" * 1001)]), format="multipart"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert Ticket.objects.count() == 0 and stored_files(media) == []


def test_too_many_files_is_a_validation_error(client_for, requester, media, settings):
    settings.ATTACHMENT_MAX_FILES = 2
    files = [upload(f"{n}.log", b"line\n") for n in range(3)]
    response = client_for(requester).post(URL, ticket_form(attachments=files), format="multipart")
    assert response.status_code == 400
    assert "attachments" in response.json()["errors"]
    assert Ticket.objects.count() == 0 and stored_files(media) == []


def test_a_request_body_over_the_limit_is_a_413(client_for, requester, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client_for(requester).post(URL, ticket_form(description="y" * 20_000), format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert Ticket.objects.count() == 0


def test_a_reply_with_files_and_a_failure_after_storing_removes_the_files(
    client_for, requester, agent, media, monkeypatch
):
    ticket = TicketFactory(requester=requester)

    def broken_notify(**kwargs):
        raise RuntimeError("database went away mid-request")

    monkeypatch.setattr("tickets.services.notify", broken_notify)
    client = client_for(agent)
    client.raise_request_exception = False
    response = client.post(
        f"{URL}{ticket.pk}/messages/",
        {"body": "See the attached log.", "attachments": [upload("a.log", b"ok\n")]},
        format="multipart",
    )

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert Message.objects.count() == 0 and Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_internal_note_files_stay_with_agents(client_for, requester, agent, media):
    ticket = ticket_in(Status.OPEN, agent=agent, requester=requester)
    response = client_for(agent).post(
        f"{URL}{ticket.pk}/messages/",
        {
            "body": "Chain analysis",
            "internal": True,
            "attachments": [upload("kyt.csv", b"a,b\n1,2\n")],
        },
        format="multipart",
    )
    assert response.status_code == 201
    [attachment] = response.json()["attachments"]
    assert attachment["content_type"] == "text/csv"

    assert client_for(agent).get(attachment["url"]).status_code == 200
    hidden = client_for(requester).get(attachment["url"])
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "not_found"


def test_storage_failure_midway_removes_the_files_already_written(requester, media, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from tickets import services

    original = FileSystemStorage._save
    calls = {"n": 0}

    def flaky_save(self, name, content):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return original(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", flaky_save)
    with pytest.raises(OSError):
        services.ticket_create(
            requester=requester,
            subject="Two files",
            description="One will fail",
            files=[upload("1.log", b"one\n"), upload("2.log", b"two\n")],
        )
    assert Ticket.objects.count() == 0
    assert stored_files(media) == []
