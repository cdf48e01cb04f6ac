"""Token authentication that reads the caller's preferences with the token: every view
answers in the caller's language (helpdesk.api), so this saves a query per request."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            # A user without preferences yet gets them on first use (preferences_for).
            token = model.objects.select_related("user__preferences").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
