"""helpdesk.broker: Celery's Redis transport with the channel's Redis client kept, and
deliveries published without declaring their queues again."""

import base64
import json
import os
import subprocess
import sys
from contextlib import contextmanager, nullcontext

import pytest
import redis

from helpdesk.broker import Transport
from helpdesk.celery import app as celery_app
from notifications.services import enqueue

from .conftest import ROOT, publishing_to

QUEUES = ("notify.email", "notify.in_site", "notify.webhook")


@pytest.fixture
def published(broker):
    """This process publishes to a database of the tests' Redis that no worker reads;
    yields a client on it."""
    url = broker.url_for(7)
    client = redis.Redis.from_url(url)
    client.delete(*QUEUES)
    with publishing_to(url):
        yield client
    client.delete(*QUEUES)


def queued_ids(client, queue: str) -> list[str]:
    """The argsrepr of each message on `queue`, e.g. "(11,)"."""
    return [json.loads(message)["headers"]["argsrepr"] for message in client.lrange(queue, 0, -1)]


def test_redis_urls_use_the_projects_transport(published):
    with celery_app.producer_or_acquire() as producer:
        assert isinstance(producer.connection.transport, Transport)


def test_each_delivery_lands_on_its_channels_queue_without_a_declare(published):
    assert enqueue([(11, "email"), (12, "in_site"), (13, "email"), (14, "webhook")]) == 4

    assert sorted(queued_ids(published, "notify.email")) == ["(11,)", "(13,)"]
    assert queued_ids(published, "notify.in_site") == ["(12,)"]
    assert queued_ids(published, "notify.webhook") == ["(14,)"]


@contextmanager
def running_in_the_sweep():
    """As if in the worker, running the sweep task (which re-enqueues deliveries)."""
    from celery._state import _task_stack

    from notifications.tasks import sweep_deliveries

    sweep_deliveries.push_request(id="sweep-1", root_id="beat-0", called_directly=False)
    _task_stack.push(sweep_deliveries)
    try:
        yield
    finally:
        _task_stack.pop()
        sweep_deliveries.pop_request()


@pytest.mark.parametrize(
    ("context", "parent_id", "root_id"),
    [(nullcontext, None, "own id"), (running_in_the_sweep, "sweep-1", "beat-0")],
)
def test_a_delivery_is_published_as_apply_async_would_publish_it(
    published, context, parent_id, root_id
):
    """enqueue builds the message with Celery's own functions, not apply_async: a worker
    must not tell the two apart, whether a request or a task sent it."""
    from notifications.tasks import deliver

    with context():
        enqueue([(31, "email")])
        with celery_app.producer_or_acquire() as producer:
            deliver.apply_async(
                (31,), queue="notify.email", producer=producer, retry=False, declare=[]
            )

    ours, celerys = (json.loads(m) for m in reversed(published.lrange("notify.email", 0, -1)))
    for message in (ours, celerys):
        task_id = message["headers"].pop("id")
        assert message["properties"].pop("correlation_id") == task_id
        assert message["headers"].pop("root_id") == (task_id if root_id == "own id" else root_id)
        assert message["headers"]["parent_id"] == parent_id
        del message["properties"]["delivery_tag"]
    assert ours["headers"]["task"] == "notifications.tasks.deliver"
    assert json.loads(base64.b64decode(ours["body"]))[0] == [31]
    assert ours == celerys


def test_a_channel_keeps_its_redis_client(published):
    enqueue([(21, "email")])
    with celery_app.producer_or_acquire() as producer:
        channel = producer.channel
        first = channel._create_client()
        assert channel._create_client() is first
        # The event loop's own (asynchronous) client is still made apart from it.
        assert channel._create_client(asynchronous=True) is not first


@pytest.mark.parametrize(
    ("url", "transport", "tls"),
    [
        ("redis://127.0.0.1:6399/0", "helpdesk.broker:Transport", False),
        ("rediss://127.0.0.1:6399/0", "rediss", True),  # kombu's own, or TLS is lost
    ],
)
def test_the_broker_url_picks_the_transport_and_keeps_tls(url, transport, tls):
    script = (
        "import django; django.setup(); from helpdesk.celery import app; "
        "c = app.connection_for_write(); print(c.transport_cls, bool(c.ssl))"
    )
    env = {
        **os.environ,
        "CELERY_BROKER_URL": url,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
    }
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [transport, str(tls)]
