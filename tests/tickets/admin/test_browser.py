"""One real browser through the desk: Debian's Chromium driven by Playwright against the
live server, at 1280 px. An agent logs in, checks the list's columns, filters to new
tickets, assigns one to themself, applies a macro after its preview, replies and resolves
it; a supervisor opens the help centre's article editor. Screenshots are saved.

Never skipped: `make test` finds /usr/bin/chromium or installs Debian's package (Playwright's
own browser download is never used). Set AGENTS_DESK_SCREENSHOT=docs/agents-desk.png to
redraw the README's screenshots (the list there, beside it the ticket page as
agents-desk-ticket.png and the editor as help-centre-editor.png)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from helpcentre.management.commands.load_help_demo import load_articles
from tests.factories import (
    PASSWORD,
    AgentFactory,
    SupervisorFactory,
    TicketFactory,
    UserFactory,
    ticket_in,
)
from tests.helpers import history_steps
from tests.tickets.admin.conftest import LIST_COLUMNS
from tickets import services
from tickets.models import Category, Macro, Message, Priority, Status, Ticket

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.django_db(transaction=True)  # live_server: real transactions


@pytest.fixture
def browser_env(settings, monkeypatch):
    # Plain http on localhost: the secure-cookie settings of a production run would drop
    # the session and CSRF cookies.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Playwright's sync API runs an event loop in this thread; the test still uses the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def desk_data(migrated_rows):
    agent = AgentFactory(username="mei", first_name="Mei", email="mei@support.example.com")
    colleague = AgentFactory(username="tomas")
    customer = UserFactory(username="satoshi_fan", email="satoshi.fan@example.com")
    stuck = TicketFactory(
        requester=customer,
        subject="BTC withdrawal pending for 3 hours",
        category=Category.DEPOSIT_WITHDRAWAL,
        priority=Priority.HIGH,
        transaction_ids=["9f2c6a1e0b7d4c3a8e5f1d2b3c4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"],
    )
    TicketFactory(subject="2FA codes rejected after phone change", category=Category.SECURITY)
    TicketFactory(subject="API rate limit on order endpoint", category=Category.API)
    working = ticket_in(
        Status.OPEN, agent=colleague, subject="KYC documents re-review", category=Category.ACCOUNT
    )
    services.ticket_update(ticket=working, actor=colleague, data={"assignee": colleague})
    ticket_in(Status.PENDING, agent=colleague, subject="Futures liquidation question")
    macro = Macro.objects.create(
        name="Ask for the TxID",
        body_en="Hello {requester_name}, please send the TxID of {reference}. {agent_name}",
        status=Status.PENDING,
        reason="Waiting for the TxID",
        add_tags=["txid-asked"],
    )
    supervisor = SupervisorFactory(username="carol")
    load_articles()
    return {
        "agent": agent,
        "stuck": stuck,
        "working": working,
        "macro": macro,
        "supervisor": supervisor,
    }


def login(page, url, user) -> None:
    page.goto(f"{url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def test_an_agent_triages_applies_a_macro_replies_and_resolves(
    live_server, browser_env, desk_data, tmp_path
):
    assert CHROMIUM.exists(), f"no Chromium at {CHROMIUM}: `make test` installs Debian's"
    agent, stuck = desk_data["agent"], desk_data["stuck"]
    screenshot = Path(os.environ.get("AGENTS_DESK_SCREENSHOT") or tmp_path / "agents-desk.png")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(20_000)

            # Log in; the list has its columns, each row on one line
            login(page, live_server.url, agent)
            page.goto(f"{live_server.url}/admin/tickets/ticket/")
            headers = [
                text.strip().lower()
                for text in page.locator("#result_list thead th").all_inner_texts()
            ]
            assert headers[1:] == LIST_COLUMNS, headers
            assert page.title().startswith("Tickets |")
            table = page.locator("#result_list").bounding_box()
            content = page.locator("#changelist .changelist-form-container").bounding_box()
            assert table["width"] <= content["width"] + 1, (table, content)
            row_heights = {
                round(box["height"])
                for box in (r.bounding_box() for r in page.locator("#result_list tbody tr").all())
            }
            assert max(row_heights) < 40, row_heights  # no wrapped subject or reference

            # Filter to new tickets
            page.locator("#changelist-filter").get_by_role("link", name="New", exact=True).click()
            page.wait_for_url("**status=new**")
            rows = page.locator("#result_list tbody tr")
            assert rows.count() == 3
            assert "KYC documents" not in page.inner_text("#result_list")

            # Assign the stuck withdrawal to me
            page.check(f'input.action-select[value="{stuck.pk}"]')
            page.select_option('select[name="action"]', "assign_to_me")
            page.click('button[name="index"]')
            page.wait_for_selector("ul.messagelist")
            assert "Assigned 1 ticket to you." in page.inner_text("ul.messagelist")

            # Open it; preview the macro, then apply it
            page.get_by_role("link", name=stuck.reference).click()
            page.wait_for_selector("#id_reply")
            page.select_option("#id_macro", label="Ask for the TxID")
            page.click("#macro-preview")
            page.wait_for_selector("#macro-body")
            assert f"please send the TxID of {stuck.reference}" in page.inner_text("#macro-body")
            page.click('input[name="apply"]')
            page.wait_for_selector("ul.messagelist .success")
            assert "Pending" in page.inner_text(".field-status_display")
            assert "please send the TxID" in page.inner_text("#conversation")

            # Reply
            page.fill(
                "#id_reply",
                "The withdrawal was delayed by network congestion; it has 3 confirmations now.",
            )
            page.locator('input[name="_continue"]').first.click()
            page.wait_for_selector("ul.messagelist .success")

            # The conversation comes before the reply box, newest at the bottom
            thread = page.inner_text("#conversation")
            assert thread.index("please send the TxID") < thread.index("network congestion")
            assert (
                page.locator("#conversation").bounding_box()["y"]
                < page.locator("#id_reply").bounding_box()["y"]
            )

            # Resolve it, with a reason
            page.select_option("#id_to_status", Status.RESOLVED)
            page.fill("#id_reason", "Funds arrived; customer informed.")
            page.locator('input[name="_continue"]').first.click()
            page.wait_for_selector("ul.messagelist .success")
            assert "Resolved" in page.inner_text(".field-status_display")

            page.screenshot(
                path=str(screenshot.with_name("agents-desk-ticket.png")), full_page=True
            )

            # The list as the desk shows it now: most urgent and oldest-waiting first
            page.goto(f"{live_server.url}/admin/tickets/ticket/")
            page.wait_for_selector("#result_list")
            page.screenshot(path=str(screenshot))

            # The supervisor's help-centre editor
            supervisor_page = browser.new_page(viewport={"width": 1280, "height": 900})
            login(supervisor_page, live_server.url, desk_data["supervisor"])
            supervisor_page.goto(f"{live_server.url}/admin/helpcentre/article/")
            supervisor_page.get_by_role("link", name="withdrawal-not-arrived").click()
            supervisor_page.wait_for_selector("#id_body_en")
            assert "network confirmations" in supervisor_page.inner_text(".field-preview_en")
            supervisor_page.screenshot(
                path=str(screenshot.with_name("help-centre-editor.png")), full_page=True
            )
        finally:
            browser.close()

    ticket = Ticket.objects.get(pk=stuck.pk)
    assert (ticket.status, ticket.assignee) == (Status.RESOLVED, agent)
    macro_reply, reply = Message.objects.filter(ticket=ticket).order_by("pk")
    assert macro_reply.body.startswith("Hello satoshi_fan, please send the TxID")
    assert (reply.author, reply.internal) == (agent, False)
    assert ticket.tags == ["txid-asked"]
    assert history_steps(ticket) == [
        (None, Status.NEW),
        (Status.NEW, Status.PENDING),
        (Status.PENDING, Status.RESOLVED),
    ]
    assert ticket.history.last().reason == "Funds arrived; customer informed."
    assert screenshot.stat().st_size > 10_000
