"""Private keys (PRIVATE_KEY): WIF and extended private keys by their checksum, and raw key
material (hex, Solana's base58) that the text calls a key. See the package's docstring."""

import hashlib
import re
from collections.abc import Iterator

from .kinds import Finding, Kind

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


def find(text: str) -> Iterator[Finding]:
    """Every private key in `text` (normalised)."""
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
