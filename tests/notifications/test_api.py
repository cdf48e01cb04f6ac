"""GET /api/v1/notifications/ and friends (SPEC §4)."""

import pytest

from notifications.channels.registry import CHANNELS
from notifications.models import Delivery, Notification
from tests.factories import TicketFactory, UserFactory
from tests.helpers import fan_out

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def deliver_in_site(user) -> list[Notification]:
    """Run the in-site channel for every pending in-site delivery of `user`."""
    fan_out()
    for delivery in Delivery.objects.filter(recipient=user, channel="in_site"):
        CHANNELS["in_site"].send(delivery)
    return list(Notification.objects.filter(recipient=user))


@pytest.fixture
def inbox(requester):
    for n in range(3):
        TicketFactory(requester=requester, subject=f"Deposit {n} missing")
    return deliver_in_site(requester)


def test_list_is_newest_first_and_only_mine(client_for, requester, inbox):
    stranger = UserFactory()
    TicketFactory(requester=stranger)
    deliver_in_site(stranger)

    response = client_for(requester).get(URL)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["id"] for item in results] == sorted((n.pk for n in inbox), reverse=True)
    assert all(item["event"] == "ticket_created" and not item["read"] for item in results)
    assert results[0]["title"].startswith("We received your request HD-")


def test_unread_filter_count_and_marking_read(client_for, requester, inbox):
    client = client_for(requester)
    assert client.get(f"{URL}unread-count/").json() == {"count": 3}

    response = client.post(f"{URL}{inbox[0].pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert client.get(f"{URL}unread-count/").json() == {"count": 2}
    unread_ids = [item["id"] for item in client.get(f"{URL}?unread=true").json()["results"]]
    assert inbox[0].pk not in unread_ids and len(unread_ids) == 2

    assert client.post(f"{URL}read-all/").json() == {"count": 2}
    assert client.get(f"{URL}unread-count/").json() == {"count": 0}
    assert client.get(f"{URL}?unread=true").json()["results"] == []
    assert len(client.get(URL).json()["results"]) == 3


def test_someone_elses_notification_is_a_404(client_for, requester, inbox):
    stranger = UserFactory()
    response = client_for(stranger).post(f"{URL}{inbox[0].pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    inbox[0].refresh_from_db()
    assert inbox[0].read_at is None


def test_notifications_need_authentication(client_for):
    response = client_for().get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_running_the_in_site_channel_twice_adds_one_notification(requester):
    TicketFactory(requester=requester)
    fan_out()
    delivery = Delivery.objects.get(recipient=requester, channel="in_site")
    CHANNELS["in_site"].send(delivery)
    CHANNELS["in_site"].send(delivery)
    assert Notification.objects.filter(recipient=requester).count() == 1
