"""In-site channel: a Notification row, at most one per delivery."""

from django.utils.translation import gettext_lazy as _

from ..content import render
from ..models import Notification
from . import Channel


class InSite(Channel):
    name = "in_site"
    label = _("In-site")
    preference = "in_site_enabled"

    def send(self, delivery) -> None:
        event = delivery.event
        content = render(event, delivery.recipient.preferences.language)
        # INSERT ... ON CONFLICT DO NOTHING on the one-to-one: a second run for the same
        # delivery adds nothing.
        Notification.objects.bulk_create(
            [
                Notification(
                    delivery=delivery,
                    recipient=delivery.recipient,
                    ticket=event.ticket,
                    event=event.kind,
                    title=content.title,
                    body=content.body,
                )
            ],
            ignore_conflicts=True,
        )
