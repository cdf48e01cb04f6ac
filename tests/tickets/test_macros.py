"""Macros (SPEC §12): supervisors manage them, agents apply them through the services —
one message, one history row per status change, the usual notifications — with the text
in the requester's language and its placeholders filled in."""

import pytest

from notifications.models import Event, EventKind
from notifications.services import preferences_update
from tests.factories import AgentFactory, TicketFactory, UserFactory, ticket_in
from tests.helpers import assert_history_consistent, history_steps
from tickets import macros
from tickets.models import Macro, Message, Queue, Status, Ticket

from .api.support import assert_error, ticket_url

pytestmark = pytest.mark.django_db

MACROS_URL = "/api/v1/macros/"


def apply_url(ticket) -> str:
    return f"{ticket_url(ticket)}apply-macro/"


class TestApplying:
    def test_one_reply_one_history_row_and_the_usual_notifications(self, client_for, ask_for_txid):
        agent = AgentFactory(first_name="Mei", last_name="Chen")
        requester = UserFactory(first_name="Satoshi")
        ticket = TicketFactory(requester=requester)
        client_for(agent).patch(ticket_url(ticket), {"tags": ["triage", "vip"]}, format="json")
        events_before = Event.objects.filter(ticket=ticket).count()

        response = client_for(agent).post(apply_url(ticket), {"macro": ask_for_txid.pk})

        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["priority"], body["queue"]) == ("pending", "high", "security")
        assert body["tags"] == ["vip", "txid-asked"]
        reply = Message.objects.get(ticket=ticket)
        assert reply.body == (
            f"Hello Satoshi, please send the TxID of {ticket.reference}. — Mei Chen"
        )
        assert (reply.author, reply.internal) == (agent, False)
        assert history_steps(ticket) == [(None, Status.NEW), (Status.NEW, Status.PENDING)]
        assert ticket.history.last().reason == "Waiting for the TxID"
        assert_history_consistent(ticket)
        kinds = list(
            Event.objects.filter(ticket=ticket).order_by("pk").values_list("kind", flat=True)
        )[events_before:]
        assert kinds == [EventKind.STATUS_CHANGED, EventKind.AGENT_REPLIED]

    def test_the_text_is_in_the_requesters_language(self, client_for, agent, ask_for_txid):
        requester = UserFactory(username="lihua")
        preferences_update(user=requester, data={"language": "zh-hans"})
        ticket = TicketFactory(requester=requester)

        client_for(agent).post(apply_url(ticket), {"macro": ask_for_txid.pk})

        body = Message.objects.get(ticket=ticket).body
        assert body.startswith("lihua您好，请提供 HD-")

    def test_an_english_text_when_the_requesters_language_has_none(self, agent, requester):
        macro = Macro.objects.create(name="Thanks", body_en="Thanks, {requester_name}!")
        preferences_update(user=requester, data={"language": "zh-hans"})
        ticket = TicketFactory(requester=requester)

        preview = macros.macro_preview(macro=macro, ticket=ticket, actor=agent)

        assert preview.body == f"Thanks, {requester.username}!"

    def test_an_internal_macro_writes_a_note_and_tells_nobody(self, client_for, agent):
        macro = Macro.objects.create(
            name="Escalate",
            body_en="Escalated by {agent_name}",
            internal=True,
            status=Status.ON_HOLD,
        )
        ticket = ticket_in(Status.OPEN, agent=agent)

        client_for(agent).post(apply_url(ticket), {"macro": macro.pk})

        note = Message.objects.get(ticket=ticket)
        assert note.internal and note.body == f"Escalated by {agent.username}"
        assert Ticket.objects.get(pk=ticket.pk).status == Status.ON_HOLD
        assert not Event.objects.filter(ticket=ticket, kind=EventKind.AGENT_REPLIED).exists()

    def test_a_macro_without_text_only_changes_the_ticket(self, client_for, agent):
        macro = Macro.objects.create(name="Solve", status=Status.RESOLVED, reason="Done")
        ticket = ticket_in(Status.OPEN, agent=agent)

        client_for(agent).post(apply_url(ticket), {"macro": macro.pk})

        assert not Message.objects.filter(ticket=ticket).exists()
        assert history_steps(ticket)[-1] == (Status.OPEN, Status.RESOLVED)

    def test_a_refused_step_writes_nothing(self, client_for, agent, ask_for_txid):
        ticket = ticket_in(Status.RESOLVED, agent=agent)
        Macro.objects.filter(pk=ask_for_txid.pk).update(status=Status.ON_HOLD)
        before = Ticket.objects.get(pk=ticket.pk)

        response = client_for(agent).post(apply_url(ticket), {"macro": ask_for_txid.pk})

        assert_error(response, 409, "invalid_transition")
        after = Ticket.objects.get(pk=ticket.pk)
        assert (after.version, after.priority, after.tags) == (
            before.version,
            before.priority,
            before.tags,
        )
        assert not Message.objects.filter(ticket=ticket).exists()

    def test_requesters_cannot_apply_macros(self, client_for, requester, ask_for_txid):
        ticket = TicketFactory(requester=requester)

        response = client_for(requester).post(apply_url(ticket), {"macro": ask_for_txid.pk})

        assert_error(response, 403, "permission_denied")
        assert not Message.objects.filter(ticket=ticket).exists()

    def test_an_unknown_macro_is_a_validation_error(self, client_for, agent):
        ticket = TicketFactory()

        response = client_for(agent).post(apply_url(ticket), {"macro": 999999})

        assert_error(response, 400, "validation_error")


class TestManaging:
    def test_a_supervisor_creates_changes_and_deletes_one(self, client_for, supervisor):
        client = client_for(supervisor)
        Queue.objects.get_or_create(slug="tech", defaults={"name": "Tech"})

        created = client.post(
            MACROS_URL,
            {
                "name": "API 429",
                "body": {"en": "Hi {requester_name}, slow down.", "zh-hans": "您好，请降低频率。"},
                "status": "pending",
                "queue": "tech",
                "add_tags": ["api"],
            },
            format="json",
        )
        assert created.status_code == 201, created.content
        macro_id = created.json()["id"]
        assert created.json()["body"] == {
            "en": "Hi {requester_name}, slow down.",
            "zh-hans": "您好，请降低频率。",
        }
        changed = client.patch(
            f"{MACROS_URL}{macro_id}/",
            {"body": {"en": "Hello!"}, "internal": True},
            format="json",
        )
        assert changed.status_code == 200, changed.content
        assert changed.json()["body"] == {"en": "Hello!", "zh-hans": "您好，请降低频率。"}
        assert client.get(MACROS_URL).json()[0]["name"] == "API 429"
        assert client.delete(f"{MACROS_URL}{macro_id}/").status_code == 204
        assert not Macro.objects.exists()

    def test_agents_read_but_do_not_write(self, client_for, agent, ask_for_txid):
        client = client_for(agent)

        assert client.get(MACROS_URL).json()[0]["name"] == ask_for_txid.name
        assert_error(
            client.post(MACROS_URL, {"name": "x"}, format="json"), 403, "permission_denied"
        )
        assert_error(client.delete(f"{MACROS_URL}{ask_for_txid.pk}/"), 403, "permission_denied")

    def test_requesters_see_no_macros(self, client_for, requester, ask_for_txid):
        assert_error(client_for(requester).get(MACROS_URL), 403, "permission_denied")

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"name": "x", "body": {"en": "Hi {password}"}}, "body.en"),
            ({"name": "x", "status": "sleeping"}, "status"),
            ({"name": "x", "queue": "nowhere"}, "queue"),
            ({"name": ""}, "name"),
        ],
    )
    def test_bad_input_is_refused_in_the_error_shape(self, client_for, supervisor, data, field):
        response = client_for(supervisor).post(MACROS_URL, data, format="json")

        body = assert_error(response, 400, "validation_error")
        assert field in body["errors"], body
        assert not Macro.objects.exists()
