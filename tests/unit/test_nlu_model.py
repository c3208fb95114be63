"""The trained models: deterministic, calibrated, fast; typo-tolerant vocabulary."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from tools.nlu.corpus import Act, Part, examples
from tools.nlu.evaluate import context
from tools.nlu.fuzzy import correct
from tools.nlu.model import (
    NGRAMS,
    PENDING,
    TextClassifier,
    act_marks,
    act_model,
    corpus_marks,
    fitted,
    grams,
    intent_model,
    intent_rows,
    marks_of,
    prepare,
)

SAMPLES = ["帮我查下我所有的单", "yeah go for it", "what's the weather tomorrow?", "outlok keeps crashing",
           "保留", "", "TCK-2026-AB12CD", "asdfgh"]


@cache
def fresh() -> tuple[TextClassifier, TextClassifier]:
    """Both models fitted now from the training part, never read from the cache."""
    train = examples(Part.TRAIN)
    return (TextClassifier(*intent_rows(train)),
            TextClassifier([e.text for e in train], [e.act.value for e in train],
                           [act_marks(e) for e in train]))


@pytest.mark.parametrize("text", SAMPLES)
def test_the_fast_path_is_scikit_learns_own_probabilities(text: str) -> None:
    for model, served in zip(fresh(), (intent_model(), act_model()), strict=True):
        assert model.sklearn is not None
        vectorizer, calibrated = model.sklearn
        expected = calibrated.predict_proba(vectorizer.transform([prepare(text)]))[0]
        got = model.predict(text)
        marked = calibrated.predict_proba(vectorizer.transform([prepare(text, PENDING)]))[0]
        assert np.allclose([model.predict(text, PENDING).prob(str(c)) for c in calibrated.classes_], marked, atol=1e-9)
        assert np.allclose([got.prob(str(c)) for c in calibrated.classes_], expected, atol=1e-9)
        assert abs(sum(p for _, p in got.ranked) - 1) < 1e-9
        assert got.ranked == tuple(sorted(got.ranked, key=lambda r: -r[1]))
        assert served.predict(text) == got  # the model a process serves is exactly this fit


@pytest.mark.parametrize("text", ["帮我查下我所有的单", "VPN  连不上 ", "a", "ok", "TCK-2026-AB12CD 怎么样了"])
def test_the_n_grams_are_scikit_learns_char_wb(text: str) -> None:
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS).build_analyzer()
    assert grams(prepare(text)) == analyzer(prepare(text))


def test_a_fit_is_cached_by_corpus_and_reloaded_exactly(tmp_path: Path) -> None:
    rows = [e for e in examples(Part.TRAIN) if e.act is Act.NEW_REQUEST][:300]
    texts, labels = [e.text for e in rows], [e.intent for e in rows]
    first = fitted("intent", texts, labels, tmp_path)
    (path,) = tmp_path.glob("intent-*.npz")
    assert first.sklearn is not None  # nothing cached yet: fitted
    again = fitted("intent", texts, labels, tmp_path)
    assert again.sklearn is None  # read back, no scikit-learn involved
    for key, value in first.arrays().items():
        assert np.array_equal(value, again.arrays()[key]), key
    for text in SAMPLES:
        assert again.predict(text) == first.predict(text)
    changed = fitted("intent", [*texts[:-1], texts[-1] + "!"], labels, tmp_path)
    assert changed.sklearn is not None  # another corpus, another key: fitted, the old fit replaced
    assert [p.name for p in tmp_path.glob("intent-*.npz")] != [path.name]
    assert len(list(tmp_path.glob("intent-*.npz"))) == 1


def test_a_damaged_cache_is_fitted_again(tmp_path: Path) -> None:
    rows = [e for e in examples(Part.TRAIN) if e.act is Act.NEW_REQUEST][:200]
    texts, labels = [e.text for e in rows], [e.intent for e in rows]
    fitted("intent", texts, labels, tmp_path)
    (path,) = tmp_path.glob("intent-*.npz")
    path.write_bytes(path.read_bytes()[:1000])  # a writer that died half way
    model = fitted("intent", texts, labels, tmp_path)
    assert model.sklearn is not None and model.predict("hi") == fitted("intent", texts, labels, tmp_path).predict("hi")


def test_loading_the_cached_models_is_fast(tmp_path: Path) -> None:
    train = examples(Part.TRAIN)
    texts, labels = [e.text for e in train], [e.act.value for e in train]
    fitted("act", texts, labels, tmp_path)
    started = time.perf_counter()
    assert fitted("act", texts, labels, tmp_path).sklearn is None
    assert time.perf_counter() - started < 0.5  # ~20 ms; a fit is ~1 s


def test_confidence_is_calibrated_on_the_training_part() -> None:
    """Among confident readings (≥ 0.8) the model is right far more often than among unsure ones.

    Measured out of sample, on 3 folds of the training part (each read by a model fitted without
    it): read back on its own training texts nearly every reading is confident and right.
    """
    rows = [e for e in examples(Part.TRAIN) if e.act is Act.NEW_REQUEST]
    sure: list[bool] = []
    unsure: list[bool] = []
    for fold in range(3):
        kept = [e for i, e in enumerate(rows) if i % 3 != fold]
        model = TextClassifier([e.text for e in kept], [e.intent for e in kept])
        for e in rows[fold::3]:
            p = model.predict(e.text)
            if p.confidence >= 0.8:
                sure.append(p.label == e.intent)
            elif p.confidence < 0.5:
                unsure.append(p.label == e.intent)
    assert np.mean(sure) > 0.97 and len(sure) > 0.5 * len(rows)
    assert not unsure or np.mean(unsure) < np.mean(sure)


def test_a_prediction_costs_well_under_a_millisecond() -> None:
    texts = [f"message {i}: 帮我看看工单 {i}" for i in range(300)]  # distinct: no cache hits
    intent_model().predict("warm up")
    started = time.perf_counter()
    for text in texts:
        intent_model().predict(text)
        act_model().predict(text)
    assert (time.perf_counter() - started) / len(texts) < 0.002  # ~0.1 ms in practice


@pytest.mark.parametrize(("text", "fixed"), [
    ("outlok keeps crashing", "outlook keeps crashing"),
    ("my vnp is down", "my vpn is down"),
    ("forgot my pasword", "forgot my password"),
    ("open a tikcet", "open a ticket"),
    ("cancle my ticket", "cancel my ticket"),
    ("pls clsoe it", "pls close it"),
    ("esclate TCK-2026-AB12CD", "escalate TCK-2026-AB12CD"),
    ("yse", "yes"),
    # right as written: ordinary words, inflections, ids, Chinese
    ("the printer is slow", "the printer is slow"),
    ("emails are not connecting", "emails are not connecting"),
    ("I think it started after the update", "I think it started after the update"),
    ("查一下 TCK-2026-ABCDEF", "查一下 TCK-2026-ABCDEF"),
    ("wifi 老掉线", "wifi 老掉线"),
])
def test_misspelt_vocabulary_is_corrected_and_nothing_else(text: str, fixed: str) -> None:
    assert correct(text) == fixed


def test_the_training_marks_are_what_the_planner_context_gives() -> None:
    """Each corpus context is marked as the planner context built from it is at run time."""
    seen: set[str] = set()
    for e in examples(Part.TRAIN):
        if e.ctx not in seen:
            seen.add(e.ctx)
            assert corpus_marks(e) == marks_of(context(e)), e.ctx
            assert act_marks(e) == (PENDING if e.pending_tool else "")
    assert {"none", "mem", "draft", "pending:cancel_ticket"} <= seen


def test_the_dialogue_state_changes_the_reading() -> None:
    """"where are we on this?" is about the remembered ticket; with nothing remembered it is not."""
    from tools.nlu.model import TICKET
    with_ticket, fresh_thread = intent_model().predict("where are we on this?", TICKET), intent_model().predict("where are we on this?")
    assert with_ticket.label == "ticket_op.get"
    assert fresh_thread.prob("ticket_op.get") < with_ticket.prob("ticket_op.get")
