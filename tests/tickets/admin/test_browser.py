"""One real browser through the desk: Debian's Chromium driven by Playwright against the
live server. An agent logs in, filters to new tickets, assigns one to themself, replies,
and resolves it, and a screenshot is saved.

Skipped, with the reason, only where Chromium is not installed (.ci/run installs it);
Playwright's own browser download is never used: the test launches /usr/bin/chromium.
Set AGENTS_DESK_SCREENSHOT=path to keep the screenshots (the list there, the ticket page
beside it as agents-desk-ticket.png); docs/ has the ones the README shows."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD, AgentFactory, TicketFactory, UserFactory, ticket_in
from tests.helpers import history_steps
from tickets import services
from tickets.models import Category, Message, Priority, Status, Ticket

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

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; "
        ".ci/run installs it)",
    ),
    pytest.mark.django_db(transaction=True),  # live_server: real transactions
]


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
    return {"agent": agent, "stuck": stuck, "working": working}


def test_an_agent_triages_replies_and_resolves(live_server, browser_env, desk_data, tmp_path):
    agent, stuck = desk_data["agent"], desk_data["stuck"]
    screenshot = Path(os.environ.get("AGENTS_DESK_SCREENSHOT") or tmp_path / "agents-desk.png")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(20_000)

            # Log in
            page.goto(f"{live_server.url}/admin/login/?next=/admin/tickets/ticket/")
            page.fill("#id_username", agent.username)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url("**/admin/tickets/ticket/")

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

            # Open it and reply
            page.get_by_role("link", name=stuck.reference).click()
            page.wait_for_selector("#id_reply")
            page.fill(
                "#id_reply",
                "The withdrawal was delayed by network congestion; it has 3 confirmations now.",
            )
            page.locator('input[name="_continue"]').first.click()
            page.wait_for_selector("ul.messagelist .success")

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
        finally:
            browser.close()

    ticket = Ticket.objects.get(pk=stuck.pk)
    assert (ticket.status, ticket.assignee) == (Status.RESOLVED, agent)
    reply = Message.objects.get(ticket=ticket)
    assert (reply.author, reply.internal) == (agent, False)
    assert history_steps(ticket) == [
        (None, Status.NEW),
        (Status.NEW, Status.OPEN),
        (Status.OPEN, Status.RESOLVED),
    ]
    assert ticket.history.last().reason == "Funds arrived; customer informed."
    assert screenshot.stat().st_size > 10_000
