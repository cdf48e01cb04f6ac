"""Fixtures of the ticket tests."""

import pytest


@pytest.fixture
def media(settings, tmp_path):
    """Attachments are written to a media folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path
