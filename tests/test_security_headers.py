"""HTTPS and browser-side protections (issue #13, item 7): `manage.py check --deploy` is
clean with production settings, and every page carries a Content-Security-Policy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "x7#Kq!v2Lr9$Tz4@Wm6^Pn8&Hs3*Jd5(Fb1)Gc0-Ae+Yu_Io=Ql~Xk|Vw;Ez:Rt",
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "helpdesk.example.com",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_PRELOAD": "true",
}


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(**PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_them():
    result = check_deploy(
        **{**PRODUCTION, "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_HSTS_SECONDS": "0"}
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # HSTS
    assert "security.W008" in result.stderr + result.stdout  # SSL redirect


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/v1/tickets/", "/healthz"])
def test_every_page_carries_the_content_security_policy(path, db):
    response = APIClient().get(path)

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy, policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_hsts_and_the_https_redirect_follow_the_settings(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    client = APIClient()

    plain = client.get("/api/v1/tickets/")
    secure = client.get("/api/v1/tickets/", secure=True)

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert secure["Strict-Transport-Security"].startswith("max-age=3600")
    assert client.get("/healthz").status_code == 200  # load balancers probe over HTTP
