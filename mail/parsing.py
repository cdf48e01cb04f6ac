"""One raw email read into what the intake needs (SPEC §10). Pure: bytes in, a ParsedEmail
out, no database. Built on the standard library's `email` package (policy=default), and
forgiving: a broken header, an unknown charset or bad MIME costs that part its fidelity,
never the message. Only input with no sender at all is refused (NotAnEmail).
"""

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from charset_normalizer import from_bytes

from .text import html_to_text, tidy


class Refused(Exception):
    """The message cannot be taken; the reason is safe to log (it quotes no content)."""


class NotAnEmail(Refused):
    """The input is no email: nothing says who sent it."""


@dataclass(frozen=True)
class Attachment:
    filename: str  # as the sender named it (not yet sanitised); may be empty
    content: bytes


@dataclass
class ParsedEmail:
    message_id: str  # "<...>"; made from the bytes when the message has none
    sender: str  # the From address, lower case
    sender_name: str
    subject: str
    in_reply_to: list[str]  # Message-IDs, nearest first
    references: list[str]
    text: str  # the body as text (the HTML part converted when there is no text part)
    attachments: list[Attachment] = field(default_factory=list)
    # Why this is no message from a person (auto-reply, delivery report...), or None.
    noise: str | None = None
    # The DMARC verdict of the trusted mail server ("pass", "fail", ...), or None.
    dmarc: str | None = None
    # The header that marks the desk's own outgoing mail.
    from_the_desk: bool = False

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, nearest first, each once."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))


# Labels that mail clients put on a charset their bytes do not keep to; the superset
# decodes what the label promises and what the client really wrote.
_CHARSET_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "iso-2022-jp": "iso2022_jp_ext",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
}
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
_NOISE_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_PARSER = BytesParser(policy=policy.default)


def decode(data: bytes, charset: str | None) -> str:
    """Bytes as text: the declared charset (or the superset clients mean by it); else
    UTF-8; else what charset-normalizer finds; else Latin-1, which decodes anything."""
    label = (charset or "").strip().strip('"').lower()
    candidates = [_CHARSET_SUPERSETS.get(label, label)] if label else []
    candidates.append("utf-8")
    for name in candidates:
        try:
            codecs.lookup(name)
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        return data.decode(best.encoding, errors="replace")
    return data.decode("latin-1")


def decode_8bit_header(data: bytes) -> str:
    """A header sent as raw 8-bit bytes (no encoded words): UTF-8 as RFC 6532 says, else
    GBK as Chinese clients write it, else Latin-1."""
    for name in ("utf-8", "gb18030"):
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _clean(value: str) -> str:
    """A header value as text: folding, control characters and stray surrogates gone."""
    value = value.encode("utf-8", "replace").decode("utf-8")
    return re.sub(r"[\x00-\x1f\x7f]+", " ", value).strip()


class _Headers:
    """The top-level headers, read from the bytes: encoded words decoded with the charset
    they name (or the superset clients mean by it, or a guess for an unknown one), raw
    8-bit values decoded as UTF-8 or GBK. Cheaper and more forgiving than the policy's
    header objects, which the body's parts still use."""

    def __init__(self, raw: bytes) -> None:
        block = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
        unfolded = re.sub(rb"\r?\n[ \t]+", b" ", block)
        self.values: dict[str, list[bytes]] = {}
        for line in unfolded.splitlines():
            name, colon, value = line.partition(b":")
            if colon and _FIELD_NAME.fullmatch(name):
                key = name.decode("ascii").strip().lower()
                self.values.setdefault(key, []).append(value.strip())

    def get(self, name: str) -> str:
        """The first such header's decoded value, "" when absent."""
        values = self.values.get(name.lower())
        return _decode_header(values[0]) if values else ""

    def get_all(self, name: str) -> list[str]:
        return [_decode_header(value) for value in self.values.get(name.lower(), [])]


# A header's name: printable ASCII but ":" (RFC 5322), maybe padded before the colon.
_FIELD_NAME = re.compile(rb"[!-9;-~]+[ \t]*")


def _decode_header(value: bytes) -> str:
    if re.search(rb"[\x80-\xff]", value):
        return _clean(decode_8bit_header(value))
    text = value.decode("ascii")
    if "=?" in text:
        try:
            parts = decode_header(text)
        except (ValueError, HeaderParseError):
            parts = [(text, None)]
        text = "".join(
            decode(part, charset) if isinstance(part, bytes) else part for part, charset in parts
        )
    return _clean(text)


def _sender(headers: _Headers) -> tuple[str, str]:
    value = headers.get("From") or headers.get("Sender")
    try:
        pairs = getaddresses([value])
    except Exception:  # noqa: BLE001
        pairs = [parseaddr(value)]
    for name, address in pairs:
        address = address.strip().strip("<>")
        if "@" in address and " " not in address and len(address) <= 254:  # RFC 5321
            return address.lower(), name
    raise NotAnEmail("no sender address (From)")


def _ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _noise(headers: _Headers, content_type: str, sender: str) -> str | None:
    """Why a message is not from a person who expects an answer (SPEC §10)."""
    auto = headers.get("Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"auto-submitted ({auto})"
    if headers.get("X-Autoreply") or headers.get("X-Autorespond"):
        return "auto-reply"
    precedence = headers.get("Precedence").strip().lower()
    if precedence in _NOISE_PRECEDENCE:
        return f"precedence {precedence}"
    if content_type == "multipart/report":
        return "delivery report"
    if sender.split("@")[0] == "mailer-daemon":
        return "delivery report (MAILER-DAEMON)"
    if headers.get("Return-Path").strip() == "<>":
        return "bounce (empty return path)"
    return None


def dmarc_verdict(headers: _Headers, trusted_authserv_id: str) -> str | None:
    """The DMARC result in the topmost Authentication-Results header written by our own
    mail server (RFC 8601: it removes copies claiming its name that arrived with the
    message); None when there is none, or when no server is trusted."""
    trusted = trusted_authserv_id.strip().lower()
    if not trusted:
        return None
    for value in headers.get_all("Authentication-Results"):
        authserv = value.split(";")[0].strip().split()
        if authserv and authserv[0].lower() == trusted:
            match = re.search(r"\bdmarc\s*=\s*([a-z]+)", value, re.IGNORECASE)
            return match[1].lower() if match else None
    return None


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken transfer encoding: keep the raw text
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001
        name = ""
    return _clean(name)


def _content_type(part: Message) -> str:
    content_type = part.get_content_type()
    if content_type.startswith("multipart/") and not part.is_multipart():
        return "text/plain"  # a multipart without a boundary: its body is all there is
    return content_type


# Deeper nesting than any mail client writes: the rest of such a message is left out.
MAX_DEPTH = 30


@dataclass
class _Parts:
    plain: str = ""  # the first text/plain body part
    html: str = ""  # the first text/html body part
    attachments: list[Attachment] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)  # attached messages, as text

    @property
    def text(self) -> str:
        text = (
            tidy(self.plain) if self.plain.strip() else html_to_text(self.html) if self.html else ""
        )
        return "\n\n".join(filter(None, [text, *self.forwarded]))


def _walk(part: Message, found: _Parts, depth: int = 0) -> None:
    """Sort `part` into body, attachments and forwarded messages. A message attached to
    this one (Outlook's "forward as attachment") is read as text after the body, with its
    own files among the attachments."""
    if depth > MAX_DEPTH:
        return
    if part.get_content_type() == "message/rfc822" and part.is_multipart():
        for inner in part.get_payload():
            nested = _Parts()
            _walk(inner, nested, depth + 1)
            heading = "\n".join(
                f"{name}: {value}"
                for name in ("From", "Date", "Subject")
                if (value := _clean(str(inner.get(name, ""))))
            )
            found.forwarded.append(
                f"---------- Forwarded message ----------\n{heading}\n\n{nested.text}"
            )
            found.attachments += nested.attachments
        return
    if part.is_multipart():
        for sub in part.get_payload():
            _walk(sub, found, depth + 1)
        return
    content_type = _content_type(part)
    try:
        disposition = part.get_content_disposition()
    except Exception:  # noqa: BLE001
        disposition = None
    name = _filename(part)
    is_body = disposition != "attachment" and not name
    if is_body and content_type == "text/plain" and not found.plain:
        found.plain = decode(_payload(part), part.get_content_charset())
    elif is_body and content_type == "text/html" and not found.html:
        found.html = decode(_payload(part), part.get_content_charset())
    elif is_body and content_type in ("text/plain", "text/html"):
        return  # further alternatives or a second body part: the first one counts
    else:
        found.attachments.append(Attachment(filename=name, content=_payload(part)))


def parse(raw: bytes, *, trusted_authserv_id: str = "") -> ParsedEmail:
    """Read one RFC 5322 message. Raises NotAnEmail when nothing names a sender."""
    if not raw.strip():
        raise NotAnEmail("empty input")
    try:
        message: EmailMessage = _PARSER.parsebytes(raw)
    except RecursionError:
        raise Refused("MIME parts nested too deeply to read") from None
    headers = _Headers(raw)
    sender, sender_name = _sender(headers)
    ids = _ids(headers.get("Message-ID"))
    message_id = ids[0] if ids else f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"
    parts = _Parts()
    _walk(message, parts)
    return ParsedEmail(
        message_id=message_id,
        sender=sender,
        sender_name=sender_name,
        subject=headers.get("Subject"),
        in_reply_to=_ids(headers.get("In-Reply-To")),
        references=_ids(headers.get("References")),
        text=parts.text,
        attachments=parts.attachments,
        noise=_noise(headers, message.get_content_type(), sender),
        dmarc=dmarc_verdict(headers, trusted_authserv_id),
        from_the_desk=bool(headers.get("X-Helpdesk-Ticket")),
    )
