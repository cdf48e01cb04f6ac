"""An email's words as a ticket stores them (SPEC §10): HTML made text, and a reply cut to
what the sender wrote, without the quoted history and the signature. Pure functions.

Mail clients mark the quoted history in their own ways; these are the ones of the clients
our customers use, in English and Chinese:

- Gmail, Apple Mail, Thunderbird: "On <date>, <name> wrote:" (may wrap onto two lines),
  "<date>，<name> 写道：" in Chinese, then the history quoted with ">";
- Outlook: a rule (32 underscores) or "-----Original Message-----", then a block of
  "From:/Sent:/To:/Subject:" (发件人/发送时间/收件人/主题) lines and the history unquoted;
- QQ Mail and Foxmail: "------------------ 原始邮件 ------------------" (or "Original")
  and the same block, with "；" and full-width colons;
- NetEase (163/126): "在 <date>，<name> 写道：" or "---- 回复的原邮件 ----".

The first such marker ends the reply when the sender wrote above it (top posting). When
nothing stands above it, the sender answered below the quote (bottom posting) or between
its lines: the lines that are not quoted are the reply. The signature is cut by
mail-parser-reply (its English and Chinese rules: "-- ", "Sent from my ...", "Best
regards", "祝好，", "从我的...发送"...) and by the mobile footers it does not know.
"""

import re

from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from mailparser_reply import EmailMessage

# Lines that start the quoted history. Each is searched line by line (MULTILINE).
_QUOTE_HEADERS = [
    # Gmail / Apple Mail / Thunderbird, possibly wrapped: "On Mon, 3 Feb 2025 at 10:00,
    # Alice <a@example.com>\nwrote:"
    r"^On\s[^\n]{0,200}(?:\n[^\n]{0,200})?\swrote:\s*$",
    r"^[^\n]{0,120}\d{4}[-/.年][^\n]{0,200}(?:写道|寫道|wrote)\s*[:：]\s*$",
    r"^(?:在|于|於)\s?[^\n]{0,200}(?:写道|寫道)\s*[:：]?\s*$",
    r"^-{2,}\s*(?:Original Message|原始邮件|原始郵件|Original|回复的原邮件|回覆的原郵件|"
    r"Forwarded message|转发的邮件|轉寄的郵件)\s*-{2,}\s*$",
    r"^_{10,}\s*$",
    # Outlook's block without a rule: "From: ...\nSent: ..." in the first lines
    r"^\**(?:From|发件人|發件人|寄件者)\s*\**\s*[:：][^\n]*\n(?:[^\n]*\n){0,2}?"
    r"\**(?:Sent|Date|发送时间|發送時間|日期|时间|時間|寄件日期|收件人|To)\s*\**\s*[:：]",
]
_QUOTE_HEADER = re.compile("|".join(f"(?:{p})" for p in _QUOTE_HEADERS), re.MULTILINE)
_QUOTED_LINE = re.compile(r"^\s*>")
# Mobile footers and client taglines that mail-parser-reply does not know.
_FOOTERS = re.compile(
    r"^\s*(?:Sent from (?:my|Mail for|Yahoo|Outlook)|Get Outlook for|"
    r"发自我的|發自我的|从我的\S*发送|來自我的|发自网易邮箱|来自网易邮箱|"
    r"发自\s?(?:QQ|Foxmail|Windows)|来自\s?(?:QQ|Foxmail))[^\n]*$",
    re.MULTILINE | re.IGNORECASE,
)
# Big enough for any real email's HTML; past it the rest is left out of the text.
MAX_HTML_CHARS = 2_000_000
_HTML_CONFIG = ParserConfig(display_links=False, display_images=False)


def html_to_text(html: str) -> str:
    """The text of an HTML body, laid out as a reader sees it (tables, lists, paragraphs)."""
    try:
        return tidy(get_text(html[:MAX_HTML_CHARS], _HTML_CONFIG))
    except (ValueError, RecursionError):  # lxml's refusals of very broken documents
        return tidy(re.sub(r"<[^>]*>", " ", html[:MAX_HTML_CHARS]))


def tidy(text: str) -> str:
    """Unix line ends, no NUL (PostgreSQL refuses it), no trailing spaces, at most one
    blank line in a row, no blank lines at either end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip("\n").strip()


def reply_text(text: str) -> str:
    """What the sender wrote in a reply: `text` without the quoted history and the
    signature. Falls back to the whole text rather than return nothing."""
    text = tidy(text)
    marker = _QUOTE_HEADER.search(text)
    above = text[: marker.start()] if marker else text
    if marker and not _unquoted(above).strip():
        # Nothing above the history: the answer is below the quote or between its lines.
        after = text[marker.end() :]
        block_end = re.search(r"\n\s*\n", after)  # the header block ends at a blank line
        below = _unquoted(after[block_end.end() :] if block_end else "")
        reply = below if below.strip() and _QUOTED_LINE.search(after) else ""
    else:
        reply = _unquoted(above)
    reply = _without_signature(reply)
    return reply or _without_signature(_unquoted(text)) or text


def _unquoted(text: str) -> str:
    return tidy("\n".join(line for line in text.split("\n") if not _QUOTED_LINE.match(line)))


def _without_signature(text: str) -> str:
    if not text.strip():
        return ""
    message = EmailMessage(text=text, languages=["en", "zh"], keep_hyphen_lists=True).read()
    body = message.replies[0].body if message.replies else text
    footer = _FOOTERS.search(body)
    if footer and footer.start() > 0:
        body = body[: footer.start()]
    return tidy(body)
