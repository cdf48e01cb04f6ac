"""The ticket page of the agents' desk: the agent fields, a reply or internal note with
files, the status control with its reason, and the read-only history, conversation,
attachments and deliveries. Every write goes through the services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Delivery, Event, EventKind
from notifications.services import preferences_update
from tests.factories import AgentFactory, TicketFactory, UserFactory, ticket_in
from tests.helpers import assert_history_consistent, fan_out, history_steps
from tests.tickets.admin.conftest import change_url, messages_of, post_ticket_page
from tickets import services
from tickets.admin import TicketAdmin
from tickets.errors import TicketClosed
from tickets.models import Attachment, Message, Priority, Status, StatusChange, Ticket

pytestmark = pytest.mark.django_db

RECEIPT = b"TxID 7f3c9a confirmed on TRC20, 120 USDT\n"


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def saved(response) -> None:
    """The POST went through: a redirect back to the page, not the form with errors."""
    if response.status_code != 302:
        form = response.context["adminform"].form
        pytest.fail(f"not saved: {response.status_code} {form.errors.as_data()}")


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    errors = response.context["adminform"].form.errors
    return {name: " ".join(messages) for name, messages in errors.items()}


class TestTheReply:
    def test_a_public_reply_opens_a_new_ticket_and_notifies_the_requester(self, desk, agent):
        ticket = TicketFactory()

        response = post_ticket_page(desk, ticket, reply="We are checking with the chain team.")

        saved(response)
        message = Message.objects.get(ticket=ticket)
        assert (message.author, message.internal) == (agent, False)
        assert history_steps(ticket) == [(None, Status.NEW), (Status.NEW, Status.OPEN)]
        assert fresh(ticket).first_response_at is not None
        replied = Event.objects.get(ticket=ticket, kind=EventKind.AGENT_REPLIED)
        fan_out()
        assert {d.recipient for d in replied.deliveries.all()} == {ticket.requester}

    def test_an_internal_note_with_a_file(self, desk, agent, media):
        ticket = TicketFactory()
        events_before = Event.objects.filter(ticket=ticket).count()

        response = post_ticket_page(
            desk,
            ticket,
            reply="Chain explorer shows 12 confirmations.",
            internal="on",
            attachments=[SimpleUploadedFile("explorer.txt", RECEIPT, "application/x-msdownload")],
        )

        saved(response)
        note = Message.objects.get(ticket=ticket)
        assert note.internal
        attachment = Attachment.objects.get(message=note)
        assert (attachment.filename, attachment.content_type, attachment.size) == (
            "explorer.txt",
            "text/plain",  # sniffed from the bytes, not the browser's type
            len(RECEIPT),
        )
        assert attachment.file.read() == RECEIPT
        assert fresh(ticket).status == Status.NEW  # a note does not open the ticket
        assert Event.objects.filter(ticket=ticket).count() == events_before  # nobody told
        page = desk.get(change_url(ticket)).content.decode()
        assert "Internal note" in page
        download = reverse(
            "api:ticket-attachment", kwargs={"pk": ticket.pk, "attachment_id": attachment.pk}
        )
        assert f'href="{download}"' in page
        assert b"".join(desk.get(download).streaming_content) == RECEIPT

    def test_a_refused_file_keeps_the_reply_and_writes_nothing(self, desk, media):
        ticket = TicketFactory()

        response = post_ticket_page(
            desk,
            ticket,
            reply="See the page attached.",
            attachments=[SimpleUploadedFile("page.png", b"<html><script>x</script></html>")],
        )

        assert "HTML" in form_errors(response)["attachments"]
        assert "See the page attached." in response.content.decode()
        assert not Message.objects.filter(ticket=ticket).exists()
        assert not Attachment.objects.exists()
        assert not [path for path in media.rglob("*") if path.is_file()]

    def test_files_need_a_reply_or_note(self, desk, media):
        ticket = TicketFactory()

        response = post_ticket_page(
            desk, ticket, attachments=[SimpleUploadedFile("receipt.txt", RECEIPT)]
        )

        assert "Write the reply or note" in form_errors(response)["reply"]

    def test_a_secret_in_the_reply_is_refused(self, desk):
        ticket = TicketFactory()

        response = post_ticket_page(desk, ticket, reply="Your password: hunter2-Secret!")

        assert form_errors(response)["reply"]
        assert not Message.objects.filter(ticket=ticket).exists()

    def test_files_of_a_save_that_fails_later_are_deleted(self, desk, media, monkeypatch):
        ticket = TicketFactory()

        def fail_after_the_reply(*args, **kwargs):
            raise TicketClosed()  # e.g. a refusal after message_add wrote its files

        monkeypatch.setattr(TicketAdmin, "log_change", fail_after_the_reply)
        response = post_ticket_page(
            desk,
            ticket,
            reply="Receipt attached.",
            attachments=[SimpleUploadedFile("receipt.txt", RECEIPT)],
        )

        assert response.status_code == 302
        assert not Message.objects.filter(ticket=ticket).exists()
        assert not Attachment.objects.exists()
        assert not [path for path in media.rglob("*") if path.is_file()]


class TestTheStatusControl:
    def test_resolve_with_a_reason(self, desk, agent):
        ticket = ticket_in(Status.OPEN, agent=agent)

        response = post_ticket_page(
            desk, ticket, to_status=Status.RESOLVED, reason="Funds arrived after 14 blocks."
        )

        saved(response)
        last = StatusChange.objects.filter(ticket=ticket).last()
        assert (last.from_status, last.to_status, last.changed_by, last.reason) == (
            Status.OPEN,
            Status.RESOLVED,
            agent,
            "Funds arrived after 14 blocks.",
        )
        assert fresh(ticket).resolved_at is not None
        assert Event.objects.filter(ticket=ticket, kind=EventKind.STATUS_CHANGED).exists()
        assert_history_consistent(ticket)

    def test_a_status_change_with_an_internal_note_hides_its_reason_from_the_requester(
        self, desk, agent, client_for
    ):
        ticket = ticket_in(Status.OPEN, agent=agent)
        page = desk.get(change_url(ticket)).content.decode()
        assert "only agents see it" in page  # the form says whose reasons are shown

        response = post_ticket_page(
            desk,
            ticket,
            reply="Compliance hold.",
            internal="on",
            to_status=Status.PENDING,
            reason="AML flag on the deposit address",
        )

        saved(response)
        history = client_for(ticket.requester).get(f"/api/v1/tickets/{ticket.pk}/history/")
        assert history.json()["results"][-1]["reason"] == ""
        event = Event.objects.filter(ticket=ticket, kind=EventKind.STATUS_CHANGED).last()
        assert event.data["to_status"] == Status.PENDING and "AML" not in str(event.data)
        page = desk.get(change_url(ticket)).content.decode()
        assert "AML flag on the deposit address" in page and "not shown to the requester" in page

    def test_reply_and_change_status_in_one_step(self, desk):
        ticket = TicketFactory()

        response = post_ticket_page(
            desk, ticket, reply="Please send the TxID.", to_status=Status.PENDING, reason="TxID"
        )

        saved(response)
        assert history_steps(ticket)[1:] == [(Status.NEW, Status.PENDING)]
        assert StatusChange.objects.filter(ticket=ticket).last().reason == "TxID"

    def test_closing_an_unresolved_ticket_needs_a_reason(self, desk):
        ticket = TicketFactory()

        response = post_ticket_page(desk, ticket, to_status=Status.CLOSED, reason="")

        assert "reason is required" in form_errors(response)["reason"]
        assert fresh(ticket).status == Status.NEW

    def test_only_the_lifecycles_next_steps_are_offered(self, desk, agent):
        ticket = ticket_in(Status.RESOLVED, agent=agent)

        form = desk.get(change_url(ticket)).context["adminform"].form
        choices = [value for value, _label in form.fields["to_status"].choices]

        assert choices == ["", Status.OPEN, Status.CLOSED]
        response = post_ticket_page(desk, ticket, to_status=Status.PENDING)
        assert "Select a valid choice" in form_errors(response)["to_status"]


class TestTheAgentFields:
    def test_priority_assignee_and_tags_through_the_service(self, desk):
        colleague = AgentFactory()
        ticket = TicketFactory()

        response = post_ticket_page(
            desk,
            ticket,
            priority=Priority.URGENT,
            assignee=str(colleague.pk),
            tags="vip, chargeback, vip",
        )

        saved(response)
        after = fresh(ticket)
        assert (after.priority, after.assignee, after.tags) == (
            Priority.URGENT,
            colleague,
            ["vip", "chargeback"],
        )
        assert after.version == ticket.version + 1  # one service call, one version
        assigned = Event.objects.get(ticket=ticket, kind=EventKind.ASSIGNED)
        fan_out()
        assert {d.recipient for d in assigned.deliveries.all()} == {colleague}

    def test_the_assignee_choices_are_the_desks_agents(
        self, desk, agent, supervisor, django_user_model
    ):
        root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
        UserFactory(is_staff=True)  # staff outside the desk's groups
        gone = AgentFactory(is_active=False)
        ticket = TicketFactory()

        form = desk.get(change_url(ticket)).context["adminform"].form
        choices = set(form.fields["assignee"].queryset)

        assert choices == {agent, supervisor, root}
        assert gone not in choices and ticket.requester not in choices

    def test_saving_unchanged_writes_nothing(self, desk):
        ticket = TicketFactory()
        events = Event.objects.count()

        saved(post_ticket_page(desk, ticket))

        assert fresh(ticket).version == ticket.version
        assert Event.objects.count() == events

    def test_only_agents_can_be_assigned(self, desk):
        ticket = TicketFactory()

        response = post_ticket_page(desk, ticket, assignee=str(ticket.requester.pk))

        assert "Select a valid choice" in form_errors(response)["assignee"]

    def test_a_stale_page_is_refused_and_keeps_what_was_typed(self, desk, agent):
        ticket = TicketFactory()
        page = desk.get(change_url(ticket))
        version = page.context["adminform"].form["expected_version"].value()
        services.ticket_update(ticket=ticket, actor=AgentFactory(), data={"priority": "high"})

        response = post_ticket_page(
            desk, ticket, expected_version=str(version), priority="low", reply="On it."
        )

        assert "Someone changed this ticket" in form_errors(response)["__all__"]
        assert "On it." in response.content.decode()
        assert fresh(ticket).priority == Priority.HIGH
        assert not Message.objects.filter(ticket=ticket).exists()

    def test_a_refusal_the_form_could_not_foresee_rolls_everything_back(self, desk, monkeypatch):
        ticket = TicketFactory()

        def closed_meanwhile(**kwargs):
            raise TicketClosed()

        monkeypatch.setattr(services, "message_add", closed_meanwhile)
        response = post_ticket_page(desk, ticket, priority=Priority.URGENT, reply="Hello")

        assert response.status_code == 302
        assert any("closed" in text for text in messages_of(desk.get(response.url)))
        assert fresh(ticket).priority == Priority.NORMAL


class TestTheReadOnlyParts:
    def test_history_conversation_attachments_and_deliveries_are_shown(self, desk, agent):
        ticket = TicketFactory()
        services.message_add(ticket=ticket, author=agent, body="Looking into it.")
        services.ticket_transition(ticket=ticket, to=Status.PENDING, actor=agent, reason="TxID?")

        page = desk.get(change_url(ticket))

        html = page.content.decode()
        inlines = {inline.formset.prefix for inline in page.context["inline_admin_formsets"]}
        assert inlines == {"history", "attachments", "events"}
        for text in ("Looking into it.", "TxID?", "Status history", "Conversation"):
            assert text in html, text
        assert "Notifications and deliveries" in html
        assert "Agent replied" in html and "Pending" in html
        for inline in page.context["inline_admin_formsets"]:
            assert not inline.has_add_permission
            assert not inline.has_change_permission
            assert not inline.has_delete_permission

    def test_a_closed_ticket_is_read_only(self, desk, agent):
        ticket = ticket_in(Status.CLOSED, agent=agent)

        page = desk.get(change_url(ticket))

        assert page.status_code == 200
        assert "reply" not in page.context["adminform"].form.fields
        assert not page.context["has_change_permission"]
        assert desk.post(change_url(ticket), {"reply": "x"}).status_code == 403

    def test_nobody_deletes_a_ticket_or_its_history(self, login, agent, django_user_model):
        root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
        ticket = TicketFactory()
        url = reverse("admin:tickets_ticket_delete", args=[ticket.pk])

        for user in (agent, root):
            client = login(user)
            assert client.get(url).status_code == 403
            assert client.post(url, {"post": "yes"}).status_code == 403
        assert Ticket.objects.filter(pk=ticket.pk).exists()
        assert StatusChange.objects.filter(ticket=ticket).count() == 1
        # History has no admin page of its own: it is only ever shown, on the ticket.
        assert login(root).get("/admin/tickets/statuschange/").status_code == 404

    def test_there_is_no_add_ticket_page(self, desk):
        assert desk.get(reverse("admin:tickets_ticket_add")).status_code == 403


class TestWhatANewAgentHit:
    """Issue #16: the desk as a new agent found it."""

    def test_no_link_goes_to_the_user_admin(self, desk, agent, caplog):
        ticket = TicketFactory()
        services.message_add(ticket=ticket, author=agent, body="Looking into it.")
        services.message_add(ticket=ticket, author=agent, body="Check the node", internal=True)
        services.ticket_transition(ticket=ticket, to=Status.PENDING, actor=agent, reason="TxID?")

        html = desk.get(change_url(ticket)).content.decode()

        assert "/admin/auth/user/" not in html
        assert agent.username in html
        assert not [r for r in caplog.records if "PermissionDenied" in r.getMessage()]

    def test_the_conversation_comes_first_and_the_reply_box_follows_it(self, desk, agent):
        ticket = TicketFactory(description="My USDT has not arrived.")
        services.message_add(ticket=ticket, author=agent, body="Which network did you use?")
        services.message_add(ticket=ticket, author=ticket.requester, body="TRC20, sorry.")

        page = desk.get(change_url(ticket))

        html = page.content.decode()
        order = [
            html.index("My USDT has not arrived."),
            html.index("Which network did you use?"),
            html.index("TRC20, sorry."),
            html.index('id="id_reply"'),
            html.index("Status history"),
        ]
        assert order == sorted(order)
        assert f"<title>{ticket.reference} · {ticket.subject} |" in html

    def test_an_internal_note_is_marked_in_the_conversation(self, desk, agent):
        ticket = TicketFactory()
        services.message_add(ticket=ticket, author=agent, body="VIP, be quick", internal=True)

        html = desk.get(change_url(ticket)).content.decode()

        before = html[: html.index("VIP, be quick")]
        assert before.rindex("<article") == before.rindex('<article class="desk-message internal"')
        assert "Internal note" in before

    def test_deliveries_say_attempt_in_the_singular(self, desk, agent):
        ticket = TicketFactory()
        fan_out()
        Delivery.objects.filter(event__ticket=ticket).update(attempts=1, status="sent")

        html = desk.get(change_url(ticket)).content.decode()

        assert "(1 attempt)" in html
        assert "attempts)" not in html


def test_a_refusal_names_the_statuses_in_the_readers_language(client_for, agent):
    ticket = ticket_in(Status.CLOSED, agent=agent)
    preferences_update(user=agent, data={"language": "zh-hans"})
    client = client_for(agent)

    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/transitions/", {"to": "open"}, format="json"
    )

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "closed" not in detail and "open" not in detail, detail
    assert "已关闭" in detail and "处理中" in detail, detail
