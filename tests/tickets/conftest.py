"""Fixtures of the ticket tests."""

import pytest

from tickets.models import Macro, Priority, Queue, Status


@pytest.fixture
def ask_for_txid(db):
    return Macro.objects.create(
        name="Ask for the TxID",
        body_en="Hello {requester_name}, please send the TxID of {reference}. — {agent_name}",
        body_zh_hans="{requester_name}您好，请提供 {reference} 的交易哈希（TxID）。——{agent_name}",
        status=Status.PENDING,
        reason="Waiting for the TxID",
        priority=Priority.HIGH,
        queue=Queue.objects.get(slug="security")
        if Queue.objects.filter(slug="security").exists()
        else Queue.objects.create(name="Security", slug="security"),
        add_tags=["txid-asked"],
        remove_tags=["triage"],
    )
