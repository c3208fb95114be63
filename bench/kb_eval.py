"""KB retrieval benchmark: recall@1/3, MRR per language, section@1, no-answer detection, latency.

Starts its own embedded Postgres in a temp dir, loads the sample KB, and scores every
retrieval variant on bench/kb_questions.yaml. Prints numbers; it is not a test.

    .venv/bin/python bench/kb_eval.py [--variant NAME ...] [--holdout] [--misses] [--sweep]

The thresholds and weights were tuned on kb_questions.yaml; kb_questions_holdout.yaml was
written before tuning and never used for it (`--holdout` scores it). A question with a
`section` also checks that the answer quotes the section whose heading contains it (sec@1:
right article and right section, over the questions that name one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
import yaml

from checkpoints import embedded
from tools.db.engine import Database
from tools.db.migrations import migrate
from tools.kb import HashingConfig, HashingEmbeddings, KnowledgeBase, RankingConfig, lexical, store
from tools.kb.answer import section_of
from tools.settings import Settings

QUESTIONS = Path(__file__).with_name("kb_questions.yaml")
HOLDOUT = Path(__file__).with_name("kb_questions_holdout.yaml")
DEFAULT = RankingConfig()


@dataclass(frozen=True)
class Variant:
    name: str
    retrieval: str = "hybrid"
    hashing: HashingConfig = field(default_factory=HashingConfig)
    ranking: RankingConfig = DEFAULT
    ablation: str | None = None  # switch off one ingredient of the default


H1024 = HashingConfig(dim=1024)
VARIANTS = [
    Variant("keyword only (FTS + IDF coverage)", "keyword", ranking=replace(DEFAULT, min_score=0.35)),
    Variant("vector only, hash512 (CJK chars+bigrams, words, trigrams)", "vector"),
    Variant("vector only, hash512 without trigrams", "vector", HashingConfig(trigram_weight=0)),
    Variant("vector only, hash512 without CJK unigrams", "vector",
            HashingConfig(cjk_char_weight=0)),
    Variant("vector only, hash256", "vector", HashingConfig(dim=256)),
    Variant("vector only, hash1024", "vector", H1024),
    Variant("vector only, hash2048", "vector", HashingConfig(dim=2048)),
    Variant("hybrid w_vec=0.5 (DEFAULT)"),
    Variant("hybrid w_vec=0.3", ranking=replace(DEFAULT, vector_weight=0.3)),
    Variant("hybrid w_vec=0.7", ranking=replace(DEFAULT, vector_weight=0.7)),
    Variant("hybrid fetch_k=20", ranking=replace(DEFAULT, fetch_k=20)),
    Variant("hybrid hash1024", hashing=H1024),
    Variant("hybrid hash1024 without CJK unigrams", hashing=HashingConfig(1024, 0.0)),
    Variant("hybrid, no same-language preference", ranking=replace(DEFAULT, other_lang_factor=1)),
    Variant("hybrid, no title/heading gain", ranking=replace(DEFAULT, title_weight=0, heading_weight=0)),
    Variant("hybrid, no section-heading gain", ranking=replace(DEFAULT, heading_weight=0)),
    Variant("hybrid, no title gain", ranking=replace(DEFAULT, title_weight=0)),
    Variant("hybrid, heading gain 0.5", ranking=replace(DEFAULT, heading_weight=0.5)),
    Variant("hybrid, heading gain 0.8", ranking=replace(DEFAULT, heading_weight=0.8)),
    Variant("hybrid, title gain 0.6", ranking=replace(DEFAULT, title_weight=0.6)),
    Variant("hybrid, no word-boundary rule for CJK bigrams", ablation="no-boundary-rule"),
    Variant("hybrid, no thesaurus expansion", ablation="no-thesaurus"),
]


@dataclass
class Result:
    ranks: dict[str, list[int | None]] = field(default_factory=lambda: {"zh": [], "en": []})
    na_true: int = 0  # unanswerable questions the KB said it could not answer
    na_said: int = 0  # questions the KB said it could not answer
    na_total: int = 0
    top_scores: list[tuple[float, bool, str]] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    sections: list[bool] = field(default_factory=list)  # right section quoted, per question naming one


def rank_of(hits: list[Any], wanted: set[str]) -> int | None:
    return next((i + 1 for i, h in enumerate(hits) if h.doc_id in wanted), None)


async def score_question(kb: KnowledgeBase, item: dict[str, Any], result: Result) -> None:
    hits = await kb.search(item["q"], k=5)
    answer = await kb.answer(item["q"])
    answerable = bool(item["expect"])
    top = hits[0].score if hits else 0.0
    result.top_scores.append((top, answerable, item["q"]))
    result.na_said += not answer.found
    if not answerable:
        result.na_total += 1
        result.na_true += not answer.found
        if answer.found:
            result.misses.append(f"  FALSE ANSWER {item['q']} -> {hits[0].doc_id} {top:.3f}")
        return
    wanted = {f"{key}-{item['lang']}" for key in item["expect"]}
    rank = rank_of(hits, wanted)
    result.ranks[item["lang"]].append(rank)
    if rank != 1 or not answer.found:
        got = ", ".join(f"{h.doc_id}:{h.score:.3f}" for h in hits[:3])
        result.misses.append(f"  rank={rank} found={answer.found} {item['q']} -> {got}")
    if want := item.get("section"):
        quoted = section_of(hits[0]) if answer.found and rank == 1 else ""
        result.sections.append(want.lower() in quoted.lower())
        if want.lower() not in quoted.lower():
            result.misses.append(f"  SECTION want={want!r} got={quoted!r} {item['q']}")


async def time_searches(kb: KnowledgeBase, questions: list[dict[str, Any]], result: Result) -> None:
    for item in questions[:10]:  # warm-up
        await kb.search(item["q"], k=5)
    for _ in range(3):
        for item in questions:
            start = time.perf_counter()
            await kb.search(item["q"], k=5)
            result.latencies_ms.append((time.perf_counter() - start) * 1000)


def recall(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / max(len(ranks), 1)


def mrr(ranks: list[int | None]) -> float:
    return sum(1 / r for r in ranks if r) / max(len(ranks), 1)


def row(name: str, res: Result, min_score: float) -> str:
    cells = [f"{name:<56}"]
    for lang in ("zh", "en"):
        r = res.ranks[lang]
        cells.append(f"{recall(r, 1):.3f} {recall(r, 3):.3f} {mrr(r):.3f}")
    precision = res.na_true / res.na_said if res.na_said else 0.0
    rate = res.na_true / max(res.na_total, 1)
    lat = sorted(res.latencies_ms)
    p50, p95 = statistics.median(lat), lat[int(len(lat) * 0.95) - 1]
    cells.append(f"{sum(res.sections) / len(res.sections):.3f}" if res.sections else "  -  ")
    cells.append(f"{precision:.3f} {rate:.3f} @{min_score:.2f}")
    cells.append(f"{p50:6.2f} {p95:6.2f}")
    return " | ".join(cells)


HEADER = (f"{'variant':<56} | zh R@1 R@3   MRR | en R@1 R@3   MRR | sec@1 | no-ans prec rate @thr "
          f"| p50ms  p95ms")


def sweep(res: Result) -> None:
    print("    threshold sweep (top score >= t → answer): t, no-answer precision, rate, "
          "answerable wrongly refused")
    for t in [x / 100 for x in range(10, 61, 5)]:
        said = [(s < t, answerable) for s, answerable, _ in res.top_scores]
        na_said = sum(1 for refused, _ in said if refused)
        na_true = sum(1 for refused, answerable in said if refused and not answerable)
        na_total = sum(1 for _, answerable in said if not answerable)
        refused_ok = sum(1 for refused, answerable in said if refused and answerable)
        prec = na_true / na_said if na_said else 0.0
        print(f"    {t:.2f}  {prec:.3f}  {na_true / na_total:.3f}  {refused_ok}")


async def run_variant(db: Database, variant: Variant, questions: list[dict[str, Any]],
                      args: argparse.Namespace) -> None:
    kb = KnowledgeBase(db, Settings(), embeddings=HashingEmbeddings(variant.hashing),
                       retrieval=variant.retrieval, ranking=variant.ranking)  # type: ignore[arg-type]
    await kb.ensure_indexed()
    res = Result()
    for item in questions:
        await score_question(kb, item, res)
    await time_searches(kb, questions, res)
    print(row(variant.name, res, variant.ranking.min_score), flush=True)
    if args.misses:
        print("\n".join(res.misses))
    if args.sweep:
        sweep(res)


@contextlib.contextmanager
def patched(module: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


async def fresh_database(server: Any, name: str) -> Database:
    with psycopg.connect(embedded.uri(server), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    db = Database.connect(embedded.uri(server, name), pool_size=5)
    await migrate(db.engine)
    return db


async def run_ablation(server: Any, variant: Variant, questions: list[dict[str, Any]],
                       args: argparse.Namespace) -> None:
    if variant.ablation == "no-boundary-rule":
        db = await fresh_database(server, "kb_eval_boundary")
        await KnowledgeBase(db, Settings()).load_sample_if_empty()
        with patched(lexical, "_is_boundary_pair", lambda term, known: False):
            await run_variant(db, variant, questions, args)
    else:  # no-thesaurus: the expansion happens when articles are written
        db = await fresh_database(server, "kb_eval_thesaurus")
        with patched(store, "expansions", lambda text: []):
            await KnowledgeBase(db, Settings()).load_sample_if_empty()
            await run_variant(db, variant, questions, args)
    await db.close()


def start_postgres() -> tuple[Any, Path]:
    root = Path(tempfile.mkdtemp(prefix="helpdesk-kb-eval-"))
    root.chmod(0o755)  # the pgserver system user must reach it when we run as root
    return embedded.start(root, cleanup="delete"), root


def describe(questions: list[dict[str, Any]], path: Path, loaded: int) -> None:
    n_zh = sum(q["lang"] == "zh" for q in questions)
    print(f"sample KB: {loaded} documents; {path.name}: {len(questions)} questions ({n_zh} zh, "
          f"{len(questions) - n_zh} en, {sum(not q['expect'] for q in questions)} without "
          f"an answer)\n")


async def main(args: argparse.Namespace) -> None:
    path = HOLDOUT if args.holdout else QUESTIONS
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    server, root = start_postgres()
    db = await fresh_database(server, "kb_eval")
    try:
        describe(questions, path, await KnowledgeBase(db, Settings()).load_sample_if_empty())
        print(HEADER)
        for variant in VARIANTS:
            if args.variant and not any(v in variant.name for v in args.variant):
                continue
            if variant.ablation:
                await run_ablation(server, variant, questions, args)
            else:
                await run_variant(db, variant, questions, args)
    finally:
        await db.close()
        server.cleanup()  # stop Postgres before its directory goes
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", help="run variants whose name contains this")
    parser.add_argument("--holdout", action="store_true", help="score the held-out questions")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--sweep", action="store_true", help="print a no-answer threshold sweep")
    warnings.simplefilter("ignore", ResourceWarning)
    asyncio.run(main(parser.parse_args()))
