"""Writes the threading corpus (issue #14): 300+ emails as real mail clients send them,
with the ticket each one must end in. Run it to rewrite the corpus after a change here:

    .venv/bin/python tests/mail/corpus/generate.py

Clients: Gmail (web, English and Chinese), Outlook (English and Chinese), Apple Mail
(English and Chinese, iPhone), Thunderbird, QQ Mail, Foxmail and NetEase (163), each
with its own Message-IDs, headers, charsets (UTF-8, GBK, GB18030, Big5), transfer
encodings, text or HTML parts, quote headers and signatures. Conversations: a first
email, answers to the desk's emails (top and bottom posting, edited subjects, clients
that drop In-Reply-To and keep only the subject's reference, a reference removed),
follow-ups to the customer's own email, forwards, answers after the ticket was closed,
a colleague answering a forwarded thread, and out-of-office replies.

The desk's own ids cannot be written down beforehand (they carry the ticket's id and a
keyed hash), so messages name them with placeholders that the test fills in:
`<<DESK-THREAD:c001>>` (the ticket's thread id), `<<DESK-MSG:c001:2>>` (the desk's
second email on it) and `<<REF:c001>>` (its reference, HD-000123).

expected.json lists the messages in the order they are fed, each with:
  file, conversation, expect: "new" (opens the conversation's ticket), "same" (joins
  it), "follow_up" (a new ticket continuing the closed one), "ignored"; before: "close"
  when the desk closes the conversation's ticket before this message; body: what the
  ticket must store of it (the sender's own words).
"""

import base64
import html
import json
import quopri
import random
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
MESSAGES = HERE / "messages"
DESK = "Support <support@helpdesk.test>"
rng = random.Random(14)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# --- what customers write ---------------------------------------------------------------

EN_FIRST = [
    ("Withdrawal stuck", "My BTC withdrawal has been pending for 6 hours. Order id W{n}."),
    ("Deposit not credited", "I sent 500 USDT on TRC20 but it is not in my account yet."),
    ("Cannot log in", "The app says my account is locked after I changed phones."),
    ("KYC rejected", "My selfie was rejected twice. What is wrong with it?"),
    ("API key error", "Every request returns error 10003 invalid signature since today."),
    ("Futures liquidation", "My position was liquidated although the mark price never hit it."),
    ("2FA lost", "I lost my phone with Google Authenticator. How do I reset 2FA?"),
    ("Wrong network", "I sent ETH on the BSC network by mistake. Can you recover it?"),
    ("Fee question", "Why was the withdrawal fee 25 USDT instead of 1 USDT?"),
    ("Margin call", "I got a margin call email but my margin ratio looks fine."),
]
ZH_FIRST = [
    ("提现一直未到账", "我的USDT提现已经过了三个小时还没有到账，订单号W{n}。"),
    ("充值没有到账", "我通过TRC20充值了500 USDT，但是账户里还没有显示。"),
    ("无法登录", "换了手机以后，App提示我的账户被锁定了。"),
    ("实名认证被拒绝", "我的自拍照被拒绝了两次，请问是什么原因？"),
    ("API签名错误", "从今天开始所有请求都返回10003签名错误。"),
    ("合约被强平", "标记价格没有到，我的仓位却被强平了。"),
    ("谷歌验证丢失", "手机丢了，谷歌验证器也没有了，怎么重置二次验证？"),
    ("转错网络", "我把ETH错误地转到了BSC网络上，可以找回吗？"),
]
EN_REPLIES = [
    "Here is the transaction hash: 0x{h}",
    "I attached the screenshot you asked for. The order id is W{n}.",
    "It still has not arrived. Can you check again please?",
    "Thanks, it arrived now. You can close the ticket.",
    "I tried again and got the same error.",
    "The network was TRC20 and the amount 500 USDT.",
    "Yes, I did that already twice.",
]
ZH_REPLIES = [
    "交易哈希是 0x{h}",
    "截图已经附上，订单号是W{n}。",
    "还是没有到账，麻烦再帮我查一下。",
    "谢谢，已经到账了，可以关闭工单。",
    "我又试了一次，还是同样的错误。",
    "网络是TRC20，金额是500 USDT。",
    "是的，我已经试过两次了。",
]
DESK_SAYS_EN = "Thank you for contacting support. Please send us the transaction hash."
DESK_SAYS_ZH = "感谢您联系客服，请提供交易哈希。"


# --- clients ---------------------------------------------------------------------------


@dataclass
class Client:
    name: str
    language: str  # "en" or "zh"
    domain: str
    charset: str
    encoding: str  # "base64", "quoted-printable" or "8bit"
    html: bool  # multipart/alternative with an HTML part
    keeps_thread_headers: bool
    mailer: str = ""

    def message_id(self, n: int) -> str:
        token = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(20))
        return {
            "gmail": f"<CAH{token}{n}@mail.gmail.com>",
            "outlook": f"<SJ0PR{n:03d}MB{token}@SJ0PR{n:03d}.namprd11.prod.outlook.com>",
            "apple": f"<{token[:8]}-{n:04d}-4C1E-9E0B-{token[8:20]}@{self.domain}>",
            "thunderbird": f"<{token.lower()[:8]}-{n}-4a2b@{self.domain}>",
            "qq": f"<tencent_{token}{n}@qq.com>",
            "foxmail": f"<2026{n:06d}{token[:6]}@foxmail.com>",
            "netease": f"<{token[:6]}.{n}.18f2c3d4e5f.Coremail.x@163.com>",
        }[self.name]

    def quote_header(self, when: datetime) -> str:
        date_en = when.strftime("%a, %b %-d, %Y at %-I:%M %p")
        date_zh = f"{when.year}年{when.month}月{when.day}日"
        return {
            ("gmail", "en"): f"On {date_en} Support <support@helpdesk.test> wrote:",
            ("gmail", "zh"): f"Support <support@helpdesk.test> 于{date_zh}周一 10:00写道：",
            ("apple", "en"): f"On {when:%-d %b %Y}, at {when:%H:%M}, Support "
            "<support@helpdesk.test> wrote:",
            ("apple", "zh"): f"{date_zh} 上午10:00，Support <support@helpdesk.test> 写道：",
            ("thunderbird", "en"): f"On {when:%d/%m/%Y %H:%M}, Support wrote:",
            ("netease", "zh"): f'在 {when:%Y-%m-%d %H:%M:%S}，"Support" '
            "<support@helpdesk.test> 写道：",
        }.get((self.name, self.language), "")


CLIENTS = [
    Client("gmail", "en", "gmail.com", "UTF-8", "quoted-printable", True, True),
    Client("gmail", "zh", "gmail.com", "UTF-8", "base64", True, True),
    Client("outlook", "en", "outlook.com", "us-ascii", "quoted-printable", True, True,
           "Microsoft Outlook 16.0"),
    Client("outlook", "zh", "hotmail.com", "gb2312", "base64", True, True,
           "Microsoft Outlook 16.0"),
    Client("apple", "en", "icloud.com", "utf-8", "quoted-printable", False, True,
           "Apple Mail (2.3774.500.171.1.1)"),
    Client("apple", "zh", "icloud.com", "utf-8", "base64", False, True, "iPhone Mail (21E236)"),
    Client("thunderbird", "en", "posteo.de", "UTF-8", "8bit", False, True,
           "Mozilla Thunderbird"),
    Client("qq", "zh", "qq.com", "gb18030", "base64", True, False),
    Client("foxmail", "zh", "foxmail.com", "GBK", "base64", True, True, "Foxmail 7.2.25.228[cn]"),
    Client("netease", "zh", "163.com", "GBK", "base64", True, True, "Coremail Webmail Server"),
]  # fmt: skip


def reply_layout(client: Client, own: str, quoted: str, when: datetime, bottom: bool) -> str:
    """The text part of an answer: the sender's words and the history as the client
    quotes it."""
    signature = {
        "apple": "\n\n发自我的iPhone" if client.language == "zh" else "\n\nSent from my iPhone",
        "netease": "\n\n发自网易邮箱大师",
        "outlook": "\n\nBest regards,\nCustomer" if client.language == "en" else "\n\n祝好，\n客户",
    }.get(client.name, "")
    quoted_lines = "\n".join(f"> {line}" if line else ">" for line in quoted.split("\n"))
    if client.name == "outlook":
        if client.language == "en":
            block = (
                "________________________________\n"
                f"From: {DESK}\nSent: {when:%A, %B %-d, %Y %-I:%M %p}\n"
                "To: Customer <customer@outlook.com>\nSubject: Re: your request\n\n" + quoted
            )
        else:
            block = (
                f"发件人: {DESK}\n发送时间: {when.year}年{when.month}月{when.day}日 10:00\n"
                "收件人: 客户 <customer@hotmail.com>\n主题: 回复: 您的工单\n\n" + quoted
            )
        return f"{own}{signature}\n\n{block}\n"
    if client.name in ("qq", "foxmail"):
        rule = "原始邮件" if client.name == "qq" else "Original"
        block = (
            f"------------------ {rule} ------------------\n"
            f'发件人: "Support"<support@helpdesk.test>;\n'
            f"发送时间: {when.year}年{when.month}月{when.day}日(星期一) 上午10:00\n"
            '收件人: "客户"<customer@qq.com>;\n主题: Re: 工单\n\n' + quoted
        )
        if client.name == "foxmail":
            block = block.replace(": ", "：").replace(";\n", "\n")
        return f"{own}{signature}\n\n{block}\n"
    header = client.quote_header(when)
    if bottom:
        return f"{header}\n{quoted_lines}\n\n{own}{signature}\n"
    return f"{own}{signature}\n\n{header}\n{quoted_lines}\n"


def html_of(text: str) -> str:
    paragraphs = "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in text.split("\n"))
    return f'<html><head><meta charset="utf-8"></head><body>{paragraphs}</body></html>'


def encode_part(content: str, subtype: str, client: Client) -> bytes:
    charset = client.charset
    data = content.encode("gb18030" if charset.lower() == "gb2312" else charset)
    if client.encoding == "base64":
        body = base64.encodebytes(data)
    elif client.encoding == "quoted-printable":
        body = quopri.encodestring(data)
    else:
        body = data
    return (
        f'Content-Type: text/{subtype}; charset="{charset}"\r\n'
        f"Content-Transfer-Encoding: {client.encoding}\r\n\r\n".encode()
        + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    )


def encoded_header(text: str, client: Client) -> str:
    """RFC 2047 encoded words for the non-ASCII runs; the reference placeholder stays
    plain so that the test can fill it in."""
    charset = client.charset if client.charset.lower() != "us-ascii" else "utf-8"
    codec = "gb18030" if charset.lower() == "gb2312" else charset
    parts = re.split(r"\s*(\[<<REF:[^>]+>>\])\s*", text)
    return " ".join(
        part
        if part.isascii()
        else f"=?{charset}?B?{base64.b64encode(part.encode(codec)).decode()}?="
        for part in parts
        if part
    )


def build(
    client: Client,
    *,
    sender: str,
    name: str,
    subject: str,
    text: str,
    message_id: str,
    when: datetime,
    in_reply_to: str = "",
    references: list[str] = (),
    extra: dict | None = None,
) -> bytes:
    headers = [
        ("From", f"{encoded_header(name, client)} <{sender}>"),
        ("To", DESK),
        ("Subject", encoded_header(subject, client)),
        ("Date", format_datetime(when)),
        ("Message-ID", message_id),
        ("MIME-Version", "1.0"),
    ]
    if in_reply_to:
        headers.append(("In-Reply-To", in_reply_to))
    if references:
        headers.append(("References", "\r\n ".join(references)))
    if client.mailer:
        headers.append(("X-Mailer", client.mailer))
    if client.name == "outlook":
        headers.append(
            ("Thread-Index", "AQHa" + base64.b64encode(message_id.encode())[:20].decode())
        )
    headers += list((extra or {}).items())
    head = "".join(f"{k}: {v}\r\n" for k, v in headers).encode()
    if not client.html:
        return head + encode_part(text, "plain", client)
    boundary = f"----=_Part_{rng.randrange(10**8)}"
    return (
        head
        + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode()
        + f"--{boundary}\r\n".encode()
        + encode_part(text, "plain", client)
        + f"\r\n--{boundary}\r\n".encode()
        + encode_part(html_of(text), "html", client)
        + f"\r\n--{boundary}--\r\n".encode()
    )


# --- conversations ---------------------------------------------------------------------


def conversations() -> list[dict]:
    entries: list[dict] = []
    serial = 0

    def emit(conv: str, raw: bytes, expect: str, body: str, before: str = "") -> None:
        nonlocal serial
        serial += 1
        name = f"{serial:03d}-{conv}.eml"
        (MESSAGES / name).write_bytes(raw)
        entry = {"file": name, "conversation": conv, "expect": expect, "body": body}
        if before:
            entry["before"] = before
        entries.append(entry)

    for number in range(1, 111):
        conv = f"c{number:03d}"
        client = CLIENTS[(number - 1) % len(CLIENTS)]
        zh = client.language == "zh"
        first_subject, first_text = rng.choice(ZH_FIRST if zh else EN_FIRST)
        first_text = first_text.format(n=1000 + number)
        user = f"user{number:03d}"
        sender = f"{user}@{client.domain}"
        name = f"客户{number:03d}" if zh else f"Customer {number:03d}"
        when = START + timedelta(hours=number)
        first_id = client.message_id(number * 10)
        forward = number % 11 == 0
        if forward:
            first_subject = f"Fwd: {first_subject}" if not zh else f"转发：{first_subject}"
            first_text = (
                f"Please see below.\n\n---------- Forwarded message ---------\n"
                f"From: Bank <noreply@bank.example>\nDate: {format_datetime(when)}\n"
                f"Subject: Transfer\n\n{first_text}"
            )
        emit(
            conv,
            build(client, sender=sender, name=name, subject=first_subject, text=first_text,
                  message_id=first_id, when=when),
            "new",
            first_text,
        )  # fmt: skip
        previous_ids = [first_id]
        desk_count = 0
        replies = ZH_REPLIES if zh else EN_REPLIES
        steps = rng.randint(1, 3)
        reopen = number % 9 == 0
        for step in range(steps):
            when += timedelta(minutes=37)
            desk_count += 1
            desk_msg = f"<<DESK-MSG:{conv}:{desk_count}>>"
            thread = f"<<DESK-THREAD:{conv}>>"
            own = rng.choice(replies).format(n=1000 + number, h=f"{number:04x}" * 16)
            subject_ref = f"[<<REF:{conv}>>] "
            base_subject = ("回复：" if zh else "Re: ") + subject_ref + first_subject
            kind = rng.choice(["top", "top", "top", "bottom", "edit", "subject-only", "own"])
            if client.name == "qq":
                kind = "subject-only"  # QQ Mail's web client keeps only the subject
            if client.name in ("outlook", "foxmail") and kind == "bottom":
                kind = "top"  # these never bottom-post
            quoted = DESK_SAYS_ZH if zh else DESK_SAYS_EN
            text = reply_layout(client, own, quoted, when, bottom=kind == "bottom")
            message_id = client.message_id(number * 10 + step + 1)
            in_reply_to, references, subject = desk_msg, [thread, desk_msg], base_subject
            if kind == "edit":
                subject = "Update on my issue" if not zh else "补充说明"
            elif kind == "subject-only":
                in_reply_to, references = "", []
            elif kind == "own":
                # a second email before any answer: it answers the customer's own first one
                text, in_reply_to = own, previous_ids[-1]
                references = list(previous_ids)
                subject = ("Re: " if not zh else "回复：") + first_subject
            before = ""
            expect = "same"
            if reopen and step == steps - 1:
                before, expect = "close", "follow_up"
            emit(
                conv,
                build(client, sender=sender, name=name, subject=subject, text=text,
                      message_id=message_id, when=when, in_reply_to=in_reply_to,
                      references=references),
                expect,
                own,
                before,
            )  # fmt: skip
            previous_ids.append(message_id)
        if number % 10 == 3:
            # an out-of-office reply to the desk's email: no ticket, no answer
            emit(
                conv,
                build(client, sender=sender, name=name,
                      subject=("Automatic reply: " if not zh else "自动回复：") + first_subject,
                      text="I am out of the office until Monday." if not zh else "我休假到周一。",
                      message_id=client.message_id(number * 10 + 8), when=when,
                      in_reply_to=f"<<DESK-MSG:{conv}:1>>",
                      references=[f"<<DESK-THREAD:{conv}>>"],
                      extra={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}),
                "ignored",
                "",
            )  # fmt: skip
        if number % 10 == 7:
            # a colleague answers the thread the customer forwarded to them: their own ticket
            colleague = f"colleague{number:03d}@{client.domain}"
            own = "I am the account owner's colleague; the deposit was ours."
            emit(
                f"{conv}x",
                build(client, sender=colleague, name="Colleague",
                      subject=f"Re: [<<REF:{conv}>>] {first_subject}",
                      text=reply_layout(client, own, DESK_SAYS_EN, when, bottom=False),
                      message_id=client.message_id(number * 10 + 9), when=when,
                      in_reply_to=f"<<DESK-MSG:{conv}:1>>",
                      references=[f"<<DESK-THREAD:{conv}>>", f"<<DESK-MSG:{conv}:1>>"]),
                "new",
                own,
            )  # fmt: skip
        if number % 10 == 5:
            # the reference taken out of the subject and no thread headers: a new ticket
            own = "Another question: how long do withdrawals take?"
            emit(
                f"{conv}n",
                build(client, sender=sender, name=name, subject="Another question",
                      text=own, message_id=client.message_id(number * 10 + 7), when=when),
                "new",
                own,
            )  # fmt: skip
    return entries


def main() -> int:
    MESSAGES.mkdir(parents=True, exist_ok=True)
    for old in MESSAGES.glob("*.eml"):
        old.unlink()
    entries = conversations()
    (HERE / "expected.json").write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(entries)} messages in {MESSAGES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
