"""Passwords (PASSWORD): a value after a label, a passphrase after "label:", a PIN. See the
package's docstring for the rules."""

import re
from collections.abc import Iterator

from .kinds import CJK, Finding, Kind

# A value stops at whitespace, at Chinese text and at full-width punctuation ("密码：abc，谢谢").
_VALUE = rf"(?=(?P<value>[^\s{CJK}\u3000-\u303f\uff00-\uffef]+))"
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


def find(text: str) -> Iterator[Finding]:
    """Every password, passphrase and PIN in `text` (normalised)."""
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
