"""helpdesk.cache.RowsCache: small tables kept in each process while their version in Redis
stands, the versions read at most once per request or task."""

import time

import pytest
import redis
from celery import signals

from helpdesk import cache
from notifications.models import WebhookEndpoint
from notifications.tasks import deliver
from tickets.models import Category, Queue
from tickets.selectors import default_queue

pytestmark = pytest.mark.django_db

WITHDRAWAL = {
    "subject": "USDT withdrawal not received",
    "description": "Sent 250 USDT on TRC20 two hours ago.",
    "category": "deposit_withdrawal",
}
VERSION_KEY = "helpdesk:version:default-queues"


@pytest.fixture
def version_reads(monkeypatch):
    """The Redis commands that read a cached table's version, as sent to the real Redis."""
    sent = []
    execute = redis.Redis.execute_command

    def recording(client, *args, **options):
        if args[0] in ("GET", "MGET") and any("helpdesk:version:" in str(a) for a in args[1:]):
            sent.append(args[0])
        return execute(client, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", recording)
    return sent


@pytest.fixture
def two_default_queues(db):
    """The seeded default (a migration gives every category one; a transactional test
    before this one may have emptied the table) and a new queue."""
    payments, _created = Queue.objects.get_or_create(
        default_for=Category.DEPOSIT_WITHDRAWAL,
        defaults={"slug": "deposits-withdrawals", "name": "Deposits and withdrawals"},
    )
    tech = Queue.objects.create(slug="technical", name="Technical")
    return payments, tech


def moved_by_another_process(payments, tech) -> None:
    """Another process moves the default (no signal reaches this one) and bumps the version."""
    Queue.objects.filter(pk=payments.pk).update(default_for=None)
    Queue.objects.filter(pk=tech.pk).update(default_for=Category.DEPOSIT_WITHDRAWAL)
    cache.shared_redis().incr(VERSION_KEY)


def test_creating_a_ticket_reads_the_versions_of_both_its_tables_in_one_command(
    requester, client_for, version_reads
):
    WebhookEndpoint.objects.create(name="crm", url="http://127.0.0.1:9/", secret="s")
    client = client_for(requester)
    client.post("/api/v1/tickets/", WITHDRAWAL, format="json")  # both tables now kept
    version_reads.clear()

    response = client.post("/api/v1/tickets/", WITHDRAWAL, format="json")

    assert response.status_code == 201
    assert version_reads == ["MGET"]


def test_each_request_reads_the_versions_again(requester, client_for, two_default_queues):
    payments, tech = two_default_queues
    client = client_for(requester)
    client.post("/api/v1/tickets/", WITHDRAWAL, format="json")
    moved_by_another_process(payments, tech)

    response = client.post("/api/v1/tickets/", WITHDRAWAL, format="json")

    assert response.status_code == 201
    assert Queue.objects.get(tickets=response.json()["id"]) == tech


def test_outside_requests_a_version_read_stands_for_at_most_a_moment(
    two_default_queues, monkeypatch
):
    monkeypatch.setattr(cache, "VERSIONS_MAX_AGE", 0.2)
    payments, tech = two_default_queues
    assert default_queue(Category.DEPOSIT_WITHDRAWAL) == payments
    moved_by_another_process(payments, tech)

    within_the_moment = default_queue(Category.DEPOSIT_WITHDRAWAL)
    time.sleep(0.25)

    assert within_the_moment == payments
    assert default_queue(Category.DEPOSIT_WITHDRAWAL) == tech


@pytest.mark.django_db(transaction=True)  # a task starts outside any transaction
def test_a_worker_task_reads_the_versions_again(two_default_queues):
    payments, tech = two_default_queues
    assert default_queue(Category.DEPOSIT_WITHDRAWAL) == payments
    moved_by_another_process(payments, tech)

    signals.task_prerun.send(sender=deliver, task_id="t-1", task=deliver, args=(1,), kwargs={})

    assert default_queue(Category.DEPOSIT_WITHDRAWAL) == tech


def test_a_change_made_here_applies_at_once_within_the_same_request(
    two_default_queues, django_capture_on_commit_callbacks
):
    payments, tech = two_default_queues
    assert default_queue(Category.DEPOSIT_WITHDRAWAL) == payments

    with django_capture_on_commit_callbacks(execute=True):
        payments.default_for = None
        payments.save()
        tech.default_for = Category.DEPOSIT_WITHDRAWAL
        tech.save()

    assert default_queue(Category.DEPOSIT_WITHDRAWAL) == tech
