"""Bad input never loses mail (issue #14 §4): charsets, 8-bit headers, broken MIME, huge
messages, zip bombs, many attachments, empty bodies. Each is stored as well as it can be."""

import base64
import io
import zipfile

import pytest

from mail.parsing import NotAnEmail, Refused
from mail.services import email_receive
from tests.mail.builders import email
from tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db


def receive(raw: bytes):
    return email_receive(raw=raw, source="test")


def ticket_of(raw: bytes) -> Ticket:
    result = receive(raw)
    assert result.outcome == "stored"
    return Ticket.objects.get(pk=result.ticket_id)


def encoded_word(text: str, charset: str) -> bytes:
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(text.encode(charset)) + b"?="


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("gb2312", "我的充值没有到账"),
        ("gbk", "提币失败，请帮忙处理"),
        ("big5", "我的提幣還沒到帳"),
        ("iso-2022-jp", "入金が反映されません"),
        ("utf-8", "Retrait bloqué 🙁"),
    ],
)
def test_bodies_and_subjects_in_the_charsets_clients_use(charset, text):
    raw = (
        b"From: =?"
        + charset.encode()
        + b"?B?"
        + base64.b64encode(
            "张三".encode("utf-8" if charset == "iso-2022-jp" else "gb18030")
            if charset in ("gb2312", "gbk")
            else "Kim".encode(charset)
        )
        + b"?= <kim@example.cn>\r\n"
        + b"Subject: "
        + encoded_word(text, charset)
        + b"\r\n"
        + b"MIME-Version: 1.0\r\n"
        + b"Content-Type: text/plain; charset="
        + charset.encode()
        + b"\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(text.encode(charset))
    )
    ticket = ticket_of(raw)
    assert ticket.subject == text
    assert ticket.description == text


def test_gb2312_label_on_gbk_bytes_is_read_as_the_sender_meant():
    # "镕" is in GBK but not in GB2312: Chinese clients label GBK text gb2312 anyway
    text = "朱镕基路的营业部"
    raw = (
        b"From: wang@example.cn\r\nSubject: test\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=gb2312\r\n\r\n" + text.encode("gbk") + b"\r\n"
    )
    assert ticket_of(raw).description == text


def test_an_unknown_charset_is_guessed_not_refused():
    text = "充值未到账，订单号 12345，请尽快处理。谢谢！" * 3
    raw = (
        b"From: li@example.cn\r\nSubject: =?x-unknown?B?"
        + base64.b64encode("问题".encode())
        + b"?=\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-made-up\r\n\r\n" + text.encode("utf-8") + b"\r\n"
    )
    ticket = ticket_of(raw)
    assert ticket.description == text
    assert ticket.subject  # whatever it decodes to, something is stored


def test_raw_8bit_headers_are_decoded():
    raw = "From: 王五 <wangwu@example.cn>\r\nSubject: 提现到账了吗\r\n\r\n正文\r\n".encode()
    ticket = ticket_of(raw)
    assert ticket.subject == "提现到账了吗"
    assert ticket.requester.first_name == "王五"

    gbk = "From: zhao@example.cn\r\nSubject: 充值问题\r\n\r\n正文\r\n".encode("gbk")
    assert ticket_of(gbk).subject == "充值问题"


def test_malformed_mime_is_stored_as_well_as_it_can_be():
    # a multipart without its closing boundary, a part with a broken base64 body,
    # a header with no colon and an address header the parser chokes on
    raw = (
        b"From: broken@example.org\r\nTo: <<<@@@>>>\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=XYZ\r\nThis line is not a header\r\n\r\n"
        b"--XYZ\r\nContent-Type: text/plain\r\n\r\nThe text survives.\r\n"
        b"--XYZ\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n"
    )
    ticket = ticket_of(raw)
    assert "The text survives." in ticket.description


def test_a_multipart_with_no_boundary_keeps_its_text():
    raw = (
        b"From: nob@example.org\r\nSubject: nb\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/alternative\r\n\r\nJust text, really.\r\n"
    )
    assert "Just text, really." in ticket_of(raw).description


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \r\n", b"\x00\x01\x02binary\xff\xfe" * 50, b"Subject: no sender\r\n\r\nhi\r\n"],
)
def test_input_that_is_no_email_is_refused(raw):
    with pytest.raises(NotAnEmail):
        receive(raw)
    assert not Ticket.objects.exists()


def test_a_message_over_the_size_limit_is_refused(settings):
    settings.EMAIL_MAX_MESSAGE_BYTES = 1000
    with pytest.raises(Refused):
        receive(email(body="x" * 2000))


def test_a_30mb_message_is_stored_without_its_oversized_file():
    big = b"%PDF-1.4\n" + bytes(range(256)) * (22 * 1024 * 1024 // 256)
    raw = email(
        body="The statement is attached.",
        attachments=[("statement.pdf", big, "application/pdf")],
    )
    assert len(raw) > 30_000_000
    ticket = ticket_of(raw)
    assert ticket.description == "The statement is attached."
    assert not Attachment.objects.filter(ticket=ticket).exists()
    note = Message.objects.get(ticket=ticket, internal=True)
    assert "statement.pdf" in note.body and "larger than" in note.body


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (200 * 1024 * 1024))  # 200 MB inflated
    return buffer.getvalue()


def test_a_zip_bomb_is_kept_as_the_small_file_it_is_and_never_opened():
    bomb = zip_bomb()
    assert len(bomb) < 1_000_000
    ticket = ticket_of(email(attachments=[("logs.zip", bomb, "application/zip")]))
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.content_type == "application/zip" and attachment.size == len(bomb)


def test_200_attachments_keep_the_first_ten_and_name_the_rest():
    files = [(f"shot-{n:03}.png", PNG, "image/png") for n in range(200)]
    ticket = ticket_of(email(body="Screenshots attached.", attachments=files))
    stored = list(Attachment.objects.filter(ticket=ticket).values_list("filename", flat=True))
    assert stored == [f"shot-{n:03}.png" for n in range(10)]
    note = Message.objects.get(ticket=ticket, internal=True)
    assert "shot-010.png" in note.body and "shot-199.png" in note.body


def test_a_message_forwarded_as_an_attachment_keeps_its_text_and_files():
    inner = email(
        sender="bank@example.net",
        subject="Transfer confirmation",
        body="Your transfer of 500 USDT was sent.",
        attachments=[("receipt.png", PNG, "image/png")],
    )
    raw = (
        b"From: olga@example.org\r\nSubject: FW: Transfer confirmation\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
        b"--outer\r\nContent-Type: text/plain\r\n\r\nSee the bank's email.\r\n"
        b"--outer\r\nContent-Type: message/rfc822\r\n"
        b'Content-Disposition: attachment; filename="fw.eml"\r\n\r\n' + inner + b"\r\n--outer--\r\n"
    )
    ticket = ticket_of(raw)
    assert ticket.description.startswith("See the bank's email.")
    assert "Subject: Transfer confirmation" in ticket.description
    assert "Your transfer of 500 USDT was sent." in ticket.description
    assert Attachment.objects.get(ticket=ticket).filename == "receipt.png"


def nested(depth: int) -> bytes:
    head = b"".join(
        f'Content-Type: multipart/mixed; boundary="b{n}"\r\n\r\n--b{n}\r\n'.encode()
        for n in range(depth)
    )
    tail = b"".join(f"\r\n--b{n}--\r\n".encode() for n in reversed(range(depth)))
    return (
        b"From: deep@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
        + head
        + b"Content-Type: text/plain\r\n\r\nway down\r\n"
        + tail
    )


def test_absurdly_deep_nesting_is_stored_as_far_as_it_is_read_or_refused():
    # 200 levels: read down to MAX_DEPTH, the text beyond is left out
    ticket = ticket_of(nested(200))
    assert (ticket.subject, ticket.description) == ("deep", "(no text)")
    # 5000 levels: the parser itself gives up; refused with a reason, never a crash
    with pytest.raises(Refused, match="nested too deeply"):
        receive(nested(5000))


def test_one_bad_message_does_not_block_the_next():
    with pytest.raises(NotAnEmail):
        receive(b"\xff\xfe garbage")
    assert receive(email()).outcome == "stored"


# The smallest valid PNG: a 1x1 transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
