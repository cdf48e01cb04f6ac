"""Attachment intake, the pure part (SPEC.md §6): decide a file's type from its bytes, and
make its client-supplied name safe to store and show. No Django here on purpose: the
services wire these into storage and settings, and the tests need no database.

The client's Content-Type header is never an input, and the extension only ever picks
between text subtypes (CSV or plain); it never makes bytes acceptable.
"""

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator

import filetype

ALLOWED_TYPES: frozenset[str] = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/json",
        "application/zip",
    }
)

# The types whose content is text: the sensitive-data guard reads them (SPEC §7).
TEXT_TYPES: frozenset[str] = frozenset({"text/plain", "text/csv", "application/json"})

# Callers pass at least this much of a file, or the whole file when it is smaller; so a
# shorter head is a complete file, and only a longer one may end mid-document.
MIN_HEAD_BYTES = 8 * 1024

# An animated PNG is a valid PNG (same signature, extra chunks); filetype names it apart.
_ALIASES = {"image/apng": "image/png"}

# filetype matches these on two or three ASCII letters ("BM", "GIF", "ID3"), so a CSV whose
# first column is "BMW" would be a bitmap. Real files of these formats always hold NUL or
# non-UTF-8 bytes in their header, so a head that is clean text is judged as text instead.
_TEXT_LOOKALIKES = frozenset({"image/bmp", "image/gif", "audio/mpeg"})

# Executables filetype misses: ELF shorter than its 53-byte minimum, Mach-O (thin 32/64-bit
# in both byte orders, and fat binaries, which share 0xCAFEBABE with Java classes). MZ is
# here too so a PE stays refused even if a filetype release stops matching it first.
_EXECUTABLE_MAGIC = (
    b"\x7fELF",
    b"MZ",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)

# UTF-16 with a BOM is what Windows PowerShell writes when a customer redirects a log to a
# file, so we take it; UTF-32 (its BOM starts like UTF-16 LE) then decodes with NULs and
# is refused. Without a BOM only UTF-8 is text: guessing UTF-16 would let binaries in.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Tab, newlines, form feed, and ESC for the colour codes of terminal logs.
_TEXT_CONTROLS = frozenset("\t\n\r\f\x1b")

_SHEBANG = re.compile(r"[\s\ufeff]*#!")
_MARKUP_START = re.compile(r"[\s\ufeff]*<(?:\?xml|!doctype)", re.IGNORECASE)
# Anywhere in the head: a log that embeds a page is refused too. Tags need the word
# boundary so "<header" or "<bodyweight>" in plain prose is not taken for HTML.
_MARKUP_ANYWHERE = re.compile(
    r"<(?:html|head|body|script|svg|iframe|object|embed)\b|javascript:|vbscript:",
    re.IGNORECASE,
)
_CSV_DELIMITERS = (",", ";", "\t", "|")

_MAX_NAME_CHARS = 150
# ext4 and most filesystems cap a name at 255 bytes; leave room for the suffix Django's
# storage appends on a clash. 150 CJK characters would be 450 bytes.
_MAX_NAME_BYTES = 240
_MAX_EXTENSION = 16
_NAME_PUNCTUATION = frozenset(" ._-()")
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{d}" for p in ("COM", "LPT") for d in range(10)}
)


class RejectedFile(Exception):
    """The upload is refused; `reason` is safe to show the user (it never quotes content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff_content_type(
    head: bytes, filename: str = "", allowed: frozenset[str] = ALLOWED_TYPES
) -> str:
    """Return the content type decided from the bytes, or raise RejectedFile.

    `head` is the first MIN_HEAD_BYTES (up to 64 KiB) of the file, or all of it when
    smaller. `filename` only tells CSV from plain text.
    """
    if not head:
        raise RejectedFile("empty file")
    kind = filetype.guess(head)
    text = _decode_text(head) if kind is None or kind.mime in _TEXT_LOOKALIKES else None
    if kind is not None and text is None:
        return _accept(_ALIASES.get(kind.mime, kind.mime), allowed)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise RejectedFile("executable files are not accepted")
    if text is None:
        raise RejectedFile("the content is not a recognised file type")
    if _SHEBANG.match(text):
        raise RejectedFile("scripts are not accepted")
    if _MARKUP_START.match(text) or _MARKUP_ANYWHERE.search(text):
        raise RejectedFile("HTML, SVG and XML files are not accepted")
    if _is_json(text, may_be_cut=len(head) >= MIN_HEAD_BYTES):
        return _accept("application/json", allowed)
    if filename.lower().endswith(".csv") and _is_csv(text, may_be_cut=len(head) >= MIN_HEAD_BYTES):
        return _accept("text/csv", allowed)
    return _accept("text/plain", allowed)


def _accept(content_type: str, allowed: frozenset[str]) -> str:
    if content_type not in allowed:
        raise RejectedFile(f"type {content_type} is not accepted")
    return content_type


def _decode_text(head: bytes) -> str | None:
    """The head as text if it is text, else None."""
    encoding, body = "utf-8", head
    for bom, name in _BOMS:
        if head.startswith(bom):
            encoding, body = name, head[len(bom) :]
            break
    try:
        # final=False: the head may end inside a character, which is the cut, not bad data.
        text = codecs.getincrementaldecoder(encoding)().decode(body, final=False)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    stray = sum(1 for ch in text if ch not in _TEXT_CONTROLS and unicodedata.category(ch) == "Cc")
    return text if stray * 100 <= len(text) else None


def decode_text(chunks: Iterable[bytes]) -> Iterator[str]:
    """The text of a file sniff_content_type() took for text, piece by piece: UTF-8, or the
    encoding its BOM names. Only the head was judged, so bytes further on that do not decode
    become U+FFFD instead of failing."""
    decoder = None
    for chunk in chunks:
        if decoder is None:
            encoding = "utf-8"
            for bom, name in _BOMS:
                if chunk.startswith(bom):
                    encoding, chunk = name, chunk[len(bom) :]
                    break
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        yield decoder.decode(chunk)
    if decoder is not None:
        yield decoder.decode(b"", final=True)


def _is_json(text: str, *, may_be_cut: bool) -> bool:
    body = text.strip()
    if not body.startswith(("{", "[")):
        return False
    try:
        json.loads(body)
    except RecursionError:
        return False
    except json.JSONDecodeError as error:
        # A cut head fails only at its end: inside a string, or a few characters from the
        # end (a literal or number cut short). "[2024-01-01 INFO ..." fails far earlier.
        cut_at_end = error.msg.startswith("Unterminated string") or len(body) - error.pos <= 8
        return may_be_cut and cut_at_end
    return True


def _is_csv(text: str, *, may_be_cut: bool) -> bool:
    """Every row has the same number (2+) of fields for one of the usual delimiters."""
    for delimiter in _CSV_DELIMITERS:
        try:
            rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if may_be_cut and len(rows) > 1:
            rows.pop()  # the last row may be cut short by the end of the head
        widths = {len(row) for row in rows}
        if len(widths) == 1 and widths.pop() >= 2:
            return True
    return False


def sanitize_filename(name: str, default: str = "attachment") -> str:
    """A name safe to store and to put in Content-Disposition; never empty."""
    # NFKC first: it turns fullwidth "／" into "/" and "．．" into "..", which we then strip.
    name = unicodedata.normalize("NFKC", name)
    name = re.split(r"[/\\]", name)[-1]
    kept = "".join(map(_name_char, name))
    # Dropping a character can put a base letter next to its combining accent; compose them
    # now so that sanitising the result again changes nothing.
    name = unicodedata.normalize("NFKC", kept)
    name = re.sub(r" {2,}", " ", name)
    # No hidden files or "..", no "-rf" read as an option by shell tools, and no trailing
    # dots or spaces, which Windows drops (making "a.exe." into "a.exe").
    name = name.lstrip(" .-").rstrip(" .")
    if name.split(".")[0].rstrip().upper() in _WINDOWS_RESERVED:
        name = f"_{name}"
    return _truncate(name) or default


def _name_char(ch: str) -> str:
    # Letters (any script), digits and combining marks stay; tabs and Unicode spaces become
    # spaces; controls, format characters (the right-to-left override that shows
    # "gnp.exe" as "exe.png"), symbols and path punctuation go.
    category = unicodedata.category(ch)
    if ch in "\t\n\v\f\r" or category[0] == "Z":
        return " "
    return ch if ch in _NAME_PUNCTUATION or category[0] in "LNM" else ""


def _truncate(name: str) -> str:
    def fits(candidate: str) -> bool:
        return len(candidate) <= _MAX_NAME_CHARS and len(candidate.encode()) <= _MAX_NAME_BYTES

    if fits(name):
        return name
    stem, dot, extension = name.rpartition(".")
    if not (dot and stem and len(extension) <= _MAX_EXTENSION):
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    stem = stem[: _MAX_NAME_CHARS - len(suffix)]
    while stem and not fits(stem + suffix):
        stem = stem[:-1]
    return (stem + suffix).rstrip(" .")
