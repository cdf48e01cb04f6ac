"""End to end with the real pieces: a ticket change commits, the worker process delivers
in-site notifications, emails through SMTP and signed webhooks — once each."""

import hashlib
import hmac
import socket
import time

import pytest
import redis
from django.conf import settings
from django.db import transaction

from helpdesk.breakers import BROKER
from notifications import services as notify_services
from notifications.channels import email as email_channel
from notifications.models import (
    Delivery,
    DeliveryStatus,
    Event,
    Notification,
    WebhookEndpoint,
)
from notifications.services import preferences_update
from tests.factories import AgentFactory, SupervisorFactory, TicketFactory, UserFactory
from tests.notifications.conftest import (
    all_settled,
    another_worker,
    publishing_to,
    wait_for,
)
from tickets import services
from tickets.models import Status

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "whsec-test-secret"


@pytest.fixture
def people(stack):
    requester = UserFactory(email="alice@example.com")
    preferences_update(user=requester, data={"anti_phishing_code": "OWL-42"})
    agent = AgentFactory(email="bob@example.com")
    supervisor = SupervisorFactory(email="carol@example.com")
    return requester, agent, supervisor


@pytest.fixture
def endpoint(stack):
    _sink, receiver = stack
    return WebhookEndpoint.objects.create(name="Risk engine", url=receiver.url, secret=SECRET)


def emails_to(sink, user):
    return sink.to(user.email)


def test_each_kind_of_change_reaches_the_right_people_once(stack, people, endpoint):
    sink, receiver = stack
    requester, agent, supervisor = people

    # given a ticket that goes through its life
    ticket = TicketFactory(requester=requester)
    ticket = services.ticket_update(ticket=ticket, actor=supervisor, data={"assignee": agent})
    services.message_add(ticket=ticket, author=agent, body="We are checking the chain.")
    services.message_add(
        ticket=ticket, author=agent, body="SECRET-NOTE compliance flag", internal=True
    )
    services.message_add(ticket=ticket, author=requester, body="Any news?")
    services.ticket_transition(ticket=ticket, to=Status.RESOLVED, actor=supervisor)

    # when the worker has done its job
    all_settled()

    # then the requester heard of: creation, the agent's reply, new->open, open->resolved
    requester_titles = sorted(m["Subject"] for m in emails_to(sink, requester))
    assert len(requester_titles) == 4, requester_titles
    assert all(subject.startswith(f"[{ticket.reference}]") for subject in requester_titles)
    # the agent heard of: the assignment, the requester's reply, open->resolved by another
    assert len(emails_to(sink, agent)) == 3
    # the supervisor acted every time, so heard nothing
    assert emails_to(sink, supervisor) == []
    # in-site notifications mirror the emails
    assert Notification.objects.filter(recipient=requester).count() == 4
    assert Notification.objects.filter(recipient=agent).count() == 3
    assert Notification.objects.filter(recipient=supervisor).count() == 0
    # one webhook call per event: created, assigned, reply, new->open, requester reply, resolved
    kinds = sorted(call["json"]["event"] for call in receiver.accepted())
    assert kinds == sorted(
        [
            "ticket_created",
            "assigned",
            "agent_replied",
            "status_changed",
            "requester_replied",
            "status_changed",
        ]
    )
    # and the internal note reached nobody, on any channel
    everything = [m.as_string() for m in sink.messages]
    everything += [n.body for n in Notification.objects.all()]
    everything += [call["body"].decode() for call in receiver.accepted()]
    assert not any("SECRET-NOTE" in text for text in everything)
    assert Delivery.objects.exclude(status=DeliveryStatus.SENT).count() == 0


def test_a_rolled_back_change_sends_nothing(stack, people, endpoint):
    sink, receiver = stack
    requester, agent, _supervisor = people
    ticket = TicketFactory(requester=requester)
    all_settled()
    sink.reset()
    receiver.reset()

    # when a transition is rolled back
    with pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_transition(ticket=ticket, to=Status.PENDING, actor=agent)
        raise RuntimeError("something later in the request failed")
    # and a later change commits (so the pipeline is shown to be working)
    services.ticket_transition(ticket=ticket, to=Status.ON_HOLD, actor=agent)
    all_settled()
    wait_for(lambda: len(receiver.accepted()) == 1, 10, what="the committed webhook")

    # then only the committed change was told
    [mail] = emails_to(sink, requester)
    assert "On hold" in mail.get_body(("plain",)).get_content()
    assert not Event.objects.filter(data__to_status=Status.PENDING).exists()
    assert receiver.accepted()[0]["json"]["data"]["to_status"] == Status.ON_HOLD


def test_a_broker_outage_loses_nothing_and_duplicates_nothing(stack, people, endpoint, broker):
    sink, receiver = stack
    requester, agent, _supervisor = people

    # given the broker is down while changes commit
    broker.stop()
    try:
        ticket = TicketFactory(requester=requester)
        services.message_add(ticket=ticket, author=agent, body="Looking into it.")
        services.ticket_transition(ticket=ticket, to=Status.PENDING, actor=agent)
        # ack, reply, new->open, open->pending: recorded, none handed to a worker
        assert Event.objects.filter(ticket=ticket, fanned_out=False).count() == 4
        time.sleep(1)
        assert sink.messages == [] and receiver.accepted() == []
    finally:
        broker.start()

    # when the broker is back and the periodic sweep runs (once this process tries the
    # broker again)
    wait_for(lambda: not BROKER.is_open, 5, what="the broker's breaker to close")
    notify_services.deliveries_sweep()
    all_settled(timeout=60)

    # then every delivery arrived exactly once
    assert len(emails_to(sink, requester)) == 4
    assert Notification.objects.filter(recipient=requester).count() == 4
    assert len(receiver.accepted()) == 4
    # (each event: the requester in-site and by email, and the webhook)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 12
    # and a second sweep finds nothing to send
    assert notify_services.deliveries_sweep() == 0


def test_a_worker_killed_mid_delivery_loses_nothing(stack, people, worker, broker):
    sink, _receiver = stack
    requester, _agent, _supervisor = people
    # given a second worker, on a broker database of its own, whose mail server accepts
    # the connection and then never says a word
    silent = socket.create_server(("127.0.0.1", 0))
    doomed_url = broker.url_for(6)
    with (
        another_worker(
            worker,
            doomed_url,
            EMAIL_PORT=str(silent.getsockname()[1]),
            EMAIL_TIMEOUT="600",
        ) as doomed,
        publishing_to(doomed_url),
    ):
        ticket = TicketFactory(requester=requester)  # acknowledged in-site and by email
        wait_for(lambda: Notification.objects.filter(recipient=requester).exists())
        silent.settimeout(30)
        stuck_session, _address = silent.accept()  # the email is being sent, and hangs
        # The broker keeps the taken message unacknowledged (kombu's ack emulation on
        # Redis); it would come back only after the visibility timeout, an hour.
        assert redis.Redis.from_url(doomed_url).exists("unacked")

        # when that worker is killed outright, the email's message gone with it
        doomed.process.kill()
        doomed.process.wait(10)
    stuck_session.close()
    silent.close()
    email = Delivery.objects.get(event__ticket=ticket, channel="email")
    assert email.status == DeliveryStatus.PENDING and sink.to(requester.email) == []

    # then, once the dead worker's lease is over, the periodic sweep hands it to the
    # workers that are left, and it goes out once
    wait_for(lambda: notify_services.deliveries_sweep() == 1, what="the sweep to take it")
    all_settled()
    assert len(sink.to(requester.email)) == 1
    assert Notification.objects.filter(recipient=requester).count() == 1


def test_a_worker_stopped_cleanly_puts_back_the_retries_it_held(stack, people, worker, broker):
    _sink, _receiver = stack
    requester, _agent, _supervisor = people
    # given a worker whose mail server refuses connections, so its email waits for a retry
    # ten minutes away, held in the worker's memory
    refused = socket.create_server(("127.0.0.1", 0))
    refused_port = refused.getsockname()[1]
    refused.close()
    held_url = broker.url_for(5)
    held = redis.Redis.from_url(held_url)
    held.flushdb()
    with (
        another_worker(
            worker,
            held_url,
            EMAIL_PORT=str(refused_port),
            NOTIFICATION_RETRY_BASE_SECONDS="600",
            NOTIFICATION_RETRY_MAX_SECONDS="600",
        ),
        publishing_to(held_url),
    ):
        ticket = TicketFactory(requester=requester)
        email = wait_for(
            lambda: Delivery.objects.filter(event__ticket=ticket, channel="email").first(),
            what="the worker to make the deliveries",
        )
        wait_for(lambda: Delivery.objects.get(pk=email.pk).attempts == 1, what="a failed try")
        wait_for(lambda: held.llen("notify.email") == 0, what="the retry to be held")
        # when it stops cleanly (SIGTERM, a deploy), as this block ends

    # then the retry it held is back on the broker for the next worker
    assert held.llen("notify.email") == 1
    assert Delivery.objects.get(pk=email.pk).status == DeliveryStatus.PENDING
    held.flushdb()


def test_smtp_refusing_twice_then_accepting_sends_one_email_in_three_attempts(stack, people):
    sink, _receiver = stack
    requester, _agent, _supervisor = people
    sink.refuse_next = 2

    TicketFactory(requester=requester)
    all_settled()

    email_delivery = Delivery.objects.get(channel="email")
    assert email_delivery.status == DeliveryStatus.SENT
    assert email_delivery.attempts == 3
    assert sink.attempts == 3
    assert len(emails_to(sink, requester)) == 1


def test_a_dead_smtp_server_fails_the_email_but_not_the_other_channels(stack, people, endpoint):
    sink, receiver = stack
    requester, _agent, _supervisor = people
    sink.refuse_next = 100

    TicketFactory(requester=requester)
    all_settled()

    email_delivery = Delivery.objects.get(channel="email")
    assert email_delivery.status == DeliveryStatus.FAILED
    assert email_delivery.attempts == 4
    assert "451" in email_delivery.last_error
    assert Notification.objects.filter(recipient=requester).count() == 1
    assert len(receiver.accepted()) == 1
    sink.refuse_next = 0


def test_the_same_delivery_enqueued_many_times_is_sent_once(stack, people):
    sink, _receiver = stack
    requester, _agent, _supervisor = people

    ticket = TicketFactory(requester=requester)
    jobs = list(Delivery.objects.filter(event__ticket=ticket).values_list("pk", "channel"))
    # three more copies of each task, racing the first on a four-thread worker
    for _ in range(3):
        notify_services.enqueue(jobs)
    all_settled()
    time.sleep(1)  # let the duplicate tasks finish too

    assert len(emails_to(sink, requester)) == 1
    assert Notification.objects.filter(recipient=requester).count() == 1
    # run once more in this process, as a redelivered task would be
    for delivery_id, _channel in jobs:
        assert notify_services.delivery_attempt(delivery_id)[0] == notify_services.Outcome.SKIPPED
    assert len(emails_to(sink, requester)) == 1


def test_email_carries_anti_phishing_code_and_thread_headers(stack, people):
    sink, _receiver = stack
    requester, agent, _supervisor = people

    ticket = TicketFactory(requester=requester)
    services.message_add(ticket=ticket, author=agent, body="Please send the TxID.")
    all_settled()

    mails = emails_to(sink, requester)
    assert len(mails) == 3  # created, reply, new->open
    thread = email_channel.thread_id(ticket)
    assert thread.startswith(f"<ticket-{ticket.pk}.") and thread.endswith("@helpdesk.localhost>")
    message_ids = set()
    for mail in mails:
        assert mail["In-Reply-To"] == thread
        assert mail["References"] == thread
        # answers go to the mailbox the intake reads, and thread back to the ticket
        assert mail["Reply-To"] == settings.HELPDESK_INBOUND_ADDRESS
        assert email_channel.ticket_id_from(mail["Message-ID"]) == ticket.pk
        message_ids.add(mail["Message-ID"])
        assert "OWL-42" in mail.get_body(("plain",)).get_content()
        assert "OWL-42" in mail.get_body(("html",)).get_content()
        assert ticket.reference in mail["Subject"]
    assert len(message_ids) == 3
    delivery_ids = Delivery.objects.filter(channel="email").values_list("pk", flat=True)
    assert {mid.split(".ticket-")[0] for mid in message_ids} == {
        f"<delivery-{pk}" for pk in delivery_ids
    }
    bodies = [mail.get_body(("plain",)).get_content() for mail in mails]
    assert sum("Please send the TxID." in body for body in bodies) == 1


def test_email_in_the_recipients_language(stack, people):
    sink, _receiver = stack
    requester, _agent, _supervisor = people
    preferences_update(user=requester, data={"language": "zh-hans"})

    ticket = TicketFactory(requester=requester)
    all_settled()

    [mail] = emails_to(sink, requester)
    text = mail.get_body(("plain",)).get_content()
    assert "我们已收到您的请求" in mail["Subject"]
    assert ticket.reference in mail["Subject"]
    assert "防钓鱼码" in text and "OWL-42" in text


def test_webhooks_are_signed_and_retried(stack, people, endpoint):
    _sink, receiver = stack
    requester, _agent, _supervisor = people
    receiver.statuses = [500, 503]

    ticket = TicketFactory(requester=requester)
    all_settled()

    [call] = receiver.accepted()
    assert len(receiver.calls) == 3
    headers, body = call["headers"], call["body"]
    expected = hmac.new(
        SECRET.encode(), headers["X-Helpdesk-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Helpdesk-Signature"] == f"sha256={expected}"
    assert call["json"]["event"] == "ticket_created"
    assert call["json"]["ticket"]["reference"] == ticket.reference
    delivery = Delivery.objects.get(channel="webhook")
    assert call["json"]["delivery_id"] == delivery.pk
    assert delivery.attempts == 3 and delivery.status == DeliveryStatus.SENT


def test_channels_follow_the_users_preferences(stack, people, endpoint):
    sink, _receiver = stack
    requester, _agent, _supervisor = people
    preferences_update(user=requester, data={"email_enabled": False})

    TicketFactory(requester=requester)
    all_settled()

    assert emails_to(sink, requester) == []
    assert Notification.objects.filter(recipient=requester).count() == 1


def test_emails_in_a_row_share_one_smtp_session(stack, people):
    sink, _receiver = stack
    requester, agent, _supervisor = people
    ticket = TicketFactory(requester=requester)
    all_settled()
    sessions_before = sink.sessions

    for to in [Status.OPEN, Status.PENDING] * 6:
        ticket = services.ticket_transition(ticket=ticket, to=to, actor=agent)
    all_settled()

    assert len(emails_to(sink, requester)) == 13
    # at most one new session per worker thread (4), where it was one per email (12)
    assert sink.sessions - sessions_before <= 4


def test_an_email_after_the_server_dropped_the_kept_session_goes_out_once(stack, people):
    sink, _receiver = stack
    requester, agent, _supervisor = people
    ticket = TicketFactory(requester=requester)
    all_settled()
    sink.restart()  # the worker's kept session is gone

    services.ticket_transition(ticket=ticket, to=Status.OPEN, actor=agent)
    all_settled()

    assert len(emails_to(sink, requester)) == 2
    email = Delivery.objects.get(channel="email", event__data__to_status="open")
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)
