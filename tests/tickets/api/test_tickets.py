"""Tickets over REST API v1 (SPEC §2-§4): submit, read with an ETag, change with If-Match,
list with filters and cursor pages, move through the lifecycle."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.factories import TicketFactory, UserFactory, ticket_in
from tests.helpers import assert_history_consistent, history_steps
from tickets import services
from tickets.models import Category, Priority, Queue, Status, Ticket

from .support import (
    TICKETS_URL,
    assert_error,
    result_ids,
    ticket_url,
    transitions_url,
)

WITHDRAWAL = {
    "subject": "Withdrawal stuck in processing",
    "description": "I withdrew 250 USDT on TRC20 at 09:14 UTC and it still shows processing.",
    "category": "deposit_withdrawal",
}


@pytest.fixture
def payments_queue(db):
    """Seeded by a migration: every category has its default queue."""
    return Queue.objects.get(default_for=Category.DEPOSIT_WITHDRAWAL)


@pytest.fixture
def tech_queue(db):
    return Queue.objects.create(name="Technical team", slug="tech")


def etag_of(client, ticket) -> str:
    response = client.get(ticket_url(ticket))
    assert response.status_code == 200
    return response["ETag"]


# --- POST /api/v1/tickets/ ----------------------------------------------------------------


def test_a_requester_submits_a_ticket_and_gets_its_reference_and_location(requester, client_for):
    response = client_for(requester).post(
        TICKETS_URL, {**WITHDRAWAL, "transaction_ids": ["0x9f1c"]}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == f"HD-{body['id']:06d}"
    assert body["reference"] == f"HD-{body['id']:06d}"
    assert body["status"] == "new"
    assert body["priority"] == "normal"
    assert body["channel"] == "api"
    assert body["transaction_ids"] == ["0x9f1c"]
    assert body["version"] == 1
    assert response["Location"].endswith(ticket_url(body["id"]))
    assert client_for(requester).get(response["Location"]).json()["id"] == body["id"]
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.requester == requester
    assert history_steps(ticket) == [(None, "new")]


def test_a_new_ticket_lands_in_its_categorys_default_queue(
    requester, agent, client_for, payments_queue
):
    created = client_for(requester).post(TICKETS_URL, WITHDRAWAL, format="json").json()

    seen_by_agent = client_for(agent).get(ticket_url(created["id"])).json()

    assert seen_by_agent["queue"] == payments_queue.slug == "deposits-withdrawals"
    assert seen_by_agent["requester"]["id"] == requester.pk


@pytest.mark.parametrize("caller", ["requester", "agent"])
def test_the_created_ticket_is_answered_as_a_later_read_shows_it(
    caller, requester, agent, client_for
):
    """The 201 renders the ticket the service wrote, without reading it back: it must say
    exactly what a GET says, details, dates and queue included."""
    client = client_for({"requester": requester, "agent": agent}[caller])
    details = {
        "occurred_at": "2026-11-28T09:14:00+08:00",
        "error_code": "E4821",
        "transaction_ids": ["0x9f1c", "ab" * 32],
        "steps_to_reproduce": "Withdraw, wait.",
        "contact_phone": "+65 5555 0100",
    }

    created = client.post(TICKETS_URL, {**WITHDRAWAL, **details}, format="json")
    read = client.get(created["Location"])

    assert created.status_code == 201, created.content
    assert created.json() == read.json()
    assert created["ETag"] == read["ETag"]


def test_a_category_given_another_default_queue_sends_the_next_ticket_there(
    requester, agent, client_for, payments_queue, tech_queue
):
    client = client_for(requester)
    first = client.post(TICKETS_URL, WITHDRAWAL, format="json").json()
    payments_queue.default_for = None
    payments_queue.save()
    tech_queue.default_for = Category.DEPOSIT_WITHDRAWAL
    tech_queue.save()

    second = client.post(TICKETS_URL, WITHDRAWAL, format="json").json()

    queues = [client_for(agent).get(ticket_url(t["id"])).json()["queue"] for t in (first, second)]
    assert queues == ["deposits-withdrawals", "tech"]


def test_a_default_queue_changed_by_another_process_applies_to_the_next_ticket(
    requester, agent, client_for, payments_queue, tech_queue
):
    client = client_for(requester)
    client.post(TICKETS_URL, WITHDRAWAL, format="json")
    # another process moves the default (no signal reaches this one)
    Queue.objects.filter(pk=payments_queue.pk).update(default_for=None)
    Queue.objects.filter(pk=tech_queue.pk).update(default_for=Category.DEPOSIT_WITHDRAWAL)

    created = client.post(TICKETS_URL, WITHDRAWAL, format="json").json()

    assert client_for(agent).get(ticket_url(created["id"])).json()["queue"] == "tech"


@pytest.mark.parametrize("priority", ["low", "normal", "high"])
def test_a_requester_may_pick_low_normal_or_high(priority, requester, client_for):
    response = client_for(requester).post(
        TICKETS_URL, {**WITHDRAWAL, "priority": priority}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["priority"] == priority


def test_a_requester_may_not_mark_a_ticket_urgent(requester, client_for):
    response = client_for(requester).post(
        TICKETS_URL, {**WITHDRAWAL, "priority": "urgent"}, format="json"
    )

    body = assert_error(response, 400, "validation_error")
    assert list(body["errors"]) == ["priority"]
    assert Ticket.objects.count() == 0


LENGTH_LIMITS = {
    "empty subject": {"subject": ""},
    "blank subject": {"subject": "   "},
    "201-char subject": {"subject": "s" * 201},
    "empty description": {"description": ""},
    "20,001-char description": {"description": "d" * 20_001},
}


@pytest.mark.parametrize("change", LENGTH_LIMITS.values(), ids=LENGTH_LIMITS.keys())
def test_subject_and_description_outside_their_limits_are_refused_and_nothing_is_created(
    change, requester, client_for
):
    response = client_for(requester).post(TICKETS_URL, {**WITHDRAWAL, **change}, format="json")

    body = assert_error(response, 400, "validation_error")
    assert list(body["errors"]) == list(change)
    assert Ticket.objects.count() == 0


def test_subject_and_description_at_their_limits_are_accepted(requester, client_for):
    response = client_for(requester).post(
        TICKETS_URL,
        {**WITHDRAWAL, "subject": "s" * 200, "description": "d" * 20_000},
        format="json",
    )

    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert (len(ticket.subject), len(ticket.description)) == (200, 20_000)


# --- Idempotency-Key ------------------------------------------------------------------------


def test_the_same_idempotency_key_and_body_replays_the_first_ticket(requester, client_for):
    client = client_for(requester)

    first = client.post(TICKETS_URL, WITHDRAWAL, format="json", HTTP_IDEMPOTENCY_KEY="app-7f1")
    again = client.post(TICKETS_URL, WITHDRAWAL, format="json", HTTP_IDEMPOTENCY_KEY="app-7f1")

    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again["Location"] == first["Location"]
    assert Ticket.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(requester, client_for):
    client = client_for(requester)
    client.post(TICKETS_URL, WITHDRAWAL, format="json", HTTP_IDEMPOTENCY_KEY="app-7f1")

    response = client.post(
        TICKETS_URL,
        {**WITHDRAWAL, "subject": "A different problem"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="app-7f1",
    )

    assert_error(response, 422, "idempotency_conflict")
    assert list(Ticket.objects.values_list("subject", flat=True)) == [WITHDRAWAL["subject"]]


def test_two_users_may_use_the_same_idempotency_key(requester, other_requester, client_for):
    mine = client_for(requester).post(
        TICKETS_URL, WITHDRAWAL, format="json", HTTP_IDEMPOTENCY_KEY="retry-1"
    )
    theirs = client_for(other_requester).post(
        TICKETS_URL, WITHDRAWAL, format="json", HTTP_IDEMPOTENCY_KEY="retry-1"
    )

    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert mine.json()["id"] != theirs.json()["id"]
    assert Ticket.objects.get(pk=theirs.json()["id"]).requester == other_requester


# --- GET /api/v1/tickets/{id}/ with ETag ------------------------------------------------------


def test_the_detail_carries_an_etag_and_if_none_match_answers_304(requester, client_for):
    ticket = TicketFactory(requester=requester)
    client = client_for(requester)
    etag = etag_of(client, ticket)

    response = client.get(ticket_url(ticket), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_a_changed_ticket_no_longer_matches_its_old_etag(requester, agent, client_for):
    ticket = TicketFactory(requester=requester)
    client = client_for(requester)
    old_etag = etag_of(client, ticket)
    services.ticket_update(ticket=ticket, actor=agent, data={"priority": Priority.HIGH})

    response = client.get(ticket_url(ticket), HTTP_IF_NONE_MATCH=old_etag)

    assert response.status_code == 200
    assert response.json()["priority"] == "high"
    assert response["ETag"] != old_etag


# --- PATCH /api/v1/tickets/{id}/ ---------------------------------------------------------------


def test_an_agent_changes_the_desk_fields_with_the_current_etag(
    agent, other_agent, client_for, tech_queue
):
    ticket = TicketFactory()
    client = client_for(agent)
    etag = etag_of(client, ticket)

    response = client.patch(
        ticket_url(ticket),
        {
            "priority": "urgent",
            "category": "api",
            "queue": "tech",
            "assignee": other_agent.pk,
            "tags": ["vip", "futures"],
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["priority"] == "urgent"
    assert body["category"] == "api"
    assert body["queue"] == "tech"
    assert body["assignee"]["id"] == other_agent.pk
    assert body["tags"] == ["vip", "futures"]
    assert body["version"] == 2
    assert response["ETag"] != etag
    assert etag_of(client, ticket) == response["ETag"]


def test_an_agent_unassigns_a_ticket_with_null(agent, other_agent, client_for):
    ticket = TicketFactory()
    services.ticket_update(ticket=ticket, actor=agent, data={"assignee": other_agent})

    response = client_for(agent).patch(ticket_url(ticket), {"assignee": None}, format="json")

    assert response.status_code == 200
    assert response.json()["assignee"] is None
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_a_stale_if_match_is_412_and_changes_nothing(agent, other_agent, client_for):
    ticket = TicketFactory()
    client = client_for(agent)
    stale = etag_of(client, ticket)
    client_for(other_agent).patch(ticket_url(ticket), {"priority": "high"}, format="json")

    response = client.patch(
        ticket_url(ticket), {"priority": "low", "tags": ["x"]}, format="json", HTTP_IF_MATCH=stale
    )

    assert_error(response, 412, "version_conflict")
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.tags, ticket.version) == ("high", [], 2)


def test_status_cannot_be_patched(agent, client_for):
    ticket = TicketFactory()

    response = client_for(agent).patch(ticket_url(ticket), {"status": "open"}, format="json")

    body = assert_error(response, 400, "validation_error")
    assert "status" in body["errors"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("new", 1)


def test_a_requester_may_not_change_the_priority(requester, client_for):
    ticket = TicketFactory(requester=requester)

    response = client_for(requester).patch(ticket_url(ticket), {"priority": "high"}, format="json")

    body = assert_error(response, 400, "validation_error")
    assert list(body["errors"]) == ["priority"]
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


def test_a_requester_adds_the_structured_details(requester, client_for):
    ticket = TicketFactory(requester=requester)
    details = {
        "occurred_at": "2026-03-02T09:14:00Z",
        "error_code": "WD-4012",
        "transaction_ids": ["0x4be1c0ffee", "ORD-889911"],
        "steps_to_reproduce": "Open Wallet, Withdraw, USDT, TRC20, confirm with 2FA.",
        "contact_phone": "+44 20 7946 0000",
    }

    response = client_for(requester).patch(ticket_url(ticket), details, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert {name: body[name] for name in details} == details
    assert body["version"] == 2
    ticket.refresh_from_db()
    assert ticket.transaction_ids == details["transaction_ids"]
    assert ticket.occurred_at == datetime(2026, 3, 2, 9, 14, tzinfo=UTC)


def test_a_ticket_can_only_be_assigned_to_an_agent(agent, client_for):
    ticket = TicketFactory()
    staff_without_group = UserFactory(is_staff=True)

    for assignee in (ticket.requester, staff_without_group):
        response = client_for(agent).patch(
            ticket_url(ticket), {"assignee": assignee.pk}, format="json"
        )

        body = assert_error(response, 400, "validation_error")
        assert list(body["errors"]) == ["assignee"]
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_a_supervisor_may_be_assigned(agent, supervisor, client_for):
    ticket = TicketFactory()

    response = client_for(agent).patch(
        ticket_url(ticket), {"assignee": supervisor.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == supervisor.pk


def test_an_unknown_queue_is_refused(agent, client_for):
    ticket = TicketFactory()

    response = client_for(agent).patch(ticket_url(ticket), {"queue": "no-such"}, format="json")

    assert list(assert_error(response, 400, "validation_error")["errors"]) == ["queue"]


def test_a_closed_ticket_keeps_its_fields(agent, client_for):
    ticket = ticket_in(Status.CLOSED, agent=agent)

    response = client_for(agent).patch(ticket_url(ticket), {"priority": "urgent"}, format="json")

    assert_error(response, 409, "ticket_closed")
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


# --- GET /api/v1/tickets/ filters -------------------------------------------------------------


def listed(client, **params) -> set[int]:
    response = client.get(TICKETS_URL, {"page_size": 100, **params})
    return set(result_ids(response))


def test_status_filter_takes_a_comma_list(agent, client_for):
    tickets = {status: ticket_in(status, agent=agent).pk for status in Status}

    found = listed(client_for(agent), status="new,pending,closed")

    assert found == {tickets[Status.NEW], tickets[Status.PENDING], tickets[Status.CLOSED]}
    assert listed(client_for(agent), status="on_hold") == {tickets[Status.ON_HOLD]}


def test_an_unknown_status_is_400(agent, client_for):
    TicketFactory()

    response = client_for(agent).get(TICKETS_URL, {"status": "open,archived"})

    body = assert_error(response, 400, "validation_error")
    assert list(body["errors"]) == ["status"]
    assert "archived" in body["errors"]["status"][0]


def test_priority_filter(agent, client_for):
    low = TicketFactory(priority=Priority.LOW)
    high = TicketFactory(priority=Priority.HIGH)
    urgent = TicketFactory(priority=Priority.URGENT)

    assert listed(client_for(agent), priority="high") == {high.pk}
    assert listed(client_for(agent), priority="low,urgent") == {low.pk, urgent.pk}


def test_category_filter(agent, client_for):
    account = TicketFactory(category=Category.ACCOUNT)
    TicketFactory(category=Category.TRADING)
    security = TicketFactory(category=Category.SECURITY)

    assert listed(client_for(agent), category="account,security") == {account.pk, security.pk}


def test_queue_filter_takes_a_slug(agent, client_for, payments_queue, tech_queue):
    in_payments = TicketFactory(category=Category.DEPOSIT_WITHDRAWAL)
    escalated = TicketFactory(category=Category.DEPOSIT_WITHDRAWAL)
    services.ticket_update(ticket=escalated, actor=agent, data={"queue": tech_queue})
    general = TicketFactory(category=Category.OTHER)

    assert listed(client_for(agent), queue=payments_queue.slug) == {in_payments.pk}
    assert listed(client_for(agent), queue="general") == {general.pk}
    assert listed(client_for(agent), queue="tech") == {escalated.pk}


def test_assignee_filter_takes_an_id_me_or_none(agent, other_agent, client_for):
    mine = TicketFactory()
    theirs = TicketFactory()
    nobodys = TicketFactory()
    services.ticket_update(ticket=mine, actor=agent, data={"assignee": agent})
    services.ticket_update(ticket=theirs, actor=agent, data={"assignee": other_agent})
    client = client_for(agent)

    assert listed(client, assignee="me") == {mine.pk}
    assert listed(client, assignee=str(other_agent.pk)) == {theirs.pk}
    assert listed(client, assignee="none") == {nobodys.pk}
    assert_error(client.get(TICKETS_URL, {"assignee": "bob"}), 400, "validation_error")


def test_created_and_updated_date_filters(agent, client_for):
    march, april, may = (datetime(2026, month, 1, tzinfo=UTC) for month in (3, 4, 5))
    old, recent = TicketFactory(), TicketFactory()
    Ticket.objects.filter(pk=old.pk).update(created_at=march, updated_at=march)
    Ticket.objects.filter(pk=recent.pk).update(created_at=april, updated_at=may)
    client = client_for(agent)

    assert listed(client, created_after=april.isoformat()) == {recent.pk}
    assert listed(client, created_before=april.isoformat()) == {old.pk}
    assert listed(client, created_after=march.isoformat()) == {old.pk, recent.pk}
    assert listed(client, updated_after=(april + timedelta(days=1)).isoformat()) == {recent.pk}


def test_q_searches_subject_description_reference_and_transaction_ids(agent, client_for):
    by_subject = TicketFactory(subject="Futures position liquidated early")
    by_description = TicketFactory(description="The margin call email never reached me.")
    by_reference = TicketFactory()
    by_txid = TicketFactory()
    services.ticket_update(
        ticket=by_txid,
        actor=by_txid.requester,
        data={"transaction_ids": ["0xab12cd34", "ORD-5521"]},
    )
    client = client_for(agent)

    assert listed(client, q="LIQUIDATED") == {by_subject.pk}
    assert listed(client, q="margin call") == {by_description.pk}
    assert listed(client, q=by_reference.reference) == {by_reference.pk}
    assert listed(client, q="ORD-5521") == {by_txid.pk}
    assert listed(client, q="0xab12") == set()  # a transaction id matches whole, not in part


@pytest.mark.parametrize("few_matches", [1000, 1], ids=["read by id", "many matches"])
def test_q_finds_chinese_text_whichever_way_the_page_is_read(
    few_matches, agent, client_for, monkeypatch
):
    # Given tickets in Chinese, two of them about a withdrawal that has not arrived
    monkeypatch.setattr("tickets.selectors.SEARCH_FEW_MATCHES", few_matches)
    in_subject = TicketFactory(subject="USDT 提现未到账", description="请尽快处理。")
    in_description = TicketFactory(
        subject="求助", description="我的BTC提现未到账，已经三个小时了。"
    )
    TicketFactory(subject="充值未到账", description="请帮我核实。")
    client = client_for(agent)

    # Then a search finds those two, in three or more characters and in two
    assert listed(client, q="提现未到账") == {in_subject.pk, in_description.pk}
    assert listed(client, q="提现") == {in_subject.pk, in_description.pk}


def test_ordering_by_updated_at_both_ways(agent, client_for):
    first, second, third = TicketFactory(), TicketFactory(), TicketFactory()
    base = timezone.now() - timedelta(days=1)
    for hours, ticket in enumerate([second, third, first]):
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=base + timedelta(hours=hours))
    client = client_for(agent)

    oldest_first = result_ids(client.get(TICKETS_URL, {"ordering": "updated_at"}))
    newest_first = result_ids(client.get(TICKETS_URL, {"ordering": "-updated_at"}))

    assert oldest_first == [second.pk, third.pk, first.pk]
    assert newest_first == [first.pk, third.pk, second.pk]


def test_the_default_order_is_newest_first(requester, client_for):
    tickets = TicketFactory.create_batch(3, requester=requester)

    assert result_ids(client_for(requester).get(TICKETS_URL)) == [t.pk for t in reversed(tickets)]


# --- cursor pagination ----------------------------------------------------------------------


def walk(client, url, params=None) -> list[list[int]]:
    """Follow `next` from the first page to the last; returns the ids page by page."""
    pages, response = [], client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        pages.append([item["id"] for item in body["results"]])
        if body["next"] is None:
            return pages
        response = client.get(body["next"])


def test_the_next_links_walk_every_ticket_exactly_once(requester, client_for):
    tickets = TicketFactory.create_batch(23, requester=requester)

    pages = walk(client_for(requester), TICKETS_URL, {"page_size": 5})

    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    walked = [ticket_id for page in pages for ticket_id in page]
    assert walked == [t.pk for t in reversed(tickets)]


def test_the_next_links_keep_the_filters_and_ordering(agent, client_for):
    wanted = [TicketFactory(priority=Priority.HIGH) for _ in range(7)]
    TicketFactory.create_batch(4, priority=Priority.LOW)

    pages = walk(
        client_for(agent),
        TICKETS_URL,
        {"page_size": 3, "priority": "high", "ordering": "updated_at"},
    )

    assert [ticket_id for page in pages for ticket_id in page] == [t.pk for t in wanted]


def test_the_default_page_size_is_25_and_at_most_100(requester, client_for):
    TicketFactory.create_batch(101, requester=requester)
    client = client_for(requester)

    assert len(result_ids(client.get(TICKETS_URL))) == 25
    assert len(result_ids(client.get(TICKETS_URL, {"page_size": 100}))) == 100
    assert len(result_ids(client.get(TICKETS_URL, {"page_size": 1000}))) == 100


# --- POST /api/v1/tickets/{id}/transitions/ -----------------------------------------------------


def test_an_agent_opens_a_ticket(agent, client_for):
    ticket = TicketFactory()

    response = client_for(agent).post(
        transitions_url(ticket), {"to": "open", "reason": "Looking into it"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
    assert response.json()["version"] == 2
    assert history_steps(ticket) == [(None, "new"), ("new", "open")]
    assert ticket.history.last().changed_by == agent
    assert ticket.history.last().reason == "Looking into it"


def test_a_step_that_is_not_in_the_lifecycle_is_409_with_the_allowed_statuses(agent, client_for):
    ticket = ticket_in(Status.OPEN, agent=agent)

    response = client_for(agent).post(transitions_url(ticket), {"to": "new"}, format="json")

    body = assert_error(response, 409, "invalid_transition")
    assert body["allowed"] == ["pending", "on_hold", "resolved", "closed"]
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_the_allowed_statuses_are_the_callers_own(requester, agent, client_for):
    ticket = ticket_in(Status.RESOLVED, agent=agent, requester=requester)

    response = client_for(requester).post(transitions_url(ticket), {"to": "pending"}, format="json")

    assert assert_error(response, 409, "invalid_transition")["allowed"] == ["open", "closed"]


def test_a_requester_may_not_open_a_ticket(requester, client_for):
    ticket = TicketFactory(requester=requester)

    response = client_for(requester).post(transitions_url(ticket), {"to": "open"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert_history_consistent(ticket)
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_an_agent_closing_an_unresolved_ticket_must_give_a_reason(agent, client_for):
    ticket = ticket_in(Status.OPEN, agent=agent)
    client = client_for(agent)

    refused = client.post(transitions_url(ticket), {"to": "closed", "reason": " "}, format="json")
    closed = client.post(transitions_url(ticket), {"to": "closed", "reason": "spam"}, format="json")

    assert "reason" in assert_error(refused, 400, "validation_error")["errors"]
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_at"] is not None
    assert history_steps(ticket)[-1] == ("open", "closed")


def test_a_requester_withdraws_a_ticket_without_a_reason(requester, client_for):
    ticket = TicketFactory(requester=requester)

    response = client_for(requester).post(transitions_url(ticket), {"to": "closed"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "closed"


@pytest.mark.parametrize("target", [status.value for status in Status])
def test_nothing_leaves_closed(target, requester, agent, client_for):
    ticket = ticket_in(Status.CLOSED, agent=agent, requester=requester)

    for user in (agent, requester):
        response = client_for(user).post(
            transitions_url(ticket), {"to": target, "reason": "please"}, format="json"
        )

        assert assert_error(response, 409, "invalid_transition")["allowed"] == []
    assert history_steps(ticket)[-1] == ("new", "closed")


def test_a_requester_reopens_a_resolved_ticket_within_the_window_only(requester, agent, client_for):
    recent = ticket_in(Status.RESOLVED, agent=agent, requester=requester)
    stale = ticket_in(Status.RESOLVED, agent=agent, requester=requester)
    Ticket.objects.filter(pk=stale.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    client = client_for(requester)

    reopened = client.post(transitions_url(recent), {"to": "open"}, format="json")
    too_late = client.post(transitions_url(stale), {"to": "open"}, format="json")

    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert reopened.json()["resolved_at"] is None
    assert assert_error(too_late, 409, "invalid_transition")["allowed"] == ["closed"]


def test_an_unknown_target_status_is_400(agent, client_for):
    ticket = TicketFactory()

    response = client_for(agent).post(transitions_url(ticket), {"to": "archived"}, format="json")

    assert list(assert_error(response, 400, "validation_error")["errors"]) == ["to"]


def test_staff_outside_the_agents_group_is_a_requester(client_for):
    """SPEC §1: agents are staff *in group Agents*; is_staff alone grants nothing."""
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name="Billing")[0])
    someone_elses = TicketFactory()

    assert_error(client_for(staff).get(ticket_url(someone_elses)), 404, "not_found")
