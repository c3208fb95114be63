"""How well the rules planner understands people: measured on the HELD-OUT part of the corpus.

    .venv/bin/python bench/nlu_eval.py            # held-out part (the figures to report)
    .venv/bin/python bench/nlu_eval.py --part train
    .venv/bin/python bench/nlu_eval.py --cv       # 5-fold cross-validation of the model alone,
                                                  # on the training part (how C was chosen)
    .venv/bin/python bench/nlu_eval.py --batches  # leave one writer's batch out: each batch of
                                                  # the training part read by models fitted
                                                  # without it (a new writer's phrasings, the
                                                  # nearest the training part gets to held-out)
    .venv/bin/python bench/nlu_eval.py --fit      # the models' start-up cost: a fit without the
                                                  # cache (imports included), then a cached load
    .venv/bin/python bench/nlu_eval.py --folds 5  # the whole planner, cross-validated on the
                                                  # training part: models refitted without the
                                                  # fold they are measured on (how rules and
                                                  # thresholds are checked without the held-out)

Prints accuracy overall and per category and language (zh includes mixed zh/en; "mix" is that
subset), the confusion matrix, how task-like inputs were answered (right action / clarifying
question / wrong action), wrong dangerous actions, slot accuracy and the model's cost.
Nothing here feeds back into the planner: the held-out part is only measured.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict

from tools.nlu.corpus import Act, Example, Part, examples
from tools.nlu.evaluate import DANGEROUS, TASKS, Reading, gold, read

TARGET_OVERALL, TARGET_CATEGORY = 0.95, 0.90
_SLOT_ROUTES = {"create_ticket", "resume_draft", "ticket_op.update"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=[p.value for p in Part], default=Part.HELDOUT.value)
    parser.add_argument("--cv", action="store_true", help="cross-validate the model on the training part")
    parser.add_argument("--errors", action="store_true", help="list every miss (never for tuning on held-out)")
    parser.add_argument("--folds", type=int, default=0, help="cross-validate the planner on the training part")
    parser.add_argument("--batches", action="store_true", help="leave one writer's batch of the training part out")
    parser.add_argument("--fit", action="store_true", help="time a fit without the cache, and a load from it")
    args = parser.parse_args()
    if args.cv:
        cross_validate()
        return
    if args.folds:
        data, readings = cross_validated_readings(args.folds)
        print(f"the planner cross-validated on the training part ({args.folds} folds, {len(data)} utterances)\n")
        report(data, readings, show_errors=args.errors)
        return
    if args.fit:
        fit_timing()
        return
    if args.batches:
        data, readings = batch_readings()
        print(f"the planner on each later writer's batch of the training part, its models fitted without "
              f"that batch ({len(data)} utterances)\n")
        report(data, readings, show_errors=args.errors)
        return
    started = time.perf_counter()
    from tools.nlu.model import act_model, intent_model
    intent_model(), act_model()
    fit_s = time.perf_counter() - started
    how = "fitted, cache written" if intent_model().sklearn or act_model().sklearn else "loaded from the fit cache"
    part = Part(args.part)
    data = examples(part)
    if not data:
        raise SystemExit(f"the {part.value} part of the corpus is empty (tools/nlu/corpus/{part.value}/)")
    t0 = time.perf_counter()
    readings = [read(e) for e in data]
    per_turn_ms = (time.perf_counter() - t0) / len(data) * 1000
    print(f"NLU evaluation on the {part.value} part: {len(data)} utterances "
          f"(models ready in {fit_s:.2f} s incl. imports, {how}; {per_turn_ms:.2f} ms per utterance, "
          "rules + models)\n")
    report(data, readings, show_errors=args.errors)


def report(data: tuple[Example, ...], readings: list[Reading], *, show_errors: bool) -> None:
    """Every table of the evaluation."""
    pairs = [(gold(e), r.label) for e, r in zip(data, readings, strict=True)]
    right = sum(g == p for g, p in pairs)
    print(f"overall accuracy: {right / len(pairs):.1%} ({right}/{len(pairs)}; target ≥ {TARGET_OVERALL:.0%})")
    _by_language(data, pairs)
    _categories(data, pairs)
    _confusion(pairs)
    _tasks(pairs)
    _dangerous(data, pairs)
    _slots(data, readings)
    if show_errors:
        print("\nmisses (gold → read | ctx | text):")
        for e, (g, p) in zip(data, pairs, strict=True):
            if g != p:
                print(f"  {g} → {p} | {e.ctx} | {e.text}")


def _groups(data: tuple[Example, ...]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(data):
        out[e.lang].append(i)
        if e.mixed:
            out["mix"].append(i)
    return out


def _by_language(data: tuple[Example, ...], pairs: list[tuple[str, str]]) -> None:
    for name, idx in sorted(_groups(data).items()):
        ok = sum(pairs[i][0] == pairs[i][1] for i in idx)
        print(f"  {name:>3}: {ok / len(idx):.1%} ({ok}/{len(idx)})")


def _categories(data: tuple[Example, ...], pairs: list[tuple[str, str]]) -> None:
    groups = _groups(data)
    labels = sorted({g for g, _ in pairs})
    print(f"\naccuracy per category and language (target ≥ {TARGET_CATEGORY:.0%} in each):")
    print(f"  {'category':<20} {'all':>12} {'zh':>12} {'en':>12} {'mix':>12}")
    below = []
    for label in labels:
        cells = []
        for name in ("all", "zh", "en", "mix"):
            idx = [i for i in (range(len(pairs)) if name == "all" else groups.get(name, []))
                   if pairs[i][0] == label]
            ok = sum(pairs[i][1] == label for i in idx)
            cells.append(f"{ok / len(idx):.0%} ({ok}/{len(idx)})" if idx else "-")
            if idx and name in ("zh", "en") and ok / len(idx) < TARGET_CATEGORY:
                below.append(f"{label}/{name}")
        print(f"  {label:<20} " + " ".join(f"{c:>12}" for c in cells))
    print(f"  below target: {', '.join(below) if below else 'none'}")


def _confusion(pairs: list[tuple[str, str]]) -> None:
    labels = sorted({g for g, _ in pairs} | {p for _, p in pairs})
    short = {label: label.replace("ticket_op.", "op.").replace("chitchat.", "cc.")[:10] for label in labels}
    counts = Counter(pairs)
    print("\nconfusion matrix (rows: gold, columns: read):")
    print(" " * 12 + " ".join(f"{short[c]:>10}" for c in labels))
    for g in labels:
        row = [counts.get((g, p), 0) for p in labels]
        if sum(row):
            print(f"{short[g]:>11} " + " ".join(f"{n or '.':>10}" for n in row))


def _tasks(pairs: list[tuple[str, str]]) -> None:
    tasks = [(g, p) for g, p in pairs if g in TASKS]
    right = sum(g == p for g, p in tasks)
    asked = sum(g != p and p == "unclear" for g, p in tasks)
    wrong = len(tasks) - right - asked
    print(f"\ntask-like inputs ({len(tasks)}): right action {right / len(tasks):.1%}, "
          f"clarifying question {asked / len(tasks):.1%}, wrong action {wrong / len(tasks):.1%}")
    misses = asked + wrong
    if misses:
        print(f"  of the misses: {asked / misses:.0%} asked back, {wrong / misses:.0%} did something else")


def _dangerous(data: tuple[Example, ...], pairs: list[tuple[str, str]]) -> None:
    ran = [(e, g) for e, (g, p) in zip(data, pairs, strict=True) if p == Act.CONFIRM and g != Act.CONFIRM]
    proposed = [(e, g, p) for e, (g, p) in zip(data, pairs, strict=True) if p in DANGEROUS and g != p]
    print(f"\nwrong dangerous actions run (a confirmation read where none was meant): {len(ran)}")
    for e, g in ran:
        print(f"  {g} | {e.ctx} | {e.text}")
    print(f"wrong dangerous actions proposed (each still waits for the person's own yes): {len(proposed)}")


def _slots(data: tuple[Example, ...], readings: list[Reading]) -> None:
    checked: Counter[str] = Counter()
    ok: Counter[str] = Counter()
    for e, r in zip(data, readings, strict=True):
        if r.plan is None or gold(e) != r.label:
            continue
        args = r.plan.args
        for slot in ("category", "priority"):
            if slot in e.slots and gold(e) in _SLOT_ROUTES:
                checked[slot] += 1
                ok[slot] += args.get(slot) == e.slots[slot]
        if e.slots.get("ticket", "").startswith("TCK-"):
            checked["ticket id"] += 1
            ok["ticket id"] += args.get("ticket_id") == e.slots["ticket"]
    print("\nslots (where the intent was read right): " + ", ".join(
        f"{s} {ok[s] / checked[s]:.0%} ({ok[s]}/{checked[s]})" for s in sorted(checked)))


def fit_timing() -> None:
    """Seconds to fit both models with no cache (scikit-learn's import included), then to load
    them from a fresh cache as a new process would (median of 5)."""
    import statistics
    import tempfile
    from pathlib import Path

    from tools.nlu import model
    train = examples(Part.TRAIN)
    sets = {"intent": model.intent_rows(train),
            "act": ([e.text for e in train], [e.act.value for e in train], [model.act_marks(e) for e in train])}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        for name, (texts, labels, marks) in sets.items():
            model.fitted(name, texts, labels, Path(tmp), marks)
        fit_s = time.perf_counter() - started
        loads = []
        for _ in range(5):
            started = time.perf_counter()
            for name, (texts, labels, marks) in sets.items():
                assert model.fitted(name, texts, labels, Path(tmp), marks).sklearn is None
            loads.append(time.perf_counter() - started)
    print(f"both models: fitted in {fit_s:.2f} s without a cache (incl. importing scikit-learn); "
          f"loaded from the cache in {statistics.median(loads) * 1000:.0f} ms (median of 5)")


def cross_validated_readings(folds: int) -> tuple[tuple[Example, ...], list[Reading]]:
    """Each training utterance read by a planner whose models were fitted without its fold."""
    train = examples(Part.TRAIN)
    readings: dict[int, Reading] = {}
    for fold in range(folds):
        measured = [i for i in range(len(train)) if i % folds == fold]
        kept = tuple(e for i, e in enumerate(train) if i % folds != fold)
        got = _read_without(kept, tuple(train[i] for i in measured))
        readings.update(zip(measured, got, strict=True))
    return train, [readings[i] for i in range(len(train))]


# Training files by who wrote them: the first files, then one batch per later writer. The
# rules were written against the first files; a later batch shows how a new writer is read.
BATCHES = ("heldout_old_", "d2_", "heldout_2_", "s8_zh_", "s8_en_", "heldout_3_", "heldout_4_", "heldout_5_",
           "heldout_6_", "heldout_7_", "heldout_8_", "heldout_9_",
           "heldout_10_", "heldout_11_", "heldout_12_", "heldout_13_", "s14a_", "s14b_")


def batch_of(example: Example) -> str:
    """The writer's batch of a training example ("first" for the first files)."""
    name = example.source.rpartition("/")[2]
    return next((b.rstrip("_") for b in BATCHES if name.startswith(b)), "first")


def batch_readings() -> tuple[tuple[Example, ...], list[Reading]]:
    """Every later batch read by a planner whose models were fitted without that batch."""
    train = examples(Part.TRAIN)
    batches = sorted({batch_of(e) for e in train} - {"first"})
    data: list[Example] = []
    readings: list[Reading] = []
    for batch in batches:
        rows = tuple(e for e in train if batch_of(e) == batch)
        got = _read_without(tuple(e for e in train if batch_of(e) != batch), rows)
        right = sum(gold(e) == r.label for e, r in zip(rows, got, strict=True))
        print(f"  {batch:12} {right / len(rows):.1%} ({right}/{len(rows)})")
        data += rows
        readings += got
    print()
    return tuple(data), readings


def _read_without(kept: tuple[Example, ...], rows: tuple[Example, ...]) -> list[Reading]:
    """`rows` read by a planner whose models were fitted on `kept` only (never cached)."""
    from tools.nlu import model

    cache_dir, model.CACHE_DIR = model.CACHE_DIR, None
    model.examples = lambda part: kept  # type: ignore[assignment]
    model.intent_model.cache_clear()
    model.act_model.cache_clear()
    try:
        return [read(e) for e in rows]
    finally:
        model.examples = examples  # type: ignore[assignment]
        model.CACHE_DIR = cache_dir
        model.intent_model.cache_clear()
        model.act_model.cache_clear()


def cross_validate() -> None:
    """5-fold cross-validated accuracy of the intent and act models alone, for a few C values."""
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from tools.nlu.model import grams, prepare
    train = examples(Part.TRAIN)
    sets = {"intent": [e for e in train if e.act is Act.NEW_REQUEST], "act": list(train)}
    for name, rows in sets.items():
        texts = [prepare(e.text) for e in rows]
        labels = [e.intent if name == "intent" else e.act.value for e in rows]
        for c in (0.3, 1.0, 3.0):
            pipe = make_pipeline(TfidfVectorizer(analyzer=grams, sublinear_tf=True),
                                 CalibratedClassifierCV(LinearSVC(C=c, random_state=0), cv=3, ensemble=False))
            scores = cross_val_score(pipe, texts, labels, cv=StratifiedKFold(5, shuffle=True, random_state=0))
            print(f"{name} model, C={c}: {np.mean(scores):.1%} ± {np.std(scores):.1%}")


if __name__ == "__main__":
    main()
