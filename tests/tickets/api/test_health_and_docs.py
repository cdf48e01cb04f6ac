"""/healthz against the real broker, and the API's OpenAPI schema and docs page (SPEC §4)."""

import json
import re
import socket
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

HEALTHY = {"status": "ok", "database": "ok", "broker": "ok", "deliveries": "ok", "overdue": 0}
TICKET_PATHS = {
    "/api/v1/tickets/",
    "/api/v1/tickets/{id}/",
    "/api/v1/tickets/{id}/transitions/",
    "/api/v1/tickets/{id}/messages/",
    "/api/v1/tickets/{id}/history/",
    "/api/v1/tickets/{id}/attachments/{attachment_id}/",
    "/api/v1/me/",
    "/api/v1/auth/token/",
}


# --- /healthz --------------------------------------------------------------------------------


def test_healthz_is_ok_when_database_and_broker_answer(db, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the test run's real broker"

    response = APIClient().get("/healthz")

    assert response.status_code == 200
    assert response.json() == HEALTHY


def test_healthz_needs_no_token_and_ignores_a_bad_one(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get("/healthz").json() == HEALTHY


def test_healthz_is_503_when_the_broker_refuses_connections(db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.HEALTH_CHECK_TIMEOUT = 0.5

    started = time.monotonic()
    response = APIClient().get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {**HEALTHY, "status": "unavailable", "broker": "unavailable"}
    assert elapsed < 1.5, f"a refused connection took {elapsed:.1f}s to report"


@pytest.fixture
def silent_broker():
    """A TCP port that accepts connections (the kernel's backlog does) and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


def test_healthz_does_not_hang_on_a_broker_that_never_answers(db, settings, silent_broker):
    settings.CELERY_BROKER_URL = silent_broker
    settings.HEALTH_CHECK_TIMEOUT = 0.3

    started = time.monotonic()
    response = APIClient().get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert elapsed < 3, f"the probe waited {elapsed:.1f}s on a silent broker"


# --- /api/schema/ and /api/docs/ --------------------------------------------------------------


def test_the_schema_is_an_openapi_3_document_with_the_ticket_paths(db):
    response = APIClient().get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert TICKET_PATHS <= set(schema["paths"])
    create = schema["paths"]["/api/v1/tickets/"]["post"]
    assert {"201", "400", "422"} <= set(create["responses"])
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    assert "412" in schema["paths"]["/api/v1/tickets/{id}/"]["patch"]["responses"]


def test_the_docs_page_loads_nothing_from_other_hosts(db):
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"<(?:script|link)\b[^>]*?\b(?:src|href)=[\"']([^\"']+)", html)
    assert any(asset.endswith(".js") for asset in assets), assets
    for asset in assets:
        url = urlsplit(asset)
        assert url.scheme == "" and url.netloc == "", f"{asset} is fetched from another host"
    assert not re.findall(r"https?://(?!testserver)[\w.-]+", html), "no other host anywhere"
    # the start-up script is a file of its own (no inline script for the CSP to allow)
    assert not re.search(r"<script>(?!\s*</script>)", html)
    start = APIClient().get("/api/docs/", {"script": ""}).content.decode()
    assert '"/api/schema/"' in start


def test_every_asset_of_the_docs_page_ships_with_the_project(db, settings):
    html = APIClient().get("/api/docs/").content.decode()
    static = f"/{settings.STATIC_URL.strip('/')}/"

    assets = re.findall(r"<(?:script|link)\b[^>]*?\b(?:src|href)=[\"']([^\"']+)", html)

    for asset in assets:
        url = urlsplit(asset)
        if url.path == "/api/docs/":
            continue  # the start-up script, served by the docs view itself
        assert url.path.startswith(static), asset
        assert finders.find(url.path.removeprefix(static)), f"{asset} is not a local static file"


def test_the_schema_generates_without_warnings(tmp_path):
    GENERATOR_STATS.reset()  # count only this run's warnings
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/tickets/{id}/transitions/:" in target.read_text()
