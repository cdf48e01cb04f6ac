"""In-site channel: a Notification row, at most one per delivery."""

from ..content import render
from ..models import Notification


def send(delivery) -> None:
    from ..services import preferences_for

    event = delivery.event
    content = render(event, preferences_for(delivery.recipient).language)
    # INSERT ... ON CONFLICT DO NOTHING on the one-to-one: a second run for the same
    # delivery adds nothing, in one statement (get_or_create took four round trips).
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
