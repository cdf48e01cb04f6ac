"""helpdesk.db.CompiledQuery: compiled once, it answers as the QuerySet it was made from."""

import pytest
from django.db import transaction

from helpdesk.db import CompiledQuery, RowInsert, RowUpdate
from notifications.models import Delivery, Event, EventKind
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


def test_a_row_update_writes_its_fields_as_save_would_and_nothing_else():
    delivery = Delivery.objects.get(event__ticket=TicketFactory(), channel="email")
    before = Delivery.objects.get(pk=delivery.pk)
    stale = Delivery.objects.get(pk=delivery.pk)
    write = RowUpdate(Delivery, ["status", "attempts", "last_error", "updated_at"])

    delivery.status, delivery.attempts, delivery.last_error = "failed", 3, "SMTP said no"
    delivery.channel = "in_site"  # not one of the fields: stays as it was in the row
    assert write.save(delivery) == 1

    after = Delivery.objects.get(pk=delivery.pk)
    assert (after.status, after.attempts, after.last_error) == ("failed", 3, "SMTP said no")
    assert after.channel == "email"
    assert after.updated_at > before.updated_at  # auto_now, as save() sets it
    assert after.updated_at == delivery.updated_at
    stale.pk = -1
    assert write.save(stale) == 0


def _row(instance) -> dict:
    values = type(instance).objects.filter(pk=instance.pk).values().get()
    return {name: value for name, value in values.items() if name not in ("id", "created_at")}


def test_an_inserted_row_is_the_row_create_would_have_written():
    ticket, actor = TicketFactory(), UserFactory()
    fields = {"kind": EventKind.STATUS_CHANGED, "ticket": ticket, "actor": actor}
    data = {"from_status": "new", "to_status": "open", "reason": "提现未到账"}
    by_orm = Event.objects.create(**fields, data=data)
    mine = Event(**fields, data=data)

    RowInsert(Event).save(mine)

    assert mine.pk is not None and mine.pk != by_orm.pk
    assert not mine._state.adding
    assert _row(mine) == _row(by_orm)
    assert Event.objects.get(pk=mine.pk).created_at == mine.created_at  # auto_now_add


def test_several_rows_go_in_one_statement_each_getting_its_own_key(
    django_assert_num_queries,
):
    event = Event.objects.create(kind=EventKind.TICKET_CREATED, ticket=TicketFactory())
    people = [UserFactory() for _ in range(3)]
    deliveries = [Delivery(event=event, channel="email", recipient=user) for user in people]

    with django_assert_num_queries(1):
        RowInsert(Delivery).save(*deliveries)

    for delivery, user in zip(deliveries, people, strict=True):
        stored = Delivery.objects.get(pk=delivery.pk)
        assert (stored.recipient, stored.status, stored.attempts) == (user, "pending", 0)


def test_a_lookup_that_rewrites_its_value_is_refused():
    """LIKE lookups escape the value or wrap it in wildcards: run with a raw value, a user's
    `%` would match anything. Only values passed as given can be compiled."""
    from rest_framework.authtoken.models import Token

    containing = CompiledQuery(lambda key: Token.objects.filter(key__contains=key))
    with pytest.raises(ValueError, match="exactly one value"):
        containing.first("abc")


def test_an_unsaved_related_row_is_refused_as_save_would():
    unsaved_actor = UserFactory.build()
    event = Event(kind=EventKind.TICKET_CREATED, ticket=TicketFactory(), actor=unsaved_actor)

    with pytest.raises(ValueError, match="unsaved related object"):
        RowInsert(Event).save(event)
