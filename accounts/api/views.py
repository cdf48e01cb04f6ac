"""Thin views: sign in for a token, sign a token out, change the password (SPEC §4)."""

from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from helpdesk.api import ApiViewMixin
from helpdesk.openapi import errors
from helpdesk.throttling import LoginLimits

from .. import services
from ..authentication import TokenAuthentication
from ..login_limits import is_locked_out, lockout_remaining
from .serializers import LoginSerializer, PasswordChangeSerializer, TokenSerializer


class LoginLocked(exceptions.Throttled):
    """429 `login_locked`: the account is locked after LOGIN_FAILURE_LIMIT failed logins."""

    default_code = "login_locked"
    default_detail = _("This account is locked after too many failed logins.")


def _check_password(request, *, username: str, password: str):
    """The user, or None for a wrong password; LoginLocked while the account is locked
    (django-axes counts every failure here, whichever endpoint it comes from)."""
    user = authenticate(request=request, username=username, password=password)
    if user is None and is_locked_out(request):
        raise LoginLocked(wait=lockout_remaining(username))
    return user


LOGIN_REFUSED = OpenApiResponse(
    description="throttled (too many logins from your address) or login_locked (too many "
    "failed logins for this account, whatever the address), with Retry-After"
)


class TokenView(ApiViewMixin, GenericAPIView):
    serializer_class = LoginSerializer
    authentication_classes = [TokenAuthentication]

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    def get_throttles(self):
        if self.request.method == "POST":
            return [LoginLimits()]
        return super().get_throttles()

    @extend_schema(
        summary="Sign in: a new token",
        description="Each call makes a new token (one per device or script), valid for "
        "TOKEN_TTL_HOURS after its last use. Limited per address (THROTTLE_LOGIN_RATE) and "
        "per account (LOGIN_FAILURE_LIMIT failures lock it for LOGIN_LOCKOUT_MINUTES).",
        responses={200: TokenSerializer, **errors(400), 429: LOGIN_REFUSED},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _check_password(request, **serializer.validated_data)
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}
            )
        token, key = services.token_create(user=user)
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response(TokenSerializer({"token": key, "expires_at": token.expiry}).data)

    @extend_schema(
        summary="Sign out: revoke the token used",
        description="Revokes the token this request carries; the caller's other tokens keep "
        "working.",
        request=None,
        responses={204: OpenApiResponse(description="Revoked"), **errors(401)},
    )
    def delete(self, request):
        services.token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordView(ApiViewMixin, GenericAPIView):
    serializer_class = PasswordChangeSerializer

    @extend_schema(
        summary="Change your password",
        description="Revokes every token of yours but the one used (a browsable-API "
        "session stays signed in). A wrong old password counts as a failed login.",
        responses={
            204: OpenApiResponse(description="Changed"),
            **errors(400, 401),
            429: LOGIN_REFUSED,
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        checked = _check_password(
            request,
            username=user.get_username(),
            password=serializer.validated_data["old_password"],
        )
        if checked is None or checked.pk != user.pk:
            raise exceptions.ValidationError(
                {"old_password": [_("Your old password was entered incorrectly.")]}
            )
        token = request.auth if isinstance(request.auth, AuthToken) else None
        services.password_change(
            user=user, new_password=serializer.validated_data["new_password"], keep=token
        )
        if token is None:  # a session: keep it, as Django's own password change does
            update_session_auth_hash(request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)
