"""`make run` writes the emails the worker sends to var/mail/, one file per message
(Django's file backend), rather than into the worker's log."""

import pytest

from notifications.models import Delivery
from notifications.services import delivery_attempt
from tests.factories import TicketFactory
from tests.helpers import fan_out
from tickets import services

pytestmark = pytest.mark.django_db


def test_one_file_per_email(settings, tmp_path, agent):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    ticket = TicketFactory()
    services.message_add(ticket=ticket, author=agent, body="The TxID, please.")
    fan_out()
    emails = Delivery.objects.filter(channel="email").order_by("pk")

    for delivery in emails:
        delivery_attempt(delivery.pk)

    files = sorted(tmp_path.iterdir())
    assert len(files) == emails.count() >= 2
    texts = [path.read_text() for path in files]
    assert sum("The TxID, please." in text for text in texts) == 1
    assert all(text.count("\nSubject: ") == 1 for text in texts)
