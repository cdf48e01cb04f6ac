"""A password change revokes the user's API tokens (SPEC §4), whichever way it is made.

Django has no signal for a password change. It does tell every entry of
AUTH_PASSWORD_VALIDATORS, through the documented `password_changed(password, user)`, each
time a user is saved after `set_password()`: the admin's password forms, `manage.py
changepassword`, a password reset and POST /api/v1/me/password/ alike. This entry checks
nothing; it is there to hear of the change. (A password made unusable with
`set_unusable_password()` is not reported by Django; deactivate the user to cut off their
tokens at once.)"""

from django.utils.translation import gettext as _

from . import services


class TokensRevokedOnPasswordChange:
    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is None or user.pk is None:
            return
        services.tokens_revoke(user=user, keep=getattr(user, services.TOKEN_KEPT, None))

    def get_help_text(self) -> str:
        return _("Changing the password signs out every app and script that uses an API token.")
