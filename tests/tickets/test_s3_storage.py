"""Attachments on S3-compatible storage (django-storages), against a local S3 server
(moto's, on loopback): stored in the bucket, served through the API, gone on refusal."""

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from tests.helpers import free_port
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

BUCKET = "helpdesk-attachments"
URL = "/api/v1/tickets/"


@pytest.fixture(scope="module")
def s3_server():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def form(*files):
    return {
        "subject": "Log attached",
        "description": "See the log.",
        "category": "api",
        "attachments": list(files),
    }


def test_attachments_go_to_the_bucket_and_come_back_through_the_api(client_for, requester, bucket):
    log = b"2026-11-28 10:00:01 ERROR 429 Too Many Requests\n"
    response = client_for(requester).post(
        URL, form(SimpleUploadedFile("api.log", log)), format="multipart"
    )

    assert response.status_code == 201, response.json()
    [attachment] = response.json()["attachments"]
    [key] = keys(bucket)
    assert key.endswith("api.log")
    assert bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read() == log

    download = client_for(requester).get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == log


def test_a_refused_upload_leaves_nothing_in_the_bucket(client_for, requester, bucket):
    html = SimpleUploadedFile("invoice.pdf", b"<html><script>steal()</script></html>")
    ok = SimpleUploadedFile("ok.log", b"fine\n")
    response = client_for(requester).post(URL, form(ok, html), format="multipart")

    assert response.status_code == 415
    assert Ticket.objects.count() == 0
    assert keys(bucket) == []
