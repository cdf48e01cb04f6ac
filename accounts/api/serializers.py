"""Parse and render the sign-in, sign-out and password change (SPEC §4)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from helpdesk.serializers import Serializer

# Django's own bound on usernames; axes records the username of every failed login.
USERNAME_MAX_LENGTH = 150
# A password is hashed on every login attempt: no megabyte-long ones.
PASSWORD_MAX_LENGTH = 4096


def _password_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=PASSWORD_MAX_LENGTH,
        style={"input_type": "password"},
        **kwargs,
    )


@extend_schema_serializer(
    component_name="Login", description="Your username and password, for a new token."
)
class LoginSerializer(Serializer):
    username = serializers.CharField(write_only=True, max_length=USERNAME_MAX_LENGTH)
    password = _password_field()


@extend_schema_serializer(
    component_name="Token",
    description="A new token: send it as `Authorization: Token <token>` in every request.",
)
class TokenSerializer(Serializer):
    token = serializers.CharField(
        read_only=True,
        help_text="Send it as `Authorization: Token <token>`. Shown this once: only its hash "
        "is kept.",
    )
    expires_at = serializers.DateTimeField(
        read_only=True,
        help_text="When the token stops working unless it is used: each use moves this to "
        "TOKEN_TTL_HOURS later (at most once an hour).",
    )


@extend_schema_serializer(
    component_name="PasswordChange",
    description="Your current password, and the new one.",
)
class PasswordChangeSerializer(Serializer):
    old_password = _password_field()
    new_password = _password_field(
        help_text="Checked by the password rules (length, not too common, not all digits, "
        "not like the username). Every other token of yours is revoked."
    )

    def validate_new_password(self, value: str) -> str:
        try:
            password_validation.validate_password(value, self.context["request"].user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from None
        return value
