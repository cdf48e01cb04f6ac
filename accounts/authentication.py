"""API tokens: `Authorization: Token <key>` (SPEC §4).

django-rest-knox's tokens (stored as hashes, several per user, expiring unless used), read
the way knox reads them — the row by the key's first characters, then the hash compared
in constant time — but in one query with the user and the user's preferences, so that
every view can answer in the caller's language without another query (helpdesk.api).
Knox's own reading also deletes the user's other expired tokens, a query and a write on
every request; here the hourly `accounts.tasks.purge_expired_tokens` does that."""

from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox import auth
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from . import services


class TokenAuthentication(auth.TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        key = token.decode("utf-8", errors="replace")
        # Keys are hexadecimal: anything else cannot match, and a NUL byte could not even
        # be sent to PostgreSQL.
        if not (key.isascii() and key.isalnum()):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        digest = hash_token(key)
        candidates = AuthToken.objects.select_related("user__preferences").filter(
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]
        )
        for auth_token in candidates:
            if compare_digest(digest, auth_token.digest):
                break
        else:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if auth_token.expiry is not None and auth_token.expiry <= timezone.now():
            services.token_revoke(token=auth_token)
            raise exceptions.AuthenticationFailed(_("Token expired: sign in again."))
        if knox_settings.AUTO_REFRESH and auth_token.expiry is not None:
            self.renew_token(auth_token)  # writes only once in MIN_REFRESH_INTERVAL
        return self.validate_user(auth_token)
