"""How fast this machine runs Python right now: the figures of the other benchmarks are
only comparable between runs of similar speed. Run by hand, next to them:

    .venv/bin/python bench/calibrate.py

It times a plain loop of 10 million additions five times and prints the median and the
spread. The development machine is a share of a host: on 29 Nov 2026 the loop took 1.0 to
1.7 s with nothing else of ours running, from one minute to the next (bench/README.md).
"""

import statistics
import time


def loop_seconds(n: int = 10_000_000) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - started


def main() -> None:
    runs = sorted(loop_seconds() for _ in range(5))
    print(
        f"10M-addition loop: median {statistics.median(runs):.2f} s "
        f"(min {runs[0]:.2f}, max {runs[-1]:.2f})"
    )


if __name__ == "__main__":
    main()
