"""Issue #17: an integrator generates a Python client from the exported schema with
openapi-python-client and runs the whole flow with it, unpatched, against a live server:
log in, submit a ticket (with an Idempotency-Key, and with files), list with filters and
follow the cursor, read with an ETag, reply, read the conversation and the history, change
the ticket as an agent with If-Match, move it along its lifecycle, download a file, read
the notifications, the profile and the health check; the desk's queues and macros (a
supervisor manages them, an agent applies one); the help centre (a supervisor writes,
anyone reads and asks for suggestions without a token); change the password and sign out:
every operation of the schema. Every answer arrives typed."""

import importlib
import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import PASSWORD, AgentFactory, SupervisorFactory, UserFactory
from tests.helpers import fan_out
from tickets.models import Queue

pytestmark = pytest.mark.django_db(transaction=True)  # a live server: real transactions


class Generated:
    """The generated package, by the names its generator gives (`api.tickets.tickets_list`,
    `models.StatusEnum`...)."""

    def __init__(self, package):
        self.package = package
        self.models = importlib.import_module(f"{package.__name__}.models")
        self.types = importlib.import_module(f"{package.__name__}.types")

    def api(self, tag: str, operation: str):
        return importlib.import_module(f"{self.package.__name__}.api.{tag}.{operation}")

    def __getattr__(self, name):
        return getattr(self.models, name)


def delivered_in_site() -> None:
    """What a worker does after the commit: make the deliveries, send the in-site ones."""
    from notifications.channels.registry import CHANNELS
    from notifications.models import Delivery, DeliveryStatus

    fan_out()
    for delivery in Delivery.objects.filter(channel="in_site", status=DeliveryStatus.PENDING):
        CHANNELS["in_site"].send(delivery)


def cursor_of(url: str | None) -> str | None:
    return parse_qs(urlsplit(url).query)["cursor"][0] if url else None


def test_an_integrator_runs_the_whole_flow_with_a_generated_client(
    generated_client, live_server, media
):
    package, _modules = generated_client
    g = Generated(package)
    requester = UserFactory(username="exchange-user")
    agent = AgentFactory(username="desk-agent")
    Queue.objects.get_or_create(slug="tier-2", defaults={"name": "Technical"})

    # Log in (reading only `token`), as each of them.
    anonymous = package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    health = g.api("healthz", "healthz_retrieve").sync_detailed(client=anonymous)
    assert health.status_code == 200 and health.parsed.status == g.AvailabilityEnum.OK

    def log_in(user):
        body = g.LoginRequest(username=user.username, password=PASSWORD)
        answer = g.api("auth", "auth_token_create").sync(client=anonymous, body=body)
        return package.AuthenticatedClient(
            base_url=live_server.url,
            token=answer.token,
            prefix="Token",
            raise_on_unexpected_status=True,
        )

    customer, desk = log_in(requester), log_in(agent)

    me = g.api("me", "me_retrieve").sync(client=customer)
    assert (me.username, me.role, me.language) == (
        "exchange-user",
        g.RoleEnum.REQUESTER,
        g.LanguageEnum.EN,
    )
    changed = g.api("me", "me_partial_update").sync(
        client=customer, body=g.PatchedMeRequest(anti_phishing_code="BLUE-OWL-42")
    )
    assert changed.anti_phishing_code == "BLUE-OWL-42"

    # Submit a ticket with an Idempotency-Key; the retry gets the same ticket back.
    create = g.api("tickets", "tickets_create")
    new = g.TicketCreateRequest(
        subject="BTC withdrawal not received",
        description="Sent 0.2 BTC three hours ago.",
        category=g.CategoryEnum.DEPOSIT_WITHDRAWAL,
        priority=g.PriorityEnum.HIGH,
        transaction_ids=["9f2c6a1e0b7d4c3a"],
    )
    first = create.sync_detailed(client=customer, body=new, idempotency_key="key-0001")
    again = create.sync_detailed(client=customer, body=new, idempotency_key="key-0001")
    assert (first.status_code, again.status_code) == (201, 201)
    ticket = first.parsed
    assert isinstance(ticket, g.RequesterTicket)
    assert ticket.transaction_ids == ["9f2c6a1e0b7d4c3a"]
    assert again.parsed.id == ticket.id and again.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Location"].endswith(f"/api/v1/tickets/{ticket.id}/")

    # Submit one with a file (multipart), and a few more to page through.
    with_file = create.sync(
        client=customer,
        body=g.TicketCreateWithFilesRequest(
            subject="Deposit missing",
            description="See the log",
            category=g.CategoryEnum.DEPOSIT_WITHDRAWAL,
            transaction_ids=["0xabc", "0xdef"],
            attachments=[
                g.types.File(
                    payload=io.BytesIO(b"TxID 0xabc pending\n"),
                    file_name="wallet.log",
                    mime_type="text/plain",
                )
            ],
        ),
    )
    assert with_file.transaction_ids == ["0xabc", "0xdef"]
    (attachment,) = with_file.attachments
    assert (attachment.filename, attachment.content_type) == ("wallet.log", "text/plain")
    others = [
        create.sync(
            client=customer,
            body=g.TicketCreateRequest(
                subject=f"Question {n}", description="2FA", category=g.CategoryEnum.SECURITY
            ),
        ).id
        for n in range(3)
    ]

    # List with filters (a list parameter, sent as repeated values), following the cursor.
    listing = g.api("tickets", "tickets_list")
    filters = {
        "status": [g.TicketsListStatusItem.NEW, g.TicketsListStatusItem.OPEN],
        "category": [g.TicketsListCategoryItem.SECURITY, g.TicketsListCategoryItem.ACCOUNT],
        "ordering": g.TicketsListOrdering.CREATED_AT,
        "page_size": 2,
    }
    seen, cursor = [], None
    while True:
        kwargs = {**filters, "cursor": cursor} if cursor else filters
        page = listing.sync(client=customer, **kwargs)
        seen += [item.id for item in page.results]
        cursor = cursor_of(page.next_)
        if cursor is None:
            break
    assert seen == others
    assert page.previous is not None

    # Read it with its ETag; the same ETag in If-None-Match is a 304.
    retrieve = g.api("tickets", "tickets_retrieve")
    read = retrieve.sync_detailed(ticket.id, client=customer)
    etag = read.headers["ETag"]
    assert etag == f'"{ticket.id}-{ticket.version}"'
    assert retrieve.sync_detailed(ticket.id, client=customer, if_none_match=etag).status_code == 304

    # Reply (JSON and multipart); the conversation and the history.
    messages = g.api("tickets", "tickets_messages_create")
    reply = messages.sync(
        client=customer, id=ticket.id, body=g.MessageCreateRequest(body="Any news?")
    )
    assert reply.author.username == "exchange-user" and reply.internal is False
    answer = messages.sync(
        client=desk,
        id=ticket.id,
        body=g.MessageCreateWithFilesRequest(
            body="Here is what we see on chain.",
            attachments=[g.types.File(payload=io.BytesIO(b"a,b\n1,2\n"), file_name="chain.csv")],
        ),
    )
    assert answer.attachments[0].content_type == "text/csv"
    conversation = g.api("tickets", "tickets_messages_list").sync(ticket.id, client=customer)
    assert [m.body for m in conversation.results] == ["Any news?", "Here is what we see on chain."]
    history = g.api("tickets", "tickets_history_list").sync(ticket.id, client=customer)
    assert [(step.from_status, step.to_status) for step in history.results] == [
        (None, g.StatusEnum.NEW),
        (g.StatusEnum.NEW, g.StatusEnum.OPEN),  # the agent's first reply opened it
    ]
    assert history.results[0].changed_by.username == "exchange-user"

    # The agent sees the desk fields, and changes them with If-Match.
    as_agent = retrieve.sync_detailed(ticket.id, client=desk)
    assert isinstance(as_agent.parsed, g.AgentTicket)
    assert as_agent.parsed.requester.username == "exchange-user"
    assert as_agent.parsed.assignee is None
    update = g.api("tickets", "tickets_partial_update")
    patched = update.sync_detailed(
        ticket.id,
        client=desk,
        if_match=as_agent.headers["ETag"],
        body=g.PatchedTicketUpdateRequest(
            priority=g.PriorityEnum.URGENT, assignee=agent.pk, queue="tier-2", tags=["vip"]
        ),
    )
    assert patched.status_code == 200
    assert (patched.parsed.priority, patched.parsed.queue, patched.parsed.tags) == (
        g.PriorityEnum.URGENT,
        "tier-2",
        ["vip"],
    )
    assert patched.parsed.assignee.email == agent.email
    stale = update.sync_detailed(
        ticket.id,
        client=desk,
        if_match=as_agent.headers["ETag"],
        body=g.PatchedTicketUpdateRequest(priority=g.PriorityEnum.LOW),
    )
    assert stale.status_code == 412
    assert isinstance(stale.parsed, g.Error412)
    assert stale.parsed.code == g.Error412Code.VERSION_CONFLICT
    assert stale.parsed.version == patched.parsed.version

    # Transitions: the agent's step, and a requester's step the lifecycle refuses.
    transition = g.api("tickets", "tickets_transitions_create")
    pending = transition.sync_detailed(
        ticket.id,
        client=desk,
        body=g.TransitionRequest(to=g.StatusEnum.PENDING, reason="Waiting for the TxID"),
    )
    assert pending.status_code == 200 and pending.parsed.status == g.StatusEnum.PENDING
    assert pending.headers["ETag"] == f'"{ticket.id}-{pending.parsed.version}"'
    refused = transition.sync_detailed(
        ticket.id, client=customer, body=g.TransitionRequest(to=g.StatusEnum.NEW)
    )
    assert refused.status_code == 409
    assert refused.parsed.code == g.Error409Code.INVALID_TRANSITION
    assert refused.parsed.allowed == [g.StatusEnum.CLOSED]  # withdraw: a requester's step

    # The file, downloaded.
    download = g.api("tickets", "tickets_attachments_retrieve").sync(
        with_file.id, attachment.id, client=customer
    )
    assert download.payload.read() == b"TxID 0xabc pending\n"

    # Notifications: what the desk told the requester.
    delivered_in_site()
    inbox = g.api("notifications", "notifications_list").sync(client=customer, unread=True)
    assert inbox.results and all(not item.read for item in inbox.results)
    count = g.api("notifications", "notifications_unread_count_retrieve").sync(client=customer)
    assert count.count == len(inbox.results)
    one = g.api("notifications", "notifications_read_create").sync(
        inbox.results[0].id, client=customer
    )
    assert one.read is True and one.read_at is not None
    rest = g.api("notifications", "notifications_read_all_create").sync(client=customer)
    assert rest.count == count.count - 1

    # The desk's tools: a supervisor writes a macro, an agent applies it to a new ticket.
    lead = log_in(SupervisorFactory(username="desk-lead"))
    queues = g.api("queues", "queues_list").sync(client=desk)
    assert "tier-2" in [queue.slug for queue in queues]
    macros = g.api("macros", "macros_create")
    macro = macros.sync(
        client=lead,
        body=g.MacroRequest(
            name="Ask for the TxID",
            body=g.MacroBodyRequest(
                en="Hello {requester_name}, which TxID did {reference} use?",
                zh_hans="{requester_name}您好，请提供 {reference} 的交易哈希。",
            ),
            status=g.StatusEnum.PENDING,
            reason="Waiting for the TxID",
            queue="tier-2",
            add_tags=["txid-asked"],
        ),
    )
    assert (macro.body.en, macro.queue, macro.priority) == (
        "Hello {requester_name}, which TxID did {reference} use?",
        "tier-2",
        g.BlankEnum.VALUE_0,
    )
    taken = macros.sync_detailed(client=lead, body=g.MacroRequest(name="Ask for the TxID"))
    assert taken.status_code == 400
    assert taken.parsed.code == g.Error400Code.VALIDATION_ERROR
    assert list(taken.parsed.errors.additional_properties) == ["name"]
    assert [m.name for m in g.api("macros", "macros_list").sync(client=desk)] == [macro.name]
    hidden = g.api("macros", "macros_retrieve").sync_detailed(macro.id, client=customer)
    assert hidden.status_code == 403 and hidden.parsed.code == g.Error403Code.PERMISSION_DENIED
    changed = g.api("macros", "macros_partial_update").sync(
        macro.id, client=lead, body=g.PatchedMacroRequest(priority=g.PriorityEnum.HIGH)
    )
    assert g.api("macros", "macros_retrieve").sync(macro.id, client=desk).priority == (
        changed.priority
    )
    applied = g.api("tickets", "tickets_apply_macro_create").sync(
        with_file.id, client=desk, body=g.ApplyMacroRequest(macro=macro.id)
    )
    assert isinstance(applied, g.AgentTicket)
    assert (applied.status, applied.priority, applied.queue, applied.tags) == (
        g.StatusEnum.PENDING,
        g.PriorityEnum.HIGH,
        "tier-2",
        ["txid-asked"],
    )
    written = g.api("tickets", "tickets_messages_list").sync(with_file.id, client=customer)
    assert written.results[-1].body == (
        f"Hello exchange-user, which TxID did {with_file.reference} use?"
    )
    assert g.api("macros", "macros_destroy").sync_detailed(macro.id, client=lead).status_code == 204

    # The help centre: a supervisor writes; anyone reads it, with no token at all.
    article = g.api("help_", "help_articles_create").sync(
        client=lead,
        body=g.ArticleRequest(
            slug="withdrawal-delays",
            category="withdrawals",
            kind=g.KindEnum.FAQ,
            state=g.StateEnum.PUBLISHED,
            title=g.ArticleTitleRequest(
                en="Why is my withdrawal delayed?", zh_hans="提现为什么延迟？"
            ),
            body=g.ArticleBodyRequest(en="Withdrawals wait for **confirmations**."),
        ),
    )
    assert article.body_html.en == "<p>Withdrawals wait for <strong>confirmations</strong>.</p>\n"
    found = g.api("help_", "help_articles_list").sync(client=anonymous, q="withdrawal delayed")
    assert [item.slug for item in found.results] == ["withdrawal-delays"]
    read_article = g.api("help_", "help_articles_retrieve")
    public = read_article.sync_detailed("withdrawal-delays", client=anonymous)
    assert public.parsed.title.zh_hans == "提现为什么延迟？"
    again = read_article.sync_detailed(
        "withdrawal-delays", client=anonymous, if_none_match=public.headers["ETag"]
    )
    assert again.status_code == 304
    suggest = g.api("help_", "help_suggest_retrieve")
    for_anyone = suggest.sync(client=anonymous, q="提现延迟")
    assert isinstance(for_anyone, g.PublicSuggestions)
    assert [item.slug for item in for_anyone.articles] == ["withdrawal-delays"]
    assert isinstance(suggest.sync(client=desk, q="withdrawal delayed"), g.AgentSuggestions)
    g.api("help_", "help_articles_partial_update").sync(
        "withdrawal-delays", client=lead, body=g.PatchedArticleRequest(state=g.StateEnum.DRAFT)
    )
    assert read_article.sync_detailed("withdrawal-delays", client=anonymous).status_code == 404
    notice = g.api("help_", "help_announcements_create").sync(
        client=lead,
        body=g.AnnouncementRequest(
            title=g.AnnouncementTitleRequest(en="Maintenance at 02:00 UTC"), pinned=True
        ),
    )
    announcements = g.api("help_", "help_announcements_list")
    assert [item.id for item in announcements.sync(client=anonymous)] == [notice.id]
    ended = notice.published_at - timedelta(hours=1)
    g.api("help_", "help_announcements_partial_update").sync(
        notice.id,
        client=lead,
        body=g.PatchedAnnouncementRequest(
            published_at=ended - timedelta(hours=1), expires_at=ended
        ),
    )
    assert announcements.sync(client=anonymous) == []

    # A new password revokes the requester's other tokens; signing out revokes this one.
    second = log_in(requester)
    changed = g.api("me", "me_password_create").sync_detailed(
        client=second,
        body=g.PasswordChangeRequest(old_password=PASSWORD, new_password="a-new-long-phrase-42"),
    )
    assert changed.status_code == 204
    refused = g.api("me", "me_retrieve").sync_detailed(client=customer)
    assert refused.status_code == 401
    assert refused.parsed.code == g.Error401Code.AUTHENTICATION_FAILED
    assert g.api("auth", "auth_token_destroy").sync_detailed(client=second).status_code == 204
    assert g.api("me", "me_retrieve").sync_detailed(client=second).status_code == 401


def test_the_readmes_client_example_runs(generated_client, live_server, settings):
    """The README's "For integrators" example, as written, against a live server."""
    readme = (settings.BASE_DIR / "README.md").read_text()
    example = re.search(r"```python\n(from helpdesk_client .*?)```", readme, re.S).group(1)
    alice = UserFactory(username="alice")
    alice.set_password("helpdesk-demo")
    alice.save()
    namespace = {}

    exec(example.replace("http://127.0.0.1:8000", live_server.url), namespace)  # noqa: S102

    assert namespace["ticket"].subject == "Deposit missing"
    assert [item.id for item in namespace["page"].results] == [namespace["ticket"].id]
