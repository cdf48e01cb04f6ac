"""Limits on password guessing (SPEC §4), for the admin's login and the token endpoint.

Per account: django-axes counts failed logins per username in the database, whatever the
address, and refuses the account for LOGIN_LOCKOUT_MINUTES once LOGIN_FAILURE_LIMIT is
reached (helpdesk.settings, AXES_*: the functions below are the settings axes reads). Per
address: the API's login throttle (helpdesk.throttling.LoginLimits, THROTTLE_LOGIN_RATE)
also guards the admin's login form. Neither needs Redis: axes keeps its counts in the
database, and the throttle counts in each process's memory while Redis is down.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.throttling import BaseThrottle

from helpdesk.throttling import LoginLimits


def failure_limit(request=None, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: failed logins that lock an account."""
    return settings.LOGIN_FAILURE_LIMIT


def lockout_duration(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: how long a locked account stays locked."""
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the throttles use (NUM_PROXIES honoured)."""
    return BaseThrottle().get_ident(request)


def is_locked_out(request) -> bool:
    """Whether django-axes refused the last authenticate() of this request for a lock, or
    locked the account with it (the flag it sets on the request for its middleware)."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_remaining(username: str) -> int:
    """Seconds until the account's lock ends: the lock runs from its last counted failure."""
    from axes.models import AccessAttempt

    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))
    if last["last"] is None:
        return 0
    remaining = last["last"] + lockout_duration() - timezone.now()
    return max(math.ceil(remaining.total_seconds()), 1)


def lockout_response(request, response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin's page for a locked account (429, Retry-After)."""
    username = (credentials or {}).get(get_user_model().USERNAME_FIELD) or ""
    wait = lockout_remaining(username)
    minutes = math.ceil(wait / 60)
    message = ngettext(
        "This account is locked after too many failed logins. Try again in %(minutes)d "
        "minute, or ask an administrator to unlock it.",
        "This account is locked after too many failed logins. Try again in %(minutes)d "
        "minutes, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}
    return _refused(request, message, wait)


def admin_login(request, extra_context=None):
    """The admin's login view, with the token endpoint's limit per client address on its
    POSTs (helpdesk/urls.py serves it at the admin's login URL)."""
    if request.method == "POST":
        limits = LoginLimits()
        if not limits.allow_request(request, None):
            wait = math.ceil(limits.wait() or 1)
            message = ngettext(
                "Too many login attempts from your address. Try again in %(seconds)d second.",
                "Too many login attempts from your address. Try again in %(seconds)d seconds.",
                wait,
            ) % {"seconds": wait}
            return _refused(request, message, wait)
    return admin.site.login(request, extra_context)


def _refused(request, message: str, wait: int):
    context = {**admin.site.each_context(request), "title": _("Login refused"), "message": message}
    response = render(request, "accounts/login_refused.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
