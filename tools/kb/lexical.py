"""Keyword scoring: the IDF-weighted share of the question's terms that a passage contains.

Postgres' `ts_rank` has no IDF, so "电脑" or "acme" would count as much as "BitLocker"; the
share (0..1) is also comparable across questions, which the no-answer threshold needs.
"""

from __future__ import annotations

import math
import re

_CJK_PAIR = re.compile(r"^[^\x00-\x7f]{2}$")


def _idf(df: int, total: int) -> float:
    return math.log(1.0 + (total - df + 0.5) / (df + 0.5))  # BM25's IDF, always > 0


def _is_boundary_pair(term: str, known_pairs: list[str]) -> bool:
    # "想在电脑上装" yields 在电 and 脑上: unknown to the KB and overlapping a known word
    # (电脑), they straddle a word boundary. An unknown pair next to other unknowns (食堂
    # in 公司食堂) is a real word the KB lacks, and must keep its weight.
    return any(term[-1] == k[0] or term[0] == k[-1] for k in known_pairs)


def term_weights(dfs: dict[str, int], total: int) -> dict[str, float]:
    """Weight of each question term: its IDF, or 0 for a CJK pair across a word boundary."""
    known = [t for t, df in dfs.items() if df > 0 and _CJK_PAIR.match(t)]
    return {t: 0.0 if df == 0 and _CJK_PAIR.match(t) and _is_boundary_pair(t, known)
            else _idf(df, total) for t, df in dfs.items()}


def keyword_score(matched: list[str], weights: dict[str, float]) -> float:
    """Share of the question's term weight that `matched` covers."""
    total = sum(weights[t] for t in sorted(weights))
    # Sorted sums: set order varies per process, and float rounding must not break ties.
    return sum(weights.get(t, 0.0) for t in sorted(set(matched))) / total if total else 0.0
