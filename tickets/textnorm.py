"""What user text shows, as opposed to which characters it holds (SPEC §7, issue #13).

Pure functions, no Django, three uses:

* `normalize()`: the text the sensitive-data guard reads. Unicode NFKC (full-width letters and
  digits, ligatures, circled numbers and the like become plain ones), characters that are never
  drawn removed (zero-width spaces and joiners, bidi controls, soft hyphens, variation
  selectors), blank-looking letters made spaces, and letters that look like ASCII ones (Cyrillic
  "а", Greek "ο", Latin "ɑ"...) folded to them, from Unicode's confusables table (UTS #39) as
  the confusable-homoglyphs package ships it. Each character of the result points back at the
  one it came from, so a finding can be cut out of the text the user sent.
* `is_invisible()`: text that shows nothing at all: a subject of one zero-width space.
* `neutralize_bidi()`: bidi controls shown as escapes, for pages that lay user text out among
  other columns, where a right-to-left override would reorder what the agent sees.

ASCII is never folded ("l" and "1" stay apart: base58 and hex depend on it), nor are Chinese,
Japanese and Korean characters: the Chinese word lists are made of them.
"""

import unicodedata
from dataclasses import dataclass

# Bidirectional formatting: embeddings, overrides, isolates and the three marks. Text keeps
# them (right-to-left writers need the marks); displays show them as escapes.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

# Default-ignorable code points that are not format characters (Unicode's
# DerivedCoreProperties.txt): the combining grapheme joiner, the Khmer inherent vowels, the
# Mongolian free variation selectors and the variation selectors. Format characters (category
# Cf: zero-width space and joiners, bidi controls, soft hyphen, word joiner, BOM, tags) are
# found by category.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0xFE00, 0xFE0F),
    (0xE0100, 0xE01EF),
)
# Letters that are drawn as blank space: the Hangul fillers, and the Braille blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Scripts never folded: CJK radicals to ideographs (with kana and CJK punctuation), Hangul
# syllables, compatibility ideographs, and the supplementary ideographs.
_UNFOLDED = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))


def _ignorable(ch: str) -> bool:
    if unicodedata.category(ch) == "Cf":
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def is_invisible(text: str) -> bool:
    """Whether `text` draws nothing: only whitespace, control and format characters,
    variation selectors and blank-looking letters (True for "" too)."""
    return all(
        ch.isspace() or ch in _BLANK_LETTERS or unicodedata.category(ch) == "Cc" or _ignorable(ch)
        for ch in text
    )


_BIDI_ESCAPES = {ord(ch): f"[U+{ord(ch):04X}]" for ch in BIDI_CONTROLS}


def neutralize_bidi(text: str) -> str:
    """`text` with each bidi control shown as a visible escape ("[U+202E]"): it can reorder
    nothing, and the agent sees that it was there."""
    return text.translate(_BIDI_ESCAPES)


# --- normalisation ------------------------------------------------------------------------


def _ascii_lookalikes(ch: str) -> list[str]:
    # Imported on first use: the table is 900 KB of JSON that ASCII-only traffic never needs,
    # and `manage.py receive_email` starts a process per message.
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=[]) or []
    return [
        glyph["c"]
        for entry in found
        for glyph in entry["homoglyphs"]
        if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isprintable()
    ]


def _fold_lookalike(ch: str) -> str:
    """The ASCII character `ch` is drawn like (a letter for a letter, punctuation for
    punctuation), or `ch` itself."""
    code = ord(ch)
    if code < 0x80 or any(low <= code <= high for low, high in _UNFOLDED):
        return ch
    category = unicodedata.category(ch)[0]
    if category not in "LPS":
        return ch
    if category == "L":
        candidates = [c for c in _ascii_lookalikes(ch) if c.isalpha()]
        if ch.isupper():
            # The table maps every capital I look-alike to "l" (its skeleton); the letter a
            # reader sees is the capital I.
            candidates = ["I" if c == "l" else c for c in candidates]
            candidates.sort(key=lambda c: not c.isupper())
    else:
        candidates = [c for c in _ascii_lookalikes(ch) if not c.isalnum()]
    return candidates[0] if candidates else ch


def _fold(ch: str) -> str:
    """What one character of user text becomes for the guard: "" for one never drawn."""
    if _ignorable(ch):
        return ""
    if ch in _BLANK_LETTERS:
        return " "
    parts = []
    for part in unicodedata.normalize("NFKC", ch):
        if _ignorable(part):
            continue
        parts.append(" " if part in _BLANK_LETTERS else _fold_lookalike(part))
    return "".join(parts)


class _FoldTable(dict):
    """str.translate()'s table, filled on demand. Remembers the characters whose fold is not
    exactly one character (they move the offsets after them)."""

    LIMIT = 50_000  # distinct characters kept; past that, folds are computed each time

    def __init__(self) -> None:
        super().__init__((code, chr(code)) for code in range(0x80))
        self.resizing: set[str] = set()

    def __missing__(self, code: int) -> str:
        folded = _fold(chr(code))
        if len(folded) != 1:
            self.resizing.add(chr(code))
        if len(self) < self.LIMIT:
            self[code] = folded
        return folded


_TABLE = _FoldTable()


@dataclass(frozen=True, slots=True)
class Normalized:
    """The guard's reading of a text, with the way back to the original's offsets."""

    original: str
    text: str
    # For each character of `text`, the offset of the original character it came from; None
    # when every original character became exactly one (the offsets are the same).
    origins: list[int] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters that `text[start:end]` (not empty) came from."""
        if self.origins is None:
            return start, end
        return self.origins[start], self.origins[end - 1] + 1


def normalize(text: str) -> Normalized:
    if text.isascii():
        return Normalized(text, text, None)
    folded = text.translate(_TABLE)
    resizing = _TABLE.resizing
    if resizing.isdisjoint(text):
        return Normalized(text, folded, None)
    origins: list[int] = []
    done = 0
    for at, ch in enumerate(text):
        if ch in resizing:
            origins.extend(range(done, at))
            origins.extend([at] * len(_TABLE[ord(ch)]))
            done = at + 1
    origins.extend(range(done, len(text)))
    return Normalized(text, folded, origins)
