"""Fixtures of the REST API tests: a second agent, and attachments stored for real."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from tests.factories import AgentFactory
from tickets.models import Attachment


@pytest.fixture
def other_agent(db):
    return AgentFactory()


@pytest.fixture
def attach(settings, tmp_path):
    """attach(ticket, by=user, message=None, ...) -> an Attachment whose bytes are saved
    through Django's default storage, here a media folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }

    def make(
        ticket,
        *,
        by,
        message=None,
        filename="deposit-receipt.txt",
        content=b"TxID 7f3c9a confirmed on TRC20, 120 USDT\n",
        content_type="text/plain",
    ) -> Attachment:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            filename=filename,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=by,
        )
        attachment.file.save(filename, ContentFile(content), save=True)
        return attachment

    return make
