"""The intent and dialogue-act classifiers: char n-gram TF-IDF + a calibrated linear SVM.

Both are fitted from the training part of the corpus with scikit-learn (no download,
deterministic) and kept as plain arrays in a cache next to the package, keyed by a hash of
everything the fit depends on (the training texts and labels, the features, the
hyper-parameters, the scikit-learn and numpy versions). A process whose corpus matches a cached
fit loads it in milliseconds and never imports scikit-learn; otherwise it fits (~8 s for 14,000 utterances)
and writes the cache for the next one. `python -m tools.nlu.model` fits at build time.

Both read the dialogue state too: a marker word before the text says the thread holds a
ticket, an active draft, or an action waiting for a yes (`marks_of`, `PENDING`). "where are we
on this?" asks about the remembered ticket; with nothing remembered it is unclear.

Prediction does not go through scikit-learn's per-call input validation: the vocabulary, idf,
weights and sigmoid calibrators are applied with numpy (tens of microseconds a message).
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tools.nlu.corpus import Act, Example, Part, examples
from tools.planner.lexicon import fold, normalize
from tools.planner.plan import PlanContext

NGRAMS = (1, 3)  # characters, inside word boundaries: robust to typos and to zh without spaces
C = 1.0  # chosen by 5-fold cross-validation on the training part (bench/nlu_eval.py --cv)
_FOLDS = 3  # the calibration's internal folds
_FORMAT = 3  # bump when the cached arrays change meaning
CACHE_DIR: Path | None = Path(__file__).with_name(".fitted")  # None: never read or write a cache
# Marker words for the dialogue state, read before the text (characters no message is made of)
TICKET, DRAFT, PENDING = "\u2460", "\u2461", "\u2462"
SELF_CONTAINED = ("kb_qa", "out_of_scope", "chitchat.greeting", "chitchat.thanks", "chitchat.bye")
_SAMPLE = 3  # every third self-contained request is shown with each marker too
_ARRAYS = ("key", "classes", "grams", "idf", "weights", "bias", "slope", "offset")


@dataclass(frozen=True)
class Prediction:
    """Labels with calibrated probabilities, most likely first."""

    ranked: tuple[tuple[str, float], ...]

    @property
    def label(self) -> str:
        """The most likely label."""
        return self.ranked[0][0]

    @property
    def confidence(self) -> float:
        """The probability of the most likely label."""
        return self.ranked[0][1]

    def prob(self, label: str) -> float:
        """The probability of `label` (0 when it is not a class)."""
        return next((p for name, p in self.ranked if name == label), 0.0)


def grams(prepared: str) -> list[str]:
    """Character n-grams inside word boundaries, each word padded with a space.

    The same as scikit-learn's analyzer="char_wb" on already lower-cased text; used both to fit
    and to predict, so the two paths cannot disagree.
    """
    low, high = NGRAMS
    out: list[str] = []
    for word in prepared.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                out.append(padded)  # a short word counts once
                break
            out.extend(padded[i:i + n] for i in range(size - n + 1))
    return out


class TextClassifier:
    """A calibrated linear classifier over character n-grams of normalised text."""

    def __init__(self, texts: Sequence[str], labels: Sequence[str],
                 marks: Sequence[str] | None = None) -> None:
        """Fit on `texts` / `labels`, each text read after its `marks` (scikit-learn is
        imported only here)."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        vectorizer = TfidfVectorizer(analyzer=grams, sublinear_tf=True)
        features = vectorizer.fit_transform(_prepared(texts, marks))
        calibrated = CalibratedClassifierCV(LinearSVC(C=C, random_state=0), cv=_FOLDS,
                                            ensemble=False).fit(features, list(labels))
        fitted = calibrated.calibrated_classifiers_[0]
        by_index = sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])
        self._set(
            classes=np.array([str(c) for c in calibrated.classes_]),
            grams=np.array([str(g) for g, _ in by_index]),
            idf=vectorizer.idf_,
            weights=fitted.estimator.coef_.T,
            bias=fitted.estimator.intercept_,
            slope=[c.a_ for c in fitted.calibrators],
            offset=[c.b_ for c in fitted.calibrators],
        )
        self.sklearn: tuple[Any, Any] | None = (vectorizer, calibrated)  # tests compare both paths

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> TextClassifier:
        """A classifier from the arrays `arrays()` gave (no scikit-learn involved)."""
        model = cls.__new__(cls)
        model._set(**{k: arrays[k] for k in _ARRAYS if k != "key"})
        model.sklearn = None
        return model

    def _set(self, *, classes: Any, grams: Any, idf: Any, weights: Any, bias: Any, slope: Any,
             offset: Any) -> None:
        self.classes: tuple[str, ...] = tuple(str(c) for c in classes)
        self._grams: NDArray[np.str_] = np.asarray(grams, dtype=np.str_)
        self._vocabulary: dict[str, int] = {str(g): i for i, g in enumerate(self._grams.tolist())}
        self._idf: NDArray[np.float64] = np.asarray(idf, dtype=np.float64)
        self._weights: NDArray[np.float64] = np.ascontiguousarray(weights, dtype=np.float64)
        self._bias: NDArray[np.float64] = np.asarray(bias, dtype=np.float64)
        self._slope: NDArray[np.float64] = np.asarray(slope, dtype=np.float64)
        self._offset: NDArray[np.float64] = np.asarray(offset, dtype=np.float64)

    def arrays(self) -> dict[str, NDArray[Any]]:
        """Everything prediction needs, as plain arrays (what the cache stores)."""
        return {"classes": np.array(self.classes), "grams": self._grams, "idf": self._idf,
                "weights": self._weights, "bias": self._bias, "slope": self._slope,
                "offset": self._offset}

    def predict(self, text: str, marks: str = "") -> Prediction:
        """Calibrated probabilities of every class for one message, in the dialogue state that
        `marks` stands for ("" for a fresh thread)."""
        return self._predict(prepare(text, marks))

    @lru_cache(maxsize=512)  # noqa: B019 - one instance per process, cached for its lifetime
    def _predict(self, prepared: str) -> Prediction:
        counts = Counter(i for g in grams(prepared) if (i := self._vocabulary.get(g)) is not None)
        scores = self._bias.copy()
        if counts:
            index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter((1.0 + math.log(n) for n in counts.values()), dtype=np.float64,
                             count=len(counts))
            values = tf * self._idf[index]
            values /= np.linalg.norm(values)
            scores = scores + values @ self._weights[index]
        probs = 1.0 / (1.0 + np.exp(self._slope * scores + self._offset))
        total = float(probs.sum())
        probs = probs / total if total > 0 else np.full(len(probs), 1.0 / len(probs))
        order = np.argsort(-probs, kind="stable")
        return Prediction(tuple((self.classes[i], float(probs[i])) for i in order))


def prepare(text: str, marks: str = "") -> str:
    """What the classifiers read: the state's marker words, then the text normalised (NFKC,
    single spaces), lower-cased and in simplified Chinese."""
    text = fold(normalize(text))
    return f"{' '.join(marks)} {text}" if marks else text


def _prepared(texts: Sequence[str], marks: Sequence[str] | None) -> list[str]:
    return [prepare(t, m) for t, m in zip(texts, marks or [""] * len(texts), strict=True)]


def marks_of(ctx: PlanContext) -> str:
    """The intent model's markers for a planner context: a ticket or a draft the thread holds
    (remembered or referred to; an id the message itself names is read from the text)."""
    ticket = TICKET if ctx.ticket_id and ctx.ticket_source in ("memory", "reference") else ""
    draft = DRAFT if ctx.draft_id and ctx.draft_source in ("memory", "reference") else ""
    return ticket + draft


def corpus_marks(example: Example) -> str:
    """The intent model's markers for a corpus example's context (what `marks_of` gives for the
    planner context that `tools.nlu.evaluate.context` builds from it; a unit test holds them equal)."""
    if example.ctx == "draft":
        return DRAFT
    return TICKET if example.ctx == "mem" or example.pending_tool else ""


def act_marks(example: Example) -> str:
    """The act model's marker: an action waits (the model is only asked while one does)."""
    return PENDING if example.pending_tool else ""


def fit_key(texts: Sequence[str], labels: Sequence[str], marks: Sequence[str] | None = None) -> str:
    """A hash of everything a fit depends on: same key, same arrays."""
    digest = hashlib.sha256()
    for part in (f"format={_FORMAT} ngrams={NGRAMS} C={C} folds={_FOLDS}",
                 f"scikit-learn={version('scikit-learn')} numpy={version('numpy')}"):
        digest.update(part.encode() + b"\x1e")
    for text, label in zip(_prepared(texts, marks), labels, strict=True):
        digest.update(f"{text}\x1f{label}\x1e".encode())
    return digest.hexdigest()


def fitted(name: str, texts: Sequence[str], labels: Sequence[str],
           folder: Path | None = None, marks: Sequence[str] | None = None) -> TextClassifier:
    """The classifier of `texts` / `labels`: from the cache in `folder` when its key matches,
    else fitted now and cached there (a folder that cannot be written only costs the refit)."""
    folder = CACHE_DIR if folder is None else folder
    key = fit_key(texts, labels, marks)
    path = None if folder is None else folder / f"{name}-{key[:20]}.npz"
    if path is not None and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as stored:
                arrays = {k: stored[k] for k in _ARRAYS}
            if str(arrays["key"]) == key:
                return TextClassifier.from_arrays(arrays)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            pass  # unreadable or from an interrupted writer: fitted again below
    model = TextClassifier(texts, labels, marks)
    if path is not None:
        _store(path, {"key": np.array(key), **model.arrays()})
    return model


def _store(path: Path, arrays: dict[str, NDArray[Any]]) -> None:
    """Write atomically (another process may be reading), dropping this name's older fits."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".npz")
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **arrays)  # type: ignore[arg-type]
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from a server running as another user
        os.replace(tmp, path)
        name = path.stem.rpartition("-")[0]
        for old in path.parent.glob(f"{name}-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only install: every process fits for itself


@cache
def intent_model() -> TextClassifier:
    """The intent classifier: every training request (answers to a pending action excluded)."""
    texts, labels, marks = intent_rows(examples(Part.TRAIN))
    return fitted("intent", texts, labels, marks=marks)


def intent_rows(part: Sequence[Example]) -> tuple[list[str], list[str], list[str]]:
    """The intent model's training rows (texts, labels, marks): every request of `part`."""
    train = [e for e in part if e.act is Act.NEW_REQUEST]
    rows = [(e.text, e.intent, corpus_marks(e)) for e in train]
    # A message that says everything itself means the same whatever the thread holds: a sample
    # of them is also shown with each marker, so a marker never stands for one intent alone
    # (the corpus's draft context holds only drafting, its ticket context only ticket work).
    plain = [e for e in train if e.ctx == "none" and e.intent in SELF_CONTAINED]
    rows += [(e.text, e.intent, mark) for mark in (TICKET, DRAFT) for e in plain[::_SAMPLE]]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


@cache
def act_model() -> TextClassifier:
    """The dialogue-act classifier: new request, confirm, decline or other."""
    train = examples(Part.TRAIN)
    return fitted("act", [e.text for e in train], [e.act.value for e in train],
                  marks=[act_marks(e) for e in train])


def warm() -> None:
    """Load or fit both models and the typo corrector's word list now (the server does it at
    start-up, so no turn waits for it)."""
    from tools.nlu.fuzzy import english_words

    intent_model()
    act_model()
    english_words()


if __name__ == "__main__":  # build time: fit once and leave the cache for every later process
    warm()
    print(f"fitted models cached in {CACHE_DIR}")
