"""Who is told of what: the event recorded in the same transaction, queued only on commit,
and its deliveries made by the fan-out (run here in this process: no worker needed)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Delivery, Event, EventKind, WebhookEndpoint
from notifications.services import deliveries_sweep, event_fan_out, preferences_update
from tests.factories import AgentFactory, TicketFactory, UserFactory, ticket_in
from tests.helpers import fan_out
from tickets import services
from tickets.models import Status

pytestmark = pytest.mark.django_db


def told(kind: str, ticket) -> dict[str, set[str]]:
    """{username: {channels}} for the latest event of `kind` on `ticket`, once fanned out."""
    fan_out()
    event = Event.objects.filter(kind=kind, ticket=ticket).latest("id")
    result: dict[str, set[str]] = {}
    for delivery in Delivery.objects.filter(event=event, recipient__isnull=False):
        result.setdefault(delivery.recipient.username, set()).add(delivery.channel)
    return result


def test_creating_a_ticket_acknowledges_it_to_the_requester(requester):
    ticket = TicketFactory(requester=requester)
    assert told(EventKind.TICKET_CREATED, ticket) == {requester.username: {"in_site", "email"}}


def test_status_change_tells_requester_and_assignee_but_not_the_actor(requester, agent):
    other_agent = AgentFactory()
    ticket = TicketFactory(requester=requester)
    ticket = services.ticket_update(ticket=ticket, actor=agent, data={"assignee": other_agent})

    services.ticket_transition(ticket=ticket, to=Status.PENDING, actor=agent)
    assert set(told(EventKind.STATUS_CHANGED, ticket)) == {
        requester.username,
        other_agent.username,
    }

    services.ticket_transition(ticket=ticket, to=Status.OPEN, actor=other_agent)
    assert set(told(EventKind.STATUS_CHANGED, ticket)) == {requester.username}


def test_requester_withdrawing_is_not_told_of_their_own_action(requester, agent):
    ticket = TicketFactory(requester=requester)
    ticket = services.ticket_update(ticket=ticket, actor=agent, data={"assignee": agent})
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=requester)
    assert set(told(EventKind.STATUS_CHANGED, ticket)) == {agent.username}


def test_replies_reach_the_other_side(requester, agent):
    ticket = TicketFactory(requester=requester)
    services.ticket_update(ticket=ticket, actor=agent, data={"assignee": agent})
    assert set(told(EventKind.ASSIGNED, ticket)) == set()  # assigned themself

    services.message_add(ticket=ticket, author=agent, body="Which network did you use?")
    assert set(told(EventKind.AGENT_REPLIED, ticket)) == {requester.username}

    services.message_add(ticket=ticket, author=requester, body="TRC20.")
    assert set(told(EventKind.REQUESTER_REPLIED, ticket)) == {agent.username}


def test_assignment_tells_the_new_assignee(requester, agent, supervisor):
    ticket = TicketFactory(requester=requester)
    services.ticket_update(ticket=ticket, actor=supervisor, data={"assignee": agent})
    assert told(EventKind.ASSIGNED, ticket) == {agent.username: {"in_site", "email"}}


def test_an_internal_note_raises_no_event(requester, agent):
    ticket = ticket_in(Status.OPEN, agent=agent, requester=requester)
    before = Event.objects.count()
    services.message_add(ticket=ticket, author=agent, body="Looks like fraud", internal=True)
    assert Event.objects.count() == before


def test_channels_follow_preferences_and_missing_email(agent):
    no_email = UserFactory(email="")
    quiet = UserFactory()
    preferences_update(user=quiet, data={"in_site_enabled": False, "email_enabled": False})

    assert told(EventKind.TICKET_CREATED, TicketFactory(requester=no_email)) == {
        no_email.username: {"in_site"}
    }
    assert told(EventKind.TICKET_CREATED, TicketFactory(requester=quiet)) == {}


def test_webhook_endpoints_get_the_events_they_subscribe_to(requester, agent):
    everything = WebhookEndpoint.objects.create(name="all", url="http://127.0.0.1:9/", secret="s")
    only_status = WebhookEndpoint.objects.create(
        name="status", url="http://127.0.0.1:9/", secret="s", events=["status_changed"]
    )
    WebhookEndpoint.objects.create(name="off", url="http://127.0.0.1:9/", secret="s", active=False)

    ticket = TicketFactory(requester=requester)
    services.ticket_transition(ticket=ticket, to=Status.OPEN, actor=agent)
    fan_out()

    hooks = Delivery.objects.filter(channel="webhook")
    assert sorted(hooks.values_list("endpoint__name", "event__kind")) == [
        ("all", "status_changed"),
        ("all", "ticket_created"),
        ("status", "status_changed"),
    ]
    assert everything.deliveries.count() == 2 and only_status.deliveries.count() == 1


def test_an_endpoint_added_or_switched_off_applies_to_the_next_event(requester, agent):
    ticket = TicketFactory(requester=requester)
    fan_out()  # the endpoints are read (none yet)
    endpoint = WebhookEndpoint.objects.create(name="new", url="http://127.0.0.1:9/", secret="s")
    services.ticket_transition(ticket=ticket, to=Status.OPEN, actor=agent)
    fan_out()
    endpoint.active = False
    endpoint.save()
    services.ticket_transition(ticket=ticket, to=Status.PENDING, actor=agent)
    fan_out()

    hooks = Delivery.objects.filter(channel="webhook", event__ticket=ticket)
    assert list(hooks.values_list("event__data__to_status", flat=True)) == ["open"]


def test_events_are_queued_only_when_the_change_commits(
    requester, agent, django_capture_on_commit_callbacks
):
    ticket = TicketFactory(requester=requester)

    with django_capture_on_commit_callbacks() as callbacks:
        services.ticket_transition(ticket=ticket, to=Status.PENDING, actor=agent)
        # inside the transaction: the event written, nothing handed to the broker yet
        assert Event.objects.filter(kind=EventKind.STATUS_CHANGED, fanned_out=False).exists()
    assert len(callbacks) == 1


def test_a_change_costs_the_request_one_event_whoever_hears_of_it(requester, agent):
    WebhookEndpoint.objects.create(name="all", url="http://127.0.0.1:9/", secret="s")
    ticket = TicketFactory(requester=requester)
    ticket = services.ticket_update(ticket=ticket, actor=agent, data={"assignee": AgentFactory()})

    services.ticket_transition(ticket=ticket, to=Status.PENDING, actor=agent)

    assert not Delivery.objects.exists()  # the worker makes them
    assert fan_out_counts() == {"ticket_created": 3, "assigned": 3, "status_changed": 5}


def fan_out_counts() -> dict[str, int]:
    counts = {}
    for event in Event.objects.filter(fanned_out=False).order_by("id"):
        counts[event.kind] = event_fan_out(event.pk)
    return counts


def test_an_event_is_fanned_out_once(requester):
    TicketFactory(requester=requester)
    event = Event.objects.get()

    assert event_fan_out(event.pk) == 2
    assert event_fan_out(event.pk) == 0
    assert Delivery.objects.count() == 2


def test_a_refused_transition_records_no_event(requester, agent):
    ticket = ticket_in(Status.CLOSED, agent=agent, requester=requester)
    before = Event.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - the kind is tested in test_services
        services.ticket_transition(ticket=ticket, to=Status.OPEN, actor=agent)
    assert Event.objects.count() == before


def test_an_assignee_who_left_the_desk_hears_nothing_more(requester, agent):
    ticket = TicketFactory(requester=requester)
    ticket = services.ticket_update(ticket=ticket, actor=agent, data={"assignee": agent})
    agent.is_active = False
    agent.save()

    services.message_add(ticket=ticket, author=requester, body="My KYC documents, attached.")

    assert told(EventKind.REQUESTER_REPLIED, ticket) == {}


def test_the_sweep_fans_out_what_the_broker_never_took(requester, settings):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 60
    TicketFactory(requester=requester)  # its event was never published (no commit here)

    assert deliveries_sweep(now=timezone.now()) == 0  # within the grace: the worker's
    assert deliveries_sweep(now=timezone.now() + timedelta(seconds=61)) == 2
    assert Event.objects.get().fanned_out


def test_the_sweep_does_not_pile_copies_on_a_queue_that_is_behind(requester, settings):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 60
    TicketFactory(requester=requester)
    fan_out()  # two pending deliveries
    later = timezone.now() + timedelta(minutes=5)

    assert deliveries_sweep(now=later) == 2
    assert deliveries_sweep(now=later + timedelta(seconds=30)) == 0  # within the grace
    assert deliveries_sweep(now=later + timedelta(seconds=61)) == 2  # still pending: again
