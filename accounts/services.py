"""Every write about people's access: API tokens and passwords (SPEC §4)."""

from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

# Set on the user by password_change() while it saves: the token that survives the change.
# accounts.validators reads it when Django reports the change.
TOKEN_KEPT = "helpdesk_token_kept"


def token_create(*, user: AbstractBaseUser) -> tuple[AuthToken, str]:
    """A new token of the user's, expiring TOKEN_TTL_HOURS from now unless used. Returns the
    row and the key: the key is shown this once and stored only as its hash."""
    return AuthToken.objects.create(user=user)


def token_revoke(*, token: AuthToken) -> None:
    token.delete()


def tokens_revoke(*, user: AbstractBaseUser, keep: AuthToken | None = None) -> int:
    """Revokes every token of the user's but `keep`. Returns how many."""
    tokens = AuthToken.objects.filter(user=user)
    if keep is not None:
        tokens = tokens.exclude(pk=keep.pk)
    deleted, _per_model = tokens.delete()
    return deleted


def tokens_purge_expired(*, now: datetime | None = None) -> int:
    """Deletes the tokens that have expired (an expired token is refused anyway)."""
    deleted, _per_model = AuthToken.objects.filter(expiry__lte=now or timezone.now()).delete()
    return deleted


def password_change(
    *, user: AbstractBaseUser, new_password: str, keep: AuthToken | None = None
) -> None:
    """Sets the password (validated by the caller). Saving it revokes the user's tokens
    (accounts.validators), all of them but `keep`, the one the change was made with."""
    with transaction.atomic():
        user.set_password(new_password)
        setattr(user, TOKEN_KEPT, keep)
        try:
            user.save(update_fields=["password"])
        finally:
            delattr(user, TOKEN_KEPT)
