"""Sensitive-data guard (SPEC §7): find seed phrases, private keys and passwords in free text.

Pure functions, no Django: the API refuses a request when `first_secret_among()` names a
field (services.refuse_secrets()), the email intake stores `redact()`'s text. Each rule
catches the way people actually paste a secret and leans towards letting support prose
through: a false refusal blocks a customer who is already in trouble.

One detector module per kind (phrases.py, keys.py, passwords.py), each reading the text as
textnorm.normalize() gives it: NFKC (full-width letters and digits are plain ones),
zero-width and other format characters gone, look-alike letters (Cyrillic "а", Greek "ο")
folded to ASCII. What this module returns is always in the original text's offsets, so
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
import re
from collections.abc import Iterable, Iterator

from .. import textnorm
from . import keys, passwords, phrases
from .kinds import Finding, Kind

__all__ = [
    "Finding",
    "Kind",
    "find_secrets",
    "first_secret",
    "first_secret_among",
    "first_secret_in_stream",
    "redact",
]

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
    for detector in (keys.find, passwords.find, phrases.find):
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
