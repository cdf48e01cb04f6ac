"""Small helpers the API tests share: URLs and the one error shape of SPEC §4."""

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
TICKETS_URL = "/api/v1/tickets/"


def ticket_url(ticket_or_id) -> str:
    return f"{TICKETS_URL}{getattr(ticket_or_id, 'pk', ticket_or_id)}/"


def transitions_url(ticket) -> str:
    return f"{ticket_url(ticket)}transitions/"


def messages_url(ticket) -> str:
    return f"{ticket_url(ticket)}messages/"


def history_url(ticket) -> str:
    return f"{ticket_url(ticket)}history/"


def attachment_url(attachment) -> str:
    return f"{ticket_url(attachment.ticket_id)}attachments/{attachment.pk}/"


def assert_error(response, status: int, code: str) -> dict:
    """The response is a JSON error of SPEC §4: `code` as expected, a non-empty `detail`,
    and for validation errors `errors: {field: [messages]}`. Returns the body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    if code == "validation_error":
        assert isinstance(body["errors"], dict) and body["errors"], body
        for field, messages in body["errors"].items():
            assert isinstance(field, str)
            assert messages and all(isinstance(m, str) and m for m in messages), body
    return body


def result_ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [item["id"] for item in response.json()["results"]]
