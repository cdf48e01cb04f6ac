"""Rate limits (SPEC §4: 429 `throttled` with Retry-After), counted in the cache — Redis
when REDIS_URL is set, so every web process shares the counts.

Rates come from settings.HELPDESK_THROTTLE_RATES at request time (DRF's own classes read
theirs once at import), so they can be changed per deployment and per test."""

from django.conf import settings
from rest_framework import throttling


class _SettingsRate:
    def get_rate(self):
        return settings.HELPDESK_THROTTLE_RATES.get(self.scope)


class UserThrottle(_SettingsRate, throttling.UserRateThrottle):
    """Per signed-in user (per IP for anonymous callers)."""

    scope = "user"


class IPThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Per client address, whoever is signed in: one address cannot flood us with many
    accounts. Behind a proxy, set NUM_PROXIES so the real address is used."""

    scope = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Password guesses at the token endpoint, per address."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TicketCreateThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """New tickets per user per hour (replies and reads are not counted)."""

    scope = "ticket_create"

    def allow_request(self, request, view):
        if request.method != "POST" or getattr(view, "action", None) != "create":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
