"""Every notification channel, by name: the one list the rest of the project reads."""

from . import Channel
from .email import Email
from .inapp import InSite
from .webhook import Webhook

CHANNELS: dict[str, Channel] = {channel.name: channel for channel in (InSite(), Email(), Webhook())}
