"""Seed phrases (MNEMONIC): runs of BIP-39 list words, English or Chinese. The rules, and why,
are in the package's docstring (tickets/guard/__init__.py) and in _phrases() below."""

import hashlib
import re
from collections.abc import Iterator

from mnemonic import Mnemonic

from .kinds import CJK, Finding, Kind

MIN_WORDS = 12
PHRASE_LENGTHS = (12, 15, 18, 21, 24)
MAX_MIXED_RUN = 48  # two 24-word phrases
_ENGLISH_WORDS = Mnemonic("english").wordlist
# A word, or the 4-letter prefix that names it as well (each word is unique in its first four
# letters; metal backup plates stamp only those), to its index in the list.
_ENGLISH = {w[:4]: i for i, w in enumerate(_ENGLISH_WORDS)} | {
    w: i for i, w in enumerate(_ENGLISH_WORDS)
}
# List words that are English grammar: prose has several in any dozen words ("please check
# that address again, you can verify where this deposit will end"), a generated phrase one
# word in 34 (61 of 2,048); four of its twelve, once in 3,000 phrases.
_GRAMMAR = frozenset(
    _ENGLISH[word]
    for word in """
    about above across again all almost alone already also always among another any around
    away because before behind below between beyond can either enough have into just more
    much near neither never next now often once only other over please rather same since soon
    such that then there they this together toward under until upon very what when where will
    you
    """.split()
)
_CHINESE = tuple(
    frozenset(Mnemonic(lang).wordlist) for lang in ("chinese_simplified", "chinese_traditional")
)

# What may stand between two words of a run, one unit at a time: anything but a letter or a
# digit (spaces, line breaks and blank lines, punctuation, bullets, sentence ends), and list
# numbering ("2. ", "13)"). A longer number, or any other word, ends the run. The units start
# with different characters and the repetition is possessive: the regex never backtracks.
_GAP_UNIT = r"[\W_]|\d{1,2}(?!\d)"
_EN_WORD = re.compile(rf"([A-Za-z]+)((?:{_GAP_UNIT})*+)")
_LETTERS = re.compile(r"[A-Za-z]+")
_TWELVE_IN_A_ROW = bytes([True] * MIN_WORDS)
_DIGITS = re.compile(r"\d+")


def _zh_run(words: frozenset[str]) -> re.Pattern[str]:
    # A list character counts only standing alone: Chinese prose writes characters together.
    # The run's outer edges may touch prose ("助记词：" is often left out: "助记词的 一 ..."),
    # the last one not across a sentence end: in "... 十一 十二。谢谢" the phrase ends at 十二.
    # A character class makes the whole run one C-level regex, even on pathological input.
    char = f"[{''.join(sorted(words))}]"
    alone = rf"{char}(?![{CJK}])"
    gap = f"(?:{_GAP_UNIT})++"
    same_sentence = rf"(?:(?![.!?。！？])(?:{_GAP_UNIT}))++"
    last = rf"(?:{gap}{alone}|{same_sentence}{char})"
    return re.compile(rf"{alone}(?:{gap}{alone}){{{MIN_WORDS - 2},}}{last}")


_ZH_RUNS = tuple(_zh_run(words) for words in _CHINESE)


def _joint(gap: str) -> str:
    """A separator's style: its marks without the whitespace, numbers as "#" ("" for spaces and
    line breaks alone). ", " and ",\n" are one style, "\n3. " and " 4. " too; ", " and "; " two."""
    marks = "".join(gap.split())
    return _DIGITS.sub("#", marks) if marks else ""


def _english_runs(text: str) -> Iterator[Finding]:
    """Runs of list words (or their prefixes) that are a phrase, as _phrases() decides."""
    # Most texts have no 12 list words in a row: found at C speed, before reading each word.
    words = map(str.lower, _LETTERS.findall(text))
    if _TWELVE_IN_A_ROW not in bytes(map(_ENGLISH.__contains__, words)):
        return
    run: list[tuple[int, int, int, str | None]] = []  # (index, start, end, joint before)
    expect, gap = -1, ""
    for m in _EN_WORD.finditer(text):
        index = _ENGLISH.get(m[1].lower())
        if index is None or m.start() != expect:
            yield from _phrases(run)
            run = []
        if index is not None:
            run.append((index, m.start(), m.end(1), _joint(gap) if run else None))
            expect, gap = m.end(), m[2]
    yield from _phrases(run)


def _phrases(run: list[tuple[int, int, int, str | None]]) -> Iterator[Finding]:
    """The parts of a run of list words that are a phrase.

    English prose and code are full of list words ("you can check that address again"), so a
    run counts where it keeps one separator for 12+ words, as a pasted phrase does ("1. a 2. b",
    "a, b, c", "a b c", one word a line) and prose does not; or, whatever its separators,
    where 12, 15, 18, 21 or 24 consecutive words carry a valid BIP-39 checksum, as every
    generated phrase does and prose does by chance once in 16. (Electrum's seeds use the same
    list with a version hash instead of the checksum: only the first rule finds them.)

    The checksum is tried only in a run of at most MAX_MIXED_RUN words: a phrase is pasted
    among prose, a longer run with changing separators is a word list, and checking it would
    cost a hash per word and length. And not where more than one word in four is grammar
    (_GRAMMAR): that is a sentence whose words happen to pass the checksum.
    """
    n = len(run)
    if n < MIN_WORDS:
        return
    indices = [word[0] for word in run]
    grammar = [0]  # how many of run[:k] are grammar words
    for index in indices:
        grammar.append(grammar[-1] + (index in _GRAMMAR))

    def prose(start: int, end: int) -> bool:
        return (grammar[end] - grammar[start]) * 4 > end - start

    uncovered = [1] * n
    first = 0  # the first word of the current one-style stretch
    for i in range(2, n + 1):
        if i == n or run[i][3] != run[i - 1][3]:
            if i - first >= MIN_WORDS:
                yield Finding(Kind.MNEMONIC, run[first][1], run[i - 1][2])
                uncovered[first:i] = [0] * (i - first)
            first = i - 1  # the next stretch starts at the word where the style changed
    if n > MAX_MIXED_RUN or not any(uncovered):
        return
    # How many words of run[:k] no stretch covers: a window inside one needs no checksum.
    left = [0]
    for flag in uncovered:
        left.append(left[-1] + flag)
    for length in PHRASE_LENGTHS:
        value, mask = 0, (1 << 11 * length) - 1
        for end, index in enumerate(indices, 1):
            value = (value << 11 | index) & mask  # the last `length` words, 11 bits each
            start = end - length
            if start < 0 or left[end] == left[start] or prose(start, end):
                continue
            if _checksum_holds(value, length) and not _repeats(indices[start:end]):
                yield Finding(Kind.MNEMONIC, run[start][1], run[end - 1][2])


def _checksum_holds(value: int, length: int) -> bool:
    """BIP-39: the last length/3 bits of the words are the start of the SHA-256 of the rest."""
    check_bits = length // 3
    entropy = (value >> check_bits).to_bytes(length * 4 // 3, "big")
    return hashlib.sha256(entropy).digest()[0] >> (8 - check_bits) == value & (
        (1 << check_bits) - 1
    )


def _repeats(window: list[int]) -> bool:
    """A word three times ("print into print ..."): prose and code repeat, a generated phrase
    almost never (about one 24-word phrase in 2,000)."""
    return len(set(window)) < len(window) - 1 and max(map(window.count, window)) > 2


def _is_generated(indices: list[int]) -> bool:
    """Whether one phrase-long list of word indices passes _phrases()'s checksum rule."""
    value = 0
    for index in indices:
        value = value << 11 | index
    return _checksum_holds(value, len(indices)) and not _repeats(indices)


def find(text: str) -> Iterator[Finding]:
    """Every run of list words in `text` (normalised) that is a seed phrase."""
    yield from _english_runs(text)
    for pattern in _ZH_RUNS:
        for m in pattern.finditer(text):
            yield Finding(Kind.MNEMONIC, m.start(), m.end())
