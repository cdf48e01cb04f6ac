"""helpdesk.api.copy_fields: each serializer instance gets fields of its own."""

from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tests.factories import TicketFactory
from tickets.api.serializers import AgentTicketSerializer, TicketCreateSerializer

BODY = {
    "subject": "USDT withdrawal not received",
    "description": "Sent 250 USDT on TRC20 two hours ago.",
    "category": "deposit_withdrawal",
    "transaction_ids": ["0xabc"],
}


def _request(host: str) -> Request:
    return Request(APIRequestFactory().get("/", HTTP_HOST=host))


def test_two_serializers_share_no_field_and_each_field_knows_its_own():
    first = TicketCreateSerializer(data=BODY, context={"request": _request("a.example")})
    second = TicketCreateSerializer(
        data={**BODY, "transaction_ids": ["0xdef", "0x123"]},
        context={"request": _request("b.example")},
    )

    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert field.parent is first and second.fields[name].parent is second
    # A field holding another is copied whole: the children are not shared either.
    assert first.fields["transaction_ids"].child is not second.fields["transaction_ids"].child
    assert first.is_valid() and second.is_valid()
    assert first.validated_data["transaction_ids"] == ["0xabc"]
    assert second.validated_data["transaction_ids"] == ["0xdef", "0x123"]


def test_a_nested_serializer_is_copied_whole_and_renders_its_own_ticket(db):
    tickets = [TicketFactory(), TicketFactory()]
    for ticket in tickets:
        ticket.own_attachments = []
    first, second = (AgentTicketSerializer(ticket) for ticket in tickets)

    nested = first.fields["requester"]
    assert nested is not second.fields["requester"]
    assert nested.fields["name"].parent is nested
    assert first.data["requester"]["username"] == tickets[0].requester.username
    assert second.data["requester"]["username"] == tickets[1].requester.username
