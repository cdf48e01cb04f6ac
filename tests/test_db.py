"""helpdesk.db.CompiledQuery: compiled once, it answers as the QuerySet it was made from."""

import pytest
from django.db import transaction

from helpdesk.db import CompiledQuery
from notifications.models import Delivery, EventKind
from notifications.services import _locked_delivery, preferences_update
from tests.factories import TicketFactory, UserFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

# The delivery worker's lock-and-load: a delivery with its event, ticket, recipient, the
# recipient's preferences and the endpoint, locked.
locked_with_relations = _locked_delivery


def test_each_run_gives_the_rows_of_its_own_value_with_their_relations(
    django_assert_num_queries,
):
    alice, bob = UserFactory(), UserFactory()
    preferences_update(user=bob, data={"language": "zh-hans", "anti_phishing_code": "OWL-42"})
    deliveries = [
        Delivery.objects.get(event__ticket=TicketFactory(requester=user), channel="email")
        for user in (alice, bob)
    ]

    with transaction.atomic(), django_assert_num_queries(2):
        loaded = [locked_with_relations.first(delivery.pk) for delivery in deliveries]
        # everything a sender reads came with the row
        seen = [
            (
                d.pk,
                d.event.kind,
                d.event.data,
                d.event.ticket.subject,
                d.recipient.username,
                d.recipient.preferences.language,
                d.endpoint,
            )
            for d in loaded
        ]

    assert seen == [
        (
            delivery.pk,
            EventKind.TICKET_CREATED,
            delivery.event.data,
            delivery.event.ticket.subject,
            delivery.recipient.username,
            delivery.recipient.preferences.language,
            None,
        )
        for delivery in Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).order_by("pk")
    ]
    assert [d.recipient.preferences.language for d in loaded] == ["en", "zh-hans"]
    assert isinstance(loaded[0].event.data, dict)  # JSON converted as Django converts it


def test_a_value_that_matches_nothing_gives_nothing():
    with transaction.atomic():
        assert locked_with_relations.first(-1) is None


def test_a_query_on_more_than_one_value_is_refused():
    two_values = CompiledQuery(lambda pk: Ticket.objects.filter(pk=pk, version__gt=0))
    with pytest.raises(ValueError, match="exactly one value"):
        two_values.all(1)


def test_a_text_value_is_looked_up_like_a_number(requester):
    """The API's token lookup: the key is text, compiled once, run for each caller."""
    from rest_framework.authtoken.models import Token

    by_key = CompiledQuery(
        lambda key: Token.objects.select_related("user__preferences").filter(key=key)[:1]
    )
    token = Token.objects.create(user=requester)

    found = by_key.first(token.key)

    assert found == token and found.user == requester
    assert by_key.first("no-such-key") is None
