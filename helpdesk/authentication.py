"""Token authentication that reads the caller's preferences with the token: every view
answers in the caller's language (helpdesk.api), so this saves a query per request."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from helpdesk.db import CompiledQuery

# Every authenticated request runs it: compiled once, it costs a third of what the ORM
# took to build the same three-table query each time (bench/README.md, issue #6).
# A user without preferences yet gets them on first use (preferences_for).
_token_with_user = CompiledQuery(
    lambda key: Token.objects.select_related("user__preferences").filter(key=key).order_by()[:1]
)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token = _token_with_user.first(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
