"""The OpenAPI contract as integrators meet it: the schema exported as `make schema` does,
and a Python client generated from it by openapi-python-client, offline and unpatched."""

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

CLIENT_PACKAGE = "helpdesk_client"
# The generator's own settings, as an integrator would pass them: none but "run no
# formatter afterwards" (its default post-hooks run ruff, which may not be installed).
GENERATOR_CONFIG = {"post_hooks": []}


@pytest.fixture(scope="session")
def schema_path(tmp_path_factory) -> Path:
    """The schema as `manage.py spectacular` exports it (what /api/schema/ serves)."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return path


@pytest.fixture(scope="session")
def generated_client(schema_path, tmp_path_factory):
    """The package openapi-python-client generates from the schema, imported: every one of
    its modules (an import error anywhere fails here)."""
    root = tmp_path_factory.mktemp("generated")
    config = root / "config.json"
    config.write_text(json.dumps(GENERATOR_CONFIG))
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(schema_path),
            "--output-path",
            str(root / CLIENT_PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Any warning means a part of the API was left out of the client.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        package = importlib.import_module(CLIENT_PACKAGE)
        modules = [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, f"{CLIENT_PACKAGE}.")
        ]
    finally:
        sys.path.remove(str(root))
    return package, modules


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    """A whole flow, or every operation, in a few seconds: the limits have their own tests
    (tests/test_throttling.py)."""
    settings.HELPDESK_THROTTLE_RATES = {
        scope: "1000000/min" for scope in ("user", "ip", "login", "ticket_create")
    }


# Attachments stored for real, as the ticket API and desk tests store them.
from tests.tickets.api.conftest import attach  # noqa: E402, F401
