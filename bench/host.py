"""How fast the host was during a benchmark run.

On a shared VM the same code measured 7 ms/turn one hour and 14 ms the next. Two numbers say
which kind of hour it was: the CPU time stolen by other guests (Linux /proc/stat), and a fixed
pure-Python workload timed before and after the run (slower when the host is contended even
with no steal accounted). Compare runs only when their canaries agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

_STAT = Path("/proc/stat")


def _cpu() -> tuple[int, int] | None:
    """(steal, total) jiffies of all CPUs so far, or None off Linux."""
    try:
        fields = _STAT.read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(f) for f in fields[:8]]  # user nice system idle iowait irq softirq steal
    return ticks[7], sum(ticks)


def canary() -> float:
    """ms of a fixed pure-Python workload, best of 5."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        sum(i * i for i in range(200_000))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def host_meter() -> Callable[[], str]:
    """Start measuring; the returned function describes the host since then."""
    start, before = _cpu(), canary()

    def report() -> str:
        now, after = _cpu(), canary()
        steal = "unknown"
        if start is not None and now is not None and now[1] > start[1]:
            steal = f"{(now[0] - start[0]) / (now[1] - start[1]):.1%}"
        return (f"host: CPU canary {before:.1f} ms before, {after:.1f} ms after (lower is a "
                f"faster host); CPU time stolen by other guests: {steal}")

    return report
