"""What the guard finds: the kinds of secret, and where one stands in a text."""

from dataclasses import dataclass
from enum import StrEnum

# Chinese characters (the Chinese word lists are made of them; prose writes them together).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


class Kind(StrEnum):
    MNEMONIC = "mnemonic"
    PRIVATE_KEY = "private_key"
    PASSWORD = "password"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int  # character offsets into the original text
    end: int
