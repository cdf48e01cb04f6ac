"""The sensitive-data guard (SPEC §7): what support prose passes, what secrets are refused.

Pure functions, no database: the corpora live in guard_corpus/ (JSON, one text per entry);
secret values are made here, from fixed entropy, so every mnemonic, WIF and xprv is real.
"""

import hashlib
import json
import random
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from tickets import guard
from tickets.guard import (
    Finding,
    Kind,
    find_secrets,
    first_secret,
    first_secret_among,
    first_secret_in_stream,
    phrases,
    redact,
)

CORPUS = Path(__file__).parent / "guard_corpus"
BENIGN: list[str] = json.loads((CORPUS / "benign.json").read_text("utf-8"))
SECRETS: list[dict[str, str]] = json.loads((CORPUS / "secrets.json").read_text("utf-8"))

WORDLISTS = {
    lang: Mnemonic(lang).wordlist
    for lang in ("english", "chinese_simplified", "chinese_traditional")
}
CJK = re.compile(r"[\u3400-\u9fff]")

# No example database on disk, and no deadline: CI machines are slow and shared.
props = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


# --- base58check, written independently of the guard's decoder ----------------------------

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(raw: bytes) -> str:
    n, out = int.from_bytes(raw, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def b58check(payload: bytes) -> str:
    return b58encode(payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4])


def wif(secret: bytes, *, compressed: bool, testnet: bool = False) -> str:
    version = b"\xef" if testnet else b"\x80"
    return b58check(version + secret + (b"\x01" if compressed else b""))


def xprv(chain: bytes, secret: bytes) -> str:
    # BIP-32 mainnet private: version, depth, parent fingerprint, child number, chain, 00+key.
    return b58check(bytes.fromhex("0488ade4") + bytes(9) + chain + b"\0" + secret)


# --- the values the secrets corpus refers to as <<name>> ----------------------------------


def _values() -> dict[str, str]:
    rng = random.Random(20240601)

    def words(lang: str, count: int) -> list[str]:
        entropy = rng.randbytes(count * 4 // 3)
        return Mnemonic(lang).to_mnemonic(entropy).split()

    def numbered(ws: list[str], fmt: str, joiner: str = " ") -> str:
        return joiner.join(fmt.format(i=i, w=w) for i, w in enumerate(ws, 1))

    def mixed_case(ws: list[str]) -> str:
        return " ".join(
            w.upper() if i % 3 == 0 else w.title() if i % 3 == 1 else w for i, w in enumerate(ws)
        )

    def grid(ws: list[str]) -> str:
        rows = [ws[i : i + 3] for i in range(0, len(ws), 3)]
        return "\n".join(
            "    ".join(f"{3 * r + c + 1}. {w}" for c, w in enumerate(row))
            for r, row in enumerate(rows)
        )

    v: dict[str, str] = {}
    for n in (12, 15, 18, 21, 24):
        v[f"en{n}"] = " ".join(words("english", n))
    en12 = words("english", 12)
    v |= {
        "en12_numbered": numbered(en12, "{i}. {w}"),
        "en12_numbered_lines": numbered(en12, "{i}. {w}", "\n"),
        "en12_paren": numbered(en12, "{i}){w}"),
        "en12_comma": ", ".join(en12),
        "en12_semicolon": "; ".join(en12),
        "en12_caps": " ".join(en12).upper(),
        "en12_title": " ".join(w.title() for w in en12),
        "en12_dash": " - ".join(en12),
        "en12_quoted": " ".join(f'"{w}"' for w in en12),
        "en24_lines": "\n".join(words("english", 24)),
        "en24_mixed_case": mixed_case(words("english", 24)),
        "en24_grid": grid(words("english", 24)),
    }
    zhs12 = words("chinese_simplified", 12)
    v |= {
        "zhs12": " ".join(zhs12),
        "zhs24": " ".join(words("chinese_simplified", 24)),
        "zhs12_comma": "、".join(words("chinese_simplified", 12)),
        "zhs12_numbered": numbered(words("chinese_simplified", 12), "{i}.{w}"),
        "zhs12_ideographic_space": "\u3000".join(words("chinese_simplified", 12)),
        "zht12": " ".join(words("chinese_traditional", 12)),
        "zht18_lines": "\n".join(words("chinese_traditional", 18)),
        "zht24": " ".join(words("chinese_traditional", 24)),
    }
    v |= {
        "wif_u": wif(rng.randbytes(32), compressed=False),
        "wif_c": wif(rng.randbytes(32), compressed=True),
        "wif_tu": wif(rng.randbytes(32), compressed=False, testnet=True),
        "wif_tc": wif(rng.randbytes(32), compressed=True, testnet=True),
        "xprv": xprv(rng.randbytes(32), rng.randbytes(32)),
        "hex": rng.randbytes(32).hex(),
        "HEX": rng.randbytes(32).hex().upper(),
        "hex128": rng.randbytes(64).hex(),
        "sol_key": b58encode(b"\xff" + rng.randbytes(63)),  # 64 bytes: 87-88 characters
    }
    # Evasions (issue #13): each is a fresh phrase, written as people get around a filter.
    v |= {
        "en12_prefix4": " ".join(w[:4] for w in words("english", 12)),
        "en24_plate": grid([w[:4].upper() for w in words("english", 24)]),
        "en12_blank_lines": "\n\n".join(words("english", 12)),
        "en12_sentences": ". ".join(w.capitalize() for w in words("english", 12)) + ".",
        "en12_mixed": mixed_separators(words("english", 12)),
        "en24_mixed": mixed_separators(words("english", 24)),
        "en12_bullets": "\n".join(f"• {w}" for w in words("english", 12)),
        "en12_zero_width": " ".join(w[:2] + "\u200b" + w[2:] for w in words("english", 12)),
        "en12_soft_hyphen": " ".join(w[:3] + "\u00ad" + w[3:] for w in words("english", 12)),
        "en12_joiners": "\u200d \u2060".join(words("english", 12)),
        "en12_fullwidth": fullwidth(" ".join(words("english", 12))),
        "en12_cyrillic": cyrillic(" ".join(words("english", 12))),
        "en12_math": math_bold(" ".join(words("english", 12))),
        "en12_everything": mixed_separators(
            [cyrillic(w[:4]) + "\u200b" for w in words("english", 12)]
        ),
    }
    v["wif_fullwidth"] = fullwidth(wif(rng.randbytes(32), compressed=True))
    return v


# The separators a phrase typed by hand may mix: spaces, punctuation, sentence ends, blank
# lines, bullets.
MIXED = [", ", " ", "; ", "\n", " - ", ". ", "\n\n", " | ", "/", "\n• ", ",\n", "  "]


def mixed_separators(ws: list[str]) -> str:
    return ws[0] + "".join(MIXED[i % len(MIXED)] + w for i, w in enumerate(ws[1:]))


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in text)


def cyrillic(text: str) -> str:
    return text.translate(str.maketrans("aeopcxyiABEKMHOPCTX", "аеорсхуіАВЕКМНОРСТХ"))


def math_bold(text: str) -> str:
    return "".join(chr(0x1D41A + ord(c) - 97) if "a" <= c <= "z" else c for c in text)


VALUES = _values()
PLACEHOLDER = re.compile(r"<<(\w+)>>")


def render(entry: dict[str, str]) -> tuple[str, list[str]]:
    """The entry's text with its placeholders filled, and the secrets that must vanish."""
    text = PLACEHOLDER.sub(lambda m: VALUES[m[1]], entry["text"])
    secrets = [VALUES[name] for name in PLACEHOLDER.findall(entry["text"])]
    return text, secrets + ([entry["secret"]] if "secret" in entry else [])


def uncovered(text: str, findings: list[Finding], secret: str) -> list[str]:
    """Tokens of `secret` (as it stands in `text`) that no finding covers; list numbers aside."""
    base = text.index(secret)
    return [
        m[0]
        for m in re.finditer(r"[A-Za-z0-9@#$%&!*_-]+|[\u3400-\u9fff]", secret)
        if not re.fullmatch(r"\d{1,2}", m[0])
        and not any(f.start <= base + m.start() and base + m.end() <= f.end for f in findings)
    ]


# --- corpora ------------------------------------------------------------------------------


def test_corpora_are_big_enough():
    chinese = [t for t in BENIGN if CJK.search(t)]
    assert len(BENIGN) >= 200
    assert len(chinese) >= 80
    assert len(SECRETS) >= 50
    assert {e["kind"] for e in SECRETS} == {k.value for k in Kind}


@pytest.mark.parametrize("text", BENIGN, ids=[f"benign-{i}" for i in range(len(BENIGN))])
def test_support_prose_passes(text):
    assert find_secrets(text) == []
    assert first_secret(text) is None
    assert redact(text) == (text, [])


@pytest.mark.parametrize("entry", SECRETS, ids=[f"secret-{i}" for i in range(len(SECRETS))])
def test_secret_is_refused_and_redacted(entry):
    text, secrets = render(entry)
    kind = Kind(entry["kind"])

    findings = find_secrets(text)

    assert first_secret(text) == kind
    assert {f.kind for f in findings} == {kind}
    redacted, kinds = redact(text)
    assert kinds == [kind]
    assert find_secrets(redacted) == []
    for secret in secrets:
        assert uncovered(text, findings, secret) == []
        assert secret not in redacted


@pytest.mark.parametrize("lang", list(WORDLISTS))
@pytest.mark.parametrize("strength", [128, 160, 192, 224, 256])
def test_freshly_generated_mnemonics_are_found(lang, strength):
    phrase = Mnemonic(lang).generate(strength)
    text = f"My words: {phrase}\nThanks, Tom"

    findings = find_secrets(text)

    assert findings == [
        Finding(Kind.MNEMONIC, text.index(phrase), text.index(phrase) + len(phrase))
    ]


def test_the_secrets_used_here_are_real():
    for name in ("en12", "en15", "en18", "en21", "en24", "zhs12", "zhs24", "zht12", "zht24"):
        lang = {"en": "english", "zhs": "chinese_simplified", "zht": "chinese_traditional"}
        assert Mnemonic(lang[name.rstrip("0123456789")]).check(VALUES[name]), name
    # The bitcoin wiki's WIF example, checked by our own encoder.
    key = bytes.fromhex("0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d")
    assert wif(key, compressed=False) == "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
    assert wif(key, compressed=True) == "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617"
    assert Mnemonic("english").check(
        "legal winner thank year wave sausage worth useful legal winner thank yellow"
    )


# --- the rules, one at a time ------------------------------------------------------------

EN12 = VALUES["en12"].split()
# EN12 with its last word changed: twelve list words whose checksum does not hold.
NOT_A_PHRASE = EN12[:-1] + [
    next(
        w for w in WORDLISTS["english"] if not Mnemonic("english").check(" ".join(EN12[:-1] + [w]))
    )
]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (" ".join(EN12[:11]), False),  # 11 words: under the threshold
        (" ".join(EN12), True),
        # Spaces, line breaks and blank lines are one separator style.
        (" ".join(EN12[:6]) + "\n" + " ".join(EN12[6:]), True),
        (" ".join(EN12[:6]) + "\n\n" + " ".join(EN12[6:]), True),
        ("\n\n\n".join(EN12), True),
        # A separator that changes: still a phrase when its checksum holds (EN12's does)...
        (" ".join(EN12[:6]) + ". " + " ".join(EN12[6:]), True),
        (" ".join(EN12[:6]) + ", " + ", ".join(EN12[6:]), True),
        # ... not when it does not: twelve list words in prose.
        (" ".join(EN12[:6]) + ". " + " ".join(NOT_A_PHRASE[6:]), False),
        (" ".join(NOT_A_PHRASE[:6]) + ", " + ", ".join(NOT_A_PHRASE[6:]), False),
        (" ".join(NOT_A_PHRASE), True),  # one style: a phrase, checksum or not
        (" ".join(EN12[:6]) + " 2024 " + " ".join(EN12[6:]), False),  # numbers: 1-2 digits
        (" ".join(EN12[:6]) + " the " + " ".join(EN12[6:]), False),  # a word off the list
        # The 4-letter prefixes of metal backup plates are words.
        (" ".join(w[:4] for w in EN12), True),
        (" ".join(w[:4].upper() for w in EN12[:11]), False),
        ("\n".join(f"{i}. {w[:4].upper()}" for i, w in enumerate(EN12, 1)), True),
        (" ".join(w[:3] for w in EN12 if len(w) > 4), False),  # 3 letters name no word
        ("Hello, " + ",".join(EN12), True),
        (" ".join(w.upper() for w in EN12), True),
        ("".join(f"{i}.{w} " for i, w in enumerate(EN12, 1)), True),
        ("".join(f"({i}) {w}\n" for i, w in enumerate(EN12, 1)), True),
        ("".join(WORDLISTS["chinese_simplified"][100:112]), False),  # written together: prose
        (" ".join(WORDLISTS["chinese_simplified"][100:112]), True),
        ("，".join(WORDLISTS["chinese_traditional"][300:312]), True),
        (" ".join(WORDLISTS["chinese_simplified"][100:111]), False),
        # The run's edges may touch prose, so a label's last character can be the 12th word.
        ("助记词：" + " ".join(WORDLISTS["chinese_simplified"][100:111]), True),
        ("转账：" + " ".join(WORDLISTS["chinese_simplified"][100:111]), False),  # 账: not a word
        ("助记词" + " ".join(WORDLISTS["chinese_simplified"][100:112]) + "谢谢", True),
    ],
)
def test_mnemonic_run_rules(text, found):
    assert (first_secret(text) == Kind.MNEMONIC) is found


HEX = VALUES["hex"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (HEX, False),
        (f"txid {HEX}", False),
        (f"private key: {HEX}", True),
        (f"privkey:0x{HEX}", True),
        (f"my private key was stolen, the txid is {HEX}", False),  # the nearest cue wins
        (f"I never gave out my private key. {HEX}", False),  # another sentence
        (f"private key\n{HEX}", False),  # another line
        (f"private key of the hot wallet that was drained: {HEX}", True),  # within 48 characters
        (f"private key of the old hot wallet that got drained last week by someone: {HEX}", False),
        (f"public key: {HEX}", False),
        (f"API key: {HEX}", True),  # a credential all the same
        (f"{HEX} is my private key", True),
        (f"{HEX} is not my private key, it is a txid", False),
        (f"私钥{HEX}", True),
        (f"交易哈希 {HEX}", False),
        (f"private key: {HEX}abcd", False),  # not 64 hex: part of something longer
        (f"seed: {HEX}{HEX}", True),
    ],
)
def test_hex_key_rules(text, found):
    assert (first_secret(text) == Kind.PRIVATE_KEY) is found


def test_base58_that_fails_its_checksum_passes():
    good = VALUES["wif_c"]
    bad = good[:-1] + ("2" if good[-1] != "2" else "3")
    xpub = (  # BIP-32 test vector 1, m: a public key passes
        "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtG"
        "qsefD265TMg7usUDFdp6W1EGMcet8"
    )

    assert first_secret(f"key {good}") == Kind.PRIVATE_KEY
    assert find_secrets(f"key {bad}") == []
    assert find_secrets(f"my xpub {xpub}") == []
    assert find_secrets(f"ref{good}") == []  # inside a longer token


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("password: hunter2", "hunter2"),
        ("Password: reset", None),
        ("password: ******", None),
        ("password: xxx", None),
        ("password: (not shown)", None),
        ("password: sunshine", "sunshine"),
        ("password: sunshine please", None),  # a plain word must stand alone
        ("password: sunshine, please", "sunshine"),
        ("my password is incorrect.", None),
        ("my password is compromised", None),
        ("my password is Hunter2 and more", "Hunter2"),
        ("the password is 8 characters", None),
        ("password: 6-digit code", None),
        ("I forgot my password", None),
        ("reset password", None),
        ("passwordless login: enabled", None),
        ("password_hint: my dog", None),
        ("密码：忘记了", None),
        ("密码是abc", "abc"),
        ("密码是：Hunter2", "Hunter2"),
        ("密码:123", None),
        # Short labels, right before their value (issue #13)
        ("pw: Hunter2x", "Hunter2x"),
        ("pass=hunter22", "hunter22"),
        ("PW:abc123", "abc123"),
        ("pass = x.strip()", None),  # code
        ("boarding pass: not needed", None),
        ("my pass is valid until May", None),
        ("bypass: enabled", None),
        # PINs are digits
        ("PIN is 4821", "4821"),
        ("PIN: 4821", "4821"),
        ("my card's PIN was 482193, now it is blocked", "482193"),
        ("PIN码：4821", "4821"),
        ("PIN code not received", None),
        ("the PIN did not arrive", None),
        ("PIN is 4 digits", None),
        ("PIN: 0000", None),
        ("spin: 1234", None),
        # A passphrase after a label
        ("password: correct horse battery staple", "correct horse battery staple"),
        ("Password: Correct Horse Battery Staple.", "Correct Horse Battery Staple"),
        ('passphrase: "purple monkey dishwasher" is it safe?', "purple monkey dishwasher"),
        ("password: reset link expired", None),
        ("Password: reset link never arrived", None),
        ("password: tried several times today", None),
        ("password: account locked after three attempts", None),
        ("password: not working since yesterday", None),
        ("my password is correct horse battery staple", None),  # only after a label
        ("password: correct horse battery staple please help me", None),  # prose goes on
        ("password reset link expired", None),
        ("I forgot my password", None),
    ],
)
def test_password_rules(text, value):
    findings = find_secrets(text)
    assert [text[f.start : f.end] for f in findings] == ([value] if value else [])


@pytest.mark.parametrize(
    "name",
    [
        "en12_zero_width",
        "en12_soft_hyphen",
        "en12_joiners",
        "en12_fullwidth",
        "en12_cyrillic",
        "en12_math",
        "en12_everything",
        "en24_mixed",
    ],
)
def test_an_evasion_is_redacted_in_the_characters_the_user_sent(name):
    text = f"Hi, {VALUES[name]} bye"

    redacted, kinds = redact(text)

    # A zero-width character after the last word may stay: it shows, and says, nothing.
    assert (redacted.replace("\u200b", ""), kinds) == (
        "Hi, [redacted mnemonic] bye",
        [Kind.MNEMONIC],
    )


def test_look_alikes_and_invisible_characters_hide_no_key_or_password():
    key = VALUES["wif_c"]
    disguised = "\u200b".join(key.translate(str.maketrans("aeopcx", "аеорсх")))
    text = f"key {disguised} and ｐａｓｓｗｏｒｄ：Ｈｕｎｔｅｒ２！ ok"

    redacted, kinds = redact(text)

    assert redacted == "key [redacted private_key] and ｐａｓｓｗｏｒｄ：[redacted password] ok"
    assert kinds == [Kind.PRIVATE_KEY, Kind.PASSWORD]


def test_offsets_are_characters_of_the_original_text():
    text = f"您好，我的私钥：{HEX}，谢谢"
    (finding,) = find_secrets(text)
    assert text[finding.start : finding.end] == HEX


def test_redact_uses_the_placeholder_and_names_each_kind_once():
    text = f"pwd: abc123x and {VALUES['wif_c']} and password: Zz99!x and {VALUES['en12']}"

    redacted, kinds = redact(text, placeholder="<{kind}>")

    assert kinds == [Kind.PASSWORD, Kind.PRIVATE_KEY, Kind.MNEMONIC]
    assert redacted == "pwd: <password> and <private_key> and password: <password> and <mnemonic>"


def test_overlapping_findings_merge_into_the_stronger_kind():
    text = f"password: {VALUES['wif_u']}"
    assert find_secrets(text) == [Finding(Kind.PRIVATE_KEY, 10, len(text))]


# --- properties ---------------------------------------------------------------------------

BEFORE = ["", "key ", "My WIF: ", "私钥：", "(", "Please restore this\n", "wif="]
AFTER = ["", ".", " thanks", "）", "\n", ", ok?"]


@props
@given(
    secret=st.binary(min_size=32, max_size=32),
    compressed=st.booleans(),
    testnet=st.booleans(),
    before=st.sampled_from(BEFORE),
    after=st.sampled_from(AFTER),
)
def test_any_wif_is_found(secret, compressed, testnet, before, after):
    key = wif(secret, compressed=compressed, testnet=testnet)
    text = before + key + after

    assert find_secrets(text) == [Finding(Kind.PRIVATE_KEY, len(before), len(before) + len(key))]


@props
@given(chain=st.binary(min_size=32, max_size=32), secret=st.binary(min_size=32, max_size=32))
def test_any_xprv_is_found(chain, secret):
    key = xprv(chain, secret)
    assert find_secrets(f"xprv: {key}") == [Finding(Kind.PRIVATE_KEY, 6, 6 + len(key))]


# Separators a pasted phrase keeps throughout: whitespace of any mix, or one punctuation mark
# or numbering with any whitespace around it.
SPACES = [" ", "  ", "\n", "\t", " \n", "\n\n", "\u3000"]
PUNCTUATION = [
    [", ", ",", ",\n", " , "],
    ["; "],
    [" - ", "\n- "],
    [" | "],
    ["/"],
    ["、"],
    ["，"],
    [" · "],
    [". ", ".\n", "."],
    ["\n• ", " • "],
]
NUMBERING = [["{i}. ", "\n{i}. ", " {i}.", "{i}."], ["{i}) ", "\n{i})"], ["{i}:"], ["({i}) "]]
RUN_BEFORE = ["", "My seed phrase: ", "助记词：", "Words:\n", "1. "]
RUN_AFTER = ["", ".", " — is my wallet safe?", "\n\nThanks", "。谢谢"]


@st.composite
def word_runs(draw, *, min_words=12, max_words=24, before=RUN_BEFORE):
    """(text, start, end): a run of list words with separators and case as people paste."""
    lang = draw(st.sampled_from(list(WORDLISTS)))
    words = draw(st.lists(st.sampled_from(WORDLISTS[lang]), min_size=min_words, max_size=max_words))
    if lang == "english":
        case = st.sampled_from([str.lower, str.upper, str.title, str.capitalize])
        words = [draw(case)(w) for w in words]
        style = draw(st.sampled_from([SPACES, *PUNCTUATION, *NUMBERING]))
    else:  # Chinese prose never isolates characters, so any separator mix is a run
        style = SPACES + [sep for group in PUNCTUATION + NUMBERING for sep in group]
    text = words[0]
    for i, word in enumerate(words[1:], 2):
        text += draw(st.sampled_from(style)).format(i=i) + word
    before = draw(st.sampled_from(before))
    return before + text + draw(st.sampled_from(RUN_AFTER)), len(before), len(before) + len(text)


@props
@given(word_runs())
def test_any_run_of_twelve_list_words_is_found(run):
    text, start, end = run

    (finding,) = find_secrets(text)

    assert finding.kind == Kind.MNEMONIC
    assert finding.end == end
    # It starts at the first word, or earlier when the lead-in ends in list words: "phrase"
    # with the separator changing after it ("seed phrase" too, when a window starting there
    # carries a checksum by chance), or a Chinese character: a phrase's edges may touch
    # prose, "助记词的 一 是...".
    lead_in = text[finding.start : start]
    assert finding.start == start or lead_in in ("phrase: ", "seed phrase: ", "词：")


@props
@given(word_runs(min_words=1, max_words=11, before=["", "Words:\n", "1. "]))
def test_eleven_list_words_are_not_enough(run):
    text, _, _ = run
    assert find_secrets(text) == []


TX_CONTEXT = [
    "",
    "txid ",
    "TxID: ",
    "transaction hash ",
    "hash=",
    "交易哈希：",
    "block ",
    "I sent it, ",
]


@props
@given(
    raw=st.binary(min_size=32, max_size=32),
    upper=st.booleans(),
    prefix=st.sampled_from(["", "0x"]),
    before=st.sampled_from(TX_CONTEXT),
    benign=st.sampled_from(BENIGN),
)
def test_hex_without_key_words_is_a_hash(raw, upper, prefix, before, benign):
    hexed = raw.hex().upper() if upper else raw.hex()
    assert find_secrets(f"{benign}\n{before}{prefix}{hexed} thanks") == []


CJK_CHARS = sorted(set(WORDLISTS["chinese_simplified"]) | set(WORDLISTS["chinese_traditional"]))


@props
@given(st.text(alphabet=st.sampled_from(CJK_CHARS + list("账户提现充值冻结请帮我")), max_size=300))
def test_chinese_written_together_never_triggers(text):
    assert find_secrets(text) == []


@st.composite
def secrets_in_prose(draw):
    """(text, secret, exact): one secret of any kind between two support texts; exact when a
    finding must slice to the secret itself (a mnemonic's may start at a list word before)."""
    kind = draw(st.sampled_from(["wif", "mnemonic", "hex", "password"]))
    if kind == "wif":
        secret = wif(draw(st.binary(min_size=32, max_size=32)), compressed=draw(st.booleans()))
        body = f"my key {secret}"
    elif kind == "mnemonic":
        body, start, end = draw(word_runs())
        secret = body[start:end]
    elif kind == "hex":
        secret = draw(st.binary(min_size=32, max_size=32)).hex()
        body = draw(st.sampled_from(["private key: {}", "私钥 {}", "{} is my private key"]))
        body = body.format(secret)
    else:
        alphabet = st.sampled_from(
            "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%&*"
        )
        core = draw(st.text(alphabet=alphabet, min_size=6, max_size=20))
        secret = f"{core}9Z"  # digits and capitals: always a value
        body = draw(st.sampled_from(["password: {}", "my password is {}", "密码：{}"]))
        body = body.format(secret)
    before, after = draw(st.sampled_from(BENIGN)), draw(st.sampled_from(BENIGN))
    return f"{before}\n\n{body}\n\n{after}", secret, kind != "mnemonic"


@props
@given(secrets_in_prose())
def test_redact_removes_the_secret_for_good(case):
    text, secret, exact = case
    at = text.index(secret)

    findings = find_secrets(text)
    redacted, kinds = redact(text)

    if exact:
        assert secret in [text[f.start : f.end] for f in findings]
    else:
        assert any(f.start <= at and at + len(secret) <= f.end for f in findings)

    assert kinds
    assert secret not in redacted
    assert find_secrets(redacted) == []
    assert redact(redacted) == (redacted, [])


@props
@given(st.text(max_size=400) | secrets_in_prose().map(lambda case: case[0]))
def test_findings_are_sorted_disjoint_and_agree_with_first_secret(text):
    findings = find_secrets(text)

    assert all(0 <= f.start < f.end <= len(text) for f in findings)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))
    assert (first_secret(text) is None) == (findings == [])
    assert redact(text)[1] == list(dict.fromkeys(f.kind for f in findings))


# --- separators, checksums and evasions (issue #13) ---------------------------------------

ANY_SEPARATOR = SPACES + [sep for group in PUNCTUATION + NUMBERING for sep in group] + MIXED
EVASIONS = {
    "none": lambda w: w,
    "zero-width": lambda w: "\u200b".join(w),
    "look-alike": cyrillic,
    "full-width": fullwidth,
    "prefix": lambda w: w[:4],
    "soft hyphen": lambda w: w[:2] + "\u00ad" + w[2:],
}


@props
@given(
    strength=st.sampled_from([128, 160, 192, 224, 256]),
    entropy=st.binary(min_size=32, max_size=32),
    data=st.data(),
)
def test_a_generated_phrase_is_found_whatever_its_separators_and_disguise(strength, entropy, data):
    words = Mnemonic("english").to_mnemonic(entropy[: strength // 8]).split()
    assume(max(map(words.count, words)) < 3)  # taken for prose; one 24-word phrase in 2,000
    evasion = EVASIONS[data.draw(st.sampled_from(list(EVASIONS)))]
    phrase = evasion(words[0])
    for i, word in enumerate(words[1:], 2):
        phrase += data.draw(st.sampled_from(ANY_SEPARATOR)).format(i=i) + evasion(word)
    before, after = data.draw(st.sampled_from(BENIGN)), data.draw(st.sampled_from(BENIGN))
    text = f"{before}\n\n{phrase}\n\n{after}"
    at = len(before) + 2

    findings = find_secrets(text)

    assert first_secret(phrase) == Kind.MNEMONIC
    assert any(f.start <= at and at + len(phrase) <= f.end for f in findings)
    assert Kind.MNEMONIC in redact(text)[1]


@props
@given(st.lists(st.integers(0, 2047), min_size=12, max_size=24).filter(lambda x: len(x) % 3 == 0))
def test_the_checksum_is_bip39s(indices):
    words = " ".join(WORDLISTS["english"][i] for i in indices)
    triple = any(indices.count(i) > 2 for i in indices)  # taken for prose

    assert phrases._is_generated(indices) == (Mnemonic("english").check(words) and not triple)


@pytest.mark.parametrize(
    "seed",
    [
        "cycle rocket west magnet parrot shuffle foot correct salt library feed song",
        "bitter grass shiver impose acquire brush forget axis eager alone wine silver",
    ],
)
def test_electrum_seeds_are_found_by_their_separator_only(seed):
    # Electrum's seeds (its test vectors) use the list without BIP-39's checksum.
    assert first_secret(seed) == Kind.MNEMONIC
    assert first_secret(mixed_separators(seed.split())) is None


def test_prose_full_of_list_words_passes():
    texts = [
        # Every word is on the list, the separators change and the checksum does not hold.
        "Please check that address again, you can verify where this deposit will end.",
        "I tried the app on my phone, laptop and tablet; at home, office and hotel: same error.",
        "\n".join(["Things I checked:", "- phone", "- laptop", "- wifi", "- again", "nothing."]),
        " ".join(NOT_A_PHRASE[:6]) + ".\n\n" + ", ".join(NOT_A_PHRASE[6:]) + "?",
    ]
    for text in texts:
        assert find_secrets(text) == [], text


# --- several texts read as one ------------------------------------------------------------

HALVES = (" ".join(EN12[:6]), " ".join(EN12[6:]))


def test_a_phrase_split_across_fields_is_named_where_it_ends():
    fields = [("subject", HALVES[0]), ("description", HALVES[1]), ("error_code", "E42")]

    assert first_secret_among(fields) == ("description", Kind.MNEMONIC)
    assert [first_secret(text) for _name, text in fields] == [None, None, None]


def test_a_secret_in_one_field_is_named_after_it():
    fields = [("subject", "Help"), ("description", "pw: Hunter2x"), ("steps", "none")]
    assert first_secret_among(fields) == ("description", Kind.PASSWORD)


def test_a_label_and_its_value_in_two_fields_are_one_password():
    fields = [("subject", "my password:"), ("description", "Hunter2!x")]
    assert first_secret_among(fields) == ("description", Kind.PASSWORD)


def test_the_previous_message_starts_a_phrase_but_is_never_named():
    assert first_secret_among([("body", HALVES[1])], before=HALVES[0]) == ("body", Kind.MNEMONIC)
    # A secret wholly in the previous message was stored before: it is not this request's.
    assert first_secret_among([("body", "thanks")], before=VALUES["en12"]) is None
    assert first_secret_among([("body", " ".join(EN12[:5]))], before=" ".join(EN12[5:11])) is None


def test_the_fields_offsets_survive_invisible_characters():
    fields = [("subject", "\u200b" * 30 + HALVES[0]), ("description", "\u200b" + HALVES[1])]
    assert first_secret_among(fields) == ("description", Kind.MNEMONIC)


# --- long texts read in windows -----------------------------------------------------------


def chunked(text: str, size: int):
    return (text[i : i + size] for i in range(0, len(text), size))


@pytest.mark.parametrize("at", [0, guard.WINDOW - 40, guard.WINDOW - guard.OVERLAP // 2, 200_000])
@pytest.mark.parametrize("chunk", [1_000, 65_536])
def test_a_secret_anywhere_in_a_long_file_is_found(at, chunk):
    filler = ("2024-05-01 12:00:03 INFO order 1234567 filled at 63120.5 USDT\n" * 5_000)[:at]
    text = filler + VALUES["en24_lines"] + "\n" + filler

    assert first_secret_in_stream(chunked(text, chunk)) == Kind.MNEMONIC


def test_a_long_file_without_secrets_passes():
    text = "\n\n".join(BENIGN) * 10
    assert len(text) > 3 * guard.WINDOW
    assert first_secret_in_stream(chunked(text, 4_096)) is None
    assert first_secret_in_stream([]) is None


# --- speed --------------------------------------------------------------------------------


def _twenty_thousand(text: str) -> str:
    return (text * (20_000 // len(text) + 1))[:20_000]


@pytest.mark.parametrize(
    "text",
    [
        _twenty_thousand("\n\n".join(BENIGN)),
        _twenty_thousand(" ".join(WORDLISTS["english"])),
        _twenty_thousand(" ".join(WORDLISTS["chinese_traditional"])),
        _twenty_thousand("".join(WORDLISTS["chinese_simplified"])),
        _twenty_thousand("password: is "),
        _twenty_thousand(f"private key {HEX} "),
        _twenty_thousand("1" * 50 + " "),
        _twenty_thousand("1. 2) 3: , ; - "),
        "a" * 20_000,
    ],
    ids=[
        "corpus",
        "english-words",
        "chinese-chars",
        "chinese-prose",
        "labels",
        "hex",
        "b58",
        "numbers",
        "one-token",
    ],
)
def test_twenty_thousand_characters_are_checked_quickly(text):
    best = min(_timed(find_secrets, text) for _ in range(5))
    assert best < 0.020


def _timed(fn, arg) -> float:
    start = time.perf_counter()
    fn(arg)
    return time.perf_counter() - start
