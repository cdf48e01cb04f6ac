"""Token authentication that reads the caller's preferences with the token: every view
answers in the caller's language (helpdesk.api), so this saves a query per request."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        token = (
            model.objects.select_related("user__preferences").filter(key=key).first()
        )  # a user without preferences yet gets them on first use (preferences_for)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
