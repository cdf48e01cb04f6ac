"""Signing in with a token, and the one error shape every failure answers in (SPEC §4)."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import PASSWORD, TicketFactory, ticket_in
from tickets.models import Status, Ticket

from .support import (
    ME_URL,
    TICKETS_URL,
    TOKEN_URL,
    assert_error,
    ticket_url,
    transitions_url,
)

NEW_TICKET = {
    "subject": "Deposit not credited",
    "description": "I deposited 0.5 ETH three hours ago; the explorer shows 64 confirmations.",
    "category": "deposit_withdrawal",
}


# --- POST /api/v1/auth/token/ ------------------------------------------------------------


def test_good_credentials_return_a_new_token_of_the_users(requester):
    response = APIClient().post(
        TOKEN_URL, {"username": requester.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires_at"}
    assert AuthToken.objects.filter(user=requester).count() == 1


def test_the_token_returned_authenticates_the_next_requests(requester):
    given_token = APIClient().post(
        TOKEN_URL, {"username": requester.username, "password": PASSWORD}, format="json"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {given_token.json()['token']}")

    response = client.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["username"] == requester.username


def test_a_wrong_password_is_a_validation_error_and_gives_no_token(requester):
    response = APIClient().post(
        TOKEN_URL, {"username": requester.username, "password": "hunter2"}, format="json"
    )

    body = assert_error(response, 400, "validation_error")
    assert "token" not in body
    assert not AuthToken.objects.filter(user=requester).exists()


def test_missing_credentials_name_each_missing_field(db):
    response = APIClient().post(TOKEN_URL, {}, format="json")

    body = assert_error(response, 400, "validation_error")
    assert set(body["errors"]) == {"username", "password"}


# --- authentication on the API ------------------------------------------------------------


def test_without_a_token_the_api_answers_401_not_authenticated(db):
    response = APIClient().get(TICKETS_URL)

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_token_is_refused_with_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get(TICKETS_URL)

    assert_error(response, 401, "authentication_failed")


def test_the_token_of_a_deactivated_user_is_refused(requester, client_for):
    client = client_for(requester)
    requester.is_active = False
    requester.save()

    response = client.get(TICKETS_URL)

    assert_error(response, 401, "authentication_failed")


# --- methods and URLs the API does not have ----------------------------------------------


@pytest.mark.parametrize("method", ["put", "delete"])
def test_put_and_delete_on_a_ticket_are_405_and_change_nothing(method, agent, client_for):
    ticket = TicketFactory()

    response = getattr(client_for(agent), method)(
        ticket_url(ticket), {**NEW_TICKET, "category": "other"}, format="json"
    )

    assert_error(response, 405, "method_not_allowed")
    assert "PATCH" in response["Allow"]
    assert "PUT" not in response["Allow"] and "DELETE" not in response["Allow"]
    ticket.refresh_from_db()
    assert ticket.category == NEW_TICKET["category"]


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing/", "/api/nowhere", "/api/v2/tickets/", "/api/v1/tickets/x/"]
)
def test_an_unknown_api_url_is_a_json_404(path, requester, client_for, settings):
    assert settings.DEBUG is False  # Django's debug page would hide the real handler

    response = client_for(requester).get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "not_found"
    assert body["detail"]


def test_a_ticket_that_does_not_exist_is_404_not_found(requester, client_for):
    assert_error(client_for(requester).get(ticket_url(987_654_321)), 404, "not_found")


# --- validation errors ---------------------------------------------------------------------


def test_a_validation_error_lists_messages_per_field(requester, client_for):
    response = client_for(requester).post(
        TICKETS_URL,
        {"subject": "", "description": "x", "category": "lottery", "priority": "urgent"},
        format="json",
    )

    body = assert_error(response, 400, "validation_error")
    assert set(body["errors"]) == {"subject", "category", "priority"}
    assert Ticket.objects.count() == 0


# --- every error has the shape ------------------------------------------------------------


def _conflicting_idempotency_key(client):
    client.post(TICKETS_URL, NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    return client.post(
        TICKETS_URL, {**NEW_TICKET, "subject": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )


def _stale_if_match(client, ticket):
    return client.patch(
        ticket_url(ticket), {"priority": "high"}, format="json", HTTP_IF_MATCH=f'"{ticket.pk}-0"'
    )


ERROR_CASES = {
    "malformed JSON": (
        "requester",
        lambda c, t: c.generic("POST", TICKETS_URL, "{not json", "application/json"),
        400,
        "parse_error",
    ),
    "invalid field": (
        "requester",
        lambda c, t: c.post(TICKETS_URL, {"subject": "x"}, format="json"),
        400,
        "validation_error",
    ),
    "no credentials": ("anonymous", lambda c, t: c.get(ticket_url(t)), 401, "not_authenticated"),
    "transition for agents": (
        "requester",
        lambda c, t: c.post(transitions_url(t), {"to": "pending"}, format="json"),
        403,
        "permission_denied",
    ),
    "no such ticket": ("requester", lambda c, t: c.get(ticket_url(10**9)), 404, "not_found"),
    "no such method": ("agent", lambda c, t: c.delete(ticket_url(t)), 405, "method_not_allowed"),
    "no acceptable format": (
        "requester",
        lambda c, t: c.get(ticket_url(t), HTTP_ACCEPT="application/xml"),
        406,
        "not_acceptable",
    ),
    "not a step": (
        "agent",
        lambda c, t: c.post(transitions_url(t), {"to": "new"}, format="json"),
        409,
        "invalid_transition",
    ),
    "stale version": ("agent", _stale_if_match, 412, "version_conflict"),
    "unknown media type": (
        "requester",
        lambda c, t: c.generic("POST", TICKETS_URL, "subject=x", "text/csv"),
        415,
        "unsupported_media_type",
    ),
    "reused idempotency key": (
        "requester",
        lambda c, t: _conflicting_idempotency_key(c),
        422,
        "idempotency_conflict",
    ),
}


@pytest.mark.parametrize("case", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_every_error_body_has_a_code_and_a_detail(case, requester, agent, client_for):
    who, request, status, code = case
    user = {"requester": requester, "agent": agent, "anonymous": None}[who]
    ticket = ticket_in(Status.OPEN, agent=agent, requester=requester)

    response = request(client_for(user), ticket)

    assert_error(response, status, code)
