"""The notification channels (SPEC §5): one class each, listed in registry.py.

A channel says which deliveries an event gets on it (`deliveries()`) and how one is sent
(`send()`: return when delivered, raise to retry, raise PermanentFailure when retrying
cannot help). Everything else follows from the class: its Celery queue, its value of
`Delivery.channel`, and, with `preference`, the switch users turn it on and off with in
`/api/v1/me/`. To add a channel, write its class in a module of this package and add an
instance to CHANNELS in registry.py.
"""

from django.utils.functional import Promise


class PermanentFailure(Exception):
    """The delivery cannot succeed (e.g. its webhook endpoint was deactivated)."""


class Channel:
    name: str = ""
    label: str | Promise = ""
    # The Preferences field that turns the channel on and off for a user; None for a
    # channel that does not go to users.
    preference: str | None = None

    @property
    def queue(self) -> str:
        """The Celery queue its deliveries wait on."""
        return f"notify.{self.name}"

    def wanted_by(self, user) -> bool:
        """Whether `user` (with `user.preferences` loaded) gets this channel."""
        return self.preference is not None and getattr(user.preferences, self.preference)

    def deliveries(self, event, recipients: list) -> list:
        """Unsaved Delivery rows for `event` on this channel: one per recipient who wants it."""
        from ..models import Delivery

        return [
            Delivery(event=event, channel=self.name, recipient=user)
            for user in recipients
            if self.wanted_by(user)
        ]

    def send(self, delivery) -> None:
        raise NotImplementedError
