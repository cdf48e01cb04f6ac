"""The sensitive-data guard's cost per call (SPEC §7): it runs on every create and reply, so a
20,000-character description (the limit) must stay cheap. Pure Python, no database:

    .venv/bin/python bench/guard.py            # best and median of 30 calls per text

Each text is 20,000 characters: support prose (the benign corpus, English and Chinese), the
shapes that stress a detector (list words, lone Chinese characters, label words, hex, long
base58 tokens, numbering), and the same prose with look-alike letters and zero-width spaces
so the normalisation has work to do. Figures go to bench/README.md with what else ran.
"""

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mnemonic import Mnemonic  # noqa: E402

from tickets import guard  # noqa: E402

BENIGN = json.loads((ROOT / "tests/tickets/guard_corpus/benign.json").read_text("utf-8"))
LIMIT = 20_000


def fill(text: str) -> str:
    return (text * (LIMIT // len(text) + 1))[:LIMIT]


def texts() -> dict[str, str]:
    english = [t for t in BENIGN if t.isascii()]
    chinese = [t for t in BENIGN if not t.isascii()]
    words = Mnemonic("english").wordlist
    return {
        "prose, English": fill("\n\n".join(english)),
        "prose, Chinese and mixed": fill("\n\n".join(chinese)),
        "prose, look-alikes + zero-width": fill(
            "\n\n".join(english).replace("a", "\u0430").replace(" ", " \u200b")
        ),
        "list words, spaces": fill(" ".join(words)),
        "list words, mixed separators": fill(
            "".join(f"{w}{', . ;'[i % 4]}{' ' if i % 3 else chr(10)}" for i, w in enumerate(words))
        ),
        "4-letter prefixes": fill(" ".join(w[:4] for w in words)),
        "Chinese list characters, spaced": fill(" ".join(Mnemonic("chinese_simplified").wordlist)),
        "labels": fill("password: is "),
        "hex after a key word": fill("private key " + "ab" * 32 + " "),
        "long base58 tokens": fill("1" * 50 + " "),
        "numbering": fill("1. 2) 3: , ; - "),
        "one token": "a" * LIMIT,
    }


def timed(fn, arg) -> float:
    start = time.perf_counter()
    fn(arg)
    return time.perf_counter() - start


def main() -> None:
    functions = {"first_secret": guard.first_secret, "find_secrets": guard.find_secrets}
    print(f"{'text (20,000 chars)':36} " + " ".join(f"{n + ' ms':>26}" for n in functions))
    print(f"{'':36} " + " ".join(f"{'best':>12} {'median':>13}" for _ in functions))
    for name, text in texts().items():
        cells = []
        for fn in functions.values():
            runs = [timed(fn, text) for _ in range(30)]
            cells.append(f"{min(runs) * 1000:12.2f} {statistics.median(runs) * 1000:13.2f}")
        print(f"{name:36} " + " ".join(cells))


if __name__ == "__main__":
    main()
