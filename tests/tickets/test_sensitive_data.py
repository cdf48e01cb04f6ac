"""SPEC §7 over the API: a secret in any text a user sends is refused with 400
`sensitive_data` naming the field and the kind, and nothing of it is stored or logged."""

import codecs
import json
import logging
from pathlib import Path

import pytest
from mnemonic import Mnemonic

from tests.factories import TicketFactory, ticket_in
from tests.helpers import stored_files, upload
from tests.tickets.test_attachments import png_bytes
from tickets import services
from tickets.models import Message, Status, StatusChange, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"
SEED = Mnemonic("english").to_mnemonic(bytes(range(16)))  # a valid 12-word phrase
SEED_ZH = Mnemonic("chinese_simplified").to_mnemonic(bytes(range(32)))
WIF = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"  # the well-known test vector
PASSWORD = "my password is Tr0ub4dor&3"


def create(client, **fields):
    body = {"subject": "Help", "description": "My wallet is empty.", "category": "security"}
    return client.post(URL, {**body, **fields}, format="json")


def create_with_files(client, *files):
    body = {"subject": "Help", "description": "Files attached.", "category": "security"}
    return client.post(URL, {**body, "attachments": list(files)}, format="multipart")


BENIGN_LINES = json.loads(
    (Path(__file__).parent / "guard_corpus" / "benign.json").read_text("utf-8")
)


def assert_refused(response, field: str, kind: str, secret: str):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "sensitive_data"
    assert body["field"] == field and body["kind"] == kind
    assert field in body["errors"]
    assert secret not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "kind", "secret"),
    [
        ("description", f"Agent asked for my phrase: {SEED}", "mnemonic", SEED),
        ("description", f"助记词 {SEED_ZH}", "mnemonic", SEED_ZH),
        ("subject", f"key {WIF}", "private_key", WIF),
        ("description", PASSWORD, "password", "Tr0ub4dor&3"),
        ("steps_to_reproduce", "1. open wallet 2. password: Hunter22!", "password", "Hunter22!"),
        ("transaction_ids", SEED.split(), "mnemonic", SEED.split()[5]),
        ("error_code", WIF, "private_key", WIF),
    ],
)
def test_a_new_ticket_with_a_secret_is_refused_and_not_stored(
    client_for, requester, caplog, field, value, kind, secret
):
    caplog.set_level(logging.DEBUG)
    response = create(client_for(requester), **{field: value})

    assert_refused(response, field, kind, secret)
    assert Ticket.objects.count() == 0
    assert secret not in caplog.text


def test_ordinary_support_text_passes(client_for, requester):
    response = create(
        client_for(requester),
        subject="I forgot my password and 2FA",
        description=(
            "Withdrawal txid 9f2c6a1e0b7d4c3a8e5f1d2b3c4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d "
            "to address 1BoatSLRHtKNngkdXEeobR76b53LETtpyT never arrived. "
            "我的提现还没有到账，请帮忙查一下。"
        ),
        transaction_ids=["0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"],
    )
    assert response.status_code == 201, response.json()


def test_a_reply_with_a_secret_is_refused(client_for, requester, agent):
    ticket = ticket_in(Status.PENDING, agent=agent, requester=requester)
    response = client_for(requester).post(
        f"{URL}{ticket.pk}/messages/", {"body": f"here it is {SEED}"}, format="json"
    )
    assert_refused(response, "body", "mnemonic", SEED)
    assert Message.objects.count() == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING  # the automatic reopen did not happen either


def test_details_changed_later_are_checked_too(client_for, requester):
    ticket = TicketFactory(requester=requester)
    response = client_for(requester).patch(
        f"{URL}{ticket.pk}/", {"steps_to_reproduce": f"imported {WIF}"}, format="json"
    )
    assert_refused(response, "steps_to_reproduce", "private_key", WIF)
    ticket.refresh_from_db()
    assert ticket.steps_to_reproduce == "" and ticket.version == 1


def test_a_transition_reason_is_checked(client_for, requester, agent):
    ticket = TicketFactory(requester=requester)
    response = client_for(requester).post(
        f"{URL}{ticket.pk}/transitions/", {"to": "closed", "reason": PASSWORD}, format="json"
    )
    assert_refused(response, "reason", "password", "Tr0ub4dor&3")
    assert StatusChange.objects.filter(ticket=ticket).count() == 1


# --- issue #13: evasions, splits, files -----------------------------------------------------

FIRST, SECOND = " ".join(SEED.split()[:6]), " ".join(SEED.split()[6:])


def disguised(text: str) -> dict[str, str]:
    """The ways issue #13 found to get a phrase past the guard."""
    words = text.split()
    return {
        "prefixes": " ".join(w[:4].upper() for w in words),
        "blank lines": "\n\n".join(words),
        "mixed separators": "".join(
            w + [", ", ". ", "; ", "\n", " "][i % 5] for i, w in enumerate(words)
        ),
        "zero-width": " ".join("\u200b".join(w) for w in words),
        "full-width": "".join(chr(ord(c) + 0xFEE0) if c != " " else "\u3000" for c in text),
        "look-alikes": text.translate(str.maketrans("aeopcxy", "аеорсху")),
    }


@pytest.mark.parametrize("evasion", list(disguised(SEED)))
def test_a_disguised_phrase_is_refused(client_for, requester, evasion):
    response = create(client_for(requester), description=f"my words: {disguised(SEED)[evasion]}")

    assert_refused(response, "description", "mnemonic", disguised(SEED)[evasion])
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("pw: Hunter2x", "Hunter2x"),
        ("login alice pass=Tr0ub4dor", "Tr0ub4dor"),
        ("My card PIN is 4821, the ATM refuses it", "4821"),
        ("PIN: 4821", "4821"),
        ("password: correct horse battery staple", "correct horse battery staple"),
    ],
)
def test_short_labels_pins_and_passphrases_are_refused(client_for, requester, text, secret):
    response = create(client_for(requester), description=text)

    assert_refused(response, "description", "password", secret)


@pytest.mark.parametrize(
    "text",
    [
        "PIN code not received",
        "password reset link expired",
        "the PIN did not arrive, and I forgot my password",
        "Password: reset link never arrived",
        "I tried the app on my phone, laptop and tablet; at home, office and hotel: same error.",
    ],
)
def test_near_misses_pass(client_for, requester, text):
    assert create(client_for(requester), description=text).status_code == 201


def test_a_phrase_split_between_subject_and_description_is_refused(client_for, requester):
    response = create(client_for(requester), subject=FIRST, description=SECOND)

    assert_refused(response, "description", "mnemonic", SECOND)
    assert Ticket.objects.count() == 0


def test_a_phrase_split_between_two_details_is_refused(client_for, requester):
    response = create(client_for(requester), error_code=FIRST, steps_to_reproduce=SECOND)
    assert_refused(response, "steps_to_reproduce", "mnemonic", SECOND)


def test_a_phrase_split_over_two_replies_refuses_the_second(client_for, requester, agent):
    ticket = ticket_in(Status.PENDING, agent=agent, requester=requester)
    client = client_for(requester)
    url = f"{URL}{ticket.pk}/messages/"

    assert client.post(url, {"body": FIRST}, format="json").status_code == 201
    response = client.post(url, {"body": SECOND}, format="json")

    assert_refused(response, "body", "mnemonic", SECOND)
    assert list(Message.objects.values_list("body", flat=True)) == [FIRST]


def test_the_description_and_the_first_reply_are_consecutive(client_for, requester):
    ticket = TicketFactory(requester=requester, description=f"My words are {FIRST}")

    response = client_for(requester).post(
        f"{URL}{ticket.pk}/messages/", {"body": SECOND}, format="json"
    )

    assert_refused(response, "body", "mnemonic", SECOND)


def test_someone_elses_message_does_not_join_a_phrase(client_for, requester, agent):
    ticket = ticket_in(Status.OPEN, agent=agent, requester=requester)
    services.message_add(ticket=ticket, author=agent, body=f"Hi, for example {FIRST}")

    response = client_for(requester).post(
        f"{URL}{ticket.pk}/messages/", {"body": SECOND}, format="json"
    )

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("name", ["notes.txt", "words.csv", "wallet.log", "backup.json"])
def test_a_text_attachment_with_a_phrase_is_refused(client_for, requester, media, name):
    content = json.dumps({"mnemonic": SEED}) if name.endswith(".json") else f"log\n{SEED}\n"

    response = create_with_files(client_for(requester), upload(name, content.encode()))

    assert_refused(response, "attachments", "mnemonic", SEED)
    assert Ticket.objects.count() == 0 and stored_files(media) == []


def test_a_phrase_deep_in_a_long_log_is_refused(client_for, requester, media):
    log = b"2024-05-01 12:00:03 INFO order 1234567 filled at 63120.5 USDT\n" * 20_000
    content = log + f"restored wallet with {disguised(SEED)['mixed separators']}\n".encode() + log

    response = create_with_files(client_for(requester), upload("app.log", content))

    assert_refused(response, "attachments", "mnemonic", SEED)


def test_text_files_are_read_up_to_the_scan_limit_in_all(client_for, requester, media, settings):
    settings.GUARD_ATTACHMENT_SCAN_BYTES = 10_000
    first = upload("a.log", b"ok\n" * 2_000)  # 6,000 bytes: 4,000 left for the next file
    late = upload("b.log", b"x\n" * 1_000 + f"{SEED}\n".encode())  # read
    later = upload("c.log", b"x\n" * 2_000 + f"{SEED}\n".encode())  # past the limit

    refused = create_with_files(client_for(requester), first, late)
    first.seek(0)
    passed = create_with_files(client_for(requester), first, later)

    assert_refused(refused, "attachments", "mnemonic", SEED)
    assert passed.status_code == 201, passed.json()


def test_a_phrase_in_a_file_name_is_refused(client_for, requester, media):
    name = SEED.replace(" ", "_") + ".png"

    response = create_with_files(client_for(requester), upload(name, png_bytes()))

    assert_refused(response, "attachments", "mnemonic", SEED.split()[3])
    assert Ticket.objects.count() == 0 and stored_files(media) == []


def test_a_file_name_is_read_before_any_refusal_could_echo_it(client_for, requester, media):
    name = SEED.replace(" ", "-") + ".svg"  # a type refused with the name in the error
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'

    response = create_with_files(client_for(requester), upload(name, svg))

    assert_refused(response, "attachments", "mnemonic", SEED.split()[3])


def test_a_reply_with_a_password_in_its_file_is_refused(client_for, requester, agent, media):
    ticket = ticket_in(Status.PENDING, agent=agent, requester=requester)
    utf16 = codecs.BOM_UTF16_LE + "user: alice\r\npassword: Tr0ub4dor&3\r\n".encode("utf-16-le")

    response = client_for(requester).post(
        f"{URL}{ticket.pk}/messages/",
        {"body": "config attached", "attachments": [upload("config.txt", utf16)]},
        format="multipart",
    )

    assert_refused(response, "attachments", "password", "Tr0ub4dor&3")
    assert Message.objects.count() == 0 and stored_files(media) == []


def test_ordinary_text_files_pass(client_for, requester, media):
    log = "\n".join(BENIGN_LINES).encode()

    response = create_with_files(client_for(requester), upload("app.log", log))

    assert response.status_code == 201, response.json()


# --- issue #13 item 10: text that shows nothing ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "\u200b"),
        ("subject", " \u200b\u200d "),
        ("description", "\u2060\ufeff\u3164"),
        ("description", "\u202e \u202c"),
    ],
)
def test_a_ticket_whose_text_shows_nothing_is_refused(client_for, requester, field, value):
    response = create(client_for(requester), **{field: value})

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error" and list(body["errors"]) == [field]
    assert Ticket.objects.count() == 0


def test_the_refusal_speaks_the_callers_language(client_for, requester):
    body = {"subject": "\u200b", "description": "?", "category": "other"}

    response = client_for(requester).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.json()["errors"] == {"subject": ["此内容没有可见字符。"]}


def test_a_reply_that_shows_nothing_is_refused(client_for, requester, agent):
    ticket = ticket_in(Status.PENDING, agent=agent, requester=requester)

    response = client_for(requester).post(
        f"{URL}{ticket.pk}/messages/", {"body": "\u200b\u200b"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"].keys() == {"body"}
    assert Message.objects.count() == 0


def test_a_reason_that_shows_nothing_is_refused(client_for, requester):
    ticket = TicketFactory(requester=requester)

    response = client_for(requester).post(
        f"{URL}{ticket.pk}/transitions/", {"to": "closed", "reason": "\u200b"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"].keys() == {"reason"}
    assert StatusChange.objects.filter(ticket=ticket).count() == 1


def test_text_with_format_characters_that_also_shows_something_passes(client_for, requester):
    response = create(client_for(requester), subject="\u202eHelp\u202c", description="שלום\u200f")
    assert response.status_code == 201, response.json()
