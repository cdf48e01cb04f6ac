"""What user text shows (tickets/textnorm.py): the guard's normalised reading with its way back
to the original characters, invisible text, and bidi controls made harmless for display."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.textnorm import BIDI_CONTROLS, is_invisible, neutralize_bidi, normalize


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("plain ASCII: l1I0O", "plain ASCII: l1I0O"),  # ASCII is never folded
        ("ａｂａｎｄｏｎ　ＡＢＩＬＩＴＹ", "abandon ABILITY"),  # full-width (NFKC)
        ("ﬁle ① ⑵", "file 1 (2)"),  # ligatures and enclosed numbers
        ("aban\u200bdon ab\u00adility a\u2060ble", "abandon ability able"),  # never drawn
        ("abandon\ufe0f\u034f", "abandon"),  # variation selector, grapheme joiner
        ("\u202eabandon\u202c \u2066able\u2069", "abandon able"),  # bidi controls
        ("аbаndоn ΑΒΙLΙΤΥ", "abandon ABILITY"),  # Cyrillic and Greek look-alikes
        ("Іnvest іnvest", "Invest invest"),  # capital I stays I (the table says "l")
        ("𝐚𝐛𝐚𝐧𝐝𝐨𝐧 ɑble", "abandon able"),  # mathematical letters, Latin alpha
        ("password꞉ x", "password: x"),  # a modifier-letter colon
        ("a\u3164b\u2800c", "a b c"),  # blank-looking letters are spaces
        ("密码：abc，谢谢。", "密码:abc,谢谢。"),  # Chinese stays; its full-width marks NFKC
        ("私钥 一 丨 乙", "私钥 一 丨 乙"),  # ideographs are never folded
    ],
)
def test_the_guard_reads_text_as_it_looks(text, read):
    assert normalize(text).text == read


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=60))
def test_every_character_read_points_back_at_the_one_it_came_from(text):
    norm = normalize(text)

    for at in range(len(norm.text)):
        start, end = norm.span(at, at + 1)
        assert 0 <= start < end <= len(text)
        # One character is read from one: what it reads as alone.
        assert end - start == 1
        assert norm.text[at] in normalize(text[start]).text


def test_spans_cover_the_original_characters_invisible_ones_included():
    text = "x ab\u200bc\u200bd ﬁ y"
    norm = normalize(text)

    start, end = norm.span(norm.text.index("abcd"), norm.text.index("abcd") + 4)
    assert text[start:end] == "ab\u200bc\u200bd"
    start, end = norm.span(norm.text.index("fi"), norm.text.index("fi") + 1)  # half a ligature
    assert text[start:end] == "ﬁ"


@pytest.mark.parametrize(
    "text",
    ["\u200b", " \u200b ", "\u200d\u200c\u2060", "\u202e", "\ufeff", "\u3164", "\u2800", "\u00ad"],
)
def test_invisible_text(text):
    assert is_invisible(text)


@pytest.mark.parametrize("text", ["a", "\u200ba", "。", "一", "\u202egnp.exe", "🙂", "-"])
def test_visible_text(text):
    assert not is_invisible(text)


def test_bidi_controls_are_shown_as_escapes():
    assert neutralize_bidi("invoice\u202egnp.exe") == "invoice[U+202E]gnp.exe"
    assert neutralize_bidi("שלום world") == "שלום world"  # right-to-left text itself stays
    assert not any(c in neutralize_bidi("".join(BIDI_CONTROLS)) for c in BIDI_CONTROLS)
