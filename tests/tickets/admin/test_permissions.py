"""Who gets into the desk, and what each role may do there. The groups' permissions come
from accounts.roles.PERMISSIONS, set after every migrate, not from anyone's clicks."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.roles import PERMISSIONS, Role
from notifications.models import Delivery, DeliveryStatus, WebhookEndpoint
from tests.factories import PASSWORD, TicketFactory, UserFactory
from tests.helpers import fan_out
from tests.tickets.admin.conftest import CHANGELIST, change_url
from tickets.models import Queue

pytestmark = pytest.mark.django_db


def test_a_permission_taken_from_a_group_by_hand_comes_back_with_the_next_migrate():
    agents = Group.objects.get(name="Agents")
    agents.permissions.clear()

    call_command("migrate", verbosity=0)

    assert permissions_of("Agents") == PERMISSIONS[Role.AGENT]


def permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migrate_gives_the_roles_their_permissions_and_no_more():
    assert permissions_of("Agents") == PERMISSIONS[Role.AGENT]
    assert permissions_of("Supervisors") == PERMISSIONS[Role.SUPERVISOR]
    assert permissions_of("Agents") < permissions_of("Supervisors")
    # Nobody may add, change or delete history, or delete a ticket.
    for group in ("Agents", "Supervisors"):
        granted = permissions_of(group)
        assert not {p for p in granted if p.endswith("statuschange") and "view" not in p}
        assert "tickets.delete_ticket" not in granted


class TestRequesters:
    def test_a_requester_cannot_log_in(self, requester):
        client = Client()

        response = client.post(
            reverse("admin:login"), {"username": requester.username, "password": PASSWORD}
        )

        assert response.status_code == 200
        assert "staff account" in response.content.decode()
        assert client.get(CHANGELIST).status_code == 302

    def test_a_requester_with_a_session_is_sent_to_the_login_page(self, login, requester):
        ticket = TicketFactory(requester=requester)
        client = login(requester)

        for url in ("/admin/", CHANGELIST, change_url(ticket)):
            response = client.get(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))

    def test_staff_outside_the_desk_groups_see_no_tickets(self, login, staff_without_group):
        ticket = TicketFactory()
        client = login(staff_without_group)

        assert client.get(CHANGELIST).status_code == 403
        assert client.get(change_url(ticket)).status_code == 403


class TestAgents:
    def test_an_agent_logs_in_and_works_the_tickets(self, agent):
        client = Client()
        response = client.post(
            reverse("admin:login"),
            {"username": agent.username, "password": PASSWORD, "next": CHANGELIST},
        )
        ticket = TicketFactory()

        assert response.status_code == 302
        assert client.get(CHANGELIST).status_code == 200
        assert client.get(change_url(ticket)).context["has_change_permission"]

    def test_an_agent_sees_queues_but_does_not_manage_them(self, desk):
        queue = Queue.objects.first()

        assert desk.get(reverse("admin:tickets_queue_changelist")).status_code == 200
        assert desk.get(reverse("admin:tickets_queue_add")).status_code == 403
        page = desk.get(reverse("admin:tickets_queue_change", args=[queue.pk]))
        assert not page.context["has_change_permission"]
        assert desk.post(reverse("admin:tickets_queue_delete", args=[queue.pk])).status_code == 403

    def test_webhooks_and_the_delivery_log_are_for_supervisors(self, desk):
        assert (
            desk.get(reverse("admin:notifications_webhookendpoint_changelist")).status_code == 403
        )
        assert desk.get(reverse("admin:notifications_delivery_changelist")).status_code == 403

    def test_the_admin_home_lists_what_an_agent_may_open(self, desk):
        html = desk.get("/admin/").content.decode()

        assert "Tickets" in html and "Queues" in html
        assert "Webhook endpoints" not in html and "Deliveries" not in html


class TestSupervisors:
    @pytest.fixture
    def client(self, login, supervisor):
        return login(supervisor)

    def test_manage_queues(self, client):
        response = client.post(
            reverse("admin:tickets_queue_add"), {"name": "Second line", "slug": "second-line"}
        )

        assert response.status_code == 302
        assert Queue.objects.filter(slug="second-line").exists()

    def test_manage_webhook_endpoints(self, client):
        response = client.post(
            reverse("admin:notifications_webhookendpoint_add"),
            {
                "name": "Risk engine",
                "url": "https://risk.example.com/hooks/helpdesk",
                "secret": "s3cr3t-shared",
                "events": ["status_changed", "assigned"],
                "active": "on",
            },
        )

        assert response.status_code == 302
        endpoint = WebhookEndpoint.objects.get(name="Risk engine")
        assert endpoint.events == ["status_changed", "assigned"]

    def test_see_failed_deliveries_and_touch_none(self, client, agent):
        ticket = TicketFactory()
        fan_out()
        failed = Delivery.objects.filter(event__ticket=ticket).first()
        Delivery.objects.filter(pk=failed.pk).update(
            status=DeliveryStatus.FAILED, last_error="SMTPRecipientsRefused: 550 no such user"
        )
        changelist = reverse("admin:notifications_delivery_changelist")

        response = client.get(changelist, {"status__exact": DeliveryStatus.FAILED})

        assert [d.pk for d in response.context["cl"].result_list] == [failed.pk]
        assert "550 no such user" in response.content.decode()
        assert ticket.reference in response.content.decode()
        by_reference = client.get(changelist, {"q": ticket.reference})
        assert failed.pk in [d.pk for d in by_reference.context["cl"].result_list]
        change = reverse("admin:notifications_delivery_change", args=[failed.pk])
        assert not client.get(change).context["has_change_permission"]
        assert client.post(change, {"status": "sent"}).status_code == 403
        delete = reverse("admin:notifications_delivery_delete", args=[failed.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert Delivery.objects.get(pk=failed.pk).status == DeliveryStatus.FAILED

    def test_a_supervisor_works_tickets_like_an_agent(self, client):
        ticket = TicketFactory()

        assert client.get(change_url(ticket)).context["has_change_permission"]


def test_a_user_made_staff_by_hand_without_a_group_is_not_an_agent(login):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Group.objects.get(name="Agents").permissions.all())

    # Permissions alone are not the role: services would refuse the agent's fields anyway.
    assert login(user).get(CHANGELIST).status_code == 403
