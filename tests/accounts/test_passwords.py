"""A password change revokes the user's tokens (SPEC §4): over the API every token but the
one used, through the admin (Django's own forms) every one of them."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.tickets.api.support import assert_error

from .conftest import ME_URL, PASSWORD_URL, with_token

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "purple monkey dishwasher 42"


def test_changing_the_password_revokes_every_token_but_the_one_used(requester, token_of, api_login):
    phone, laptop, script = token_of(requester), token_of(requester), token_of(requester)

    response = with_token(phone).post(
        PASSWORD_URL, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 204
    assert with_token(phone).get(ME_URL).status_code == 200
    for key in (laptop, script):
        assert_error(with_token(key).get(ME_URL), 401, "authentication_failed")
    assert api_login(requester.username, NEW_PASSWORD).status_code == 200
    assert_error(api_login(requester.username, PASSWORD), 400, "validation_error")


def test_a_wrong_old_password_changes_nothing(requester, token_of, api_login):
    phone, laptop = token_of(requester), token_of(requester)

    response = with_token(phone).post(
        PASSWORD_URL, {"old_password": "not it", "new_password": NEW_PASSWORD}, format="json"
    )

    body = assert_error(response, 400, "validation_error")
    assert set(body["errors"]) == {"old_password"}
    assert with_token(laptop).get(ME_URL).status_code == 200
    assert api_login(requester.username, PASSWORD).status_code == 200


@pytest.mark.parametrize("weak", ["12345678", "short", "password"])
def test_a_weak_new_password_is_refused_by_djangos_validators(requester, token_of, weak):
    phone, laptop = token_of(requester), token_of(requester)

    response = with_token(phone).post(
        PASSWORD_URL, {"old_password": PASSWORD, "new_password": weak}, format="json"
    )

    body = assert_error(response, 400, "validation_error")
    assert set(body["errors"]) == {"new_password"}
    assert with_token(laptop).get(ME_URL).status_code == 200


def test_missing_fields_are_named(requester, token_of):
    response = with_token(token_of(requester)).post(PASSWORD_URL, {}, format="json")

    body = assert_error(response, 400, "validation_error")
    assert set(body["errors"]) == {"old_password", "new_password"}


def test_a_password_change_needs_a_caller(db):
    from rest_framework.test import APIClient

    response = APIClient().post(
        PASSWORD_URL, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    assert_error(response, 401, "not_authenticated")


def test_a_browsable_api_session_survives_its_own_password_change(requester, token_of):
    token = token_of(requester)
    browser = Client(enforce_csrf_checks=False)
    browser.force_login(requester)

    response = browser.post(
        PASSWORD_URL,
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 204
    assert browser.get(ME_URL).status_code == 200
    assert_error(with_token(token).get(ME_URL), 401, "authentication_failed")


# --- through the admin: Django's own password forms -----------------------------------------


def test_a_supervisor_setting_a_users_password_in_the_admin_revokes_their_tokens(token_of):
    from django.contrib.auth import get_user_model

    user = UserFactory()
    tokens = [token_of(user), token_of(user)]
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    admin = Client()
    admin.force_login(superuser)

    response = admin.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    for key in tokens:
        assert_error(with_token(key).get(ME_URL), 401, "authentication_failed")


def test_an_agent_changing_their_own_password_in_the_admin_revokes_their_tokens(token_of):
    agent = AgentFactory()
    key = token_of(agent)
    desk = Client()
    desk.force_login(agent)

    response = desk.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert_error(with_token(key).get(ME_URL), 401, "authentication_failed")
    assert desk.get("/admin/").status_code == 200  # their own session goes on
