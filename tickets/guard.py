"""Sensitive-data guard (SPEC §7): find seed phrases, private keys and passwords in free text.

Pure functions, no Django: the API refuses a request when `first_secret_among()` names a
field (services.refuse_secrets()), the email intake stores `redact()`'s text. Each rule
catches the way people actually paste a secret and leans towards letting support prose
through: a false refusal blocks a customer who is already in trouble.

Every detector reads the text as textnorm.normalize() gives it: NFKC (full-width letters and
digits are plain ones), zero-width and other format characters gone, look-alike letters
(Cyrillic "а", Greek "ο") folded to ASCII. Offsets are always the original text's, so
`redact()` removes the characters the user sent, the invisible ones among them.

* MNEMONIC: 12+ consecutive words of one BIP-39 list of the `mnemonic` package. English, any
  case, each word or its first four letters (all a metal backup plate stamps). Chinese: a
  character standing alone between spaces or punctuation (prose writes them together); only
  the run's outer two may touch prose, as in "助记词是的 一 ...", so a label's last character
  ("是") may be redacted with it. Anything but a letter or a digit may stand between words
  (spaces, line breaks, blank lines, punctuation, bullets, sentence ends), and so may list
  numbering ("1. ", "2)", "13:"); a longer number or any other word ends the run. An English
  run counts where it keeps one separator for 12 words, as a pasted phrase does and prose does
  not; with changing separators, where 12 to 24 of its words carry a valid BIP-39 checksum
  (see _phrases(): "please check that address again, you can verify where this deposit will
  end" is 15 list words and no phrase).
* PRIVATE_KEY: a WIF key (51/52 base58 chars; 5/K/L, testnet 9/c) or a BIP-32 extended
  private key (xprv, tprv, zprv...) whose checksum, version and length hold, so addresses,
  xpubs and random ids pass. Or raw key material (64 or 128 hex chars, optionally 0x; 86-88
  base58 chars as Solana exports keys) that the text calls a key: within its line and
  sentence, the nearest cue in the 48 characters before it is a key word (private key,
  privkey, secret, seed, wif, "key:", "key is", 私钥, 密钥, 秘钥), not a transaction word
  (txid, tx, hash, transaction, block, address, signature, public key, 交易, 哈希, 地址); or
  "is my private key" / "(私钥)" follows it. A bare 64-hex string is a transaction hash.
* PASSWORD: the token after a label (password, passwd, pwd, passcode, passphrase, also in
  "login_password") and ":" or "=", after "password is/was", after "pw:" or "pass=", or
  after 密码/密碼 and "：", "是", "为". It must look like a value: not empty, not a mask
  ("******", "xxx"), not a word about passwords (`_NOT_A_VALUE`: "reset", "forgotten",
  "incorrect", "(not shown)"...) or shaped like a description ("changed", "working", "can't",
  "6-digit"). Digits, symbols or mixed case make it a value; a plain word must stand alone
  (quoted, or followed by punctuation, a line end or another "label:"): "my password is
  sunshine." is refused, "password: account locked" is not. After "label:", 4 to 8 plain
  words ending the line are a passphrase ("password: correct horse battery staple") unless
  they read as a sentence ("password: reset link never arrived"). After 密码 a non-Chinese
  token is a value as it stands ("密码是abc123"), Chinese text never is ("密码是错的"). A PIN
  is 4 to 12 digits after "PIN is", "PIN:", "PIN code =", "PIN码：" ("PIN code not received"
  passes).
"""

import bisect
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from mnemonic import Mnemonic

from . import textnorm


class Kind(StrEnum):
    MNEMONIC = "mnemonic"
    PRIVATE_KEY = "private_key"
    PASSWORD = "password"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int  # character offsets into the original text
    end: int


# --- mnemonic word runs -------------------------------------------------------------------

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

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
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
    alone = rf"{char}(?![{_CJK}])"
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


def _mnemonic_runs(text: str) -> Iterator[Finding]:
    yield from _english_runs(text)
    for pattern in _ZH_RUNS:
        for m in pattern.finditer(text):
            yield Finding(Kind.MNEMONIC, m.start(), m.end())


# --- private keys -------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
# Maximal alphanumeric runs long enough to be a key: never carved out of a longer identifier.
_CANDIDATE = re.compile(r"[0-9A-Za-z]{51,}")
# Raw key material that only the surrounding words tell from a hash or a signature: 32 or 64
# bytes as hex (a key, a BIP-39 seed), or 64 bytes as base58 (how Solana wallets export keys).
_RAW_KEY = re.compile(r"(?:0[xX])?(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{128})|[1-9A-HJ-NP-Za-km-z]{86,88}")
# Searched in the window before raw key material; the last (nearest) cue decides.
_HEX_CUE = re.compile(
    r"(?P<tx>\b(?:public[\s_-]*key|pub[\s_-]*key|txid|txn|tx|hash|transaction|block|"
    r"address|signature|sig|explorer|etherscan|bscscan|tronscan|solscan)(?:e?s)?\b"
    r"|交易|哈希|公钥|公鑰|地址|区块|區塊|签名|簽名)"
    # redact()'s own placeholder is not a cue, so redacting twice changes nothing.
    r"|(?P<key>(?<!\[redacted )\b(?:private[\s_-]*key|priv[\s_-]*key|privkey|secret|seed|wif)s?\b"
    r"|\bkey\s*(?:is\b|[:=：])"
    r"|私钥|私鑰|密钥|密鑰|秘钥|秘鑰)",
    re.IGNORECASE,
)
_HEX_CUE_AFTER = re.compile(
    r"\s*[(\[（-]?\s*(?:is|was|=|-|—|是|为|為)?\s*(?:my|the|our|a|我的)?\s*"
    r"(?:private[\s_-]*key|priv[\s_-]*key|privkey|secret[\s_-]*key|私钥|私鑰|密钥|密鑰|秘钥|秘鑰)",
    re.IGNORECASE,
)
_HEX_WINDOW = 48
_SENTENCE_END = re.compile(r".*(?:[.!?](?:\s|$)|[。！？\n])", re.DOTALL)


def _b58check(s: str) -> bytes | None:
    """The payload of a base58check string, or None when its checksum does not hold."""
    n = 0
    for c in s:
        n = n * 58 + _B58_INDEX[c]
    raw = b"\0" * (len(s) - len(s.lstrip("1"))) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    payload, check = raw[:-4], raw[-4:]
    if len(raw) < 5 or hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


def _private_keys(text: str) -> Iterator[Finding]:
    for m in _CANDIDATE.finditer(text):
        token, start, end = m.group(), m.start(), m.end()
        if len(token) in (51, 52, 111) and _B58_INDEX.keys() >= set(token):
            payload = _b58check(token)
            if payload is None:
                continue
            wif = payload[0] in (0x80, 0xEF) and (
                len(payload) == 33 or (len(payload) == 34 and payload[33] == 0x01)
            )
            # BIP-32: 78 bytes, and a private key's data starts with 0x00 (a public one 02/03).
            xprv = token[1:4] == "prv" and len(payload) == 78 and payload[45] == 0
            if wif or xprv:
                yield Finding(Kind.PRIVATE_KEY, start, end)
        elif _RAW_KEY.fullmatch(token) and _called_a_key(text, start, end):
            yield Finding(Kind.PRIVATE_KEY, start, end)


def _called_a_key(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - _HEX_WINDOW) : start]
    # Only the current line and sentence speak about this hex string.
    if cut := _SENTENCE_END.match(window):
        window = window[cut.end() :]
    cues = [cue.lastgroup for cue in _HEX_CUE.finditer(window)]
    if cues and cues[-1] == "key":
        return True
    return _HEX_CUE_AFTER.match(text, end, end + 40) is not None


# --- passwords ----------------------------------------------------------------------------

# A value stops at whitespace, at Chinese text and at full-width punctuation ("密码：abc，谢谢").
_VALUE = rf"(?=(?P<value>[^\s{_CJK}\u3000-\u303f\uff00-\uffef]+))"
# Letters, not \b, bound the label, so "login_password" and "fund_pwd" are labels too. The
# short ones ("pw", "pass") count only with ":" or "=" ("pass: x", not "my pass is valid").
_LABEL = (
    r"(?<![A-Za-z])(?:pass(?:word|wd|code|phrase)s?|pass[\s_-](?:word|code|phrase)|pwd)(?![A-Za-z])"
)
_SHORT_LABEL = r"(?<![A-Za-z])(?:pw|pass)(?![A-Za-z])"
_PASSWORD = re.compile(
    # "password: x", "password = x", '"password": "x"', "password is: x" (may wrap a line)
    rf"(?:(?P<colon>{_LABEL}[\"']?(?:[^\S\n]+(?:is|was))?[^\S\n]*[:=：]\s*"
    # "pw: x", "pass=x": right after the label, on the same line ("pass = x" is code)
    rf"|{_SHORT_LABEL}[\"']?[:=：][^\S\n]*)"
    # "my password is x"
    rf"|{_LABEL}[^\S\n]+(?:is|was)[^\S\n]+"
    # 密码：x / 密码是 x / 密碼為：x: only a non-Chinese token can follow
    rf"|(?P<zh>(?:密码|密碼)[^\S\n]*(?:[:：=]|(?:是|为|為)[^\S\n]*[:：]?)[^\S\n]*)){_VALUE}",
    re.IGNORECASE,
)
# "PIN is 4821", "PIN: 4821", "pin code = 482193", "PIN码：4821": a PIN is digits, 4 to 12.
_PIN = re.compile(
    r"(?<![A-Za-z])pin(?:[\s_-]?(?:code|number|no\.?)|[^\S\n]*[码碼])?"
    r"(?:[^\S\n]+(?:is|was)[^\S\n]*[:=]?|[^\S\n]*(?:[:=#：]|是|为|為)[^\S\n]*[:：]?)"
    r"[^\S\n]*(?P<value>\d{4,12})(?!\d)",
    re.IGNORECASE,
)
# A passphrase after "label:" ("password: correct horse battery staple"): 4 to 8 words (2 to
# 8 when quoted) that end the line or the sentence.
_PASSPHRASE = re.compile(
    r"[\"'“‘](?P<quoted>[A-Za-z]+(?:[^\S\n]+[A-Za-z]+){1,7})[\"'”’]"
    r"|(?P<words>[A-Za-z]+(?:[^\S\n]+[A-Za-z]+){1,7})[^\S\n]*(?=[.,;!?)]|\n|$)"
)
# Besides _NOT_A_VALUE, the words of a sentence about a password rather than of a passphrase.
_PROSE_WORDS = frozenset(
    """
    about after again ago am are before being both did do does doing each even few had have
    having he her him his how into me more most much nor of off once only other out over own
    she should since some such than their them then these they those through to today
    tomorrow under until up us was we where while who whom would yesterday hour hours day days
    week weeks month months time times minute minutes morning night evening several tried
    """.split()
)
_PASSPHRASE_MIN_WORDS = 4

# Words that say something about the password instead of being it.
_NOT_A_VALUE = frozenset(
    """
    a above account all already also an and any as at attached authenticator authy bad be been
    below bitwarden blank but by can cannot case change chars characters code complex
    complicated confidential correct could dashlane definitely different difficult digits does
    done easy email empty error every fails false fine for forget forgot forgotten from gone
    good google has hard help here hidden i icloud idk if in incorrect insecure invalid is
    issue it its just keepass keychain known lastpass length letters link locked login long
    lost manager metamask mine minimum missing my n/a na never new no none not now null ok okay
    old on or our please policy private problem question random recovery redacted request
    required reset right rules safe same secret secure see sensitive sent set short shown
    simple sms so still strength strong symbols that the there this too true unique unknown
    unsafe valid very was weak weird were what when which why will with withheld wrong yes you
    your password passwords passcode passphrase pwd 1password tbd
    """.split()
)
_QUOTES = "\"'“‘([{<（【"
_STRIP_TRAIL = "\"'”’)]}>）】.,;:"
# Shapes of words, not values: "can't", "e-mail", "2FA", "6-digit", "8chars". Two or more
# hyphens make a passphrase ("correct-horse-battery").
_WORDISH = re.compile(
    r"[a-z]+(?:['’-][a-z]+)?|\d{1,2}-?(?:fa|digits?|char(?:acter)?s?|letters?|symbols?|steps?)",
    re.IGNORECASE,
)
_DESCRIPTIVE = ("ed", "ing", "ly", "able", "ible")  # "changed", "working", "unusable"
# A plain word is a value only when nothing but punctuation or another "label:" follows it.
_NEXT_WORD = re.compile(r"[^\S\n]+[A-Za-z][\w'’-]*(?!:)\b(?![:'’-])")


def _looks_real(value: str, alone: bool) -> bool:
    """Whether a token after a password cue is a password rather than words about one."""
    if not value or len(value) > 128 or len(set(value.lower())) == 1:
        return False  # nothing, or a mask like "******" / "xxxx"
    if value.isdigit():
        return len(value) >= 4  # "8 characters" is a rule, "20240131" a PIN-like password
    if not _WORDISH.fullmatch(value):
        return len(value) >= 4  # digits or symbols among letters: "Hunter2!", "p@ss", "abc123"
    word = value.lower()
    if word in _NOT_A_VALUE or not word.isalpha() or word.endswith(_DESCRIPTIVE):
        return False
    if any(c.isupper() for c in value[1:]) and any(c.islower() for c in value):
        return True  # "sunShine"
    return len(value) >= 3 and alone


# Where a label may start: the regexes above open with a look-behind, which makes the regex
# engine try them at every character; this one it finds by its first letter.
_LABEL_START = re.compile(r"p(?:ass|w|in)|密[码碼]", re.IGNORECASE)


def _passwords(text: str) -> Iterator[Finding]:
    for hit in _LABEL_START.finditer(text):
        if hit[0].lower() == "pin":
            pin = _PIN.match(text, hit.start())
            if pin is not None and len(set(pin["value"])) > 1:  # "0000" is a placeholder
                yield Finding(Kind.PASSWORD, pin.start("value"), pin.end("value"))
            continue
        m = _PASSWORD.match(text, hit.start())
        if m is None:
            continue
        raw = m.group("value")
        quoted = raw[0] in _QUOTES
        start = m.start("value") + len(raw) - len(raw.lstrip(_QUOTES))
        value = raw.lstrip(_QUOTES).rstrip(_STRIP_TRAIL)
        # After 密码 a Latin token is the value; in English it must stand alone.
        alone = (
            quoted
            or m.group("zh") is not None
            or raw[-1] in ".,;!?)"
            or not _NEXT_WORD.match(text, m.end("value"))
        )
        if m.group("colon") and (phrase := _passphrase(text, m.start("value"))):
            yield Finding(Kind.PASSWORD, *phrase)
        elif _looks_real(value, alone):
            yield Finding(Kind.PASSWORD, start, start + len(value))


def _passphrase(text: str, at: int) -> tuple[int, int] | None:
    """The span of a passphrase starting at `at`, if the words there are one: at most one of
    them is a word about passwords, a function word or shaped like a description ("changed",
    "working"), where a sentence about the password has several ("reset link expired")."""
    m = _PASSPHRASE.match(text, at)
    if m is None:
        return None
    group = "quoted" if m.group("quoted") else "words"
    words = m.group(group).lower().split()
    if len(words) < (2 if group == "quoted" else _PASSPHRASE_MIN_WORDS):
        return None
    prose = sum(
        word in _NOT_A_VALUE or word in _PROSE_WORDS or word.endswith(_DESCRIPTIVE)
        for word in words
    )
    return (m.start(group), m.end(group)) if prose <= 1 else None


# --- public API ---------------------------------------------------------------------------

# Overlapping findings merge into one; the merged span takes the strongest kind.
_PRECEDENCE = {Kind.PRIVATE_KEY: 0, Kind.MNEMONIC: 1, Kind.PASSWORD: 2}
# How first_secret_among() joins the texts it reads as one.
SEPARATOR = "\n\n"
# first_secret_in_stream() reads windows of WINDOW characters, each starting OVERLAP
# characters before the previous one ended: more than the longest secret (24 numbered words).
WINDOW = 65_536
OVERLAP = 4_096
_SPACE = re.compile(r"\s")


def _detect(text: str) -> Iterator[Finding]:
    """Every finding in normalised text, cheapest detectors first."""
    for detector in (_private_keys, _passwords, _mnemonic_runs):
        yield from detector(text)


def find_secrets(text: str) -> list[Finding]:
    """All secrets in `text`, sorted by start and non-overlapping, as spans of `text` itself."""
    norm = textnorm.normalize(text)
    found = sorted(
        (Finding(f.kind, *norm.span(f.start, f.end)) for f in _detect(norm.text)),
        key=lambda f: (f.start, -f.end),
    )
    merged: list[Finding] = []
    for f in found:
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, f.kind, key=_PRECEDENCE.__getitem__)
            merged[-1] = Finding(kind, last.start, max(last.end, f.end))
        else:
            merged.append(f)
    return merged


def first_secret(text: str) -> Kind | None:
    """The kind of some secret in `text` (cheapest detectors first), or None.

    It stops at the first hit, so with several secrets it may name a different one than
    find_secrets()[0].
    """
    for finding in _detect(textnorm.normalize(text).text):
        return finding.kind
    return None


def first_secret_among(
    texts: Iterable[tuple[str, str]], *, before: str = ""
) -> tuple[str, Kind] | None:
    """Some secret in `texts` ((name, text) pairs: the fields of one request) read as one text,
    so that a phrase split across them is one phrase: the name of the text where it ends, and
    its kind; or None. `before` is read first, as what the same person wrote just before (their
    previous message): it may hold the start of a phrase, but a secret that ends in it is not
    reported (it was stored before this request)."""
    names: list[str | None] = [None]
    parts = [before]
    for name, text in texts:
        names.append(name)
        parts.append(text)
    ends, pos = [], 0
    for part in parts:
        pos += len(part)
        ends.append(pos)
        pos += len(SEPARATOR)
    norm = textnorm.normalize(SEPARATOR.join(parts))
    for finding in _detect(norm.text):
        _start, end = norm.span(finding.start, finding.end)
        name = names[bisect.bisect_left(ends, end)]
        if name is not None:
            return name, finding.kind
    return None


def first_secret_in_stream(chunks: Iterable[str]) -> Kind | None:
    """The kind of some secret in a long text read in pieces (a text attachment), or None.

    Read in overlapping windows, each cut at a space, so a secret across a window's end is
    whole in the next window and memory stays bounded whatever the file's size."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= WINDOW:
            if (kind := first_secret(buffer[:WINDOW])) is not None:
                return kind
            space = _SPACE.search(buffer, WINDOW - OVERLAP, WINDOW)
            buffer = buffer[space.start() if space else WINDOW - OVERLAP :]
    return first_secret(buffer)


def redact(text: str, placeholder: str = "[redacted {kind}]") -> tuple[str, list[Kind]]:
    """`text` with each secret replaced by `placeholder`, and the kinds removed (each once).

    Secrets are found in the normalised text; what is replaced is the span of `text` they came
    from, zero-width and look-alike characters included."""
    parts: list[str] = []
    kinds: list[Kind] = []
    pos = 0
    for f in find_secrets(text):
        parts += [text[pos : f.start], placeholder.format(kind=f.kind.value)]
        pos = f.end
        if f.kind not in kinds:
            kinds.append(f.kind)
    parts.append(text[pos:])
    return "".join(parts), kinds
