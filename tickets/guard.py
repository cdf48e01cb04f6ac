"""Sensitive-data guard (SPEC §7): find seed phrases, private keys and passwords in free text.

Pure functions, no Django: the API refuses a field when `first_secret()` names a kind, the
email intake stores `redact()`'s text. Each rule catches the way people actually paste a
secret and leans towards letting support prose through: a false refusal blocks a customer
who is already in trouble.

* MNEMONIC: 12+ consecutive words of one BIP-39 list of the `mnemonic` package. English, any
  case. Chinese: a character standing alone between spaces or punctuation (prose writes
  them together); only the run's outer two may touch prose, as in "助记词是的 一 ...", so a
  label's last character ("是") may be redacted with it. Spaces, one line break, punctuation
  and list numbering ("1. ", "2)", "3:") may stand between words; a sentence end (". ", "!",
  "。"), a blank line, a longer number or any other word ends the run. An English run also
  keeps one separator style (spaces, punctuation or numbering) as a pasted phrase does and
  prose does not: "please check that address again, you can verify where this deposit will
  end" is 13 list words in two runs.
* PRIVATE_KEY: a WIF key (51/52 base58 chars; 5/K/L, testnet 9/c) or a BIP-32 extended
  private key (xprv, tprv, zprv...) whose checksum, version and length hold, so addresses,
  xpubs and random ids pass. Or raw key material (64 or 128 hex chars, optionally 0x; 86-88
  base58 chars as Solana exports keys) that the text calls a key: within its line and
  sentence, the nearest cue in the 48 characters before it is a key word (private key,
  privkey, secret, seed, wif, "key:", "key is", 私钥, 密钥, 秘钥), not a transaction word
  (txid, tx, hash, transaction, block, address, signature, public key, 交易, 哈希, 地址); or
  "is my private key" / "(私钥)" follows it. A bare 64-hex string is a transaction hash.
* PASSWORD: the token after a label (password, passwd, pwd, passcode, passphrase, also in
  "login_password") and ":" or "=", after "password is/was", or after 密码/密碼 and "：",
  "是", "为". It must look like a value: not empty, not a mask ("******", "xxx"), not a word
  about passwords (`_NOT_A_VALUE`: "reset", "forgotten", "incorrect", "(not shown)"...) or
  shaped like a description ("changed", "working", "can't", "6-digit"). Digits, symbols or
  mixed case make it a value; a plain word must stand alone (quoted, or followed by
  punctuation, a line end or another "label:"): "my password is sunshine." is refused,
  "password: account locked" is not. After 密码 a non-Chinese token is a value as it stands
  ("密码是abc123"), Chinese text never is ("密码是错的").
"""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from mnemonic import Mnemonic


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
_ENGLISH = frozenset(Mnemonic("english").wordlist)
_CHINESE = tuple(
    frozenset(Mnemonic(lang).wordlist) for lang in ("chinese_simplified", "chinese_traditional")
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# What may stand between two words of a run, one unit at a time: spaces, a single line break,
# punctuation, a "." with no space after it ("a.b"), list numbering ("2. ", "13)"). Not a
# sentence end (". ", "!", "。"), a blank line, a longer number or any other character. The
# units start with different characters, so the regex never backtracks between them.
_GAP_UNIT = (
    r"[^\S\n]|\n(?![^\S\n]*\n)|[,;:\-–—/\\|'\"`“”‘’()（）\[\]【】{}<>《》«»*•·_#+=~、，；：]"
    r"|\.(?!\s|$)|\d{1,2}(?!\d)(?:\.(?=\s))?"
)
_EN_WORD = re.compile(rf"([A-Za-z]+)((?:{_GAP_UNIT})*)")
_HAS_DIGIT = re.compile(r"\d")


def _zh_run(words: frozenset[str]) -> re.Pattern[str]:
    # A list character counts only standing alone: Chinese prose writes characters together.
    # The run's outer edges may touch prose ("助记词：" is often left out: "助记词的 一 ...").
    # A character class makes the whole run one C-level regex, even on pathological input.
    char = f"[{''.join(sorted(words))}]"
    alone = rf"{char}(?![{_CJK}])"
    gap = f"(?:{_GAP_UNIT})+"
    return re.compile(rf"{alone}(?:{gap}{alone}){{{MIN_WORDS - 2},}}{gap}{char}")


_ZH_RUNS = tuple(_zh_run(words) for words in _CHINESE)


def _english_runs(text: str) -> Iterator[Finding]:
    # English prose is full of list words ("you can check that address again"), so a run must
    # also keep one separator style: a pasted phrase does ("1. a 2. b", "a, b, c", "a b c"),
    # prose mixes them ("...address again, you can verify..." is two runs).
    # Styles: 0 whitespace, 1 punctuation, 2 numbering.
    count = start = prev_start = end = expect = style = 0
    gap = ""
    for m in _EN_WORD.finditer(text):
        if m[1].lower() not in _ENGLISH:
            if count >= MIN_WORDS:
                yield Finding(Kind.MNEMONIC, start, end)
            count = 0
            continue
        here = m.start()
        if count and here == expect:
            joint = 0 if gap.isspace() else 2 if _HAS_DIGIT.search(gap) else 1
            if count == 1 or joint == style:
                count += 1
            else:  # the style changed: a new run may start at the previous word
                if count >= MIN_WORDS:
                    yield Finding(Kind.MNEMONIC, start, end)
                count, start = 2, prev_start
            style = joint
        else:
            if count >= MIN_WORDS:
                yield Finding(Kind.MNEMONIC, start, end)
            count, start = 1, here
        prev_start, end, expect, gap = here, m.end(1), m.end(), m[2]
    if count >= MIN_WORDS:
        yield Finding(Kind.MNEMONIC, start, end)


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
# Letters, not \b, bound the label, so "login_password" and "fund_pwd" are labels too.
_LABEL = (
    r"(?<![A-Za-z])(?:pass(?:word|wd|code|phrase)s?|pass[\s_-](?:word|code|phrase)|pwd)(?![A-Za-z])"
)
_PASSWORD = re.compile(
    # "password: x", "password = x", '"password": "x"', "password is: x" (may wrap a line)
    rf"(?:{_LABEL}[\"']?(?:[^\S\n]+(?:is|was))?[^\S\n]*[:=：]\s*"
    # "my password is x"
    rf"|{_LABEL}[^\S\n]+(?:is|was)[^\S\n]+"
    # 密码：x / 密码是 x / 密碼為：x: only a non-Chinese token can follow
    rf"|(?P<zh>(?:密码|密碼)[^\S\n]*(?:[:：=]|(?:是|为|為)[^\S\n]*[:：]?)[^\S\n]*)){_VALUE}",
    re.IGNORECASE,
)
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


def _passwords(text: str) -> Iterator[Finding]:
    for m in _PASSWORD.finditer(text):
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
        if _looks_real(value, alone):
            yield Finding(Kind.PASSWORD, start, start + len(value))


# --- public API ---------------------------------------------------------------------------

# Overlapping findings merge into one; the merged span takes the strongest kind.
_PRECEDENCE = {Kind.PRIVATE_KEY: 0, Kind.MNEMONIC: 1, Kind.PASSWORD: 2}


def find_secrets(text: str) -> list[Finding]:
    """All secrets in `text`, sorted by start and non-overlapping."""
    found = sorted(
        [*_private_keys(text), *_passwords(text), *_mnemonic_runs(text)],
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

    For the API refusal, which needs one kind per field and no offsets; it stops at the
    first hit, so with several secrets it may name a different one than find_secrets()[0].
    """
    for detector in (_private_keys, _passwords, _mnemonic_runs):
        for finding in detector(text):
            return finding.kind
    return None


def redact(text: str, placeholder: str = "[redacted {kind}]") -> tuple[str, list[Kind]]:
    """`text` with each secret replaced by `placeholder`, and the kinds removed (each once)."""
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
